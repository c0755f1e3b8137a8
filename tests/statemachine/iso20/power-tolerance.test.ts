// ISO 15118-20 PowerTolerance, both roles: a charger configured with config.iso20.powerTolerance
// offers it in the PowerSchedule; our EV confirms it (OK_PowerToleranceConfirmed) or, told not
// to, declines it: WARNING_PowerToleranceNotConfirmed, the loop asks ScheduleRenegotiation
// ([V2G20-1601]) and the new schedule comes without a tolerance, so the renegotiation ends.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DC20 } from "./support";
import { objectPair } from "./stack-support";

function run(accept: boolean) {
  const p = objectPair({ transfer: "dc", stopAfterLoops: 12, iso20: { acceptPowerTolerance: accept }, secc: { iso20: { ...DC20.iso20, powerTolerance: 1_000 } } });
  const acceptances: (string | undefined)[] = [];
  p.evcc.start();
  let seen: object | undefined;
  for (let i = 0; i < 20_000 && p.outcome() === undefined; i++) {
    p.clock.advance(10);
    const pd = p.last.get("PowerDeliveryReq");
    if (pd !== seen && pd?.EVPowerProfile !== undefined) acceptances.push(pd.EVPowerProfile.Scheduled_EVPPTControlMode?.PowerToleranceAcceptance);
    seen = pd;
  }
  return { p, acceptances, exchanges: p.sent.filter((s) => s.name === "ScheduleExchangeReq").length };
}

describe("ISO 15118-20 PowerTolerance", () => {
  test("offered and confirmed: one schedule, the EV says PowerToleranceConfirmed, charging goes on", () => {
    const { p, acceptances, exchanges } = run(true);
    assert.equal(p.outcome()?.reason, "user-stop", p.outcome()?.detail);
    assert.deepEqual(acceptances, ["PowerToleranceConfirmed"]);
    assert.equal(exchanges, 1);
    assert.equal(p.evcc.facts.iso20?.powerTolerance, 1_000);
  });

  test("declined: the charger renegotiates once and offers the next schedule without a tolerance", () => {
    const { p, acceptances, exchanges } = run(false);
    assert.equal(p.outcome()?.reason, "user-stop", p.outcome()?.detail);
    assert.deepEqual(acceptances, ["PowerToleranceNotConfirmed", undefined]);
    assert.equal(exchanges, 2);
    assert.equal(p.secc.context!.iso20!.toleranceDeclined, true);
  });
});
