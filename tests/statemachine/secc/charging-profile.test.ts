// SECC: the EV's ChargingProfile in PowerDeliveryReq(Start) against the offered PMaxSchedule,
// and a charger that insists on one (config.requireChargingProfile), DIN and ISO-2 handlers.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Millis } from "../../../modules/common/index";
import { initialEvseFacts } from "../../../modules/statemachine/index";
import type { SeccConfig, SeccFacts } from "../../../modules/statemachine/index";
import { newContext } from "../../../modules/statemachine/secc/context";
import { handle as dinPowerDelivery } from "../../../modules/statemachine/din/secc-power-delivery";
import { handle as iso2PowerDelivery } from "../../../modules/statemachine/iso2/secc-power-delivery";
import { DC_CONFIG, pv } from "./support";

function facts(config: SeccConfig): SeccFacts {
  return { config, evse: { ...initialEvseFacts(config) }, now: Millis(0) };
}

function code(result: ReturnType<typeof iso2PowerDelivery>): string {
  return (result.body.PowerDeliveryRes as { ResponseCode: string }).ResponseCode;
}

/** 50 kW for the first hour, 22 kW for the second. */
const STEPS: SeccConfig = {
  ...DC_CONFIG,
  pmaxSchedule: [
    { start: 0, power: 50_000 },
    { start: 3600, power: 22_000 },
  ],
  scheduleDuration: 7200,
};

const iso2Entry = (start: number, kw: number) => ({ ChargingProfileEntryStart: start, ChargingProfileEntryMaxPower: pv(kw, "W", 3) });

describe("SECC PowerDeliveryReq(Start): ChargingProfile", () => {
  test("ISO-2 without a profile: OK by default, FAILED_ChargingProfileInvalid with requireChargingProfile", () => {
    assert.equal(code(iso2PowerDelivery({ ChargeProgress: "Start", SAScheduleTupleID: 1 }, newContext("iso2"), facts(STEPS))), "OK");
    const r = iso2PowerDelivery({ ChargeProgress: "Start", SAScheduleTupleID: 1 }, newContext("iso2"), facts({ ...STEPS, requireChargingProfile: true }));
    assert.equal(r.kind, "stop");
    assert.equal(code(r), "FAILED_ChargingProfileInvalid");
    // Only Start needs one: Stop and Renegotiate go through.
    const ctx = newContext("iso2");
    ctx.charging = true;
    assert.equal(code(iso2PowerDelivery({ ChargeProgress: "Stop", SAScheduleTupleID: 1 }, ctx, facts({ ...STEPS, requireChargingProfile: true }))), "OK");
  });

  test("ISO-2: each entry is checked against the PMax where it starts; one running on past a drop is accepted, as real cars send", () => {
    const config = { ...STEPS, requireChargingProfile: true };
    // 50 kW from 0 to the end although the schedule falls to 22 kW at 3600 s: VW ID.3/ID.4 and
    // Skoda Enyaq send such profiles (one 11 kW entry, schedule 7 kW after 12 h) and chargers accept them.
    const r = iso2PowerDelivery({ ChargeProgress: "Start", SAScheduleTupleID: 1, ChargingProfile: { ProfileEntry: [iso2Entry(0, 50)] } }, newContext("iso2"), facts(config));
    assert.equal(code(r), "OK");
    const ok = iso2PowerDelivery({ ChargeProgress: "Start", SAScheduleTupleID: 1, ChargingProfile: { ProfileEntry: [iso2Entry(0, 50), iso2Entry(3600, 22)] } }, newContext("iso2"), facts(config));
    assert.equal(code(ok), "OK");
    const above = iso2PowerDelivery({ ChargeProgress: "Start", SAScheduleTupleID: 1, ChargingProfile: { ProfileEntry: [iso2Entry(0, 50), iso2Entry(3600, 23)] } }, newContext("iso2"), facts(config));
    assert.equal(code(above), "FAILED_ChargingProfileInvalid");
    const late = iso2PowerDelivery({ ChargeProgress: "Start", SAScheduleTupleID: 1, ChargingProfile: { ProfileEntry: [iso2Entry(0, 22), iso2Entry(7300, 1)] } }, newContext("iso2"), facts(config));
    assert.equal(code(late), "FAILED_ChargingProfileInvalid", "an entry after the schedule ends");
  });

  test("DIN: a profile above the schedule where an entry starts (PMax as the EV saw it, ≤ 32767 W), after its end, or none where required → FAILED_ChargingProfileInvalid", () => {
    const profile = (...entries: [number, number][]) => ({ SAScheduleTupleID: 1, ProfileEntry: entries.map(([start, w]) => ({ ChargingProfileEntryStart: start, ChargingProfileEntryMaxPower: w })) });
    const f = facts({ ...STEPS, requireChargingProfile: true });
    assert.equal(code(dinPowerDelivery({ ReadyToChargeState: true }, newContext("din"), f)), "FAILED_ChargingProfileInvalid");
    assert.equal(code(dinPowerDelivery({ ReadyToChargeState: true }, newContext("din"), facts(STEPS))), "OK");
    assert.equal(code(dinPowerDelivery({ ReadyToChargeState: true, ChargingProfile: profile([0, 32767], [3600, 22000]) }, newContext("din"), f)), "OK");
    assert.equal(code(dinPowerDelivery({ ReadyToChargeState: true, ChargingProfile: profile([0, 32767], [3600, 23000]) }, newContext("din"), f)), "FAILED_ChargingProfileInvalid");
    assert.equal(code(dinPowerDelivery({ ReadyToChargeState: true, ChargingProfile: profile([0, 20000], [1800, 30000]) }, newContext("din"), f)), "OK");
    assert.equal(code(dinPowerDelivery({ ReadyToChargeState: true, ChargingProfile: profile([0, 20000], [7300, 100]) }, newContext("din"), f)), "FAILED_ChargingProfileInvalid");
    // Stop needs none.
    const ctx = newContext("din");
    ctx.charging = true;
    assert.equal(code(dinPowerDelivery({ ReadyToChargeState: false }, ctx, f)), "OK");
  });
});
