// A simulated ISO 15118-20 WPT site: a car driving onto a ground pad (SimWptReceiver, the
// vehicle's side: WptReceiver) and the pad with its supply power converter (SimWirelessPad, the
// charger's side: WirelessPad). The pad transfers power into the car's battery at a coupling
// efficiency that falls with the offset. Both tick on the injected clock only while something
// moves or power flows, so a ManualClock's runAll() ends.
//
// Faults: a car that stops outside the pad's tolerance (it never fine-positions), a receiver
// that observes a neighbouring pad's code (pairing codes disagree), weak coupling (the
// alignment check fails), a foreign object on the pad during charging (`fodAfter`).

import { Millis } from "../../modules/common/index";
import type { Clock, TimerHandle } from "../../modules/common/index";
import type { WirelessPad, WptPadState, WptReceiver, WptResult } from "../../modules/statemachine/iso20/wpt-device";
import { initialWptPad, overPad } from "../../modules/statemachine/iso20/wpt-device";
import type { SimVehicle } from "../vehicle/index";

const TICK = Millis(100);

export interface SimWptReceiverOptions {
  clock: Clock;
  vehicle: SimVehicle;
  /** Distance to the pad's centre along the lane when the simulation starts (cm). Default 400. */
  distance?: number;
  /** Lateral offset of the receiver coil from the pad's centre (cm). Default 3. */
  lateralOffset?: number;
  /** Creeping speed (cm/s). Default 100. */
  speed?: number;
  /** The pad code the receiver observes once over a pad (LF pairing); default the pad's own. */
  observesCode?: number;
  /** The vehicle's own code (the pad observes it). Default 0x5EED. */
  ownCode?: number;
  /** Receiver limit (W). Default 11 kW. */
  maxPower?: number;
}

/** The car with its receiver coil and EV power converter. */
export class SimWptReceiver implements WptReceiver {
  readonly #clock: Clock;
  readonly #vehicle: SimVehicle;
  readonly #speed: number;
  readonly #maxPower: number;
  #timer: TimerHandle | undefined;
  #x: number;
  readonly #y: number;
  #pad: SimWirelessPad | undefined;
  readonly #observes: number | undefined;
  readonly ownCode: number;
  /** Power the converter delivers into the battery now (W). */
  output = 0;
  /** Vendor data received from the pad, by message. */
  readonly vendorReceived: { message: string; containers: readonly Uint8Array[] }[] = [];
  /** Vendor data the receiver sends to the pad. */
  vendorToSend: readonly Uint8Array[] | undefined;
  onMove: (() => void) | undefined;

  constructor(options: SimWptReceiverOptions) {
    this.#clock = options.clock;
    this.#vehicle = options.vehicle;
    this.#x = options.distance ?? 400;
    this.#y = options.lateralOffset ?? 3;
    this.#speed = options.speed ?? 100;
    this.#maxPower = options.maxPower ?? 11_000;
    this.#observes = options.observesCode;
    this.ownCode = options.ownCode ?? 0x5eed;
    this.#timer = this.#clock.set(() => this.#step(), TICK);
  }

  get x(): number {
    return this.#x;
  }
  get y(): number {
    return this.#y;
  }

  attach(pad: SimWirelessPad): void {
    this.#pad = pad;
  }

  #step(): void {
    this.#timer = undefined;
    // The driver stops over the pad's centre line, whatever the lateral offset.
    this.#x = Math.max(0, this.#x - (this.#speed * TICK) / 1000);
    if (this.#x > 1) this.#timer = this.#clock.set(() => this.#step(), TICK);
    this.onMove?.();
  }

  /** Power flowing in from the pad (W at the receiver's output). */
  receive(watts: number, ms: number): void {
    const battery = this.#vehicle.battery;
    this.output = watts;
    if (watts <= 0) return;
    battery.apply(watts / battery.terminalVoltage(0), ms);
  }

  moving(): boolean {
    return this.#timer !== undefined;
  }
  positioning(): WptResult {
    const pad = this.#pad?.state;
    if (pad === undefined || this.moving()) return "EVResultUnknown";
    return overPad(pad) ? "EVResultSuccess" : "EVResultFailed";
  }
  groundClearance(): { min: number; max: number } {
    return { min: 120, max: 180 };
  }
  naturalFrequency(): number {
    return 85_000;
  }
  maxPower(): number {
    return this.#maxPower;
  }
  observedIdCode(): number | undefined {
    const pad = this.#pad;
    if (pad === undefined || this.moving()) return undefined;
    return this.#observes ?? pad.state.idCode;
  }
  ownIdCode(): number {
    return this.ownCode;
  }
  alignment(): WptResult {
    const a = this.#pad?.state.alignment;
    return a === "ok" ? "EVResultSuccess" : a === "failed" ? "EVResultFailed" : "EVResultUnknown";
  }
  powerRequest(): number {
    if (this.#vehicle.chargingComplete()) return 0;
    const battery = this.#vehicle.battery;
    return Math.min(this.#maxPower, battery.allowedCurrent() * battery.terminalVoltage(0));
  }
  powerOutput(): number {
    return this.output;
  }
  vendorData(): readonly Uint8Array[] | undefined {
    return this.vendorToSend;
  }
  onVendorData(message: string, containers: readonly Uint8Array[]): void {
    this.vendorReceived.push({ message, containers });
  }
}

export interface SimWirelessPadOptions {
  clock: Clock;
  receiver: SimWptReceiver;
  /** The pad's pairing code. Default 0xC0DE. */
  idCode?: number;
  /** Positioning tolerance (cm). Default 10. */
  tolerance?: number;
  /** Output limit (W). Default 11 kW. */
  maxPower?: number;
  /** Fault: the coupling is too weak (the alignment check fails). */
  weakCoupling?: boolean;
  /** Fault: a foreign object is detected this long after power transfer starts. */
  fodAfter?: Millis;
  /** Time the low-power alignment check takes. Default 1 s. */
  alignmentTime?: Millis;
}

/** The ground pad with its sensors and supply power converter. */
export class SimWirelessPad implements WirelessPad {
  onEvent: WirelessPad["onEvent"];
  readonly state: WptPadState;
  readonly #clock: Clock;
  readonly #receiver: SimWptReceiver;
  readonly #options: SimWirelessPadOptions;
  #tick: TimerHandle | undefined;
  #target = 0;
  #poweredMs = 0;
  /** Vendor data received from the vehicle, by message. */
  readonly vendorReceived: { message: string; containers: readonly Uint8Array[] }[] = [];

  constructor(options: SimWirelessPadOptions) {
    this.#clock = options.clock;
    this.#receiver = options.receiver;
    this.#options = options;
    this.state = { ...initialWptPad(), idCode: options.idCode ?? 0xc0de, tolerance: options.tolerance ?? 10, maxPower: options.maxPower ?? 11_000 };
    options.receiver.attach(this);
    options.receiver.onMove = () => this.#sense();
    this.#sense();
  }

  report(): void {
    this.onEvent?.({ kind: "wpt-pad", state: { ...this.state } });
  }

  #sense(): void {
    this.state.offsetX = Math.round(this.#receiver.x);
    this.state.offsetY = Math.round(this.#receiver.y);
    // The pad observes the vehicle's code once the receiver is over it.
    this.state.observedIdCode = overPad(this.state) && !this.#receiver.moving() ? this.#receiver.ownCode : undefined;
    this.report();
  }

  /** Coupling efficiency: 92 % centred, falling with the offset (none beyond 3× the tolerance). */
  #efficiency(): number {
    if (this.#options.weakCoupling) return 0.3;
    const off = Math.hypot(this.state.offsetX, this.state.offsetY);
    return Math.max(0, 0.92 * (1 - off / (3 * this.state.tolerance)));
  }

  startAlignmentCheck(): void {
    this.state.powerTransmitted = 200;
    this.state.coilCurrent = 8;
    this.report();
    this.#clock.set(() => {
      this.state.alignment = this.#efficiency() >= 0.8 ? "ok" : "failed";
      this.state.powerTransmitted = 0;
      this.state.coilCurrent = 0;
      this.report();
    }, this.#options.alignmentTime ?? Millis(1000));
  }

  setPower(watts: number): void {
    this.#target = Math.max(0, Math.min(watts, this.state.maxPower));
    if (this.#target > 0 && this.#tick === undefined) this.#tick = this.#clock.set(() => this.#run(), TICK);
    if (this.#target === 0) this.#off();
  }

  #off(): void {
    this.#clock.clear(this.#tick);
    this.#tick = undefined;
    this.state.powerTransmitted = 0;
    this.state.inputPower = 0;
    this.state.coilCurrent = 0;
    this.#receiver.receive(0, 0);
    this.report();
  }

  #run(): void {
    this.#tick = undefined;
    if (this.#target <= 0 || this.state.diagnostics !== "SPCNoIssue") return this.#off();
    this.#poweredMs += TICK;
    const fod = this.#options.fodAfter;
    if (fod !== undefined && this.#poweredMs >= fod) {
      this.state.diagnostics = "SPCFODDetected";
      return this.#off();
    }
    const delivered = this.#target * this.#efficiency();
    this.state.powerTransmitted = this.#target;
    this.state.inputPower = Math.round(this.#target / 0.95);
    this.state.coilCurrent = Math.round((this.#target / this.state.maxPower) * 50);
    this.#receiver.receive(delivered, TICK);
    this.report();
    this.#tick = this.#clock.set(() => this.#run(), TICK);
  }

  onVendorData(message: string, containers: readonly Uint8Array[]): void {
    this.vendorReceived.push({ message, containers });
  }
}
