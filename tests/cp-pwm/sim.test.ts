// @node-only — the simulated pilot line (simulation/cp): the resistor/diode network, faults,
// noise, and a charger and a vehicle state machine wired together on one clock.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import {
  PilotDetector,
  PilotLevel,
  T_FORCED_POWER_OFF,
  T_STEP_EF,
  type ChargerPilotEvent,
  type PilotSample,
  type VehiclePilotEvent,
} from "../../modules/cp-pwm/index";
import { PILOT_NETWORK, PilotSim, createPilotPair, type PilotPairOptions } from "../../simulation/cp/index";

function pair(options?: Omit<PilotPairOptions, "clock">) {
  const clock = new ManualClock();
  const chargerEvents: { at: number; event: ChargerPilotEvent }[] = [];
  const vehicleEvents: { at: number; event: VehiclePilotEvent }[] = [];
  const p = createPilotPair({
    clock,
    ...options,
    charger: { ...options?.charger, onEvent: (event) => chargerEvents.push({ at: clock.now(), event }) },
    vehicle: { ...options?.vehicle, onEvent: (event) => vehicleEvents.push({ at: clock.now(), event }) },
  });
  clock.advance(100);
  const power = (since = 0) => chargerEvents.filter((e) => e.at >= since && e.event.type === "power");
  return { clock, ...p, chargerEvents, vehicleEvents, power };
}

/** Read one sample from a raw input of the sim. */
function probe(sim: PilotSim, clock: ManualClock, side: "charger" | "vehicle"): PilotSample {
  let got: PilotSample | undefined;
  const input: { read(): PilotSample | undefined; close(): void } = new sim[side].input.io({
    onReadable: () => {
      const s = input.read();
      if (s) got = { ...s };
    },
  });
  clock.advance(5);
  input.close();
  assert.ok(got, "a sample arrived");
  return got;
}

describe("PilotSim: the network of IEC 61851-1 Figure A.1", () => {
  test("R2 ∥ R3 is 882 Ω for C and 246 Ω for D", () => {
    const n = PILOT_NETWORK;
    assert.equal(Math.round((n.r2 * n.r3C) / (n.r2 + n.r3C)), 882);
    assert.equal(Math.round((n.r2 * n.r3D) / (n.r2 + n.r3D)), 246);
  });

  test("plateaus: A 12 V, B ≈ 9 V, C ≈ 6 V, D ≈ 3 V (±1 V of Table A.4), −12 V below with the diode", () => {
    const clock = new ManualClock();
    const sim = new PilotSim({ clock, plugged: false });
    const out = new sim.charger.output.io({});
    out.write(50);
    assert.deepEqual(sim.plateaus, { high: 12, low: -12 });
    sim.plug();
    assert.ok(Math.abs(sim.plateaus.high - 9) < 0.1, `${sim.plateaus.high}`);
    sim.forceS2(true);
    assert.ok(Math.abs(sim.plateaus.high - 6) < 0.1, `${sim.plateaus.high}`);
    assert.equal(sim.plateaus.low, -12);
    sim.plug({ ventilation: true });
    assert.ok(Math.abs(sim.plateaus.high - 3) < 0.1, `${sim.plateaus.high}`);
  });

  test("faults: missing diode lifts the negative plateau; a short gives 0 V; constant levels have one plateau", () => {
    const clock = new ManualClock();
    const sim = new PilotSim({ clock });
    const out = new sim.charger.output.io({});
    out.write(5);
    sim.setFault("diode-missing");
    assert.ok(Math.abs(sim.plateaus.low - -8.79) < 0.05, `${sim.plateaus.low}`);
    sim.setFault("short-circuit");
    assert.deepEqual(sim.plateaus, { high: 0, low: 0 });
    sim.setFault(undefined);
    out.write(PilotLevel.PlusTwelve);
    assert.ok(Number.isNaN(sim.plateaus.low));
    out.write(PilotLevel.MinusTwelve);
    assert.ok(Number.isNaN(sim.plateaus.high));
    assert.equal(sim.plateaus.low, -12);
    out.write(PilotLevel.Zero);
    assert.equal(sim.plateaus.high, 0);
    assert.throws(() => out.write(101));
  });

  test("an unplugged vehicle sees no pilot voltage (E) and no PWM", () => {
    const clock = new ManualClock();
    const sim = new PilotSim({ clock, plugged: false });
    new sim.charger.output.io({}).write(5);
    const s = probe(sim, clock, "vehicle");
    assert.equal(s.high, 0);
    assert.equal(s.duty, 0);
    assert.equal(new PilotDetector({ debounce: 1 }).feed(s.high, s.low), "E");
  });

  test("noise is reproducible from the seed", () => {
    const ca = new ManualClock();
    const sa = new PilotSim({ clock: ca, noise: 0.5, seed: 7 });
    const cb = new ManualClock();
    const sb = new PilotSim({ clock: cb, noise: 0.5, seed: 7 });
    const first = probe(sa, ca, "charger");
    assert.deepEqual(first, probe(sb, cb, "charger"));
    assert.notEqual(first.high, 12, "noise applied");
  });
});

describe("PilotSim with a ChargerPilot and a VehiclePilot", () => {
  test("basic charging at 32 A: 53.3 %, the vehicle reads 31.98 A, closes S2, C2, power; stop: off within 100 ms", () => {
    const p = pair({ charger: { mode: "nominal", maxCurrent: 32 } });
    assert.equal(p.charger.state, "B2");
    assert.equal(p.vehicle.state, "B2");
    assert.equal(p.vehicle.current, 31.98);
    p.vehicle.setReady(true);
    p.clock.advance(100);
    assert.equal(p.charger.state, "C2");
    assert.equal(p.vehicle.state, "C2");
    assert.equal(p.charger.powerAllowed, true);
    const t0 = p.clock.now();
    p.vehicle.setReady(false);
    p.clock.advance(200);
    const off = p.power(t0)[0];
    assert.equal((off.event as { reason: string }).reason, "vehicle-stopped");
    assert.ok(off.at - t0 <= 100, `${off.at - t0} ms`);
    p.close();
  });

  test("HLC: 5 %, the vehicle reads digital; the session layer readies it; fallback to nominal keeps charging", () => {
    const p = pair({ charger: { mode: "hlc", maxCurrent: 16 } });
    assert.equal(p.vehicle.digital, true);
    assert.equal(p.vehicle.s2Closed, false);
    p.vehicle.setReady(true);
    p.clock.advance(100);
    assert.equal(p.charger.state, "C2");
    p.charger.setMode("nominal");
    p.clock.advance(100);
    assert.equal(p.vehicle.current, 15.96);
    assert.equal(p.charger.state, "C2");
    p.close();
  });

  test("noise (±0.8 V), edge glitches (5 %) and duty jitter (±0.3 %) for 60 s of charging: no event at all", () => {
    const p = pair({
      sim: { noise: 0.8, glitch: 0.05, dutyJitter: 0.3, seed: 42 },
      charger: { mode: "nominal", maxCurrent: 32 },
      vehicle: { ready: true },
    });
    p.clock.advance(500);
    assert.equal(p.charger.state, "C2");
    const c = p.chargerEvents.length;
    const v = p.vehicleEvents.length;
    p.clock.advance(60_000);
    assert.equal(p.chargerEvents.length, c);
    assert.equal(p.vehicleEvents.length, v);
    assert.ok(Math.abs(p.vehicle.current - 31.98) < 0.2);
    p.close();
  });

  test("unplug under load: charger A and power off within 100 ms; the vehicle sees E", () => {
    const p = pair({ charger: { mode: "nominal", maxCurrent: 32 }, vehicle: { ready: true } });
    p.clock.advance(100);
    assert.equal(p.charger.powerAllowed, true);
    const t0 = p.clock.now();
    p.sim.unplug();
    p.clock.advance(200);
    const off = p.power(t0)[0];
    assert.deepEqual(off.event, { type: "power", allowed: false, reason: "unplugged" });
    assert.ok(off.at - t0 <= 100);
    assert.equal(p.charger.state, "A");
    assert.equal(p.vehicle.state, "E");
    assert.equal(p.sim.output, PilotLevel.PlusTwelve);
    assert.equal(p.vehicle.plugged, false, "the vehicle's PP opened with the unplug");
    assert.equal(p.vehicle.s2Closed, false);
    p.sim.plug({ cableOhms: 1500 });
    p.clock.advance(100);
    assert.equal(p.vehicle.plugged, true);
    assert.equal(p.vehicle.cableCurrent, 13, "another cable: 1.5 kΩ codes 13 A (IEC 61851-1 Annex B)");
    p.close();
  });

  test("a short circuit: both sides E, power off, error; removed: charging resumes", () => {
    const p = pair({ charger: { mode: "nominal", maxCurrent: 32 }, vehicle: { ready: true } });
    p.clock.advance(100);
    assert.equal(p.vehicle.plugged, true);
    assert.equal(p.vehicle.cableCurrent, 32, "the simulated cable: 220 Ω, 32 A");
    p.sim.setFault("short-circuit");
    p.clock.advance(100);
    assert.equal(p.vehicle.plugged, true, "0 V on the pilot, but the plug is in");
    assert.equal(p.charger.state, "E");
    assert.equal(p.charger.error, "short-circuit");
    assert.equal(p.charger.powerAllowed, false);
    assert.equal(p.vehicle.state, "E");
    p.sim.setFault(undefined);
    p.clock.advance(200);
    assert.equal(p.charger.state, "C2");
    assert.equal(p.charger.powerAllowed, true);
    p.close();
  });

  test("a missing diode: error diode-missing, no power while the vehicle is in C", () => {
    const p = pair({ sim: { noise: 0.3, seed: 3 }, charger: { mode: "nominal", maxCurrent: 32 }, vehicle: { ready: true } });
    p.clock.advance(100);
    p.sim.setFault("diode-missing");
    p.clock.advance(100);
    assert.equal(p.charger.error, "diode-missing");
    assert.equal(p.charger.powerAllowed, false);
    p.close();
  });

  test("a vehicle that ignores the PWM stop (S2 stuck closed): forced power off 6 s after the PWM stopped", () => {
    const p = pair({ charger: { mode: "nominal", maxCurrent: 32 }, vehicle: { ready: true } });
    p.clock.advance(100);
    p.sim.forceS2(true);
    const t0 = p.clock.now();
    p.charger.setReady(false);
    p.clock.advance(T_FORCED_POWER_OFF - 1);
    assert.equal(p.charger.powerAllowed, true);
    assert.equal(p.charger.state, "C1");
    p.clock.advance(1);
    assert.equal(p.charger.powerAllowed, false);
    assert.equal(p.power(t0)[0].at - t0, T_FORCED_POWER_OFF);
    p.close();
  });

  test("a well-behaved vehicle opens S2 when the PWM stops: off within 100 ms of its C → B", () => {
    const p = pair({ charger: { mode: "nominal", maxCurrent: 32 }, vehicle: { ready: true } });
    p.clock.advance(100);
    p.charger.setReady(false);
    p.clock.advance(200);
    assert.equal(p.vehicle.s2Closed, false);
    assert.equal(p.charger.state, "B1");
    const off = p.power()[0];
    const s2Open = p.vehicleEvents.find((e) => e.event.type === "s2" && !e.event.closed)!;
    assert.ok(off.at - s2Open.at <= 100, `${off.at - s2Open.at} ms`);
    p.close();
  });

  test("ISO 15118-3 wake-up: the vehicle sees F for T_step_EF, then B2 with 5 % again", () => {
    const p = pair({ charger: { mode: "hlc" } });
    const t0 = p.clock.now();
    p.charger.wakeUp();
    p.clock.advance(T_STEP_EF + 200);
    const states = p.vehicleEvents.filter((e) => e.at >= t0 && e.event.type === "state").map((e) => [e.at - t0, (e.event as { state: string }).state]);
    assert.deepEqual(states.map(([, s]) => s), ["F", "B2"]);
    const [fAt, bAt] = states.map(([t]) => t as number);
    assert.ok(bAt - fAt >= T_STEP_EF - 20 && bAt - fAt <= T_STEP_EF + 20, `${bAt - fAt} ms in F`);
    assert.equal(p.vehicle.digital, true);
    p.close();
  });

  test("a ventilation vehicle (D, 246 Ω) with a ventilated charger: D2 and power", () => {
    const p = pair({ sim: { ventilation: true }, charger: { mode: "nominal", maxCurrent: 32, ventilation: true }, vehicle: { ready: true } });
    p.clock.advance(100);
    assert.equal(p.charger.state, "D2");
    assert.equal(p.vehicle.state, "D2");
    assert.equal(p.charger.powerAllowed, true);
    p.close();
  });

  test("close() stops the line's timer", () => {
    const p = pair();
    p.close();
    assert.equal(p.clock.pending, 0);
  });
});
