// A simulated vehicle: battery (and for AC the on-board charger) behind the EVCC's BMS
// interface and vehicle hooks. Time comes from the injected clock; the battery integrates the
// current that flows between two readings: DC, the charger's present current while the
// contactors are closed; AC, what the on-board charger draws while the pilot is in state C.
//
// Bidirectional (options.bidirectional, ISO 15118-20 BPT): the charger's power stage drives the
// battery instead — it calls the load's absorb() every tick with the signed power at the
// battery (simulation/charger SimDcPowerModule, SimAcInverter), within the BMS's limits the
// load reports — and the vehicle adds the BPT BMS (discharge limits, minimum SoC, cycle budget)
// and its energy manager (departure, target and minimum SoC, energy requests).

import type { Clock, Millis } from "../../modules/common/index";
import type { DcEvErrorCode, EvBms, EvseValues, VehicleHooks } from "../../modules/statemachine/evcc/index";
import type { BidirectionalBms, VehicleEnergyManager } from "../../modules/statemachine/index";
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
  /** ISO 15118-20 BPT: the battery may give energy back; the charger's power stage drives it. */
  bidirectional?: BidirectionalVehicleOptions;
}

export interface BidirectionalVehicleOptions {
  /** Never discharge below this SoC, %. Default 20. */
  minSoc?: number;
  /** Discharge limits of the battery, A and W (magnitudes). Default 30 A, 11 kW. */
  maxDischargeCurrent?: number;
  maxDischargePower?: number;
  /** Clock time (ms) the driver leaves: departure time, and (ends "departure") the session's end. */
  departureAt?: number;
  /** What ends the session: the target SoC (default), the departure, or the minimum SoC (a V2L load drained it). */
  ends?: "target-soc" | "departure" | "minimum-soc";
  /** Whether the battery may discharge (a driver's or warranty setting). Default true. */
  dischargePermitted?: boolean;
  /** Cycle budget: energy the battery may give back in this session, Wh. Default: none. */
  dischargeBudgetWh?: number;
  /**
   * The charger's power stage is not in this process (`xs15118 evcc` on a real interface), so
   * nothing drives the battery through dcLoad()/acLoad(): it integrates what the charger reports
   * instead, signed (negative: out of the battery, the -20 BPT convention) — DC the
   * EVSEPresentCurrent, AC the EVSETargetActivePower.
   */
  remote?: boolean;
}

export class SimVehicle implements EvBms, VehicleHooks, BidirectionalBms, VehicleEnergyManager {
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
  /** Bidirectional: energy the battery gave (at its terminals), Wh. */
  dischargedWh = 0;
  /** Bidirectional: energy into the vehicle at its inlet, Wh. */
  chargedWh = 0;
  readonly #bidi: Readonly<BidirectionalVehicleOptions> | undefined;
  /** Bidirectional AC: the power at the inlet in the last tick (W, signed). */
  #inletPower = 0;

  constructor(options: SimVehicleOptions) {
    this.#clock = options.clock;
    this.#last = options.clock.now();
    this.battery = new BatteryModel(options.battery);
    this.obc = new OnBoardCharger(options.onBoardCharger);
    this.targetSoc = options.targetSoc ?? 80;
    this.#bulkSoc = options.bulkSoc ?? 80;
    this.#acAvailable = options.acPowerAvailable ?? (() => true);
    this.#bidi = options.bidirectional === undefined ? undefined : Object.freeze({ ...options.bidirectional });
  }

  /** Whether the battery is bidirectional (driven by the charger's power stage). */
  get bidirectional(): boolean {
    return this.#bidi !== undefined;
  }

  // ------------------------------------------------------------ physics

  /** Current flowing into the battery now, A (the value integrated until the next change; bidirectional: 0, the stage drives it). */
  batteryCurrent(): number {
    if (this.#bidi !== undefined) return 0;
    if (this.#contactors) return Math.max(0, this.#evse.presentCurrent ?? 0);
    const ac = this.acCurrent();
    if (ac <= 0) return 0;
    return this.obc.dcPower(ac, this.#phaseVoltage()) / this.battery.terminalVoltage(0);
  }

  /** AC current per phase the on-board charger draws now, A (bidirectional: the inverter's flow, signed). */
  acCurrent(): number {
    if (this.#bidi !== undefined) return this.#inletPower / (this.#phaseVoltage() * this.obc.phases);
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
    if (this.#bidi?.remote === true) {
      if (this.#contactors) {
        // DC: the remote stage's current as the charger reported it until now.
        const reported = this.#evse.presentCurrent ?? 0;
        if (reported !== 0) this.#absorb(this.battery.terminalVoltage(reported) * reported, ms);
      } else if (this.#evse.nominalVoltage !== undefined && this.#evse.maxPower !== undefined) {
        // AC: the charger's signed EVSETargetActivePower (the EVCC hands it on as maxPower) at
        // the inlet, within the on-board charger's and the battery's limits, while in state C.
        const inlet = this.acLoad().limit(this.#evse.maxPower);
        const eta = this.obc.efficiency;
        if (inlet !== 0) this.#absorb(inlet > 0 ? inlet * eta : inlet / eta, ms, inlet);
        this.#inletPower = inlet;
      }
      return;
    }
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
  dcLoad(): { voltageAt(current: number): number; absorb?(power: number, ms: number): void; currentLimits?(): { charge: number; discharge: number } } {
    if (this.#bidi === undefined) return { voltageAt: (current: number) => this.battery.terminalVoltage(current) };
    return {
      voltageAt: (current: number) => this.battery.terminalVoltage(current),
      absorb: (power: number, ms: number) => this.#absorb(power, ms),
      // The BMS's hard limits: its charge acceptance, and its discharge current (0 at the minimum SoC).
      currentLimits: () => ({ charge: this.battery.allowedCurrent(), discharge: this.dischargeLimits().maxCurrent }),
    };
  }

  /**
   * AC bidirectional: the battery behind its on-board charger as the inverter sees it
   * (simulation/charger AcLoad): the inlet power it can take or give now, and the battery power.
   */
  acLoad(): { limit(power: number): number; absorb(power: number, ms: number, inletPower: number): void } {
    return {
      limit: (power: number) => {
        if (this.#pilot !== "C") return 0;
        if (power >= 0) {
          const obc = this.obc.maxCurrent * this.#phaseVoltage() * this.obc.phases;
          const battery = this.battery.allowedCurrent() * this.battery.terminalVoltage(0) / this.obc.efficiency;
          return Math.min(power, obc, battery);
        }
        return -Math.min(-power, this.dischargeLimits().maxPower);
      },
      absorb: (power: number, ms: number, inletPower: number) => {
        this.#inletPower = inletPower;
        this.#absorb(power, ms, inletPower);
      },
    };
  }

  /** `power` W (signed) at the battery's terminals for `ms` (`inletPower` at the inlet): the current that gives it, into the battery model. */
  #absorb(power: number, ms: number, inletPower = power): void {
    // P = (OCV + I·R)·I → I = (−OCV + √(OCV² + 4·R·P)) / 2R
    const ocv = this.battery.ocv();
    const r = this.battery.internalResistance;
    const root = ocv * ocv + 4 * r * power;
    const current = r > 0 && root >= 0 ? (-ocv + Math.sqrt(root)) / (2 * r) : power / ocv;
    if (Math.abs(current) > this.peakCurrent) this.peakCurrent = Math.abs(current);
    if (power < 0) this.dischargedWh -= (power * ms) / 3_600_000;
    if (inletPower > 0) this.chargedWh += (inletPower * ms) / 3_600_000;
    this.inletWh += (inletPower * ms) / 3_600_000;
    this.battery.apply(current, ms);
  }

  // ------------------------------------------------------------ BidirectionalBms, VehicleEnergyManager

  /** What the battery may give now (magnitudes): 0 at or below the minimum SoC, without permission, or with the cycle budget spent. */
  dischargeLimits(): { maxPower: number; maxCurrent: number; minPower?: number } {
    const b = this.#bidi;
    if (b === undefined || b.dischargePermitted === false || this.battery.soc <= this.minimumSocPercent()! || (b.dischargeBudgetWh !== undefined && this.dischargedWh >= b.dischargeBudgetWh)) {
      return { maxPower: 0, maxCurrent: 0 };
    }
    return { maxPower: b.maxDischargePower ?? 11_000, maxCurrent: b.maxDischargeCurrent ?? 30 };
  }

  dischargePermitted(): boolean {
    return this.#bidi !== undefined && this.#bidi.dischargePermitted !== false;
  }

  minimumSocPercent(): number | undefined {
    return this.#bidi === undefined ? undefined : this.#bidi.minSoc ?? 20;
  }

  targetSocPercent(): number | undefined {
    return this.#bidi === undefined ? undefined : this.targetSoc;
  }

  energyWh(): number {
    return (this.battery.soc / 100) * this.battery.capacityWh;
  }

  dischargeBudgetWh(): number | undefined {
    const budget = this.#bidi?.dischargeBudgetWh;
    return budget === undefined ? undefined : Math.max(0, budget - this.dischargedWh);
  }

  /** Seconds until the driver leaves (undefined: not known). */
  departureTime(): number | undefined {
    const at = this.#bidi?.departureAt;
    return at === undefined ? undefined : Math.max(0, Math.round((at - this.#clock.now()) / 1000));
  }

  /**
   * This vehicle's energy manager: it wants its target SoC and no more (target = maximum), and
   * offers what lies above its minimum SoC (a negative minimum) when bidirectional.
   */
  energyRequests(): { target: number; max: number; min: number } {
    const cap = this.battery.capacityWh / 100;
    const soc = this.soc();
    // Whole Wh rounded outwards: any energy still wanted shows as ≥ 1 Wh, any still offered as
    // ≤ −1 Wh, so that the charger's direction bounds (EVMaximumEnergyRequest ≤ 0: no charge,
    // EVMinimumEnergyRequest ≥ 0: no discharge) only apply at the target / minimum SoC itself.
    const want = Math.max(0, Math.ceil((this.targetSoc - soc) * cap));
    const min = this.#bidi === undefined ? 0 : Math.floor((Math.min(this.minimumSocPercent()!, this.targetSoc) - soc) * cap);
    return { target: want, max: want, min: Math.min(min, want) };
  }

  /** AC bidirectional: the inlet's active power now (W, signed). */
  presentActivePower(): number {
    return this.#inletPower;
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
    const b = this.#bidi;
    if (b !== undefined && b.ends !== undefined && b.ends !== "target-soc") {
      if (b.departureAt !== undefined && this.#clock.now() >= b.departureAt) return true;
      // V2L: the load drained the battery to its minimum; nothing more to give.
      return b.ends === "minimum-soc" && this.soc() <= this.minimumSocPercent()!;
    }
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
