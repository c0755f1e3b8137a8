// Debounce of the vehicle's duty-cycle readings: a new duty is believed only after N readings.
//
// A vehicle measures the duty of each PWM period with some jitter; IEC 61851-1 Table A.8
// bands are narrow (7 % vs 8 %, 5 % digital), and one bad period (an edge missed, a glitch)
// must not change the current the vehicle draws or start digital communication. The stable
// value is the mean of the agreeing readings, so measurement jitter averages out.

export interface DutyFilterOptions {
  /** Consecutive readings within `tolerance` of each other that confirm a new duty (default 3). */
  debounce?: number;
  /** Percentage points within which readings count as the same duty (default 0.5). */
  tolerance?: number;
}

/** Allocation-free per reading. `value` is NaN until a duty has been confirmed. */
export class DutyFilter {
  readonly #debounce: number;
  readonly #tolerance: number;
  #stable = NaN;
  #candidate = NaN;
  #sum = 0;
  #count = 0;

  constructor(options?: DutyFilterOptions) {
    this.#debounce = Math.max(1, Math.floor(options?.debounce ?? 3));
    this.#tolerance = options?.tolerance ?? 0.5;
  }

  /** The confirmed duty in percent (NaN before the first). */
  get value(): number {
    return this.#stable;
  }

  reset(): void {
    this.#stable = NaN;
    this.#candidate = NaN;
    this.#sum = 0;
    this.#count = 0;
  }

  /** Feed one reading (percent; NaN readings are ignored); returns the confirmed duty. */
  feed(duty: number): number {
    if (duty !== duty) return this.#stable;
    const tol = this.#tolerance;
    if (Math.abs(duty - this.#stable) <= tol && !isConstant(duty) && !isConstant(this.#stable)) {
      this.#count = 0;
      this.#candidate = NaN;
      return this.#stable;
    }
    if (duty === this.#stable) {
      this.#count = 0;
      this.#candidate = NaN;
      return this.#stable;
    }
    if (this.#count > 0 && Math.abs(duty - this.#candidate) <= tol && isConstant(duty) === isConstant(this.#candidate)) {
      this.#count++;
      this.#sum += duty;
    } else {
      this.#candidate = duty;
      this.#sum = duty;
      this.#count = 1;
    }
    if (this.#count >= this.#debounce) {
      // Constant levels (0 %, 100 %: no PWM) are exact; PWM readings are averaged to 0.01 %.
      this.#stable = isConstant(duty) ? duty : Math.round((this.#sum / this.#count) * 100) / 100;
      this.#count = 0;
      this.#candidate = NaN;
    }
    return this.#stable;
  }
}

function isConstant(duty: number): boolean {
  return duty <= 0 || duty >= 100;
}
