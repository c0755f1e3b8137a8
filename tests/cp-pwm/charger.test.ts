// The charger-side pilot state machine (IEC 61851-1 Annex A; ISO 15118-3 wake-up), on a fake line.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import {
  ChargerPilot,
  CpPwmError,
  PilotLevel,
  T_FORCED_POWER_OFF,
  T_POWER_OFF_AFTER_C_TO_B,
  T_STEP_EF,
  type ChargerPilotEvent,
  type ChargerPilotOptions,
  type ChargerPilotState,
} from "../../modules/cp-pwm/index";
import { FakeChargerLine, type FakeVehicle } from "./support/fake-line";

type Extra = Partial<Omit<ChargerPilotOptions, "clock" | "input" | "output">>;

function setup(extra?: Extra, line?: { period?: number; canZero?: boolean; vehicle?: FakeVehicle }) {
  const clock = new ManualClock();
  const l = new FakeChargerLine(clock, line);
  if (line?.vehicle) l.vehicle = line.vehicle;
  const events: { at: number; event: ChargerPilotEvent }[] = [];
  const pilot = new ChargerPilot({ clock, ...l.charger, ...extra, onEvent: (event) => events.push({ at: clock.now(), event }) });
  clock.advance(Math.max(50, 5 * (line?.period ?? 5)));
  return {
    clock,
    line: l,
    pilot,
    events,
    /** Power events after `since`. */
    power: (since = 0) => events.filter((e) => e.at >= since && e.event.type === "power"),
    errors: () => events.filter((e) => e.event.type === "error").map((e) => e.event),
  };
}

type Ctx = ReturnType<typeof setup>;

// Starting points of the transition table: how to reach each state.
const START: Record<string, { extra?: Extra; vehicle: FakeVehicle; then?: (c: Ctx) => void }> = {
  A: { vehicle: "none" },
  B1: { vehicle: "B", extra: { ready: false } },
  B2: { vehicle: "B" },
  C1: { vehicle: "C", extra: { ready: false } },
  C2: { vehicle: "C" },
  D2: { vehicle: "D", extra: { ventilation: true } },
  E: { vehicle: "B", then: (c) => (c.line.short = true) },
  F: { vehicle: "B", then: (c) => c.pilot.fault("test") },
};

function at(state: string): Ctx {
  const start = START[state];
  const c = setup(start.extra, { vehicle: start.vehicle });
  if (start.then) {
    start.then(c);
    c.clock.advance(50);
  }
  assert.equal(c.pilot.state, state, `reaching ${state}`);
  return c;
}

interface Row {
  from: string;
  when: string;
  act: (c: Ctx) => void;
  to: ChargerPilotState;
  power: boolean;
  output: "pwm" | "+12" | "-12";
}

const vehicle = (v: FakeVehicle) => (c: Ctx) => (c.line.vehicle = v);

const TABLE: Row[] = [
  { from: "A", when: "a vehicle is plugged (B)", act: vehicle("B"), to: "B2", power: false, output: "pwm" },
  { from: "A", when: "a vehicle is plugged with S2 closed (C)", act: vehicle("C"), to: "C2", power: true, output: "pwm" },
  { from: "B1", when: "the charger becomes ready", act: (c) => c.pilot.setReady(true), to: "B2", power: false, output: "pwm" },
  { from: "B1", when: "S2 closes (C)", act: vehicle("C"), to: "C1", power: false, output: "+12" },
  { from: "B1", when: "unplugged", act: vehicle("none"), to: "A", power: false, output: "+12" },
  { from: "B2", when: "the charger stops being ready", act: (c) => c.pilot.setReady(false), to: "B1", power: false, output: "+12" },
  { from: "B2", when: "S2 closes (C)", act: vehicle("C"), to: "C2", power: true, output: "pwm" },
  { from: "B2", when: "S2 closes with ventilation but none here (D)", act: vehicle("D"), to: "D2", power: false, output: "pwm" },
  { from: "B2", when: "unplugged", act: vehicle("none"), to: "A", power: false, output: "+12" },
  { from: "B2", when: "the pilot is shorted (E)", act: (c) => (c.line.short = true), to: "E", power: false, output: "+12" },
  { from: "B2", when: "the application faults", act: (c) => c.pilot.fault("rcd"), to: "F", power: false, output: "-12" },
  { from: "C1", when: "the charger becomes ready", act: (c) => c.pilot.setReady(true), to: "C2", power: true, output: "pwm" },
  { from: "C1", when: "S2 opens (B)", act: vehicle("B"), to: "B1", power: false, output: "+12" },
  { from: "C2", when: "S2 opens (B)", act: vehicle("B"), to: "B2", power: false, output: "pwm" },
  { from: "C2", when: "unplugged under load", act: vehicle("none"), to: "A", power: false, output: "+12" },
  { from: "C2", when: "the charger stops the PWM", act: (c) => c.pilot.setReady(false), to: "C1", power: true, output: "+12" },
  { from: "C2", when: "the vehicle asks for ventilation, none here (D)", act: vehicle("D"), to: "D2", power: false, output: "pwm" },
  { from: "C2", when: "the diode goes missing", act: (c) => (c.line.diode = false), to: "C2", power: false, output: "pwm" },
  { from: "C2", when: "the pilot is shorted (E)", act: (c) => (c.line.short = true), to: "E", power: false, output: "+12" },
  { from: "C2", when: "the application faults", act: (c) => c.pilot.fault("overcurrent"), to: "F", power: false, output: "-12" },
  { from: "D2", when: "S2 back to C", act: vehicle("C"), to: "C2", power: true, output: "pwm" },
  { from: "D2", when: "S2 opens (B)", act: vehicle("B"), to: "B2", power: false, output: "pwm" },
  { from: "E", when: "the short is removed", act: (c) => (c.line.short = false), to: "B2", power: false, output: "pwm" },
  { from: "F", when: "the fault is cleared", act: (c) => c.pilot.clearFault(), to: "B2", power: false, output: "pwm" },
];

describe("ChargerPilot: transition table (IEC 61851-1 Annex A)", () => {
  for (const row of TABLE) {
    test(`given ${row.from}, when ${row.when}, then ${row.to}, power ${row.power ? "allowed" : "off"}, output ${row.output}`, () => {
      const c = at(row.from);
      row.act(c);
      c.clock.advance(50);
      assert.equal(c.pilot.state, row.to);
      assert.equal(c.pilot.powerAllowed, row.power);
      const out = c.pilot.output;
      assert.equal(out > 0 && out < 100 ? "pwm" : out === PilotLevel.PlusTwelve ? "+12" : "-12", row.output);
      assert.equal(c.line.level, out, "what the output was told");
    });
  }

  test("B2 then D2 with ventilation allows power", () => {
    const c = at("D2");
    assert.equal(c.pilot.powerAllowed, true);
    assert.equal(c.pilot.error, undefined);
  });

  test("state events carry the previous state, in order", () => {
    const c = setup(undefined, { vehicle: "none" });
    c.line.vehicle = "B";
    c.clock.advance(50);
    c.line.vehicle = "C";
    c.clock.advance(50);
    c.line.vehicle = "B";
    c.clock.advance(50);
    c.line.vehicle = "none";
    c.clock.advance(50);
    const states = c.events.filter((e) => e.event.type === "state").map((e) => e.event);
    assert.deepEqual(states, [
      { type: "state", state: "A", previous: undefined },
      { type: "state", state: "B2", previous: "A" },
      { type: "state", state: "C2", previous: "B2" },
      { type: "state", state: "B2", previous: "C2" },
      { type: "state", state: "A", previous: "B2" },
    ]);
  });
});

describe("ChargerPilot: PWM and modes", () => {
  test("hlc mode sends 5 %; nominal sends Table A.7's duty for maxCurrent; changes apply at once", () => {
    const c = setup({ mode: "hlc" });
    assert.equal(c.line.level, 5);
    c.pilot.setMode("nominal");
    assert.equal(c.line.level, 26.6); // 16 A default
    c.pilot.setMaxCurrent(32);
    assert.equal(c.line.level, 53.3);
    c.pilot.setMaxCurrent(100);
    assert.equal(c.line.level, 96);
    c.pilot.setMode("hlc");
    assert.equal(c.line.level, 5);
    assert.equal(c.pilot.mode, "hlc");
  });

  test("HLC failure falls back to nominal PWM without leaving C2 or dropping power", () => {
    const c = setup({ mode: "hlc", maxCurrent: 20 }, { vehicle: "C" });
    assert.equal(c.pilot.powerAllowed, true);
    c.pilot.setMode("nominal");
    c.clock.advance(50);
    assert.equal(c.line.level, 33.3);
    assert.equal(c.pilot.state, "C2");
    assert.equal(c.power().length, 1);
  });

  test("hlcFailed('nominal') switches 5 % to the nominal duty; hlcFailed('fault') goes to F", () => {
    const c = setup({ mode: "hlc", maxCurrent: 32 }, { vehicle: "C" });
    c.pilot.hlcFailed("nominal");
    assert.equal(c.line.level, 53.3);
    assert.equal(c.pilot.mode, "nominal");
    c.pilot.hlcFailed("fault");
    assert.equal(c.line.level, PilotLevel.MinusTwelve);
    assert.equal(c.pilot.state, "F");
    assert.equal(c.pilot.powerAllowed, false);
  });

  test("a limit below 6 A is misuse (CpPwmError), and nothing changes", () => {
    const c = setup({ mode: "nominal", maxCurrent: 10 });
    assert.throws(() => c.pilot.setMaxCurrent(5), (e: unknown) => CpPwmError.is(e, "current-out-of-range"));
    assert.equal(c.line.level, 16.6);
    assert.throws(() => setup({ mode: "nominal", maxCurrent: 3 }), CpPwmError);
  });

  test("the output is written only when its level changes, not per sample", () => {
    const c = setup();
    const writes = c.line.writes.length;
    c.clock.advance(1000);
    assert.equal(c.line.writes.length, writes);
    assert.deepEqual(c.line.writes.map(([, v]) => v), [100, 5]);
  });
});

describe("ChargerPilot: errors", () => {
  test("diode missing: error event, no power; restored diode: cleared, power again", () => {
    const c = at("C2");
    c.line.diode = false;
    c.clock.advance(50);
    assert.deepEqual(c.errors(), [{ type: "error", reason: "diode-missing", active: true }]);
    assert.equal(c.pilot.powerAllowed, false);
    assert.equal(c.pilot.state, "C2");
    c.line.diode = true;
    c.clock.advance(50);
    assert.deepEqual(c.errors()[1], { type: "error", reason: "diode-missing", active: false });
    assert.equal(c.pilot.powerAllowed, true);
  });

  test("D without ventilation: error ventilation-unavailable, power off; the power event says why", () => {
    const c = at("C2");
    c.line.vehicle = "D";
    c.clock.advance(50);
    assert.deepEqual(c.errors(), [{ type: "error", reason: "ventilation-unavailable", active: true }]);
    assert.deepEqual(c.power().at(-1)?.event, { type: "power", allowed: false, reason: "pilot-error" });
  });

  test("−12 V on the positive plateau while driving PWM: generator-fault", () => {
    const c = at("B2");
    for (let i = 0; i < 5; i++) c.line.overrides.push(-12);
    c.clock.advance(50);
    assert.deepEqual(c.errors()[0], { type: "error", reason: "generator-fault", active: true });
  });

  test("unplugged under load: power off with reason unplugged", () => {
    const c = at("C2");
    c.line.vehicle = "none";
    c.clock.advance(50);
    assert.deepEqual(c.power().at(-1)?.event, { type: "power", allowed: false, reason: "unplugged" });
  });

  test("faulted, the charger ignores readiness and wake-up until clearFault", () => {
    const c = at("F");
    c.pilot.setReady(true);
    assert.equal(c.pilot.wakeUp(), false);
    c.clock.advance(1000);
    assert.equal(c.pilot.state, "F");
    assert.equal(c.line.level, PilotLevel.MinusTwelve);
    assert.deepEqual(c.errors(), []);
  });
});

describe("ChargerPilot: noise and debounce", () => {
  test("single and double glitches on the plateau never change the state or power", () => {
    const c = at("C2");
    const before = c.events.length;
    for (const v of [9, 12, 3, 0, -12]) {
      c.line.overrides.push(v, 6, v, v, 6);
      c.clock.advance(50);
    }
    assert.equal(c.events.length, before);
    assert.equal(c.pilot.powerAllowed, true);
  });

  test("three agreeing samples (debounce 3) are a transition", () => {
    const c = at("C2");
    c.line.overrides.push(9, 9, 9);
    c.clock.advance(15);
    assert.equal(c.pilot.state, "B2");
  });

  test("a configurable debounce: 5 samples", () => {
    const c = setup({ detector: { debounce: 5 } }, { vehicle: "C" });
    c.line.overrides.push(9, 9, 9, 9);
    c.clock.advance(50);
    assert.equal(c.pilot.state, "C2");
  });
});

describe("ChargerPilot: timing", () => {
  for (const period of [1, 5, 20]) {
    test(`C → B switches power off within ${T_POWER_OFF_AFTER_C_TO_B} ms (samples every ${period} ms, debounce 3)`, () => {
      const c = setup(undefined, { vehicle: "C", period });
      assert.equal(c.pilot.powerAllowed, true);
      c.clock.advance(7);
      const t0 = c.clock.now();
      c.line.vehicle = "B";
      c.clock.advance(200);
      const off = c.power(t0)[0];
      assert.deepEqual(off.event, { type: "power", allowed: false, reason: "vehicle-stopped" });
      assert.ok(off.at - t0 <= T_POWER_OFF_AFTER_C_TO_B, `${off.at - t0} ms`);
      assert.ok(off.at - t0 <= 3 * period + period, `${off.at - t0} ms`);
    });
  }

  test("B2 → C2: power allowed within 3 s (in fact as soon as C is debounced: 3 samples)", () => {
    const c = at("B2");
    const t0 = c.clock.now();
    c.line.vehicle = "C";
    c.clock.advance(3000);
    const on = c.power(t0)[0];
    assert.deepEqual(on.event, { type: "power", allowed: true, reason: "vehicle-ready" });
    assert.ok(on.at - t0 <= 20, `${on.at - t0} ms`);
  });

  test("D → B with ventilation: also off within 100 ms", () => {
    const c = at("D2");
    const t0 = c.clock.now();
    c.line.vehicle = "B";
    c.clock.advance(200);
    assert.ok(c.power(t0)[0].at - t0 <= 100);
  });

  test("PWM stopped, vehicle stays in C: power kept 6 s, then forced off (reason pwm-stop-timeout)", () => {
    const c = at("C2");
    const t0 = c.clock.now();
    c.pilot.setReady(false);
    assert.equal(c.pilot.state, "C1");
    c.clock.advance(T_FORCED_POWER_OFF - 1);
    assert.equal(c.pilot.powerAllowed, true);
    c.clock.advance(1);
    assert.equal(c.pilot.powerAllowed, false);
    const off = c.power(t0)[0];
    assert.deepEqual(off.event, { type: "power", allowed: false, reason: "pwm-stop-timeout" });
    assert.equal(off.at - t0, T_FORCED_POWER_OFF);
    // Stays off while the vehicle stays in C1.
    c.clock.advance(10_000);
    assert.equal(c.pilot.powerAllowed, false);
    assert.equal(c.power(t0).length, 1);
  });

  test("PWM stopped, the vehicle opens S2 after 2 s: off at once (< 100 ms), no forced-off later", () => {
    const c = at("C2");
    c.pilot.setReady(false);
    c.clock.advance(2000);
    const t1 = c.clock.now();
    c.line.vehicle = "B";
    c.clock.advance(100);
    const offs = c.power(t1);
    assert.equal(offs.length, 1);
    assert.equal((offs[0].event as { reason: string }).reason, "vehicle-stopped");
    assert.ok(offs[0].at - t1 <= 100);
    c.clock.advance(10_000);
    assert.equal(c.power(t1).length, 1);
    assert.equal(c.clock.pending, 1, "only the line's sampling timer is left");
  });

  test("PWM stopped then restarted within 6 s: the forced off is cancelled", () => {
    const c = at("C2");
    c.pilot.setReady(false);
    c.clock.advance(3000);
    c.pilot.setReady(true);
    c.clock.advance(10_000);
    assert.equal(c.pilot.powerAllowed, true);
    assert.equal(c.pilot.state, "C2");
    assert.equal(c.power().length, 1);
  });

  test("PWM never on while in C1: no power, no timer", () => {
    const c = at("C1");
    c.clock.advance(10_000);
    assert.equal(c.power().length, 0);
    assert.equal(c.clock.pending, 1);
  });

  test("wake-up: F for exactly T_step_EF (4 s), then B2 with 5 %; start/end events; no errors", () => {
    const c = at("B2");
    const t0 = c.clock.now();
    assert.equal(c.pilot.wakeUp(), true);
    assert.equal(c.line.level, PilotLevel.MinusTwelve);
    assert.equal(c.pilot.state, "F");
    assert.equal(c.pilot.wakeUp(), false, "one pulse at a time");
    c.clock.advance(T_STEP_EF - 1);
    assert.equal(c.line.level, PilotLevel.MinusTwelve);
    c.clock.advance(1);
    assert.equal(c.line.level, 5);
    assert.equal(c.pilot.state, "B2");
    c.clock.advance(100);
    assert.equal(c.pilot.state, "B2");
    const wake = c.events.filter((e) => e.event.type === "wake-up");
    assert.deepEqual(wake.map((e) => [e.at - t0, e.event]), [
      [0, { type: "wake-up", phase: "start" }],
      [T_STEP_EF, { type: "wake-up", phase: "end" }],
    ]);
    assert.deepEqual(c.errors(), []);
    const writes = c.line.writes.filter(([t]) => t >= t0);
    assert.deepEqual(writes, [[t0, 0], [t0 + T_STEP_EF, 5]]);
  });

  test("wake-up from C2 switches power off first (reason wake-up); power returns only once C is detected again", () => {
    const c = at("C2");
    c.pilot.wakeUp();
    assert.deepEqual(c.power().at(-1)?.event, { type: "power", allowed: false, reason: "wake-up" });
    c.clock.advance(T_STEP_EF);
    assert.equal(c.pilot.state, "B2", "assumed B at the end of the pulse");
    assert.equal(c.pilot.powerAllowed, false);
    c.clock.advance(100);
    assert.equal(c.pilot.state, "C2");
    assert.equal(c.pilot.powerAllowed, true);
  });

  test("wake-up through E (0 V) when the output can drive it", () => {
    const c = setup({ wakeUpLevel: "E" });
    c.pilot.wakeUp();
    assert.equal(c.line.level, PilotLevel.Zero);
    assert.equal(c.pilot.state, "E");
    c.clock.advance(T_STEP_EF);
    assert.equal(c.line.level, 5);
    assert.deepEqual(c.errors(), []);
  });

  test("wakeUpLevel E with an output that cannot drive 0 V is misuse", () => {
    assert.throws(() => setup({ wakeUpLevel: "E" }, { canZero: false }), (e: unknown) => CpPwmError.is(e, "no-zero-output"));
  });

  test("no wake-up without a vehicle (A)", () => {
    const c = at("A");
    assert.equal(c.pilot.wakeUp(), false);
  });

  test("a fault during the wake-up cancels it; clearFault detects afresh", () => {
    const c = at("B2");
    c.pilot.wakeUp();
    c.clock.advance(1000);
    c.pilot.fault("x");
    c.clock.advance(T_STEP_EF);
    assert.equal(c.pilot.state, "F");
    c.pilot.clearFault();
    c.clock.advance(50);
    assert.equal(c.pilot.state, "B2");
  });
});

describe("ChargerPilot: lifecycle", () => {
  test("close(): power off event, +12 V, output closed, no events after, idempotent, methods throw", () => {
    const c = at("C2");
    c.pilot.close();
    assert.deepEqual(c.power().at(-1)?.event, { type: "power", allowed: false, reason: "evse-not-ready" });
    const n = c.events.length;
    c.pilot.close();
    c.line.vehicle = "B";
    c.clock.advance(1000);
    assert.equal(c.events.length, n);
    assert.equal(c.line.level, PilotLevel.PlusTwelve);
    assert.equal(c.line.outputClosed, true);
    assert.throws(() => c.pilot.setReady(true), (e: unknown) => CpPwmError.is(e, "closed"));
  });

  test("an event handler that changes readiness sees a consistent machine (no stale power event)", () => {
    const clock = new ManualClock();
    const line = new FakeChargerLine(clock);
    line.vehicle = "B";
    const events: ChargerPilotEvent[] = [];
    const pilot: ChargerPilot = new ChargerPilot({
      clock,
      ...line.charger,
      onEvent: (e) => {
        events.push(e);
        if (e.type === "state" && e.state === "C2") pilot.setReady(false);
      },
    });
    clock.advance(50);
    line.vehicle = "C";
    clock.advance(50);
    assert.equal(pilot.state, "C1");
    assert.equal(pilot.powerAllowed, false);
    assert.deepEqual(events.filter((e) => e.type === "power"), []);
  });
});
