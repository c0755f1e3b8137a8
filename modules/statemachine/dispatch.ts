// The one place that checks the sequence and the session ID before any handler runs.
//
// Josev's check_msg, as a function: a request the state does not accept gets
// FAILED_SequenceError, a SessionID that is not the session's gets FAILED_UnknownSession;
// both answer with the protocol's minimal response to the received request type and stop
// [V2G2-538] (always answer), [V2G2-736] (negative responses).

import { bytesEqual } from "../common/index";
import { stop } from "./framework";
import type { HandlerResult, ProtocolTables, StateRecord } from "./framework";

export interface DispatchSession {
  /** The session's ID; empty before SessionSetupReq. */
  readonly sessionId: Uint8Array;
}

/**
 * Routes request `name` (with body content `req`, header SessionID `headerSessionId`) to the
 * state's handler, or returns the negative response. Returns undefined only when `name` is
 * not a request of the protocol at all (nothing can be answered; the caller closes).
 */
export function dispatch<S extends DispatchSession, F, C>(
  protocol: ProtocolTables<S, F, C>,
  state: StateRecord<S, F, C>,
  name: string,
  req: unknown,
  headerSessionId: Uint8Array,
  session: S,
  facts: F,
): HandlerResult | undefined {
  if (state.accepts.indexOf(name) < 0) {
    const body = protocol.failedResponse(name, "FAILED_SequenceError", session);
    return body === undefined ? undefined : stop(body, "sequence-error");
  }
  // SessionSetupReq carries the ID of a session to resume (or zero); its handler decides.
  if (name !== "SessionSetupReq" && !bytesEqual(headerSessionId, session.sessionId)) {
    const body = protocol.failedResponse(name, "FAILED_UnknownSession", session);
    return body === undefined ? undefined : stop(body, "unknown-session");
  }
  return state.onRequest(name, req, session, facts);
}

/** The single property name of a Body (`{ CableCheckReq: {...} }` → "CableCheckReq"). */
export function messageName(body: object | undefined): string | undefined {
  if (body === undefined || body === null) return undefined;
  // Object.keys: a for-in loop costs XS twice as much (an iterator object), every message
  const keys = Object.keys(body);
  return keys.length > 0 ? keys[0] : undefined;
}
