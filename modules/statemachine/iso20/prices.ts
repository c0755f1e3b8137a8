// ISO 15118-20 price schedules both ways: the charger's tariff as an AbsolutePriceSchedule or a
// PriceLevelSchedule (ScheduleExchangeRes, Scheduled: in each ChargingSchedule; Dynamic: in
// Dynamic_SEResControlMode), the EV's reading of either as price steps, and the EV's power
// profile planned on them (the cheapest intervals first, within the offered PowerSchedule).

import type * as cm from "../../exi/generated/iso20_cm/types";
import type { PriceSchedule } from "./config";
import { fromRational, rational } from "./rational";

/** A step of a schedule as the EV reads it: how long (s) and a number (W, or a price / level). */
export interface Step {
  readonly duration: number;
  readonly value: number;
}

/** The price algorithm of an AbsolutePriceSchedule whose rules price energy by power range (as the captures' charger sends). */
const PRICE_ALGORITHM_POWER = "urn:iso:std:iso:15118:-20:PriceAlgorithm:1-Power";

/** Each step's duration up to the next step's start (the last one to `total` s), at least 1 s. */
function durations(prices: PriceSchedule, total: number): number[] {
  const steps = prices.steps;
  const out: number[] = [];
  for (let i = 0; i < steps.length; i++) {
    const end = i + 1 < steps.length ? steps[i + 1].start : total;
    out.push(Math.max(1, Math.round(end - steps[i].start)));
  }
  return out;
}

/**
 * The charger's tariff as the element of a ChargingSchedule or Dynamic_SEResControlMode:
 * `{ AbsolutePriceSchedule }` (one PriceRuleStack per step with its energy fee from 0 W) or,
 * with `prices.kind` "levels", `{ PriceLevelSchedule }`: each step's level is the rank of its fee
 * among the distinct fees (0 = cheapest), NumberOfPriceLevels their count unless configured.
 */
export function priceScheduleElement(prices: PriceSchedule, anchor: bigint, total: number): { AbsolutePriceSchedule: cm.AbsolutePriceScheduleType } | { PriceLevelSchedule: cm.PriceLevelScheduleType } {
  const lengths = durations(prices, total);
  const steps = prices.steps;
  if (prices.kind === "levels") {
    const fees: number[] = [];
    for (let i = 0; i < steps.length; i++) if (fees.indexOf(steps[i].energyFee) < 0) fees.push(steps[i].energyFee);
    fees.sort((a, b) => a - b);
    const entries: cm.PriceLevelScheduleEntryType[] = [];
    for (let i = 0; i < steps.length; i++) entries.push({ Duration: lengths[i], PriceLevel: fees.indexOf(steps[i].energyFee) });
    return {
      PriceLevelSchedule: {
        TimeAnchor: anchor,
        PriceScheduleID: 1,
        NumberOfPriceLevels: Math.max(prices.numberOfLevels ?? 0, fees.length),
        PriceLevelScheduleEntries: { PriceLevelScheduleEntry: entries },
      },
    };
  }
  const stacks: cm.PriceRuleStackType[] = [];
  for (let i = 0; i < steps.length; i++) {
    stacks.push({ Duration: lengths[i], PriceRule: [{ EnergyFee: rational(steps[i].energyFee), PowerRangeStart: rational(0) }] });
  }
  return {
    AbsolutePriceSchedule: {
      TimeAnchor: anchor,
      PriceScheduleID: 1,
      Currency: prices.currency,
      Language: prices.language ?? "ENG",
      PriceAlgorithm: PRICE_ALGORITHM_POWER,
      PriceRuleStacks: { PriceRuleStack: stacks },
    },
  };
}

/**
 * The EV's reading of a charger's price schedule: steps of (duration s, price), where price is
 * the energy fee of the rule from 0 W (AbsolutePriceSchedule) or the level (PriceLevelSchedule;
 * higher = dearer). Only the order matters to the planner, so both read the same way.
 */
export function readPriceSchedule(holder: { AbsolutePriceSchedule?: cm.AbsolutePriceScheduleType; PriceLevelSchedule?: cm.PriceLevelScheduleType } | undefined): Step[] | undefined {
  const absolute = holder?.AbsolutePriceSchedule;
  if (absolute !== undefined) {
    const out: Step[] = [];
    for (const stack of absolute.PriceRuleStacks?.PriceRuleStack ?? []) out.push({ duration: stack.Duration, value: fromRational(stack.PriceRule?.[0]?.EnergyFee) });
    return out;
  }
  const levels = holder?.PriceLevelSchedule;
  if (levels !== undefined) {
    const out: Step[] = [];
    for (const entry of levels.PriceLevelScheduleEntries?.PriceLevelScheduleEntry ?? []) out.push({ duration: entry.Duration, value: entry.PriceLevel });
    return out;
  }
  return undefined;
}

/** The value of `steps` at `offset` s (the last step's beyond the end). */
function valueAt(steps: readonly Step[], offset: number): number {
  let start = 0;
  for (let i = 0; i < steps.length; i++) {
    if (offset < start + steps[i].duration) return steps[i].value;
    start += steps[i].duration;
  }
  return steps.length > 0 ? steps[steps.length - 1].value : 0;
}

/** The largest power ≤ `watts` that a RationalNumber (int16 × 10^e) carries exactly, so rounding never lifts it above the schedule. */
function floorRepresentable(watts: number): number {
  let scale = 1;
  while (watts / scale > 32767) scale *= 10;
  return Math.floor(watts / scale) * scale;
}

/**
 * An EVPowerProfile for Scheduled mode that buys the energy the EV needs in the cheapest
 * intervals first: the horizon (s) is cut where the PowerSchedule or the prices change; each
 * piece may take up to min(schedule power, the EV's maximum); pieces are filled in price order
 * (earlier first among equals) until `energyWh` is planned; the rest get 0 W. Entries in time
 * order, equal neighbours merged. Never above the schedule, so the SECC's check passes.
 */
export function planPowerProfile(schedule: readonly Step[], prices: readonly Step[], evMaxPower: number, energyWh: number, horizon: number): cm.PowerScheduleEntryType[] {
  const cuts: number[] = [0];
  const mark = (steps: readonly Step[]): void => {
    let t = 0;
    for (let i = 0; i < steps.length; i++) {
      t += steps[i].duration;
      if (t < horizon && cuts.indexOf(t) < 0) cuts.push(t);
    }
  };
  mark(schedule);
  mark(prices);
  cuts.sort((a, b) => a - b);
  const pieces: { start: number; duration: number; limit: number; price: number; power: number }[] = [];
  for (let i = 0; i < cuts.length; i++) {
    const end = i + 1 < cuts.length ? cuts[i + 1] : horizon;
    const limit = Math.max(0, Math.min(valueAt(schedule, cuts[i]), evMaxPower));
    pieces.push({ start: cuts[i], duration: end - cuts[i], limit, price: valueAt(prices, cuts[i]), power: 0 });
  }
  const order = pieces.slice().sort((a, b) => a.price - b.price || a.start - b.start);
  let left = energyWh;
  for (let i = 0; i < order.length && left > 0; i++) {
    const piece = order[i];
    const wh = (piece.limit * piece.duration) / 3600;
    const take = wh < left ? wh : left;
    piece.power = floorRepresentable((take * 3600) / piece.duration);
    left -= take;
  }
  const out: cm.PowerScheduleEntryType[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const last = out[out.length - 1];
    if (last !== undefined && fromRational(last.Power) === pieces[i].power) last.Duration += pieces[i].duration;
    else out.push({ Duration: pieces[i].duration, Power: rational(pieces[i].power) });
  }
  return out;
}
