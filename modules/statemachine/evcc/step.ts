// The EVCC step record: one per request message, pure builders and response handlers.
//
// Mirrors the SECC's state records (style.md "State machines"): each step builds its request
// from the facts and the BMS, and turns the matching response into a tagged result. The
// session (session.ts) checks message name, SessionID and ResponseCode in one place before a
// step sees a response, owns the clock and applies the results.

import type { Millis } from "../../common/index";
import type { EvccProtocol } from "./msg";
import type { EvccPhaseTimer } from "./timeouts";
import type { ProfileStep } from "./charging-profile";
import type { EvBms, EvccConfig, EvccStepId, EvccStopReason, EvseValues } from "./types";
import type { Iso20EvccFacts } from "../iso20/evcc-types";
import type { Iso2EvccPncFacts } from "./iso2-pnc";
import type { SignatureType } from "../../pki-store/index";

/** The configuration with every default filled in. */
export type ResolvedEvccConfig = Required<Omit<EvccConfig, "resumeSessionId" | "valueAddedServices" | "departureTime" | "maxEntriesSAScheduleTuple" | "communicationSetupDeadline" | "iso20" | "pnc">> &
  Pick<EvccConfig, "resumeSessionId" | "departureTime" | "maxEntriesSAScheduleTuple" | "iso20" | "pnc"> & {
    valueAddedServices: number[];
  };

/** What the EVCC learned so far; owned by the session, updated by the steps. */
export interface EvccFacts {
  sessionId: Uint8Array;
  /** SessionSetupRes said OK_OldSessionJoined. */
  resumed: boolean;
  evseId?: string | Uint8Array;
  chargeServiceId: number;
  /** ISO-2 value-added services still to ask ServiceDetail for. */
  pendingServiceDetails: number[];
  selectedServices: { ServiceID: number; ParameterSetID?: number }[];
  saScheduleTupleId: number;
  /** The ChargingProfile planned from the selected tuple's PMaxSchedule (W, s from the schedule's
   *  start); set by each ChargeParameterDiscoveryRes, absent with `chargingProfile: "omit"` or
   *  when the charger sent no usable schedule. */
  chargingProfile?: readonly ProfileStep[];
  evse: EvseValues & { minVoltage?: number; minCurrent?: number };
  /** PowerDeliveryRes(Start) was OK and no Stop has been sent since. */
  charging: boolean;
  /** ISO-2: renegotiation decided (EV control or EVSENotification ReNegotiation); the next
   *  PowerDelivery says Renegotiate, then ChargeParameterDiscovery (DC: CableCheck, PreCharge)
   *  and PowerDelivery(Start) follow. */
  renegotiating: boolean;
  /** PowerDelivery(Stop) done: the next steps wind down. */
  powerStopped: boolean;
  /** Set when the EV decided to end the session; PowerDelivery then sends Stop. */
  stopReason?: EvccStopReason;
  stopDetail?: string;
  /** ISO-2: SessionStop says Pause. */
  pause: boolean;
  pilot: "B" | "C";
  contactorsClosed: boolean;
  /** ISO 15118-20 sessions only. */
  iso20?: Iso20EvccFacts;
  /** ISO-2 Plug & Charge (Contract selected): contract, GenChallenge, the last response's Signature. */
  pnc?: Iso2EvccPncFacts;
}

export interface StepContext {
  readonly protocol: EvccProtocol;
  /** DC energy transfer (CableCheck, PreCharge, CurrentDemand, WeldingDetection). */
  readonly dc: boolean;
  readonly config: ResolvedEvccConfig;
  readonly bms: EvBms;
  readonly facts: EvccFacts;
}

/** Side effects a step asks for; the session applies them through VehicleHooks. */
export type VehicleAction =
  | { kind: "pilot"; state: "B" | "C" }
  | { kind: "contactors"; closed: boolean }
  | { kind: "evse-values"; values: EvseValues }
  /** A line for the session's log (a decision a step took that the operator should see). */
  | { kind: "log"; level: "info" | "warn"; message: string };

export type StepResult =
  /** Send `step`'s request next, after `delay` (default 0). */
  | { kind: "next"; step: EvccStepId; delay?: Millis; actions?: VehicleAction[] }
  /** Send this step's request again after `delay` (Ongoing, control loops). */
  | { kind: "repeat"; delay: Millis; actions?: VehicleAction[] }
  /** End charging in order: PowerDelivery(Stop), WeldingDetection, SessionStop as needed. */
  | { kind: "wind-down"; reason: EvccStopReason; detail?: string; actions?: VehicleAction[] }
  /** Stop at once: no further request; the session opens contactors and releases the pilot. */
  | { kind: "abort"; reason: EvccStopReason; detail?: string }
  /** SessionStopRes received: the session is over. */
  | { kind: "done" };

/** A built request: the Body element name and its content. */
export interface BuiltRequest {
  name: string;
  body: object;
  /** Key values for the trace. */
  trace: Record<string, string | number | boolean | undefined>;
  /** The header Signature (ISO-2 Plug & Charge: AuthorizationReq, MeteringReceiptReq, Certificate…Req). */
  signature?: SignatureType;
}

export interface EvccStep<R = any> {
  readonly id: EvccStepId;
  /** V2G_EVCC_Msg_Timeout for this request. */
  readonly timeout: Millis;
  /** An overall timer that runs from the first request of this step to leaving it. */
  readonly phaseTimer?: EvccPhaseTimer;
  /** Its limit when the protocol's differs from PHASE_TIMER_LIMITS (-20 PreCharge: 10 s). */
  readonly phaseLimit?: Millis;
  /** XSD element names: the request we send and the response we accept. */
  names(protocol: EvccProtocol): { request: string; response: string };
  request(ctx: StepContext): BuiltRequest;
  /** `res` is the response content, already checked for its name, SessionID and ResponseCode. */
  onResponse(res: R, ctx: StepContext): StepResult;
  /**
   * Where a FAILED answer to this request does not end the session at once but is followed by
   * this step (ISO 15118-20 WPT: SessionStopReq, [V2G20-5067]); absent: the session ends.
   */
  readonly afterFailed?: EvccStepId;
}
