// The charger-side (EVSE) pilot state machine of IEC 61851-1 Annex A, with the ISO 15118-3
// additions: 5 % PWM for high-level communication and the E/F wake-up (T_step_EF).
//
// Inputs: debounced plateau states from the PilotInput, and the charger application's
// commands (ready, mode, maximum current, fault, wake-up). Outputs: the PilotOutput level and
// events through `onEvent`. `power` events say whether the pilot *allows* the supply; the
// application closes its contactors only while allowed (and, with ISO 15118, only after
// PowerDeliveryReq), and must open them at once when a `power` event says not allowed.

import type { Clock, TimerHandle } from "../common/index";
import { DIGITAL_COMMUNICATION_DUTY, dutyForCurrent } from "./duty";
import { PilotDetector, type PilotDetectorOptions, type PlateauState } from "./detector";
import { CpPwmError } from "./errors";
import { PilotLevel, openIo, type IoSpec, type PilotInput, type PilotInputOptions, type PilotOutput, type PilotOutputOptions } from "./io";
import { T_FORCED_POWER_OFF, T_STEP_EF } from "./timing";

/** IEC 61851-1 Table A.3 states as the charger sees them: x1 = constant level, x2 = PWM. */
export type ChargerPilotState = "A" | "B1" | "B2" | "C1" | "C2" | "D1" | "D2" | "E" | "F";

/** Why the pilot allows or stops the supply. */
export type PowerReason =
  /** C2 (or D2 with ventilation): the vehicle asks for energy and the PWM is on. */
  | "vehicle-ready"
  /** C/D → B: the vehicle opened S2. */
  | "vehicle-stopped"
  /** C/D → A: unplugged under load. */
  | "unplugged"
  /** The PWM stopped and the vehicle stayed in C/D for T_FORCED_POWER_OFF (6 s). */
  | "pwm-stop-timeout"
  /** A pilot error (see the error event). */
  | "pilot-error"
  /** The application declared a fault (state F). */
  | "fault"
  /** The E/F wake-up pulse. */
  | "wake-up"
  /** The application is not ready (no PWM) and the vehicle is not in C/D. */
  | "evse-not-ready";

/** Pilot errors: peer or wiring faults, reported as events, never thrown. */
export type PilotErrorReason =
  /** Positive plateau B/C/D but no −12 V negative plateau (IEC 61851-1 A.2.x). */
  | "diode-missing"
  /** State E: pilot shorted to PE, 0 V. */
  | "short-circuit"
  /** State D but this charger has no ventilation. */
  | "ventilation-unavailable"
  /** −12 V on the positive plateau while the charger drives +12 V or PWM: generator fault. */
  | "generator-fault";

export type ChargerPilotEvent =
  | { readonly type: "state"; readonly state: ChargerPilotState; readonly previous: ChargerPilotState | undefined }
  | { readonly type: "power"; readonly allowed: boolean; readonly reason: PowerReason }
  | { readonly type: "error"; readonly reason: PilotErrorReason; readonly active: boolean }
  | { readonly type: "wake-up"; readonly phase: "start" | "end" };

/** The signalling mode while the charger is ready. */
export type PilotMode =
  /** 5 %: digital communication required (ISO 15118-3 / DIN 70121); the current goes over HLC. */
  | "hlc"
  /** The duty of Table A.7 for `maxCurrent`: basic charging (also the fallback when HLC fails). */
  | "nominal";

export interface ChargerPilotOptions<I extends PilotInputOptions = PilotInputOptions, O extends PilotOutputOptions = PilotOutputOptions> {
  clock: Clock;
  /** The pilot input host class and its own options, e.g. `{ io: Esp32PilotInput, pin: 34 }`. */
  input: IoSpec<I, PilotInput>;
  /** The pilot generator host class and its options. */
  output: IoSpec<O, PilotOutput>;
  /** Signalling mode (default "hlc"). */
  mode?: PilotMode;
  /** The current limit advertised in "nominal" mode, amperes (default 16). */
  maxCurrent?: number;
  /** Whether the charger can supply now (PWM on when a vehicle is there); default true. */
  ready?: boolean;
  /** Whether the installation ventilates (state D allowed to draw); default false. */
  ventilation?: boolean;
  /** Level held during wakeUp(): "F" (−12 V, default) or "E" (0 V, needs output.canZero). */
  wakeUpLevel?: "E" | "F";
  detector?: PilotDetectorOptions;
  onEvent?(event: ChargerPilotEvent): void;
  /** The input or output failed (host fault); the pilot keeps power off. */
  onError?(error: Error): void;
}

export class ChargerPilot<I extends PilotInputOptions = PilotInputOptions, O extends PilotOutputOptions = PilotOutputOptions> {
  readonly #clock: Clock;
  readonly #input: PilotInput;
  readonly #output: PilotOutput;
  readonly #detector: PilotDetector;
  readonly #ventilation: boolean;
  readonly #wakeUpLevel: "E" | "F";
  readonly #onEvent: (event: ChargerPilotEvent) => void;
  readonly #onError: (error: Error) => void;
  #mode: PilotMode;
  #maxCurrent: number;
  #ready: boolean;
  #closed = false;

  #plateau: PlateauState | undefined;
  /** Last B/C/D letter seen: the state shown while the diode is missing. */
  #letter: "B" | "C" | "D" = "B";
  #level: number = Number.NaN;
  #state: ChargerPilotState | undefined;
  #error: PilotErrorReason | undefined;
  #allowed = false;
  #fault: string | undefined;
  #wake: TimerHandle | undefined;
  #stopTimer: TimerHandle | undefined;
  #forcedOff = false;
  #hostFailed = false;
  #updating = false;
  #dirty = false;

  constructor(options: ChargerPilotOptions<I, O>) {
    this.#clock = options.clock;
    this.#mode = options.mode ?? "hlc";
    this.#maxCurrent = options.maxCurrent ?? 16;
    if (this.#mode === "nominal") dutyForCurrent(this.#maxCurrent); // validate early
    this.#ready = options.ready ?? true;
    this.#ventilation = options.ventilation ?? false;
    this.#wakeUpLevel = options.wakeUpLevel ?? "F";
    this.#detector = new PilotDetector(options.detector);
    this.#onEvent = options.onEvent ?? noop;
    this.#onError = options.onError ?? noop;
    const onError = (error: Error): void => this.#hostError(error);
    this.#output = openIo(options.output, { onError });
    if (this.#wakeUpLevel === "E" && !this.#output.canZero) {
      this.#output.close();
      throw new CpPwmError("no-zero-output", "wakeUpLevel 'E' needs an output that can drive 0 V");
    }
    this.#input = openIo(options.input, { onReadable: () => this.#drain(), onError });
    this.#update();
  }

  /** The current state; undefined until the first plateau has been debounced. */
  get state(): ChargerPilotState | undefined {
    return this.#state;
  }

  /** Whether the pilot allows the supply (see the `power` event). */
  get powerAllowed(): boolean {
    return this.#allowed;
  }

  /** What the output drives: a duty in percent, or a PilotLevel. */
  get output(): number {
    return this.#level;
  }

  /** The active pilot error, if any. */
  get error(): PilotErrorReason | undefined {
    return this.#error;
  }

  get mode(): PilotMode {
    return this.#mode;
  }

  /** Ready to supply: PWM on whenever a vehicle is connected. false stops the PWM (x1). */
  setReady(ready: boolean): void {
    this.#checkOpen();
    this.#ready = ready;
    this.#update();
  }

  /** 5 % (HLC) or the nominal duty; "nominal" is the fallback when HLC fails. */
  setMode(mode: PilotMode): void {
    this.#checkOpen();
    if (mode === "nominal") dutyForCurrent(this.#maxCurrent);
    this.#mode = mode;
    this.#update();
  }

  /** The limit for "nominal" mode (6..80 A advertised; above 80 A advertises 80 A). */
  setMaxCurrent(amps: number): void {
    this.#checkOpen();
    dutyForCurrent(amps); // throws below 6 A
    this.#maxCurrent = amps;
    this.#update();
  }

  /**
   * High-level communication failed (ISO 15118-3, IEC 61851-1 Annex A): either fall back to
   * basic charging with the nominal duty for maxCurrent, or signal state F until clearFault().
   */
  hlcFailed(fallback: "nominal" | "fault"): void {
    if (fallback === "nominal") this.setMode("nominal");
    else this.fault("hlc-failed");
  }

  /** Enter state F (−12 V, EVSE not available) and stop the supply until clearFault(). */
  fault(reason: string): void {
    this.#checkOpen();
    this.#fault = reason;
    this.#cancelWake(false);
    this.#update();
  }

  clearFault(): void {
    this.#checkOpen();
    if (this.#fault === undefined) return;
    this.#fault = undefined;
    this.#leaveOwnLevel(undefined);
    this.#update();
  }

  /**
   * The ISO 15118-3 wake-up: hold state F (or E) for T_step_EF (4 s), then return to state B
   * with the PWM, so that the vehicle restarts and a new matching (SLAC) begins. Only with a
   * vehicle connected (B, C, D) and no fault; returns whether the pulse started.
   */
  wakeUp(): boolean {
    this.#checkOpen();
    const p = this.#plateau;
    if (this.#fault !== undefined || this.#wake !== undefined) return false;
    if (p !== "B" && p !== "C" && p !== "D") return false;
    this.#wake = this.#clock.set(() => this.#endWake(), T_STEP_EF);
    this.#emit({ type: "wake-up", phase: "start" });
    this.#update();
    return true;
  }

  /** Stop: output to +12 V, timers cleared, no callbacks afterwards. Idempotent. */
  close(): void {
    if (this.#closed) return;
    if (this.#allowed) {
      this.#allowed = false;
      this.#emit({ type: "power", allowed: false, reason: "evse-not-ready" });
    }
    this.#closed = true;
    this.#clock.clear(this.#wake);
    this.#clock.clear(this.#stopTimer);
    this.#wake = this.#stopTimer = undefined;
    this.#input.close();
    try {
      this.#output.write(PilotLevel.PlusTwelve);
    } catch {
      // closing anyway
    }
    this.#output.close();
  }

  // Samples: the hot path; the detector allocates nothing, decisions run only on a change.
  #drain(): void {
    if (this.#closed) return;
    for (let sample = this.#input.read(); sample !== undefined; sample = this.#input.read()) {
      const before = this.#detector.state;
      const after = this.#detector.feed(sample.high, sample.low);
      if (after !== before) {
        this.#plateau = after;
        if (after === "B" || after === "C" || after === "D") this.#letter = after;
        this.#update();
        if (this.#closed) return;
      }
    }
  }

  #endWake(): void {
    this.#wake = undefined;
    // Back to B with the PWM; the detector starts afresh (it saw our own F). Assume B, never C:
    // the supply is allowed again only once C has been detected anew.
    this.#leaveOwnLevel("B");
    this.#update();
    this.#emit({ type: "wake-up", phase: "end" });
  }

  #cancelWake(emit: boolean): void {
    if (this.#wake === undefined) return;
    this.#clock.clear(this.#wake);
    this.#wake = undefined;
    if (emit) this.#emit({ type: "wake-up", phase: "end" });
  }

  /** After driving E/F ourselves the plateau says nothing about the vehicle: detect again. */
  #leaveOwnLevel(assumed: PlateauState | undefined): void {
    this.#detector.reset();
    this.#plateau = assumed;
  }

  #hostError(error: Error): void {
    if (this.#closed) return;
    this.#hostFailed = true;
    this.#update();
    this.#onError(error);
  }

  // Event handlers may call back (setReady from a state event): re-run instead of nesting.
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
    const own = this.#fault !== undefined || this.#wake !== undefined;
    const vehicle = p === "B" || p === "C" || p === "D" || p === "diode-missing";

    // 1. The output level (IEC 61851-1 Table A.3): PWM only with a vehicle and readiness.
    let level: number;
    if (own) level = this.#fault === undefined && this.#wakeUpLevel === "E" ? PilotLevel.Zero : PilotLevel.MinusTwelve;
    else if (vehicle && this.#ready && !this.#hostFailed) {
      level = this.#mode === "hlc" ? DIGITAL_COMMUNICATION_DUTY : dutyForCurrent(this.#maxCurrent);
    } else level = PilotLevel.PlusTwelve;
    if (level !== this.#level) {
      this.#level = level;
      try {
        this.#output.write(level);
      } catch (error) {
        this.#hostFailed = true;
        this.#onError(error as Error);
      }
    }
    const pwm = level > 0 && level < 100;

    // 2. The state.
    let state: ChargerPilotState | undefined;
    if (own) state = this.#fault === undefined && this.#wakeUpLevel === "E" ? "E" : "F";
    else if (p === undefined) state = undefined;
    else if (p === "A" || p === "E" || p === "F") state = p;
    else state = `${p === "diode-missing" ? this.#letter : p}${pwm ? "2" : "1"}` as ChargerPilotState;
    if (state !== this.#state && state !== undefined) {
      const previous = this.#state;
      this.#state = state;
      this.#emit({ type: "state", state, previous });
      if (this.#dirty) return; // a handler changed the inputs: start over
    }

    // 3. Pilot errors (not while we drive E/F ourselves).
    let error: PilotErrorReason | undefined;
    if (own) error = undefined;
    else if (p === "diode-missing") error = "diode-missing";
    else if (p === "E") error = "short-circuit";
    else if (p === "F") error = "generator-fault";
    else if (p === "D" && !this.#ventilation) error = "ventilation-unavailable";
    if (error !== this.#error) {
      if (this.#error !== undefined) this.#emit({ type: "error", reason: this.#error, active: false });
      this.#error = error;
      if (error !== undefined) this.#emit({ type: "error", reason: error, active: true });
      if (this.#dirty) return;
    }

    // 4. Power.
    const drawing = p === "C" || (p === "D" && this.#ventilation);
    let allowed = false;
    let reason: PowerReason;
    if (this.#fault !== undefined) reason = "fault";
    else if (this.#wake !== undefined) reason = "wake-up";
    else if (error !== undefined || this.#hostFailed) reason = "pilot-error";
    else if (p === "A") reason = "unplugged";
    else if (drawing && pwm) {
      allowed = true;
      reason = "vehicle-ready";
    } else if (drawing) {
      // x2 → x1 with the vehicle still in C: keep the supply up to T_FORCED_POWER_OFF so the
      // vehicle can ramp down and open S2; then switch off whatever it does (IEC 61851-1 A).
      reason = "pwm-stop-timeout";
      if (this.#allowed && !this.#forcedOff) {
        allowed = true;
        if (this.#stopTimer === undefined) {
          this.#stopTimer = this.#clock.set(() => {
            this.#stopTimer = undefined;
            this.#forcedOff = true;
            this.#update();
          }, T_FORCED_POWER_OFF);
        }
      }
    } else reason = p === "B" ? "vehicle-stopped" : "evse-not-ready";
    if (allowed && pwm) {
      this.#forcedOff = false;
      this.#clock.clear(this.#stopTimer);
      this.#stopTimer = undefined;
    } else if (!allowed) {
      this.#clock.clear(this.#stopTimer);
      this.#stopTimer = undefined;
      if (!drawing) this.#forcedOff = false;
    }
    if (allowed !== this.#allowed) {
      this.#allowed = allowed;
      this.#emit({ type: "power", allowed, reason });
    }
  }

  #emit(event: ChargerPilotEvent): void {
    if (!this.#closed) this.#onEvent(event);
  }

  #checkOpen(): void {
    if (this.#closed) throw new CpPwmError("closed", "ChargerPilot is closed");
  }
}

function noop(): void {}
