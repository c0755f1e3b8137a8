import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import { VirtualIpStack } from "../../simulation/vnet/stack";
import { ChargerStation } from "../../simulation/station/charger-station";
import { VehicleStation, type VehicleOutcome } from "../../simulation/station/vehicle-station";
import { seededRandom } from "../slac/support/sim";

/** A charger and a vehicle on one wire (no powerline), SDP on ff02::1, TCP on IPv6. */
function wired(protocol: "din" | "iso2", transfer: "dc" | "ac") {
  const clock = new ManualClock({ start: 1_000 });
  let ev!: VirtualIpStack;
  let evse!: VirtualIpStack;
  ev = new VirtualIpStack({ name: "ev0", clock, link: { mac: Uint8Array.of(2, 0, 0, 0, 0xe, 1), write: (f) => evse.receive(f) } });
  evse = new VirtualIpStack({ name: "evse0", clock, link: { mac: Uint8Array.of(2, 0, 0, 0, 0xa, 1), write: (f) => ev.receive(f) } });
  const charger = new ChargerStation({ clock, io: evse, address: evse.address.split("%")[0], interface: "evse0", transfer: [transfer], protocols: [protocol], random: seededRandom(7) });
  const names: string[] = [];
  let outcome: VehicleOutcome | undefined;
  const vehicle = new VehicleStation({
    clock,
    io: ev,
    interface: "ev0",
    transfer,
    protocols: [protocol],
    evccId: ev.mac,
    battery: { capacityKWh: 10, soc: 70 },
    targetSoc: 75,
    onTrace: (e) => {
      if (e.direction === "tx") names.push(e.name);
    },
    onContactors: (closed) => (closed ? charger.couple({ dcLoad: vehicle.vehicle.dcLoad() }) : charger.uncouple()),
    acPowerAvailable: () => charger.ac?.closed ?? false,
    onEnd: (o) => (outcome = o),
  });
  charger.couple({ acDraw: () => vehicle.vehicle.acCurrent() });
  return { clock, charger, vehicle, names, outcome: () => outcome };
}

describe("charger and vehicle stations over IPv6 (SDP, TCP, SAP, session)", () => {
  for (const [protocol, transfer] of [["din", "dc"], ["iso2", "dc"], ["iso2", "ac"]] as const) {
    test(`${protocol} ${transfer}: SDP finds the charger, the session charges to the target SoC and ends normally`, () => {
      const w = wired(protocol, transfer);
      let ended: { reason: string; energyWh: number } | undefined;
      w.charger.start();
      w.vehicle.start();
      const soc0 = w.vehicle.vehicle.battery.soc;
      for (let i = 0; i < 3600 && !w.vehicle.ended; i++) w.clock.advance(1000);
      w.clock.advance(10_000);
      const outcome = w.outcome();
      assert.equal(outcome?.ok, true, JSON.stringify(outcome));
      assert.equal(outcome?.protocol, protocol);
      assert.equal(w.names[0], "supportedAppProtocolReq");
      assert.equal(w.names[w.names.length - 1], "SessionStopReq");
      assert.ok(w.vehicle.vehicle.battery.soc >= 75, `SoC ${soc0} → ${w.vehicle.vehicle.battery.soc}`);
      assert.ok(w.charger.meter.energyWh > 400, `meter ${w.charger.meter.energyWh} Wh`);
      void ended;
      w.charger.close();
    });
  }
});
