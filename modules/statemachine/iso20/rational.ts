// RationalNumberType (ISO 15118-20 CommonTypes): Value (xs:short) × 10^Exponent (xs:byte), the
// -20 replacement of PhysicalValueType (no unit: the element name says W, A, V or Wh).

import type { RationalNumberType } from "../../exi/generated/iso20_cm/types";

export type Rational = RationalNumberType;

const SHORT_MAX = 32767;
const SHORT_MIN = -32768;
const POWERS_OF_TEN: readonly number[] = Object.freeze([1, 10, 100, 1000]);

/**
 * `value` as {Exponent, Value}: exponent 0 for whole numbers that fit an xs:short, else the
 * smallest negative exponent (down to −3) that keeps the value exact within a short, else the
 * smallest positive exponent that fits (saturating at ±32767 × 10^127).
 */
export function rational(value: number): Rational {
  // a whole number within a short (most loop values): `| 0` keeps exactly those (no call, for XS)
  if ((value | 0) === value && value <= SHORT_MAX && value >= SHORT_MIN) return { Exponent: 0, Value: value };
  if (!(value === value)) return { Exponent: 0, Value: 0 }; // NaN: no number to send
  if (value < SHORT_MAX && value > SHORT_MIN) {
    for (let e = 1; e <= 3; e++) {
      const scale = POWERS_OF_TEN[e]; // = Math.pow(10, e), without the call (the charge loop's present values come here)
      const scaled = Math.round(value * scale);
      if (scaled > SHORT_MAX || scaled < SHORT_MIN) return { Exponent: 1 - e, Value: Math.round(value * POWERS_OF_TEN[e - 1]) };
      if (e === 3 || Math.abs(scaled / scale - value) < 1e-9) return { Exponent: -e, Value: scaled };
    }
  }
  let e = 1;
  let scaled = Math.round(value / 10);
  while ((scaled > SHORT_MAX || scaled < SHORT_MIN) && e < 127) {
    e++;
    scaled = Math.round(value / Math.pow(10, e));
  }
  if (scaled > SHORT_MAX) scaled = SHORT_MAX;
  if (scaled < SHORT_MIN) scaled = SHORT_MIN;
  return { Exponent: e, Value: scaled };
}

/** The number a RationalNumber stands for; `fallback` for an absent or malformed one. */
export function fromRational(r: Rational | undefined, fallback = 0): number {
  if (r === undefined || r === null) return fallback;
  // the usual form (what the decoder gives: numbers; exponent 0) without conversions
  const v = r.Value;
  if (r.Exponent === 0 && typeof v === "number" && v === v) return v;
  const value = Number(r.Value);
  const e = Number(r.Exponent);
  if (!(value === value) || !(e === e)) return fallback;
  // Whole powers of ten keep 3516 × 10^-1 at 351.6 rather than 351.59999999999997.
  return e >= 0 ? value * Math.pow(10, e) : value / Math.pow(10, -e);
}

/** fromRational for an optional element: undefined when absent. */
export function optionalRational(r: Rational | undefined): number | undefined {
  return r === undefined || r === null ? undefined : fromRational(r);
}
