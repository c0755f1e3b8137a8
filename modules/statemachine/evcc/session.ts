// The EVCC session: drives the request sequence of DIN 70121 DC, ISO 15118-2 DC and AC (EIM).
//
// Events in (`handle`: responses, controls, timeouts, link-down), callbacks out (`send`,
// vehicle hooks, `onStop`, `onTrace`). The session owns the clock: it arms the message timeout
// of each request, the overall timers of repeated steps (Ongoing, CableCheck, PreCharge), the
// CommunicationSetup timer and EVCC_Sequence_Performance_Time; each fires as a `timeout` event.
// Message name, SessionID and ResponseCode are checked here, in one place, before a step sees
// a response. Steps (steps/*.ts) stay pure: request builders and response → tagged result.

import type { Clock, Logger, Millis, TimerHandle } from "../../common/index";
import { bytesEqual, ImplementationError, silentLogger, toHex } from "../../common/index";
import type { AnyResponse, EvccDoc } from "./msg";
import { bodyElement, headerSessionId, requestDoc } from "./msg";
import { fromPhysical } from "./physical";
import type { PhysicalValue } from "./physical";
import type { EvccFacts, EvccStep, ResolvedEvccConfig, StepContext, StepResult, VehicleAction } from "./step";
import { EVCC_STEPS } from "./steps/index";
import { iso20EvccStepTable } from "../iso20/evcc-tables";
import { isDc } from "../iso20/services";
import { newIso20EvccFacts } from "../iso20/evcc-types";
import { windDownStep } from "./steps/common";
import type { EvccPhaseTimer } from "./timeouts";
import { EVCC_SEQUENCE_PERFORMANCE_TIME, PHASE_TIMER_LIMITS, V2G_EVCC_COMMUNICATION_SETUP_TIMER } from "./timeouts";
import type { EvBms, EvccCallbacks, EvccConfig, EvccControl, EvccEvent, EvccOutcome, EvccStepId, EvccStopReason, EvccTimer } from "./types";
import type { SignatureType } from "../../pki-store/index";

export interface EvccSessionOptions {
  config: EvccConfig;
  bms: EvBms;
  clock: Clock;
  callbacks: EvccCallbacks;
  logger?: Logger;
  /** Unix time in seconds for the ISO 15118-20 header TimeStamp (0 when absent or undefined: no trusted time). */
  unixTime?: () => bigint | undefined;
}

const PHASE_TIMEOUT_REASON: Readonly<Record<EvccPhaseTimer, EvccStopReason>> = Object.freeze({
  ongoing: "timeout-ongoing",
  "cable-check": "timeout-cable-check",
  "pre-charge": "timeout-pre-charge",
  "welding-detection": "timeout-welding-detection",
});

/** Fills in the defaults of EvccConfig. */
export function resolveEvccConfig(config: EvccConfig): ResolvedEvccConfig {
  if (config.protocol === "iso20" && config.iso20 === undefined) throw new ImplementationError("an ISO 15118-20 EVCC needs config.iso20 (service, control mode)");
  if (config.protocol === "din" && config.energyTransferMode.indexOf("AC") === 0) {
    throw new ImplementationError("DIN 70121 covers DC charging only");
  }
  // evccIDType: hexBinary of at most 6 bytes in ISO-2 (the MAC), 8 in DIN.
  const maxId = config.protocol === "din" ? 8 : 6;
  if (!(config.evccId instanceof Uint8Array) || config.evccId.length === 0 || config.evccId.length > maxId) {
    throw new ImplementationError(`EVCCID must be 1..${maxId} bytes for ${config.protocol}`);
  }
  if (config.chargingProfile !== undefined && config.chargingProfile !== "schedule" && config.chargingProfile !== "omit") {
    throw new ImplementationError(`chargingProfile must be "schedule" or "omit", not ${String(config.chargingProfile)}`);
  }
  return {
    protocol: config.protocol,
    energyTransferMode: config.energyTransferMode,
    evccId: config.evccId,
    resumeSessionId: config.resumeSessionId,
    valueAddedServices: config.valueAddedServices ?? [],
    departureTime: config.departureTime,
    maxEntriesSAScheduleTuple: config.maxEntriesSAScheduleTuple,
    iso20: config.iso20,
    pnc: config.pnc,
    chargingProfile: config.chargingProfile ?? "schedule",
    preChargeTolerance: config.preChargeTolerance ?? 10,
    preChargeCurrent: config.preChargeCurrent ?? 2,
    weldingDetection: config.weldingDetection ?? true,
    weldingVoltageLimit: config.weldingVoltageLimit ?? 60,
    pollInterval: config.pollInterval ?? (200 as Millis),
    currentDemandInterval: config.currentDemandInterval ?? (100 as Millis),
    chargingStatusInterval: config.chargingStatusInterval ?? (500 as Millis),
  };
}

type SessionState = "idle" | "scheduled" | "waiting" | "ended";

export class EvccSession {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #cb: EvccCallbacks;
  readonly #ctx: StepContext;
  readonly #communicationSetupDeadline: Millis | undefined;
  #state: SessionState = "idle";
  /** The protocol's steps (DIN/ISO-2 share one table; -20 has one for DC and one for AC). */
  readonly #steps: Readonly<Partial<Record<EvccStepId, EvccStep>>>;
  readonly #unixTime: (() => bigint | undefined) | undefined;
  #step: EvccStep;
  #phase: { timer: EvccPhaseTimer; step: EvccStepId; handle: TimerHandle } | undefined;
  #messageTimer: TimerHandle | undefined;
  #sendTimer: TimerHandle | undefined;
  #sequenceTimer: TimerHandle | undefined;
  #setupTimer: TimerHandle | undefined;
  #pendingControl: "stop" | "pause" | "renegotiate" | "renegotiate-service" | "standby" | "exit-standby" | undefined;
  #outcome: EvccOutcome | undefined;
  #requests = 0;
  #weldingExpired = false;
  /** -20 BPT: the charger's discharge sign convention was logged. */
  #signNoted = false;

  constructor(options: EvccSessionOptions) {
    const config = resolveEvccConfig(options.config);
    this.#clock = options.clock;
    this.#log = options.logger ?? silentLogger;
    this.#cb = options.callbacks;
    this.#communicationSetupDeadline = options.config.communicationSetupDeadline;
    const iso20 = config.protocol === "iso20";
    this.#steps = iso20 ? iso20EvccStepTable(config.iso20!) : EVCC_STEPS;
    this.#step = this.#stepRecord("SessionSetup");
    this.#unixTime = options.unixTime;
    const facts: EvccFacts = {
      // SessionID 0 asks for a new session (-20: sessionIDType is exactly 8 bytes).
      sessionId: config.resumeSessionId ?? new Uint8Array(iso20 ? 8 : 1),
      resumed: false,
      chargeServiceId: 1,
      pendingServiceDetails: [],
      selectedServices: [],
      saScheduleTupleId: 1,
      evse: {},
      charging: false,
      renegotiating: false,
      powerStopped: false,
      pause: false,
      pilot: "B",
      contactorsClosed: false,
      iso20: iso20 ? newIso20EvccFacts() : undefined,
    };
    this.#ctx = Object.freeze({
      protocol: config.protocol,
      dc: iso20 ? isDc(config.iso20!.transfer) : config.energyTransferMode.indexOf("DC") === 0,
      config,
      bms: options.bms,
      facts,
    });
  }

  /** The step whose request is in flight or due next. */
  get step(): EvccStepId {
    return this.#step.id;
  }

  get facts(): Readonly<EvccFacts> {
    return this.#ctx.facts;
  }

  /** Set once the session ended (also passed to onStop). */
  get outcome(): EvccOutcome | undefined {
    return this.#outcome;
  }

  get ended(): boolean {
    return this.#state === "ended";
  }

  /** Number of requests sent so far. */
  get requestCount(): number {
    return this.#requests;
  }

  /** Sends SessionSetupReq. Call once, after SAP chose DIN or ISO-2. */
  start(): void {
    if (this.#state !== "idle") throw new ImplementationError("EvccSession.start() called twice");
    const now = this.#clock.now();
    const deadline = this.#communicationSetupDeadline ?? ((now + V2G_EVCC_COMMUNICATION_SETUP_TIMER) as Millis);
    this.#setupTimer = this.#clock.set(() => this.handle({ type: "timeout", timer: "communication-setup" }), Math.max(0, deadline - now) as Millis);
    this.#log.log("info", "evcc", `session start (${this.#ctx.protocol}, ${this.#ctx.config.energyTransferMode})`, {
      resume: this.#ctx.config.resumeSessionId ? toHex(this.#ctx.config.resumeSessionId) : undefined,
    });
    this.#send();
  }

  /** User stop: PowerDelivery(Stop), WeldingDetection (DC), SessionStop(Terminate). */
  stop(): void {
    this.handle({ type: "control", control: { kind: "stop" } });
  }

  /** ISO-2 while charging: PowerDelivery(Renegotiate), new ChargeParameterDiscovery, restart. */
  renegotiate(): void {
    this.handle({ type: "control", control: { kind: "renegotiate" } });
  }

  /** -20 while charging: PowerDelivery(Stop), SessionStop(ServiceRenegotiation), ServiceDiscovery … again. */
  renegotiateService(): void {
    this.handle({ type: "control", control: { kind: "renegotiate-service" } });
  }

  /** -20 while charging: PowerDelivery(Standby) (true), PowerDelivery(Start) again (false). */
  standby(on: boolean): void {
    this.handle({ type: "control", control: { kind: "standby", on } });
  }

  /** ISO-2: like stop() but SessionStop(Pause); resume with a new session and resumeSessionId. */
  pause(): void {
    this.handle({ type: "control", control: { kind: "pause" } });
  }

  handle(event: EvccEvent): void {
    if (this.#state === "ended") return;
    switch (event.type) {
      case "response":
        return this.#onResponse(event.message);
      case "control":
        return this.#onControl(event.control);
      case "timeout":
        return this.#onTimeout(event.timer);
      case "link-down":
        return this.#abort("link-down", event.detail ?? `link down in ${this.#step.id}`);
      case "bad-response":
        return this.#abort("decode-error", event.detail);
    }
  }

  // ---------------------------------------------------------------- responses

  #onResponse(doc: EvccDoc): void {
    const expected = this.#step.names(this.#ctx.protocol).response;
    if (this.#state !== "waiting") return this.#abort("sequence", `unsolicited response while no request is pending (${this.#step.id})`);
    this.#clockClear("message");
    const element = bodyElement(doc);
    if (element === undefined || element.name !== expected) {
      return this.#abort("sequence", `expected ${expected}, got ${element?.name ?? "an empty Body"}`);
    }
    const facts = this.#ctx.facts;
    const sessionId = headerSessionId(doc, element);
    if (this.#step.id === "SessionSetup") {
      this.#clockClear("setup");
      if (sessionId instanceof Uint8Array) facts.sessionId = sessionId.slice();
    } else if (!(sessionId instanceof Uint8Array) || !bytesEqual(sessionId, facts.sessionId)) {
      return this.#abort("unknown-session", `SessionID ${sessionId instanceof Uint8Array ? toHex(sessionId) : "?"} ≠ ${toHex(facts.sessionId)}`);
    }
    const res = element.content;
    // ISO-2 Plug & Charge: CertificateInstallation/UpdateRes carry the CPS's Signature in the header.
    if (facts.pnc !== undefined) facts.pnc.responseSignature = (doc as { V2G_Message?: { Header?: { Signature?: SignatureType } } }).V2G_Message?.Header?.Signature;
    this.#trace("rx", element.name, responseTrace(res));
    const code = typeof res.ResponseCode === "string" ? res.ResponseCode : "";
    if (code.indexOf("FAILED") === 0) {
      const after = this.#step.afterFailed;
      if (after === undefined) return this.#abort("response-code", `${element.name}: ${code}`);
      // The protocol ends this FAILED with a request of its own (-20 WPT: SessionStopReq, [V2G20-5067]).
      this.#beginStop("response-code", `${element.name}: ${code}`);
      return this.#schedule(after, 0 as Millis);
    }
    const result = this.#step.onResponse(res, this.#ctx);
    const iso20 = facts.iso20;
    if (iso20 !== undefined && iso20.peerNegativeDischarge !== undefined && !this.#signNoted) {
      // BPT: which sign the charger gives its discharge limits (read as magnitudes either way; iso20/bpt.ts).
      this.#signNoted = true;
      this.#log.log("info", "evcc", `charger sends discharge limits ${iso20.peerNegativeDischarge ? "negative" : "as magnitudes (positive)"}`);
    }
    this.#apply(result);
  }

  #apply(result: StepResult): void {
    if ("actions" in result && result.actions) this.#act(result.actions);
    switch (result.kind) {
      case "done":
        return this.#finish();
      case "abort":
        return this.#abort(result.reason, result.detail);
      case "wind-down":
        this.#beginStop(result.reason, result.detail);
        return this.#schedule(windDownStep(this.#ctx), 0 as Millis);
      case "next":
      case "repeat": {
        if (this.#pendingControl !== undefined && this.#ctx.facts.stopReason === undefined) {
          const replanned = this.#applyControl();
          if (replanned !== undefined) return this.#schedule(replanned, 0 as Millis);
        }
        if (result.kind === "repeat" && this.#weldingExpired && this.#step.id === "WeldingDetection") {
          // The voltage never dropped in time: end the session in order anyway; the BMS keeps
          // its own welding verdict (contactors are open on the EV side).
          return this.#schedule("SessionStop", 0 as Millis);
        }
        return this.#schedule(result.kind === "next" ? result.step : this.#step.id, result.delay ?? (0 as Millis));
      }
    }
  }

  #act(actions: VehicleAction[]): void {
    const facts = this.#ctx.facts;
    for (const action of actions) {
      switch (action.kind) {
        case "pilot":
          if (facts.pilot !== action.state) {
            facts.pilot = action.state;
            this.#log.log("debug", "evcc", `pilot state ${action.state}`);
            this.#cb.setPilotState?.(action.state);
          }
          break;
        case "contactors":
          if (facts.contactorsClosed !== action.closed) {
            facts.contactorsClosed = action.closed;
            this.#log.log("debug", "evcc", `contactors ${action.closed ? "closed" : "open"}`);
            this.#cb.setContactors?.(action.closed);
          }
          break;
        case "evse-values":
          this.#cb.onEvseValues?.(action.values);
          break;
        case "log":
          this.#log.log(action.level, "evcc", action.message, { step: this.#step.id });
          break;
      }
    }
  }

  // ---------------------------------------------------------------- controls and timeouts

  #onControl(control: EvccControl): void {
    if (control.kind === "abort") return this.#abort("aborted", control.detail ?? "abort requested");
    if (this.#ctx.facts.stopReason !== undefined) return; // already winding down
    this.#pendingControl = control.kind === "standby" ? (control.on ? "standby" : "exit-standby") : control.kind;
    if (this.#state === "scheduled") {
      // Nothing in flight: re-plan now instead of sending the request that was due.
      const replanned = this.#applyControl();
      if (replanned !== undefined) {
        this.#clockClear("send");
        this.#schedule(replanned, 0 as Millis);
      }
    }
    // While waiting, the control is applied when the response arrives.
  }

  #onTimeout(timer: EvccTimer): void {
    const step = this.#step.id;
    switch (timer) {
      case "message":
        if (this.#state === "waiting") this.#abort("timeout-message", `no ${this.#step.names(this.#ctx.protocol).response} within ${this.#step.timeout} ms`);
        return;
      case "communication-setup":
        if (step === "SessionSetup") this.#abort("timeout-communication-setup", "no SessionSetupRes within V2G_EVCC_CommunicationSetup_Timer");
        return;
      case "sequence-performance":
        if (this.#state === "scheduled") this.#abort("timeout-sequence-performance", `next request (${step}) not sent within EVCC_Sequence_Performance_Time`);
        return;
      default:
        if (timer === "welding-detection" && step === "WeldingDetection") {
          this.#weldingExpired = true;
          this.#log.log("warn", "evcc", "WeldingDetection: EVSEPresentVoltage did not fall in time; ending the session");
          if (this.#state === "scheduled") {
            this.#clockClear("send");
            this.#schedule("SessionStop", 0 as Millis);
          }
          return;
        }
        if (this.#phase !== undefined && this.#phase.timer === timer && this.#phase.step === step) {
          this.#abort(PHASE_TIMEOUT_REASON[timer], `${step} did not complete within ${this.#step.phaseLimit ?? PHASE_TIMER_LIMITS[timer]} ms`);
        }
    }
  }

  // ---------------------------------------------------------------- sending

  #schedule(step: EvccStepId, delay: Millis): void {
    this.#step = this.#stepRecord(step);
    this.#state = "scheduled";
    if (this.#sequenceTimer === undefined) {
      this.#sequenceTimer = this.#clock.set(() => this.handle({ type: "timeout", timer: "sequence-performance" }), EVCC_SEQUENCE_PERFORMANCE_TIME);
    }
    // Always through the clock, even with no delay: an in-memory SECC that answers inside
    // send() must not recurse into the next request.
    this.#sendTimer = this.#clock.set(() => {
      this.#sendTimer = undefined;
      this.#send();
    }, delay);
  }

  #send(): void {
    const step = this.#step;
    const ctx = this.#ctx;
    if (this.#phase !== undefined && this.#phase.step !== step.id) this.#clockClear("phase");
    if (step.phaseTimer !== undefined && this.#phase === undefined) {
      const timer = step.phaseTimer;
      const limit = step.phaseLimit ?? PHASE_TIMER_LIMITS[timer];
      this.#phase = { timer, step: step.id, handle: this.#clock.set(() => this.handle({ type: "timeout", timer }), limit) };
    }
    this.#clockClear("sequence");
    const built = step.request(ctx);
    const doc = requestDoc(ctx.facts.sessionId, built.name, built.body, ctx.protocol === "iso20" ? { timeStamp: this.#unixTime?.() ?? 0n } : undefined, built.signature);
    this.#state = "waiting";
    this.#messageTimer = this.#clock.set(() => this.handle({ type: "timeout", timer: "message" }), step.timeout);
    this.#requests++;
    this.#trace("tx", built.name, built.trace);
    try {
      this.#cb.send(doc);
    } catch (error) {
      this.#abort("link-down", `send ${built.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // ---------------------------------------------------------------- ending

  #beginStop(reason: EvccStopReason, detail?: string): void {
    const facts = this.#ctx.facts;
    if (facts.stopReason !== undefined) return;
    facts.stopReason = reason;
    facts.stopDetail = detail;
    if (reason === "paused") facts.pause = true;
    this.#log.log("info", "evcc", `stopping: ${reason}${detail ? ` (${detail})` : ""}`);
  }

  /** Applies the pending control; returns the step to send next, or undefined to go on as planned. */
  #applyControl(): EvccStepId | undefined {
    const facts = this.#ctx.facts;
    if (this.#pendingControl === "standby" || this.#pendingControl === "exit-standby") {
      const on = this.#pendingControl === "standby";
      this.#pendingControl = undefined;
      // -20 only, while energy flows, and only a change: PowerDelivery(Standby) or PowerDelivery(Start).
      const f = facts.iso20;
      if (f === undefined || !facts.charging || f.standby === on || f.standbyChange !== undefined) return undefined;
      f.standbyChange = on ? "enter" : "leave";
      this.#log.log("info", "evcc", on ? "standby requested by the EV" : "the EV leaves standby");
      return "PowerDelivery";
    }
    if (this.#pendingControl === "renegotiate-service") {
      this.#pendingControl = undefined;
      if (facts.iso20 === undefined || !facts.charging || facts.iso20.serviceRenegotiation) return undefined;
      facts.iso20.serviceRenegotiation = true;
      this.#log.log("info", "evcc", "service renegotiation requested by the EV");
      return "PowerDelivery";
    }
    if (this.#pendingControl === "renegotiate") {
      this.#pendingControl = undefined;
      // Only while energy flows in ISO-2 or -20 (DIN 70121 has no renegotiation) and not already
      // renegotiating; -20 asks with PowerDelivery(ScheduleRenegotiation).
      if (this.#ctx.protocol === "din" || !facts.charging || facts.renegotiating) return undefined;
      facts.renegotiating = true;
      if (facts.iso20 !== undefined) facts.iso20.scheduleRenegotiation = true;
      this.#log.log("info", "evcc", "renegotiation requested by the EV");
      return "PowerDelivery";
    }
    this.#beginStopFromControl();
    return windDownStep(this.#ctx);
  }

  #beginStopFromControl(): void {
    const control = this.#pendingControl;
    this.#pendingControl = undefined;
    if (control === "pause" && this.#ctx.protocol !== "din") this.#beginStop("paused", "pause requested");
    else this.#beginStop("user-stop", control === "pause" ? "pause requested; DIN 70121 has no pause, terminating" : "stop requested");
  }

  /** Cut the session short: contactors open, pilot B, no further request (a FAILED response ends the V2G communication session). */
  #abort(reason: EvccStopReason, detail?: string): void {
    this.#log.log("warn", "evcc", `session aborted: ${reason}${detail ? ` (${detail})` : ""}`, { step: this.#step.id });
    this.#end({ reason, detail, orderly: false });
  }

  #finish(): void {
    const facts = this.#ctx.facts;
    this.#end({ reason: facts.stopReason ?? "charging-complete", detail: facts.stopDetail, orderly: true });
  }

  #end(result: { reason: EvccStopReason; detail?: string; orderly: boolean }): void {
    if (this.#state === "ended") return;
    this.#state = "ended";
    for (const which of ["message", "send", "sequence", "setup", "phase"] as const) this.#clockClear(which);
    this.#act([
      { kind: "contactors", closed: false },
      { kind: "pilot", state: "B" },
    ]);
    const facts = this.#ctx.facts;
    const outcome: EvccOutcome = {
      reason: result.reason,
      step: this.#step.id,
      orderly: result.orderly,
      paused: result.orderly && facts.pause,
      sessionId: facts.sessionId,
    };
    if (result.detail !== undefined) outcome.detail = result.detail;
    this.#outcome = outcome;
    this.#log.log("info", "evcc", `session end: ${outcome.reason}${outcome.paused ? " (paused)" : ""}`, { step: outcome.step, orderly: outcome.orderly });
    this.#cb.onStop?.(outcome);
  }

  // ---------------------------------------------------------------- helpers

  #stepRecord(id: EvccStepId): EvccStep {
    const record = this.#steps[id];
    if (record === undefined) throw new ImplementationError(`no ${id} step in ${this.#ctx?.protocol ?? "this"} protocol`);
    return record;
  }

  #clockClear(which: "message" | "send" | "sequence" | "setup" | "phase"): void {
    switch (which) {
      case "message":
        this.#clock.clear(this.#messageTimer);
        this.#messageTimer = undefined;
        return;
      case "send":
        this.#clock.clear(this.#sendTimer);
        this.#sendTimer = undefined;
        return;
      case "sequence":
        this.#clock.clear(this.#sequenceTimer);
        this.#sequenceTimer = undefined;
        return;
      case "setup":
        this.#clock.clear(this.#setupTimer);
        this.#setupTimer = undefined;
        return;
      case "phase":
        this.#clock.clear(this.#phase?.handle);
        this.#phase = undefined;
        return;
    }
  }

  #trace(direction: "tx" | "rx", name: string, values: Record<string, string | number | boolean | undefined>): void {
    this.#log.log("trace", "evcc", `${direction} ${name}`, values);
    // Built only when someone listens: the CurrentDemand loop runs ten times a second on ESP32.
    if (this.#cb.onTrace) this.#cb.onTrace({ at: this.#clock.now(), direction, name, values });
  }
}

/** Key values of a response for the trace. */
function responseTrace(res: AnyResponse): Record<string, string | number | boolean | undefined> {
  const values: Record<string, string | number | boolean | undefined> = { code: res.ResponseCode };
  if (typeof res.EVSEProcessing === "string") values.processing = res.EVSEProcessing;
  const status = (res.DC_EVSEStatus ?? res.AC_EVSEStatus) as { EVSEStatusCode?: string; EVSENotification?: string } | undefined;
  if (status !== undefined) {
    if (status.EVSEStatusCode !== undefined) values.evseStatus = status.EVSEStatusCode;
    if (status.EVSENotification !== undefined && status.EVSENotification !== "None") values.notification = status.EVSENotification;
  }
  const v = fromPhysical(res.EVSEPresentVoltage as PhysicalValue | undefined);
  const i = fromPhysical(res.EVSEPresentCurrent as PhysicalValue | undefined);
  const max = fromPhysical(res.EVSEMaxCurrent as PhysicalValue | undefined);
  if (v !== undefined) values.presentVoltage = v;
  if (i !== undefined) values.presentCurrent = i;
  if (max !== undefined) values.evseMaxCurrent = max;
  return values;
}
