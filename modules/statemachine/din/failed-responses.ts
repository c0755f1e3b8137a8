// DIN 70121: a minimal, schema-valid response for every request type, used for negative
// answers (FAILED_SequenceError, FAILED_UnknownSession, FAILED, ...) so that the SECC always
// answers [V2G-DC-xxx, as ISO-2 [V2G2-538], [V2G2-736]] — Josev's failed_responses.py as data.

import type { AnyBody, DcEvseStatus, PhysicalUnit, PhysicalValue } from "../msg-types";

const zero = (unit: PhysicalUnit): PhysicalValue => ({ Multiplier: 0, Unit: unit, Value: 0 });

function shutdownStatus(): DcEvseStatus {
  return { EVSEIsolationStatus: "Invalid", EVSEStatusCode: "EVSE_Shutdown", NotificationMaxDelay: 0, EVSENotification: "StopCharging" };
}

function acStatus() {
  return { PowerSwitchClosed: false, RCD: false, NotificationMaxDelay: 0, EVSENotification: "StopCharging" };
}

type Factory = (code: string) => AnyBody;

const FAILED: Readonly<Record<string, Factory>> = Object.freeze({
  SessionSetupReq: (code) => ({ SessionSetupRes: { ResponseCode: code, EVSEID: new Uint8Array(1) } }),
  ServiceDiscoveryReq: (code) => ({
    ServiceDiscoveryRes: {
      ResponseCode: code,
      PaymentOptions: { PaymentOption: ["ExternalPayment"] },
      ChargeService: { ServiceTag: { ServiceID: 1, ServiceCategory: "EVCharging" }, FreeService: false, EnergyTransferType: "DC_extended" },
    },
  }),
  ServiceDetailReq: (code) => ({ ServiceDetailRes: { ResponseCode: code, ServiceID: 1 } }),
  ServicePaymentSelectionReq: (code) => ({ ServicePaymentSelectionRes: { ResponseCode: code } }),
  PaymentDetailsReq: (code) => ({ PaymentDetailsRes: { ResponseCode: code, GenChallenge: "", DateTimeNow: 0n } }),
  ContractAuthenticationReq: (code) => ({ ContractAuthenticationRes: { ResponseCode: code, EVSEProcessing: "Finished" } }),
  ChargeParameterDiscoveryReq: (code) => ({
    ChargeParameterDiscoveryRes: {
      ResponseCode: code,
      EVSEProcessing: "Finished",
      SAScheduleList: {
        SAScheduleTuple: [
          { SAScheduleTupleID: 1, PMaxSchedule: { PMaxScheduleID: 1, PMaxScheduleEntry: [{ RelativeTimeInterval: { start: 0 }, PMax: 0 }] } },
        ],
      },
      DC_EVSEChargeParameter: {
        DC_EVSEStatus: shutdownStatus(),
        EVSEMaximumCurrentLimit: zero("A"),
        EVSEMaximumVoltageLimit: zero("V"),
        EVSEMinimumCurrentLimit: zero("A"),
        EVSEMinimumVoltageLimit: zero("V"),
        EVSEPeakCurrentRipple: zero("A"),
      },
    },
  }),
  PowerDeliveryReq: (code) => ({ PowerDeliveryRes: { ResponseCode: code, DC_EVSEStatus: shutdownStatus() } }),
  ChargingStatusReq: (code) => ({
    ChargingStatusRes: { ResponseCode: code, EVSEID: new Uint8Array(1), SAScheduleTupleID: 1, ReceiptRequired: false, AC_EVSEStatus: acStatus() },
  }),
  MeteringReceiptReq: (code) => ({ MeteringReceiptRes: { ResponseCode: code, AC_EVSEStatus: acStatus() } }),
  SessionStopReq: (code) => ({ SessionStopRes: { ResponseCode: code } }),
  CertificateUpdateReq: (code) => ({
    CertificateUpdateRes: {
      Id: "id1", // the Id attribute is required on DIN certificate responses
      ResponseCode: code,
      ContractSignatureCertChain: { Certificate: new Uint8Array(0) },
      ContractSignatureEncryptedPrivateKey: new Uint8Array(0),
      DHParams: new Uint8Array(0),
      ContractID: "",
      RetryCounter: 0,
    },
  }),
  CertificateInstallationReq: (code) => ({
    CertificateInstallationRes: {
      Id: "id1",
      ResponseCode: code,
      ContractSignatureCertChain: { Certificate: new Uint8Array(0) },
      ContractSignatureEncryptedPrivateKey: new Uint8Array(0),
      DHParams: new Uint8Array(0),
      ContractID: "",
    },
  }),
  CableCheckReq: (code) => ({ CableCheckRes: { ResponseCode: code, DC_EVSEStatus: shutdownStatus(), EVSEProcessing: "Finished" } }),
  PreChargeReq: (code) => ({ PreChargeRes: { ResponseCode: code, DC_EVSEStatus: shutdownStatus(), EVSEPresentVoltage: zero("V") } }),
  CurrentDemandReq: (code) => ({
    CurrentDemandRes: {
      ResponseCode: code,
      DC_EVSEStatus: shutdownStatus(),
      EVSEPresentVoltage: zero("V"),
      EVSEPresentCurrent: zero("A"),
      EVSECurrentLimitAchieved: false,
      EVSEVoltageLimitAchieved: false,
      EVSEPowerLimitAchieved: false,
    },
  }),
  WeldingDetectionReq: (code) => ({ WeldingDetectionRes: { ResponseCode: code, DC_EVSEStatus: shutdownStatus(), EVSEPresentVoltage: zero("V") } }),
});

/** The request element names of DIN 70121. */
export const DIN_REQUESTS: readonly string[] = Object.freeze(Object.keys(FAILED));

/** A fresh minimal response to `requestName` with `code`; undefined if `requestName` is no DIN request. */
export function dinFailedResponse(requestName: string, code: string): AnyBody | undefined {
  const make = FAILED[requestName];
  return make === undefined ? undefined : make(code);
}
