// DIN 70121 SECC: the state table and the protocol tables the generic session runs on.
//
// Flow (EIM, DC): SessionSetup → ServiceDiscovery → ServicePaymentSelection →
// ContractAuthentication (Ongoing…) → ChargeParameterDiscovery → CableCheck (Ongoing…) →
// PreCharge… → PowerDelivery(true) → CurrentDemand… → PowerDelivery(false) →
// WeldingDetection… → SessionStop. SessionStopReq is accepted in every state after SessionSetup
// (field reports: cars stop right after SessionSetup).

import type { SeccProtocol, SeccState } from "../secc/types";
import { dinFailedResponse } from "./failed-responses";
import { DIN_SECC_TIMEOUTS } from "./timeouts";
import { state as sessionSetup } from "./secc-session-setup";
import { state as serviceDiscovery } from "./secc-service-discovery";
import { state as servicePaymentSelection } from "./secc-service-payment-selection";
import { state as contractAuthentication } from "./secc-contract-authentication";
import { state as chargeParameterDiscovery } from "./secc-charge-parameter-discovery";
import { state as cableCheck } from "./secc-cable-check";
import { state as preCharge } from "./secc-pre-charge";
import { state as powerDelivery } from "./secc-power-delivery";
import { state as currentDemand } from "./secc-current-demand";
import { state as weldingDetection } from "./secc-welding-detection";
import { state as sessionStop } from "./secc-session-stop";

export const DIN_SECC_STATES: Readonly<Record<string, SeccState>> = Object.freeze({
  SessionSetup: sessionSetup,
  ServiceDiscovery: serviceDiscovery,
  ServicePaymentSelection: servicePaymentSelection,
  ContractAuthentication: contractAuthentication,
  ChargeParameterDiscovery: chargeParameterDiscovery,
  CableCheck: cableCheck,
  PreCharge: preCharge,
  PowerDelivery: powerDelivery,
  CurrentDemand: currentDemand,
  WeldingDetection: weldingDetection,
  SessionStop: sessionStop,
});

export const DIN_SECC: SeccProtocol = Object.freeze({
  id: "din",
  schema: "din",
  states: DIN_SECC_STATES,
  initial: "SessionSetup",
  failedResponse: (name: string, code: string) => dinFailedResponse(name, code),
  timeouts: DIN_SECC_TIMEOUTS,
  spans: Object.freeze([Object.freeze({ timer: "ready-to-charge" as const, from: "CableCheck", to: Object.freeze(["CurrentDemand", "WeldingDetection"]) })]),
});
