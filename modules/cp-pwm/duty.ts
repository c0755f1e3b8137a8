// Duty cycle ↔ current, both directions, per IEC 61851-1 Annex A, Table A.7 (EVSE) / A.8 (EV).
//
// Work in permille (tenths of a percent) internally so that rounding is exact integer work:
// the charger floors to 0.1 %, so the advertised current never exceeds the configured limit
// (32 A → 53.3 % → 31.98 A as read by the vehicle).

import { CpPwmError } from "./errors";

/** The duty the charger sends to require digital communication (IEC 61851-1 A.2.3, ISO 15118-3). */
export const DIGITAL_COMMUNICATION_DUTY = 5;

/** Lowest current the PWM can advertise: 8..10 % reads as 6 A (Table A.8). */
export const MIN_PWM_CURRENT = 6;

/** Highest current the PWM can advertise: 96 % → 80 A (Table A.8). */
export const MAX_PWM_CURRENT = 80;

/** What a vehicle reads from a duty cycle (Table A.8). */
export type DutyMeaning =
  /** Charging allowed up to `amps`. */
  | { readonly kind: "current"; readonly amps: number }
  /** 3..7 %: digital communication (ISO 15118 / DIN 70121) is required before charging. */
  | { readonly kind: "digital" }
  /** < 3 %, 7..8 % or > 97 %: no charging allowed. */
  | { readonly kind: "error" }
  /** 0 % or 100 %: a constant level, no oscillator: the x1 states. */
  | { readonly kind: "no-pwm" };

const DIGITAL: DutyMeaning = Object.freeze({ kind: "digital" });
const ERROR: DutyMeaning = Object.freeze({ kind: "error" });
const NO_PWM: DutyMeaning = Object.freeze({ kind: "no-pwm" });
const SIX_AMPS: DutyMeaning = Object.freeze({ kind: "current", amps: 6 });
const EIGHTY_AMPS: DutyMeaning = Object.freeze({ kind: "current", amps: 80 });

// Guards float noise before flooring (51 * 50 / 3 must stay 850, not 849.999…).
const EPSILON = 1e-9;

/**
 * The duty cycle (percent, 0.1 % resolution) a charger advertises for a current limit, never
 * more current than `amps` (IEC 61851-1 Table A.7): 10..85 % is D = I / 0.6; 85..96 % is
 * D = I / 2.5 + 64; above 80 A the charger advertises 80 A (96 %). Between 51 A and 52.75 A
 * no duty above 85 % fits, so 85 % (51 A) is sent. Throws below 6 A: the PWM cannot say it
 * (stop the PWM, or use the 5 % of digital communication and send the limit there).
 */
export function dutyForCurrent(amps: number): number {
  return dutyPermilleForCurrent(amps) / 10;
}

/** As dutyForCurrent, in permille (an integer). */
export function dutyPermilleForCurrent(amps: number): number {
  if (!(amps >= MIN_PWM_CURRENT) || !Number.isFinite(amps)) {
    throw new CpPwmError("current-out-of-range", `${amps} A: the PWM advertises 6..80 A`);
  }
  if (amps >= MAX_PWM_CURRENT) return 960;
  if (amps <= 51) return Math.floor((amps * 50) / 3 + EPSILON); // D‰ = I / 0.6 × 10
  const high = Math.floor(amps * 4 + 640 + EPSILON); // D‰ = (I / 2.5 + 64) × 10
  return high > 850 ? high : 850;
}

/**
 * What a vehicle reads from a duty cycle in percent (IEC 61851-1 Table A.8, boundaries as
 * there: 3 % ≤ D ≤ 7 % digital, 8 % ≤ D < 10 % 6 A, 10 % ≤ D ≤ 85 % 0.6·D, 85 % < D ≤ 96 %
 * (D − 64)·2.5, 96 % < D ≤ 97 % 80 A). Currents are rounded to 0.01 A (float noise only).
 * Returns frozen shared objects for the fixed bands, so reading allocates only for currents.
 */
export function currentForDuty(duty: number): DutyMeaning {
  if (!(duty >= 0 && duty <= 100)) throw new CpPwmError("duty-out-of-range", `${duty} %`);
  if (duty === 0 || duty === 100) return NO_PWM;
  if (duty < 3) return ERROR;
  if (duty <= 7) return DIGITAL;
  if (duty < 8) return ERROR;
  if (duty < 10) return SIX_AMPS;
  if (duty <= 85) return { kind: "current", amps: roundCentiAmps(duty * 0.6) };
  if (duty <= 96) return { kind: "current", amps: roundCentiAmps((duty - 64) * 2.5) };
  if (duty <= 97) return EIGHTY_AMPS;
  return ERROR;
}

/**
 * The current allowed by a duty cycle, or 0 for every band that allows none (digital, error,
 * no-pwm). Allocation-free; for hot paths that only need the number.
 */
export function ampsForDuty(duty: number): number {
  if (!(duty > 0 && duty < 100)) return 0;
  if (duty < 8) return 0;
  if (duty < 10) return 6;
  if (duty <= 85) return roundCentiAmps(duty * 0.6);
  if (duty <= 96) return roundCentiAmps((duty - 64) * 2.5);
  if (duty <= 97) return 80;
  return 0;
}

/** 3..7 %: the band in which a vehicle must start digital communication (Table A.8). */
export function isDigitalDuty(duty: number): boolean {
  return duty >= 3 && duty <= 7;
}

function roundCentiAmps(amps: number): number {
  return Math.round(amps * 100) / 100;
}
