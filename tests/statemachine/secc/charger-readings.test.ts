// Found by `npm run fuzz -- --layer secc-din --seed 1 --index 454` (and secc-iso2 index 530):
// a present-values event whose voltage was NaN (a sensor or ADC fault) went into every later
// response, which then did not encode — SeccConnection sent nothing and the EV heard silence.
// Readings that are not numbers are now ignored with a warning; the last good one stays.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MemoryLogger } from "../../../modules/common/index";
import { DC_CONFIG, EVCCID, ScriptedEv, dcEvStatus, pv } from "./support";

describe("charger readings that are not numbers", () => {
  test("regression: a NaN or infinite present voltage/current or meter reading is ignored (the last good one stays); PreChargeRes still encodes", () => {
    const logger = new MemoryLogger();
    const ev = new ScriptedEv(DC_CONFIG, { protocol: "din", extra: { logger } }); // `send` encodes every response
    ev.send("SessionSetupReq", { EVCCID });
    ev.send("ServiceDiscoveryReq", { ServiceCategory: "EVCharging" });
    ev.send("ServicePaymentSelectionReq", { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } });
    ev.send("ContractAuthenticationReq", {});
    ev.session.control({ kind: "authorized", accepted: true });
    assert.equal(ev.send("ContractAuthenticationReq", {}).EVSEProcessing, "Finished");
    ev.send("ChargeParameterDiscoveryReq", {
      EVRequestedEnergyTransferType: "DC_extended",
      DC_EVChargeParameter: { DC_EVStatus: dcEvStatus(), EVMaximumCurrentLimit: pv(150, "A"), EVMaximumVoltageLimit: pv(450, "V") },
    });
    ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    ev.session.control({ kind: "cable-check-finished", isolation: "Valid" });
    assert.equal(ev.send("CableCheckReq", { DC_EVStatus: dcEvStatus() }).EVSEProcessing, "Finished");
    ev.session.control({ kind: "present-values", voltage: 379.5, current: 0 });
    ev.session.control({ kind: "present-values", voltage: Number.NaN, current: 0 });
    ev.session.control({ kind: "present-values", voltage: 380, current: Number.POSITIVE_INFINITY });
    ev.session.control({ kind: "meter", wh: Number.NaN });
    const pc = ev.send("PreChargeReq", { DC_EVStatus: dcEvStatus(), EVTargetVoltage: pv(380, "V"), EVTargetCurrent: pv(2, "A") });
    assert.equal(pc.ResponseCode, "OK");
    assert.deepEqual(pc.EVSEPresentVoltage, pv(3795, "V", -1));
    assert.equal(ev.session.evse.meterWh, 0);
    assert.equal(logger.find("present values that are not numbers ignored").length, 2);
    assert.equal(logger.find("a meter reading that is not a number ignored").length, 1);
  });
});
