// AC on-board charger model: turns the current the EVSE allows into DC charge current.

export interface OnBoardChargerOptions {
  /** 1 or 3 phases. Default 3. */
  phases?: 1 | 3;
  /** Highest current per phase the charger draws, A. Default 16. */
  maxCurrent?: number;
  /** Lowest current per phase it can work with (IEC 61851: 6 A). Default 6. */
  minCurrent?: number;
  /** Highest phase voltage it accepts, V. Default 400 (EVMaxVoltage). */
  maxVoltage?: number;
  /** AC → DC efficiency. Default 0.92. */
  efficiency?: number;
}

export class OnBoardCharger {
  readonly phases: 1 | 3;
  readonly maxCurrent: number;
  readonly minCurrent: number;
  readonly maxVoltage: number;
  readonly efficiency: number;

  constructor(options: OnBoardChargerOptions = {}) {
    this.phases = options.phases ?? 3;
    this.maxCurrent = options.maxCurrent ?? 16;
    this.minCurrent = options.minCurrent ?? 6;
    this.maxVoltage = options.maxVoltage ?? 400;
    this.efficiency = options.efficiency ?? 0.92;
  }

  /** Current per phase drawn with the EVSE allowing `evseMaxCurrent`; 0 below minCurrent. */
  acCurrent(evseMaxCurrent: number, wantedDcPower = Infinity, phaseVoltage = 230): number {
    let current = Math.min(this.maxCurrent, evseMaxCurrent);
    const wantedAc = wantedDcPower / this.efficiency / (this.phases * phaseVoltage);
    current = Math.min(current, wantedAc);
    return current < this.minCurrent ? 0 : current;
  }

  /** DC power into the battery for `acCurrent` A per phase at `phaseVoltage` V. */
  dcPower(acCurrent: number, phaseVoltage = 230): number {
    return acCurrent * phaseVoltage * this.phases * this.efficiency;
  }
}
