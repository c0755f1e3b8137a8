// Wall-clock time (dates), kept apart from the monotonic Clock that every timer uses.
//
// A charge controller boots with no idea of the date: an ESP32 has no battery-backed RTC of
// its own, NTP needs an uplink, the backend (OCPP) may answer late. Timers therefore never
// read the date (a clock step would fire or stall them), and what needs the date — certificate
// validity, the ISO 15118-20 header TimeStamp, EVSETimeStamp / DateTimeNow, log stamps — asks
// this clock, which answers `undefined` until a trusted source has set it.
//
// The reading is an anchor: (Unix ms, monotonic ms) when it was set; now() adds the monotonic
// time elapsed since, so the wall clock never jumps with the scheduler and costs no timer.

import type { Clock, Millis } from "./clock";

/** Where a reading came from, lowest trust first. */
export type TimeSource = "peer" | "rtc" | "backend" | "ntp";

/**
 * Trust order. A reading replaces the current one when its source ranks at least as high, or
 * when the current one is older than `refreshAfter` (a drifting RTC, or an NTP server lost for
 * a day, must not pin the clock for ever). A peer's time (the EVSETimeStamp a vehicle reads,
 * the EV's clock an EVSE hears) ranks lowest: it is a hint, never proof.
 */
const RANK: Readonly<Record<TimeSource, number>> = Object.freeze({ peer: 0, rtc: 1, backend: 2, ntp: 2 });

/** 2024-01-01T00:00:00Z: no firmware built from this code runs before it, so earlier readings are a reset RTC. */
export const EARLIEST_PLAUSIBLE_UNIX_MS = 1_704_067_200_000;

export interface WallClock {
  /** Unix time in ms, or undefined while no trusted time is known. */
  now(): number | undefined;
  /** Unix time in whole seconds (the EXI timestamp fields), or undefined without trusted time. */
  unixSeconds(): bigint | undefined;
  /** The source of the current reading; undefined while no trusted time is known. */
  readonly source: TimeSource | undefined;
}

export interface WallClockOptions {
  /** The monotonic clock the reading is carried forward with. */
  clock: Clock;
  /** After this long, a lower-ranked source may replace the reading (default 24 h). */
  refreshAfter?: Millis;
  /** Readings before this Unix ms are refused (default EARLIEST_PLAUSIBLE_UNIX_MS). */
  earliest?: number;
}

/** The answer to "is this certificate (or any validity period) current?". */
export type ValidityCheck = "valid" | "not-yet-valid" | "expired" | "no-trusted-time";

/** A wall clock set from the host's sources (RTC at boot, NTP, the backend, a trusted peer). */
export class SettableWallClock implements WallClock {
  readonly #clock: Clock;
  readonly #refreshAfter: number;
  readonly #earliest: number;
  #unixAtAnchor = 0;
  #monotonicAtAnchor = 0;
  #source: TimeSource | undefined;

  constructor(options: WallClockOptions) {
    this.#clock = options.clock;
    this.#refreshAfter = options.refreshAfter ?? 24 * 3_600_000;
    this.#earliest = options.earliest ?? EARLIEST_PLAUSIBLE_UNIX_MS;
  }

  /** Offers a reading; returns whether it was taken (see the trust order above). */
  set(unixMs: number, source: TimeSource): boolean {
    if (!Number.isFinite(unixMs) || unixMs < this.#earliest) return false;
    const current = this.#source;
    if (current !== undefined && RANK[source] < RANK[current] && this.age()! < this.#refreshAfter) return false;
    this.#unixAtAnchor = unixMs;
    this.#monotonicAtAnchor = this.#clock.now();
    this.#source = source;
    return true;
  }

  /** Forgets the reading (e.g. the RTC reported a lost supply). */
  invalidate(): void {
    this.#source = undefined;
  }

  now(): number | undefined {
    if (this.#source === undefined) return undefined;
    return this.#unixAtAnchor + (this.#clock.now() - this.#monotonicAtAnchor);
  }

  unixSeconds(): bigint | undefined {
    const ms = this.now();
    return ms === undefined ? undefined : BigInt(Math.floor(ms / 1000));
  }

  get source(): TimeSource | undefined {
    return this.#source;
  }

  /** Monotonic ms since the reading was set; undefined without one. */
  age(): number | undefined {
    return this.#source === undefined ? undefined : this.#clock.now() - this.#monotonicAtAnchor;
  }
}

/**
 * Whether `now` lies in [notBefore, notAfter] (Unix ms, both inclusive as X.509 validity is,
 * RFC 5280 §4.1.2.5). Without trusted time the answer is "no-trusted-time", never "valid":
 * the caller applies its policy (the PKI layer checks signatures and chains regardless, and
 * logs that the dates went unchecked).
 */
export function checkValidity(wall: WallClock, notBefore: number, notAfter: number): ValidityCheck {
  const now = wall.now();
  if (now === undefined) return "no-trusted-time";
  if (now < notBefore) return "not-yet-valid";
  if (now > notAfter) return "expired";
  return "valid";
}

/** "2026-12-02T00:41:35.000Z" when the date is known, otherwise "+12.345 s" since start: log stamps. */
export function formatLogTime(wall: WallClock, clock: Clock): string {
  const now = wall.now();
  if (now !== undefined) return new Date(now).toISOString();
  return `+${(clock.now() / 1000).toFixed(3)} s`;
}
