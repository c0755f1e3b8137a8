// The vehicle-side pilot: S2, readiness, the advertised current and the 5 % signal (debounced).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import { CpPwmError, VehiclePilot, type VehiclePilotEvent, type VehiclePilotOptions } from "../../modules/cp-pwm/index";
import { FakeVehicleLine } from "./support/fake-line";

function setup(extra?: Partial<Omit<VehiclePilotOptions, "input" | "s2">>, duty = 100) {
  const clock = new ManualClock();
  const line = new FakeVehicleLine(clock);
  line.duty = duty;
  const events: { at: number; event: VehiclePilotEvent }[] = [];
  const pilot = new VehiclePilot({ ...line.vehicle, ...extra, onEvent: (event) => events.push({ at: clock.now(), event }) });
  clock.advance(50);
  return {
    clock,
    line,
    pilot,
    events,
    of: <T extends VehiclePilotEvent["type"]>(type: T) =>
      events.filter((e) => e.event.type === type).map((e) => e.event as Extract<VehiclePilotEvent, { type: T }>),
  };
}

describe("VehiclePilot: reading the charger", () => {
  test("B with +12 V constant is B1: no PWM, no current", () => {
    const c = setup();
    assert.equal(c.pilot.state, "B1");
    assert.equal(c.pilot.current, 0);
    assert.equal(c.pilot.digital, false);
    assert.deepEqual(c.of("duty"), [{ type: "duty", duty: 100, meaning: { kind: "no-pwm" } }]);
  });

  test("53.3 % reads as 31.98 A (B2); 5 % as digital communication", () => {
    const c = setup(undefined, 53.3);
    assert.equal(c.pilot.state, "B2");
    assert.equal(c.pilot.current, 31.98);
    c.line.duty = 5;
    c.clock.advance(50);
    assert.equal(c.pilot.digital, true);
    assert.equal(c.pilot.current, 0);
    assert.deepEqual(c.of("duty").at(-1), { type: "duty", duty: 5, meaning: { kind: "digital" } });
  });

  test("one or two bad duty readings change neither the current nor the digital flag", () => {
    const c = setup(undefined, 5);
    const before = c.events.length;
    for (const bad of [53, 100, 0, 2, 96]) {
      c.line.dutyOverrides.push(bad, 5, bad, bad, 5);
      c.clock.advance(50);
    }
    assert.equal(c.events.length, before);
    assert.equal(c.pilot.digital, true);
  });

  test("duty jitter is averaged: readings 53.1..53.5 confirm 53.3 (31.98 A)", () => {
    const c = setup(undefined, 5);
    c.line.dutyOverrides.push(53.1, 53.5, 53.3);
    c.line.duty = 53.2;
    c.clock.advance(15);
    assert.equal(c.pilot.duty, 53.3);
    assert.equal(c.pilot.current, 31.98);
    c.clock.advance(100);
    assert.equal(c.pilot.current, 31.98, "later readings within 0.5 % keep the value");
  });

  test("F (−12 V constant) and E (0 V) are read as such", () => {
    const c = setup(undefined, 5);
    c.line.high = Number.NaN;
    c.line.low = -12;
    c.line.duty = 0;
    c.clock.advance(50);
    assert.equal(c.pilot.state, "F");
    c.line.high = 0;
    c.line.low = Number.NaN;
    c.clock.advance(50);
    assert.equal(c.pilot.state, "E");
  });
});

describe("VehiclePilot: S2 and readiness", () => {
  test("ready with a current: S2 closes; the line goes to C (C2); not ready: S2 opens (B2)", () => {
    const c = setup(undefined, 26.6);
    c.pilot.setReady(true);
    assert.equal(c.line.s2, true);
    c.line.follow();
    c.clock.advance(50);
    assert.equal(c.pilot.state, "C2");
    c.pilot.setReady(false);
    assert.equal(c.line.s2, false);
    c.line.follow();
    c.clock.advance(50);
    assert.equal(c.pilot.state, "B2");
    assert.deepEqual(c.of("s2"), [
      { type: "s2", closed: true },
      { type: "s2", closed: false },
    ]);
  });

  test("ready before the PWM starts: S2 stays open until the charger's PWM is confirmed", () => {
    const c = setup({ ready: true });
    assert.equal(c.line.s2, false);
    const t0 = c.clock.now();
    c.line.duty = 53.3;
    c.clock.advance(50);
    assert.equal(c.line.s2, true);
    const closedAt = c.line.s2Writes.filter(([, v]) => v === 1)[0][0];
    assert.equal(closedAt - t0, 15, "after 3 readings (debounce)");
  });

  test("ready at 5 %: S2 closes (with digital communication the session layer says when)", () => {
    const c = setup(undefined, 5);
    c.pilot.setReady(true);
    assert.equal(c.line.s2, true);
  });

  test("the PWM stops (x2 → x1): S2 opens", () => {
    const c = setup({ ready: true }, 53.3);
    assert.equal(c.line.s2, true);
    c.line.follow();
    c.clock.advance(50);
    c.line.duty = 100;
    c.clock.advance(50);
    assert.equal(c.line.s2, false);
    c.line.follow();
    c.clock.advance(50);
    assert.equal(c.pilot.state, "B1");
  });

  test("an error duty (e.g. 98 %) or state F opens S2", () => {
    const c = setup({ ready: true }, 53.3);
    c.line.duty = 98;
    c.clock.advance(50);
    assert.equal(c.line.s2, false);
    c.line.duty = 53.3;
    c.clock.advance(50);
    assert.equal(c.line.s2, true);
    c.line.high = Number.NaN;
    c.line.duty = 0;
    c.clock.advance(50);
    assert.equal(c.line.s2, false);
  });

  test("close(): S2 open, no events after, idempotent; setReady afterwards throws", () => {
    const c = setup({ ready: true }, 53.3);
    c.pilot.close();
    c.pilot.close();
    assert.equal(c.line.s2, false);
    const n = c.events.length;
    c.line.duty = 5;
    c.clock.advance(100);
    assert.equal(c.events.length, n);
    assert.throws(() => c.pilot.setReady(true), (e: unknown) => CpPwmError.is(e, "closed"));
  });
});
