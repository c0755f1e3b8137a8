// PhysicalValueType ⇄ numbers in SI units, for both sides (DIN 70121 and ISO 15118-2).

import type { PhysicalUnit, PhysicalValue, iso2 } from "./msg-types";

const SHORT_MAX = 32767;
const SHORT_MIN = -32768;

/**
 * `value` (SI units) as {Multiplier, Unit, Value}: multiplier 0 for whole numbers that fit an
 * xs:short (what real chargers send), else one decimal (−1) when it fits, else the smallest
 * positive multiplier that fits; saturates at ±32767 × 10^3.
 */
export function physical(value: number, unit: PhysicalUnit): iso2.PhysicalValueType {
  if (value === Math.round(value) && value <= SHORT_MAX && value >= SHORT_MIN) {
    return { Multiplier: 0, Unit: unit, Value: value };
  }
  const tenths = Math.round(value * 10);
  if (tenths <= SHORT_MAX && tenths >= SHORT_MIN) return { Multiplier: -1, Unit: unit, Value: tenths };
  let m = 1;
  let scaled = Math.round(value / 10);
  while ((scaled > SHORT_MAX || scaled < SHORT_MIN) && m < 3) {
    m++;
    scaled = Math.round(value / Math.pow(10, m));
  }
  if (scaled > SHORT_MAX) scaled = SHORT_MAX;
  if (scaled < SHORT_MIN) scaled = SHORT_MIN;
  return { Multiplier: m, Unit: unit, Value: scaled };
}

/** The value in SI units; `fallback` for an absent or malformed element. */
export function fromPhysical(pv: PhysicalValue | undefined, fallback = 0): number {
  if (pv === undefined || pv === null) return fallback;
  const value = Number(pv.Value);
  const m = Number(pv.Multiplier);
  if (!(value === value) || !(m === m)) return fallback; // NaN
  // Whole powers of ten keep 3985 × 10^-1 at 398.5 instead of 398.50000000000006.
  return m >= 0 ? value * Math.pow(10, m) : value / Math.pow(10, -m);
}
