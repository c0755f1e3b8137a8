// The message shapes the EVCC reads and writes (DIN 70121 and ISO 15118-2 V2G_Message).
//
// Local, deliberately loose views of the EXI message objects (docs/CONVENTIONS.md shape) until
// the generated types of modules/exi/generated/{din,iso2}/ land; only the fields the EVCC reads
// are spelled out. Element names are the XSD local names.

import type { PhysicalValue } from "./physical";

export type EvccSchema = "din" | "iso2";

export interface V2gHeader {
  SessionID: Uint8Array;
  Notification?: { FaultCode: string; FaultMsg?: string };
}

/** The body holds exactly one message element, named by its XSD element name. */
export type V2gBody = { [element: string]: object | undefined };

/** `{ V2G_Message: { Header, Body } }`: what decode("din" | "iso2", bytes) returns. */
export interface V2gMessageDoc {
  V2G_Message: { Header: V2gHeader; Body: V2gBody };
}

export interface DcEvseStatus {
  EVSEIsolationStatus?: string;
  EVSEStatusCode: string;
  NotificationMaxDelay: number;
  EVSENotification: string;
}

export interface AcEvseStatus {
  /** DIN only. */
  PowerSwitchClosed?: boolean;
  RCD: boolean;
  NotificationMaxDelay: number;
  EVSENotification: string;
}

export interface SaScheduleTuple {
  SAScheduleTupleID: number;
  PMaxSchedule?: unknown;
  SalesTariff?: unknown;
}

export interface ServiceEntry {
  ServiceID: number;
  ServiceName?: string;
  ServiceCategory: string;
  ServiceScope?: string;
  FreeService?: boolean;
}

/** Union of the response fields the EVCC looks at, across all response messages. */
export interface EvccResponseBody {
  ResponseCode?: string;
  EVSEProcessing?: string;
  /** ISO-2: a string; DIN 70121: hexBinary. */
  EVSEID?: string | Uint8Array;
  // ServiceDiscoveryRes
  PaymentOptions?: { PaymentOption: string[] };
  PaymentOptionList?: { PaymentOption: string[] };
  ChargeService?: {
    ServiceTag?: ServiceEntry;
    ServiceID?: number;
    ServiceCategory?: string;
    FreeService?: boolean;
    EnergyTransferType?: string;
    SupportedEnergyTransferMode?: { EnergyTransferMode: string[] };
  };
  ServiceList?: { Service: ServiceEntry[] };
  // ServiceDetailRes
  ServiceID?: number;
  ServiceParameterList?: { ParameterSet: { ParameterSetID: number }[] };
  // ChargeParameterDiscoveryRes
  SAScheduleList?: { SAScheduleTuple: SaScheduleTuple[] };
  DC_EVSEChargeParameter?: {
    DC_EVSEStatus: DcEvseStatus;
    EVSEMaximumCurrentLimit?: PhysicalValue;
    EVSEMaximumPowerLimit?: PhysicalValue;
    EVSEMaximumVoltageLimit?: PhysicalValue;
    EVSEMinimumCurrentLimit?: PhysicalValue;
    EVSEMinimumVoltageLimit?: PhysicalValue;
  };
  AC_EVSEChargeParameter?: {
    AC_EVSEStatus: AcEvseStatus;
    EVSENominalVoltage?: PhysicalValue;
    EVSEMaxVoltage?: PhysicalValue;
    EVSEMaxCurrent?: PhysicalValue;
    EVSEMinCurrent?: PhysicalValue;
  };
  // DC status-bearing responses
  DC_EVSEStatus?: DcEvseStatus;
  AC_EVSEStatus?: AcEvseStatus;
  EVSEPresentVoltage?: PhysicalValue;
  EVSEPresentCurrent?: PhysicalValue;
  EVSEMaximumVoltageLimit?: PhysicalValue;
  EVSEMaximumCurrentLimit?: PhysicalValue;
  EVSEMaximumPowerLimit?: PhysicalValue;
  EVSECurrentLimitAchieved?: boolean;
  EVSEVoltageLimitAchieved?: boolean;
  EVSEPowerLimitAchieved?: boolean;
  // ChargingStatusRes
  SAScheduleTupleID?: number;
  EVSEMaxCurrent?: PhysicalValue;
  ReceiptRequired?: boolean;
  MeterInfo?: { MeterID: string; MeterReading?: unknown };
}

/** The single element of a Body: its name and content; undefined for an empty Body. */
export function bodyElement(doc: V2gMessageDoc): { name: string; content: EvccResponseBody } | undefined {
  const body = doc?.V2G_Message?.Body;
  if (body === undefined || body === null) return undefined;
  for (const name in body) {
    const content = body[name];
    if (content !== undefined) return { name, content: content as EvccResponseBody };
  }
  return undefined;
}
