// Traction battery model for the vehicle simulator: SoC, open-circuit voltage, internal
// resistance, and the charge current the BMS allows (CC, then taper and CV near full).

/** Cell open-circuit voltage (V) of an NMC cell at 0, 10, …, 100 % SoC. */
const NMC_CELL_OCV = Object.freeze([3.3, 3.55, 3.62, 3.66, 3.7, 3.75, 3.82, 3.9, 3.98, 4.07, 4.18]);

export interface BatteryOptions {
  /** Usable energy content, kWh. */
  capacityKWh: number;
  /** Initial state of charge, %. */
  soc: number;
  /** Cells in series: 96 gives a "400 V" pack (317–401 V), 192 an "800 V" pack. Default 96. */
  cellsInSeries?: number;
  /** Pack internal resistance, Ω. Default 0.08. */
  internalResistance?: number;
  /** Charge current limit in the constant-current phase, A. Default 200. */
  maxCurrent?: number;
  /** Charge power limit, W. Default 100 kW. */
  maxPower?: number;
  /** Highest terminal voltage while charging (the CV limit), V. Default: OCV at 100 % + 2 %. */
  maxVoltage?: number;
  /** SoC above which the allowed current tapers linearly to `taperEndCurrent` at 100 %. Default 80. */
  taperStartSoc?: number;
  /** Current allowed at 100 % SoC, A. Default 0.05 C. */
  taperEndCurrent?: number;
  /** Open-circuit voltage curve of the pack, V over SoC %; default an NMC curve × cells. */
  ocv?: (soc: number) => number;
}

export class BatteryModel {
  readonly capacityWh: number;
  readonly internalResistance: number;
  readonly maxCurrent: number;
  readonly maxPower: number;
  readonly maxVoltage: number;
  readonly taperStartSoc: number;
  readonly taperEndCurrent: number;
  readonly #ocv: (soc: number) => number;
  #soc: number;
  /** Energy that went into the cells (OCV × I), Wh. */
  storedWh = 0;
  /** Energy at the terminals (terminal voltage × I), Wh: includes the I²R losses. */
  terminalWh = 0;
  /** Charge that went in, Ah. */
  chargeAh = 0;

  constructor(options: BatteryOptions) {
    this.capacityWh = options.capacityKWh * 1000;
    this.#soc = clamp(options.soc, 0, 100);
    const cells = options.cellsInSeries ?? 96;
    this.#ocv = options.ocv ?? ((soc) => cells * interpolate(NMC_CELL_OCV, soc));
    this.internalResistance = options.internalResistance ?? 0.08;
    this.maxCurrent = options.maxCurrent ?? 200;
    this.maxPower = options.maxPower ?? 100_000;
    this.maxVoltage = options.maxVoltage ?? Math.round(this.#ocv(100) * 1.02);
    this.taperStartSoc = options.taperStartSoc ?? 80;
    this.taperEndCurrent = options.taperEndCurrent ?? (0.05 * this.capacityWh) / this.#ocv(50);
  }

  get soc(): number {
    return this.#soc;
  }

  /** Open-circuit voltage at `soc` (default: now), V. */
  ocv(soc: number = this.#soc): number {
    return this.#ocv(clamp(soc, 0, 100));
  }

  /** Terminal voltage while `current` A flows into the battery, V. */
  terminalVoltage(current: number): number {
    return this.ocv() + current * this.internalResistance;
  }

  /**
   * The charge current the BMS allows now, A: the CC limit and the power limit, tapered above
   * taperStartSoc, and never more than keeps the terminal voltage at maxVoltage (CV).
   */
  allowedCurrent(): number {
    let current = Math.min(this.maxCurrent, this.maxPower / this.terminalVoltage(this.maxCurrent));
    if (this.#soc > this.taperStartSoc) {
      const f = (100 - this.#soc) / (100 - this.taperStartSoc);
      current = this.taperEndCurrent + (current - this.taperEndCurrent) * clamp(f, 0, 1);
    }
    const cv = (this.maxVoltage - this.ocv()) / this.internalResistance;
    if (this.#soc >= 100) return 0;
    return Math.max(0, Math.min(current, cv));
  }

  /** Let `current` A (positive = charging) flow for `ms` milliseconds. */
  apply(current: number, ms: number): void {
    if (ms <= 0 || current === 0) return;
    const hours = ms / 3_600_000;
    const ocv = this.ocv();
    const stored = ocv * current * hours;
    this.storedWh += stored;
    this.terminalWh += this.terminalVoltage(current) * current * hours;
    this.chargeAh += current * hours;
    this.#soc = clamp(this.#soc + (stored / this.capacityWh) * 100, 0, 100);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Linear interpolation in a table sampled every 10 % SoC. */
function interpolate(table: readonly number[], soc: number): number {
  const x = clamp(soc, 0, 100) / 10;
  const i = Math.min(Math.floor(x), table.length - 2);
  return table[i] + (table[i + 1] - table[i]) * (x - i);
}
