// The vehicle-side (EV) pilot: reads the plateau and the duty, drives S2 (IEC 61851-1 Annex A).
//
// The vehicle sees the same pilot line as the charger: B (+9 V) while S2 is open, C/D when
// closed, F (−12 V) when the charger is unavailable, E (0 V) when there is no pilot voltage
// (unplugged, charger off, short). The duty tells the allowed current or, at 5 %, that digital
// communication is required (Table A.8); readings are debounced by a DutyFilter so that one
// bad PWM period neither changes the current nor starts (or stops) digital communication.

import { openIo, type IoSpec, type PilotInput, type PilotInputOptions, type S2Switch, type S2SwitchOptions } from "./io";
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
  | { readonly type: "s2"; readonly closed: boolean };

export interface VehiclePilotOptions<I extends PilotInputOptions = PilotInputOptions, S extends S2SwitchOptions = S2SwitchOptions> {
  /** The pilot input host class (plateau voltages and measured duty) and its options. */
  input: IoSpec<I, PilotInput>;
  /** The S2 switch host class and its options. */
  s2: IoSpec<S, S2Switch>;
  /** Ready to charge at start (default false). */
  ready?: boolean;
  /** The vehicle reads no diode fault by default (its own diode). */
  detector?: PilotDetectorOptions;
  duty?: DutyFilterOptions;
  onEvent?(event: VehiclePilotEvent): void;
  onError?(error: Error): void;
}

export class VehiclePilot<I extends PilotInputOptions = PilotInputOptions, S extends S2SwitchOptions = S2SwitchOptions> {
  readonly #input: PilotInput;
  readonly #s2: S2Switch;
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

  constructor(options: VehiclePilotOptions<I, S>) {
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
    const close = this.#ready && connected && pwm && allows;
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
