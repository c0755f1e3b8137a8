// ISO 15118-20: a minimal, schema-valid response for every request this SECC answers, used for
// negative answers so that the SECC always answers (the -20 counterpart of [V2G2-538]). The
// session fills in the Header.

import type { AnyBody } from "../msg-types";
import { HEADER_SLOT } from "./envelope";
import { refusedInstallation } from "./pnc-certificate";

const ZERO = Object.freeze({ Exponent: 0, Value: 0 });
/** EVSEID with no identity (7 characters: the smallest the schema allows, as the captures' "ZZ00000"). */
const NO_EVSEID = "ZZ00000";

type Factory = (code: string, ac: boolean) => AnyBody;

const r = (name: string, code: string, rest?: object): AnyBody => ({ [name]: { Header: HEADER_SLOT, ResponseCode: code, ...rest } });

const FAILED: Readonly<Record<string, Factory>> = Object.freeze({
  SessionSetupReq: (code) => r("SessionSetupRes", code, { EVSEID: NO_EVSEID }),
  AuthorizationSetupReq: (code) =>
    r("AuthorizationSetupRes", code, { AuthorizationServices: ["EIM"], CertificateInstallationService: false, EIM_ASResAuthorizationMode: {} }),
  AuthorizationReq: (code) => r("AuthorizationRes", code, { EVSEProcessing: "Finished" }),
  ServiceDiscoveryReq: (code, ac) =>
    r("ServiceDiscoveryRes", code, { ServiceRenegotiationSupported: false, EnergyTransferServiceList: { Service: [{ ServiceID: ac ? 1 : 2, FreeService: false }] } }),
  ServiceDetailReq: (code, ac) =>
    r("ServiceDetailRes", code, {
      ServiceID: ac ? 1 : 2,
      ServiceParameterList: { ParameterSet: [{ ParameterSetID: 1, Parameter: [{ Name: "Connector", intValue: 2 }] }] },
    }),
  ServiceSelectionReq: (code) => r("ServiceSelectionRes", code),
  ScheduleExchangeReq: (code) => r("ScheduleExchangeRes", code, { EVSEProcessing: "Finished", Dynamic_SEResControlMode: {} }),
  PowerDeliveryReq: (code) => r("PowerDeliveryRes", code),
  SessionStopReq: (code) => r("SessionStopRes", code),
  MeteringConfirmationReq: (code) => r("MeteringConfirmationRes", code),
  CertificateInstallationReq: (code) => refusedInstallation(code).body,
  VehicleCheckInReq: (code) => r("VehicleCheckInRes", code),
  VehicleCheckOutReq: (code) => r("VehicleCheckOutRes", code, { EVSECheckOutStatus: "Completed" }),
  DC_ChargeParameterDiscoveryReq: (code) =>
    r("DC_ChargeParameterDiscoveryRes", code, {
      DC_CPDResEnergyTransferMode: {
        EVSEMaximumChargePower: ZERO,
        EVSEMinimumChargePower: ZERO,
        EVSEMaximumChargeCurrent: ZERO,
        EVSEMinimumChargeCurrent: ZERO,
        EVSEMaximumVoltage: ZERO,
        EVSEMinimumVoltage: ZERO,
      },
    }),
  DC_CableCheckReq: (code) => r("DC_CableCheckRes", code, { EVSEProcessing: "Finished" }),
  DC_PreChargeReq: (code) => r("DC_PreChargeRes", code, { EVSEPresentVoltage: ZERO }),
  DC_ChargeLoopReq: (code) =>
    r("DC_ChargeLoopRes", code, {
      EVSEPresentCurrent: ZERO,
      EVSEPresentVoltage: ZERO,
      EVSEPowerLimitAchieved: false,
      EVSECurrentLimitAchieved: false,
      EVSEVoltageLimitAchieved: false,
      Scheduled_DC_CLResControlMode: {},
    }),
  DC_WeldingDetectionReq: (code) => r("DC_WeldingDetectionRes", code, { EVSEPresentVoltage: ZERO }),
  AC_ChargeParameterDiscoveryReq: (code) =>
    r("AC_ChargeParameterDiscoveryRes", code, {
      AC_CPDResEnergyTransferMode: { EVSEMaximumChargePower: ZERO, EVSEMinimumChargePower: ZERO, EVSENominalFrequency: { Exponent: 0, Value: 50 } },
    }),
  AC_ChargeLoopReq: (code) => r("AC_ChargeLoopRes", code, { Scheduled_AC_CLResControlMode: {} }),
  WPT_FinePositioningSetupReq: (code) =>
    r("WPT_FinePositioningSetupRes", code, {
      PrimaryDeviceFinePositioningMethodList: { WPT_FinePositioningMethod: ["Manual"] },
      PrimaryDevicePairingMethodList: { WPT_PairingMethod: ["External confirmation"] },
      PrimaryDeviceAlignmentCheckMethodList: { WPT_AlignmentCheckMethod: ["PowerCheck"] },
      NaturalOffset: 0,
    }),
  WPT_FinePositioningReq: (code) => r("WPT_FinePositioningRes", code, { EVSEProcessing: "Finished" }),
  WPT_PairingReq: (code) => r("WPT_PairingRes", code, { EVSEProcessing: "Finished" }),
  WPT_AlignmentCheckReq: (code) => r("WPT_AlignmentCheckRes", code, { EVSEProcessing: "Finished" }),
  WPT_ChargeParameterDiscoveryReq: (code) =>
    r("WPT_ChargeParameterDiscoveryRes", code, {
      PDInputPowerClass: "MF-WPT1",
      SDMinOutputPower: ZERO,
      SDMaxOutputPower: ZERO,
      SDMaxGroundClearanceSupport: 0,
      SDMinGroundClearanceSupport: 0,
      PDMinCoilCurrent: ZERO,
      PDMaxCoilCurrent: ZERO,
    }),
  WPT_ChargeLoopReq: (code) =>
    r("WPT_ChargeLoopRes", code, { EVPCPowerRequest: ZERO, SPCMaxOutputPowerLimit: ZERO, SPCMinOutputPowerLimit: ZERO, SPCChargeDiagnostics: "SPCNoIssue" }),
  ACDP_VehiclePositioningReq: (code) =>
    r("ACDP_VehiclePositioningRes", code, {
      EVSEProcessing: "Finished",
      EVSEPositioningSupport: false,
      EVRelativeXDeviation: 0,
      EVRelativeYDeviation: 0,
      ContactWindowXc: 0,
      ContactWindowYc: 0,
      EVInChargePosition: false,
    }),
  ACDP_ConnectReq: (code) => r("ACDP_ConnectRes", code, { EVSEProcessing: "Finished", EVSEElectricalChargingDeviceStatus: "State_A", EVSEMechanicalChargingDeviceStatus: "Home" }),
  ACDP_DisconnectReq: (code) => r("ACDP_DisconnectRes", code, { EVSEProcessing: "Finished", EVSEElectricalChargingDeviceStatus: "State_A", EVSEMechanicalChargingDeviceStatus: "Home" }),
  ACDP_SystemStatusReq: (code) =>
    r("ACDP_SystemStatusRes", code, {
      EVSEMechanicalChargingDeviceStatus: "Home",
      EVSEReadyToCharge: false,
      EVSEIsolationStatus: "Invalid",
      EVSEDisabled: false,
      EVSEUtilityInterruptEvent: false,
      EVSEEmergencyShutdown: false,
      EVSEMalfunction: false,
      EVInChargePosition: false,
      EVAssociationStatus: false,
    }),
});

/** The request element names this SECC answers in ISO 15118-20. */
export const ISO20_REQUESTS: readonly string[] = Object.freeze(Object.keys(FAILED));

/** A fresh minimal response to `requestName` with `code`; undefined if it is no -20 request we know. */
export function iso20FailedResponse(requestName: string, code: string, ac = false): AnyBody | undefined {
  const make = FAILED[requestName];
  return make === undefined ? undefined : make(code, ac);
}
