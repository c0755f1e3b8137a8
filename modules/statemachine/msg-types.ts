// The message types the SECC reads and writes, taken from the generated EXI types
// (modules/exi/generated/<schema>/types.ts, docs/CONVENTIONS.md: "the generated types are the
// message types everywhere"). This file only names them for the state machines: a union where
// DIN 70121 and ISO 15118-2 share a handler, the schema's own type where they differ.
//
// Bodies stay loosely typed (AnyBody: `{ <MessageName>: content }`) because one generic
// session wraps them for both schemas; the codec checks every response against the schema
// (tests encode each one).

import type * as apphand from "../exi/generated/apphand/types";
import type * as din from "../exi/generated/din/types";
import type * as iso2 from "../exi/generated/iso2/types";

export type { apphand, din, iso2 };

/** PhysicalValueType (DIN: Unit optional; ISO-2: Unit required). Value = xs:short × 10^Multiplier. */
export type PhysicalValue = iso2.PhysicalValueType | din.PhysicalValueType;
/** The units both schemas know. */
export type PhysicalUnit = iso2.PhysicalValueType["Unit"];

/** A body: exactly one property, the element name of the message ("CableCheckReq"). */
export type AnyBody = { [messageName: string]: object };

/** The V2G_Message document of DIN 70121 and ISO 15118-2 (header as generated; body generic). */
export interface V2gDocument {
  V2G_Message: {
    Header: iso2.MessageHeaderType | din.MessageHeaderType;
    Body: AnyBody;
  };
}

// ---- supportedAppProtocol (apphand) -------------------------------------------------------

export type AppProtocol = apphand.AppProtocolType;
export interface SupportedAppProtocolReqDoc {
  supportedAppProtocolReq: apphand.supportedAppProtocolReqType;
}
export interface SupportedAppProtocolResDoc {
  supportedAppProtocolRes: apphand.supportedAppProtocolResType;
}

// ---- parts of messages --------------------------------------------------------------------

export type DcEvStatus = iso2.DC_EVStatusType | din.DC_EVStatusType;
/** ISO-2's DC_EVSEStatus (a superset of DIN's: DIN lacks the isolation level No_IMD). */
export type DcEvseStatus = iso2.DC_EVSEStatusType;
export type AcEvseStatus = iso2.AC_EVSEStatusType;
export type DcEvChargeParameter = iso2.DC_EVChargeParameterType | din.DC_EVChargeParameterType;
export type AcEvChargeParameter = iso2.AC_EVChargeParameterType | din.AC_EVChargeParameterType;
/** ISO-2 requires EVSEMaximumPowerLimit, DIN does not: the ISO-2 shape fits both. */
export type DcEvseChargeParameter = iso2.DC_EVSEChargeParameterType;
export type AcEvseChargeParameter = iso2.AC_EVSEChargeParameterType;
export type Iso2SAScheduleTuple = iso2.SAScheduleTupleType;
export type DinSAScheduleTuple = din.SAScheduleTupleType;
export type Iso2MeterInfo = iso2.MeterInfoType;

// ---- requests (what the handlers read) ----------------------------------------------------

export type SessionSetupReq = iso2.SessionSetupReqType | din.SessionSetupReqType;
export type ServiceDiscoveryReq = iso2.ServiceDiscoveryReqType | din.ServiceDiscoveryReqType;
export type ServiceDetailReq = iso2.ServiceDetailReqType;
export type PaymentSelectionReq = iso2.PaymentServiceSelectionReqType | din.ServicePaymentSelectionReqType;
export type AuthorizationReq = iso2.AuthorizationReqType | din.ContractAuthenticationReqType;
export type DinChargeParameterDiscoveryReq = din.ChargeParameterDiscoveryReqType;
export type Iso2ChargeParameterDiscoveryReq = iso2.ChargeParameterDiscoveryReqType;
export type DinPowerDeliveryReq = din.PowerDeliveryReqType;
export type Iso2PowerDeliveryReq = iso2.PowerDeliveryReqType;
export type CableCheckReq = iso2.CableCheckReqType | din.CableCheckReqType;
export type PreChargeReq = iso2.PreChargeReqType | din.PreChargeReqType;
export type CurrentDemandReq = iso2.CurrentDemandReqType | din.CurrentDemandReqType;
export type WeldingDetectionReq = iso2.WeldingDetectionReqType | din.WeldingDetectionReqType;
export type MeteringReceiptReq = iso2.MeteringReceiptReqType;
export type ChargingStatusReq = iso2.ChargingStatusReqType;
/** ISO-2 SessionStopReq (ChargingSession Terminate | Pause); DIN's is empty. */
export type SessionStopReq = iso2.SessionStopReqType | din.SessionStopType;
