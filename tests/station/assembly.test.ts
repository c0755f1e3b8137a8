// The station assembly of modules/station, as the firmware uses it (its default SECC and EVCC
// services on `config` + `hardware`), on simulated hardware only: the pilot line's two ends,
// two modems on a powerline, the virtual IPv6 stack, the simulated power stages and vehicle.
// And the wall clock: what needs the date (EVSETimeStamp, the -20 header TimeStamp) follows
// it, and is left out (or 0) while no trusted time is known; every timer stays monotonic.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/manual-clock";
import type { Millis } from "../../modules/common/clock";
import type { EthernetLink } from "../../modules/common/io";
import { SettableWallClock } from "../../modules/common/wall-clock";
import { decode } from "../../modules/exi/index";
import type { SchemaId } from "../../modules/exi/index";
import { ChargerAssembly, VehicleAssembly, chargerConfig } from "../../modules/station/index";
import type { VehicleOutcome } from "../../modules/station/index";
import { PilotSim } from "../../simulation/cp/pilot-sim";
import { Powerline } from "../../simulation/powerline";
import { virtualHostIp } from "../../simulation/vnet/host-ip";
import { seededRandom } from "../../simulation/random";
import { SimChargerHardware } from "../../simulation/station/charger-station";
import { createStationVehicle, stationVehicleHardware } from "../../simulation/station/vehicle-station";

const EV_MAC = Uint8Array.of(2, 0, 0, 0, 0x0e, 1);
const EVSE_MAC = Uint8Array.of(2, 0, 0, 0, 0x0a, 1);
/** 2026-12-01T12:00:00Z */
const NOW_MS = Date.UTC(2026, 11, 1, 12);

interface Decoded {
  from: "ev" | "evse";
  doc: Record<string, unknown>;
}

/** The V2G message in an IPv6/TCP frame, decoded with the first schema that takes it. */
function v2gOf(frame: Uint8Array, schemas: readonly SchemaId[]): Record<string, unknown> | undefined {
  const ip = 14;
  if (frame.length < ip + 40 || frame[ip + 6] !== 6) return undefined; // IPv6, next header TCP
  const tcp = ip + 40;
  const payload = frame.subarray(tcp + (frame[tcp + 12] >> 4) * 4);
  if (payload.length < 8 || payload[2] !== 0x80) return undefined;
  // V2GTP payload types: 0x8001 EXI (SAP, DIN, ISO-2); ISO 15118-20 0x8002 common, 0x8004 DC.
  const type = payload[3];
  const candidates = type === 0x01 ? schemas : type === 0x02 ? (["iso20-cm"] as const) : type === 0x04 ? (["iso20-dc"] as const) : [];
  for (const schema of candidates) {
    try {
      return decode(schema, payload.subarray(8)) as Record<string, unknown>;
    } catch {
      // not this schema
    }
  }
  return undefined;
}

function plugIn(options: { protocol: "iso2" | "iso20"; chargerWall?: number; vehicleWall?: number }) {
  const clock = new ManualClock();
  const random = seededRandom(11);
  const line = new Powerline({ clock });
  const evseModem = line.addModem({ hostMac: EVSE_MAC, name: "evse" });
  const evModem = line.addModem({ hostMac: EV_MAC, name: "ev" });
  line.setAttenuation(evModem, evseModem, 20);
  const pilotLine = new PilotSim({ clock, plugged: false, period: 10 as Millis });
  const schemas: SchemaId[] = options.protocol === "iso2" ? ["iso2"] : [];
  const messages: Decoded[] = [];
  /** The host's IPv6 stack over the matched link (here the virtual one), recording what it sends. */
  const ip = (from: "ev" | "evse") =>
    virtualHostIp({
      name: `${from}0`,
      clock,
      wrap: (frames): EthernetLink => ({
        get mac() {
          return frames.mac;
        },
        read: () => frames.read(),
        write(frame: Uint8Array) {
          const doc = v2gOf(frame, schemas);
          if (doc) messages.push({ from, doc });
          frames.write(frame);
        },
        close: () => frames.close(),
      }),
    });
  const wall = (at: number | undefined) => {
    const w = new SettableWallClock({ clock });
    if (at !== undefined) w.set(at, "ntp");
    return w;
  };

  const config = chargerConfig(["dc"], [options.protocol], { transport: "none", iso20: { controlModes: ["scheduled"], insecureWithoutTls: true } });
  const hardware = new SimChargerHardware({ clock, config, transfer: ["dc"] });
  const vehicle = createStationVehicle({ clock, battery: { capacityKWh: 5, soc: 70 }, targetSoc: 72 });
  let outcome: VehicleOutcome | undefined;
  const charger = new ChargerAssembly({
    clock,
    wall: wall(options.chargerWall),
    random,
    modem: { io: evseModem.Link, ethertype: 0x88e1 },
    pilot: pilotLine.charger,
    ip: ip("evse"),
    config,
    hardware: hardware.parts,
  });
  const ev = new VehicleAssembly({
    clock,
    wall: wall(options.vehicleWall),
    random,
    modem: { io: evModem.Link, ethertype: 0x88e1 },
    pilot: pilotLine.vehicle,
    ip: ip("ev"),
    hardware: stationVehicleHardware(vehicle, {
      onContactors: (closed) => (closed ? hardware.couple({ dcLoad: vehicle.dcLoad() }) : hardware.uncouple()),
    }),
    service: {
      evccId: EV_MAC,
      protocols: [options.protocol],
      transfer: "dc",
      insecureIso20WithoutTls: true,
      session: options.protocol === "iso20" ? { iso20: { transfer: "dc", controlMode: "scheduled" } } : undefined,
      onEnd: (o) => (outcome = o),
    },
  });
  pilotLine.plug();
  for (let t = 0; t < 900 && outcome === undefined; t++) clock.advance(1000);
  const result = { outcome, messages, charger, ev, hardware, vehicle, pilotLine };
  ev.close();
  charger.close();
  pilotLine.close();
  return result;
}

function body(doc: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const v2g = doc.V2G_Message as { Body?: Record<string, unknown> } | undefined;
  return (v2g?.Body?.[name] ?? doc[name]) as Record<string, unknown> | undefined;
}

describe("the station assembly (modules/station) on simulated hardware", () => {
  test("a charger and a vehicle, each assembled from pilot, SLAC, IPv6, SDP, V2GTP and session, charge to the target and end normally", () => {
    const r = plugIn({ protocol: "iso2" });
    assert.equal(r.outcome?.ok, true, JSON.stringify(r.outcome));
    assert.equal(r.outcome?.protocol, "iso2");
    assert.ok(r.charger.link.linkUp && r.ev.link.linkUp, "SLAC matched on both sides");
    assert.ok(r.vehicle.battery.soc >= 72, `SoC ${r.vehicle.battery.soc}`);
    assert.ok(r.hardware.meter.energyWh > 90, `meter ${r.hardware.meter.energyWh} Wh`);
    assert.ok(r.messages.some((m) => m.from === "evse" && body(m.doc, "CurrentDemandRes")), "the charging loop ran over the assembled link");
  });

  test("given the charger's wall clock set (NTP), then SessionSetupRes carries EVSETimeStamp in Unix seconds", () => {
    const r = plugIn({ protocol: "iso2", chargerWall: NOW_MS });
    const res = r.messages.map((m) => body(m.doc, "SessionSetupRes")).find((x) => x !== undefined);
    assert.ok(res, "SessionSetupRes decoded");
    const stamp = res.EVSETimeStamp as bigint;
    // The session starts a few simulated seconds after plug-in (SLAC, SDP): the date moved on with the monotonic clock.
    assert.ok(stamp > BigInt(NOW_MS / 1000) && stamp < BigInt(NOW_MS / 1000 + 60), `EVSETimeStamp ${stamp}`);
  });

  test("given no trusted time on the charger, then EVSETimeStamp is left out (it is optional) and the session still runs", () => {
    const r = plugIn({ protocol: "iso2" });
    const res = r.messages.map((m) => body(m.doc, "SessionSetupRes")).find((x) => x !== undefined);
    assert.ok(res, "SessionSetupRes decoded");
    assert.equal(res.EVSETimeStamp, undefined);
    assert.equal(r.outcome?.ok, true);
  });

  test("ISO 15118-20: each side's header TimeStamp is its own wall clock's date, and 0 while it has no trusted time", () => {
    const r = plugIn({ protocol: "iso20", chargerWall: NOW_MS, vehicleWall: undefined });
    assert.equal(r.outcome?.ok, true, JSON.stringify(r.outcome));
    const header = (m: Decoded) => (Object.values(m.doc)[0] as { Header?: { TimeStamp: bigint } }).Header;
    const fromEvse = r.messages.filter((m) => m.from === "evse" && header(m) !== undefined);
    const fromEv = r.messages.filter((m) => m.from === "ev" && header(m) !== undefined);
    assert.ok(fromEvse.length > 10 && fromEv.length > 10, `${fromEvse.length} / ${fromEv.length} -20 messages decoded`);
    for (const m of fromEvse) {
      const t = header(m)!.TimeStamp;
      assert.ok(t >= BigInt(NOW_MS / 1000) && t < BigInt(NOW_MS / 1000 + 900), `charger TimeStamp ${t}`);
    }
    for (const m of fromEv) assert.equal(header(m)!.TimeStamp, 0n, "the vehicle knows no date");

    const swapped = plugIn({ protocol: "iso20", vehicleWall: NOW_MS });
    const evStamps = swapped.messages.filter((m) => m.from === "ev" && header(m) !== undefined).map((m) => header(m)!.TimeStamp);
    assert.ok(evStamps.length > 10 && evStamps.every((t) => t >= BigInt(NOW_MS / 1000)), "the vehicle's header follows its wall clock");
  });

  test("a host without an IP stack (the ESP32 today) runs pilot and SLAC, then logs that no session can start", () => {
    const clock = new ManualClock();
    const line = new Powerline({ clock });
    const evseModem = line.addModem({ hostMac: EVSE_MAC, name: "evse" });
    const evModem = line.addModem({ hostMac: EV_MAC, name: "ev" });
    line.setAttenuation(evModem, evseModem, 20);
    const pilotLine = new PilotSim({ clock, plugged: false, period: 10 as Millis });
    const logged: string[] = [];
    const logger = { log: (level: string, _source: string, message: string) => logged.push(`${level} ${message}`) };
    const random = seededRandom(3);
    const charger = new ChargerAssembly({ clock, random, logger, modem: { io: evseModem.Link }, pilot: pilotLine.charger, config: chargerConfig(["dc"], ["iso2"], undefined) });
    const ev = new VehicleAssembly({ clock, random, logger, modem: { io: evModem.Link }, pilot: pilotLine.vehicle });
    pilotLine.plug();
    for (let t = 0; t < 10; t++) clock.advance(1000);
    assert.ok(charger.link.linkUp && ev.link.linkUp);
    assert.equal(charger.service, undefined);
    assert.equal(ev.service, undefined);
    assert.ok(logged.some((l) => /^warn link up, but this host has no IP link yet/.test(l)), logged.join("\n"));
    pilotLine.unplug();
    clock.advance(1000);
    assert.equal(charger.link.linkUp, false, "unplugged: the link is down");
    ev.close();
    charger.close();
    pilotLine.close();
  });
});
