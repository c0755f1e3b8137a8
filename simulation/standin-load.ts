// A stand-in for the vehicle's battery at a charger that runs without a vehicle in the process
// (`xs15118 secc` against another stack): the simulated DC power module needs a load once
// current flows, and the simulated meter an AC draw once the contactor is closed.
//
// It watches the SECC's trace (no core changes): DC, at the first CurrentDemandReq (-20:
// DC_ChargeLoopReq) it couples a
// battery anchored at the voltage the output has then (pre-charge brought it to the EV's
// battery voltage), whose voltage rises with internal resistance and charge; it releases it at
// PowerDeliveryReq stop, (DC_)WeldingDetectionReq, SessionStopReq and at the end of the session.
// AC, it draws the outlet's maximum current between PowerDeliveryReq start and stop.
// Portable (no Node imports).

import type { SeccTraceEntry } from "../modules/statemachine/index";
import type { DcLoad } from "./charger/index";
import type { ChargerStation } from "./station/charger-station";

export interface StandInBatteryOptions {
  /** Open-circuit voltage when coupled, V. */
  voltage: number;
  /** Internal resistance, Ω (default 0.08, a 400 V pack). */
  resistance?: number;
  /** Voltage rise per Wh absorbed (default 0.002 V/Wh: ~80 V over 40 kWh). */
  voltsPerWh?: number;
}

/** A battery as the charger sees it: terminal voltage for a current, energy absorbed. */
export class StandInBattery implements DcLoad {
  readonly #v0: number;
  readonly #r: number;
  readonly #k: number;
  absorbedWh = 0;

  constructor(options: StandInBatteryOptions) {
    this.#v0 = options.voltage;
    this.#r = options.resistance ?? 0.08;
    this.#k = options.voltsPerWh ?? 0.002;
  }

  voltageAt(current: number): number {
    return this.#v0 + this.#k * this.absorbedWh + this.#r * Math.max(0, current);
  }

  /** Signed: a bidirectional module (ISO 15118-20 DC_BPT) takes energy back out (negative power). */
  absorb(power: number, ms: number): void {
    this.absorbedWh += (power * ms) / 3_600_000;
  }
}

/** Lowest plausible battery voltage to anchor at when the output reads less (V). */
const MIN_ANCHOR = 50;

/** Couples and releases the stand-in loads of a ChargerStation from its SECC trace. */
export class StandInLoads {
  readonly #station: ChargerStation;
  #battery: StandInBattery | undefined;
  #acDrawing = false;

  constructor(station: ChargerStation) {
    this.#station = station;
    const ac = station.ac;
    if (ac !== undefined) {
      const limit = station.config.ac?.maxCurrent ?? 16;
      // A bidirectional inverter (ISO 15118-20 AC_BPT) asks its load what it takes or gives:
      // the stand-in follows any setpoint, either way, while "charging" (PowerDelivery Start).
      const acLoad = station.hardware.inverter === undefined ? undefined : { limit: (power: number) => (this.#acDrawing ? power : 0), absorb: () => undefined };
      station.couple({ acDraw: () => (this.#acDrawing && ac.closed ? limit : 0), acLoad });
    }
  }

  /** The DC battery while coupled. */
  get battery(): StandInBattery | undefined {
    return this.#battery;
  }

  get acDrawing(): boolean {
    return this.#acDrawing;
  }

  /** Feed every SECC trace entry here. */
  onTrace(entry: SeccTraceEntry): void {
    if (entry.direction !== "rx") return;
    const name = entry.message;
    // the DC charge loop: CurrentDemandReq in DIN/-2, DC_ChargeLoopReq in -20
    if (name === "CurrentDemandReq" || name === "DC_ChargeLoopReq") {
      if (this.#battery === undefined && this.#station.dc !== undefined) {
        const present = this.#station.dc.presentVoltage;
        const target = /EVTargetVoltage=(-?[\d.]+)/.exec(entry.summary);
        const voltage = present >= MIN_ANCHOR ? present : target ? Number(target[1]) : MIN_ANCHOR;
        this.#battery = new StandInBattery({ voltage });
        this.#station.couple({ dcLoad: this.#battery });
      }
    } else if (name === "PowerDeliveryReq") {
      const stop = /ChargeProgress=Stop|ReadyToChargeState=false/.test(entry.summary);
      const start = /ChargeProgress=Start|ReadyToChargeState=true/.test(entry.summary);
      if (stop) this.release();
      else if (start && this.#station.ac !== undefined) this.#setAc(true);
    } else if (name === "WeldingDetectionReq" || name === "DC_WeldingDetectionReq" || name === "SessionStopReq") {
      this.release();
    }
  }

  /** The session ended or charging stopped: no more current. Harmless twice. */
  release(): void {
    if (this.#battery !== undefined) {
      this.#battery = undefined;
      this.#station.uncouple();
    }
    this.#setAc(false);
  }

  #setAc(drawing: boolean): void {
    this.#acDrawing = drawing;
    const ac = this.#station.ac;
    if (ac !== undefined) ac.setDraw(drawing ? (this.#station.config.ac?.maxCurrent ?? 16) : 0);
  }
}
