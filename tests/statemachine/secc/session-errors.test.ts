import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import { SeccSession } from "../../../modules/statemachine/index";
import type { V2gDocument } from "../../../modules/statemachine/index";
import { DC_CONFIG, EVCCID, ScriptedEv, dcEvStatus, doc, encodes, pv } from "./support";

const SELECT = { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } };

describe("SECC sequence and session checks", () => {
  test("DIN: CableCheckReq right after SessionSetup → FAILED_SequenceError in a CableCheckRes, then stop", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "din" });
    ev.send("SessionSetupReq", { EVCCID });
    const res = ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    assert.equal(res.ResponseCode, "FAILED_SequenceError");
    assert.equal(res.EVSEProcessing, "Finished");
    assert.equal(ev.last!.close, true);
    assert.equal(ev.session.stopReason, "sequence-error");
    assert.deepEqual(ev.stops, ["sequence-error"]);
    // Nothing more is answered.
    const after = ev.session.request(doc(ev.sessionId, "SessionStopReq"));
    assert.equal(after.response, undefined);
    assert.equal(after.close, true);
  });

  test("ISO-2: a second SessionSetupReq in the same connection → FAILED_SequenceError", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    ev.send("SessionSetupReq", { EVCCID });
    const res = ev.send("SessionSetupReq", { EVCCID });
    assert.equal(res.ResponseCode, "FAILED_SequenceError");
    assert.equal(res.EVSEID, "ZZ00000");
  });

  test("ISO-2: a request with another SessionID → FAILED_UnknownSession, then stop", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    ev.send("SessionSetupReq", { EVCCID });
    const res = ev.send("ServiceDiscoveryReq", {}, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    assert.equal(res.ResponseCode, "FAILED_UnknownSession");
    assert.equal(ev.session.stopReason, "unknown-session");
    // The header carries our session's ID.
    assert.deepEqual((ev.last!.response as V2gDocument).V2G_Message.Header.SessionID, ev.sessionId);
  });

  test("DIN: a response element sent as a request → no answer, close", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "din" });
    ev.send("SessionSetupReq", { EVCCID });
    const out = ev.session.request(doc(ev.sessionId, "ServiceDiscoveryRes", { ResponseCode: "OK" }));
    assert.equal(out.response, undefined);
    assert.equal(out.close, true);
    assert.equal(ev.session.stopReason, "unsupported-message");
  });

  test("ISO-2: authorization rejected → AuthorizationRes FAILED (Finished), stop", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    ev.send("SessionSetupReq", { EVCCID });
    ev.send("ServiceDiscoveryReq", {});
    ev.send("PaymentServiceSelectionReq", SELECT);
    ev.session.control({ kind: "authorized", accepted: false });
    const res = ev.send("AuthorizationReq", {});
    assert.deepEqual(res, { ResponseCode: "FAILED", EVSEProcessing: "Finished" });
    assert.equal(ev.session.stopReason, "failed-response");
  });

  test("ISO-2: PaymentServiceSelection with Contract (not offered) → FAILED_PaymentSelectionInvalid; without service 1 → FAILED_NoChargeServiceSelected", () => {
    const a = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    a.send("SessionSetupReq", { EVCCID });
    a.send("ServiceDiscoveryReq", {});
    assert.equal(a.send("PaymentServiceSelectionReq", { ...SELECT, SelectedPaymentOption: "Contract" }).ResponseCode, "FAILED_PaymentSelectionInvalid");
    const b = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    b.send("SessionSetupReq", { EVCCID });
    b.send("ServiceDiscoveryReq", {});
    assert.equal(
      b.send("PaymentServiceSelectionReq", { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [] } }).ResponseCode,
      "FAILED_NoChargeServiceSelected",
    );
  });

  test("ISO-2: PowerDelivery naming another SAScheduleTupleID → FAILED_TariffSelectionInvalid", () => {
    const ev = new ScriptedEv({ ...DC_CONFIG, energyModes: ["AC_three_phase_core"], ac: { nominalVoltage: 230, maxCurrent: 16, phases: 3 } }, { protocol: "iso2" });
    ev.send("SessionSetupReq", { EVCCID });
    ev.send("ServiceDiscoveryReq", {});
    ev.send("PaymentServiceSelectionReq", SELECT);
    ev.session.control({ kind: "authorized", accepted: true });
    ev.send("AuthorizationReq", {});
    ev.send("ChargeParameterDiscoveryReq", {
      RequestedEnergyTransferMode: "AC_three_phase_core",
      AC_EVChargeParameter: { EAmount: pv(20, "Wh", 3), EVMaxVoltage: pv(400, "V"), EVMaxCurrent: pv(16, "A"), EVMinCurrent: pv(6, "A") },
    });
    const res = ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 2 });
    assert.equal(res.ResponseCode, "FAILED_TariffSelectionInvalid");
    assert.ok("AC_EVSEStatus" in res, "AC session → AC_EVSEStatus in the negative response");
  });

  test("DC: isolation fault → CableCheckRes FAILED, stop", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "din" });
    ev.send("SessionSetupReq", { EVCCID });
    ev.send("ServiceDiscoveryReq", {});
    ev.send("ServicePaymentSelectionReq", SELECT);
    ev.session.control({ kind: "authorized", accepted: true });
    ev.send("ContractAuthenticationReq", {});
    ev.send("ChargeParameterDiscoveryReq", {
      EVRequestedEnergyTransferType: "DC_extended",
      DC_EVChargeParameter: { DC_EVStatus: dcEvStatus(), EVMaximumCurrentLimit: pv(150, "A"), EVMaximumVoltageLimit: pv(450, "V") },
    });
    ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    ev.session.control({ kind: "cable-check-finished", isolation: "Fault" });
    const res = ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    assert.equal(res.ResponseCode, "FAILED");
    assert.equal(ev.session.stopReason, "failed-response");
  });
});

describe("SECC supportedAppProtocol", () => {
  const ISO2 = { ProtocolNamespace: "urn:iso:15118:2:2013:MsgDef", VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 };
  const DIN = { ProtocolNamespace: "urn:din:70121:2012:MsgDef", VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 2, Priority: 2 };

  test("the EV's first choice among DIN and ISO-2 is taken; the session then speaks it", () => {
    const session = new SeccSession({ config: DC_CONFIG, clock: new ManualClock() });
    const out = session.request({ supportedAppProtocolReq: { AppProtocol: [DIN, ISO2] } });
    assert.deepEqual(out.response, { supportedAppProtocolRes: { ResponseCode: "OK_SuccessfulNegotiation", SchemaID: 1 } });
    encodes("apphand", out.response!);
    assert.equal(session.protocol, "iso2");
    assert.equal(session.state, "SessionSetup");
  });

  test("config.protocols restricts the choice", () => {
    const session = new SeccSession({ config: { ...DC_CONFIG, protocols: ["din"] }, clock: new ManualClock() });
    session.request({ supportedAppProtocolReq: { AppProtocol: [DIN, ISO2] } });
    assert.equal(session.protocol, "din");
  });

  test("no common protocol → Failed_NoNegotiation and close", () => {
    const session = new SeccSession({ config: DC_CONFIG, clock: new ManualClock() });
    const out = session.request({
      supportedAppProtocolReq: { AppProtocol: [{ ProtocolNamespace: "urn:iso:std:iso:15118:-20:DC", VersionNumberMajor: 1, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 }] },
    });
    assert.deepEqual(out.response, { supportedAppProtocolRes: { ResponseCode: "Failed_NoNegotiation" } });
    assert.equal(out.close, true);
    assert.equal(session.stopReason, "no-protocol");
  });

  test("a V2G_Message before SAP → close without answer", () => {
    const session = new SeccSession({ config: DC_CONFIG, clock: new ManualClock() });
    const out = session.request(doc(new Uint8Array(1), "SessionSetupReq", { EVCCID }));
    assert.equal(out.response, undefined);
    assert.equal(session.stopReason, "sequence-error");
  });
});
