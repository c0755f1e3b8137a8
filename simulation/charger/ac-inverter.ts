// A simulated bidirectional AC inverter for ISO 15118-20 AC_BPT: an AC supply (contactor, limits)
// whose active power at the inlet follows a signed target with a limited slew rate — positive
// into the EV, negative out of it (modules/statemachine/iso20/bpt.ts). Grid-following (V2G) or
// grid-forming (V2H/V2L: the energy manager's target is the island's balance, see
// simulation/site).
//
// The AC path's conversion (in a real AC_BPT installation, the EV's bidirectional on-board
// charger) is counted here once, so that the site's energy and the battery's relate through one
// efficiency, as for the DC module: inlet power p ⇄ battery power p × η (charging) or p / η
// (discharging); `energy` books both directions at the inlet and the losses apart.
//
// Ticks on the injected clock only while power flows or moves, so a ManualClock's runAll() ends.

import { Millis } from "../../modules/common/index";
import type { TimerHandle } from "../../modules/common/index";
import type { AcInverter, BidirectionalStage, DischargeLimits, IsolationLevel } from "../../modules/statemachine/index";
import { SimAcSupply } from "./ac-supply";
import type { SimAcSupplyOptions } from "./ac-supply";
import { approach } from "./dc-power-module";
import { BIDIRECTIONAL_EFFICIENCY, EnergyAccount } from "./energy-account";

/** The EV as the inverter sees it. */
export interface AcLoad {
  /** The inlet power (W, signed) the EV takes or gives now, for a wanted `power`: its BMS and on-board charger limits. */
  limit(power: number): number;
  /** Energy at the battery: every tick, the battery's power (W, signed), the tick length, and the inlet's power (W, signed). */
  absorb(power: number, ms: number, inletPower: number): void;
}

export interface SimAcInverterOptions extends SimAcSupplyOptions {
  /** What the inverter can take from the EV (W; magnitudes). Absent: charging only. */
  discharge?: DischargeLimits;
  /** Inlet ⇄ battery conversion efficiency (both ways); default BIDIRECTIONAL_EFFICIENCY.ac (0.94). */
  efficiency?: number;
  /** Active power slew (W/ms); default 10 (10 kW/s). */
  slew?: number;
  /** Tick of the power regulation; default 100 ms. */
  tick?: Millis;
}

export class SimAcInverter extends SimAcSupply implements AcInverter, BidirectionalStage {
  readonly energy: EnergyAccount;
  readonly #discharge: Readonly<DischargeLimits> | undefined;
  readonly #slew: number;
  readonly #tick: Millis;
  readonly #clockRef: SimAcSupplyOptions["clock"];
  #target = 0;
  #power = 0;
  #load: AcLoad | undefined;
  #timer: TimerHandle | undefined;
  #lastTick = 0;

  constructor(options: SimAcInverterOptions) {
    super(options);
    this.#clockRef = options.clock;
    this.#discharge = options.discharge === undefined ? undefined : Object.freeze({ ...options.discharge });
    this.energy = new EnergyAccount(options.efficiency ?? BIDIRECTIONAL_EFFICIENCY.ac);
    this.#slew = options.slew ?? 10;
    this.#tick = options.tick ?? Millis(100);
  }

  /** The supply's charge power limit (W). */
  get maxChargePower(): number {
    const l = this.limits();
    return l.maxCurrent * l.nominalVoltage * l.phases;
  }

  dischargeLimits(): Readonly<DischargeLimits> {
    return this.#discharge ?? NO_DISCHARGE;
  }

  /** Active power at the inlet now (W, signed). */
  get presentActivePower(): number {
    return this.#power;
  }
  get presentPower(): number {
    return this.#power;
  }
  /** Current per phase (A, signed as the power). */
  override get presentCurrent(): number {
    const l = this.limits();
    return this.#power / (l.nominalVoltage * l.phases);
  }
  override get power(): number {
    return this.#power;
  }
  get contactorsClosed(): boolean {
    return this.closed;
  }
  /** AC: no isolation monitor of its own (the residual-current device protects the outlet). */
  get isolation(): IsolationLevel {
    return "No_IMD";
  }
  /** The target now (W, signed, within the limits). */
  get target(): number {
    return this.#target;
  }

  /** The EV at the inlet (undefined: unplugged). */
  setLoad(load: AcLoad | undefined): void {
    this.#load = load;
    this.#kick();
  }

  setActivePower(watts: number): void {
    const low = -(this.#discharge?.maxPower ?? 0);
    const high = this.maxChargePower;
    this.#target = watts < low ? low : watts > high ? high : watts;
    this.#kick();
  }

  override open(): void {
    this.#target = 0;
    super.open();
    this.#kick();
  }

  #kick(): void {
    if (this.#timer !== undefined) return;
    this.#lastTick = this.#clockRef.now();
    this.#timer = this.#clockRef.set(() => this.#step(), this.#tick);
  }

  #step(): void {
    this.#timer = undefined;
    const now = this.#clockRef.now();
    const dt = Math.max(1, now - this.#lastTick);
    this.#lastTick = now;
    const load = this.#load;
    // An open contactor carries nothing; otherwise the power slews towards what the EV can do.
    const wanted = !this.closed || load === undefined ? 0 : load.limit(this.#target);
    this.#power = !this.closed ? 0 : approach(this.#power, wanted, this.#slew * dt);
    if (load !== undefined) {
      const eta = this.energy.efficiency;
      const battery = this.#power > 0 ? this.#power * eta : this.#power / eta;
      load.absorb(battery, dt, this.#power);
      this.energy.add(battery, dt);
    }
    // Ticks while power flows or is wanted (also while the contactor is still closing).
    if (this.#power !== 0 || this.#target !== 0) this.#timer = this.#clockRef.set(() => this.#step(), this.#tick);
  }
}

const NO_DISCHARGE: Readonly<DischargeLimits> = Object.freeze({ maxPower: 0 });
