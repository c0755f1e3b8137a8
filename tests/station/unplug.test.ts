// The vehicle notices an unplug (modules/station VehicleDataLink, modules/cp-pwm VehiclePilot's
// proximity input): on the simulated pilot line, powerline, IPv6 stack, power stages and vehicle.
//  - With a proximity (PP) input, PP opening ends the vehicle's link, its session and SLAC at once.
//  - Without one, the vehicle's pilot reads 0 V (state E: no +12 V from the charger) after an
//    unplug; held longer than UNPLUGGED_AFTER_E it counts as unplugged.
//  - A charger's wake-up (B → E for T_step_EF → B, ISO 15118-3) passes through 0 V and ends nothing.
//  - A second plug-in after an unplug starts a fresh SLAC and session.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/manual-clock";
import type { Millis } from "../../modules/common/clock";
import { T_STEP_EF } from "../../modules/cp-pwm/index";
import { ChargerAssembly, UNPLUGGED_AFTER_E, VehicleAssembly, VehicleDataLink, cableLimitedBms, chargerConfig } from "../../modules/station/index";
import type { ProximityInput, ProximityInputOptions } from "../../modules/cp-pwm/index";
import { FakeVehicleLine } from "../cp-pwm/support/fake-line";
import type { VehicleOutcome } from "../../modules/station/index";
import type { EvNeeds } from "../../modules/statemachine/charger-interfaces";
import { PilotSim } from "../../simulation/cp/pilot-sim";
import { Powerline } from "../../simulation/powerline";
import { virtualHostIp } from "../../simulation/vnet/host-ip";
import { seededRandom } from "../../simulation/random";
import { SimChargerHardware } from "../../simulation/station/charger-station";
import { createStationVehicle, stationVehicleHardware } from "../../simulation/station/vehicle-station";

const EV_MAC = Uint8Array.of(2, 0, 0, 0, 0x0e, 1);
const EVSE_MAC = Uint8Array.of(2, 0, 0, 0, 0x0a, 1);

/** A charger and a vehicle, both assembled as on a board; the vehicle with or without PP. */
function station(options: { proximity: boolean; wakeUpLevel?: "E" | "F"; transfer?: "dc" | "ac"; cableOhms?: number }) {
  const clock = new ManualClock();
  const random = seededRandom(7);
  const line = new Powerline({ clock });
  const evseModem = line.addModem({ hostMac: EVSE_MAC, name: "evse" });
  const evModem = line.addModem({ hostMac: EV_MAC, name: "ev" });
  line.setAttenuation(evModem, evseModem, 20);
  const pilotLine = new PilotSim({ clock, plugged: false, period: 10 as Millis, cableOhms: options.cableOhms });
  const logged: string[] = [];
  const logger = { log: (level: string, source: string, message: string) => logged.push(`${level} ${source}: ${message}`) };
  const transfer = options.transfer ?? "dc";
  const config = chargerConfig([transfer], ["iso2"], { transport: "none" });
  // What the EV asks for (ChargeParameterDiscoveryReq), as the charger's energy manager hears it.
  const evNeeds: EvNeeds[] = [];
  const hardware = new SimChargerHardware({ clock, config, transfer: [transfer], energyManager: { evNeeds: (n) => evNeeds.push(n) } });
  // A big battery far from its target: the session is still charging when the cable is pulled.
  const vehicle = createStationVehicle({ clock, battery: { capacityKWh: 60, soc: 30 }, targetSoc: 90, acPowerAvailable: () => hardware.ac?.closed ?? false });
  if (transfer === "ac") hardware.couple({ acDraw: () => vehicle.acCurrent() });
  const outcomes: { at: number; outcome: VehicleOutcome }[] = [];
  const linkDowns: { at: number; reason: string }[] = [];
  let slacStarts = 0;
  const { input, s2, proximity } = pilotLine.vehicle;
  const charger = new ChargerAssembly({
    clock,
    random,
    modem: { io: evseModem.Link, ethertype: 0x88e1 },
    pilot: pilotLine.charger,
    wakeUpLevel: options.wakeUpLevel,
    ip: virtualHostIp({ name: "evse0", clock }),
    config,
    hardware: hardware.parts,
  });
  const ev = new VehicleAssembly({
    clock,
    random,
    logger,
    modem: { io: evModem.Link, ethertype: 0x88e1 },
    pilot: options.proximity ? { input, s2, proximity } : { input, s2 },
    ip: virtualHostIp({ name: "ev0", clock }),
    hardware: stationVehicleHardware(vehicle, {
      onContactors: (closed) => (closed ? hardware.couple({ dcLoad: vehicle.dcLoad() }) : hardware.uncouple()),
    }),
    service: { evccId: EV_MAC, protocols: ["iso2"], transfer, onEnd: (outcome) => outcomes.push({ at: clock.now(), outcome }) },
    onSlacStarted: () => slacStarts++,
    onLinkDown: (reason) => linkDowns.push({ at: clock.now(), reason }),
  });
  return {
    clock,
    pilotLine,
    charger,
    ev,
    hardware,
    vehicle,
    outcomes,
    linkDowns,
    evNeeds,
    logged,
    get slacStarts() {
      return slacStarts;
    },
    /** Plug in and run until energy flows (the charging loop of a V2G session). */
    plugAndCharge(): void {
      pilotLine.plug();
      const energy = hardware.meter.energyWh;
      for (let t = 0; t < 120 && !(hardware.meter.energyWh > energy + 1); t++) clock.advance(500);
      assert.ok(hardware.meter.energyWh > energy + 1, `energy flows (${hardware.meter.energyWh} Wh)`);
      assert.ok(ev.link.linkUp && ev.service?.connection !== undefined, "the vehicle's link and session are up");
    },
    close(): void {
      ev.close();
      charger.close();
      pilotLine.close();
    },
  };
}

describe("the vehicle notices an unplug", () => {
  test("with a proximity input: PP opens and the vehicle's link, session and SLAC end at once, with a log line saying why", () => {
    const s = station({ proximity: true });
    s.plugAndCharge();
    const at = s.clock.now();
    s.pilotLine.unplug();
    s.clock.advance(100);
    assert.equal(s.ev.link.linkUp, false, "the link ended within 100 ms");
    assert.equal(s.ev.service, undefined, "the session stopped");
    assert.equal(s.ev.link.slac.state, "idle", "SLAC stopped");
    assert.deepEqual(s.linkDowns.map((d) => d.reason), ["unplugged"]);
    assert.ok(s.linkDowns[0].at - at <= 100);
    assert.deepEqual(s.outcomes.map((o) => [o.outcome.reason, o.outcome.ok]), [["link-down", false]], "the session ended as the link did");
    assert.equal(s.vehicle.contactorsClosed, false, "contactors open");
    assert.equal(s.ev.link.pilot.s2Closed, false, "S2 open");
    assert.ok(s.logged.some((l) => /proximity \(PP\) open/.test(l)), s.logged.join("\n"));
    s.close();
  });

  test("without a proximity input: 0 V on the pilot for longer than UNPLUGGED_AFTER_E ends the link, and not before", () => {
    assert.ok(UNPLUGGED_AFTER_E > T_STEP_EF, "longer than the charger's E/F step");
    const s = station({ proximity: false });
    s.plugAndCharge();
    const at = s.clock.now();
    s.pilotLine.unplug();
    s.clock.advance(UNPLUGGED_AFTER_E - 200);
    assert.equal(s.ev.link.linkUp, true, "still up just before the timeout (the charger's wake-up looks the same)");
    s.clock.advance(400);
    assert.equal(s.ev.link.linkUp, false, "ended after the timeout");
    assert.equal(s.ev.service, undefined);
    assert.deepEqual(s.linkDowns.map((d) => d.reason), ["unplugged"]);
    const took = s.linkDowns[0].at - at;
    assert.ok(took >= UNPLUGGED_AFTER_E && took <= UNPLUGGED_AFTER_E + 200, `${took} ms`);
    assert.ok(s.logged.some((l) => /pilot at 0 V \(state E\) for \d+ s.*unplugged/.test(l)), s.logged.join("\n"));
    s.close();
  });

  for (const proximity of [false, true]) {
    test(`a charger's wake-up (B → E for T_step_EF → B) ends neither the link nor the session (${proximity ? "with" : "without"} PP)`, () => {
      const s = station({ proximity, wakeUpLevel: "E" });
      s.plugAndCharge();
      const states: string[] = [];
      const seen = s.ev.link.pilot;
      assert.equal(s.charger.link.pilot.wakeUp(), true, "the charger starts its wake-up");
      for (let t = 0; t < 60; t++) {
        s.clock.advance(100);
        if (states.at(-1) !== seen.state) states.push(String(seen.state));
      }
      assert.ok(states.indexOf("E") >= 0, `the vehicle saw 0 V: ${states.join(" → ")}`);
      assert.equal(s.ev.link.linkUp, true, "the link stays");
      assert.ok(s.ev.service !== undefined, "the service stays");
      assert.deepEqual(s.linkDowns, []);
      s.clock.advance(UNPLUGGED_AFTER_E);
      assert.deepEqual(s.linkDowns, [], "and no late timer fires once B is back");
      s.close();
    });
  }

  for (const proximity of [true, false]) {
    test(`a second plug-in after an unplug starts a fresh SLAC and session, with no immediate link-down (${proximity ? "with" : "without"} PP)`, () => {
      const s = station({ proximity });
      s.plugAndCharge();
      s.pilotLine.unplug();
      s.clock.advance(UNPLUGGED_AFTER_E + 1000);
      assert.equal(s.ev.link.linkUp, false);
      const endedBefore = s.outcomes.length;
      const slacBefore = s.slacStarts;
      const plugAt = s.clock.now();
      s.plugAndCharge();
      assert.equal(s.slacStarts, slacBefore + 1, "a fresh SLAC");
      assert.equal(s.outcomes.length, endedBefore, `no session ended since the plug-in: ${JSON.stringify(s.outcomes.slice(endedBefore))}`);
      assert.deepEqual(s.linkDowns.filter((d) => d.at >= plugAt), [], "no link-down since the plug-in");
      // And that second session ends normally when the driver stops it.
      s.ev.service!.stop();
      for (let t = 0; t < 60 && s.outcomes.length === endedBefore; t++) s.clock.advance(500);
      assert.equal(s.outcomes.length, endedBefore + 1);
      assert.equal(s.outcomes.at(-1)!.outcome.ok, true, JSON.stringify(s.outcomes.at(-1)!.outcome));
      s.close();
    });
  }

  test("without PP, a re-plug within UNPLUGGED_AFTER_E reads like a wake-up: the old link ends once SLAC has lost it (T_conn_resume), and the second session charges", () => {
    const s = station({ proximity: false });
    s.plugAndCharge();
    s.pilotLine.unplug();
    s.clock.advance(UNPLUGGED_AFTER_E / 2);
    const plugAt = s.clock.now();
    const energy = s.hardware.meter.energyWh;
    s.pilotLine.plug();
    for (let t = 0; t < 60 && !(s.hardware.meter.energyWh > energy + 1); t++) s.clock.advance(500);
    assert.deepEqual(s.linkDowns.map((d) => d.reason), ["slac-link-lost"], "the old link ended when SLAC gave it up");
    assert.ok(s.hardware.meter.energyWh > energy + 1, "the second session charges");
    assert.ok(s.ev.link.linkUp && s.ev.service?.connection !== undefined);
    assert.ok(s.clock.now() - plugAt < 20_000, `${s.clock.now() - plugAt} ms from the re-plug to energy`);
    s.close();
  });

  test("AC: the cable's coded current (PP resistor, IEC 61851-1 Annex B) caps the EV's maximum current: 1.5 kΩ codes 13 A", () => {
    const s = station({ proximity: true, transfer: "ac", cableOhms: 1500 });
    s.plugAndCharge();
    assert.equal(s.ev.link.cableCurrent, 13);
    assert.equal(s.ev.link.pilot.cableCurrent, 13);
    assert.deepEqual(s.evNeeds.map((n) => n.maxCurrent), [13], "EVMaxCurrent: the cable's 13 A, not the on-board charger's 16 A");
    s.close();
    // A 32 A cable (220 Ω) leaves the on-board charger's 16 A; without PP there is no cap either.
    for (const other of [station({ proximity: true, transfer: "ac", cableOhms: 220 }), station({ proximity: false, transfer: "ac", cableOhms: 1500 })]) {
      other.plugAndCharge();
      assert.deepEqual(other.evNeeds.map((n) => n.maxCurrent), [16]);
      assert.equal(other.ev.link.cableCurrent, other.ev.link.pilot.hasProximity ? 32 : undefined);
      other.close();
    }
  });

  test("cableLimitedBms: only the AC maximum current is capped; every other member, optional ones too, is the BMS's own", () => {
    const clock = new ManualClock();
    const vehicle = createStationVehicle({ clock });
    let cap: number | undefined = 13;
    const capped = cableLimitedBms(vehicle, () => cap);
    const own = vehicle.acLimits();
    assert.ok(own.maxCurrent > 13);
    assert.deepEqual(capped.acLimits(), { maxVoltage: own.maxVoltage, maxCurrent: 13, minCurrent: own.minCurrent });
    cap = undefined;
    assert.deepEqual(capped.acLimits(), own, "no coding: no cap");
    assert.equal(capped.soc(), vehicle.soc(), "methods run on the BMS itself (its private fields)");
    assert.deepEqual(capped.dcLimits(), vehicle.dcLimits());
    assert.equal("dischargeLimits" in capped, "dischargeLimits" in vehicle, "optional members present exactly when the BMS has them");
    assert.equal(capped.soc, capped.soc, "a method is bound once");
  });

  test("with PP, SLAC waits for the plug: 5 % on the pilot before the PP contact confirms starts nothing; the PP's plug-in then starts SLAC", () => {
    const clock = new ManualClock();
    const line = new FakeVehicleLine(clock, { period: 10 });
    line.duty = 5;
    const pp = { ohms: Number.POSITIVE_INFINITY, onReadable: undefined as ((count: number) => void) | undefined };
    class StandInPp implements ProximityInput {
      #fresh = false;
      constructor(options: ProximityInputOptions) {
        pp.onReadable = () => {
          this.#fresh = true;
          options.onReadable?.(1);
        };
      }
      read(): number | undefined {
        if (!this.#fresh) return undefined;
        this.#fresh = false;
        return pp.ohms;
      }
      close(): void {}
    }
    const powerline = new Powerline({ clock });
    const modem = powerline.addModem({ hostMac: EV_MAC, name: "ev" });
    let started = 0;
    const link = new VehicleDataLink({ clock, random: seededRandom(1), modem: { io: modem.Link }, pilot: { ...line.vehicle, proximity: { io: StandInPp } }, onSlacStarted: () => started++ });
    for (let i = 0; i < 3; i++) pp.onReadable?.(1);
    clock.advance(100);
    assert.equal(link.pilot.digital, true, "the pilot reads 5 %");
    assert.equal(link.pilot.plugged, false);
    assert.equal(started, 0, "no SLAC while PP says no plug");
    pp.ohms = 220;
    for (let i = 0; i < 3; i++) pp.onReadable?.(1);
    assert.equal(started, 1, "SLAC starts with the plug");
    assert.equal(link.cableCurrent, 32);
    link.close();
  });
});
