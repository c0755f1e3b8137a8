// ISO 15118-20 WPT and ACDP exception paths, both roles: WARNING_WPT (back to fine positioning,
// [V2G20-5055]; the EV's answer to each of the six WARNING_WPT responses, [V2G20-5054],
// [V2G20-5055], [V2G20-5057], [V2G20-5058], [V2G20-5061], [V2G20-5062]), the resumed WPT
// session's shortcut to WPT_ChargeParameterDiscovery ([V2G20-5046]), and ACDP_DisconnectReq in
// the charge loop ([V2G20-4061]: the current goes to zero before the pantograph rises).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Millis } from "../../../modules/common/index";
import { ManualClock } from "../../../modules/common/index";
import { EvccSession } from "../../../modules/statemachine/evcc/index";
import type { EvccOutcome } from "../../../modules/statemachine/evcc/index";
import { MemorySessionStore } from "../../../modules/statemachine/index";
import type { SeccConfig } from "../../../modules/statemachine/index";
import { ACDP_DISCONNECT_CURRENT } from "../../../modules/statemachine/iso20/acdp-secc";
import type { WptReceiver } from "../../../modules/statemachine/iso20/wpt-device";
import { SimVehicle } from "../../../simulation/vehicle/index";
import { vehicleWithDevices } from "../../../simulation/session/direct-iso20";
import { WPT_EVCC_WARNING_RETRIES } from "../../../modules/statemachine/iso20/wpt-evcc";
import { acdpStack, authorizeAndSelect, runAcdp, sentOrder } from "./acdp-support";
import { iso20Ev, r, UNIX } from "./support";

const WPT20: SeccConfig = {
  evseId: "DE*XS1*E0003",
  energyModes: ["AC_three_phase_core"],
  protocols: ["iso20"],
  schedulePower: 11_000,
  meterId: "SIM-METER-3",
  iso20: { services: ["wpt"] },
};

const SETUP = {
  EVProcessing: "Finished",
  EVDeviceFinePositioningMethodList: { WPT_FinePositioningMethod: ["Manual"] },
  EVDevicePairingMethodList: { WPT_PairingMethod: ["LF_TxPrimaryDevice"] },
  EVDeviceAlignmentCheckMethodList: { WPT_AlignmentCheckMethod: ["PowerCheck"] },
  NaturalOffset: 0,
};
const CPD = { EVPCMaxReceivablePower: r(11, 3), SDMaxGroundClearence: 180, SDMinGroundClearence: 120, EVPCNaturalFrequency: r(85, 3), EVPCDeviceLocalControl: false };
const DONE = { EVProcessing: "Finished", EVResultCode: "EVResultSuccess" };

describe("ISO 15118-20 WPT: WARNING_WPT and FAILED on the SECC", () => {
  test("the EV says it is in place, the pad sees it outside its tolerance → WPT_FinePositioningRes WARNING_WPT (Finished); setup again, then pairing ([V2G20-5055])", () => {
    const ev = iso20Ev(WPT20);
    ev.control({ kind: "wpt-pad", state: { offsetX: 25, offsetY: 0, idCode: 0x77 } });
    ev.ok("SessionSetupReq", { EVCCID: "WPTCAR01" }, "OK_NewSessionEstablished");
    ev.ok("WPT_FinePositioningSetupReq", SETUP);
    const warned = ev.ok("WPT_FinePositioningReq", DONE, "WARNING_WPT");
    assert.equal(warned.EVSEProcessing, "Finished");
    assert.equal(ev.secc.state, "WptFinePositioning", "WPT_FinePositioningSetupReq is taken next");
    ev.ok("WPT_FinePositioningSetupReq", SETUP);
    ev.control({ kind: "wpt-pad", state: { offsetX: 2 } });
    assert.equal(ev.ok("WPT_FinePositioningReq", DONE).EVSEProcessing, "Finished");
    assert.equal(ev.secc.state, "WptPairing");
  });

  test("the receiver leaves the pad's tolerance under load → WPT_ChargeLoopRes WARNING_WPT with no power; alignment check (or pairing) again, then PowerDelivery(Start) ([V2G20-5058])", () => {
    const power: number[] = [];
    const ev = iso20Ev(WPT20, { feedback: { wptPad: (command, watts) => power.push(command === "alignment" ? -1 : watts) } });
    ev.control({ kind: "wpt-pad", state: { offsetX: 0, offsetY: 0, idCode: 0x77, alignment: "ok" } });
    ev.ok("SessionSetupReq", { EVCCID: "WPTCAR01" }, "OK_NewSessionEstablished");
    ev.ok("WPT_FinePositioningSetupReq", SETUP);
    ev.ok("WPT_FinePositioningReq", DONE);
    ev.ok("WPT_PairingReq", { ...DONE, ObservedIDCode: 0x77 });
    authorizeAndSelect(ev, 3);
    ev.ok("WPT_ChargeParameterDiscoveryReq", CPD);
    ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: { DepartureTime: 7200 } });
    ev.ok("WPT_AlignmentCheckReq", { EVProcessing: "Ongoing", EVResultCode: "EVResultUnknown" });
    ev.ok("WPT_AlignmentCheckReq", DONE);
    const start = {
      EVProcessing: "Finished",
      ChargeProgress: "Start",
      EVPowerProfile: { TimeAnchor: 0n, Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: 1 }, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(11, 3) }] } },
    };
    ev.ok("PowerDeliveryReq", start);
    const loopReq = { DisplayParameters: { PresentSOC: 50 }, MeterInfoRequested: false, EVPCPowerRequest: r(11, 3), EVPCPowerOutput: r(0), EVPCChargeDiagnostics: "EVPCNoIssue" };
    ev.ok("WPT_ChargeLoopReq", loopReq);
    assert.equal(power[power.length - 1], 11_000);
    ev.control({ kind: "wpt-pad", state: { offsetX: 30 } });
    const warned = ev.ok("WPT_ChargeLoopReq", loopReq, "WARNING_WPT");
    assert.equal(warned.EVPCPowerRequest.Value, 0);
    assert.equal(power[power.length - 1], 0, "the pad is off");
    assert.equal(ev.secc.state, "WptAlignmentCheck");
    ev.control({ kind: "wpt-pad", state: { offsetX: 1 } });
    // Pairing again is allowed here too; the alignment check follows it as usual.
    ev.ok("WPT_AlignmentCheckReq", { EVProcessing: "Ongoing", EVResultCode: "EVResultUnknown" });
    assert.equal(power[power.length - 1], -1, "a new low-power alignment check");
    ev.ok("WPT_AlignmentCheckReq", DONE);
    assert.equal(ev.secc.state, "PowerDelivery", "[V2G20-5036]");
    ev.ok("PowerDeliveryReq", start);
    ev.ok("WPT_ChargeLoopReq", loopReq);
    assert.equal(power[power.length - 1], 11_000);
  });

  test("FAILED in the fine-positioning loop (no alignment within the limit) → the SECC waits for SessionStopReq, the session ends as that failure ([V2G20-5067])", () => {
    const ev = iso20Ev(WPT20);
    ev.control({ kind: "wpt-pad", state: { offsetX: 60, offsetY: 0 } });
    ev.ok("SessionSetupReq", { EVCCID: "WPTCAR01" }, "OK_NewSessionEstablished");
    ev.ok("WPT_FinePositioningSetupReq", SETUP);
    let code = "OK";
    let requests = 0;
    for (; code === "OK" && requests < 20; requests++) {
      code = ev.send("WPT_FinePositioningReq", { EVProcessing: "Ongoing", EVResultCode: "EVResultUnknown" }).ResponseCode;
      ev.clock.advance(10_000);
    }
    assert.equal(code, "FAILED");
    assert.equal(requests, 13, "120 s of positioning");
    assert.equal(ev.stopReason(), undefined);
    assert.equal(ev.secc.state, "SessionStop");
    ev.ok("SessionStopReq", { ChargingSession: "Terminate" });
    assert.equal(ev.stopReason(), "failed-response");
  });
});

describe("ISO 15118-20 WPT: a resumed session goes straight to WPT_ChargeParameterDiscovery ([V2G20-5046])", () => {
  test("SECC: paused after ServiceSelection, resumed by SessionID → OK_OldSessionJoined, the WPT service kept, WPT_ChargeParameterDiscovery, ScheduleExchange, alignment check", () => {
    const store = new MemorySessionStore();
    const ev = iso20Ev(WPT20, { store });
    ev.control({ kind: "wpt-pad", state: { offsetX: 0, offsetY: 0, idCode: 0x77, alignment: "ok" } });
    ev.ok("SessionSetupReq", { EVCCID: "WPTCAR01" }, "OK_NewSessionEstablished");
    ev.ok("WPT_FinePositioningSetupReq", SETUP);
    ev.ok("WPT_FinePositioningReq", DONE);
    ev.ok("WPT_PairingReq", { ...DONE, ObservedIDCode: 0x77 });
    authorizeAndSelect(ev, 3);
    ev.ok("SessionStopReq", { ChargingSession: "Pause" });
    assert.equal(ev.stopReason(), "ev-pause");

    const again = iso20Ev(WPT20, { store, resume: ev.sessionId });
    again.control({ kind: "wpt-pad", state: { offsetX: 0, offsetY: 0, idCode: 0x77, alignment: "ok" } });
    again.ok("SessionSetupReq", { EVCCID: "WPTCAR01" }, "OK_OldSessionJoined");
    assert.equal(again.secc.state, "ChargeParameterDiscovery", "no positioning, authorization or service selection");
    again.ok("WPT_ChargeParameterDiscoveryReq", CPD);
    again.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: { DepartureTime: 7200 } });
    assert.equal(again.secc.state, "WptAlignmentCheck");
  });
});

/**
 * Our WPT EVCC against a scripted charger: every response OK (Finished) with what the car needs,
 * except what `script` changes for the n-th request of a name.
 */
function scriptedWptEv(script: (request: string, count: number) => Record<string, unknown> | undefined, resumed = false) {
  const clock = new ManualClock({ start: 1000 });
  const sent: string[] = [];
  const counts: Record<string, number> = {};
  let outcome: EvccOutcome | undefined;
  const receiver: WptReceiver = {
    moving: () => false,
    positioning: () => "EVResultSuccess",
    groundClearance: () => ({ min: 120, max: 180 }),
    naturalFrequency: () => 85_000,
    maxPower: () => 11_000,
    observedIdCode: () => 0x77,
    ownIdCode: () => 0x5eed,
    alignment: () => "EVResultSuccess",
    powerRequest: () => 11_000,
    powerOutput: () => 0,
  };
  const vehicle = new SimVehicle({ clock, battery: { capacityKWh: 40, soc: 50, maxCurrent: 125 }, targetSoc: 90 });
  const id = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  let session: EvccSession | undefined;
  const respond = (name: string): void => {
    counts[name] = (counts[name] ?? 0) + 1;
    const base: Record<string, unknown> = { Header: { SessionID: id, TimeStamp: UNIX }, ResponseCode: "OK", EVSEProcessing: "Finished" };
    if (name === "SessionSetupReq") Object.assign(base, { ResponseCode: resumed ? "OK_OldSessionJoined" : "OK_NewSessionEstablished", EVSEID: "DE*XS1*E0003" });
    if (name === "AuthorizationSetupReq") Object.assign(base, { AuthorizationServices: ["EIM"], CertificateInstallationService: false, EIM_ASResAuthorizationMode: {} });
    if (name === "ServiceDiscoveryReq") Object.assign(base, { ServiceRenegotiationSupported: false, EnergyTransferServiceList: { Service: [{ ServiceID: 3, FreeService: true }] } });
    if (name === "ServiceDetailReq") Object.assign(base, { ServiceID: 3, ServiceParameterList: { ParameterSet: [{ ParameterSetID: 1, Parameter: [{ Name: "ControlMode", intValue: 1 }, { Name: "MobilityNeedsMode", intValue: 1 }, { Name: "Pricing", intValue: 0 }] }] } });
    if (name === "WPT_ChargeParameterDiscoveryReq") Object.assign(base, { SDMaxOutputPower: r(11, 3), SDMinOutputPower: r(0) });
    if (name === "WPT_ChargeLoopReq") Object.assign(base, { EVPCPowerRequest: r(11, 3), SPCMaxOutputPowerLimit: r(11, 3), SPCChargeDiagnostics: "SPCNoIssue" });
    if (name === "ScheduleExchangeReq") {
      Object.assign(base, { Scheduled_SEResControlMode: { ScheduleTuple: [{ ScheduleTupleID: 1, ChargingSchedule: { PowerSchedule: { TimeAnchor: 0n, PowerScheduleEntries: { PowerScheduleEntry: [{ Duration: 86_400, Power: r(11, 3) }] } } } }] } });
    }
    Object.assign(base, script(name, counts[name]) ?? {});
    session!.handle({ type: "response", message: { [name.replace(/Req$/, "Res")]: base } as any });
  };
  session = new EvccSession({
    config: {
      protocol: "iso20",
      energyTransferMode: "AC_three_phase_core",
      evccId: Uint8Array.of(2, 0, 0, 0, 0, 0x0b),
      iso20: { transfer: "wpt", controlMode: "scheduled" },
      ...(resumed ? { resumeSessionId: id } : {}),
    },
    bms: vehicleWithDevices(vehicle, { wptReceiver: receiver }),
    clock,
    unixTime: () => UNIX,
    callbacks: {
      send(message) {
        const name = Object.keys(message)[0];
        sent.push(name);
        clock.set(() => respond(name), 10 as Millis);
      },
      onStop: (o) => (outcome = o),
    },
  });
  session.start();
  for (let i = 0; i < 3000 && outcome === undefined; i++) clock.advance(200);
  return { sent, outcome: outcome as EvccOutcome | undefined };
}

/** `names` with repeats folded. */
function folded(names: readonly string[]): string[] {
  return names.filter((name, i) => i === 0 || name !== names[i - 1]);
}

describe("ISO 15118-20 WPT: the vehicle's answers to WARNING_WPT and FAILED", () => {
  test("WPT_ChargeParameterDiscoveryRes WARNING_WPT → back to WPT_FinePositioningSetup, positioning and pairing again, then on ([V2G20-5062], [V2G20-5032])", () => {
    const ev = scriptedWptEv((name, n) => (name === "WPT_ChargeParameterDiscoveryReq" && n === 1 ? { ResponseCode: "WARNING_WPT" } : name === "WPT_ChargeLoopReq" && n === 3 ? { EVSEStatus: { NotificationMaxDelay: 0, EVSENotification: "Terminate" } } : undefined));
    const order = folded(ev.sent);
    const cpd = order.indexOf("WPT_ChargeParameterDiscoveryReq");
    assert.deepEqual(order.slice(cpd, cpd + 5), ["WPT_ChargeParameterDiscoveryReq", "WPT_FinePositioningSetupReq", "WPT_FinePositioningReq", "WPT_PairingReq", "AuthorizationSetupReq"]);
    assert.ok(order.lastIndexOf("WPT_ChargeLoopReq") > cpd, "it charged after the second round");
    assert.equal(ev.outcome?.orderly, true, `${ev.outcome?.reason}: ${ev.outcome?.detail}`);
  });

  test("WARNING_WPT every time → after WPT_EVCC_WARNING_RETRIES rounds the car terminates with SessionStopReq ([V2G20-5057])", () => {
    const ev = scriptedWptEv((name) => (name === "WPT_AlignmentCheckReq" ? { ResponseCode: "WARNING_WPT" } : undefined));
    assert.equal(ev.sent.filter((n) => n === "WPT_AlignmentCheckReq").length, WPT_EVCC_WARNING_RETRIES + 1);
    assert.equal(ev.sent[ev.sent.length - 1], "SessionStopReq");
    assert.equal(ev.sent[ev.sent.length - 2], "WPT_AlignmentCheckReq");
    assert.equal(ev.outcome?.reason, "response-code");
    assert.equal(ev.outcome?.orderly, true);
  });

  test("PowerDeliveryRes WARNING_WPT → back to WPT_FinePositioningSetup ([V2G20-5061]); FAILED in WPT_FinePositioningSetupRes → SessionStopReq ([V2G20-5067])", () => {
    const warned = scriptedWptEv((name, n) => (name === "PowerDeliveryReq" && n === 1 ? { ResponseCode: "WARNING_WPT" } : name === "WPT_FinePositioningSetupReq" && n === 2 ? { ResponseCode: "FAILED" } : undefined));
    const order = folded(warned.sent);
    const pd = order.indexOf("PowerDeliveryReq");
    assert.deepEqual(order.slice(pd), ["PowerDeliveryReq", "WPT_FinePositioningSetupReq", "SessionStopReq"]);
    assert.equal(warned.outcome?.reason, "response-code");
    assert.match(warned.outcome?.detail ?? "", /WPT_FinePositioningSetupRes: FAILED/);
  });

  test("a resumed session sends WPT_ChargeParameterDiscoveryReq right after SessionSetupRes ([V2G20-5046])", () => {
    const ev = scriptedWptEv((name, n) => (name === "WPT_ChargeLoopReq" && n === 2 ? { EVSEStatus: { NotificationMaxDelay: 0, EVSENotification: "Terminate" } } : undefined), true);
    assert.deepEqual(folded(ev.sent).slice(0, 4), ["SessionSetupReq", "WPT_ChargeParameterDiscoveryReq", "ScheduleExchangeReq", "WPT_AlignmentCheckReq"]);
  });
});

describe("ISO 15118-20 ACDP: ACDP_DisconnectReq in the charge loop ([V2G20-4061])", () => {
  test("the bus must leave mid-charge: ACDP_DisconnectReq straight from DC_ChargeLoop; the charger stops the output, raises only once the current is down, the bus checks out", () => {
    const s = acdpStack({ transfer: "dc_acdp", targetSoc: 80 });
    let leave = false;
    Object.assign(s.approach, { disconnectNow: () => leave });
    const whenMoving: number[] = [];
    const outcome = runAcdp(s, 3600, () => {
      if (!leave && s.vehicle.battery.soc >= 41) leave = true;
      if (s.pantograph.state.mechanical !== "EndPosition" && s.pantograph.commands.length === 2 && whenMoving.length === 0) whenMoving.push(s.dc.presentCurrent);
    });
    assert.equal(outcome?.orderly, true, `${outcome?.reason}: ${outcome?.detail} (${outcome?.step})`);
    assert.equal(outcome?.reason, "user-stop");
    const order = sentOrder(s.trace.filter((e) => e.name.indexOf("ACDP_SystemStatus") !== 0));
    const loop = order.lastIndexOf("DC_ChargeLoopReq");
    assert.deepEqual(order.slice(loop), ["DC_ChargeLoopReq", "ACDP_DisconnectReq", "VehicleCheckOutReq", "SessionStopReq"]);
    assert.deepEqual(s.pantograph.commands, ["lower", "raise"]);
    assert.equal(s.pantograph.state.mechanical, "Home");
    assert.ok(whenMoving.length === 1 && Math.abs(whenMoving[0]) < ACDP_DISCONNECT_CURRENT, `current when the pantograph started rising: ${whenMoving[0]} A`);
    assert.equal(s.secc.session.stopReason, "ev-terminate");
  });
});
