// A simulated AC supply: a contactor that closes and opens in simulated time, and the current
// the EV draws (limited by the supply's maximum and by the advertised PWM current).

import { Millis } from "../../modules/common/index";
import type { Clock } from "../../modules/common/index";
import type { AcLimits, AcSupply, ControlSink } from "../../modules/statemachine/index";

export interface SimAcSupplyOptions {
  clock: Clock;
  limits: AcLimits;
  /** Contactor switching time; default 100 ms (IEC 61851-1: power within 3 s of state C). */
  contactorTime?: Millis;
  onEvent?: ControlSink;
}

export class SimAcSupply implements AcSupply {
  onEvent?: ControlSink;
  readonly #clock: Clock;
  readonly #limits: AcLimits;
  readonly #delay: Millis;
  #closed = false;
  #draw = 0;

  constructor(options: SimAcSupplyOptions) {
    this.#clock = options.clock;
    this.#limits = { ...options.limits };
    this.#delay = options.contactorTime ?? Millis(100);
    this.onEvent = options.onEvent;
  }

  limits(): Readonly<AcLimits> {
    return this.#limits;
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** Current per phase (A): what the EV draws, within the supply's limit, while closed. */
  get presentCurrent(): number {
    return this.#closed ? Math.min(this.#draw, this.#limits.maxCurrent) : 0;
  }
  /** Power delivered (W). */
  get power(): number {
    return this.presentCurrent * this.#limits.nominalVoltage * this.#limits.phases;
  }

  /** The EV's on-board charger draws `amps` per phase. */
  setDraw(amps: number): void {
    this.#draw = Math.max(0, amps);
  }

  close(): void {
    if (this.#closed) return;
    this.#clock.set(() => {
      this.#closed = true;
      this.onEvent?.({ kind: "contactors-closed" });
    }, this.#delay);
  }

  open(): void {
    if (!this.#closed) return;
    this.#clock.set(() => {
      this.#closed = false;
      this.onEvent?.({ kind: "contactors-opened" });
    }, this.#delay);
  }
}
