// A simulated ISO 15118-20 ACDP site: a bus or truck driving in under a mast-mounted pantograph
// (SimApproach, the vehicle's side: AcdpVehicle) and the pantograph with its positioning sensors
// (SimPantograph, the charger's side: ConnectionDevice). Both tick on the injected clock only
// while something moves, so a ManualClock's runAll() ends.
//
// Split in two processes (`xs15118 secc --transfer acdp` ⇄ `xs15118 evcc --transfer acdp`) each
// side runs its own SimApproach: the charger's stands for its positioning sensors (PPD) seeing
// the bus drive in, the vehicle's for the bus itself; the vehicle's contact then follows what
// the charger's ACDP_ConnectRes / ACDP_DisconnectRes report (onDeviceStatus).
//
// Faults to rehearse the error paths: a lateral offset outside the contact window (the vehicle
// stops but never aligns), a pantograph that reaches its end position without contact (it
// reports a fault after `contactTimeout`), and a contact lost under load (`loseContactAfter`).

import { Millis } from "../../modules/common/index";
import type { Clock, TimerHandle } from "../../modules/common/index";
import type { AcdpDeviceState, AcdpElectricalState, AcdpVehicle, ConnectionDevice } from "../../modules/statemachine/iso20/acdp-device";

export interface SimApproachOptions {
  clock: Clock;
  /** Distance to the contact point along the lane when the simulation starts (cm). Default 600. */
  distance?: number;
  /** Lateral offset of the vehicle's contact rail from the pantograph's (cm). Default 4. */
  lateralOffset?: number;
  /** Creeping speed (cm/s). Default 150. */
  speed?: number;
  /** The driver stops within this distance of the contact point (cm). Default 5. */
  stopTolerance?: number;
  /** Tick (ms). Default 100. */
  tick?: Millis;
}

/** The vehicle driving in: it creeps towards the contact point and stops there (the driver, or automated parking). */
export class SimApproach implements AcdpVehicle {
  readonly #clock: Clock;
  readonly #speed: number;
  readonly #stop: number;
  readonly #tick: Millis;
  #timer: TimerHandle | undefined;
  #x: number;
  readonly #y: number;
  #contact: (() => boolean) | undefined;
  /** Split: the contact as the charger's last ACDP_Connect/DisconnectRes reported it. */
  #reportedContact = false;
  /** Called after every move (the charger's sensors see it). */
  onMove: (() => void) | undefined;
  /** The last position the charger reported (cm) and whether it said "in position". */
  reported: { x: number; y: number; inPosition: boolean } | undefined;

  constructor(options: SimApproachOptions) {
    this.#clock = options.clock;
    this.#x = options.distance ?? 600;
    this.#y = options.lateralOffset ?? 4;
    this.#speed = options.speed ?? 150;
    this.#stop = options.stopTolerance ?? 5;
    this.#tick = options.tick ?? Millis(100);
    this.#timer = this.#clock.set(() => this.#step(), this.#tick);
  }

  /** Along the lane (cm, positive: still to go) and across it. */
  get x(): number {
    return this.#x;
  }
  get y(): number {
    return this.#y;
  }

  /** The contact the vehicle's rail has with the device (wired by SimPantograph). */
  wireContact(contact: () => boolean): void {
    this.#contact = contact;
  }

  #step(): void {
    this.#timer = undefined;
    const travel = (this.#speed * this.#tick) / 1000;
    this.#x = this.#x - travel <= this.#stop ? Math.max(0, this.#x - travel) : this.#x - travel;
    if (this.#x > this.#stop) this.#timer = this.#clock.set(() => this.#step(), this.#tick);
    this.onMove?.();
  }

  moving(): boolean {
    return this.#timer !== undefined;
  }
  positioningSupport(): boolean {
    return true;
  }
  onPosition(x: number, y: number, _windowX: number, _windowY: number, inPosition: boolean): void {
    this.reported = { x, y, inPosition };
  }
  immobilized(): boolean {
    return !this.moving();
  }
  contactState(): AcdpElectricalState {
    const contact = this.#contact !== undefined ? this.#contact() : this.#reportedContact;
    return contact ? "State_C" : "State_A";
  }
  onDeviceStatus(mechanical: string, electrical: AcdpElectricalState): void {
    this.#reportedContact = mechanical === "EndPosition" && (electrical === "State_C" || electrical === "State_D");
  }
}

export interface SimPantographOptions {
  clock: Clock;
  approach: SimApproach;
  /** Half-widths of the contact window (cm). Default 20 × 20. */
  windowX?: number;
  windowY?: number;
  /** Time to travel between home and end position. Default 3 s. */
  travelTime?: Millis;
  /** Fault: the head reaches its end position but makes no contact. */
  noContact?: boolean;
  /** How long it waits at the end position for contact before it reports a fault. Default 2 s. */
  contactTimeout?: Millis;
  /** Fault: the contact opens this long after it was made (under load). */
  loseContactAfter?: Millis;
}

/** The mast-mounted pantograph and its vehicle-position sensors. */
export class SimPantograph implements ConnectionDevice {
  onEvent: ConnectionDevice["onEvent"];
  readonly #clock: Clock;
  readonly #approach: SimApproach;
  readonly #options: SimPantographOptions;
  #timer: TimerHandle | undefined;
  readonly state: AcdpDeviceState;
  /** Lower/raise commands received, in order. */
  readonly commands: ("lower" | "raise")[] = [];

  constructor(options: SimPantographOptions) {
    this.#clock = options.clock;
    this.#approach = options.approach;
    this.#options = options;
    this.state = {
      positioningSupport: true,
      xDeviation: options.approach.x,
      yDeviation: options.approach.y,
      windowX: options.windowX ?? 20,
      windowY: options.windowY ?? 20,
      mechanical: "Home",
      electrical: "State_A",
      fault: false,
    };
    options.approach.onMove = () => this.#sense();
    options.approach.wireContact(() => this.state.electrical === "State_C");
  }

  /** Reports the present state (call once the session is attached). */
  report(): void {
    this.onEvent?.({ kind: "acdp-device", state: { ...this.state } });
  }

  #sense(): void {
    this.state.xDeviation = Math.round(this.#approach.x);
    this.state.yDeviation = Math.round(this.#approach.y);
    this.report();
  }

  #move(to: "EndPosition" | "Home", then: () => void): void {
    this.#clock.clear(this.#timer);
    this.state.mechanical = "Moving";
    this.state.electrical = "State_A";
    this.report();
    this.#timer = this.#clock.set(() => {
      this.#timer = undefined;
      this.state.mechanical = to;
      then();
      this.report();
    }, this.#options.travelTime ?? Millis(3000));
  }

  lower(): void {
    this.commands.push("lower");
    this.#move("EndPosition", () => {
      if (this.#options.noContact) {
        this.#timer = this.#clock.set(() => {
          this.#timer = undefined;
          this.state.fault = true;
          this.report();
        }, this.#options.contactTimeout ?? Millis(2000));
        return;
      }
      this.state.electrical = "State_C";
      const lose = this.#options.loseContactAfter;
      if (lose !== undefined) {
        this.#timer = this.#clock.set(() => {
          this.#timer = undefined;
          this.state.electrical = "State_A";
          this.state.mechanical = "Moving";
          this.report();
        }, lose);
      }
    });
  }

  raise(): void {
    this.commands.push("raise");
    this.#move("Home", () => undefined);
  }
}
