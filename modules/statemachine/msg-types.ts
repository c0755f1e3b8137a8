// Local stand-ins for the generated EXI message types (SAP, DIN 70121, ISO 15118-2).
//
// TEMPORARY: modules/exi/generated/<schema>/ will hold the real types (docs/CONVENTIONS.md:
// "the generated types are the message types everywhere"). Until they land, this is the ONE
// place that spells the shapes the SECC reads and writes; when they land, each alias below is
// replaced by an import, and nothing else in modules/statemachine changes.
// Shapes follow CONVENTIONS.md: XSD local names, arrays for maxOccurs > 1, absent optionals
// are absent properties, substitution groups and choices are the chosen element's property,
// xs:long / xs:unsignedLong are bigint, hexBinary / base64Binary are Uint8Array.

/** PhysicalValueType (DIN: Unit optional; ISO-2: Unit required). Value = xs:short scaled by 10^Multiplier. */
export interface PhysicalValue {
  Multiplier: number;
  Unit?: string;
  Value: number;
}

/** A body: exactly one property, the element name of the message ("CableCheckReq"). */
export type AnyBody = { [messageName: string]: object };

/** The V2G_Message document of DIN 70121 and ISO 15118-2. */
export interface V2gDocument {
  V2G_Message: {
    Header: { SessionID: Uint8Array; Notification?: { FaultCode: string; FaultMsg?: string }; Signature?: object };
    Body: AnyBody;
  };
}

// ---- supportedAppProtocol (apphand) -------------------------------------------------------

export interface AppProtocol {
  ProtocolNamespace: string;
  VersionNumberMajor: number;
  VersionNumberMinor: number;
  SchemaID: number;
  Priority: number;
}

export interface SupportedAppProtocolReqDoc {
  supportedAppProtocolReq: { AppProtocol: AppProtocol[] };
}

export interface SupportedAppProtocolResDoc {
  supportedAppProtocolRes: { ResponseCode: string; SchemaID?: number };
}

// ---- shared between DIN and ISO-2 (same element names, nearly the same types) -------------

export interface DcEvStatus {
  EVReady: boolean;
  EVCabinConditioning?: boolean; // DIN only
  EVRESSConditioning?: boolean; // DIN only
  EVErrorCode: string;
  EVRESSSOC: number;
}

export interface DcEvseStatus {
  EVSEIsolationStatus?: string;
  EVSEStatusCode: string;
  NotificationMaxDelay: number;
  EVSENotification: string;
}

export interface AcEvseStatus {
  NotificationMaxDelay: number;
  EVSENotification: string;
  RCD: boolean;
  PowerSwitchClosed?: boolean; // DIN only (DIN has no AC flow in this stack)
}

export interface DcEvChargeParameter {
  DepartureTime?: number;
  DC_EVStatus: DcEvStatus;
  EVMaximumCurrentLimit: PhysicalValue;
  EVMaximumPowerLimit?: PhysicalValue;
  EVMaximumVoltageLimit: PhysicalValue;
  EVEnergyCapacity?: PhysicalValue;
  EVEnergyRequest?: PhysicalValue;
  FullSOC?: number;
  BulkSOC?: number;
}

export interface AcEvChargeParameter {
  DepartureTime?: number;
  EAmount: PhysicalValue;
  EVMaxVoltage: PhysicalValue;
  EVMaxCurrent: PhysicalValue;
  EVMinCurrent: PhysicalValue;
}

export interface DcEvseChargeParameter {
  DC_EVSEStatus: DcEvseStatus;
  EVSEMaximumCurrentLimit: PhysicalValue;
  EVSEMaximumPowerLimit?: PhysicalValue; // required in ISO-2
  EVSEMaximumVoltageLimit: PhysicalValue;
  EVSEMinimumCurrentLimit: PhysicalValue;
  EVSEMinimumVoltageLimit: PhysicalValue;
  EVSECurrentRegulationTolerance?: PhysicalValue;
  EVSEPeakCurrentRipple: PhysicalValue;
  EVSEEnergyToBeDelivered?: PhysicalValue;
}

export interface AcEvseChargeParameter {
  AC_EVSEStatus: AcEvseStatus;
  EVSENominalVoltage: PhysicalValue;
  EVSEMaxCurrent: PhysicalValue;
}

export interface RelativeTimeInterval {
  start: number;
  duration?: number;
}

/** ISO-2 PMaxScheduleEntry (PMax is a PhysicalValue). */
export interface Iso2PMaxScheduleEntry {
  RelativeTimeInterval: RelativeTimeInterval;
  PMax: PhysicalValue;
}

/** DIN PMaxScheduleEntry (PMax is an xs:short in W). */
export interface DinPMaxScheduleEntry {
  RelativeTimeInterval: RelativeTimeInterval;
  PMax: number;
}

export interface Iso2SAScheduleTuple {
  SAScheduleTupleID: number;
  PMaxSchedule: { PMaxScheduleEntry: Iso2PMaxScheduleEntry[] };
  SalesTariff?: object;
}

export interface DinSAScheduleTuple {
  SAScheduleTupleID: number;
  PMaxSchedule: { PMaxScheduleID: number; PMaxScheduleEntry: DinPMaxScheduleEntry[] };
  SalesTariff?: object;
}

export interface MeterInfo {
  MeterID: string;
  MeterReading?: bigint | PhysicalValue; // ISO-2: xs:unsignedLong (Wh); DIN: PhysicalValue
  SigMeterReading?: Uint8Array;
  MeterStatus?: number;
  TMeter?: bigint;
}

export interface ChargingProfile {
  SAScheduleTupleID?: number; // DIN only
  ProfileEntry: {
    ChargingProfileEntryStart: number;
    ChargingProfileEntryMaxPower: PhysicalValue | number; // ISO-2 PhysicalValue, DIN xs:short
    ChargingProfileEntryMaxNumberOfPhasesInUse?: number;
  }[];
}

export interface DcEvPowerDeliveryParameter {
  DC_EVStatus: DcEvStatus;
  BulkChargingComplete?: boolean;
  ChargingComplete: boolean;
}

// ---- requests (the fields the SECC reads) -------------------------------------------------

export interface SessionSetupReq {
  EVCCID: Uint8Array;
}
export interface ServiceDiscoveryReq {
  ServiceScope?: string;
  ServiceCategory?: string;
}
export interface ServiceDetailReq {
  ServiceID: number;
}
export interface PaymentSelectionReq {
  SelectedPaymentOption: string;
  SelectedServiceList: { SelectedService: { ServiceID: number; ParameterSetID?: number }[] };
}
export interface AuthorizationReq {
  Id?: string;
  GenChallenge?: Uint8Array | string;
}
export interface DinChargeParameterDiscoveryReq {
  EVRequestedEnergyTransferType: string;
  DC_EVChargeParameter?: DcEvChargeParameter;
  AC_EVChargeParameter?: AcEvChargeParameter;
}
export interface Iso2ChargeParameterDiscoveryReq {
  MaxEntriesSAScheduleTuple?: number;
  RequestedEnergyTransferMode: string;
  DC_EVChargeParameter?: DcEvChargeParameter;
  AC_EVChargeParameter?: AcEvChargeParameter;
}
export interface DinPowerDeliveryReq {
  ReadyToChargeState: boolean;
  ChargingProfile?: ChargingProfile;
  DC_EVPowerDeliveryParameter?: DcEvPowerDeliveryParameter;
}
export interface Iso2PowerDeliveryReq {
  ChargeProgress: string;
  SAScheduleTupleID: number;
  ChargingProfile?: ChargingProfile;
  DC_EVPowerDeliveryParameter?: DcEvPowerDeliveryParameter;
}
export interface CableCheckReq {
  DC_EVStatus: DcEvStatus;
}
export interface PreChargeReq {
  DC_EVStatus: DcEvStatus;
  EVTargetVoltage: PhysicalValue;
  EVTargetCurrent: PhysicalValue;
}
export interface CurrentDemandReq {
  DC_EVStatus: DcEvStatus;
  EVTargetCurrent: PhysicalValue;
  EVMaximumVoltageLimit?: PhysicalValue;
  EVMaximumCurrentLimit?: PhysicalValue;
  EVMaximumPowerLimit?: PhysicalValue;
  BulkChargingComplete?: boolean;
  ChargingComplete: boolean;
  RemainingTimeToFullSoC?: PhysicalValue;
  RemainingTimeToBulkSoC?: PhysicalValue;
  EVTargetVoltage: PhysicalValue;
}
export interface WeldingDetectionReq {
  DC_EVStatus: DcEvStatus;
}
export interface MeteringReceiptReq {
  Id?: string;
  SessionID: Uint8Array;
  SAScheduleTupleID?: number;
  MeterInfo: MeterInfo;
}
export type ChargingStatusReq = Record<string, never>;
export interface SessionStopReq {
  ChargingSession?: string; // ISO-2: Terminate | Pause; DIN: empty element
}
