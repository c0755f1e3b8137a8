// SeccSession: one EV connection on the charger side — decoded messages in, responses out.
//
// Pure with respect to I/O: no sockets, no codec. The session owns the clock (sequence,
// communication-setup and phase timers), the state, the session record and the charger facts;
// SeccConnection (./connection.ts) binds it to V2GTP and EXI. Everything enters through
// feed() as a SessionEvent (request | control | timeout | link-down); request() and control()
// are shorthands.

import { ImplementationError, allZero, bytesEqual, silentLogger, toHex } from "../../common/index";
import type { Clock, Logger, Millis, TimerHandle } from "../../common/index";
import type {
  ChargerFeedback,
  ControlEvent,
  EvseFacts,
  PausedSession,
  SeccConfig,
  SeccFacts,
  SessionStore,
} from "../charger-interfaces";
import { dispatch, messageName } from "../dispatch";
import { stop as stopResult, timeoutReason } from "../framework";
import { guardFeedback } from "./guarded-feedback";
import type { FeedbackSignal, HandlerResult, SessionEvent, StopReason, TimerId } from "../framework";
import type { SupportedAppProtocolReqDoc, SupportedAppProtocolResDoc, V2gDocument } from "../msg-types";
import { negotiateAppProtocol } from "../sap";
import type { SapOffer, SapProtocolId } from "../sap";
import type { SchemaId } from "../../exi/index";
import { DIN_SECC } from "../din/secc-states";
import { ISO2_SECC } from "../iso2/secc-states";
import { ISO20_SECC } from "../iso20/secc-states";
import { initialAcdpDevice } from "../iso20/acdp-device";
import { initialWptPad } from "../iso20/wpt-device";
import { namespaceOf, SERVICE_ID } from "../iso20/services";
import type { Iso20Namespace } from "../iso20/services";
import { iso20Offer } from "../iso20/config";
import { newIso20Record } from "../iso20/context";
import { asciiBytes, iso20SchemaOfMessage, iso20SessionIdOf, setIso20Header } from "../iso20/envelope";
import type { Iso20Document } from "../iso20/envelope";
import { newContext } from "./context";
import type { SeccContext } from "./context";
import { preChargeConverged } from "./dc-handlers";
import { summarize } from "./trace";
import type { SeccProtocol, SeccState } from "./types";

/** One traced message: direction, protocol, state, element name, its key values. */
export interface SeccTraceEntry {
  readonly direction: "rx" | "tx";
  readonly protocol: "sap" | "din" | "iso2" | "iso20";
  readonly state: string;
  readonly message: string;
  /** Key values, e.g. "EVTargetVoltage=400V EVTargetCurrent=100A SOC=42%". */
  readonly summary: string;
  readonly time: Millis;
}

export interface SeccSessionOptions {
  config: SeccConfig;
  clock: Clock;
  feedback?: ChargerFeedback;
  /** Paused sessions (ISO-2 pause/resume); without one, a pause cannot be resumed. */
  store?: SessionStore;
  logger?: Logger;
  /** Live trace: called for every message in and out (the summary is only built when set). */
  trace?: (entry: SeccTraceEntry) => void;
  /** The session ended. For a stop caused by a request, the response is still to be sent. */
  onStop?: (reason: StopReason) => void;
  /** Random bytes for session IDs (default: Math.random). */
  randomBytes?: (count: number) => Uint8Array;
  /**
   * Unix time in seconds (EVSETimeStamp / DateTimeNow), e.g. a WallClock's unixSeconds; omitted
   * from responses when absent or undefined (no trusted time), the -20 header TimeStamp then 0.
   */
  unixTime?: () => bigint | undefined;
  /**
   * The connection's transport once its socket is open, when the socket knows it (a TLS socket:
   * "1.2" or "1.3"); overrides config.transport for SAP. Undefined: config.transport.
   */
  transport?: () => "none" | "1.2" | "1.3" | undefined;
  /** Called before each request so the host can write present values into the facts. */
  sample?: (evse: EvseFacts) => void;
  /** Start in this protocol without SAP (tests, replays). */
  protocol?: SapProtocolId;
  /**
   * Asked before a SessionSetupReq is handled (the charging point's one-session rule, see
   * ./charging-point.ts). False: the request is answered with ResponseCode FAILED and the
   * session stops with "evse-busy". Absent: every SessionSetupReq is handled.
   */
  admit?: (claim: SessionSetupClaim) => boolean;
}

/** What a SessionSetupReq asks for: a new session (SessionID zero or unknown) or an existing one. */
export interface SessionSetupClaim {
  readonly protocol: SapProtocolId;
  /** The request header's SessionID. */
  readonly sessionId: Uint8Array;
  readonly evccId: Uint8Array;
}

/** A response to send and whether to close the connection after sending it. */
export interface SeccOutput {
  readonly response: V2gDocument | SupportedAppProtocolResDoc | Iso20Document | undefined;
  readonly close: boolean;
}

const PROTOCOLS: Readonly<Record<SapProtocolId, SeccProtocol>> = Object.freeze({ din: DIN_SECC, iso2: ISO2_SECC, iso20: ISO20_SECC });

/** A request document: SAP, a DIN/ISO-2 V2G_Message, or an ISO 15118-20 message (its own root element). */
export type SeccRequestDoc = V2gDocument | SupportedAppProtocolReqDoc | Iso20Document;

const CLOSE_ONLY: SeccOutput = Object.freeze({ response: undefined, close: true });

function defaultRandomBytes(count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(Math.random() * 256);
  out[0] |= 1; // never all zero: a zero SessionID means "no session"
  return out;
}

/** The response header: the SessionID, and the Signature a handler left for it (once). */
function signedHeader(sessionId: Uint8Array, ctx: SeccContext): V2gDocument["V2G_Message"]["Header"] {
  const signature = takeResponseSignature(ctx);
  return signature === undefined ? { SessionID: sessionId } : { SessionID: sessionId, Signature: signature };
}

/** The Signature a handler left for this response's header (once; -20 CertificateInstallationRes carries the CPS's too). */
function takeResponseSignature(ctx: SeccContext): SeccContext["responseSignature"] {
  const signature = ctx.responseSignature;
  ctx.responseSignature = undefined;
  return signature;
}

/** SessionSetupReq's EVCCID as bytes (hexBinary in DIN and ISO-2, a string in ISO 15118-20). */
function evccIdOf(req: unknown): Uint8Array {
  const id = (req as { EVCCID?: unknown } | undefined)?.EVCCID;
  return id instanceof Uint8Array ? id : asciiBytes(id);
}

/** Mutable twin of SeccFacts; handlers see it read-only. */
interface FactsRecord {
  config: Readonly<SeccConfig>;
  evse: EvseFacts;
  now: Millis;
  unixTime?: bigint;
  newSessionId?: Uint8Array;
  paused?: PausedSession;
}

export function initialEvseFacts(config: SeccConfig): EvseFacts {
  const dc = config.dc ?? { maxVoltage: 0, maxCurrent: 0, maxPower: 0, minVoltage: 0, minCurrent: 0, peakCurrentRipple: 0 };
  const ac = config.ac ?? { nominalVoltage: 230, maxCurrent: 0, phases: 3 as const };
  return {
    authorization: "pending",
    isolation: "Invalid",
    cableCheckFinished: false,
    presentVoltage: 0,
    presentCurrent: 0,
    contactorsClosed: false,
    meterWh: 0,
    notification: "None",
    emergency: false,
    malfunction: false,
    dc: { ...dc },
    ac: { ...ac },
  };
}

export class SeccSession {
  readonly #config: Readonly<SeccConfig>;
  readonly #clock: Clock;
  readonly #feedback: ChargerFeedback;
  /** A charger callback threw during the request being handled: the session ends after its FAILED answer. */
  #callbackFault = false;
  #handlingRequest = false;
  readonly #store: SessionStore | undefined;
  readonly #logger: Logger;
  readonly #trace: ((entry: SeccTraceEntry) => void) | undefined;
  readonly #onStop: ((reason: StopReason) => void) | undefined;
  readonly #random: (count: number) => Uint8Array;
  readonly #unixTime: (() => bigint | undefined) | undefined;
  readonly #sample: ((evse: EvseFacts) => void) | undefined;
  readonly #transport: (() => "none" | "1.2" | "1.3" | undefined) | undefined;
  readonly #admit: ((claim: SessionSetupClaim) => boolean) | undefined;
  readonly #facts: FactsRecord;

  #protocol: SeccProtocol | undefined;
  #ctx: SeccContext | undefined;
  #state: SeccState | undefined;
  #stopped: StopReason | undefined;
  #sequenceTimer: TimerHandle | undefined;
  /** When the running sequence timer fires (it may fire early and re-arm, never late). */
  #sequenceDue = 0;
  /** The sequence timer that applies to the wait now ("loop-sequence" after a -20 ChargeLoopRes). */
  #sequenceTimerId: TimerId = "sequence";
  /** A response was sent and the next request has not arrived yet. */
  #waiting = false;
  #lastResponseAt = 0;
  /** The name of the last response sent (for the log line of a sequence timeout). */
  #lastResponse = "";
  #phaseTimer: TimerHandle | undefined;
  #setupTimer: TimerHandle | undefined;
  /** V2G_SECC_CPState_Detection_Timeout after PowerDelivery start. */
  #cpTimer: TimerHandle | undefined;
  /** Timers spanning several states (DIN ReadyToCharge), by timer id. */
  #spanTimers: { timer: TimerId; handle: TimerHandle }[] = [];
  /** The phase timer that ran out in the current state, answered at the next request. */
  #expired: TimerId | undefined;
  /** Number of requests answered. */
  #count = 0;
  /** -20 BPT: the EV's discharge sign convention was logged. */
  #signNoted = false;

  constructor(options: SeccSessionOptions) {
    this.#config = Object.freeze({ ...options.config });
    this.#clock = options.clock;
    this.#feedback = guardFeedback(options.feedback ?? {}, (callback, error) => this.#callbackFailed(callback, error));
    this.#store = options.store;
    this.#logger = options.logger ?? silentLogger;
    this.#trace = options.trace;
    this.#onStop = options.onStop;
    this.#random = options.randomBytes ?? defaultRandomBytes;
    this.#unixTime = options.unixTime;
    this.#sample = options.sample;
    this.#transport = options.transport;
    this.#admit = options.admit;
    this.#facts = { config: this.#config, evse: initialEvseFacts(this.#config), now: this.#clock.now() };
    if (options.protocol !== undefined) this.#select(options.protocol);
    // V2G_SECC_CommunicationSetup_Timeout runs from the connection until SessionSetupReq.
    const setup = this.#limit("communication-setup");
    this.#setupTimer = this.#clock.set(() => this.feed({ kind: "timeout", timer: "communication-setup" }), setup);
  }

  // ---- read-only views ----------------------------------------------------------------

  /** The negotiated protocol (undefined before SAP). */
  get protocol(): SapProtocolId | undefined {
    return this.#protocol?.id;
  }
  /** The current state's id ("SAP" before negotiation). */
  get state(): string {
    return this.#state?.id ?? "SAP";
  }
  /** Why the session ended; undefined while it runs. */
  get stopReason(): StopReason | undefined {
    return this.#stopped;
  }
  get context(): Readonly<SeccContext> | undefined {
    return this.#ctx;
  }
  get evse(): Readonly<EvseFacts> {
    return this.#facts.evse;
  }
  /** Number of requests answered so far. */
  get requests(): number {
    return this.#count;
  }

  // ---- input --------------------------------------------------------------------------

  /** The single entry point: every event goes through here. */
  feed(event: SessionEvent<SeccRequestDoc, ControlEvent>): SeccOutput | undefined {
    if (event.kind === "request") return this.request(event.message);
    try {
      return this.#feedUnguarded(event);
    } catch (error) {
      this.#exception(error, event.kind === "timeout" ? `the ${event.timer} timer` : event.kind);
      return undefined;
    }
  }

  #feedUnguarded(event: SessionEvent<SeccRequestDoc, ControlEvent>): SeccOutput | undefined {
    switch (event.kind) {
      case "request":
        return this.#onRequest(event.message);
      case "control":
        this.#onControl(event.event);
        return undefined;
      case "timeout":
        this.#onTimeout(event.timer);
        return undefined;
      case "link-down":
        this.#finish("link-down");
        return undefined;
    }
  }

  /** A decoded request (supportedAppProtocolReq, V2G_Message, or an ISO 15118-20 message). */
  request(message: SeccRequestDoc): SeccOutput {
    this.#callbackFault = false;
    this.#handlingRequest = true;
    try {
      return this.#onRequest(message);
    } catch (error) {
      this.#exception(error, "a request");
      return CLOSE_ONLY;
    } finally {
      this.#handlingRequest = false;
    }
  }

  /** A control event from the charger. */
  control(event: ControlEvent): void {
    try {
      this.#onControl(event);
    } catch (error) {
      this.#exception(error, `the ${event.kind} event`);
    }
  }

  /**
   * The session's exception boundary: an exception in this session's code (our bug) ends this
   * session only, in order (charging stopped, connection closed), with a log line saying where.
   */
  #exception(error: unknown, where: string): void {
    this.#logger.log("error", "secc", `exception in ${where}: ${(error as Error)?.message ?? String(error)}; this session ends, the charging point serves the next`, { state: this.state });
    this.#finish("internal-error");
  }

  /** A charger callback threw (guarded-feedback.ts): inside a request the session ends after its FAILED answer, else at once. */
  #callbackFailed(callback: string, error: unknown): void {
    this.#logger.log("error", "secc", `charger callback ${callback} failed: ${(error as Error)?.message ?? String(error)}; this session ends, the charging point serves the next`, { state: this.state });
    if (this.#handlingRequest) this.#callbackFault = true;
    else this.#finish("internal-error");
  }

  /** The connection or the data link is gone. */
  linkDown(): void {
    this.#finish("link-down");
  }

  /**
   * The EV resumed this session on a new TCP connection: stop here ("handed-over") and leave
   * the session in the store, so the new connection's SessionSetupReq joins it (see
   * ./charging-point.ts). Only an established session (one with a SessionID) can be handed over.
   */
  handOver(): void {
    if (this.#ctx === undefined || this.#ctx.sessionId.length === 0) throw new ImplementationError("handOver() before SessionSetup");
    this.#finish("handed-over");
  }

  /** Stops all timers without a stop reason (the owner discards the session). */
  dispose(): void {
    this.#clearTimers();
  }

  // ---- requests -----------------------------------------------------------------------

  #onRequest(message: SeccRequestDoc): SeccOutput {
    if (this.#stopped !== undefined) return CLOSE_ONLY;
    this.#waiting = false; // a request arrived: the sequence timer is satisfied until the next response
    if ("supportedAppProtocolReq" in message) return this.#onSap(message as SupportedAppProtocolReqDoc);
    const iso20 = this.#protocol?.id === "iso20";
    if ((!iso20 && !("V2G_Message" in message)) || this.#protocol === undefined || this.#ctx === undefined || this.#state === undefined) {
      this.#finish("sequence-error");
      return CLOSE_ONLY;
    }
    const protocol = this.#protocol;
    const ctx = this.#ctx;
    const state = this.#state;
    // DIN/ISO-2: the Body's one element, the header beside it; -20: the document's root
    // element is the message, with the header inside.
    const body = iso20 ? message : (message as V2gDocument).V2G_Message.Body;
    const name = messageName(body);
    const header = iso20 ? undefined : (message as V2gDocument).V2G_Message.Header;
    const headerId = iso20
      ? iso20SessionIdOf(name === undefined ? undefined : (body as Record<string, unknown>)[name])
      : header?.SessionID instanceof Uint8Array
        ? header.SessionID
        : new Uint8Array(0);
    const facts = this.#facts;
    facts.now = this.#clock.now();
    facts.newSessionId = undefined;
    facts.paused = undefined;
    if (this.#sample !== undefined) this.#sample(facts.evse);
    if (name === undefined) {
      this.#finish("unsupported-message");
      return CLOSE_ONLY;
    }
    const req = (body as Record<string, unknown>)[name];
    if (this.#trace !== undefined) this.#emitTrace("rx", name, req);

    const setup = name === "SessionSetupReq" && state.id === protocol.initial;
    const refused = setup && this.#admit !== undefined && !this.#admit({ protocol: protocol.id, sessionId: headerId, evccId: evccIdOf(req) });
    if (setup && !refused) {
      facts.newSessionId = this.#random(8);
      if (this.#unixTime !== undefined) facts.unixTime = this.#unixTime();
      if (!allZero(headerId) && this.#store !== undefined) facts.paused = this.#store.find(headerId);
    }

    let result: HandlerResult | undefined;
    if (refused) {
      // The charging point has a live session and this request does not resume it: with
      // SessionID zero, or one that is not the stored session's ([V2G2-756]), it asks for a new
      // session, which this EVSE cannot give while it serves another. SessionSetupRes defines
      // no busy code; FAILED is its negative code (FAILED_UnknownSession is the answer to the
      // requests after SessionSetup whose SessionID is not the session's).
      const failed = protocol.failedResponse(name, "FAILED", ctx);
      result = failed === undefined ? undefined : stopResult(failed, "evse-busy");
    } else if (this.#expired !== undefined && state.accepts.indexOf(name) >= 0 && this.#expiryApplies(this.#expired, name, ctx)) {
      // A phase limit ran out while the EV kept asking (Ongoing too long): FAILED and stop.
      const failed = protocol.failedResponse(name, "FAILED", ctx);
      result = failed === undefined ? undefined : stopResult(failed, timeoutReason(this.#expired));
    } else {
      try {
        // Signed requests (ISO-2 Plug & Charge): the handler verifies the header's Signature.
        ctx.requestSignature = header?.Signature;
        ctx.transport = this.#transport?.() ?? this.#config.transport;
        result = dispatch(protocol, state, name, req, headerId, ctx, facts);
      } catch (error) {
        // A handler tripped over content the codec let through (or over our own bug): the
        // EV still gets the protocol's negative answer, and the session ends [V2G2-538].
        this.#logger.log("error", "secc", `handler for ${name} failed`, { error: (error as Error).message, state: state.id });
        const failed = protocol.failedResponse(name, "FAILED", ctx);
        result = failed === undefined ? undefined : stopResult(failed, "failed-response");
      }
    }
    if (result === undefined) {
      this.#finish("unsupported-message");
      return CLOSE_ONLY;
    }
    this.#count++;
    if (ctx.iso20 !== undefined && ctx.iso20.peerNegativeDischarge !== undefined && !this.#signNoted) {
      // BPT: which sign the EV gave its discharge limits (they are read as magnitudes either way; iso20/bpt.ts).
      this.#signNoted = true;
      this.#logger.log("info", "secc", `EV sends discharge limits ${ctx.iso20.peerNegativeDischarge ? "negative" : "as magnitudes (positive)"}`);
    }
    if (name === "SessionSetupReq" && result.kind === "reply") {
      // config.resumeAuthorized: a resumed DIN/ISO-2 session keeps its identification (by default
      // the authorizer is asked again, as EVerest does; an OCPP backend usually answers at once).
      // A resumed -20 session always does: its authorization holds for the service session and
      // it does not authorize again ([V2G20-1844], [V2G20-1032]; iso20/secc-common.ts sessionSetup).
      if (ctx.resumed && (this.#config.resumeAuthorized === true || ctx.protocol === "iso20") && facts.paused?.authorized === true && facts.evse.authorization === "pending") {
        facts.evse.authorization = "accepted";
      }
      if (facts.paused !== undefined && !ctx.resumed) {
        this.#logger.log("info", "secc", `SessionSetupReq names paused session ${toHex(facts.paused.sessionId)}, not joined (${notJoinedBecause(facts.paused, ctx)}): a new session`);
      }
      this.#sessionStarted(ctx);
    }
    if (result.signal !== undefined) this.#signal(result.signal, ctx);
    if (this.#callbackFault && result.kind !== "stop") {
      // The charger could not do what this answer promises: FAILED instead, and the session ends.
      const failed = protocol.failedResponse(name, "FAILED", ctx);
      if (failed !== undefined) result = stopResult(failed, "internal-error");
    }

    const sessionId = ctx.sessionId.length > 0 ? ctx.sessionId : headerId;
    const response = iso20
      ? setIso20Header(result.body, sessionId, facts.unixTime ?? this.#unixTime?.() ?? 0n, takeResponseSignature(ctx))
      : ({ V2G_Message: { Header: signedHeader(sessionId, ctx), Body: result.body } } as V2gDocument);
    if (result.kind === "stop") {
      if (this.#trace !== undefined) this.#emitTraceBody("tx", result.body);
      this.#finish(result.reason);
      return { response, close: true };
    }
    // The EV answered EVSENotification=ReNegotiation with PowerDelivery(Renegotiate): done.
    if (ctx.renegotiating && facts.evse.notification === "ReNegotiation") facts.evse.notification = "None";
    if (result.next !== undefined && result.next !== state.id) this.#enter(result.next);
    else if (state.timeout !== undefined && state.timeout !== "communication-setup" && this.#phaseTimer === undefined && this.#expired === undefined) {
      // The phase (Ongoing authorization, cable check, pre-charge loop) runs from the first
      // request that stays in the state: the limit measures the charger, not the EV's start.
      const timer = state.timeout;
      this.#phaseTimer = this.#clock.set(() => this.feed({ kind: "timeout", timer }), this.#limit(timer));
    }
    if (this.#trace !== undefined) this.#emitTraceBody("tx", result.body);
    this.#armSequenceTimer(messageName(result.body));
    return { response, close: false };
  }

  #onSap(message: SupportedAppProtocolReqDoc): SeccOutput {
    if (this.#trace !== undefined) this.#emitTrace("rx", "supportedAppProtocolReq", message.supportedAppProtocolReq);
    if (this.#protocol !== undefined) {
      // SAP happens once, before everything else.
      this.#finish("sequence-error");
      return CLOSE_ONLY;
    }
    const config = this.#config;
    // The insecure test-bench permission lifts only the plain-TCP rule: over TLS the profile
    // rules hold (-20 only over TLS 1.3, -2 and DIN never over it; modules/v2gtp/sap.ts allowedOver).
    const transport = this.#transport?.() ?? config.transport;
    const tls = transport === "none" && config.iso20?.insecureWithoutTls === true ? undefined : transport;
    const result = negotiateAppProtocol(message, this.#sapOffer(), { tls });
    if (result.protocol === undefined && tls !== undefined) {
      // Why, for the log: the EV asked only for protocols this transport does not carry.
      const wanted = negotiateAppProtocol(message, this.#sapOffer(), {});
      if (wanted.protocol !== undefined) {
        const over = tls === "none" ? "plain TCP" : `TLS ${tls}`;
        this.#logger.log("warn", "secc", `SAP refused: the vehicle's ${wanted.protocol} is not allowed over ${over} (ISO 15118-20 needs TLS 1.3; ISO 15118-2 runs over TLS 1.2 or plain TCP)`);
      }
    }
    if (this.#trace !== undefined) this.#emitTrace("tx", "supportedAppProtocolRes", result.response.supportedAppProtocolRes);
    if (result.protocol === undefined) {
      this.#finish("no-protocol");
      return { response: result.response, close: true };
    }
    this.#select(result.protocol, result.namespace);
    this.#logger.log("info", "secc", `protocol ${result.protocol} negotiated`, { schemaId: result.chosen?.SchemaID, namespace: result.namespace });
    this.#armSequenceTimer("supportedAppProtocolRes");
    return { response: result.response, close: false };
  }

  /** The SAP offer: the configured protocols; -20 only in the namespaces (DC, AC) the charger has hardware for. */
  #sapOffer(): SapOffer[] {
    const config = this.#config;
    const offer: SapOffer[] = [];
    for (const p of config.protocols ?? ["iso2", "din"]) {
      if (p !== "iso20") offer.push(p);
      else {
        if (config.dc !== undefined) offer.push("iso20-dc");
        if (config.ac !== undefined) offer.push("iso20-ac");
        // WPT and ACDP have their own -20 namespaces: offered when a service of theirs is.
        const services = config.iso20?.services ?? [];
        if (services.some((t) => namespaceOf(t) === "wpt")) offer.push("iso20-wpt");
        if (services.some((t) => namespaceOf(t) === "acdp")) offer.push("iso20-acdp");
      }
    }
    return offer;
  }

  #select(id: SapProtocolId, namespace?: Iso20Namespace): void {
    const protocol = PROTOCOLS[id];
    this.#protocol = protocol;
    const tupleId = this.#config.iso20?.scheduleTupleId ?? this.#config.saScheduleTupleId ?? 1;
    // Without SAP (a session set up directly for -20) the namespace of the first configured service.
    const first = this.#config.iso20?.services?.[0];
    const fallback: Iso20Namespace = first !== undefined ? namespaceOf(first) : this.#config.dc !== undefined ? "dc" : "ac";
    const iso20 = id === "iso20" ? newIso20Record(namespace ?? fallback, iso20Offer(this.#config), tupleId) : undefined;
    this.#ctx = newContext(id, tupleId, iso20);
    this.#state = protocol.states[protocol.initial];
  }

  /** The EXI schema of a response of this session (SAP, DIN, ISO-2, or the -20 family of the message). */
  schemaOf(response: object): SchemaId {
    if ("supportedAppProtocolRes" in response) return "apphand";
    const id = this.#protocol?.id ?? "iso2";
    if (id !== "iso20") return id;
    return iso20SchemaOfMessage(messageName(response) ?? "");
  }

  // ---- states and timers --------------------------------------------------------------

  #enter(id: string): void {
    const next = this.#protocol!.states[id];
    if (next === undefined) {
      this.#logger.log("error", "secc", `handler named unknown state ${id}`);
      this.#finish("unsupported-message");
      return;
    }
    const previous = this.#state!;
    this.#state = next;
    this.#expired = undefined;
    // -20: the EV left the charge loop in answer to a Pause / ServiceRenegotiation / ExitStandby
    // notification: it has been acted on.
    if (previous.id === "ChargeLoop" && this.#protocol?.id === "iso20") this.#facts.evse.iso20Notification = undefined;
    // A new state: its phase timer (if any) starts with its first answered request.
    this.#clock.clear(this.#phaseTimer);
    this.#phaseTimer = undefined;
    const spans = this.#protocol!.spans;
    if (spans !== undefined) {
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i];
        if (span.to.indexOf(id) >= 0) this.#clearSpan(span.timer);
        else if (span.from === id && this.#limit(span.timer) > 0) {
          this.#clearSpan(span.timer);
          const timer = span.timer;
          this.#spanTimers.push({ timer, handle: this.#clock.set(() => this.feed({ kind: "timeout", timer }), this.#limit(timer)) });
        }
      }
    }
    if (previous.id === "SessionSetup") {
      this.#clock.clear(this.#setupTimer);
      this.#setupTimer = undefined;
    }
    this.#logger.log("debug", "secc", `${previous.id} → ${id}`);
  }

  /**
   * V2G_SECC_Sequence_Timeout restarts with every response. Rather than cancel and set a
   * clock timer per message (an allocation on the CurrentDemand path), one timer runs and,
   * when it fires, re-arms itself for the time still left since the last response.
   */
  #armSequenceTimer(response: string | undefined): void {
    const now = this.#clock.now();
    this.#lastResponseAt = now;
    this.#lastResponse = response ?? "";
    this.#waiting = true;
    // The value depends on the response just sent ([V2G20-441]: Table 215; -20 Tables 216/217:
    // 0.5 s after a ChargeLoopRes). A running timer that would fire too late is replaced; one
    // that fires early re-arms itself for the rest, so the charge loop sets a timer only about
    // every second response instead of one per message.
    const special = response === undefined ? undefined : this.#protocol?.sequenceAfter?.[response];
    this.#sequenceTimerId = special !== undefined && this.#limit(special) > 0 ? special : "sequence";
    const limit = this.#limit(this.#sequenceTimerId);
    if (this.#sequenceTimer !== undefined && this.#sequenceDue > now + limit) {
      this.#clock.clear(this.#sequenceTimer);
      this.#sequenceTimer = undefined;
    }
    if (this.#sequenceTimer === undefined) this.#setSequenceTimer(limit);
  }

  #setSequenceTimer(delay: Millis): void {
    this.#sequenceDue = this.#clock.now() + delay;
    this.#sequenceTimer = this.#clock.set(this.#onSequenceTimer, delay);
  }

  readonly #onSequenceTimer = (): void => {
    this.#sequenceTimer = undefined;
    if (this.#stopped !== undefined || !this.#waiting) return;
    const left = this.#limit(this.#sequenceTimerId) - (this.#clock.now() - this.#lastResponseAt);
    // Less than the clock's 1 ms resolution left is expired: with fractional clock times the
    // rest can be a rounding residue (7e-12 ms) that, added to now, gives now again: a timer
    // re-arming itself at the same instant for ever.
    if (left >= 1) this.#setSequenceTimer(left as Millis);
    else this.feed({ kind: "timeout", timer: this.#sequenceTimerId });
  };

  /** A timer's duration: the configured override, else the protocol's standard value. */
  #limit(timer: TimerId): Millis {
    return this.#config.timeouts?.[timer] ?? (this.#protocol ?? ISO2_SECC).timeouts[timer];
  }

  /**
   * Whether an expired phase limit fails request `name`. The pre-charge limit is the
   * charger's: it fails a PreChargeReq only while the output is still away from the EV's
   * target (a slow EV that keeps pre-charging at the right voltage, or its PowerDeliveryReq,
   * is not failed: MG4 and XPENG captures pre-charge for 6–7 s).
   */
  #expiryApplies(timer: TimerId, name: string, ctx: SeccContext): boolean {
    if (name === "SessionStopReq") return false;
    if (timer !== "pre-charge") return true;
    return (name === "PreChargeReq" || name === "DC_PreChargeReq") && !preChargeConverged(ctx, this.#facts);
  }

  #onTimeout(timer: TimerId): void {
    if (this.#stopped !== undefined) return;
    if (timer === "sequence" || timer === "loop-sequence" || timer === "communication-setup" || timer === "cp-state" || this.#isSpan(timer)) {
      // No request came in time: stop and close the TCP connection (no response to send) [V2G20-443].
      const after = timer === "sequence" || timer === "loop-sequence" ? ` (${this.#limit(timer)} ms after ${this.#lastResponse || "the last response"})` : "";
      this.#logger.log("warn", "secc", `${timer} timeout in ${this.state}${after}`);
      this.#finish(timeoutReason(timer));
      return;
    }
    // A phase limit: answer the next request of this phase with FAILED.
    this.#phaseTimer = undefined;
    this.#expired = timer;
    this.#logger.log("warn", "secc", `${timer} limit reached in ${this.state}`);
  }

  #isSpan(timer: TimerId): boolean {
    const spans = this.#protocol?.spans;
    if (spans === undefined) return false;
    for (let i = 0; i < spans.length; i++) if (spans[i].timer === timer) return true;
    return false;
  }

  #clearSpan(timer: TimerId): void {
    for (let i = this.#spanTimers.length - 1; i >= 0; i--) {
      if (this.#spanTimers[i].timer === timer) {
        this.#clock.clear(this.#spanTimers[i].handle);
        this.#spanTimers.splice(i, 1);
      }
    }
  }

  #clearCpTimer(): void {
    this.#clock.clear(this.#cpTimer);
    this.#cpTimer = undefined;
  }

  #clearTimers(): void {
    this.#clearCpTimer();
    for (const span of this.#spanTimers) this.#clock.clear(span.handle);
    this.#spanTimers = [];
    this.#clock.clear(this.#sequenceTimer);
    this.#clock.clear(this.#phaseTimer);
    this.#clock.clear(this.#setupTimer);
    this.#sequenceTimer = this.#phaseTimer = this.#setupTimer = undefined;
  }

  #finish(reason: StopReason): void {
    if (this.#stopped !== undefined) return;
    this.#stopped = reason;
    this.#clearTimers();
    const ctx = this.#ctx;
    if (ctx !== undefined && ctx.charging) {
      ctx.charging = false;
      this.#signal("stop-charging", ctx);
    }
    const acdp = ctx?.iso20?.acdp;
    if (acdp !== undefined && acdp.lowering && !acdp.raising) {
      // -20 ACDP: whatever ended the session, a lowered connection device goes home.
      acdp.raising = true;
      this.#signal("acdp-raise", ctx!);
    }
    if ((reason === "ev-pause" || reason === "handed-over") && ctx !== undefined && this.#store !== undefined) {
      this.#store.save({
        protocol: ctx.protocol,
        sessionId: ctx.sessionId,
        evccId: ctx.evccId,
        paymentOption: ctx.paymentOption,
        energyMode: ctx.energyMode,
        saScheduleTupleId: ctx.saScheduleTupleId,
        pausedAt: this.#clock.now(),
        authorized: this.#facts.evse.authorization === "accepted",
        ...(ctx.iso20?.service !== undefined ? { iso20Service: { serviceId: SERVICE_ID[ctx.iso20.service.transfer], parameterSetId: ctx.iso20.service.id } } : {}),
      });
    } else if (ctx !== undefined && this.#store !== undefined && ctx.resumed) {
      this.#store.remove(ctx.sessionId);
    }
    this.#logger.log(reason === "ev-terminate" || reason === "ev-pause" || reason === "handed-over" ? "info" : "warn", "secc", `session stopped: ${reason}`, {
      state: this.state,
    });
    this.#feedback.sessionStopped?.(reason);
    this.#onStop?.(reason);
  }

  // ---- charger I/O --------------------------------------------------------------------

  #sessionStarted(ctx: SeccContext): void {
    if (ctx.resumed && this.#store !== undefined) this.#store.remove(ctx.sessionId);
    this.#feedback.sessionStarted?.({ protocol: ctx.protocol, sessionId: ctx.sessionId, evccId: ctx.evccId, resumed: ctx.resumed });
  }

  #signal(signal: FeedbackSignal, ctx: SeccContext): void {
    const fb = this.#feedback;
    const evse = this.#facts.evse;
    const ev = ctx.ev;
    switch (signal) {
      case "request-authorization":
        fb.requestAuthorization?.(ctx.evccId, ctx.pnc?.identified === true ? ctx.pnc.identity : undefined);
        return;
      case "start-cable-check": {
        evse.cableCheckFinished = false;
        evse.isolation = "Invalid";
        // Check at the EV's maximum voltage, within the charger's range.
        const v = ev.maxVoltage > 0 && ev.maxVoltage < evse.dc.maxVoltage ? ev.maxVoltage : evse.dc.maxVoltage;
        fb.startCableCheck?.(v);
        return;
      }
      case "pre-charge":
        fb.preCharge?.(ev.targetVoltage, ev.targetCurrent);
        return;
      case "current-demand":
        fb.dcTarget?.(ev.targetVoltage, ev.targetCurrent);
        fb.evStatus?.(ev.soc, ev.ready);
        return;
      case "ev-needs": {
        const n = ctx.iso20?.ev;
        if (n !== undefined) {
          fb.evNeeds?.({ targetEnergy: n.targetEnergy, maxEnergy: n.maxEnergy, minEnergy: n.minEnergy, departureTime: n.departureTime, minimumSoc: n.minimumSoc, targetSoc: n.targetSoc });
        } else {
          // DIN / ISO-2 ChargeParameterDiscoveryReq: limits, requested energy and departure.
          fb.evNeeds?.({ targetEnergy: ev.energyRequest, departureTime: ev.departureTime, maxVoltage: ev.maxVoltage, maxCurrent: ev.maxCurrent, maxPower: ev.maxPower, energyMode: ctx.energyMode });
        }
        return;
      }
      case "ac-target":
        fb.acTarget?.(ctx.iso20?.targetPower ?? 0);
        fb.evStatus?.(ev.soc, ev.ready);
        return;
      case "start-charging":
        fb.startCharging?.(ctx.dc ? "dc" : "ac");
        if (ev.chargingProfile !== undefined) fb.evChargingProfile?.(ev.chargingProfile);
        // The EV must now show state C/D on the pilot (only checked when the host reports it).
        if (evse.cpState !== undefined && evse.cpState !== "C" && evse.cpState !== "D" && this.#cpTimer === undefined && this.#limit("cp-state") > 0) {
          this.#cpTimer = this.#clock.set(() => this.feed({ kind: "timeout", timer: "cp-state" }), this.#limit("cp-state"));
        }
        return;
      case "stop-charging":
        fb.stopCharging?.(ctx.dc ? "dc" : "ac");
        return;
      case "acdp-lower":
        fb.acdpDevice?.("lower");
        return;
      case "acdp-raise":
        fb.acdpDevice?.("raise");
        return;
      case "wpt-vendor":
      case "wpt-alignment":
      case "wpt-power": {
        // The EV's vendor containers reach the pad untouched, before the pad is told what to do.
        const w = ctx.iso20?.wpt;
        if (w?.vendorIn !== undefined) {
          fb.wptVendorData?.(w.vendorIn.message, w.vendorIn.containers);
          w.vendorIn = undefined;
        }
        if (w?.lfIn !== undefined) {
          fb.wptLfData?.(w.lfIn.message, w.lfIn.data);
          w.lfIn = undefined;
        }
        if (signal === "wpt-alignment") fb.wptPad?.("alignment", 0);
        else if (signal === "wpt-power") fb.wptPad?.("power", ctx.iso20?.targetPower ?? 0);
        return;
      }
      case "welding-detection":
        fb.weldingDetection?.();
        return;
    }
  }

  #onControl(event: ControlEvent): void {
    const evse = this.#facts.evse;
    switch (event.kind) {
      case "authorized":
        evse.authorization = event.accepted ? "accepted" : "rejected";
        break;
      case "cable-check-finished":
        evse.cableCheckFinished = true;
        evse.isolation = event.isolation;
        break;
      case "present-values":
        // A reading that is no number (a sensor or ADC fault) would make every later response
        // unencodable, so the EV would hear nothing: keep the last good reading, and say why.
        if (!Number.isFinite(event.voltage) || !Number.isFinite(event.current)) {
          this.#logger.log("warn", "secc", "present values that are not numbers ignored", { voltage: event.voltage, current: event.current });
          break;
        }
        evse.presentVoltage = event.voltage;
        evse.presentCurrent = event.current;
        break;
      case "contactors-closed":
        evse.contactorsClosed = true;
        break;
      case "contactors-opened":
        evse.contactorsClosed = false;
        break;
      case "meter":
        if (!Number.isFinite(event.wh)) {
          this.#logger.log("warn", "secc", "a meter reading that is not a number ignored", { wh: event.wh });
          break;
        }
        evse.meterWh = event.wh;
        break;
      case "dc-limits":
        Object.assign(evse.dc, event.limits);
        break;
      case "ac-limits":
        Object.assign(evse.ac, event.limits);
        break;
      case "stop-charging":
        evse.notification = "StopCharging";
        break;
      case "renegotiate":
        evse.notification = "ReNegotiation";
        break;
      case "emergency-shutdown":
        evse.emergency = true;
        evse.notification = "StopCharging";
        break;
      case "malfunction":
        evse.malfunction = true;
        evse.notification = "StopCharging";
        break;
      case "power-setpoint":
        evse.powerSetpoint = event.watts;
        break;
      case "evse-notification":
        evse.iso20Notification = event.notification;
        break;
      case "schedule":
        evse.schedule = event.steps;
        break;
      case "prices":
        evse.prices = event.prices;
        break;
      case "acdp-device":
        evse.acdp = { ...(evse.acdp ?? initialAcdpDevice()), ...event.state };
        break;
      case "wpt-pad":
        evse.wpt = { ...(evse.wpt ?? initialWptPad()), ...event.state };
        break;
      case "cp-state":
        evse.cpState = event.state;
        if (event.state === "C" || event.state === "D") this.#clearCpTimer();
        else if (event.state === "A" || event.state === "E" || event.state === "F") {
          if (this.#protocol !== undefined) this.#finish("cp-unplugged");
          return;
        }
        break;
    }
    const state = this.#state;
    if (this.#stopped === undefined && state?.onControl !== undefined && this.#ctx !== undefined) {
      const next = state.onControl(event, this.#ctx, this.#facts);
      if (next !== undefined && next !== state.id) this.#enter(next);
    }
  }

  // ---- trace --------------------------------------------------------------------------

  #emitTrace(direction: "rx" | "tx", message: string, content: unknown): void {
    this.#trace!({
      direction,
      protocol: this.#protocol?.id ?? "sap",
      state: this.state,
      message,
      summary: summarize(message, content),
      time: this.#clock.now(),
    });
  }

  #emitTraceBody(direction: "rx" | "tx", body: object): void {
    const name = messageName(body);
    if (name !== undefined) this.#emitTrace(direction, name, (body as Record<string, unknown>)[name]);
  }
}

/**
 * A SessionStore in memory (one per EVSE; paused sessions end with the process). With a clock
 * and `maxAge`, a pause older than that is forgotten (the EV then gets a new session).
 */
export class MemorySessionStore implements SessionStore {
  readonly #sessions: PausedSession[] = [];
  readonly #clock: Clock | undefined;
  readonly #maxAge: number;

  constructor(options: { clock?: Clock; maxAge?: Millis } = {}) {
    this.#clock = options.clock;
    this.#maxAge = options.maxAge ?? Infinity;
  }

  find(sessionId: Uint8Array): PausedSession | undefined {
    for (const s of this.#sessions) {
      if (!bytesEqual(s.sessionId, sessionId)) continue;
      if (this.#clock !== undefined && this.#clock.now() - s.pausedAt > this.#maxAge) return undefined;
      return s;
    }
    return undefined;
  }
  save(paused: PausedSession): void {
    this.remove(paused.sessionId);
    this.#sessions.push(paused);
  }
  remove(sessionId: Uint8Array): void {
    for (let i = this.#sessions.length - 1; i >= 0; i--) if (bytesEqual(this.#sessions[i].sessionId, sessionId)) this.#sessions.splice(i, 1);
  }
  get size(): number {
    return this.#sessions.length;
  }
}

/** Why a SessionSetupReq naming a paused session got a new one (secc/session-setup.ts, iso20/secc-common.ts sessionSetup). */
function notJoinedBecause(paused: PausedSession, ctx: SeccContext): string {
  if (paused.protocol !== ctx.protocol) return `paused under ${paused.protocol}, now ${ctx.protocol}`;
  if (!bytesEqual(paused.evccId, ctx.evccId)) return "another EVCCID";
  if (paused.authorized !== true) return "it was not authorized";
  if (paused.iso20Service === undefined) return "no energy transfer service had been selected";
  return `its service ${paused.iso20Service.serviceId} / parameter set ${paused.iso20Service.parameterSetId} is not offered here now`;
}
