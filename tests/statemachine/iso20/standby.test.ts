// ISO 15118-20 Standby asked by the EV, both roles in memory (EvccConnection ⇄ SeccConnection
// with the simulated hardware): PowerDelivery(Standby) stops the power while the loop goes on,
// PowerDelivery(Start) (the EV's own wish, or the charger's EVSENotification ExitStandby)
// brings it back; a charger that does not allow standby answers WARNING_StandbyNotAllowed and
// the EV charges on.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { run, stack } from "./stack-support";

function progress(s: ReturnType<typeof stack>): string[] {
  return s.trace.filter((e) => e.direction === "tx" && e.name === "PowerDeliveryReq").map((e) => String(e.values.progress));
}

function loopsWhile(s: ReturnType<typeof stack>, ms: number): number {
  const before = s.trace.filter((e) => e.direction === "tx" && e.name.endsWith("_ChargeLoopReq")).length;
  s.clock.advance(ms);
  return s.trace.filter((e) => e.direction === "tx" && e.name.endsWith("_ChargeLoopReq")).length - before;
}

describe("ISO 15118-20: the EV goes to Standby and back", () => {
  for (const transfer of ["dc", "ac"] as const) {
    test(`${transfer}: standby(true) → PowerDelivery(Standby), the loop goes on without power; standby(false) → PowerDelivery(Start), charging to the end`, () => {
      const s = stack({ transfer, mode: "scheduled", targetSoc: 45 });
      while (s.evcc.session?.step !== "ChargeLoop") s.clock.advance(100);
      s.clock.advance(3_000);
      const rec = s.secc.session.context!.iso20!;
      s.evcc.standby(true);
      assert.ok(loopsWhile(s, 2_000) > 4, "the loop goes on in standby");
      assert.equal(rec.standby, true);
      assert.equal(s.evcc.session?.facts.iso20?.standby, true);
      if (transfer === "dc") assert.equal(s.secc.session.context!.ev.targetCurrent, 0);
      else assert.equal(rec.targetPower, 0);
      const energy = s.meter.energyWh;
      s.clock.advance(10_000);
      assert.ok(s.meter.energyWh - energy < 1, `${s.meter.energyWh - energy} Wh in standby`);
      s.evcc.standby(false);
      s.clock.advance(2_000);
      assert.equal(rec.standby, false);
      const outcome = run(s);
      assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
      assert.deepEqual(progress(s), ["Start", "Standby", "Start", "Stop"]);
      assert.equal(s.secc.session.stopReason, "ev-terminate");
    });
  }

  test("the charger's EVSENotification ExitStandby brings the EV out of standby; the notification stops once it has", () => {
    const s = stack({ transfer: "dc", mode: "dynamic", targetSoc: 45 });
    while (s.evcc.session?.step !== "ChargeLoop") s.clock.advance(100);
    s.evcc.standby(true);
    s.clock.advance(2_000);
    assert.equal(s.secc.session.context!.iso20!.standby, true);
    s.secc.session.control({ kind: "evse-notification", notification: "ExitStandby" });
    s.clock.advance(2_000);
    assert.equal(s.secc.session.context!.iso20!.standby, false);
    assert.equal(s.evcc.session?.facts.iso20?.standby, false);
    const told = s.trace.filter((e) => e.direction === "rx" && e.values.notification === "ExitStandby").length;
    s.clock.advance(2_000);
    assert.equal(s.trace.filter((e) => e.direction === "rx" && e.values.notification === "ExitStandby").length, told);
    const outcome = run(s);
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    assert.deepEqual(progress(s), ["Start", "Standby", "Start", "Stop"]);
  });

  test("a charger that does not allow standby answers WARNING_StandbyNotAllowed; the EV charges on", () => {
    const s = stack({ transfer: "dc", mode: "scheduled", targetSoc: 45, secc: { iso20: { discharge: { maxPower: 11_000, maxCurrent: 30 }, standbyAllowed: false } } });
    while (s.evcc.session?.step !== "ChargeLoop") s.clock.advance(100);
    s.evcc.standby(true);
    s.clock.advance(2_000);
    assert.equal(s.evcc.session?.facts.iso20?.standby, false);
    assert.ok(s.trace.some((e) => e.direction === "rx" && e.name === "PowerDeliveryRes" && e.values.code === "WARNING_StandbyNotAllowed"));
    const outcome = run(s);
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    assert.deepEqual(progress(s), ["Start", "Standby", "Stop"]);
  });
});
