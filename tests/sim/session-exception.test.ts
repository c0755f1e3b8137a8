import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import { VirtualIpStack } from "../../simulation/vnet/stack";
import { ChargerStation, type ChargerSessionSummary } from "../../simulation/station/charger-station";
import { VehicleStation, type VehicleOutcome } from "../../simulation/station/vehicle-station";
import { seededRandom } from "../slac/support/sim";

/** One charging point: a charger and its cable's IP link (no powerline), on a shared clock. */
function chargingPoint(clock: ManualClock, n: number) {
  const logs: string[] = [];
  const ends: ChargerSessionSummary[] = [];
  let ev!: VirtualIpStack;
  let evse!: VirtualIpStack;
  ev = new VirtualIpStack({ name: `ev${n}`, clock, link: { mac: Uint8Array.of(2, 0, 0, 0, 0xe, n), write: (f) => evse.receive(f) } });
  evse = new VirtualIpStack({ name: `evse${n}`, clock, link: { mac: Uint8Array.of(2, 0, 0, 0, 0xa, n), write: (f) => ev.receive(f) } });
  const charger = new ChargerStation({
    clock,
    io: evse,
    address: evse.address.split("%")[0],
    interface: `evse${n}`,
    protocols: ["iso2"],
    random: seededRandom(n),
    logger: { log: (level, source, message) => level !== "debug" && level !== "trace" && logs.push(`${source}: ${message}`) },
    onSessionEnd: (s) => ends.push(s),
  });
  charger.start();
  /** A vehicle plugs in and runs one session; returns its outcome once over. */
  const plugIn = (): (() => VehicleOutcome | undefined) => {
    let outcome: VehicleOutcome | undefined;
    const vehicle: VehicleStation = new VehicleStation({
      clock,
      io: ev,
      interface: `ev${n}`,
      protocols: ["iso2"],
      evccId: ev.mac,
      battery: { capacityKWh: 10, soc: 70 },
      targetSoc: 72,
      onContactors: (closed) => (closed ? charger.couple({ dcLoad: vehicle.vehicle.dcLoad() }) : charger.uncouple()),
      onEnd: (o) => (outcome = o),
    });
    vehicle.start();
    return () => outcome;
  };
  return { charger, logs, ends, plugIn };
}

function runUntil(clock: ManualClock, done: () => boolean, limitMs = 600_000): void {
  for (let t = 0; t < limitMs && !done(); t += 1000) clock.advance(1000);
  clock.advance(5000); // teardown after the end
}

describe("per-session exception boundary: a throw in one session's code ends that session only", () => {
  test("the power stage throws at CableCheck: logged, that session ends (FAILED, internal-error), the next vehicle charges", () => {
    const clock = new ManualClock({ start: 1000 });
    const point = chargingPoint(clock, 1);
    const dc = point.charger.dc!;
    const original = dc.startIsolationCheck.bind(dc);
    let throws = 1;
    dc.startIsolationCheck = (voltage: number) => {
      if (throws-- > 0) throw new Error("isolation monitor not responding (I2C NACK)");
      original(voltage);
    };
    const first = point.plugIn();
    runUntil(clock, () => first() !== undefined);
    assert.equal(first()?.ok, false);
    assert.equal(first()?.reason, "response-code", JSON.stringify(first()));
    assert.match(first()?.detail ?? "", /CableCheckRes: FAILED/);
    assert.ok(point.logs.some((l) => /^secc: charger callback startCableCheck failed: isolation monitor not responding \(I2C NACK\); this session ends/.test(l)), point.logs.join("\n"));
    assert.equal(point.ends[0]?.reason, "internal-error");
    assert.equal(point.charger.connection, undefined, "no session left live");
    assert.equal(dc.presentCurrent, 0);

    const second = point.plugIn();
    runUntil(clock, () => second() !== undefined);
    assert.equal(second()?.ok, true, JSON.stringify(second()));
    assert.equal(second()?.reason, "charging-complete");
    assert.equal(point.ends[1]?.reason, "ev-terminate");
    point.charger.close();
  });

  test("the meter throws in the charging loop: that session ends, the other charging point on the same clock charges on undisturbed", () => {
    const clock = new ManualClock({ start: 1000 });
    const faulty = chargingPoint(clock, 1);
    const healthy = chargingPoint(clock, 2);
    const meter = faulty.charger.meter;
    const read = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(meter), "energyWh")!.get!;
    let broken = false;
    Object.defineProperty(meter, "energyWh", { configurable: true, get: () => (broken ? (() => { throw new Error("meter bus timeout"); })() : read.call(meter)) });
    const a = faulty.plugIn();
    const b = healthy.plugIn();
    // Break the meter once power flows at the faulty point.
    for (let t = 0; t < 60_000 && !(faulty.charger.dc!.presentCurrent > 1); t += 100) clock.advance(100);
    assert.ok(faulty.charger.dc!.presentCurrent > 1, "charging at the faulty point");
    broken = true;
    runUntil(clock, () => a() !== undefined && b() !== undefined);
    assert.equal(a()?.ok, false, JSON.stringify(a()));
    assert.ok(faulty.logs.some((l) => /^secc: exception in a request: meter bus timeout; this session ends/.test(l)), faulty.logs.join("\n"));
    assert.ok(faulty.logs.some((l) => /^secc: session stopped: internal-error/.test(l)));
    // The station's summary reads the broken meter too: logged, not thrown into the socket's callback.
    assert.ok(faulty.logs.some((l) => /^secc: connection 1: the host's end-of-connection handler failed: meter bus timeout/.test(l)), faulty.logs.join("\n"));
    assert.equal(faulty.charger.connection, undefined);
    assert.equal(faulty.charger.dc!.presentCurrent, 0, "the faulty point's output is off");
    assert.equal(b()?.ok, true, JSON.stringify(b()));
    assert.equal(b()?.reason, "charging-complete");
    assert.deepEqual(healthy.logs.filter((l) => /exception|failed/.test(l)), []);
    faulty.charger.close();
    healthy.charger.close();
  });
});
