// Plateau detection: thresholds (IEC 61851-1 Table A.4), hysteresis and debounce.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { IEC61851_THRESHOLDS, PilotDetector, type PlateauState } from "../../modules/cp-pwm/index";

const NaN_ = Number.NaN;

function settle(d: PilotDetector, high: number, low: number, n = 3): PlateauState | undefined {
  let s: PlateauState | undefined;
  for (let i = 0; i < n; i++) s = d.feed(high, low);
  return s;
}

describe("PilotDetector: nominal levels", () => {
  const cases: [number, number, PlateauState][] = [
    [12, -12, "A"],
    [12, NaN_, "A"],
    [8.98, -12, "B"],
    [9, NaN_, "B"],
    [6, -12, "C"],
    [2.93, -12, "D"],
    [0, 0, "E"],
    [0, NaN_, "E"],
    [-12, -12, "F"],
    [NaN_, -12, "F"],
    [NaN_, 0, "E"],
    [8.79, -8.79, "diode-missing"],
    [6, -5.6, "diode-missing"],
    [2.9, -2.6, "diode-missing"],
  ];
  for (const [high, low, state] of cases) {
    test(`high ${high} V, low ${low} V → ${state}`, () => {
      assert.equal(settle(new PilotDetector(), high, low), state);
    });
  }

  test("the limits of Table A.4 (±1 V around nominal) all classify as their state", () => {
    const d = () => new PilotDetector({ debounce: 1 });
    for (const [v, s] of [[11, "A"], [13, "A"], [10, "B"], [8, "B"], [7, "C"], [5, "C"], [4, "D"], [2, "D"], [1, "E"], [-1, "E"]] as const) {
      assert.equal(d().feed(v, -12), s, `${v} V`);
    }
  });

  test("a sample with neither plateau is ignored", () => {
    const d = new PilotDetector({ debounce: 1 });
    d.feed(9, -12);
    assert.equal(d.feed(NaN_, NaN_), "B");
    assert.equal(d.raw, "B");
  });

  test("without the diode check (vehicle side), a high negative plateau is just B", () => {
    assert.equal(settle(new PilotDetector({ checkDiode: false }), 8.8, -8.8), "B");
  });

  test("the thresholds are frozen configuration; custom ones are honoured", () => {
    assert.ok(Object.isFrozen(IEC61851_THRESHOLDS));
    const custom = { ...IEC61851_THRESHOLDS, bc: 8.5 };
    assert.equal(settle(new PilotDetector({ thresholds: custom }), 8.2, -12), "C");
    assert.equal(settle(new PilotDetector(), 8.2, -12), "B");
    assert.throws(() => new PilotDetector({ thresholds: { ...IEC61851_THRESHOLDS, bc: 11 } }), RangeError);
  });
});

describe("PilotDetector: debounce", () => {
  test("nothing is committed before `debounce` agreeing samples", () => {
    const d = new PilotDetector({ debounce: 3 });
    assert.equal(d.feed(9, -12), undefined);
    assert.equal(d.feed(9, -12), undefined);
    assert.equal(d.feed(9, -12), "B");
  });

  test("a single sample on a PWM edge (any voltage between the plateaus) is not a transition", () => {
    const d = new PilotDetector({ debounce: 3 });
    settle(d, 9, -12);
    for (const glitch of [6, 3, 0, -5, 12, -12]) {
      assert.equal(d.feed(glitch, -12), "B", `${glitch} V`);
      assert.equal(d.feed(9, -12), "B");
    }
  });

  test("two glitches in a row are still not a transition; three are", () => {
    const d = new PilotDetector({ debounce: 3 });
    settle(d, 6, -12);
    d.feed(9, -12);
    assert.equal(d.feed(9, -12), "C");
    assert.equal(d.feed(6, -12), "C");
    d.feed(9, -12);
    d.feed(9, -12);
    assert.equal(d.feed(9, -12), "B");
  });

  test("alternating candidates never commit (each disagreeing sample restarts the count)", () => {
    const d = new PilotDetector({ debounce: 3 });
    settle(d, 12, -12);
    for (let i = 0; i < 20; i++) assert.equal(d.feed(i % 2 ? 9 : 6, -12), "A");
  });

  test("a missing negative plateau for a sample or two does not flag the diode", () => {
    const d = new PilotDetector();
    settle(d, 9, -12);
    assert.equal(d.feed(9, -8.8), "B");
    assert.equal(d.feed(9, -8.8), "B");
    assert.equal(d.feed(9, -12), "B");
    assert.equal(settle(d, 9, -8.8), "diode-missing");
    assert.equal(settle(d, 9, -12), "B");
  });

  test("debounce 1 follows every sample; reset forgets the committed state", () => {
    const d = new PilotDetector({ debounce: 1 });
    assert.equal(d.feed(6, -12), "C");
    assert.equal(d.feed(9, -12), "B");
    d.reset();
    assert.equal(d.state, undefined);
    assert.equal(d.raw, undefined);
  });
});

describe("PilotDetector: hysteresis and noise", () => {
  test("noise around a threshold does not toggle once a side is committed", () => {
    const d = new PilotDetector({ debounce: 2 });
    settle(d, 7.8, -12); // B, just above bc = 7.5
    // ±0.25 V around 7.5 V: inside B widened by 0.3 V.
    for (const v of [7.3, 7.4, 7.25, 7.3, 7.6, 7.22, 7.21]) assert.equal(d.feed(v, -12), "B", `${v}`);
    // Beyond the hysteresis: C.
    d.feed(7.1, -12);
    assert.equal(d.feed(7.1, -12), "C");
    // And back: C holds up to 7.8 V.
    for (const v of [7.7, 7.8, 7.6]) assert.equal(d.feed(v, -12), "C", `${v}`);
  });

  test("the diode threshold has hysteresis too", () => {
    const d = new PilotDetector({ debounce: 1 });
    d.feed(9, -12);
    assert.equal(d.feed(9, -10.2), "B"); // within 0.3 V of −10 V
    assert.equal(d.feed(9, -9.6), "diode-missing");
    assert.equal(d.feed(9, -10.2), "diode-missing");
    assert.equal(d.feed(9, -10.4), "B");
  });

  test("±1 V triangular noise on every nominal level never produces a false transition", () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (const [high, state] of [[12, "A"], [9, "B"], [6, "C"], [3, "D"]] as const) {
      const d = new PilotDetector();
      settle(d, high, -12);
      for (let i = 0; i < 2000; i++) {
        const n = rnd() + rnd() - 1; // (−1, 1)
        assert.equal(d.feed(high + 1.2 * n, -12 + 0.5 * n), state);
      }
    }
  });
});
