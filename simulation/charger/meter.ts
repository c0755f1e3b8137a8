// A simulated energy meter: integrates the power of a source over simulated time, read lazily
// (no timer of its own: each read or sample() adds the energy since the previous one).

import type { Clock } from "../../modules/common/index";
import type { EnergyMeter } from "../../modules/statemachine/index";

export interface SimMeterOptions {
  clock: Clock;
  meterId?: string;
  /** Instantaneous power (W) of what is metered. */
  power: () => number;
  /** Reading at the start (Wh). */
  startWh?: number;
}

export class SimMeter implements EnergyMeter {
  readonly meterId: string;
  readonly #clock: Clock;
  readonly #power: () => number;
  #wh: number;
  #lastTime: number;
  #lastPower: number;

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
  }

  get energyWh(): number {
    this.sample();
    return this.#wh;
  }
}
