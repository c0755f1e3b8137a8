// ISO 15118-2 SECC (EIM and Plug & Charge): the state table and the protocol tables the generic session runs on.
//
// Flow: SessionSetup → ServiceDiscovery → [ServiceDetail…] PaymentServiceSelection →
// [Contract: CertificateInstallation/Update… → PaymentDetails (iso2/pnc.ts)] → Authorization (Ongoing…) → ChargeParameterDiscovery →
//   DC: CableCheck… → PreCharge… → PowerDelivery(Start) → CurrentDemand… → PowerDelivery(Stop) → WeldingDetection… → SessionStop
//   AC: PowerDelivery(Start) → ChargingStatus… → PowerDelivery(Stop) → SessionStop
// PowerDelivery(Renegotiate) → ChargeParameterDiscovery → PowerDelivery(Start) (AC; DC may repeat
// CableCheck and PreCharge first, see secc-renegotiated.ts).
// SessionStop(Pause) ends the session so that SessionSetupReq can resume it with the old SessionID.
// SessionStopReq is accepted in every state after SessionSetup (cars stop right after SessionSetup).

import type { SeccProtocol, SeccState } from "../secc/types";
import { iso2FailedResponse } from "./failed-responses";
import { ISO2_SECC_TIMEOUTS } from "./timeouts";
import { state as sessionSetup } from "./secc-session-setup";
import { state as serviceDiscovery } from "./secc-service-discovery";
import { state as paymentServiceSelection } from "./secc-payment-service-selection";
import { state as paymentDetails } from "./secc-payment-details";
import { state as authorization } from "./secc-authorization";
import { state as chargeParameterDiscovery } from "./secc-charge-parameter-discovery";
import { state as cableCheck } from "./secc-cable-check";
import { state as preCharge } from "./secc-pre-charge";
import { state as powerDelivery } from "./secc-power-delivery";
import { state as currentDemand } from "./secc-current-demand";
import { state as chargingStatus } from "./secc-charging-status";
import { state as weldingDetection } from "./secc-welding-detection";
import { state as sessionStop } from "./secc-session-stop";
import { state as renegotiated } from "./secc-renegotiated";

export const ISO2_SECC_STATES: Readonly<Record<string, SeccState>> = Object.freeze({
  SessionSetup: sessionSetup,
  ServiceDiscovery: serviceDiscovery,
  PaymentServiceSelection: paymentServiceSelection,
  PaymentDetails: paymentDetails,
  Authorization: authorization,
  ChargeParameterDiscovery: chargeParameterDiscovery,
  CableCheck: cableCheck,
  PreCharge: preCharge,
  PowerDelivery: powerDelivery,
  CurrentDemand: currentDemand,
  ChargingStatus: chargingStatus,
  WeldingDetection: weldingDetection,
  SessionStop: sessionStop,
  Renegotiated: renegotiated,
});

export const ISO2_SECC: SeccProtocol = Object.freeze({
  id: "iso2",
  schema: "iso2",
  states: ISO2_SECC_STATES,
  initial: "SessionSetup",
  failedResponse: (name: string, code: string, session?: { dc: boolean }) => iso2FailedResponse(name, code, session !== undefined && !session.dc),
  timeouts: ISO2_SECC_TIMEOUTS,
});
