// The vehicle-side (EV) pilot: reads the plateau and the duty, drives S2 (IEC 61851-1 Annex A).
//
// The vehicle sees the same pilot line as the charger: B (+9 V) while S2 is open, C/D when
// closed, F (−12 V) when the charger is unavailable, E (0 V) when there is no pilot voltage
// (unplugged, charger off, short). The duty tells the allowed current or, at 5 %, that digital
// communication is required (Table A.8); readings are debounced by a DutyFilter so that one
// bad PWM period neither changes the current nor starts (or stops) digital communication.
//
// Optionally the inlet's proximity contact (PP, IEC 61851-1 Annex B; coding below): the only
// reading that tells an unplug from a charger that shows 0 V for a while (its E/F wake-up, ISO
// 15118-3 T_step_EF), and the cable's coded current. Debounced like the pilot.

import { openIo, type IoSpec, type PilotInput, type PilotInputOptions, type ProximityInput, type ProximityInputOptions, type S2Switch, type S2SwitchOptions } from "./io";
import { currentForDuty, type DutyMeaning } from "./duty";
import { PilotDetector, type PilotDetectorOptions, type PlateauState } from "./detector";
import { DutyFilter, type DutyFilterOptions } from "./duty-filter";
import { CpPwmError } from "./errors";

/** IEC 61851-1 Table A.3 states as the vehicle reads them. */
export type VehiclePilotState = "A" | "B1" | "B2" | "C1" | "C2" | "D1" | "D2" | "E" | "F";

export type VehiclePilotEvent =
  | { readonly type: "state"; readonly state: VehiclePilotState; readonly previous: VehiclePilotState | undefined }
  /** The confirmed duty changed meaning: a new current, digital communication, no PWM, error. */
  | { readonly type: "duty"; readonly duty: number; readonly meaning: DutyMeaning }
  | { readonly type: "s2"; readonly closed: boolean }
  /**
   * The proximity contact's confirmed reading changed: a plug in or out, or another cable
   * coding. `cableCurrent`: the cable's coded current (A), undefined where none is coded.
   */
  | { readonly type: "proximity"; readonly plugged: boolean; readonly cableCurrent: number | undefined; readonly ohms: number };

export interface VehiclePilotOptions<
  I extends PilotInputOptions = PilotInputOptions,
  S extends S2SwitchOptions = S2SwitchOptions,
  P extends ProximityInputOptions = ProximityInputOptions,
> {
  /** The pilot input host class (plateau voltages and measured duty) and its options. */
  input: IoSpec<I, PilotInput>;
  /** The S2 switch host class and its options. */
  s2: IoSpec<S, S2Switch>;
  /** The inlet's proximity (PP) input, if the vehicle has one wired (IEC 61851-1 Annex B). */
  proximity?: IoSpec<P, ProximityInput>;
  /** Agreeing PP readings before one counts (default 3, as the pilot's detector). */
  proximityDebounce?: number;
  /** Ready to charge at start (default false). */
  ready?: boolean;
  /** The vehicle reads no diode fault by default (its own diode). */
  detector?: PilotDetectorOptions;
  duty?: DutyFilterOptions;
  onEvent?(event: VehiclePilotEvent): void;
  onError?(error: Error): void;
}

// ---- The proximity contact (PP) of a vehicle inlet: whether a plug is in, and the current its
// cable is rated for (IEC 61851-1 Annex B, proximity detection and cable current coding; IEC
// 62196-2 Type 2 accessories). The plug carries a resistor Rc between PP and PE; the vehicle
// measures it. Without a plug the contact is open.
//
// IEC 61851-1 Annex B codes the cable's current capability with Rc (nominal values, and the
// ranges a measurement is interpreted in):
//     Rc 1.5 kΩ (1000–2200 Ω) → 13 A       Rc 680 Ω (330–1000 Ω) → 20 A
//     Rc 220 Ω  (150–330 Ω)   → 32 A       Rc 100 Ω (75–150 Ω)   → 63 A three-phase (70 A single)
// below 75 Ω: an error (no valid coding); above 2200 Ω: no plug. A vehicle draws at most the
// cable's current (Annex B: the cable assembly limits the current), so the session caps the
// EV's maximum current by it (ISO 15118-2 AC_EVChargeParameter EVMaxCurrent).
//
// A Type 1 (SAE J1772) inlet codes no current: its host adapter reports NaN while the plug is
// latched and Infinity when it is out or its latch button (S3) is pressed — J1772's "about to
// be unplugged", on which the vehicle stops drawing current just the same.

/** The interpretation ranges of IEC 61851-1 Annex B (ohms). Frozen. */
export const PROXIMITY_CODING = Object.freeze({
  /** Below: no valid coding (PP shorted to PE, or a faulty resistor). */
  invalidBelow: 75,
  /** From 75 Ω up to (not including) 150 Ω: 63 A (the three-phase rating; 70 A single-phase). */
  amps63Below: 150,
  /** 150 Ω up to 330 Ω: 32 A. */
  amps32Below: 330,
  /** 330 Ω up to 1000 Ω: 20 A. */
  amps20Below: 1000,
  /** 1000 Ω up to 2200 Ω inclusive: 13 A; above: no plug (open). */
  openAbove: 2200,
});

/**
 * A plug is in: the reading is not above the coding table's top (2200 Ω). NaN (a digital input:
 * present, not measured) counts as plugged; Infinity (open) as not.
 */
export function proximityPlugged(ohms: number): boolean {
  return !(ohms > PROXIMITY_CODING.openAbove);
}

/**
 * The cable's coded current in amperes for a PP reading (IEC 61851-1 Annex B), undefined where
 * none is coded: no plug, a digital input (NaN), or a reading below 75 Ω (invalid).
 */
export function cableCurrentForProximity(ohms: number): number | undefined {
  const c = PROXIMITY_CODING;
  if (!(ohms >= c.invalidBelow) || ohms > c.openAbove) return undefined;
  if (ohms < c.amps63Below) return 63;
  if (ohms < c.amps32Below) return 32;
  if (ohms < c.amps20Below) return 20;
  return 13;
}

export class VehiclePilot<I extends PilotInputOptions = PilotInputOptions, S extends S2SwitchOptions = S2SwitchOptions, P extends ProximityInputOptions = ProximityInputOptions> {
  readonly #input: PilotInput;
  readonly #s2: S2Switch;
  readonly #proximity: ProximityInput | undefined;
  readonly #proximityDebounce: number;
  readonly #detector: PilotDetector;
  readonly #duty: DutyFilter;
  readonly #onEvent: (event: VehiclePilotEvent) => void;
  readonly #onError: (error: Error) => void;
  #ready: boolean;
  #closed = false;
  #plateau: PlateauState | undefined;
  #stableDuty = Number.NaN;
  #meaning: DutyMeaning | undefined;
  #state: VehiclePilotState | undefined;
  #s2Closed = false;
  #updating = false;
  #dirty = false;
  /** The confirmed PP reading: plugged (undefined before the first, or without a PP input). */
  #plugged: boolean | undefined;
  #cableCurrent: number | undefined;
  /** The PP reading being debounced: its class (-1 open, 0 plugged without coding, else amps). */
  #ppCandidate = Number.NaN;
  #ppAgreeing = 0;

  constructor(options: VehiclePilotOptions<I, S, P>) {
    this.#ready = options.ready ?? false;
    this.#detector = new PilotDetector({ checkDiode: false, ...options.detector });
    this.#duty = new DutyFilter(options.duty);
    this.#onEvent = options.onEvent ?? noop;
    this.#onError = options.onError ?? noop;
    const onError = (error: Error): void => {
      if (!this.#closed) this.#onError(error);
    };
    this.#s2 = openIo(options.s2, { onError });
    this.#s2.write(0);
    this.#proximityDebounce = options.proximityDebounce ?? 3;
    this.#proximity = options.proximity ? openIo(options.proximity, { onReadable: () => this.#drainProximity(), onError }) : undefined;
    this.#input = openIo(options.input, { onReadable: () => this.#drain(), onError });
  }

  get state(): VehiclePilotState | undefined {
    return this.#state;
  }

  /** The confirmed duty in percent (NaN before the first). */
  get duty(): number {
    return this.#stableDuty;
  }

  /** The allowed current from the PWM (Table A.8), 0 when the duty allows none. */
  get current(): number {
    const m = this.#meaning;
    return m !== undefined && m.kind === "current" ? m.amps : 0;
  }

  /** The charger requires digital communication (5 %). */
  get digital(): boolean {
    return this.#meaning !== undefined && this.#meaning.kind === "digital";
  }

  get s2Closed(): boolean {
    return this.#s2Closed;
  }

  /** Whether a proximity (PP) input is wired. */
  get hasProximity(): boolean {
    return this.#proximity !== undefined;
  }

  /** A plug is in by the PP contact; undefined without a PP input or before its first reading. */
  get plugged(): boolean | undefined {
    return this.#plugged;
  }

  /**
   * The cable's coded current (A) from the PP resistor (IEC 61851-1 Annex B: 13, 20, 32 or 63),
   * undefined where none is known: no PP input, no plug, an uncoded or invalid reading.
   */
  get cableCurrent(): number | undefined {
    return this.#cableCurrent;
  }

  /**
   * Ready to draw energy: S2 closes while the charger's PWM is on (x2) and allows charging
   * (a current, or 5 % — with digital communication the session layer calls this after its
   * PowerDeliveryReq); S2 opens when the PWM stops or the charger goes to E/F.
   */
  setReady(ready: boolean): void {
    if (this.#closed) throw new CpPwmError("closed", "VehiclePilot is closed");
    this.#ready = ready;
    this.#update();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#input.close();
    this.#proximity?.close();
    try {
      this.#s2.write(0);
    } catch {
      // closing anyway
    }
    this.#s2.close();
  }

  #drain(): void {
    if (this.#closed) return;
    for (let sample = this.#input.read(); sample !== undefined; sample = this.#input.read()) {
      const before = this.#detector.state;
      const after = this.#detector.feed(sample.high, sample.low);
      const duty = this.#duty.feed(sample.duty);
      let changed = after !== before;
      if (after !== before) this.#plateau = after;
      if (duty !== this.#stableDuty && !(duty !== duty && this.#stableDuty !== this.#stableDuty)) {
        this.#stableDuty = duty;
        const meaning = currentForDuty(duty < 0 ? 0 : duty > 100 ? 100 : duty);
        if (!sameMeaning(meaning, this.#meaning)) {
          this.#meaning = meaning;
          this.#emit({ type: "duty", duty, meaning });
        }
        changed = true;
      }
      if (changed) this.#update();
      if (this.#closed) return;
    }
  }

  #drainProximity(): void {
    const pp = this.#proximity!;
    for (let ohms = pp.read(); ohms !== undefined; ohms = pp.read()) {
      if (this.#closed) return;
      const plugged = proximityPlugged(ohms);
      const amps = plugged ? cableCurrentForProximity(ohms) : undefined;
      const kind = plugged ? (amps ?? 0) : -1;
      if (kind !== this.#ppCandidate) {
        this.#ppCandidate = kind;
        this.#ppAgreeing = 0;
      }
      if (++this.#ppAgreeing < this.#proximityDebounce) continue;
      if (plugged === this.#plugged && amps === this.#cableCurrent) continue;
      this.#plugged = plugged;
      this.#cableCurrent = amps;
      this.#emit({ type: "proximity", plugged, cableCurrent: amps, ohms });
      // IEC 61851-1 Annex B / A.2.2: no plug, no S2 (a J1772 latch pressed stops the draw too).
      this.#update();
    }
  }

  #update(): void {
    if (this.#updating) {
      this.#dirty = true;
      return;
    }
    this.#updating = true;
    try {
      do {
        this.#dirty = false;
        this.#apply();
      } while (this.#dirty && !this.#closed);
    } finally {
      this.#updating = false;
    }
  }

  #apply(): void {
    if (this.#closed) return;
    const p = this.#plateau;
    const m = this.#meaning;
    const pwm = m !== undefined && m.kind !== "no-pwm";
    const connected = p === "B" || p === "C" || p === "D";
    const allows = m !== undefined && (m.kind === "current" || m.kind === "digital");
    const close = this.#ready && connected && pwm && allows && this.#plugged !== false;
    if (close !== this.#s2Closed) {
      this.#s2Closed = close;
      try {
        this.#s2.write(close ? 1 : 0);
      } catch (error) {
        this.#onError(error as Error);
      }
      this.#emit({ type: "s2", closed: close });
      if (this.#dirty) return;
    }
    let state: VehiclePilotState | undefined;
    if (p === undefined) state = undefined;
    else if (p === "A" || p === "E" || p === "F") state = p;
    else if (p === "diode-missing") state = this.#state;
    else state = `${p}${pwm ? "2" : "1"}` as VehiclePilotState;
    if (state !== undefined && state !== this.#state) {
      const previous = this.#state;
      this.#state = state;
      this.#emit({ type: "state", state, previous });
    }
  }

  #emit(event: VehiclePilotEvent): void {
    if (!this.#closed) this.#onEvent(event);
  }
}

function sameMeaning(a: DutyMeaning, b: DutyMeaning | undefined): boolean {
  if (b === undefined || a.kind !== b.kind) return false;
  return a.kind !== "current" || (b.kind === "current" && a.amps === b.amps);
}

function noop(): void {}
