// IEC 61851-1 Table A.7 (charger: current → duty) and Table A.8 (vehicle: duty → current).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CpPwmError,
  DIGITAL_COMMUNICATION_DUTY,
  ampsForDuty,
  currentForDuty,
  dutyForCurrent,
  dutyPermilleForCurrent,
  isDigitalDuty,
} from "../../modules/cp-pwm/index";

describe("dutyForCurrent (charger)", () => {
  test("the issue's examples: 6 A → 10 %, 32 A → 53.3 %, 51 A → 85 %, 80 A → 96 %", () => {
    assert.equal(dutyForCurrent(6), 10);
    assert.equal(dutyForCurrent(32), 53.3);
    assert.equal(dutyForCurrent(51), 85);
    assert.equal(dutyForCurrent(80), 96);
  });

  test("more than 80 A advertises 80 A (96 %); 51..52.75 A stays at 85 % (51 A)", () => {
    assert.equal(dutyForCurrent(125), 96);
    assert.equal(dutyForCurrent(52), 85);
    assert.equal(dutyForCurrent(52.75), 85.1);
    assert.equal(dutyForCurrent(60), 88);
  });

  test("fractional limits floor to 0.1 %", () => {
    assert.equal(dutyForCurrent(16), 26.6);
    assert.equal(dutyForCurrent(10), 16.6);
    assert.equal(dutyForCurrent(13.5), 22.5);
    assert.equal(dutyPermilleForCurrent(20), 333);
  });

  test("below 6 A, NaN or infinite: a CpPwmError (the PWM cannot say it)", () => {
    for (const amps of [5.99, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => dutyForCurrent(amps), (e: unknown) => CpPwmError.is(e, "current-out-of-range"));
    }
  });

  test("for every limit 6..100 A in 0.1 A steps the vehicle never reads more than the limit, and loses < 0.3 A below 80 A", () => {
    for (let tenth = 60; tenth <= 1000; tenth++) {
      const limit = tenth / 10;
      const read = currentForDuty(dutyForCurrent(limit));
      assert.equal(read.kind, "current", `${limit} A`);
      if (read.kind !== "current") return;
      assert.ok(read.amps <= limit + 1e-9, `${limit} A → ${read.amps} A`);
      // Resolution loss: 0.1 % is 0.06 A (low band) or 0.25 A (high band); 51..52.75 A is the gap.
      if (limit < 80 && (limit <= 51 || limit >= 52.75)) assert.ok(limit - read.amps < 0.26, `${limit} A → ${read.amps} A`);
    }
  });

  test("the duty is monotonic in the current", () => {
    let previous = 0;
    for (let tenth = 60; tenth <= 900; tenth += 5) {
      const duty = dutyForCurrent(tenth / 10);
      assert.ok(duty >= previous, `${tenth / 10} A`);
      previous = duty;
    }
  });
});

describe("currentForDuty (vehicle, Table A.8)", () => {
  const cases: [number, string][] = [
    [0, "no-pwm"],
    [1, "error"],
    [2.99, "error"],
    [3, "digital"],
    [5, "digital"],
    [7, "digital"],
    [7.01, "error"],
    [7.99, "error"],
    [8, "6"],
    [9.99, "6"],
    [10, "6"],
    [53.3, "31.98"],
    [85, "51"],
    [85.1, "52.75"],
    [96, "80"],
    [96.5, "80"],
    [97, "80"],
    [97.01, "error"],
    [99.9, "error"],
    [100, "no-pwm"],
  ];
  for (const [duty, expected] of cases) {
    test(`${duty} % reads as ${expected}`, () => {
      const m = currentForDuty(duty);
      assert.equal(m.kind === "current" ? String(m.amps) : m.kind, expected);
      assert.equal(ampsForDuty(duty), m.kind === "current" ? m.amps : 0);
    });
  }

  test("the charger's 5 % is digital; 3..7 % is the digital band", () => {
    assert.equal(DIGITAL_COMMUNICATION_DUTY, 5);
    assert.equal(isDigitalDuty(5), true);
    assert.equal(isDigitalDuty(7.5), false);
    assert.equal(isDigitalDuty(2.9), false);
  });

  test("a duty outside 0..100 % is misuse", () => {
    assert.throws(() => currentForDuty(100.1), (e: unknown) => CpPwmError.is(e, "duty-out-of-range"));
    assert.throws(() => currentForDuty(Number.NaN), (e: unknown) => CpPwmError.is(e, "duty-out-of-range"));
  });

  test("the fixed bands are frozen shared objects", () => {
    assert.equal(currentForDuty(5), currentForDuty(6));
    assert.ok(Object.isFrozen(currentForDuty(5)));
    assert.ok(Object.isFrozen(currentForDuty(99)));
    assert.ok(Object.isFrozen(currentForDuty(100)));
  });
});
