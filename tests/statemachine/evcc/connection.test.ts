import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, MemoryLogger } from "../../../modules/common/index";
import { decode, encode } from "../../../modules/exi/index";
import { EvccConnection } from "../../../modules/statemachine/evcc/index";
import type { EnergyTransferMode, EvccConnectionOutcome, EvccSchema, EvccTraceEntry, V2gMessageDoc } from "../../../modules/statemachine/evcc/index";
import { V2gtpConnection, negotiate } from "../../../modules/v2gtp/index";
import type { OfferedProtocol } from "../../../modules/v2gtp/index";
import { SimVehicle } from "../../../simulation/vehicle/index";
import { streamPair } from "./memory-link";
import { ScriptedSecc } from "./scripted-secc";
import type { Override } from "./scripted-secc";
import { collapse } from "./harness";

interface Wired {
  clock: ManualClock;
  conn: EvccConnection;
  vehicle: SimVehicle;
  trace: EvccTraceEntry[];
  outcome(): EvccConnectionOutcome | undefined;
  chargerClosed(): boolean;
  closeCharger(): void;
}

/** An EvccConnection over an in-memory stream to a V2gtpConnection with a scripted charger behind it. */
function wire(options: {
  mode: EnergyTransferMode;
  offer: OfferedProtocol[];
  protocols?: EvccSchema[];
  overrides?: Record<string, Override>;
  sapSilent?: boolean;
  /** Answer the request with this name with these raw EXI bytes instead. */
  garbage?: { request: string; bytes: Uint8Array };
}): Wired {
  const clock = new ManualClock({ start: 5_000 });
  const link = streamPair(clock, 2);
  const dc = options.mode.indexOf("DC") === 0;
  const vehicle = new SimVehicle({ clock, battery: { capacityKWh: 10, soc: 70 }, targetSoc: 72 });
  let secc: ScriptedSecc | undefined;
  let chargerClosed = false;
  const charger: V2gtpConnection = new V2gtpConnection({
    open: link.b,
    onMessage: (m) => {
      if (m.schema === "apphand") {
        if (options.sapSilent) return;
        const decision = negotiate(decode("apphand", m.payload), options.offer);
        charger.send("apphand", encode("apphand", decision.response));
        if (decision.protocol === "din" || decision.protocol === "iso2") {
          const protocol = decision.protocol;
          charger.selectProtocol(protocol);
          secc = new ScriptedSecc({
            protocol,
            dc,
            clock,
            latency: 5,
            batteryVoltage: () => vehicle.battery.terminalVoltage(secc!.presentCurrent),
            deliver: (doc) => charger.send(protocol, encode(protocol, doc)),
            overrides: options.overrides,
          });
        }
        return;
      }
      const doc = decode(m.schema!, m.payload) as V2gMessageDoc;
      if (options.garbage && Object.keys(doc.V2G_Message.Body)[0] === options.garbage.request) {
        charger.send(m.schema!, options.garbage.bytes);
        return;
      }
      secc!.onRequest(doc);
    },
    onClose: () => {
      chargerClosed = true;
    },
  });
  const trace: EvccTraceEntry[] = [];
  let outcome: EvccConnectionOutcome | undefined;
  const conn = new EvccConnection({
    open: link.a,
    protocols: options.protocols,
    session: { energyTransferMode: options.mode, evccId: Uint8Array.of(2, 0, 0, 0, 0, 1) },
    bms: vehicle,
    vehicle,
    clock,
    logger: new MemoryLogger(),
    onTrace: (e) => trace.push(e),
    onStop: (o) => {
      outcome = o;
    },
  });
  return { clock, conn, vehicle, trace, outcome: () => outcome, chargerClosed: () => chargerClosed, closeCharger: () => charger.close() };
}

describe("EvccConnection: SAP, then the session over V2GTP/EXI", () => {
  test("DC vehicle offering iso2,din to a DIN-only charger → SAP picks DIN, full DIN DC session, TCP closed", () => {
    const w = wire({ mode: "DC_extended", offer: ["din"] });
    w.clock.runAll();
    const outcome = w.outcome();
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    assert.equal(outcome?.protocol, "din");
    assert.equal(w.conn.protocol, "din");
    const names = collapse(w.trace.filter((e) => e.direction === "tx").map((e) => e.name));
    assert.deepEqual(names.slice(0, 3), ["supportedAppProtocolReq", "SessionSetupReq", "ServiceDiscoveryReq"]);
    assert.equal(names[names.length - 1], "SessionStopReq");
    assert.ok(w.vehicle.battery.soc >= 72);
    assert.ok(w.chargerClosed(), "the charger saw the TCP close");
  });

  test("ISO-2 AC through SAP; the live trace shows SoC and EVSE values", () => {
    const w = wire({ mode: "AC_three_phase_core", offer: ["iso2", "din"] });
    w.clock.runAll();
    assert.equal(w.outcome()?.reason, "charging-complete");
    assert.equal(w.outcome()?.protocol, "iso2");
    const sapRes = w.trace.find((e) => e.name === "supportedAppProtocolRes");
    assert.equal(sapRes?.values.protocol, "iso2");
    assert.ok(w.trace.some((e) => e.name === "ChargingStatusRes" && e.values.evseMaxCurrent === 16));
  });

  test("the charger supports none of our protocols → sap-failed before any session", () => {
    const w = wire({ mode: "DC_extended", offer: ["iso20-dc"] });
    w.clock.runAll();
    assert.equal(w.outcome()?.reason, "sap-failed");
    assert.equal(w.outcome()?.step, "SupportedAppProtocol");
    assert.equal(w.conn.session, undefined);
  });

  test("no supportedAppProtocolRes within 2 s → timeout-message", () => {
    const w = wire({ mode: "DC_extended", offer: ["iso2"], sapSilent: true });
    w.clock.advance(1999);
    assert.equal(w.outcome(), undefined);
    w.clock.advance(1);
    assert.equal(w.outcome()?.reason, "timeout-message");
  });

  test("the charger closes TCP mid-session → link-down, contactors open, pilot B", () => {
    const w = wire({ mode: "DC_extended", offer: ["iso2"] });
    w.clock.advance(3_000);
    assert.equal(w.conn.session?.step, "CurrentDemand");
    assert.equal(w.vehicle.contactorsClosed, true);
    w.closeCharger();
    w.clock.advance(10);
    assert.equal(w.outcome()?.reason, "link-down");
    assert.equal(w.vehicle.contactorsClosed, false);
    assert.equal(w.vehicle.pilotState, "B");
  });

  test("the charger goes silent in CurrentDemand → timeout-message after 250 ms", () => {
    const w = wire({ mode: "DC_extended", offer: ["iso2"], overrides: { CurrentDemandReq: (_r, n) => (n === 3 ? "silence" : undefined) } });
    w.clock.runAll();
    assert.equal(w.outcome()?.reason, "timeout-message");
    assert.equal(w.outcome()?.step, "CurrentDemand");
    assert.ok(w.chargerClosed());
  });

  test("a user stop through the connection → orderly ISO-2 DC stop", () => {
    const w = wire({ mode: "DC_extended", offer: ["iso2"] });
    w.clock.advance(3_000);
    assert.equal(w.conn.session?.step, "CurrentDemand");
    w.conn.stop();
    w.clock.runAll();
    assert.equal(w.outcome()?.reason, "user-stop");
    assert.equal(w.outcome()?.orderly, true);
  });

  test("an undecodable response → decode-error, the session ends at once", () => {
    const w = wire({ mode: "DC_extended", offer: ["iso2"], garbage: { request: "ServiceDiscoveryReq", bytes: Uint8Array.of(0x80, 0xff, 0xff, 0xff) } });
    w.clock.runAll();
    assert.equal(w.outcome()?.reason, "decode-error");
    assert.equal(w.outcome()?.step, "ServiceDiscovery");
  });
});
