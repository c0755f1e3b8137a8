// A simulated DC power module with isolation monitor and output contactors, ramping like a
// real one: voltage and current follow their targets with a limited slew rate (V/ms, A/ms),
// the isolation check takes seconds of simulated time, and the output is discharged after it.
// With discharge limits it is bidirectional (ISO 15118-20 DC_BPT): a negative target current
// takes energy from the EV and feeds it to the grid side, at the module's efficiency; the
// energy both ways and the conversion losses are booked in `energy` (./energy-account.ts).
//
// The module ticks on the injected clock only while something moves, so a ManualClock's
// runAll() ends. Present values are read by the SECC's charger binding before each request.

import { Millis } from "../../modules/common/index";
import type { Clock, TimerHandle } from "../../modules/common/index";
import type { BidirectionalDcModule, ControlSink, DcLimits, DischargeLimits, IsolationLevel } from "../../modules/statemachine/index";
import { EnergyAccount } from "./energy-account";

/** What the battery does with the charger's output: the voltage at the terminals for a current. */
export interface DcLoad {
  /** Terminal voltage (V) while `current` (A) flows into the battery. */
  voltageAt(current: number): number;
  /** Energy flowed in: called every tick with the power (W; negative: out of the battery) and the tick length. */
  absorb?(power: number, ms: number): void;
  /** The BMS's hard current limits now (A, magnitudes); the module never drives beyond them. */
  currentLimits?(): { charge: number; discharge: number };
}

export interface SimDcPowerModuleOptions {
  clock: Clock;
  limits: DcLimits;
  /** Voltage slew (V/ms); default 0.5 (500 V/s). */
  voltageSlew?: number;
  /** Discharge slew after the isolation check and at stop (V/ms); default 2 (a discharge resistor). */
  dischargeSlew?: number;
  /** Current slew (A/ms); default 0.1 (100 A/s). */
  currentSlew?: number;
  /** How long the isolation measurement takes; default 3 s. */
  isolationCheckTime?: Millis;
  /** The result the isolation monitor reports; default Valid. */
  isolation?: IsolationLevel;
  /** Contactor closing/opening time; default 50 ms. */
  contactorTime?: Millis;
  /** Tick of the regulation loop; default 10 ms. */
  tick?: Millis;
  /** Bidirectional (DC_BPT): what the module can take from the EV (W, A; magnitudes). Absent: charging only. */
  discharge?: DischargeLimits;
  /** Grid side ⇄ DC output conversion efficiency (both ways); default 1 (losses not modelled). */
  efficiency?: number;
  onEvent?: ControlSink;
}

type Mode = "off" | "isolation" | "discharge" | "voltage" | "current";

export class SimDcPowerModule implements BidirectionalDcModule {
  onEvent?: ControlSink;
  /** Energy at the grid side both ways and the conversion losses. */
  readonly energy: EnergyAccount;
  readonly #discharge: Readonly<DischargeLimits> | undefined;
  #lastIsolation: IsolationLevel = "Invalid";
  readonly #clock: Clock;
  readonly #limits: DcLimits;
  readonly #vSlew: number;
  readonly #iSlew: number;
  readonly #dSlew: number;
  readonly #isoTime: Millis;
  readonly #contactorTime: Millis;
  readonly #tick: Millis;
  #isolation: IsolationLevel;
  #mode: Mode = "off";
  #voltage = 0;
  #current = 0;
  #targetVoltage = 0;
  #targetCurrent = 0;
  #contactors = false;
  #load: DcLoad | undefined;
  #timer: TimerHandle | undefined;
  #isoTimer: TimerHandle | undefined;
  #lastTick = 0;

  constructor(options: SimDcPowerModuleOptions) {
    this.#clock = options.clock;
    this.#limits = { ...options.limits };
    this.#vSlew = options.voltageSlew ?? 0.5;
    this.#iSlew = options.currentSlew ?? 0.1;
    this.#dSlew = options.dischargeSlew ?? 2;
    this.#isoTime = options.isolationCheckTime ?? Millis(3000);
    this.#isolation = options.isolation ?? "Valid";
    this.#contactorTime = options.contactorTime ?? Millis(50);
    this.#tick = options.tick ?? Millis(10);
    this.#discharge = options.discharge === undefined ? undefined : Object.freeze({ ...options.discharge });
    this.energy = new EnergyAccount(options.efficiency ?? 1);
    this.onEvent = options.onEvent;
  }

  /** What the module can take from the EV now (all 0 for a unidirectional module). */
  dischargeLimits(): Readonly<DischargeLimits> {
    return this.#discharge ?? NO_DISCHARGE;
  }
  /** Power at the output now (W, signed: negative = out of the EV). */
  get presentPower(): number {
    return this.#voltage * this.#current;
  }
  /** Power at the grid side now (W, signed), losses included. */
  get gridPower(): number {
    return this.energy.gridPower(this.#voltage * this.#current);
  }
  /** The last isolation check's result ("Invalid" before the first has ended). */
  get isolation(): IsolationLevel {
    return this.#lastIsolation;
  }

  limits(): Readonly<DcLimits> {
    return this.#limits;
  }
  get presentVoltage(): number {
    return Math.round(this.#voltage * 10) / 10;
  }
  get presentCurrent(): number {
    return Math.round(this.#current * 10) / 10 || 0; // never −0 (a discharge ramped down)
  }
  get contactorsClosed(): boolean {
    return this.#contactors;
  }
  get mode(): string {
    return this.#mode;
  }

  /** The EV closed (load) or opened (undefined) its contactors: current can flow into `load`. */
  setLoad(load: DcLoad | undefined): void {
    this.#load = load;
    this.#kick();
  }

  /** Changes what the next isolation check reports (fault injection). */
  setIsolationResult(level: IsolationLevel): void {
    this.#isolation = level;
  }

  startIsolationCheck(voltage: number): void {
    this.#clock.clear(this.#isoTimer);
    this.#closeContactors();
    this.#mode = "isolation";
    this.#targetVoltage = Math.min(voltage, this.#limits.maxVoltage);
    this.#targetCurrent = 0;
    this.#isoTimer = this.#clock.set(() => {
      this.#isoTimer = undefined;
      // Measured: discharge the cable before pre-charge (IEC 61851-23), then report.
      this.#mode = "discharge";
      this.#targetVoltage = 0;
      this.#kick();
      this.#lastIsolation = this.#isolation;
      this.onEvent?.({ kind: "cable-check-finished", isolation: this.#isolation });
    }, this.#isoTime);
    this.#kick();
  }

  setTarget(voltage: number, current: number): void {
    if (this.#mode === "isolation") return; // the measurement owns the output until it ends
    this.#closeContactors();
    this.#targetVoltage = Math.max(0, Math.min(voltage, this.#limits.maxVoltage));
    // Negative (discharge) only for a bidirectional module: a unidirectional one treats it as 0.
    const lowest = this.#discharge === undefined ? 0 : -(this.#discharge.maxCurrent ?? this.#limits.maxCurrent);
    this.#targetCurrent = Math.max(lowest, Math.min(current, this.#limits.maxCurrent));
    this.#mode = this.#load !== undefined ? "current" : "voltage";
    this.#kick();
  }

  stop(): void {
    this.#clock.clear(this.#isoTimer);
    this.#isoTimer = undefined;
    this.#targetCurrent = 0;
    this.#targetVoltage = 0;
    this.#mode = "off";
    this.#kick();
  }

  #closeContactors(): void {
    if (this.#contactors) return;
    this.#contactors = true;
    this.#clock.set(() => this.onEvent?.({ kind: "contactors-closed" }), this.#contactorTime);
  }

  #kick(): void {
    if (this.#timer !== undefined) return;
    this.#lastTick = this.#clock.now();
    this.#timer = this.#clock.set(() => this.#step(), this.#tick);
  }

  #step(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    const dt = Math.max(1, now - this.#lastTick);
    this.#lastTick = now;
    const load = this.#load;
    let moving = false;
    if (load !== undefined && this.#mode === "current") {
      // Current regulation into the battery: the battery sets the voltage.
      // Constant voltage once the battery reaches the EV's target voltage: back the current off.
      // The power limit applies at the voltage the battery actually has.
      // Discharging, the power limit is the module's discharge power.
      const target = this.#targetCurrent;
      let wanted: number;
      if (target >= 0) {
        const byPower = this.#voltage > 1 ? this.#limits.maxPower / this.#voltage : target;
        wanted = this.#voltage > this.#targetVoltage ? Math.max(0, this.#current - this.#iSlew * dt) : Math.min(target, byPower);
      } else {
        const d = this.#discharge!;
        const byPower = this.#voltage > 1 ? d.maxPower / this.#voltage : -target;
        wanted = -Math.min(-target, byPower);
      }
      const bms = load.currentLimits?.();
      if (bms !== undefined) wanted = wanted > bms.charge ? bms.charge : wanted < -bms.discharge ? -bms.discharge : wanted;
      this.#current = approach(this.#current, wanted, this.#iSlew * dt);
      this.#voltage = load.voltageAt(this.#current);
      const power = this.#voltage * this.#current;
      load.absorb?.(power, dt);
      this.energy.add(power, dt);
      moving = this.#current !== target || this.#current !== 0;
    } else {
      // Voltage regulation into the open cable (isolation check, pre-charge, discharge, off).
      this.#current = approach(this.#current, 0, this.#iSlew * dt);
      if (load !== undefined && this.#current !== 0) {
        load.absorb?.(this.#voltage * this.#current, dt);
        this.energy.add(this.#voltage * this.#current, dt);
      }
      const discharging = this.#mode === "discharge" || this.#mode === "off";
      this.#voltage = approach(this.#voltage, this.#targetVoltage, (discharging ? this.#dSlew : this.#vSlew) * dt);
      moving = this.#voltage !== this.#targetVoltage || this.#current !== 0;
    }
    if (this.#mode === "off" && this.#current === 0 && this.#voltage < 1 && this.#contactors) {
      this.#voltage = 0;
      this.#contactors = false;
      this.onEvent?.({ kind: "contactors-opened" });
    }
    if (moving || this.#mode === "current") this.#timer = this.#clock.set(() => this.#step(), this.#tick);
  }
}

const NO_DISCHARGE: Readonly<DischargeLimits> = Object.freeze({ maxPower: 0, maxCurrent: 0 });

/** `value` moved towards `target` by at most `step` (a slew-rate limit). */
export function approach(value: number, target: number, step: number): number {
  if (value < target) return Math.min(target, value + step);
  if (value > target) return Math.max(target, value - step);
  return value;
}
