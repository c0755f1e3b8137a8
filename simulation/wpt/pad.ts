// A simulated ISO 15118-20 WPT site: a car driving onto a ground pad (SimWptReceiver, the
// vehicle's side: WptReceiver) and the pad with its supply power converter (SimWirelessPad, the
// charger's side: WirelessPad). The pad transfers power into the car's battery at a coupling
// efficiency that falls with the offset. Both tick on the injected clock only while something
// moves or power flows, so a ManualClock's runAll() ends.
//
// Faults: a car that stops outside the pad's tolerance (it never fine-positions), a receiver
// that observes a neighbouring pad's code (pairing codes disagree), weak coupling (the
// alignment check fails), a foreign object on the pad during charging (`fodAfter`).
//
// Split in two processes (`xs15118 secc --transfer wpt` ⇄ `xs15118 evcc --transfer wpt`) each
// side has only its own half: a receiver with no pad attached and a pad with no receiver. Then
// the pad learns where the car is the way an LF positioning system does (-20 fine-positioning
// method LF_TxPrimaryDevice): its four LF transmitters (LF_SystemSetupData in
// WPT_FinePositioningSetupRes) are measured by the car's receiver antenna, one RSSI per
// WPT_FinePositioningReq (WPT_LF_DataPackageList, one package of NumPackages each), and the pad
// trilaterates the offset from them; the car's battery takes the power the pad reports in
// WPT_ChargeLoopRes at the coupling efficiency of its own offset. The stack carries the LF data
// untouched; only these models read it.

import { Millis } from "../../modules/common/index";
import type { Clock, TimerHandle } from "../../modules/common/index";
import type { WirelessPad, WptLfPackages, WptLfSetup, WptPadState, WptReceiver, WptResult } from "../../modules/statemachine/iso20/wpt-device";
import { initialWptPad, overPad } from "../../modules/statemachine/iso20/wpt-device";
import { fromRational, rational } from "../../modules/statemachine/iso20/rational";
import type { SimVehicle } from "../vehicle/index";

const TICK = Millis(100);

// ---- LF positioning (the models' own physics; the stack only carries the data) -------------

/** The pad's LF transmitters (cm from its centre): 1 ahead, 2 behind, 3 left, 4 right. */
const LF_SPAN = 30;
const LF_TRANSMITTERS: readonly (readonly [number, number])[] = Object.freeze([Object.freeze([LF_SPAN, 0] as const), Object.freeze([-LF_SPAN, 0] as const), Object.freeze([0, LF_SPAN] as const), Object.freeze([0, -LF_SPAN] as const)]);
/** Height of the receiver antenna over the transmitters (cm). */
const LF_HEIGHT = 15;
/** Received level at 10 cm (dBm) and the near-field fall-off of an LF magnetic field (60 dB a decade: 1/r³). */
const LF_RSSI_AT_10CM = -20;
const LF_DB_PER_DECADE = 60;

/** The pad's LF layout as WPT_FinePositioningSetupRes carries it (125 kHz, four transmitters). */
export function padLfSetup(): WptLfSetup {
  const spec = LF_TRANSMITTERS.map(([x, y], i) => ({ TxRxIdentifier: i + 1, TxRxPosition: { Coord_X: x, Coord_Y: y, Coord_Z: 0 }, TxRxOrientation: { Coord_X: 0, Coord_Y: 0, Coord_Z: 1 } }));
  return { LF_TransmitterSetupData: { NumberOfTransmitters: spec.length, SignalFrequency: rational(125_000), TxSpecData: spec } };
}

/** RSSI (dBm, 0.1 dB) at the receiver (x, y) of the transmitter at (tx, ty). */
function lfRssi(x: number, y: number, tx: number, ty: number): number {
  const d = Math.max(1, Math.hypot(x - tx, y - ty, LF_HEIGHT));
  return Math.round((LF_RSSI_AT_10CM - LF_DB_PER_DECADE * Math.log10(d / 10)) * 10) / 10;
}

/** The horizontal distance (cm, squared) an RSSI stands for. */
function lfRange2(rssi: number): number {
  const d = 10 * Math.pow(10, (LF_RSSI_AT_10CM - rssi) / LF_DB_PER_DECADE);
  return Math.max(0, d * d - LF_HEIGHT * LF_HEIGHT);
}

/** Trilaterates (x, y) from the four transmitters' RSSI (by identifier 1–4). */
function lfPosition(rssi: readonly number[]): { x: number; y: number } {
  const r = rssi.map(lfRange2);
  return { x: (r[1] - r[0]) / (4 * LF_SPAN), y: (r[3] - r[2]) / (4 * LF_SPAN) };
}

/** Coupling efficiency at an offset: 92 % centred, falling with the offset (none beyond 3× the tolerance). */
function couplingEfficiency(offsetX: number, offsetY: number, tolerance: number): number {
  return Math.max(0, 0.92 * (1 - Math.hypot(offsetX, offsetY) / (3 * tolerance)));
}

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
  /** Without a pad model (split): the pad's positioning tolerance (cm, default 10) and code (default 0xC0DE). */
  padTolerance?: number;
  padCode?: number;
}

/** The car with its receiver coil and EV power converter (with or without the pad's model beside it). */
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
  /** LF data received from the pad, by message (untouched). */
  readonly lfReceived: { message: string; data: WptLfSetup | WptLfPackages }[] = [];
  onMove: (() => void) | undefined;
  readonly #tolerance: number;
  readonly #padCode: number;
  /** Split: the pad's transmitters as its LF setup gave them, the next one to measure, the alignment verdict, the power flowing. */
  #transmitters: { id: number; x: number; y: number }[] = [];
  #nextTx = 0;
  /** LF packages measured since the car stopped: it declares its position only after a whole fresh round. */
  #stillPackages = 0;
  #alignment: WptResult = "EVResultUnknown";
  #padPower = 0;
  #padPowerSince = 0;

  constructor(options: SimWptReceiverOptions) {
    this.#clock = options.clock;
    this.#vehicle = options.vehicle;
    this.#x = options.distance ?? 400;
    this.#y = options.lateralOffset ?? 3;
    this.#speed = options.speed ?? 100;
    this.#maxPower = options.maxPower ?? 11_000;
    this.#observes = options.observesCode;
    this.ownCode = options.ownCode ?? 0x5eed;
    this.#tolerance = options.padTolerance ?? 10;
    this.#padCode = options.padCode ?? 0xc0de;
    this.#timer = this.#clock.set(() => this.#step(), TICK);
  }

  /** Over the pad within its tolerance, as this car knows it (split: its own position). */
  #overPad(): boolean {
    const pad = this.#pad?.state;
    if (pad !== undefined) return overPad(pad);
    return Math.abs(this.#x) <= this.#tolerance && Math.abs(this.#y) <= this.#tolerance;
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
    this.#vehicle.inletWh += (watts * ms) / 3_600_000; // what the receiver delivers counts as the vehicle's intake
  }

  moving(): boolean {
    return this.#timer !== undefined;
  }
  positioning(): WptResult {
    if (this.moving()) return "EVResultUnknown";
    // With LF positioning the pad places the car from a round of measurements: one more round
    // from where it stands before the car calls its position final.
    if (this.#transmitters.length > 0 && this.#stillPackages < this.#transmitters.length) return "EVResultUnknown";
    return this.#overPad() ? "EVResultSuccess" : "EVResultFailed";
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
    if (this.moving() || !this.#overPad()) return undefined;
    return this.#observes ?? this.#pad?.state.idCode ?? this.#padCode;
  }
  ownIdCode(): number {
    return this.ownCode;
  }
  alignment(): WptResult {
    if (this.#pad === undefined) return this.#alignment;
    const a = this.#pad.state.alignment;
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

  /** The next LF measurement: the RSSI of one transmitter at this antenna, cycling through the pad's layout. */
  lfData(): WptLfPackages | undefined {
    const txs = this.#transmitters;
    if (txs.length === 0) return undefined;
    const i = this.#nextTx++ % txs.length;
    if (!this.moving()) this.#stillPackages++;
    const tx = txs[i];
    const rssi = lfRssi(this.#x, this.#y, tx.x, tx.y);
    return { NumPackages: txs.length, WPT_LF_DataPackage: { PackageIndex: i, LF_RxData: { WPT_LF_RxDataList: { RxIdentifier: 1, RSSIData: { RSSIDataList: { TxIdentifier: tx.id, RSSI: rational(rssi) } } } } } };
  }

  onLfData(message: string, data: WptLfSetup | WptLfPackages): void {
    this.lfReceived.push({ message, data });
    const setup = (data as WptLfSetup).LF_TransmitterSetupData;
    if (setup !== undefined) this.#transmitters = setup.TxSpecData.map((t) => ({ id: t.TxRxIdentifier, x: t.TxRxPosition.Coord_X, y: t.TxRxPosition.Coord_Y }));
  }

  /** Split: the pad energised for the check; this receiver judges the coupling at its own offset. */
  onAlignmentCheck(transmitting: boolean): void {
    if (this.#pad !== undefined || !transmitting || this.#alignment !== "EVResultUnknown") return;
    this.#alignment = couplingEfficiency(this.#x, this.#y, this.#tolerance) >= 0.8 ? "EVResultSuccess" : "EVResultFailed";
  }

  /** Split: the power the pad transmits (from WPT_ChargeLoopRes) reaches the battery at this offset's efficiency. */
  onPadPower(watts: number): void {
    if (this.#pad !== undefined) return;
    const now = this.#clock.now();
    if (this.#padPower > 0) this.receive(this.#padPower * couplingEfficiency(this.#x, this.#y, this.#tolerance), now - this.#padPowerSince);
    this.#padPower = Math.max(0, watts);
    this.#padPowerSince = now;
    if (this.#padPower === 0) this.output = 0;
  }
}

export interface SimWirelessPadOptions {
  clock: Clock;
  /** The car's receiver beside it (one simulation); absent (split): the pad locates the car by LF. */
  receiver?: SimWptReceiver;
  /** Split: the vehicle's code the pad observes once the car is over it (default 0x5EED, SimWptReceiver's). */
  vehicleCode?: number;
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
  /**
   * The car rocks off the pad this long after power transfer starts (the pad sees the receiver
   * 30 cm out for `slipFor`, default 0.5 s, then back): the SECC answers WARNING_WPT.
   */
  slipAfter?: Millis;
  slipFor?: Millis;
  /** Time the low-power alignment check takes. Default 1 s. */
  alignmentTime?: Millis;
}

/** The ground pad with its sensors and supply power converter. */
export class SimWirelessPad implements WirelessPad {
  onEvent: WirelessPad["onEvent"];
  readonly state: WptPadState;
  readonly #clock: Clock;
  readonly #receiver: SimWptReceiver | undefined;
  /** Split: the latest RSSI of each LF transmitter (by identifier − 1). */
  readonly #rssi: number[] = [];
  readonly #options: SimWirelessPadOptions;
  #tick: TimerHandle | undefined;
  #target = 0;
  #poweredMs = 0;
  #slipped = false;
  /** Vendor data received from the vehicle, by message. */
  readonly vendorReceived: { message: string; containers: readonly Uint8Array[] }[] = [];

  constructor(options: SimWirelessPadOptions) {
    this.#clock = options.clock;
    this.#receiver = options.receiver;
    this.#options = options;
    this.state = { ...initialWptPad(), idCode: options.idCode ?? 0xc0de, tolerance: options.tolerance ?? 10, maxPower: options.maxPower ?? 11_000, lfSetup: padLfSetup() };
    const receiver = options.receiver;
    if (receiver !== undefined) {
      receiver.attach(this);
      receiver.onMove = () => this.#sense();
      this.#sense();
    }
  }

  report(): void {
    this.onEvent?.({ kind: "wpt-pad", state: { ...this.state } });
  }

  #sense(): void {
    const receiver = this.#receiver!;
    this.state.offsetX = Math.round(receiver.x);
    this.state.offsetY = Math.round(receiver.y);
    // The pad observes the vehicle's code once the receiver is over it.
    this.state.observedIdCode = overPad(this.state) && !receiver.moving() ? receiver.ownCode : undefined;
    this.report();
  }

  /**
   * Split: an LF measurement from the car. With all four transmitters measured the pad places
   * the car (each new measurement moves the estimate); over the pad within tolerance, the pad
   * observes the car's code.
   */
  onLfData(_message: string, data: WptLfSetup | WptLfPackages): void {
    const m = (data as WptLfPackages).WPT_LF_DataPackage?.LF_RxData?.WPT_LF_RxDataList?.RSSIData?.RSSIDataList;
    if (this.#receiver !== undefined || m === undefined || !(m.TxIdentifier >= 1 && m.TxIdentifier <= LF_TRANSMITTERS.length)) return;
    this.#rssi[m.TxIdentifier - 1] = fromRational(m.RSSI);
    if (this.#rssi.length < LF_TRANSMITTERS.length || this.#rssi.some((v) => v === undefined)) return;
    const at = lfPosition(this.#rssi);
    this.state.offsetX = Math.round(at.x);
    this.state.offsetY = Math.round(at.y);
    this.state.observedIdCode = overPad(this.state) ? (this.#options.vehicleCode ?? 0x5eed) : undefined;
    this.report();
  }

  /** Coupling efficiency at the offset the pad sees. */
  #efficiency(): number {
    if (this.#options.weakCoupling) return 0.3;
    return couplingEfficiency(this.state.offsetX, this.state.offsetY, this.state.tolerance);
  }

  startAlignmentCheck(): void {
    this.state.alignment = "unknown";
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
    this.#receiver?.receive(0, 0);
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
    const slip = this.#options.slipAfter;
    if (slip !== undefined && !this.#slipped && this.#poweredMs >= slip) {
      this.#slipped = true;
      const x = this.state.offsetX;
      this.state.offsetX = x + 30;
      this.report();
      this.#clock.set(() => {
        this.state.offsetX = x;
        this.report();
      }, this.#options.slipFor ?? Millis(500));
    }
    const delivered = this.#target * this.#efficiency();
    this.state.powerTransmitted = this.#target;
    this.state.inputPower = Math.round(this.#target / 0.95);
    this.state.coilCurrent = Math.round((this.#target / this.state.maxPower) * 50);
    this.#receiver?.receive(delivered, TICK);
    this.report();
    this.#tick = this.#clock.set(() => this.#run(), TICK);
  }

  onVendorData(message: string, containers: readonly Uint8Array[]): void {
    this.vendorReceived.push({ message, containers });
  }
}
