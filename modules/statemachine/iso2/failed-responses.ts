// ISO 15118-2: a minimal, schema-valid response for every request type, used for negative
// answers so that the SECC always answers [V2G2-538], [V2G2-736] (Josev's failed_responses.py
// as data). `ac` picks AC_EVSEStatus / AC_EVSEChargeParameter where the response has a choice.

import type { AnyBody, DcEvseStatus, PhysicalUnit, PhysicalValue } from "../msg-types";

const zero = (unit: PhysicalUnit): PhysicalValue => ({ Multiplier: 0, Unit: unit, Value: 0 });
/** evseIDType needs 7–37 characters; "ZZ00000" is the ISO 15118-2 "no EVSEID" value. */
const NO_EVSEID = "ZZ00000";

function dcStatus(): DcEvseStatus {
  return { EVSEIsolationStatus: "Invalid", EVSEStatusCode: "EVSE_Shutdown", NotificationMaxDelay: 0, EVSENotification: "StopCharging" };
}

function acStatus() {
  return { NotificationMaxDelay: 0, EVSENotification: "StopCharging", RCD: false };
}

function evseStatus(ac: boolean): AnyBody {
  return ac ? { AC_EVSEStatus: acStatus() } : { DC_EVSEStatus: dcStatus() };
}

function certificateResponse(code: string) {
  return {
    ResponseCode: code,
    SAProvisioningCertificateChain: { Certificate: new Uint8Array(0) },
    ContractSignatureCertChain: { Certificate: new Uint8Array(0) },
    ContractSignatureEncryptedPrivateKey: { Id: "id1", $value: new Uint8Array(0) },
    DHpublickey: { Id: "id2", $value: new Uint8Array(0) },
    eMAID: { Id: "id3", $value: "ZZ000000000000" }, // eMAIDType: 14–15 characters
  };
}

type Factory = (code: string, ac: boolean) => AnyBody;

const FAILED: Readonly<Record<string, Factory>> = Object.freeze({
  SessionSetupReq: (code) => ({ SessionSetupRes: { ResponseCode: code, EVSEID: NO_EVSEID } }),
  ServiceDiscoveryReq: (code, ac) => ({
    ServiceDiscoveryRes: {
      ResponseCode: code,
      PaymentOptionList: { PaymentOption: ["ExternalPayment"] },
      ChargeService: {
        ServiceID: 1,
        ServiceCategory: "EVCharging",
        FreeService: false,
        SupportedEnergyTransferMode: { EnergyTransferMode: [ac ? "AC_three_phase_core" : "DC_extended"] },
      },
    },
  }),
  ServiceDetailReq: (code) => ({ ServiceDetailRes: { ResponseCode: code, ServiceID: 1 } }),
  PaymentServiceSelectionReq: (code) => ({ PaymentServiceSelectionRes: { ResponseCode: code } }),
  PaymentDetailsReq: (code) => ({ PaymentDetailsRes: { ResponseCode: code, GenChallenge: new Uint8Array(16), EVSETimeStamp: 0n } }),
  AuthorizationReq: (code) => ({ AuthorizationRes: { ResponseCode: code, EVSEProcessing: "Finished" } }),
  ChargeParameterDiscoveryReq: (code, ac) => ({
    ChargeParameterDiscoveryRes: {
      ResponseCode: code,
      EVSEProcessing: "Finished",
      ...(ac
        ? { AC_EVSEChargeParameter: { AC_EVSEStatus: acStatus(), EVSENominalVoltage: zero("V"), EVSEMaxCurrent: zero("A") } }
        : {
            DC_EVSEChargeParameter: {
              DC_EVSEStatus: dcStatus(),
              EVSEMaximumCurrentLimit: zero("A"),
              EVSEMaximumPowerLimit: zero("W"),
              EVSEMaximumVoltageLimit: zero("V"),
              EVSEMinimumCurrentLimit: zero("A"),
              EVSEMinimumVoltageLimit: zero("V"),
              EVSEPeakCurrentRipple: zero("A"),
            },
          }),
    },
  }),
  PowerDeliveryReq: (code, ac) => ({ PowerDeliveryRes: { ResponseCode: code, ...evseStatus(ac) } }),
  MeteringReceiptReq: (code, ac) => ({ MeteringReceiptRes: { ResponseCode: code, ...evseStatus(ac) } }),
  SessionStopReq: (code) => ({ SessionStopRes: { ResponseCode: code } }),
  CertificateUpdateReq: (code) => ({ CertificateUpdateRes: certificateResponse(code) }),
  CertificateInstallationReq: (code) => ({ CertificateInstallationRes: certificateResponse(code) }),
  ChargingStatusReq: (code) => ({
    ChargingStatusRes: { ResponseCode: code, EVSEID: NO_EVSEID, SAScheduleTupleID: 1, AC_EVSEStatus: acStatus() },
  }),
  CableCheckReq: (code) => ({ CableCheckRes: { ResponseCode: code, DC_EVSEStatus: dcStatus(), EVSEProcessing: "Finished" } }),
  PreChargeReq: (code) => ({ PreChargeRes: { ResponseCode: code, DC_EVSEStatus: dcStatus(), EVSEPresentVoltage: zero("V") } }),
  CurrentDemandReq: (code) => ({
    CurrentDemandRes: {
      ResponseCode: code,
      DC_EVSEStatus: dcStatus(),
      EVSEPresentVoltage: zero("V"),
      EVSEPresentCurrent: zero("A"),
      EVSECurrentLimitAchieved: false,
      EVSEVoltageLimitAchieved: false,
      EVSEPowerLimitAchieved: false,
      EVSEID: NO_EVSEID,
      SAScheduleTupleID: 1,
    },
  }),
  WeldingDetectionReq: (code) => ({ WeldingDetectionRes: { ResponseCode: code, DC_EVSEStatus: dcStatus(), EVSEPresentVoltage: zero("V") } }),
});

/** The request element names of ISO 15118-2. */
export const ISO2_REQUESTS: readonly string[] = Object.freeze(Object.keys(FAILED));

/** A fresh minimal response to `requestName` with `code`; undefined if it is no ISO-2 request. */
export function iso2FailedResponse(requestName: string, code: string, ac = false): AnyBody | undefined {
  const make = FAILED[requestName];
  return make === undefined ? undefined : make(code, ac);
}
