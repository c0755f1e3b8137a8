// Turns free-running ADC reads, each bracketed by two reads of the PWM phase, into plateau
// samples: the portable half of a pilot input that cannot trigger its ADC from the PWM edge
// (hosts/esp32/pilot-input.ts explains the hardware side and its limits).
//
// A read counts for the positive plateau only when the phase was high both before and after
// it, for the negative plateau when it was low both times; reads that straddle an edge are
// dropped. A plateau is the extreme of its accepted reads (maximum of the high phase,
// minimum of the low phase): the driver's slew just after an edge can only pull a read toward
// the middle, never beyond the plateau. Bursts accumulate until every phase that was seen has
// an accepted read, or `maxBursts` have passed (then nothing is published: no guess).
//
// A phase that never shows means a constant level (+12 V: x1 states; −12 V: F) — which is
// only true if the burst watched a whole PWM period with phase reads closer together than
// the shortest phase (50 µs at 5 %). Where that cannot be promised, the host tells endBurst
// whether the PWM oscillates (e.g. from a hardware edge counter); a PWM that oscillates
// always needs both plateaus, so a missed short high phase delays a sample, never fakes F.

import type { PilotSample } from "./io";

export interface PhaseSamplerOptions {
  /** Bursts to combine before giving up on a phase (default 10). */
  maxBursts?: number;
  /** volts = raw × gain + offset (default: raw already in volts). */
  gain?: number;
  offset?: number;
}

/** Allocation-free; numbers only. */
export class PhaseSampler {
  readonly #maxBursts: number;
  readonly #gain: number;
  readonly #offset: number;
  #high = -Infinity;
  #low = Infinity;
  #sawHigh = false;
  #sawLow = false;
  #gateHigh = 0;
  #gateTotal = 0;
  #bursts = 0;
  #dropped = 0;

  constructor(options?: PhaseSamplerOptions) {
    this.#maxBursts = Math.max(1, options?.maxBursts ?? 10);
    this.#gain = options?.gain ?? 1;
    this.#offset = options?.offset ?? 0;
  }

  /** Reads dropped because the phase changed during them, since construction (diagnostics). */
  get dropped(): number {
    return this.#dropped;
  }

  /** One ADC read `raw`, with the phase read just before and just after it (1 = high). */
  add(before: number, raw: number, after: number): void {
    this.#gateTotal++;
    if (before === 1 || after === 1) this.#sawHigh = true;
    if (before !== 1 || after !== 1) this.#sawLow = true;
    if (before !== after) {
      this.#dropped++;
      return;
    }
    if (before === 1) {
      this.#gateHigh++;
      if (raw > this.#high) this.#high = raw;
    } else if (raw < this.#low) this.#low = raw;
  }

  /**
   * End of a burst: when every phase present has a reading, fill `into` (volts; NaN for a
   * phase that is absent; duty = share of phase-high reads, a coarse estimate) and return
   * true. `oscillating`: whether the PWM runs, if the host knows (an edge counter); when
   * omitted, the phases the reads saw decide (see the file comment for when that is sound).
   */
  endBurst(into: PilotSample, oscillating?: boolean): boolean {
    this.#bursts++;
    const gotHigh = this.#high !== -Infinity;
    const gotLow = this.#low !== Infinity;
    let complete: boolean;
    if (oscillating === true) complete = gotHigh && gotLow;
    else if (oscillating === false) complete = this.#sawHigh !== this.#sawLow && (gotHigh || gotLow);
    else complete = (gotHigh || !this.#sawHigh) && (gotLow || !this.#sawLow) && (gotHigh || gotLow);
    if (!complete && this.#bursts < this.#maxBursts) return false;
    if (complete) {
      into.high = gotHigh ? this.#high * this.#gain + this.#offset : Number.NaN;
      into.low = gotLow ? this.#low * this.#gain + this.#offset : Number.NaN;
      into.duty = !gotLow ? 100 : !gotHigh ? 0 : (this.#gateHigh / this.#gateTotal) * 100;
    }
    this.#high = -Infinity;
    this.#low = Infinity;
    this.#sawHigh = this.#sawLow = false;
    this.#gateHigh = this.#gateTotal = this.#bursts = 0;
    return complete;
  }
}
