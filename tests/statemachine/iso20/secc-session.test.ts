// ISO 15118-20 SECC at object level: the whole DC and AC sequences, BPT, both control modes,
// and the response codes the standard defines for wrong services, parameter sets, schedules,
// power profiles, sequences and sessions. Every message goes through the EXI codec.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AC20, DC20, EVCCID, iso20Ev, r, setUpTo } from "./support";
import type { Iso20Ev } from "./support";
import { MemorySessionStore } from "../../../modules/statemachine/index";
import { fromRational } from "../../../modules/statemachine/iso20/rational";

const DC_CPD = {
  DC_CPDReqEnergyTransferMode: {
    EVMaximumChargePower: r(150, 3),
    EVMinimumChargePower: r(100),
    EVMaximumChargeCurrent: r(300),
    EVMinimumChargeCurrent: r(1),
    EVMaximumVoltage: r(800),
    EVMinimumVoltage: r(200),
  },
};

const BPT_DC_CPD = {
  BPT_DC_CPDReqEnergyTransferMode: {
    ...DC_CPD.DC_CPDReqEnergyTransferMode,
    EVMaximumDischargePower: r(-10, 3), // a peer that sends negative discharge limits
    EVMinimumDischargePower: r(0),
    EVMaximumDischargeCurrent: r(-25),
    EVMinimumDischargeCurrent: r(0),
  },
};

function scheduledProfile(tupleId: number, watts: number, exponent = 0) {
  return {
    TimeAnchor: 0n,
    Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: tupleId },
    EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(watts, exponent) }] },
  };
}

function dcUntilPowerDelivery(ev: Iso20Ev, cpd: object, scheduled = true): number {
  ev.ok("DC_ChargeParameterDiscoveryReq", cpd);
  const se = ev.ok(
    "ScheduleExchangeReq",
    scheduled
      ? { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: { DepartureTime: 7200 } }
      : {
          MaximumSupportingPoints: 12,
          Dynamic_SEReqControlMode: { DepartureTime: 7200, MinimumSOC: 30, TargetSOC: 80, EVTargetEnergyRequest: r(40, 3), EVMaximumEnergyRequest: r(60, 3), EVMinimumEnergyRequest: r(-20, 3) },
        },
  );
  assert.equal(se.EVSEProcessing, "Finished");
  const tupleId = scheduled ? se.Scheduled_SEResControlMode.ScheduleTuple[0].ScheduleTupleID : 0;
  assert.equal(ev.ok("DC_CableCheckReq").EVSEProcessing, "Ongoing");
  assert.equal(ev.ok("DC_CableCheckReq").EVSEProcessing, "Ongoing");
  ev.control({ kind: "cable-check-finished", isolation: "Valid" });
  assert.equal(ev.ok("DC_CableCheckReq").EVSEProcessing, "Finished");
  ev.ok("DC_PreChargeReq", { EVProcessing: "Ongoing", EVPresentVoltage: r(400), EVTargetVoltage: r(400) });
  ev.control({ kind: "present-values", voltage: 398, current: 0 });
  assert.equal(fromRational(ev.ok("DC_PreChargeReq", { EVProcessing: "Finished", EVPresentVoltage: r(400), EVTargetVoltage: r(400) }).EVSEPresentVoltage), 398);
  return tupleId;
}

/** A session set up to ServiceSelection (service, parameter set) and paused: its store and SessionID. */
function pausedAfterSelection(serviceId: number, parameterSetId: number): { store: MemorySessionStore; sessionId: Uint8Array } {
  const store = new MemorySessionStore();
  const ev = iso20Ev(DC20, { store });
  setUpTo(ev, serviceId, parameterSetId);
  ev.ok("SessionStopReq", { ChargingSession: "Pause" });
  assert.equal(ev.stopReason(), "ev-pause");
  return { store, sessionId: ev.sessionId };
}

/** AuthorizationSetup … ServiceSelection after a SessionSetup that gave a new session (EIM, authorized up front). */
function setUpToFromAuthorization(ev: Iso20Ev, serviceId: number, parameterSetId: number): void {
  ev.ok("AuthorizationSetupReq");
  ev.control({ kind: "authorized", accepted: true });
  ev.ok("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} });
  ev.ok("ServiceDiscoveryReq");
  ev.ok("ServiceDetailReq", { ServiceID: serviceId });
  ev.ok("ServiceSelectionReq", { SelectedEnergyTransferService: { ServiceID: serviceId, ParameterSetID: parameterSetId } });
}

describe("ISO 15118-20 SECC: DC", () => {
  it("runs SessionSetup … DC_WeldingDetection → SessionStop (Scheduled) with an 8-byte SessionID", () => {
    const calls: string[] = [];
    const ev = iso20Ev(DC20, {
      feedback: { startCableCheck: (v) => calls.push(`cable(${v})`), dcTarget: (v, i) => calls.push(`target(${v},${i})`), startCharging: (m) => calls.push(`start(${m})`), stopCharging: (m) => calls.push(`stop(${m})`) },
    });
    const detail = setUpTo(ev, 2, 1);
    assert.equal(ev.sessionId.length, 8);
    const names = detail.ServiceParameterList.ParameterSet[0].Parameter.map((p: { Name: string }) => p.Name);
    assert.deepEqual(names, ["Connector", "ControlMode", "MobilityNeedsMode", "Pricing"]);
    const tuple = dcUntilPowerDelivery(ev, DC_CPD);
    assert.equal(tuple, 1);
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: scheduledProfile(tuple, 50, 3) });
    assert.equal(ev.secc.state, "ChargeLoop");
    const loop = ev.ok("DC_ChargeLoopReq", {
      DisplayParameters: { PresentSOC: 42 },
      MeterInfoRequested: true,
      EVPresentVoltage: r(400),
      Scheduled_DC_CLReqControlMode: { EVTargetCurrent: r(100), EVTargetVoltage: r(410) },
    });
    assert.equal(loop.MeterInfo.MeterID, "SIM-METER-1");
    assert.ok(loop.Scheduled_DC_CLResControlMode !== undefined);
    assert.equal(ev.secc.context!.ev.soc, 42);
    ev.control({ kind: "stop-charging" });
    const stopping = ev.ok("DC_ChargeLoopReq", { MeterInfoRequested: false, EVPresentVoltage: r(400), Scheduled_DC_CLReqControlMode: { EVTargetCurrent: r(100), EVTargetVoltage: r(410) } });
    assert.equal(stopping.EVSEStatus.EVSENotification, "Terminate");
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Stop" });
    ev.ok("DC_WeldingDetectionReq", { EVProcessing: "Ongoing" });
    ev.ok("DC_WeldingDetectionReq", { EVProcessing: "Finished" });
    ev.ok("SessionStopReq", { ChargingSession: "Terminate" });
    assert.equal(ev.stopReason(), "ev-terminate");
    assert.equal(calls[0], "cable(800)"); // the isolation check at the EV's maximum voltage
    assert.ok(calls.indexOf("start(dc)") > 0 && calls.indexOf("stop(dc)") > calls.indexOf("start(dc)"));
    assert.ok(calls.indexOf("target(410,100)") > 0);
  });

  it("DC_BPT Dynamic: reads negative discharge limits as magnitudes, follows the energy manager's setpoint both ways", () => {
    const ev = iso20Ev(DC20);
    setUpTo(ev, 6, 2); // parameter set 2 = Dynamic
    const rec = ev.secc.context!.iso20!;
    assert.equal(rec.controlMode, "dynamic");
    const cpd = ev.ok("DC_ChargeParameterDiscoveryReq", BPT_DC_CPD);
    assert.equal(fromRational(cpd.BPT_DC_CPDResEnergyTransferMode.EVSEMaximumDischargePower), 11_000); // a magnitude
    assert.equal(rec.ev.maxDischargePower, 10_000);
    assert.equal(rec.peerNegativeDischarge, true);
    ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Dynamic_SEReqControlMode: { DepartureTime: 3600, EVTargetEnergyRequest: r(10, 3), EVMaximumEnergyRequest: r(20, 3), EVMinimumEnergyRequest: r(-5, 3) } });
    ev.ok("DC_CableCheckReq");
    ev.control({ kind: "cable-check-finished", isolation: "Valid" });
    ev.ok("DC_CableCheckReq");
    ev.ok("DC_PreChargeReq", { EVProcessing: "Finished", EVPresentVoltage: r(400), EVTargetVoltage: r(400) });
    ev.ok("PowerDeliveryReq", {
      EVProcessing: "Finished",
      ChargeProgress: "Start",
      EVPowerProfile: { TimeAnchor: 0n, Dynamic_EVPPTControlMode: {}, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(-5, 3) }] } },
      BPT_ChannelSelection: "Discharge",
    });
    const loopReq = {
      MeterInfoRequested: false,
      EVPresentVoltage: r(400),
      BPT_Dynamic_DC_CLReqControlMode: {
        EVTargetEnergyRequest: r(10, 3),
        EVMaximumEnergyRequest: r(20, 3),
        EVMinimumEnergyRequest: r(-5, 3),
        EVMaximumChargePower: r(50, 3),
        EVMinimumChargePower: r(0),
        EVMaximumChargeCurrent: r(125),
        EVMaximumVoltage: r(450),
        EVMinimumVoltage: r(300),
        EVMaximumDischargePower: r(10, 3),
        EVMinimumDischargePower: r(0),
        EVMaximumDischargeCurrent: r(25),
      },
    };
    ev.control({ kind: "power-setpoint", watts: -8000 });
    const v2g = ev.ok("DC_ChargeLoopReq", loopReq).BPT_Dynamic_DC_CLResControlMode;
    assert.equal(fromRational(v2g.EVSEMaximumChargePower), 0);
    assert.equal(fromRational(v2g.EVSEMaximumDischargePower), 8000);
    assert.equal(ev.secc.context!.ev.targetCurrent, -20); // −8 kW at 400 V
    ev.control({ kind: "power-setpoint", watts: 30_000 });
    const charge = ev.ok("DC_ChargeLoopReq", loopReq).BPT_Dynamic_DC_CLResControlMode;
    assert.equal(fromRational(charge.EVSEMaximumChargePower), 30_000);
    assert.equal(fromRational(charge.EVSEMaximumDischargePower), 0);
  });

  it("sends discharge limits negative with negativeDischargeLimits", () => {
    const ev = iso20Ev({ ...DC20, iso20: { ...DC20.iso20, negativeDischargeLimits: true } });
    setUpTo(ev, 6, 1);
    const cpd = ev.ok("DC_ChargeParameterDiscoveryReq", BPT_DC_CPD);
    assert.equal(fromRational(cpd.BPT_DC_CPDResEnergyTransferMode.EVSEMaximumDischargePower), -11_000);
  });

  it("PowerDeliveryReq while the EV still pre-charges (EVProcessing=Ongoing) is FAILED_SequenceError", () => {
    const ev = iso20Ev(DC20);
    setUpTo(ev, 2, 1);
    ev.ok("DC_ChargeParameterDiscoveryReq", DC_CPD);
    ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: {} });
    ev.ok("DC_CableCheckReq");
    ev.control({ kind: "cable-check-finished", isolation: "Valid" });
    ev.ok("DC_CableCheckReq");
    ev.ok("DC_PreChargeReq", { EVProcessing: "Ongoing", EVPresentVoltage: r(400), EVTargetVoltage: r(400) });
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: scheduledProfile(1, 1000) }, "FAILED_SequenceError");
    assert.equal(ev.stopReason(), "sequence-error");
  });

  it("answers FAILED_ServiceIDInvalid, FAILED_ServiceSelectionInvalid (service, parameter set), FAILED_WrongChargeParameter", () => {
    let ev = iso20Ev(DC20);
    ev.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
    ev.ok("AuthorizationSetupReq");
    ev.control({ kind: "authorized", accepted: true });
    ev.ok("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} });
    const services = ev.ok("ServiceDiscoveryReq").EnergyTransferServiceList.Service.map((s: { ServiceID: number }) => s.ServiceID);
    assert.deepEqual(services, [2, 6]);
    ev.ok("ServiceDetailReq", { ServiceID: 1 }, "FAILED_ServiceIDInvalid");
    assert.equal(ev.stopReason(), "failed-response");

    for (const [service, set] of [
      [1, 1],
      [2, 9],
    ]) {
      ev = iso20Ev(DC20);
      ev.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
      ev.ok("AuthorizationSetupReq");
      ev.control({ kind: "authorized", accepted: true });
      ev.ok("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} });
      ev.ok("ServiceDiscoveryReq");
      ev.ok("ServiceSelectionReq", { SelectedEnergyTransferService: { ServiceID: service, ParameterSetID: set } }, "FAILED_ServiceSelectionInvalid");
    }

    ev = iso20Ev(DC20);
    setUpTo(ev, 6, 1); // DC_BPT selected, plain DC parameters sent
    ev.ok("DC_ChargeParameterDiscoveryReq", DC_CPD, "FAILED_WrongChargeParameter");
  });

  it("checks the EV power profile: wrong tuple → FAILED_ScheduleSelectionInvalid, above the schedule → FAILED_EVPowerProfileViolation, wrong mode → FAILED_EVPowerProfileInvalid", () => {
    const cases: [object, string][] = [
      [scheduledProfile(7, 1000), "FAILED_ScheduleSelectionInvalid"],
      [scheduledProfile(1, 150, 3), "FAILED_EVPowerProfileViolation"],
      [{ TimeAnchor: 0n, Dynamic_EVPPTControlMode: {}, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 10, Power: r(1) }] } }, "FAILED_EVPowerProfileInvalid"],
    ];
    for (const [profile, code] of cases) {
      const ev = iso20Ev(DC20);
      setUpTo(ev, 2, 1);
      dcUntilPowerDelivery(ev, DC_CPD);
      ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: profile }, code);
      assert.equal(ev.stopReason(), "failed-response");
    }
  });

  it("answers FAILED_UnknownSession for another SessionID and FAILED_SequenceError out of order", () => {
    let ev = iso20Ev(DC20);
    ev.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
    ev.sessionId = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const res = ev.send("AuthorizationSetupReq");
    assert.equal(res.ResponseCode, "FAILED_UnknownSession");
    assert.equal(ev.stopReason(), "unknown-session");

    ev = iso20Ev(DC20);
    ev.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
    ev.ok("ServiceDiscoveryReq", {}, "FAILED_SequenceError");
    assert.equal(ev.stopReason(), "sequence-error");
  });

  it("pauses with SessionStop(Pause); the resumed session (OK_OldSessionJoined) goes on at DC_ChargeParameterDiscovery with its service, authorized, and charges ([V2G20-1032], [V2G20-1844])", () => {
    const { store, sessionId } = pausedAfterSelection(2, 1);
    const calls: string[] = [];
    const again = iso20Ev(DC20, { store, resume: sessionId, feedback: { startCharging: (m) => calls.push(`start(${m})`) } });
    again.ok("SessionSetupReq", { EVCCID }, "OK_OldSessionJoined");
    assert.deepEqual(again.sessionId, sessionId);
    assert.equal(again.secc.state, "ChargeParameterDiscovery", "no AuthorizationSetup, no service steps after a resume");
    assert.equal(again.secc.context!.iso20!.service?.id, 1);
    assert.equal(again.secc.context!.iso20!.transfer, "dc");
    const tuple = dcUntilPowerDelivery(again, DC_CPD);
    again.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: scheduledProfile(tuple, 50, 3) });
    assert.equal(again.secc.state, "ChargeLoop");
    assert.deepEqual(calls, ["start(dc)"], "the paused session's authorization holds: power flows without asking the authorizer again");
  });

  it("a resumed session that sends AuthorizationSetupReq (the -2 habit) gets FAILED_SequenceError: *_ChargeParameterDiscoveryReq is the only request allowed ([V2G20-1032])", () => {
    const { store, sessionId } = pausedAfterSelection(2, 1);
    const again = iso20Ev(DC20, { store, resume: sessionId });
    again.ok("SessionSetupReq", { EVCCID }, "OK_OldSessionJoined");
    again.ok("AuthorizationSetupReq", {}, "FAILED_SequenceError");
    assert.equal(again.stopReason(), "sequence-error");
  });

  it("DC_BPT Dynamic paused and resumed: parameter set 2 holds, the BPT charge parameters are taken", () => {
    const { store, sessionId } = pausedAfterSelection(6, 2);
    const again = iso20Ev(DC20, { store, resume: sessionId });
    again.ok("SessionSetupReq", { EVCCID }, "OK_OldSessionJoined");
    const rec = again.secc.context!.iso20!;
    assert.equal(rec.transfer, "dc_bpt");
    assert.equal(rec.controlMode, "dynamic");
    const cpd = again.ok("DC_ChargeParameterDiscoveryReq", BPT_DC_CPD);
    assert.ok(cpd.BPT_DC_CPDResEnergyTransferMode !== undefined);
  });

  it("a paused session that cannot go on at ChargeParameterDiscovery is not joined: paused before any service was selected, or never authorized → OK_NewSessionEstablished, a fresh SessionID, the whole sequence ([V2G20-2626])", () => {
    for (const pauseAt of ["before-selection", "unauthorized"] as const) {
      const store = new MemorySessionStore();
      const ev = iso20Ev(DC20, { store });
      ev.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
      ev.ok("AuthorizationSetupReq");
      if (pauseAt === "before-selection") {
        ev.control({ kind: "authorized", accepted: true });
        ev.ok("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} });
      }
      ev.ok("SessionStopReq", { ChargingSession: "Pause" });
      assert.equal(ev.stopReason(), "ev-pause");
      const lines: string[] = [];
      const logger = { log: (_level: string, _tag: string, message: string) => void lines.push(message) };
      const again = iso20Ev(DC20, { store, resume: ev.sessionId, logger: logger as never });
      again.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
      assert.notDeepEqual(again.sessionId, ev.sessionId, pauseAt);
      assert.equal(again.secc.state, "AuthorizationSetup", pauseAt);
      const why = pauseAt === "before-selection" ? "no energy transfer service had been selected" : "it was not authorized";
      assert.ok(lines.some((l) => l.includes("not joined") && l.includes(why)), `${pauseAt}: ${lines.join(" | ")}`);
      setUpToFromAuthorization(again, 2, 1);
      dcUntilPowerDelivery(again, DC_CPD);
    }
  });

  it("SessionStop(ServiceRenegotiation) goes back to ServiceDiscovery", () => {
    const ev = iso20Ev(DC20);
    setUpTo(ev, 2, 1);
    ev.ok("SessionStopReq", { ChargingSession: "ServiceRenegotiation" });
    assert.equal(ev.secc.state, "ServiceDiscovery");
    ev.ok("ServiceDiscoveryReq");
  });

  it("EIM: Ongoing until the authorizer answers; a rejection is WARNING_EIMAuthorizationFailure", () => {
    const ev = iso20Ev(DC20);
    ev.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
    ev.ok("AuthorizationSetupReq");
    assert.equal(ev.ok("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} }).EVSEProcessing, "Ongoing");
    ev.control({ kind: "authorized", accepted: false });
    ev.ok("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} }, "WARNING_EIMAuthorizationFailure");
    assert.equal(ev.stopReason(), "failed-response");
  });
});

describe("ISO 15118-20 SECC: AC", () => {
  it("AC_BPT Scheduled: a charging and a discharging schedule, Discharge channel → negative target", () => {
    const ev = iso20Ev(AC20);
    const detail = setUpTo(ev, 5, 1);
    const params = detail.ServiceParameterList.ParameterSet[0].Parameter.map((p: { Name: string }) => p.Name);
    assert.deepEqual(params, ["Connector", "ControlMode", "MobilityNeedsMode", "Pricing", "EVSENominalVoltage", "BPTChannel", "GeneratorMode", "GridCodeIslandingDetectionMethod"]);
    const cpd = ev.ok("AC_ChargeParameterDiscoveryReq", {
      BPT_AC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(11, 3), EVMinimumChargePower: r(100), EVMaximumDischargePower: r(11, 3), EVMinimumDischargePower: r(100) },
    });
    assert.equal(fromRational(cpd.BPT_AC_CPDResEnergyTransferMode.EVSEMaximumChargePower), 230 * 16 * 3);
    const se = ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 24, Scheduled_SEReqControlMode: {} });
    const tuple = se.Scheduled_SEResControlMode.ScheduleTuple[0];
    assert.equal(fromRational(tuple.DischargingSchedule.PowerSchedule.PowerScheduleEntries.PowerScheduleEntry[0].Power), -7000);
    assert.equal(ev.secc.state, "PowerDelivery");
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: scheduledProfile(1, -5, 3), BPT_ChannelSelection: "Discharge" });
    const loop = ev.ok("AC_ChargeLoopReq", { MeterInfoRequested: false, BPT_Scheduled_AC_CLReqControlMode: { EVPresentActivePower: r(-5, 3) } });
    assert.equal(fromRational(loop.BPT_Scheduled_AC_CLResControlMode.EVSETargetActivePower), -7000);
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Stop" });
    assert.equal(ev.secc.state, "SessionStop");
    ev.ok("SessionStopReq", { ChargingSession: "Terminate" });
  });

  it("AC Dynamic: EVSETargetActivePower follows the setpoint; Standby and ScheduleRenegotiation keep the session", () => {
    const ev = iso20Ev(AC20);
    setUpTo(ev, 1, 2);
    ev.ok("AC_ChargeParameterDiscoveryReq", { AC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(11, 3), EVMinimumChargePower: r(100) } });
    ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 24, Dynamic_SEReqControlMode: { DepartureTime: 3600, EVTargetEnergyRequest: r(10, 3), EVMaximumEnergyRequest: r(20, 3), EVMinimumEnergyRequest: r(0) } });
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: { TimeAnchor: 0n, Dynamic_EVPPTControlMode: {}, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(11, 3) }] } } });
    const dyn = {
      MeterInfoRequested: false,
      Dynamic_AC_CLReqControlMode: { EVTargetEnergyRequest: r(10, 3), EVMaximumEnergyRequest: r(20, 3), EVMinimumEnergyRequest: r(0), EVMaximumChargePower: r(11, 3), EVMinimumChargePower: r(0), EVPresentActivePower: r(0), EVPresentReactivePower: r(0) },
    };
    ev.control({ kind: "power-setpoint", watts: 4000 });
    assert.equal(fromRational(ev.ok("AC_ChargeLoopReq", dyn).Dynamic_AC_CLResControlMode.EVSETargetActivePower), 4000);
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Standby" });
    assert.equal(fromRational(ev.ok("AC_ChargeLoopReq", dyn).Dynamic_AC_CLResControlMode.EVSETargetActivePower), 0);
    ev.control({ kind: "renegotiate" });
    assert.equal(ev.ok("AC_ChargeLoopReq", dyn).EVSEStatus.EVSENotification, "ScheduleRenegotiation");
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "ScheduleRenegotiation" });
    assert.equal(ev.secc.state, "ScheduleExchange");
  });
});

describe("ISO 15118-20 SECC: PowerDelivery(Start) with EVProcessing=Ongoing", () => {
  it("answers OK and starts nothing until the EV says Finished with its power profile (as the mTLS DC capture's car does)", () => {
    const calls: string[] = [];
    const ev = iso20Ev(DC20, { feedback: { startCharging: (m) => calls.push(`start(${m})`) } });
    setUpTo(ev, 2, 1);
    const tuple = dcUntilPowerDelivery(ev, DC_CPD);
    ev.ok("PowerDeliveryReq", { EVProcessing: "Ongoing", ChargeProgress: "Start" });
    assert.equal(ev.secc.state, "PowerDelivery");
    assert.deepEqual(calls, []);
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: scheduledProfile(tuple, 50, 3) });
    assert.equal(ev.secc.state, "ChargeLoop");
    assert.deepEqual(calls, ["start(dc)"]);
  });
});

describe("ISO 15118-20 SECC: price schedules", () => {
  const prices = { currency: "EUR", steps: [{ start: 0, energyFee: 0.3 }, { start: 3600, energyFee: 0.45 }] };
  it("Scheduled: the ChargingSchedule carries an AbsolutePriceSchedule; the parameter sets say Pricing 1", () => {
    const ev = iso20Ev({ ...DC20, iso20: { ...DC20.iso20, prices } });
    const detail = setUpTo(ev, 2, 1);
    const pricing = detail.ServiceParameterList.ParameterSet[0].Parameter.find((p: { Name: string }) => p.Name === "Pricing");
    assert.equal(pricing.intValue, 1);
    ev.ok("DC_ChargeParameterDiscoveryReq", DC_CPD);
    const se = ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: {} });
    const schedule = se.Scheduled_SEResControlMode.ScheduleTuple[0].ChargingSchedule.AbsolutePriceSchedule;
    assert.equal(schedule.Currency, "EUR");
    const stacks = schedule.PriceRuleStacks.PriceRuleStack;
    assert.deepEqual(stacks.map((s: { Duration: number }) => s.Duration), [3600, 86400 - 3600]);
    assert.equal(fromRational(stacks[1].PriceRule[0].EnergyFee), 0.45);
  });

  it("Dynamic: Dynamic_SEResControlMode carries it", () => {
    const ev = iso20Ev({ ...DC20, iso20: { ...DC20.iso20, prices } });
    setUpTo(ev, 2, 2);
    ev.ok("DC_ChargeParameterDiscoveryReq", DC_CPD);
    const se = ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Dynamic_SEReqControlMode: { DepartureTime: 3600, EVTargetEnergyRequest: r(10, 3), EVMaximumEnergyRequest: r(20, 3), EVMinimumEnergyRequest: r(0) } });
    assert.equal(se.Dynamic_SEResControlMode.AbsolutePriceSchedule.PriceRuleStacks.PriceRuleStack.length, 2);
  });
});

describe("ISO 15118-20 SECC: DC_BPT Scheduled discharge", () => {
  function discharging(channel: "Charge" | "Discharge"): string[] {
    const calls: string[] = [];
    const ev = iso20Ev(DC20, { feedback: { dcTarget: (v, i) => calls.push(`target(${v},${i})`) } });
    setUpTo(ev, 6, 1);
    const tuple = dcUntilPowerDelivery(ev, BPT_DC_CPD);
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: scheduledProfile(tuple, -10, 3), BPT_ChannelSelection: channel });
    const res = ev.ok("DC_ChargeLoopReq", {
      MeterInfoRequested: false,
      EVPresentVoltage: r(400),
      BPT_Scheduled_DC_CLReqControlMode: { EVTargetCurrent: r(-25), EVTargetVoltage: r(400), EVMaximumDischargePower: r(10, 3), EVMaximumDischargeCurrent: r(25) },
    });
    assert.equal(fromRational(res.BPT_Scheduled_DC_CLResControlMode.EVSEMaximumDischargePower), 11_000);
    return calls;
  }

  it("a negative EVTargetCurrent in the Discharge channel reaches the power module signed", () => {
    assert.deepEqual(discharging("Discharge"), ["target(400,-25)"]);
  });

  it("in the Charge channel a negative target is not followed (0 A)", () => {
    assert.deepEqual(discharging("Charge"), ["target(400,0)"]);
  });
});
