// ISO 15118-20 end to end in memory: EvccConnection ⇄ SeccConnection over paired streams on a
// ManualClock (SAP, V2GTP with the -20 payload types, EXI with the CommonMessages/DC/AC
// schemas, both state machines), with the simulated vehicle and charger hardware.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Iso20ControlMode, Iso20Transfer } from "../../../modules/statemachine/iso20/services";
import { run, stack } from "./stack-support";

describe("ISO 15118-20: EvccConnection ⇄ SeccConnection in memory", () => {
  const cases: [Iso20Transfer, Iso20ControlMode][] = [
    ["dc", "scheduled"],
    ["dc", "dynamic"],
    ["ac", "scheduled"],
    ["ac", "dynamic"],
    ["dc_bpt", "scheduled"],
    ["ac_bpt", "dynamic"],
  ];
  for (const [transfer, mode] of cases) {
    test(`${transfer} ${mode}: SAP picks -20, the whole sequence, charging to the target SoC, both sides close`, () => {
      const s = stack({ transfer, mode });
      const soc0 = s.vehicle.battery.soc;
      const outcome = run(s);
      assert.equal(outcome?.reason, "charging-complete", `${outcome?.reason}: ${outcome?.detail} (${outcome?.step})`);
      assert.equal(outcome?.protocol, "iso20");
      assert.equal(outcome?.orderly, true);
      assert.equal(outcome?.sessionId.length, 8);
      assert.ok(s.seccClosed() !== undefined, "the SECC saw the connection end");
      assert.equal(s.secc.session.stopReason, "ev-terminate");
      assert.ok(s.vehicle.battery.soc >= 43 && s.vehicle.battery.soc > soc0, `SoC ${s.vehicle.battery.soc}`);
      assert.ok(s.meter.energyWh > 250, `${s.meter.energyWh} Wh`);
      const sent = s.trace.filter((e) => e.direction === "tx").map((e) => e.name);
      const dc = transfer.indexOf("dc") === 0;
      const order = dc
        ? ["SessionSetupReq", "AuthorizationSetupReq", "AuthorizationReq", "ServiceDiscoveryReq", "ServiceDetailReq", "ServiceSelectionReq", "DC_ChargeParameterDiscoveryReq", "ScheduleExchangeReq", "DC_CableCheckReq", "DC_PreChargeReq", "PowerDeliveryReq", "DC_ChargeLoopReq", "PowerDeliveryReq", "DC_WeldingDetectionReq", "SessionStopReq"]
        : ["SessionSetupReq", "AuthorizationSetupReq", "AuthorizationReq", "ServiceDiscoveryReq", "ServiceDetailReq", "ServiceSelectionReq", "AC_ChargeParameterDiscoveryReq", "ScheduleExchangeReq", "PowerDeliveryReq", "AC_ChargeLoopReq", "PowerDeliveryReq", "SessionStopReq"];
      const distinct = sent.filter((name, i) => i === 0 || name !== sent[i - 1]);
      assert.deepEqual(distinct.slice(1), order);
    });
  }

  test("one charger offering DIN, -2 and -20; a vehicle preferring -2 gets -2, one preferring -20 gets -20", () => {
    const iso2First = stack({ transfer: "dc", mode: "scheduled", evccProtocols: ["iso2", "iso20"] });
    assert.equal(run(iso2First)?.protocol, "iso2");
    const iso20First = stack({ transfer: "dc", mode: "scheduled", evccProtocols: ["iso20", "iso2"] });
    assert.equal(run(iso20First)?.protocol, "iso20");
    const iso2Only = stack({ transfer: "dc", mode: "scheduled", secc: { protocols: ["iso2", "din"] }, evccProtocols: ["iso20", "iso2"] });
    assert.equal(run(iso2Only)?.protocol, "iso2");
  });
});
