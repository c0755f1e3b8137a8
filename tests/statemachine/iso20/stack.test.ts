// ISO 15118-20 end to end in memory: EvccConnection ⇄ SeccConnection over paired streams on a
// ManualClock (SAP, V2GTP with the -20 payload types, EXI with the CommonMessages/DC/AC
// schemas, both state machines), with the simulated vehicle and charger hardware.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Iso20ControlMode, Iso20Transfer } from "../../../modules/statemachine/iso20/services";
import { MemorySessionStore } from "../../../modules/statemachine/index";
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

  for (const [transfer, mode] of [["dc", "scheduled"], ["ac_bpt", "dynamic"]] as [Iso20Transfer, Iso20ControlMode][]) {
    test(`${transfer} ${mode}: paused in the charge loop and resumed over a new connection, the session goes on at *_ChargeParameterDiscovery (no authorization, no service steps) and charges to the target ([V2G20-1032], [V2G20-1844])`, () => {
      const store = new MemorySessionStore();
      const first = stack({ transfer, mode, store, targetSoc: 90 });
      const dc = transfer.indexOf("dc") === 0;
      const loop = dc ? "DC_ChargeLoopReq" : "AC_ChargeLoopReq";
      for (let i = 0; i < 600 && !first.trace.some((e) => e.direction === "tx" && e.name === loop); i++) first.clock.advance(100);
      first.clock.advance(5_000);
      first.evcc.pause();
      for (let i = 0; i < 300 && !first.outcome(); i++) first.clock.advance(100);
      const paused = first.outcome();
      assert.equal(paused?.reason, "paused", JSON.stringify(paused));
      assert.equal(first.secc.session.stopReason, "ev-pause");

      // A new vehicle model (40 % again, target 43 %) over a new connection, the paused session's ID.
      const second = stack({ transfer, mode, store, clock: first.clock, resumeSessionId: paused!.sessionId });
      const soc = second.vehicle.battery.soc;
      const outcome = run(second);
      assert.equal(outcome?.reason, "charging-complete", `${outcome?.reason}: ${outcome?.detail} (${outcome?.step})`);
      assert.deepEqual([...outcome!.sessionId], [...paused!.sessionId], "the same SessionID");
      const setup = second.trace.find((e) => e.direction === "rx" && e.name === "SessionSetupRes");
      assert.equal(setup?.values?.code, "OK_OldSessionJoined", JSON.stringify(setup));
      const sent = second.trace.filter((e) => e.direction === "tx").map((e) => e.name);
      const distinct = sent.filter((name, i) => i === 0 || name !== sent[i - 1]);
      assert.deepEqual(distinct.slice(1, 3), ["SessionSetupReq", dc ? "DC_ChargeParameterDiscoveryReq" : "AC_ChargeParameterDiscoveryReq"]);
      for (const skipped of ["AuthorizationSetupReq", "AuthorizationReq", "ServiceDiscoveryReq", "ServiceDetailReq", "ServiceSelectionReq"]) assert.ok(sent.indexOf(skipped) < 0, `${skipped} after a resume`);
      assert.ok(second.vehicle.battery.soc > soc, `SoC ${soc} → ${second.vehicle.battery.soc}`);
      assert.equal(second.secc.session.stopReason, "ev-terminate");
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
