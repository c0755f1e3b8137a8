// A simulated energy meter: integrates the power of a source over simulated time. Each read or
// sample() adds the energy since the previous one; while power flows it also samples itself
// every second, so a session cut short (the power gone between two reads far apart) is not
// counted as half the last power over the whole gap. No timer while nothing flows, so a
// ManualClock's runAll() ends.

import type { Clock, Millis, TimerHandle } from "../../modules/common/index";
import type { EnergyMeter } from "../../modules/statemachine/index";

export interface SimMeterOptions {
  clock: Clock;
  meterId?: string;
  /** Instantaneous power (W) of what is metered. */
  power: () => number;
  /** Reading at the start (Wh). */
  startWh?: number;
}

/** While power flows the meter samples itself this often (the error of a cut is at most half of it at the last power). */
const SELF_SAMPLE_PERIOD = 1000 as Millis;

export class SimMeter implements EnergyMeter {
  readonly meterId: string;
  readonly #clock: Clock;
  readonly #power: () => number;
  #wh: number;
  #lastTime: number;
  #lastPower: number;
  #timer: TimerHandle | undefined;

  constructor(options: SimMeterOptions) {
    this.meterId = options.meterId ?? "SIM-METER-1";
    this.#clock = options.clock;
    this.#power = options.power;
    this.#wh = options.startWh ?? 0;
    this.#lastTime = this.#clock.now();
    this.#lastPower = 0;
  }

  /** Adds the energy since the last sample (trapezoid between the two power readings). */
  sample(): void {
    const now = this.#clock.now();
    const p = this.#power();
    const dt = now - this.#lastTime;
    if (dt > 0) this.#wh += ((this.#lastPower + p) / 2) * (dt / 3_600_000);
    this.#lastTime = now;
    this.#lastPower = p;
    if (p !== 0 && this.#timer === undefined) {
      this.#timer = this.#clock.set(() => {
        this.#timer = undefined;
        this.sample();
      }, SELF_SAMPLE_PERIOD);
    }
  }

  get energyWh(): number {
    this.sample();
    return this.#wh;
  }
}
