// PhysicalValue helpers for the EVCC: numbers in SI units ⇄ {Multiplier, Unit, Value}.

/** DIN 70121 / ISO 15118-2 PhysicalValueType: Value is an xs:short scaled by 10^Multiplier. */
export interface PhysicalValue {
  Multiplier: number;
  Unit?: string;
  Value: number;
}

const SHORT_MAX = 32767;
const SHORT_MIN = -32768;

/**
 * Encodes `value` with the finest multiplier (−3..3) whose scaled value fits an xs:short,
 * so 398.5 V becomes {−1, V, 3985} and 150 000 W becomes {1, W, 15000}.
 * Values beyond 32767 × 10^3 saturate.
 */
export function physical<U extends string>(value: number, unit: U): PhysicalValue & { Unit: U } {
  for (let m = -1; m <= 3; m++) {
    const scaled = Math.round(value / Math.pow(10, m));
    if (scaled <= SHORT_MAX && scaled >= SHORT_MIN) {
      // Prefer multiplier 0 for whole values: what real cars send and easiest to read in traces.
      if (m < 0 && Number.isInteger(value) && value <= SHORT_MAX && value >= SHORT_MIN) {
        return { Multiplier: 0, Unit: unit, Value: value };
      }
      return { Multiplier: m, Unit: unit, Value: scaled };
    }
  }
  return { Multiplier: 3, Unit: unit, Value: value < 0 ? SHORT_MIN : SHORT_MAX };
}

/**
 * Like physical(), but the encoded value is never above `value` (it rounds down): for limits
 * that must not be exceeded, such as a ChargingProfile entry under its PMaxSchedule. A value that
 * came from a PhysicalValue comes back exactly. Values beyond ±32767 × 10^3 saturate at the ends of
 * the range (below −32768 × 10^3 no PhysicalValue is lower).
 */
export function physicalAtMost<U extends string>(value: number, unit: U): PhysicalValue & { Unit: U } {
  if (Number.isInteger(value) && value <= SHORT_MAX && value >= SHORT_MIN) return { Multiplier: 0, Unit: unit, Value: value };
  for (let m = -3; m <= 3; m++) {
    const exact = m >= 0 ? value / Math.pow(10, m) : value * Math.pow(10, -m);
    // 4.35 × 100 is 434.99999999999994 in binary floating point: snap what is an integer but for rounding.
    const nearest = Math.round(exact);
    const scaled = Math.abs(exact - nearest) <= 1e-9 * Math.max(1, Math.abs(exact)) ? nearest : Math.floor(exact);
    if (scaled <= SHORT_MAX && scaled >= SHORT_MIN) return { Multiplier: m, Unit: unit, Value: scaled };
  }
  return { Multiplier: 3, Unit: unit, Value: value < 0 ? SHORT_MIN : SHORT_MAX };
}

/** The value in SI units; undefined for an absent element. */
export function fromPhysical(pv: PhysicalValue | undefined): number | undefined {
  if (pv === undefined || pv === null) return undefined;
  const value = Number(pv.Value);
  const multiplier = Number(pv.Multiplier);
  if (!Number.isFinite(value) || !Number.isFinite(multiplier)) return undefined;
  // Multiply by the power of ten in whole steps to keep 3985 × 10^-1 at 398.5, not 398.50000000000006.
  return multiplier >= 0 ? value * Math.pow(10, multiplier) : value / Math.pow(10, -multiplier);
}
