import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MemorySessionStore } from "../../../modules/statemachine/index";
import { collapse } from "./harness";
import { pair, run } from "./with-secc";

function names(p: ReturnType<typeof pair>): string[] {
  return collapse(p.trace.filter((e) => e.direction === "tx").map((e) => e.name));
}

describe("EVCC ⇄ SECC in memory (object level) with simulated vehicle and charger", () => {
  test("DIN 70121 DC: full session; the battery takes the energy the charger's meter counted", () => {
    const p = pair({ protocol: "din", mode: "DC_extended" });
    const soc0 = p.vehicle.battery.soc;
    const outcome = run(p);
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    assert.equal(outcome?.orderly, true);
    assert.equal(p.seccStop(), "ev-terminate");
    assert.deepEqual(names(p), [
      "SessionSetupReq",
      "ServiceDiscoveryReq",
      "ServicePaymentSelectionReq",
      "ContractAuthenticationReq*", // Ongoing until the charger's authorizer answers
      "ChargeParameterDiscoveryReq",
      "CableCheckReq*",
      "PreChargeReq*",
      "PowerDeliveryReq",
      "CurrentDemandReq*",
      "PowerDeliveryReq",
      "WeldingDetectionReq*",
      "SessionStopReq",
    ]);
    const soc = p.vehicle.battery.soc;
    assert.ok(soc >= 65 && soc < 66, `SoC ${soc0} → ${soc}`);
    const delivered = p.meter.energyWh;
    const inlet = p.vehicle.inletWh;
    assert.ok(delivered > 480 && delivered < 600, `meter ${delivered} Wh`);
    assert.ok(Math.abs(inlet - delivered) / delivered < 0.05, `inlet ${inlet} Wh vs meter ${delivered} Wh`);
    assert.ok(p.vehicle.peakCurrent > 100, `peak ${p.vehicle.peakCurrent} A`);
  });

  test("ISO 15118-2 DC: full session, SessionStop Terminate, energy and SoC consistent", () => {
    const p = pair({ protocol: "iso2", mode: "DC_extended" });
    const outcome = run(p);
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    assert.equal(p.seccStop(), "ev-terminate");
    assert.ok(names(p).indexOf("AuthorizationReq*") > 0);
    assert.ok(p.vehicle.battery.soc >= 65);
    const delivered = p.meter.energyWh;
    assert.ok(Math.abs(p.vehicle.inletWh - delivered) / delivered < 0.05, `inlet ${p.vehicle.inletWh} vs meter ${delivered}`);
    // Stored energy < energy at the inlet: the I²R losses of the pack.
    assert.ok(p.vehicle.battery.storedWh < p.vehicle.inletWh);
  });

  test("ISO 15118-2 AC: full session; the on-board charger draws 16 A per phase once the contactor closed", () => {
    const p = pair({ protocol: "iso2", mode: "AC_three_phase_core" });
    const outcome = run(p);
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    assert.equal(p.seccStop(), "ev-terminate");
    assert.deepEqual(names(p), [
      "SessionSetupReq",
      "ServiceDiscoveryReq",
      "PaymentServiceSelectionReq",
      "AuthorizationReq*",
      "ChargeParameterDiscoveryReq",
      "PowerDeliveryReq",
      "ChargingStatusReq*",
      "PowerDeliveryReq",
      "SessionStopReq",
    ]);
    assert.ok(p.vehicle.battery.soc >= 65);
    const delivered = p.meter.energyWh;
    assert.ok(delivered > 500 && delivered < 650, `meter ${delivered} Wh`);
    assert.ok(Math.abs(p.vehicle.inletWh - delivered) / delivered < 0.05, `inlet ${p.vehicle.inletWh} vs meter ${delivered}`);
    // 0.92 efficiency between the AC inlet and the battery.
    assert.ok(p.vehicle.battery.terminalWh < p.vehicle.inletWh * 0.95);
    assert.equal(p.ac?.closed, false, "the charger opened its contactor at the end");
  });

  test("the charger stops (stop-charging control) → the EVCC winds down in order: evse-stop", () => {
    const p = pair({ protocol: "iso2", mode: "DC_extended", vehicle: { targetSoc: 100 } });
    p.evcc.start();
    p.clock.advance(30_000);
    assert.equal(p.evcc.step, "CurrentDemand");
    p.secc.control({ kind: "stop-charging" });
    p.clock.advance(10_000);
    assert.equal(p.evccOutcome()?.reason, "evse-stop");
    assert.equal(p.evccOutcome()?.orderly, true);
    assert.equal(p.seccStop(), "ev-terminate");
  });

  test("ISO-2 pause and resume across two TCP connections: the SECC re-joins the paused session", () => {
    const store = new MemorySessionStore();
    const first = pair({ protocol: "iso2", mode: "DC_extended", store, vehicle: { targetSoc: 100 } });
    first.evcc.start();
    first.clock.advance(20_000);
    first.evcc.pause();
    first.clock.advance(10_000);
    const paused = first.evccOutcome();
    assert.equal(paused?.reason, "paused");
    assert.equal(first.seccStop(), "ev-pause");
    const soc = first.vehicle.battery.soc;

    const second = pair({
      protocol: "iso2",
      mode: "DC_extended",
      store,
      clock: first.clock,
      config: { resumeSessionId: paused!.sessionId },
      vehicle: { battery: { capacityKWh: 10, soc, maxCurrent: 125 }, targetSoc: soc + 2 },
    });
    const outcome = run(second);
    assert.equal(second.evcc.facts.resumed, true, "OK_OldSessionJoined");
    assert.deepEqual([...second.evcc.facts.sessionId], [...paused!.sessionId]);
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    assert.ok(second.vehicle.battery.soc >= soc + 2);
  });

  test("a user stop before authorization finished → SessionStop; both sides agree the session ended", () => {
    const p = pair({ protocol: "din", mode: "DC_extended" });
    p.evcc.start();
    p.clock.advance(30);
    p.evcc.stop();
    p.clock.advance(5_000);
    assert.equal(p.evccOutcome()?.reason, "user-stop");
    assert.ok(p.seccStop() !== undefined);
  });
});

describe("EVCC ⇄ SECC: ISO-2 renegotiation", () => {
  test("the charger asks to renegotiate (DC): the EVCC renegotiates, repeats CableCheck and PreCharge, and charges on", () => {
    const p = pair({ protocol: "iso2", mode: "DC_extended", vehicle: { targetSoc: 66 } });
    p.evcc.start();
    while (p.evcc.step !== "CurrentDemand") p.clock.advance(100);
    p.clock.advance(5_000);
    p.secc.control({ kind: "renegotiate" });
    for (let i = 0; i < 3600 && !p.evcc.ended; i++) p.clock.advance(1000);
    assert.equal(p.evccOutcome()?.reason, "charging-complete", p.evccOutcome()?.detail);
    const sent = names(p);
    const pd = p.trace.filter((e) => e.direction === "tx" && e.name === "PowerDeliveryReq").map((e) => e.values.progress);
    assert.deepEqual(pd, ["Start", "Renegotiate", "Start", "Stop"]);
    assert.equal(sent.filter((n) => n.indexOf("ChargeParameterDiscoveryReq") === 0).length, 2);
    assert.ok(p.vehicle.battery.soc >= 66);
  });

  test("the EV renegotiates (AC) with our SECC", () => {
    const p = pair({ protocol: "iso2", mode: "AC_three_phase_core", vehicle: { targetSoc: 66 } });
    p.evcc.start();
    while (p.evcc.step !== "ChargingStatus") p.clock.advance(100);
    p.clock.advance(3_000);
    p.evcc.renegotiate();
    for (let i = 0; i < 3600 && !p.evcc.ended; i++) p.clock.advance(1000);
    assert.equal(p.evccOutcome()?.reason, "charging-complete", p.evccOutcome()?.detail);
    const pd = p.trace.filter((e) => e.direction === "tx" && e.name === "PowerDeliveryReq").map((e) => e.values.progress);
    assert.deepEqual(pd, ["Start", "Renegotiate", "Start", "Stop"]);
  });
});
