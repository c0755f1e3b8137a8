// ISO 15118-20 price schedules: the charger's tariff as an AbsolutePriceSchedule or a
// PriceLevelSchedule in ScheduleExchangeRes (through the EXI codec), the EV reading either, and
// a price-aware EV planning its EVPowerProfile on the cheap intervals, which the charger
// accepts against the selected ScheduleTuple.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { planPowerProfile } from "../../../modules/statemachine/iso20/prices";
import { fromRational } from "../../../modules/statemachine/iso20/rational";
import type { PriceSchedule } from "../../../modules/statemachine/iso20/config";
import { AC20, DC20, iso20Ev, r, setUpTo } from "./support";
import { objectPair } from "./stack-support";

const HOUR = 3600;
/** Dear for the first hour, cheap the second, middling after. */
const TARIFF: PriceSchedule = { currency: "EUR", steps: [{ start: 0, energyFee: 0.4 }, { start: HOUR, energyFee: 0.2 }, { start: 2 * HOUR, energyFee: 0.3 }] };

function entries(list: { Duration: number; Power: { Exponent: number; Value: number } }[]): [number, number][] {
  return list.map((e) => [e.Duration, fromRational(e.Power)]);
}

describe("ISO 15118-20 price schedules: the charger", () => {
  test("PriceLevelSchedule: each step's level is the rank of its fee (0 = cheapest); Pricing = 2 in the parameter sets", () => {
    const ev = iso20Ev({ ...AC20, iso20: { ...AC20.iso20, prices: { ...TARIFF, kind: "levels" } } });
    const detail = setUpTo(ev, 1, 1);
    const pricing = detail.ServiceParameterList.ParameterSet[0].Parameter.find((p: { Name: string }) => p.Name === "Pricing");
    assert.equal(pricing.intValue, 2);
    ev.ok("AC_ChargeParameterDiscoveryReq", { AC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(11, 3), EVMinimumChargePower: r(0) } });
    const se = ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 24, Scheduled_SEReqControlMode: {} });
    const schedule = se.Scheduled_SEResControlMode.ScheduleTuple[0].ChargingSchedule;
    assert.equal(schedule.AbsolutePriceSchedule, undefined);
    assert.equal(schedule.PriceLevelSchedule.NumberOfPriceLevels, 3);
    const levels = schedule.PriceLevelSchedule.PriceLevelScheduleEntries.PriceLevelScheduleEntry.map((e: { Duration: number; PriceLevel: number }) => [e.Duration, e.PriceLevel]);
    assert.deepEqual(levels, [
      [HOUR, 2],
      [HOUR, 0],
      [86400 - 2 * HOUR, 1],
    ]);
  });
});

/** Runs the pair to its end; returns the power profile of the EV's first PowerDelivery(Start) as (s, W). */
function runForProfile(p: ReturnType<typeof objectPair>): [number, number][] | undefined {
  let first: [number, number][] | undefined;
  p.evcc.start();
  for (let i = 0; i < 20_000 && p.outcome() === undefined; i++) {
    p.clock.advance(10);
    const profile = p.last.get("PowerDeliveryReq")?.EVPowerProfile;
    if (first === undefined && profile !== undefined) first = entries(profile.EVPowerProfileEntries.EVPowerProfileEntry);
  }
  return first;
}

describe("ISO 15118-20 price schedules: the charger's inputs at run time", () => {
  test("the site's tariff (ControlEvent prices) and the operator's PMax steps (ControlEvent schedule) go into the next ScheduleExchangeRes", () => {
    const ev = iso20Ev({ ...DC20, iso20: { ...DC20.iso20, prices: TARIFF } });
    setUpTo(ev, 2, 1);
    ev.ok("DC_ChargeParameterDiscoveryReq", {
      DC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(50, 3), EVMinimumChargePower: r(0), EVMaximumChargeCurrent: r(125), EVMinimumChargeCurrent: r(0), EVMaximumVoltage: r(450), EVMinimumVoltage: r(200) },
    });
    ev.control({ kind: "prices", prices: { currency: "EUR", steps: [{ start: 0, energyFee: 0.1 }, { start: 1800, energyFee: 0.5 }] } });
    ev.control({ kind: "schedule", steps: [{ start: 0, power: 22_000 }, { start: 1800, power: 11_000 }] });
    const se = ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: {} });
    const schedule = se.Scheduled_SEResControlMode.ScheduleTuple[0].ChargingSchedule;
    const fees = schedule.AbsolutePriceSchedule.PriceRuleStacks.PriceRuleStack.map((stack: any) => [stack.Duration, fromRational(stack.PriceRule[0].EnergyFee)]);
    assert.deepEqual(fees, [
      [1800, 0.1],
      [86400 - 1800, 0.5],
    ]);
    assert.deepEqual(entries(schedule.PowerSchedule.PowerScheduleEntries.PowerScheduleEntry), [
      [1800, 22_000],
      [86400 - 1800, 11_000],
    ]);
  });
});

describe("ISO 15118-20 price schedules: the EV's power profile", () => {
  test("planPowerProfile buys the energy in the cheapest intervals first, never above the schedule", () => {
    const schedule = [{ duration: 4 * HOUR, value: 11_000 }];
    const prices = [
      { duration: HOUR, value: 0.4 },
      { duration: HOUR, value: 0.2 },
      { duration: 2 * HOUR, value: 0.3 },
    ];
    // 10 kWh at up to 7 kW: 7 kWh in the cheap hour, 3 kWh over the two middling ones, none in the dear one.
    assert.deepEqual(entries(planPowerProfile(schedule, prices, 7_000, 10_000, 4 * HOUR)), [
      [HOUR, 0],
      [HOUR, 7_000],
      [2 * HOUR, 1_500],
    ]);
    // The schedule's own steps bound each piece: 2 kW in the cheap hour leaves more for later.
    const stepped = [
      { duration: HOUR, value: 11_000 },
      { duration: HOUR, value: 2_000 },
      { duration: 2 * HOUR, value: 11_000 },
    ];
    assert.deepEqual(entries(planPowerProfile(stepped, prices, 7_000, 10_000, 4 * HOUR)), [
      [HOUR, 0],
      [HOUR, 2_000],
      [2 * HOUR, 4_000],
    ]);
    // Large powers are rounded down to what a RationalNumber carries exactly.
    for (const [, watts] of entries(planPowerProfile([{ duration: HOUR, value: 150_000 }], [{ duration: HOUR, value: 1 }], 150_000, 45_678, HOUR))) assert.ok(watts <= 45_678);
  });

  for (const kind of ["absolute", "levels"] as const) {
    test(`a price-aware EV reads the charger's ${kind} prices and plans on them; the charger accepts the profile`, () => {
      const p = objectPair({
        transfer: "dc",
        stopAfterLoops: 3,
        iso20: { priceAware: true },
        secc: { iso20: { ...DC20.iso20, prices: { ...TARIFF, kind } }, scheduleDuration: 4 * HOUR },
      });
      const profile = runForProfile(p);
      assert.equal(p.outcome()?.reason, "user-stop", p.outcome()?.detail);
      assert.deepEqual(
        p.evcc.facts.iso20?.prices?.map((step) => step.duration),
        [HOUR, HOUR, 2 * HOUR],
      );
      assert.ok(profile !== undefined && profile.length > 1, "a planned profile, not one flat entry");
      assert.ok(p.sent.some((s) => s.name === "DC_ChargeLoopReq"), "the charger accepted the profile and the loop ran");
    });
  }

  test("the planned profile leaves the dear hour empty (what the charger received)", () => {
    const p = objectPair({
      transfer: "ac",
      stopAfterLoops: 2,
      iso20: { priceAware: true },
      secc: { iso20: { ...AC20.iso20, prices: TARIFF }, scheduleDuration: 4 * HOUR },
    });
    const first = runForProfile(p);
    assert.ok(first !== undefined && first.length >= 2, JSON.stringify(first));
    assert.equal(first![0][0], HOUR);
    assert.equal(first![0][1], 0);
    assert.ok(first![1][1] > 0);
  });
});
