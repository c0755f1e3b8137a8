import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Seconds } from "../../../modules/common/index";
import { MemorySessionStore } from "../../../modules/statemachine/index";
import { AC_CONFIG, DC_CONFIG, EVCCID, ScriptedEv, ZERO_ID, dcEvStatus, pv } from "./support";

const SELECT = { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } };
const DC_PARAM = { DC_EVStatus: dcEvStatus(), EVMaximumCurrentLimit: pv(300, "A"), EVMaximumPowerLimit: pv(150, "W", 3), EVMaximumVoltageLimit: pv(420, "V") };
const AC_PARAM = { DepartureTime: 0, EAmount: pv(20, "Wh", 3), EVMaxVoltage: pv(400, "V"), EVMaxCurrent: pv(16, "A"), EVMinCurrent: pv(6, "A") };

/** SessionSetup … Authorization (authorized on the second AuthorizationReq). */
function upToChargeParameterDiscovery(ev: ScriptedEv): void {
  assert.equal(ev.send("SessionSetupReq", { EVCCID }).ResponseCode, "OK_NewSessionEstablished");
  ev.send("ServiceDiscoveryReq", {});
  assert.equal(ev.send("PaymentServiceSelectionReq", SELECT).ResponseCode, "OK");
  assert.equal(ev.send("AuthorizationReq", {}).EVSEProcessing, "Ongoing");
  ev.session.control({ kind: "authorized", accepted: true });
  assert.equal(ev.send("AuthorizationReq", {}).EVSEProcessing, "Finished");
}

function dcToCharging(ev: ScriptedEv): void {
  upToChargeParameterDiscovery(ev);
  const cpd = ev.send("ChargeParameterDiscoveryReq", { RequestedEnergyTransferMode: "DC_extended", DC_EVChargeParameter: DC_PARAM });
  assert.equal(cpd.SAScheduleList.SAScheduleTuple[0].SAScheduleTupleID, 1);
  assert.deepEqual(cpd.SAScheduleList.SAScheduleTuple[0].PMaxSchedule.PMaxScheduleEntry[0].PMax, pv(10000, "W", 1));
  assert.equal(ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() }).EVSEProcessing, "Ongoing");
  ev.session.control({ kind: "cable-check-finished", isolation: "Valid" });
  assert.equal(ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() }).EVSEProcessing, "Finished");
  ev.session.control({ kind: "present-values", voltage: 370, current: 0 });
  ev.send("PreChargeReq", { DC_EVStatus: dcEvStatus(), EVTargetVoltage: pv(370, "V"), EVTargetCurrent: pv(1, "A") });
  assert.equal(ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 }).ResponseCode, "OK");
}

describe("SECC ISO 15118-2 DC session", () => {
  test("a complete EIM session with CurrentDemand, WeldingDetection and SessionStop(Terminate)", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    dcToCharging(ev);
    ev.session.control({ kind: "present-values", voltage: 371, current: 99.5 });
    ev.session.control({ kind: "meter", wh: 1234.4 });
    const cd = ev.send("CurrentDemandReq", {
      DC_EVStatus: dcEvStatus(55),
      EVTargetCurrent: pv(250, "A"),
      EVMaximumVoltageLimit: pv(420, "V"),
      ChargingComplete: false,
      EVTargetVoltage: pv(400, "V"),
    });
    assert.equal(cd.EVSEID, "DE*XS1*E0001");
    assert.equal(cd.SAScheduleTupleID, 1);
    assert.equal(cd.EVSECurrentLimitAchieved, true, "250 A asked, 200 A available");
    assert.equal(cd.EVSEPowerLimitAchieved, true, "100 kW asked, 100 kW available");
    assert.deepEqual(cd.EVSEPresentCurrent, pv(995, "A", -1));
    assert.deepEqual(cd.MeterInfo, { MeterID: "SIM-METER-1", MeterReading: 1234n });
    assert.equal(ev.send("PowerDeliveryReq", { ChargeProgress: "Stop", SAScheduleTupleID: 1 }).ResponseCode, "OK");
    assert.equal(ev.session.state, "WeldingDetection");
    ev.send("WeldingDetectionReq", { DC_EVStatus: dcEvStatus() });
    assert.equal(ev.send("SessionStopReq", { ChargingSession: "Terminate" }).ResponseCode, "OK");
    assert.equal(ev.session.stopReason, "ev-terminate");
    assert.deepEqual(
      ev.calls.filter((c) => !c.startsWith("dcTarget") && !c.startsWith("preCharge")),
      ["sessionStarted(iso2,false)", "requestAuthorization", "startCableCheck(420)", "startCharging(dc)", "stopCharging(dc)", "weldingDetection", "sessionStopped(ev-terminate)"],
    );
  });

  test("PowerDelivery Renegotiate → ChargeParameterDiscovery → PowerDelivery Start without a second cable check", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    dcToCharging(ev);
    ev.send("CurrentDemandReq", { DC_EVStatus: dcEvStatus(), EVTargetCurrent: pv(100, "A"), ChargingComplete: false, EVTargetVoltage: pv(400, "V") });
    ev.session.control({ kind: "renegotiate" });
    const cd = ev.send("CurrentDemandReq", { DC_EVStatus: dcEvStatus(), EVTargetCurrent: pv(100, "A"), ChargingComplete: false, EVTargetVoltage: pv(400, "V") });
    assert.equal(cd.DC_EVSEStatus.EVSENotification, "ReNegotiation");
    assert.equal(ev.send("PowerDeliveryReq", { ChargeProgress: "Renegotiate", SAScheduleTupleID: 1 }).ResponseCode, "OK");
    assert.equal(ev.session.state, "ChargeParameterDiscovery");
    ev.session.control({ kind: "dc-limits", limits: { maxCurrent: 100 } });
    const cpd = ev.send("ChargeParameterDiscoveryReq", { RequestedEnergyTransferMode: "DC_extended", DC_EVChargeParameter: DC_PARAM });
    assert.deepEqual(cpd.DC_EVSEChargeParameter.EVSEMaximumCurrentLimit, pv(100, "A"));
    assert.equal(cpd.DC_EVSEChargeParameter.DC_EVSEStatus.EVSENotification, "None");
    assert.equal(ev.session.state, "Renegotiated");
    assert.equal(ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 }).ResponseCode, "OK");
    assert.equal(ev.session.state, "CurrentDemand");
    assert.equal(ev.calls.filter((c) => c.startsWith("startCableCheck")).length, 1);
  });

  test("after a renegotiation an EV may repeat CableCheck and PreCharge (a fresh isolation check runs)", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    dcToCharging(ev);
    ev.send("PowerDeliveryReq", { ChargeProgress: "Renegotiate", SAScheduleTupleID: 1 });
    ev.send("ChargeParameterDiscoveryReq", { RequestedEnergyTransferMode: "DC_extended", DC_EVChargeParameter: DC_PARAM });
    assert.equal(ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() }).EVSEProcessing, "Ongoing");
    assert.equal(ev.session.state, "CableCheck");
    assert.equal(ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() }).EVSEProcessing, "Ongoing");
    ev.session.control({ kind: "cable-check-finished", isolation: "Valid" });
    assert.equal(ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() }).EVSEProcessing, "Finished");
    ev.send("PreChargeReq", { DC_EVStatus: dcEvStatus(), EVTargetVoltage: pv(370, "V"), EVTargetCurrent: pv(1, "A") });
    assert.equal(ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 }).ResponseCode, "OK");
    assert.equal(ev.calls.filter((c) => c.startsWith("startCableCheck")).length, 2);
  });

  test("value-added services: listed in ServiceDiscoveryRes, detailed by ServiceDetailRes, selectable", () => {
    const ev = new ScriptedEv(
      {
        ...DC_CONFIG,
        valueAddedServices: [
          { ServiceID: 61000, ServiceName: "BatteryData", ServiceCategory: "OtherCustom", FreeService: true, ParameterSet: [{ ParameterSetID: 1, Parameter: [{ Name: "Port", intValue: 61000 }] }] },
        ],
      },
      { protocol: "iso2" },
    );
    ev.send("SessionSetupReq", { EVCCID });
    const sd = ev.send("ServiceDiscoveryReq", {});
    assert.deepEqual(sd.ServiceList.Service, [{ ServiceID: 61000, ServiceName: "BatteryData", ServiceCategory: "OtherCustom", FreeService: true }]);
    const detail = ev.send("ServiceDetailReq", { ServiceID: 61000 });
    assert.equal(detail.ResponseCode, "OK");
    assert.equal(detail.ServiceParameterList.ParameterSet[0].Parameter[0].intValue, 61000);
    const pss = ev.send("PaymentServiceSelectionReq", { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }, { ServiceID: 61000, ParameterSetID: 1 }] } });
    assert.equal(pss.ResponseCode, "OK");
    assert.deepEqual(ev.session.context!.selectedServices, [61000]);
  });

  test("ServiceDetailReq for a service not offered → FAILED_ServiceIDInvalid", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    ev.send("SessionSetupReq", { EVCCID });
    ev.send("ServiceDiscoveryReq", {});
    assert.equal(ev.send("ServiceDetailReq", { ServiceID: 2 }).ResponseCode, "FAILED_ServiceIDInvalid");
  });

  test("SessionStop(Pause) keeps the session; SessionSetupReq with the old SessionID resumes it (OK_OldSessionJoined)", () => {
    const store = new MemorySessionStore();
    const first = new ScriptedEv(DC_CONFIG, { protocol: "iso2", store });
    dcToCharging(first);
    first.send("PowerDeliveryReq", { ChargeProgress: "Stop", SAScheduleTupleID: 1 });
    first.send("WeldingDetectionReq", { DC_EVStatus: dcEvStatus() });
    assert.equal(first.send("SessionStopReq", { ChargingSession: "Pause" }).ResponseCode, "OK");
    assert.equal(first.session.stopReason, "ev-pause");
    assert.equal(store.size, 1);
    const oldId = first.sessionId;

    const second = new ScriptedEv(DC_CONFIG, { protocol: "iso2", store, clock: first.clock });
    const setup = second.send("SessionSetupReq", { EVCCID }, oldId);
    assert.equal(setup.ResponseCode, "OK_OldSessionJoined");
    assert.deepEqual(second.sessionId, oldId);
    assert.equal(store.size, 0, "a resumed session leaves the store");
    assert.ok(second.calls.includes("sessionStarted(iso2,true)"));
    second.send("ServiceDiscoveryReq", {});
    second.send("PaymentServiceSelectionReq", SELECT);
    // By default the authorizer is asked again after a resumption.
    assert.equal(second.send("AuthorizationReq", {}).EVSEProcessing, "Ongoing");
    assert.ok(second.calls.includes("requestAuthorization"));
    second.session.control({ kind: "authorized", accepted: true });
    assert.equal(second.send("AuthorizationReq", {}).EVSEProcessing, "Finished");
  });

  test("config.resumeAuthorized: a resumed session that was identified is not asked again", () => {
    const store = new MemorySessionStore();
    const config = { ...DC_CONFIG, resumeAuthorized: true };
    const first = new ScriptedEv(config, { protocol: "iso2", store });
    upToChargeParameterDiscovery(first);
    first.send("SessionStopReq", { ChargingSession: "Pause" });
    const second = new ScriptedEv(config, { protocol: "iso2", store, clock: first.clock });
    assert.equal(second.send("SessionSetupReq", { EVCCID }, first.sessionId).ResponseCode, "OK_OldSessionJoined");
    second.send("ServiceDiscoveryReq", {});
    second.send("PaymentServiceSelectionReq", SELECT);
    assert.equal(second.send("AuthorizationReq", {}).EVSEProcessing, "Finished");
    assert.ok(!second.calls.includes("requestAuthorization"));
  });

  test("a SessionSetupReq naming an unknown session gets a new one (OK_NewSessionEstablished)", () => {
    const store = new MemorySessionStore();
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2", store });
    const setup = ev.send("SessionSetupReq", { EVCCID }, new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9]));
    assert.equal(setup.ResponseCode, "OK_NewSessionEstablished");
    assert.notDeepEqual(ev.sessionId, new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9]));
  });

  test("MemorySessionStore maxAge: a pause older than that is not resumed", () => {
    const first = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    const store = new MemorySessionStore({ clock: first.clock, maxAge: Seconds(600) });
    const a = new ScriptedEv(DC_CONFIG, { protocol: "iso2", store, clock: first.clock });
    a.send("SessionSetupReq", { EVCCID });
    a.send("SessionStopReq", { ChargingSession: "Pause" });
    first.clock.advance(600_001);
    const b = new ScriptedEv(DC_CONFIG, { protocol: "iso2", store, clock: first.clock });
    assert.equal(b.send("SessionSetupReq", { EVCCID }, a.sessionId).ResponseCode, "OK_NewSessionEstablished");
  });

  test("a paused session of another EV (other EVCCID) is not joined", () => {
    const store = new MemorySessionStore();
    const first = new ScriptedEv(DC_CONFIG, { protocol: "iso2", store });
    first.send("SessionSetupReq", { EVCCID });
    first.send("SessionStopReq", { ChargingSession: "Pause" });
    const second = new ScriptedEv(DC_CONFIG, { protocol: "iso2", store });
    const setup = second.send("SessionSetupReq", { EVCCID: new Uint8Array([1, 2, 3, 4, 5, 6]) }, first.sessionId);
    assert.equal(setup.ResponseCode, "OK_NewSessionEstablished");
  });
});

describe("SECC ISO 15118-2 AC session", () => {
  test("a complete EIM session: ChargeParameterDiscovery (AC), PowerDelivery, ChargingStatus loop, SessionStop", () => {
    const ev = new ScriptedEv(AC_CONFIG, { protocol: "iso2" });
    const sd = (() => {
      ev.send("SessionSetupReq", { EVCCID });
      return ev.send("ServiceDiscoveryReq", {});
    })();
    assert.deepEqual(sd.ChargeService.SupportedEnergyTransferMode.EnergyTransferMode, ["AC_three_phase_core", "AC_single_phase_core"]);
    ev.send("PaymentServiceSelectionReq", SELECT);
    ev.session.control({ kind: "authorized", accepted: true });
    assert.equal(ev.send("AuthorizationReq", {}).EVSEProcessing, "Finished");
    const cpd = ev.send("ChargeParameterDiscoveryReq", { MaxEntriesSAScheduleTuple: 3, RequestedEnergyTransferMode: "AC_three_phase_core", AC_EVChargeParameter: AC_PARAM });
    assert.deepEqual(cpd.AC_EVSEChargeParameter.EVSEMaxCurrent, pv(32, "A"));
    assert.deepEqual(cpd.AC_EVSEChargeParameter.EVSENominalVoltage, pv(230, "V"));
    assert.deepEqual(cpd.SAScheduleList.SAScheduleTuple[0].PMaxSchedule.PMaxScheduleEntry[0].PMax, pv(22080, "W", 0));
    assert.equal(ev.session.state, "PowerDelivery");
    const pd = ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1, ChargingProfile: { ProfileEntry: [{ ChargingProfileEntryStart: 0, ChargingProfileEntryMaxPower: pv(11, "W", 3) }] } });
    assert.equal(pd.ResponseCode, "OK");
    assert.ok("AC_EVSEStatus" in pd);
    assert.ok(ev.calls.includes("startCharging(ac)"));
    for (let i = 0; i < 3; i++) {
      const cs = ev.send("ChargingStatusReq", {});
      assert.equal(cs.ResponseCode, "OK");
      assert.equal(cs.EVSEID, "DE*XS1*E0002");
      assert.deepEqual(cs.EVSEMaxCurrent, pv(32, "A"));
    }
    ev.session.control({ kind: "stop-charging" });
    assert.equal(ev.send("ChargingStatusReq", {}).AC_EVSEStatus.EVSENotification, "StopCharging");
    assert.equal(ev.send("PowerDeliveryReq", { ChargeProgress: "Stop", SAScheduleTupleID: 1 }).ResponseCode, "OK");
    assert.ok(ev.calls.includes("stopCharging(ac)"));
    assert.equal(ev.send("SessionStopReq", { ChargingSession: "Terminate" }).ResponseCode, "OK");
    assert.equal(ev.session.stopReason, "ev-terminate");
  });

  test("ReceiptRequired → MeteringReceiptReq is answered OK; without it MeteringReceiptReq is a sequence error", () => {
    const ev = new ScriptedEv({ ...AC_CONFIG, receiptRequired: true }, { protocol: "iso2" });
    ev.send("SessionSetupReq", { EVCCID });
    ev.send("ServiceDiscoveryReq", {});
    ev.send("PaymentServiceSelectionReq", SELECT);
    ev.session.control({ kind: "authorized", accepted: true });
    ev.send("AuthorizationReq", {});
    ev.send("ChargeParameterDiscoveryReq", { RequestedEnergyTransferMode: "AC_three_phase_core", AC_EVChargeParameter: AC_PARAM });
    ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 });
    const cs = ev.send("ChargingStatusReq", {});
    assert.equal(cs.ReceiptRequired, true);
    const receipt = { Id: "id1", SessionID: ev.sessionId, SAScheduleTupleID: 1, MeterInfo: { MeterID: "SIM-METER-2", MeterReading: 10n } };
    assert.equal(ev.send("MeteringReceiptReq", receipt).ResponseCode, "OK");
    const again = ev.send("MeteringReceiptReq", receipt);
    assert.equal(again.ResponseCode, "FAILED_SequenceError");
    assert.equal(ev.session.stopReason, "sequence-error");
  });

  test("a DC mode asked of an AC-only charger → FAILED_WrongEnergyTransferMode and stop", () => {
    const ev = new ScriptedEv(AC_CONFIG, { protocol: "iso2" });
    ev.send("SessionSetupReq", { EVCCID });
    ev.send("ServiceDiscoveryReq", {});
    ev.send("PaymentServiceSelectionReq", SELECT);
    ev.session.control({ kind: "authorized", accepted: true });
    ev.send("AuthorizationReq", {});
    const cpd = ev.send("ChargeParameterDiscoveryReq", { RequestedEnergyTransferMode: "DC_extended", DC_EVChargeParameter: DC_PARAM });
    assert.equal(cpd.ResponseCode, "FAILED_WrongEnergyTransferMode");
    assert.equal(ev.last!.close, true);
  });
});

describe("SECC ISO 15118-2 schedules and charging profiles", () => {
  const STEPS = { ...DC_CONFIG, pmaxSchedule: [{ start: 0, power: 50000 }, { start: 3600, power: 22000 }], scheduleDuration: 7200 };

  function toPowerDelivery(ev: ScriptedEv): Record<string, any> {
    upToChargeParameterDiscovery(ev);
    const cpd = ev.send("ChargeParameterDiscoveryReq", { RequestedEnergyTransferMode: "DC_extended", DC_EVChargeParameter: DC_PARAM });
    ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    ev.session.control({ kind: "cable-check-finished", isolation: "Valid" });
    ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    return cpd;
  }

  test("a configured multi-step PMaxSchedule: entries in order, only the last with a duration", () => {
    const ev = new ScriptedEv(STEPS, { protocol: "iso2" });
    const cpd = toPowerDelivery(ev);
    assert.deepEqual(cpd.SAScheduleList.SAScheduleTuple[0].PMaxSchedule.PMaxScheduleEntry, [
      { RelativeTimeInterval: { start: 0 }, PMax: pv(5000, "W", 1) },
      { RelativeTimeInterval: { start: 3600, duration: 3600 }, PMax: pv(22000, "W") },
    ]);
  });

  test("a ChargingProfile within the schedule → OK", () => {
    const ev = new ScriptedEv(STEPS, { protocol: "iso2" });
    toPowerDelivery(ev);
    const profile = { ProfileEntry: [{ ChargingProfileEntryStart: 0, ChargingProfileEntryMaxPower: pv(50, "W", 3) }, { ChargingProfileEntryStart: 3600, ChargingProfileEntryMaxPower: pv(22, "W", 3) }] };
    assert.equal(ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1, ChargingProfile: profile }).ResponseCode, "OK");
  });

  test("a ChargingProfile above the schedule's PMax → FAILED_ChargingProfileInvalid, stop", () => {
    const ev = new ScriptedEv(STEPS, { protocol: "iso2" });
    toPowerDelivery(ev);
    const profile = { ProfileEntry: [{ ChargingProfileEntryStart: 0, ChargingProfileEntryMaxPower: pv(50, "W", 3) }, { ChargingProfileEntryStart: 4000, ChargingProfileEntryMaxPower: pv(50, "W", 3) }] };
    assert.equal(ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1, ChargingProfile: profile }).ResponseCode, "FAILED_ChargingProfileInvalid");
    assert.equal(ev.session.stopReason, "failed-response");
  });
});

describe("SECC ISO 15118-2 zero SessionID", () => {
  test("SessionSetupReq with SessionID 00 gets a fresh 8-byte ID", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    ev.send("SessionSetupReq", { EVCCID }, ZERO_ID);
    assert.equal(ev.sessionId.length, 8);
  });
});
