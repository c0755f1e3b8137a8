// The EVCC steps by id.

import type { EvccStep } from "../step";
import type { EvccStepId } from "../types";
import { authorization } from "./authorization";
import { cableCheck } from "./cable-check";
import { chargeParameterDiscovery } from "./charge-parameter-discovery";
import { chargingStatus } from "./charging-status";
import { currentDemand } from "./current-demand";
import { paymentServiceSelection } from "./payment-service-selection";
import { certificateInstallation, certificateUpdate, meteringReceipt, paymentDetails } from "./pnc";
import { powerDelivery } from "./power-delivery";
import { preCharge } from "./pre-charge";
import { serviceDetail } from "./service-detail";
import { serviceDiscovery } from "./service-discovery";
import { sessionSetup } from "./session-setup";
import { sessionStop } from "./session-stop";
import { weldingDetection } from "./welding-detection";

/** The DIN 70121 / ISO 15118-2 steps (-20 has its own tables in ../../iso20/evcc-steps.ts). */
export const EVCC_STEPS: Readonly<Partial<Record<EvccStepId, EvccStep<any>>>> = Object.freeze({
  SessionSetup: sessionSetup,
  ServiceDiscovery: serviceDiscovery,
  ServiceDetail: serviceDetail,
  PaymentServiceSelection: paymentServiceSelection,
  CertificateInstallation: certificateInstallation,
  CertificateUpdate: certificateUpdate,
  PaymentDetails: paymentDetails,
  Authorization: authorization,
  MeteringReceipt: meteringReceipt,
  ChargeParameterDiscovery: chargeParameterDiscovery,
  CableCheck: cableCheck,
  PreCharge: preCharge,
  PowerDelivery: powerDelivery,
  CurrentDemand: currentDemand,
  ChargingStatus: chargingStatus,
  WeldingDetection: weldingDetection,
  SessionStop: sessionStop,
});
