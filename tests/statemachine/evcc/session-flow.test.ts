import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { collapse, runToEnd, setup } from "./harness";

describe("EVCC full sessions against a scripted SECC", () => {
  test("DIN DC: SessionSetup … CurrentDemand loop … WeldingDetection, SessionStop; battery gains energy", () => {
    const run = setup({ protocol: "din", mode: "DC_extended" });
    const outcome = runToEnd(run);
    assert.ok(outcome);
    assert.equal(outcome.reason, "charging-complete");
    assert.equal(outcome.orderly, true);
    assert.equal(outcome.paused, false);
    assert.deepEqual(collapse(run.names()), [
      "SessionSetupReq",
      "ServiceDiscoveryReq",
      "ServicePaymentSelectionReq",
      "ContractAuthenticationReq",
      "ChargeParameterDiscoveryReq",
      "CableCheckReq",
      "PreChargeReq*",
      "PowerDeliveryReq",
      "CurrentDemandReq*",
      "PowerDeliveryReq",
      "WeldingDetectionReq*",
      "SessionStopReq",
    ]);
    const body = (i: number) => Object.values(run.sent[i].V2G_Message.Body)[0] as any;
    const pd = run.sent.map((d, i) => [Object.keys(d.V2G_Message.Body)[0], i] as const).filter(([n]) => n === "PowerDeliveryReq");
    assert.equal(body(pd[0][1]).ReadyToChargeState, true);
    assert.equal(body(pd[1][1]).ReadyToChargeState, false);
    // SessionSetupReq carries SessionID 0, later requests the SECC's SessionID.
    assert.deepEqual([...run.sent[0].V2G_Message.Header.SessionID], [0]);
    assert.deepEqual([...run.sent[1].V2G_Message.Header.SessionID], [...run.secc.sessionId]);
    assert.ok(run.vehicle.battery.soc >= 75, `SoC ${run.vehicle.battery.soc}`);
    assert.ok(run.vehicle.battery.storedWh > 450 && run.vehicle.battery.storedWh < 560, `stored ${run.vehicle.battery.storedWh} Wh`);
    assert.deepEqual(run.pilot, ["C", "B"]);
    assert.deepEqual(run.contactors, [true, false]);
    assert.equal(run.vehicle.contactorsClosed, false);
  });

  test("ISO-2 DC: the same sequence with Authorization and PaymentServiceSelection; SessionStop Terminate", () => {
    const run = setup({ protocol: "iso2", mode: "DC_extended" });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "charging-complete");
    assert.deepEqual(collapse(run.names()), [
      "SessionSetupReq",
      "ServiceDiscoveryReq",
      "PaymentServiceSelectionReq",
      "AuthorizationReq",
      "ChargeParameterDiscoveryReq",
      "CableCheckReq",
      "PreChargeReq*",
      "PowerDeliveryReq",
      "CurrentDemandReq*",
      "PowerDeliveryReq",
      "WeldingDetectionReq*",
      "SessionStopReq",
    ]);
    const last = run.sent[run.sent.length - 1].V2G_Message.Body.SessionStopReq as any;
    assert.equal(last.ChargingSession, "Terminate");
    const starts = run.sent.filter((d) => d.V2G_Message.Body.PowerDeliveryReq).map((d) => (d.V2G_Message.Body.PowerDeliveryReq as any).ChargeProgress);
    assert.deepEqual(starts, ["Start", "Stop"]);
    assert.ok(run.vehicle.battery.soc >= 75);
  });

  test("ISO-2 AC: ChargingStatus loop; the on-board charger draws the EVSE's current in state C", () => {
    const run = setup({ protocol: "iso2", mode: "AC_three_phase_core" });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "charging-complete");
    assert.deepEqual(collapse(run.names()), [
      "SessionSetupReq",
      "ServiceDiscoveryReq",
      "PaymentServiceSelectionReq",
      "AuthorizationReq",
      "ChargeParameterDiscoveryReq",
      "PowerDeliveryReq",
      "ChargingStatusReq*",
      "PowerDeliveryReq",
      "SessionStopReq",
    ]);
    const cpd = run.sent[4].V2G_Message.Body.ChargeParameterDiscoveryReq as any;
    assert.equal(cpd.RequestedEnergyTransferMode, "AC_three_phase_core");
    assert.ok(cpd.AC_EVChargeParameter.EAmount);
    assert.deepEqual(run.pilot, ["C", "B"]);
    assert.deepEqual(run.contactors, []);
    // 3 × 16 A × 230 V × 0.92 ≈ 10.2 kW: 5 % of 10 kWh takes about 3 minutes.
    assert.ok(run.vehicle.battery.soc >= 75);
    assert.ok(run.vehicle.inletWh > 500 && run.vehicle.inletWh < 620, `inlet ${run.vehicle.inletWh}`);
    assert.ok(run.clock.now() > 150_000 && run.clock.now() < 300_000, `took ${run.clock.now()} ms`);
  });

  test("the trace carries key values: SoC and targets out, present voltage and current in", () => {
    const run = setup({ protocol: "din", mode: "DC_extended" });
    runToEnd(run);
    const tx = run.trace.find((e) => e.direction === "tx" && e.name === "CurrentDemandReq");
    const rx = run.trace.find((e) => e.direction === "rx" && e.name === "CurrentDemandRes");
    assert.ok(tx && typeof tx.values.soc === "number" && typeof tx.values.targetCurrent === "number" && typeof tx.values.targetVoltage === "number");
    assert.ok(rx && typeof rx.values.presentVoltage === "number" && typeof rx.values.presentCurrent === "number");
    assert.equal(rx.values.code, "OK");
  });
});
