// A simulated vehicle: battery (and for AC the on-board charger) behind the EVCC's BMS
// interface and vehicle hooks. Time comes from the injected clock; the battery integrates the
// current that flows between two readings: DC, the charger's present current while the
// contactors are closed; AC, what the on-board charger draws while the pilot is in state C.

import type { Clock, Millis } from "../../modules/common/index";
import type { DcEvErrorCode, EvBms, EvseValues, VehicleHooks } from "../../modules/statemachine/evcc/index";
import { BatteryModel } from "./battery";
import type { BatteryOptions } from "./battery";
import { OnBoardCharger } from "./on-board-charger";
import type { OnBoardChargerOptions } from "./on-board-charger";

export interface SimVehicleOptions {
  clock: Clock;
  battery: BatteryOptions;
  /** AC charging: the on-board charger; absent for a DC-only vehicle. */
  onBoardCharger?: OnBoardChargerOptions;
  /** Charging is complete at this SoC, %. Default 80. */
  targetSoc?: number;
  /** BulkSOC, %. Default 80. */
  bulkSoc?: number;
  /** AC: whether the EVSE's contactor is closed (power at the inlet); default: always. */
  acPowerAvailable?: () => boolean;
}

export class SimVehicle implements EvBms, VehicleHooks {
  readonly battery: BatteryModel;
  readonly obc: OnBoardCharger;
  readonly targetSoc: number;
  readonly #bulkSoc: number;
  readonly #clock: Clock;
  readonly #acAvailable: () => boolean;
  #last: Millis;
  #pilot: "B" | "C" = "B";
  #contactors = false;
  #evse: EvseValues = {};
  #error: DcEvErrorCode = "NO_ERROR";
  #ready = true;
  /** Energy taken from the AC grid (AC) or at the DC inlet (DC), Wh. */
  inletWh = 0;
  /** Highest current seen into the battery, A. */
  peakCurrent = 0;

  constructor(options: SimVehicleOptions) {
    this.#clock = options.clock;
    this.#last = options.clock.now();
    this.battery = new BatteryModel(options.battery);
    this.obc = new OnBoardCharger(options.onBoardCharger);
    this.targetSoc = options.targetSoc ?? 80;
    this.#bulkSoc = options.bulkSoc ?? 80;
    this.#acAvailable = options.acPowerAvailable ?? (() => true);
  }

  // ------------------------------------------------------------ physics

  /** Current flowing into the battery now, A (the value integrated until the next change). */
  batteryCurrent(): number {
    if (this.#contactors) return Math.max(0, this.#evse.presentCurrent ?? 0);
    const ac = this.acCurrent();
    if (ac <= 0) return 0;
    return this.obc.dcPower(ac, this.#phaseVoltage()) / this.battery.terminalVoltage(0);
  }

  /** AC current per phase the on-board charger draws now, A. */
  acCurrent(): number {
    if (this.#pilot !== "C" || this.#evse.maxCurrent === undefined || this.#contactors || !this.#acAvailable()) return 0;
    if (this.battery.soc >= this.targetSoc) return 0;
    const wanted = this.battery.allowedCurrent() * this.battery.terminalVoltage(0);
    return this.obc.acCurrent(this.#evse.maxCurrent, wanted, this.#phaseVoltage());
  }

  #phaseVoltage(): number {
    return this.#evse.nominalVoltage ?? 230;
  }

  /** Bring the battery up to the clock's time with the current that flowed since the last update. */
  update(): void {
    const now = this.#clock.now();
    const ms = now - this.#last;
    this.#last = now;
    if (ms <= 0) return;
    const current = this.batteryCurrent();
    if (current <= 0) return;
    this.peakCurrent = Math.max(this.peakCurrent, current);
    const ac = this.acCurrent();
    if (ac > 0) this.inletWh += (ac * this.#phaseVoltage() * this.obc.phases * ms) / 3_600_000;
    else this.inletWh += (this.battery.terminalVoltage(current) * current * ms) / 3_600_000;
    this.battery.apply(current, ms);
  }

  /**
   * DC: the battery as a charger's load sees it (simulation/charger DcLoad): the terminal voltage
   * for a current. Energy is integrated here from the present current the charger reports.
   */
  dcLoad(): { voltageAt(current: number): number } {
    return { voltageAt: (current: number) => this.battery.terminalVoltage(current) };
  }

  /**
   * The VehicleHooks to give the EVCC: this model plus, optionally, the vehicle's pilot (S2 via
   * cp-pwm VehiclePilot.setReady) and, in a simulation, the charger's power module load.
   *
   *   new EvccConnection({ …, bms: ev, vehicle: ev.hooks({ pilot: vehiclePilot, dcOutput: powerModule }) })
   */
  hooks(links: { pilot?: { setReady(ready: boolean): void }; dcOutput?: { setLoad(load: { voltageAt(current: number): number } | undefined): void }; onEvseValues?(values: EvseValues): void } = {}): VehicleHooks {
    return {
      setPilotState: (state) => {
        this.setPilotState(state);
        links.pilot?.setReady(state === "C");
      },
      setContactors: (closed) => {
        this.setContactors(closed);
        links.dcOutput?.setLoad(closed ? this.dcLoad() : undefined);
      },
      onEvseValues: (values) => {
        this.onEvseValues(values);
        links.onEvseValues?.(values);
      },
    };
  }

  /** Test hooks: a BMS fault, or EVReady false. */
  setError(code: DcEvErrorCode): void {
    this.#error = code;
  }

  setReady(ready: boolean): void {
    this.#ready = ready;
  }

  get pilotState(): "B" | "C" {
    return this.#pilot;
  }

  get contactorsClosed(): boolean {
    return this.#contactors;
  }

  // ------------------------------------------------------------ VehicleHooks

  setPilotState(state: "B" | "C"): void {
    this.update();
    this.#pilot = state;
  }

  setContactors(closed: boolean): void {
    this.update();
    this.#contactors = closed;
    if (!closed) this.#evse = { ...this.#evse, presentCurrent: 0 };
  }

  onEvseValues(values: EvseValues): void {
    this.update();
    const next: EvseValues = { ...this.#evse };
    for (const key of Object.keys(values) as (keyof EvseValues)[]) {
      if (values[key] !== undefined) next[key] = values[key];
    }
    this.#evse = next;
  }

  // ------------------------------------------------------------ EvBms

  soc(): number {
    this.update();
    return this.battery.soc;
  }

  ready(): boolean {
    return this.#ready;
  }

  errorCode(): DcEvErrorCode {
    return this.#error;
  }

  capacityWh(): number {
    return this.battery.capacityWh;
  }

  energyRequestWh(): number {
    return Math.max(0, ((this.targetSoc - this.soc()) / 100) * this.battery.capacityWh);
  }

  bulkSoc(): number | undefined {
    return this.#bulkSoc;
  }

  fullSoc(): number | undefined {
    return 100;
  }

  dcLimits(): { maxVoltage: number; maxCurrent: number; maxPower: number } {
    return { maxVoltage: this.battery.maxVoltage, maxCurrent: this.battery.maxCurrent, maxPower: this.battery.maxPower };
  }

  voltage(): number {
    this.update();
    return this.battery.terminalVoltage(0);
  }

  dcTarget(): { voltage: number; current: number } {
    this.update();
    // Constant current with the pack's CV limit as the voltage target, as real cars request it.
    return { voltage: this.battery.maxVoltage, current: this.chargingComplete() ? 0 : this.battery.allowedCurrent() };
  }

  acLimits(): { maxVoltage: number; maxCurrent: number; minCurrent: number } {
    return { maxVoltage: this.obc.maxVoltage, maxCurrent: this.obc.maxCurrent, minCurrent: this.obc.minCurrent };
  }

  chargingComplete(): boolean {
    return this.soc() >= this.targetSoc || this.#fullForOnBoardCharger();
  }

  /**
   * AC near full: the battery (tapering, then at its CV limit) accepts less power than the
   * on-board charger's least output (its minimum current, IEC 61851-1: 6 A). The charger then
   * draws nothing and the SoC stops short of a 100 % target; a real BMS reports the charge
   * complete there instead of looping forever. AC is known by the charger's EVSENominalVoltage
   * (ChargeParameterDiscoveryRes, AC only) with the DC contactors open.
   */
  #fullForOnBoardCharger(): boolean {
    if (this.#contactors || this.#evse.nominalVoltage === undefined) return false;
    const accepted = this.battery.allowedCurrent() * this.battery.terminalVoltage(0);
    return accepted < this.obc.dcPower(this.obc.minCurrent, this.#phaseVoltage());
  }

  bulkChargingComplete(): boolean {
    return this.soc() >= this.#bulkSoc;
  }

  remainingTimeToFullSoc(): number | undefined {
    return this.#remaining(100);
  }

  remainingTimeToBulkSoc(): number | undefined {
    return this.#remaining(this.#bulkSoc);
  }

  #remaining(soc: number): number | undefined {
    const power = this.battery.allowedCurrent() * this.battery.terminalVoltage(0);
    if (power <= 0) return undefined;
    const wh = Math.max(0, ((soc - this.battery.soc) / 100) * this.battery.capacityWh);
    return Math.round((wh / power) * 3600);
  }
}
