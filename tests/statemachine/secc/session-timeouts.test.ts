import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Seconds } from "../../../modules/common/index";
import { SeccSession, dinTimeouts, iso2Timeouts } from "../../../modules/statemachine/index";
import { DC_CONFIG, EVCCID, ScriptedEv, dcEvStatus, pv } from "./support";

const SELECT = { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } };

function toAuthorization(ev: ScriptedEv): void {
  ev.send("SessionSetupReq", { EVCCID });
  ev.send("ServiceDiscoveryReq", {});
  ev.send("PaymentServiceSelectionReq", SELECT);
}

function toCableCheck(ev: ScriptedEv): void {
  toAuthorization(ev);
  ev.session.control({ kind: "authorized", accepted: true });
  ev.send("AuthorizationReq", {});
  ev.send("ChargeParameterDiscoveryReq", {
    RequestedEnergyTransferMode: "DC_extended",
    DC_EVChargeParameter: { DC_EVStatus: dcEvStatus(), EVMaximumCurrentLimit: pv(150, "A"), EVMaximumVoltageLimit: pv(450, "V") },
  });
}

describe("SECC timeouts", () => {
  test("the timer table holds the standard values", () => {
    assert.equal(iso2Timeouts.V2G_SECC_SEQUENCE_TIMEOUT, 60000);
    assert.equal(iso2Timeouts.V2G_SECC_ONGOING_TIMEOUT, 55000);
    assert.equal(iso2Timeouts.V2G_SECC_CABLE_CHECK_TIMEOUT, 38000);
    assert.equal(iso2Timeouts.V2G_SECC_PRE_CHARGE_TIMEOUT, 5000);
    assert.equal(iso2Timeouts.V2G_SECC_COMMUNICATION_SETUP_TIMEOUT, 18000);
    assert.equal(dinTimeouts.V2G_SECC_SEQUENCE_TIMEOUT, 60000);
  });

  test("no request 60 s after a response → V2G_SECC_Sequence_Timeout: stop (the connection closes)", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    ev.send("SessionSetupReq", { EVCCID });
    ev.clock.advance(59_999);
    assert.equal(ev.session.stopReason, undefined);
    ev.send("ServiceDiscoveryReq", {});
    ev.clock.advance(59_999);
    assert.equal(ev.session.stopReason, undefined, "each request restarts the timer");
    ev.clock.advance(1);
    assert.equal(ev.session.stopReason, "timeout-sequence");
    assert.deepEqual(ev.stops, ["timeout-sequence"]);
    assert.equal(ev.clock.pending, 0, "no timer left behind");
  });

  test("no SessionSetupReq within 18 s of the connection → CommunicationSetup timeout", () => {
    const clock = new ManualClock();
    const stops: string[] = [];
    const session = new SeccSession({ config: DC_CONFIG, clock, onStop: (r) => stops.push(r) });
    session.request({
      supportedAppProtocolReq: {
        AppProtocol: [{ ProtocolNamespace: "urn:iso:15118:2:2013:MsgDef", VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 }],
      },
    });
    clock.advance(17_999);
    assert.deepEqual(stops, []);
    clock.advance(1);
    assert.deepEqual(stops, ["timeout-communication-setup"]);
  });

  test("SessionSetupReq in time clears the CommunicationSetup timer", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    ev.clock.advance(10_000);
    ev.send("SessionSetupReq", { EVCCID });
    ev.clock.advance(10_000);
    ev.send("ServiceDiscoveryReq", {});
    assert.equal(ev.session.stopReason, undefined);
  });

  test("Authorization Ongoing for more than 55 s → the next AuthorizationReq gets FAILED, stop", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    toAuthorization(ev);
    for (let t = 0; t < 54; t += 2) {
      assert.equal(ev.send("AuthorizationReq", {}).EVSEProcessing, "Ongoing");
      ev.clock.advance(2000);
    }
    ev.clock.advance(2000);
    const res = ev.send("AuthorizationReq", {});
    assert.deepEqual(res, { ResponseCode: "FAILED", EVSEProcessing: "Finished" });
    assert.equal(ev.session.stopReason, "timeout-ongoing");
  });

  test("CableCheck not finished within 38 s → CableCheckRes FAILED, stop", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    toCableCheck(ev);
    ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    ev.clock.advance(37_000);
    assert.equal(ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() }).EVSEProcessing, "Ongoing");
    ev.clock.advance(1_000);
    const res = ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    assert.equal(res.ResponseCode, "FAILED");
    assert.equal(ev.session.stopReason, "timeout-cable-check");
  });

  test("PreCharge running for more than 5 s → PreChargeRes FAILED, stop", () => {
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
    ev.session.control({ kind: "cable-check-finished", isolation: "Valid" });
    ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    const pre = { DC_EVStatus: dcEvStatus(), EVTargetVoltage: pv(380, "V"), EVTargetCurrent: pv(2, "A") };
    for (let i = 0; i < 9; i++) {
      assert.equal(ev.send("PreChargeReq", pre).ResponseCode, "OK");
      ev.clock.advance(500);
    }
    ev.clock.advance(500);
    assert.equal(ev.send("PreChargeReq", pre).ResponseCode, "FAILED");
    assert.equal(ev.session.stopReason, "timeout-pre-charge");
  });

  test("a converged pre-charge is not failed by the 5 s limit: the EV may take longer", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2" });
    toCableCheck(ev);
    ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    ev.session.control({ kind: "cable-check-finished", isolation: "Valid" });
    ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    ev.session.control({ kind: "present-values", voltage: 379, current: 0 });
    const pre = { DC_EVStatus: dcEvStatus(), EVTargetVoltage: pv(380, "V"), EVTargetCurrent: pv(2, "A") };
    for (let i = 0; i < 14; i++) {
      assert.equal(ev.send("PreChargeReq", pre).ResponseCode, "OK");
      ev.clock.advance(500);
    }
    assert.equal(ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 }).ResponseCode, "OK");
  });

  test("config.timeouts overrides a limit (a slow isolation monitor: 60 s cable check)", () => {
    const ev = new ScriptedEv({ ...DC_CONFIG, timeouts: { "cable-check": Seconds(60) } }, { protocol: "iso2" });
    toCableCheck(ev);
    ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    ev.clock.advance(50_000);
    assert.equal(ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() }).EVSEProcessing, "Ongoing");
  });

  test("link down while charging → stopCharging feedback and stop reason link-down", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "din" });
    ev.send("SessionSetupReq", { EVCCID });
    ev.session.feed({ kind: "link-down" });
    assert.equal(ev.session.stopReason, "link-down");
    assert.equal(ev.clock.pending, 0);
  });
});

describe("SECC DIN ReadyToCharge", () => {
  test("no PowerDelivery(ReadyToChargeState=true) within 150 s of ChargeParameterDiscovery → stop (close)", () => {
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
    ev.session.control({ kind: "cable-check-finished", isolation: "Valid" });
    ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    ev.session.control({ kind: "present-values", voltage: 380, current: 0 });
    const pre = { DC_EVStatus: dcEvStatus(), EVTargetVoltage: pv(380, "V"), EVTargetCurrent: pv(2, "A") };
    for (let t = 0; t < 149; t++) {
      ev.clock.advance(1000);
      ev.send("PreChargeReq", pre);
    }
    assert.equal(ev.session.stopReason, undefined);
    ev.clock.advance(1000);
    assert.equal(ev.session.stopReason, "timeout-ready-to-charge");
  });

  test("PowerDelivery(ReadyToChargeState=true) in time clears it", () => {
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
    ev.session.control({ kind: "cable-check-finished", isolation: "Valid" });
    ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    ev.send("PowerDeliveryReq", { ReadyToChargeState: true });
    for (let t = 0; t < 200; t++) {
      ev.clock.advance(1000);
      ev.send("CurrentDemandReq", { DC_EVStatus: dcEvStatus(), EVTargetCurrent: pv(10, "A"), ChargingComplete: false, EVTargetVoltage: pv(400, "V") });
    }
    assert.equal(ev.session.stopReason, undefined);
  });
});

describe("SECC control pilot", () => {
  function toPowerDeliveryAc(ev: ScriptedEv): void {
    ev.send("SessionSetupReq", { EVCCID });
    ev.send("ServiceDiscoveryReq", {});
    ev.send("PaymentServiceSelectionReq", SELECT);
    ev.session.control({ kind: "authorized", accepted: true });
    ev.send("AuthorizationReq", {});
    ev.send("ChargeParameterDiscoveryReq", {
      RequestedEnergyTransferMode: "AC_three_phase_core",
      AC_EVChargeParameter: { EAmount: pv(20, "Wh", 3), EVMaxVoltage: pv(400, "V"), EVMaxCurrent: pv(16, "A"), EVMinCurrent: pv(6, "A") },
    });
  }
  const AC = { ...DC_CONFIG, energyModes: ["AC_three_phase_core" as const], ac: { nominalVoltage: 230, maxCurrent: 16, phases: 3 as const } };

  test("pilot in B 1.5 s after PowerDelivery start → V2G_SECC_CPState_Detection_Timeout: stop", () => {
    const ev = new ScriptedEv(AC, { protocol: "iso2" });
    ev.session.control({ kind: "cp-state", state: "B" });
    toPowerDeliveryAc(ev);
    ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 });
    ev.clock.advance(1499);
    assert.equal(ev.session.stopReason, undefined);
    ev.clock.advance(1);
    assert.equal(ev.session.stopReason, "timeout-cp-state");
  });

  test("pilot to C in time clears the timer", () => {
    const ev = new ScriptedEv(AC, { protocol: "iso2" });
    ev.session.control({ kind: "cp-state", state: "B" });
    toPowerDeliveryAc(ev);
    ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 });
    ev.clock.advance(300);
    ev.session.control({ kind: "cp-state", state: "C" });
    ev.clock.advance(5000);
    assert.equal(ev.send("ChargingStatusReq", {}).ResponseCode, "OK");
  });

  test("without pilot reports no CP check applies", () => {
    const ev = new ScriptedEv(AC, { protocol: "iso2" });
    toPowerDeliveryAc(ev);
    ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 });
    ev.clock.advance(5000);
    assert.equal(ev.session.stopReason, undefined);
  });

  test("pilot to A (unplugged) ends the session", () => {
    const ev = new ScriptedEv(AC, { protocol: "iso2" });
    ev.send("SessionSetupReq", { EVCCID });
    ev.session.control({ kind: "cp-state", state: "A" });
    assert.equal(ev.session.stopReason, "cp-unplugged");
  });
});
