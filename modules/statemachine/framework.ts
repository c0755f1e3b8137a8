// The state-machine framework shared by the SECC and the EVCC: results, states, events, stops.
//
// See the design note in ./index.ts. Nothing here knows a protocol; din/, iso2/ (and iso20/)
// supply the state records, the failed-response tables and the timeout tables.

import { ImplementationError } from "../common/index";
import type { Millis } from "../common/index";
import type { AnyBody } from "./msg-types";

/** Why a session ended. A value, not an exception (Josev's StopNotification, as data). */
export type StopReason =
  | "ev-terminate" // SessionStopReq (ISO-2 ChargingSession=Terminate; DIN SessionStopReq)
  | "ev-pause" // ISO-2 SessionStopReq ChargingSession=Pause: the session may be resumed
  | "sequence-error" // a request the current state does not accept: FAILED_SequenceError
  | "unknown-session" // a SessionID that is not this session's: FAILED_UnknownSession
  | "failed-response" // a handler answered FAILED_* (parameters the SECC cannot accept)
  | "no-protocol" // SAP: none of the EV's protocols is supported
  | "unsupported-message" // a message we cannot answer at all (not a request of the protocol)
  | "timeout-sequence" // V2G_SECC_Sequence_Timeout
  | "timeout-communication-setup" // V2G_SECC_CommunicationSetup_Timeout
  | "timeout-ongoing" // Authorization / ChargeParameterDiscovery stayed Ongoing too long
  | "timeout-cable-check" // V2G_SECC_CableCheck_Timeout
  | "timeout-pre-charge" // V2G_SECC_PreCharge_Timeout
  | "timeout-ready-to-charge" // DIN: ChargeParameterDiscovery to PowerDelivery(ReadyToChargeState=true)
  | "timeout-cp-state" // V2G_SECC_CPState_Detection_Timeout: no state C/D after PowerDelivery start
  | "cp-unplugged" // the control pilot went to state A (or E/F): the EV is gone
  | "evse-shutdown" // the charger asked to stop (emergency, malfunction) and the EV went away
  | "decode-error" // the EV's bytes could not be decoded
  | "evse-busy" // SessionSetupReq refused: another session is live on this charging point (FAILED)
  | "handed-over" // the EV resumed this session on a new TCP connection (its SessionID); it continues there
  | "internal-error" // an exception in this session's code or a charger callback: this session ends, the next is served
  | "link-down"; // TCP closed, or the data link / control pilot was lost

/** Names of the timers the state machines use; each protocol's timeouts.ts gives their values. */
export type TimerId =
  | "sequence"
  | "loop-sequence" // -20: V2G_SECC_Sequence_Timeout after a ChargeLoopRes (0.5 s; 0 = not used)
  | "communication-setup"
  | "ongoing"
  | "cable-check"
  | "pre-charge"
  | "ready-to-charge"
  | "cp-state";

/** Stop reason for a phase timer that ran out. */
export function timeoutReason(timer: TimerId): StopReason {
  switch (timer) {
    case "sequence":
    case "loop-sequence":
      return "timeout-sequence";
    case "communication-setup":
      return "timeout-communication-setup";
    case "ongoing":
      return "timeout-ongoing";
    case "cable-check":
      return "timeout-cable-check";
    case "pre-charge":
      return "timeout-pre-charge";
    case "ready-to-charge":
      return "timeout-ready-to-charge";
    case "cp-state":
      return "timeout-cp-state";
  }
}

/**
 * What a side effect towards the charger is called, when a handler wants one. The session
 * turns it into a ChargerFeedback call with values from its context, so a handler returns a
 * constant string instead of allocating a closure or an object per message.
 */
export type FeedbackSignal =
  | "request-authorization"
  | "start-cable-check"
  | "pre-charge"
  | "current-demand"
  | "ac-target"
  | "ev-needs"
  | "start-charging"
  | "stop-charging"
  | "welding-detection"
  | "acdp-lower"
  | "acdp-raise"
  | "wpt-alignment"
  | "wpt-power"
  | "wpt-vendor";

/** A response, optionally moving to another state and asking the charger for something. */
export interface Reply {
  readonly kind: "reply";
  /** The Body content: `{ CableCheckRes: {...} }`. */
  readonly body: AnyBody;
  /** Id of the next state; absent = stay (e.g. EVSEProcessing=Ongoing, a CurrentDemand loop). */
  readonly next?: string;
  readonly signal?: FeedbackSignal;
}

/** A response after which the session ends (the connection closes once it is sent). */
export interface Stop {
  readonly kind: "stop";
  readonly body: AnyBody;
  readonly reason: StopReason;
  readonly signal?: FeedbackSignal;
}

/** Every handler returns one of these: there is no way to return without a response [V2G2-538]. */
export type HandlerResult = Reply | Stop;

export function reply(body: AnyBody, next?: string, signal?: FeedbackSignal): Reply {
  return { kind: "reply", body, next, signal };
}

export function stop(body: AnyBody, reason: StopReason, signal?: FeedbackSignal): Stop {
  return { kind: "stop", body, reason, signal };
}

/** A handler: pure apart from writing its own session record; never awaits, never does I/O. */
export type Handler<S, F, Req = any> = (req: Req, session: S, facts: F) => HandlerResult;

/**
 * A state: what the SECC waits for after its previous response.
 * `accepts[0]` is the message the state exists for; the rest are the other requests allowed
 * here (the EV ending a loop, SessionStopReq). Anything else is a sequence error.
 */
export interface StateRecord<S, F, C = unknown> {
  readonly id: string;
  readonly accepts: readonly [string, ...string[]];
  onRequest(name: string, req: any, session: S, facts: F): HandlerResult;
  /** A pushed control event while in this state; returns the next state's id, or nothing to stay. */
  onControl?(event: C, session: S, facts: F): string | undefined;
  /** The phase timer that runs while the session stays in this state (besides the sequence timer). */
  readonly timeout?: TimerId;
}

/**
 * Builds a frozen state record from a table of handlers: the first key is the state's own
 * message, the others are the alternatives it accepts.
 */
export function defineState<S, F, C = unknown>(spec: {
  id: string;
  on: Readonly<Record<string, Handler<S, F>>>;
  timeout?: TimerId;
  onControl?: (event: C, session: S, facts: F) => string | undefined;
}): StateRecord<S, F, C> {
  const names = Object.keys(spec.on);
  if (names.length === 0) throw new ImplementationError(`state ${spec.id} accepts nothing`);
  const table = Object.freeze({ ...spec.on });
  const record: StateRecord<S, F, C> = {
    id: spec.id,
    accepts: Object.freeze(names) as unknown as readonly [string, ...string[]],
    onRequest: (name, req, session, facts) => table[name](req, session, facts),
    onControl: spec.onControl,
    timeout: spec.timeout,
  };
  return Object.freeze(record);
}

/** The events a session is fed: the EV's requests, the charger's control events, its timers, the link. */
export type SessionEvent<M, C> =
  | { readonly kind: "request"; readonly message: M }
  | { readonly kind: "control"; readonly event: C }
  | { readonly kind: "timeout"; readonly timer: TimerId }
  | { readonly kind: "link-down" };

/** What a protocol (din, iso2) gives the generic session. */
export interface ProtocolTables<S, F, C = unknown> {
  readonly id: string;
  /** State id → record. */
  readonly states: Readonly<Record<string, StateRecord<S, F, C>>>;
  /** The state of a fresh session. */
  readonly initial: string;
  /**
   * A minimal, schema-valid response to `requestName` carrying `code`; undefined if not a
   * request of the protocol. `session` lets it pick AC or DC variants where the schema has a choice.
   */
  failedResponse(requestName: string, code: string, session?: S): AnyBody | undefined;
  /** How long each timer runs (a protocol without a timer gives 0: never armed). */
  readonly timeouts: Readonly<Record<TimerId, Millis>>;
  /**
   * Responses after which V2G_SECC_Sequence_Timeout is another timer's value than `sequence`'s
   * (-20: "loop-sequence", 0.5 s after DC_ChargeLoopRes / AC_ChargeLoopRes). Absent: `sequence` always.
   */
  readonly sequenceAfter?: Readonly<Record<string, TimerId>>;
  /**
   * Timers that span several states: started when the session enters `from`, cleared when it
   * enters one of `to`; when one runs out the session stops at once (like the sequence timer).
   */
  readonly spans?: readonly { readonly timer: TimerId; readonly from: string; readonly to: readonly string[] }[];
}
