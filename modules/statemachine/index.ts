// State machines of DIN 70121 and ISO 15118-2: the framework and the charger (SECC) side.
//
// DESIGN NOTE (style.md "State machines"; EVerest libiso15118 + Josev lessons)
//
// framework.ts — protocol-independent pieces:
//   - a handler is a pure function `handle(req, session, facts)` per request message per
//     protocol (din/secc-cable-check.ts, iso2/secc-charge-parameter-discovery.ts, …). It may
//     write its own session record (SeccContext) and nothing else; it never awaits and does no
//     I/O. It returns a tagged HandlerResult:
//       { kind: "reply", body, next?, signal? }   a response; `next` = id of the next state
//       { kind: "stop",  body, reason, signal? }  a response, then the session ends
//     `body` is the Body content ({ CableCheckRes: {...} }); the type makes a missing response
//     impossible [V2G2-538]. `signal` names a charger side effect ("start-cable-check",
//     "current-demand", …) that the session turns into a ChargerFeedback call — a constant
//     string rather than a closure, so the hot path allocates nothing extra.
//   - a state record (frozen): { id, accepts, onRequest, onControl?, timeout? }. `accepts[0]`
//     is the message the state exists for, the rest are allowed alternatives (the EV ending a
//     loop, SessionStopReq). Build one with defineState({ id, on: { CableCheckReq: handle,
//     SessionStopReq: sessionStop }, timeout: "cable-check" }). States are named after the
//     request they wait for; handlers name the next state by id, so files never import each
//     other in cycles (din/secc-states.ts gathers the table).
//   - events: SessionEvent = request | control | timeout | link-down.
//   - StopReason values ("sequence-error", "timeout-sequence", "ev-pause", …); TimerId names
//     ("sequence", "communication-setup", "ongoing", "cable-check", "pre-charge") whose values
//     come from each protocol's timeouts.ts (branded Millis).
// dispatch.ts — the ONE place that checks the sequence (FAILED_SequenceError) and the session
//   ID (FAILED_UnknownSession) before any handler, answering with the protocol's minimal
//   response from <protocol>/failed-responses.ts and stopping [V2G2-538], [V2G2-736].
// charger-interfaces.ts — SeccConfig, the charger facts handlers read (EvseFacts), the
//   ControlEvent union pushed in (authorized, cable-check-finished, present-values,
//   contactors-closed, stop-charging, renegotiate, emergency-shutdown, …), ChargerFeedback
//   callbacks out, and the hardware interfaces (DcPowerModule, AcSupply, EnergyMeter,
//   Authorizer) that hosts implement (simulation/charger/*).
// secc/session.ts — SeccSession: decoded message objects in, response objects out; owns the
//   clock: V2G_SECC_Sequence_Timeout after every response (one self-re-arming timer, no
//   allocation per message), CommunicationSetup until SessionSetupReq, one phase timer per
//   state with `timeout` (started by the state's first answered request; a phase limit fails
//   the next request of the phase with FAILED), span timers across states (DIN ReadyToCharge),
//   V2G_SECC_CPState_Detection_Timeout when the host reports pilot states. Also: the
//   SessionStore for ISO-2 pause/resume, the live trace hook, config.timeouts overrides.
// secc/connection.ts — SeccConnection: binds a SeccSession to a V2gtpConnection (EXI
//   decode/encode, SAP first, then the negotiated schema), closes TCP when the session stops,
//   logs responses later than V2G_SECC_Msg_Performance_Time (25 ms for CurrentDemandRes).
// secc/charging-point.ts — ChargingPoint: one EVSE, one live session. Every accepted TCP
//   connection gets a SeccConnection; a newcomer does not touch the live session unless its
//   SessionSetupReq carries that session's SessionID (a reconnect after a link loss: the
//   session is handed over, the old socket closed); garbage, another SessionID or silence
//   close only the newcomer. Charger feedback passes only from the live session.
// secc/charger-binding.ts — ChargerBinding: DcPowerModule / AcSupply / EnergyMeter /
//   Authorizer ⇄ ChargerFeedback, ControlEvents and the per-request sampling of present values.
//   simulation/charger/ has simulated implementations.
// operator-backend.ts — OperatorBackend: what the SECC asks of the charger's operator
//   (authorize, EV certificate, OCSP) and tells it (EV needs, session course); answers come
//   back as ControlEvents (authorized, schedule, renegotiate). hosts/sim/ocpp speaks OCPP 2.0.1.
// msg-types.ts — TEMPORARY local message shapes until modules/exi/generated lands.
//
// The EVCC (vehicle) side lives in ./evcc/ and has its own index.

export * from "./framework";
export { dispatch, messageName } from "./dispatch";
export type { DispatchSession } from "./dispatch";
export type * from "./charger-interfaces";
export type * from "./msg-types";
export { physical, fromPhysical } from "./physical";
export { negotiateAppProtocol } from "./sap";
export type { SapProtocolId, SapResult } from "./sap";
export { SeccSession, MemorySessionStore, initialEvseFacts } from "./secc/session";
export type { SeccSessionOptions, SeccOutput, SeccTraceEntry, SessionSetupClaim } from "./secc/session";
export { SeccConnection } from "./secc/connection";
export { ChargingPoint } from "./secc/charging-point";
export type { ChargingPointOptions, ChargingPointCloseReason, ConnectionEnd } from "./secc/charging-point";
export { ChargerBinding } from "./secc/charger-binding";
export type { ChargerParts, ControlTarget } from "./secc/charger-binding";
export type { OperatorBackend, AuthorizationRequest, CertificateHashData, OperatorAnswer, OperatorSessionInfo } from "./operator-backend";
export type { SeccConnectionOptions, SeccCodec } from "./secc/connection";
export type { SeccContext, EvValues } from "./secc/context";
export type { SeccHandler, SeccState, SeccProtocol } from "./secc/types";
export { seccState } from "./secc/types";
export { DIN_SECC, DIN_SECC_STATES } from "./din/secc-states";
export { ISO2_SECC, ISO2_SECC_STATES } from "./iso2/secc-states";
export { dinFailedResponse, DIN_REQUESTS } from "./din/failed-responses";
export { iso2FailedResponse, ISO2_REQUESTS } from "./iso2/failed-responses";
export * as dinTimeouts from "./din/timeouts";
export * as iso2Timeouts from "./iso2/timeouts";
export { ISO2_CERTIFICATE_SERVICE, certificateHashData, contractUsable, seccPncOf } from "./iso2/pnc";
export type { ContractProvisioning, ContractProvisioningResult, Iso2SeccPnc, SeccConfigWithPnc } from "./iso2/pnc";
export type { SeccRequestDoc } from "./secc/session";
export { ISO20_SECC, ISO20_SECC_STATES } from "./iso20/secc-states";
export { iso20FailedResponse, ISO20_REQUESTS } from "./iso20/failed-responses";
export * as iso20Timeouts from "./iso20/timeouts";
export type { Iso20SeccConfig, DischargeLimits } from "./iso20/config";
export type { Iso20Transfer, Iso20ControlMode, BptSettings } from "./iso20/services";
export type { Iso20EvccConfig, Iso20EvBms, BidirectionalBms, VehicleEnergyManager } from "./iso20/evcc-types";
export type { Iso20Document } from "./iso20/envelope";
export { rational, fromRational } from "./iso20/rational";
