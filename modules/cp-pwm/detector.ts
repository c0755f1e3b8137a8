// Pilot state detection from plateau voltages: thresholds, hysteresis, debounce.
//
// IEC 61851-1 Annex A, Table A.4 gives the nominal positive plateaus A +12 V, B +9 V,
// C +6 V, D +3 V (each ±1 V), E 0 V, F −12 V; the negative plateau stays at −12 V while
// the vehicle's diode blocks (Figure A.1), and rises toward 0 V through the vehicle's
// resistors when the diode is missing (B: −8.8 V, C: −5.6 V, D: −2.6 V). The default
// thresholds sit in the gaps between the bands. A sample taken on a PWM edge, or a noise
// spike, reads as some other band for one sample; the debounce (N consecutive samples
// agreeing) and the hysteresis around the committed state keep it from becoming a transition.

/** What the plateaus say. `diode-missing`: B, C or D on the positive plateau, no −12 V. */
export type PlateauState = "A" | "B" | "C" | "D" | "E" | "F" | "diode-missing";

/** Boundaries in volts between the bands of the positive plateau, and the diode check. */
export interface PilotThresholds {
  /** High plateau above: A (12 V); below: B. */
  readonly ab: number;
  /** B (9 V) / C (6 V). */
  readonly bc: number;
  /** C (6 V) / D (3 V). */
  readonly cd: number;
  /** D (3 V) / E (0 V). */
  readonly de: number;
  /** E (0 V) / F (−12 V). */
  readonly ef: number;
  /** Negative plateau above this, with B, C or D on the positive one: the diode is missing. */
  readonly diode: number;
  /** Volts a committed band is widened by on each side before another band may win. */
  readonly hysteresis: number;
}

/** Midpoints between the nominal levels of Table A.4; the diode bound leaves 1 V below −11 V. */
export const IEC61851_THRESHOLDS: PilotThresholds = Object.freeze({
  ab: 10.5,
  bc: 7.5,
  cd: 4.5,
  de: 1.5,
  ef: -6,
  diode: -10,
  hysteresis: 0.3,
});

export interface PilotDetectorOptions {
  /** Defaults to IEC61851_THRESHOLDS; give a whole set (e.g. calibrated for a front end). */
  thresholds?: PilotThresholds;
  /** Consecutive samples that must agree before a new state is committed (default 3, ≥ 1). */
  debounce?: number;
  /** Whether to check the negative plateau (charger: yes; a vehicle may not see it). */
  checkDiode?: boolean;
}

// Bands of the positive plateau, lowest first; index i lies between bounds i−1 and i.
const BANDS: readonly PlateauState[] = Object.freeze(["F", "E", "D", "C", "B", "A"] as PlateauState[]);
const NONE = -1;
const DIODE_MISSING = 6;

/** Debounced classification of pilot samples. Allocation-free per sample. */
export class PilotDetector {
  readonly #bounds: number[];
  readonly #diode: number;
  readonly #h: number;
  readonly #debounce: number;
  readonly #checkDiode: boolean;
  #committed = NONE;
  #candidate = NONE;
  #count = 0;
  #raw = NONE;

  constructor(options?: PilotDetectorOptions) {
    const t = options?.thresholds ?? IEC61851_THRESHOLDS;
    if (!(t.ef < t.de && t.de < t.cd && t.cd < t.bc && t.bc < t.ab)) {
      throw new RangeError("pilot thresholds must rise: ef < de < cd < bc < ab");
    }
    this.#bounds = [t.ef, t.de, t.cd, t.bc, t.ab];
    this.#diode = t.diode;
    this.#h = t.hysteresis;
    this.#debounce = Math.max(1, Math.floor(options?.debounce ?? 3));
    this.#checkDiode = options?.checkDiode ?? true;
  }

  /** The committed (debounced) state; undefined until the first one is committed. */
  get state(): PlateauState | undefined {
    return stateOf(this.#committed);
  }

  /** The classification of the last sample alone (for diagnostics). */
  get raw(): PlateauState | undefined {
    return stateOf(this.#raw);
  }

  /** Forget the committed state (e.g. after the charger changed its own output level). */
  reset(): void {
    this.#committed = NONE;
    this.#candidate = NONE;
    this.#count = 0;
    this.#raw = NONE;
  }

  /**
   * Feed one sample (volts; NaN for a plateau that was not measured) and return the
   * debounced state. A sample with neither plateau is ignored.
   */
  feed(high: number, low: number): PlateauState | undefined {
    const raw = this.#classify(high, low);
    if (raw === NONE) return stateOf(this.#committed);
    this.#raw = raw;
    if (raw === this.#committed) {
      this.#count = 0;
      this.#candidate = NONE;
    } else {
      if (raw === this.#candidate) this.#count++;
      else {
        this.#candidate = raw;
        this.#count = 1;
      }
      if (this.#count >= this.#debounce) {
        this.#committed = raw;
        this.#candidate = NONE;
        this.#count = 0;
      }
    }
    return stateOf(this.#committed);
  }

  #classify(high: number, low: number): number {
    const committed = this.#committed;
    const h = this.#h;
    if (high !== high) {
      // No high phase (constant low output): only F or E can be told apart.
      if (low !== low) return NONE;
      return low < this.#bounds[0] ? 0 : 1;
    }
    // The committed band, widened by the hysteresis, keeps the sample.
    const current = committed === DIODE_MISSING ? NONE : committed;
    let band: number;
    if (current !== NONE && this.#within(current, high, h)) band = current;
    else band = this.#band(high);
    if (!this.#checkDiode || band < 2 || band > 4 || low !== low) return band;
    // B, C or D with a measured negative plateau: the diode must hold it near −12 V.
    const limit = committed === DIODE_MISSING ? this.#diode - h : this.#diode + h;
    return low > limit ? DIODE_MISSING : band;
  }

  #within(index: number, v: number, h: number): boolean {
    const b = this.#bounds;
    const lo = index > 0 ? b[index - 1] - h : -Infinity;
    const hi = index < b.length ? b[index] + h : Infinity;
    return v >= lo && v <= hi;
  }

  #band(v: number): number {
    const b = this.#bounds;
    let i = 0;
    while (i < b.length && v > b[i]) i++;
    return i;
  }
}

function stateOf(index: number): PlateauState | undefined {
  if (index === NONE) return undefined;
  return index === DIODE_MISSING ? "diode-missing" : BANDS[index];
}
