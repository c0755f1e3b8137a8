// Issue 18 item 6 on the assembled charger (modules/station ChargerAssembly on simulated
// hardware): while a vehicle is plugged in and charging, a verified firmware update waits and
// a signed configuration change waits; after the vehicle is unplugged both go through. Node and XS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/manual-clock";
import type { Millis } from "../../modules/common/clock";
import { ChargerAssembly, VehicleAssembly, chargerConfig } from "../../modules/station/index";
import type { VehicleOutcome } from "../../modules/station/index";
import { MemoryPkiStorage } from "../../modules/pki-store/storage";
import { ConfigGate, TrustStore, Updater } from "../../modules/ota/index";
import { PowerRail, SimulatedFlash } from "../../simulation/ota/simulated-flash";
import { makeConfigChange } from "../../simulation/ota/pack";
import { PilotSim } from "../../simulation/cp/pilot-sim";
import { Powerline } from "../../simulation/powerline";
import { virtualHostIp } from "../../simulation/vnet/host-ip";
import { seededRandom } from "../../simulation/random";
import { SimChargerHardware } from "../../simulation/station/charger-station";
import { createStationVehicle, stationVehicleHardware } from "../../simulation/station/vehicle-station";
import { BOARD, crypto, image, vendor } from "./support";

const EV_MAC = Uint8Array.of(2, 0, 0, 0, 0x0e, 1);
const EVSE_MAC = Uint8Array.of(2, 0, 0, 0, 0x0a, 1);

test("an update and a configuration change that arrive while a vehicle charges wait until it is unplugged", () => {
  const clock = new ManualClock();
  const random = seededRandom(18);
  const line = new Powerline({ clock });
  const evseModem = line.addModem({ hostMac: EVSE_MAC, name: "evse" });
  const evModem = line.addModem({ hostMac: EV_MAC, name: "ev" });
  line.setAttenuation(evModem, evseModem, 20);
  const pilotLine = new PilotSim({ clock, plugged: false, period: 10 as Millis });
  const ip = (name: string) => virtualHostIp({ name, clock });
  const config = chargerConfig(["dc"], ["iso2"], { transport: "none" });
  const hardware = new SimChargerHardware({ clock, config, transfer: ["dc"] });
  const vehicle = createStationVehicle({ clock, battery: { capacityKWh: 5, soc: 70 }, targetSoc: 71 });
  let outcome: VehicleOutcome | undefined;
  const charger = new ChargerAssembly({ clock, random, modem: { io: evseModem.Link, ethertype: 0x88e1 }, pilot: pilotLine.charger, ip: ip("evse0"), config, hardware: hardware.parts });
  const ev = new VehicleAssembly({
    clock,
    random,
    modem: { io: evModem.Link, ethertype: 0x88e1 },
    pilot: pilotLine.vehicle,
    ip: ip("ev0"),
    hardware: stationVehicleHardware(vehicle, { onContactors: (closed) => (closed ? hardware.couple({ dcLoad: vehicle.dcLoad() }) : hardware.uncouple()) }),
    service: { evccId: EV_MAC, protocols: ["iso2"], transfer: "dc", onEnd: (o) => (outcome = o) },
  });

  // The charger's updater and configuration gate, on the same clock, asking the assembly.
  const rail = new PowerRail();
  const storage = new MemoryPkiStorage();
  const flash = new SimulatedFlash({ slotSize: 16_384, modSize: 8_192, rail, firmware: new Uint8Array(100) });
  flash.powerOn();
  const trust = new TrustStore({ crypto, storage, anchor: [vendor.publicKey] });
  const activity = { sessionActive: () => charger.sessionActive };
  const updater = new Updater({ board: BOARD, trust, storage, flash, boot: flash, clock, activity, firmwareVersion: 1 });
  const applied: number[] = [];
  const gate = new ConfigGate({ board: BOARD, trust, storage, clock, activity, apply: (p) => applied.push(p.length) });
  updater.boot();

  assert.equal(charger.sessionActive, false, "nobody plugged in");
  pilotLine.plug();
  for (let t = 0; t < 60 && charger.service?.connection === undefined; t++) clock.advance(500);
  assert.equal(charger.sessionActive, true, "a V2G session runs");
  assert.equal(updater.receive(image("firmware", 2)).status, "deferred");
  assert.equal(gate.offer(makeConfigChange(1, BOARD, Uint8Array.of(0x61, 0x3d, 0x31), vendor)).status, "deferred");
  for (let t = 0; t < 900 && outcome === undefined; t++) clock.advance(1000);
  assert.equal(outcome?.ok, true, "the session charged to its end undisturbed");
  assert.equal(flash.restartRequested, undefined, "no restart during the session");
  assert.deepEqual(applied, []);
  pilotLine.unplug();
  clock.advance(31_000);
  assert.equal(charger.sessionActive, false);
  assert.equal(flash.restartRequested, "restart", "activated once the vehicle left");
  assert.deepEqual(applied, [3]);
  updater.close();
  gate.close();
  ev.close();
  charger.close();
  pilotLine.close();
});
