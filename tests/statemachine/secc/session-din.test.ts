import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DC_CONFIG, EVCCID, ScriptedEv, dcEvStatus, pv } from "./support";

describe("SECC DIN 70121 DC session", () => {
  test("a complete EIM session from SessionSetup to SessionStop", () => {
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "din" });
    const setup = ev.send("SessionSetupReq", { EVCCID });
    assert.equal(setup.ResponseCode, "OK_NewSessionEstablished");
    assert.equal(ev.sessionId.length, 8);
    const sd = ev.send("ServiceDiscoveryReq", { ServiceCategory: "EVCharging" });
    assert.deepEqual(sd.PaymentOptions.PaymentOption, ["ExternalPayment"]);
    assert.equal(sd.ChargeService.EnergyTransferType, "DC_extended");
    assert.equal(ev.send("ServicePaymentSelectionReq", { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } }).ResponseCode, "OK");
    // Authorization: Ongoing until the charger says so.
    const a1 = ev.send("ContractAuthenticationReq", {});
    assert.equal(a1.EVSEProcessing, "Ongoing");
    assert.deepEqual(ev.calls.slice(-1), ["requestAuthorization"]);
    ev.send("ContractAuthenticationReq", {});
    ev.session.control({ kind: "authorized", accepted: true });
    assert.equal(ev.send("ContractAuthenticationReq", {}).EVSEProcessing, "Finished");
    const cpd = ev.send("ChargeParameterDiscoveryReq", {
      EVRequestedEnergyTransferType: "DC_extended",
      DC_EVChargeParameter: { DC_EVStatus: dcEvStatus(), EVMaximumCurrentLimit: pv(150, "A"), EVMaximumVoltageLimit: pv(450, "V") },
    });
    assert.equal(cpd.ResponseCode, "OK");
    assert.equal(cpd.SAScheduleList.SAScheduleTuple[0].PMaxSchedule.PMaxScheduleEntry[0].PMax, 32767);
    assert.deepEqual(cpd.DC_EVSEChargeParameter.EVSEMaximumVoltageLimit, pv(500, "V"));
    const cc1 = ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    assert.equal(cc1.EVSEProcessing, "Ongoing");
    assert.equal(cc1.DC_EVSEStatus.EVSEStatusCode, "EVSE_Ready", "as real chargers say while the check runs");
    assert.equal(cc1.DC_EVSEStatus.EVSEIsolationStatus, "Invalid");
    assert.ok(ev.calls.includes("startCableCheck(450)"));
    ev.session.control({ kind: "cable-check-finished", isolation: "Valid" });
    const cc2 = ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    assert.equal(cc2.EVSEProcessing, "Finished");
    assert.equal(cc2.DC_EVSEStatus.EVSEIsolationStatus, "Valid");
    ev.send("PreChargeReq", { DC_EVStatus: dcEvStatus(), EVTargetVoltage: pv(380, "V"), EVTargetCurrent: pv(2, "A") });
    ev.session.control({ kind: "present-values", voltage: 379.5, current: 0 });
    const pc = ev.send("PreChargeReq", { DC_EVStatus: dcEvStatus(), EVTargetVoltage: pv(380, "V"), EVTargetCurrent: pv(2, "A") });
    assert.deepEqual(pc.EVSEPresentVoltage, pv(3795, "V", -1));
    assert.equal(ev.send("PowerDeliveryReq", { ReadyToChargeState: true }).ResponseCode, "OK");
    assert.ok(ev.calls.includes("startCharging(dc)"));
    for (let i = 0; i < 5; i++) {
      const cd = ev.send("CurrentDemandReq", {
        DC_EVStatus: dcEvStatus(41 + i),
        EVTargetCurrent: pv(100, "A"),
        ChargingComplete: false,
        EVTargetVoltage: pv(400, "V"),
      });
      assert.equal(cd.ResponseCode, "OK");
      assert.equal(cd.EVSECurrentLimitAchieved, false);
    }
    assert.ok(ev.calls.includes("dcTarget(400,100)"));
    assert.equal(ev.send("PowerDeliveryReq", { ReadyToChargeState: false }).ResponseCode, "OK");
    assert.ok(ev.calls.includes("stopCharging(dc)"));
    ev.send("WeldingDetectionReq", { DC_EVStatus: dcEvStatus() });
    assert.equal(ev.send("SessionStopReq", {}).ResponseCode, "OK");
    assert.equal(ev.last!.close, true);
    assert.equal(ev.session.stopReason, "ev-terminate");
    assert.deepEqual(ev.stops, ["ev-terminate"]);
    assert.ok(ev.trace.some((t) => t.message === "CurrentDemandReq" && t.summary.includes("EVTargetVoltage=400V")));
  });
});
