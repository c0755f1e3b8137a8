// The SECC's per-session record: what the handlers remember between requests.

import type { DcEvStatus, PhysicalValue } from "../msg-types";
import { fromPhysical } from "../physical";
import type { Iso20Record } from "../iso20/context";
import type { Iso2PncRecord } from "../iso2/pnc";
import type { SignatureType } from "../../pki-store/index";

/** The EV's latest values from its DC requests (SI units). */
export interface EvValues {
  targetVoltage: number;
  targetCurrent: number;
  maxVoltage: number;
  maxCurrent: number;
  maxPower: number;
  soc: number;
  ready: boolean;
  errorCode: string;
  chargingComplete: boolean;
  /** DIN / ISO-2 ChargeParameterDiscoveryReq: energy requested (Wh; ISO-2 AC EAmount, DC EVEnergyRequest) and DepartureTime (s). */
  energyRequest?: number;
  departureTime?: number;
  /** ISO-2 PowerDeliveryReq(Start) ChargingProfile as (start s, power W); undefined when the EV sent none. */
  chargingProfile?: readonly { readonly start: number; readonly power: number }[];
}

export interface SeccContext {
  readonly protocol: "din" | "iso2" | "iso20";
  /** Empty until SessionSetupRes. */
  sessionId: Uint8Array;
  evccId: Uint8Array;
  /** SessionSetup joined a paused session (OK_OldSessionJoined). */
  resumed: boolean;
  paymentOption: string | undefined;
  /** The EV's requested energy transfer mode / type. */
  energyMode: string | undefined;
  /** True for a DC mode, false for AC; decided by ChargeParameterDiscoveryReq. */
  dc: boolean;
  /** The SAScheduleTuple offered (and the one PowerDeliveryReq must name). */
  saScheduleTupleId: number;
  authorizationRequested: boolean;
  cableCheckStarted: boolean;
  /** ChargeParameterDiscovery after PowerDelivery Renegotiate: no second cable check. */
  renegotiating: boolean;
  /** Between PowerDelivery Start and Stop. */
  charging: boolean;
  /** ISO-2: value-added service IDs the EV selected (besides the charge service). */
  selectedServices: number[];
  /** ISO-2: ReceiptRequired was sent; MeteringReceiptReq is allowed. */
  receiptRequested: boolean;
  readonly ev: EvValues;
  /** ISO-2 Plug & Charge (PaymentServiceSelection Contract): challenge, contract key, eMAID. */
  pnc?: Iso2PncRecord;
  /** The connection's transport as the session knows it ("1.2"/"1.3": TLS); Plug & Charge needs TLS. */
  transport?: "none" | "1.2" | "1.3";
  /** The request's header Signature (DIN/ISO-2), set by the session before each handler runs. */
  requestSignature?: SignatureType;
  /** A handler's Signature for the response header (CertificateInstallationRes …); the session sends and clears it. */
  responseSignature?: SignatureType;
  /** ISO 15118-20 only: services, control mode, BPT direction, the EV's -20 values. */
  readonly iso20?: Iso20Record;
}

export function newContext(protocol: "din" | "iso2" | "iso20", saScheduleTupleId = 1, iso20?: Iso20Record): SeccContext {
  return {
    protocol,
    iso20,
    sessionId: new Uint8Array(0),
    evccId: new Uint8Array(0),
    resumed: false,
    paymentOption: undefined,
    energyMode: undefined,
    dc: true,
    saScheduleTupleId,
    authorizationRequested: false,
    cableCheckStarted: false,
    renegotiating: false,
    charging: false,
    receiptRequested: false,
    selectedServices: [],
    ev: {
      targetVoltage: 0,
      targetCurrent: 0,
      maxVoltage: 0,
      maxCurrent: 0,
      maxPower: 0,
      soc: 0,
      ready: false,
      errorCode: "NO_ERROR",
      chargingComplete: false,
    },
  };
}

/** Copies a DC_EVStatus into the context (absent → unchanged). */
export function noteEvStatus(ctx: SeccContext, status: DcEvStatus | undefined): void {
  if (status === undefined || status === null) return;
  const ev = ctx.ev;
  if (typeof status.EVRESSSOC === "number") ev.soc = status.EVRESSSOC;
  ev.ready = status.EVReady === true;
  if (typeof status.EVErrorCode === "string") ev.errorCode = status.EVErrorCode;
}

/** Copies an optional EV limit into the context. */
export function noteLimit(ev: EvValues, key: "maxVoltage" | "maxCurrent" | "maxPower", pv: PhysicalValue | undefined): void {
  if (pv !== undefined && pv !== null) ev[key] = fromPhysical(pv);
}
