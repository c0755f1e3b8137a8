// The EVCC's boundary: BMS and vehicle hooks, configuration, events in, outcome and trace out.

import type { Millis } from "../../common/index";
import type { EvccDoc, EvccProtocol } from "./msg";
import type { Iso20EvccConfig } from "../iso20/evcc-types";
import type { EvccPhaseTimer } from "./timeouts";
import type { EnergyTransferMode } from "../charger-interfaces";
import type { Iso2EvccPnc } from "./iso2-pnc";

/** DIN 70121 EVRequestedEnergyTransferType / ISO 15118-2 EnergyTransferModeType (one definition for both roles). */
export type { EnergyTransferMode } from "../charger-interfaces";

/** DC_EVErrorCodeType. */
export type DcEvErrorCode =
  | "NO_ERROR"
  | "FAILED_RESSTemperatureInhibit"
  | "FAILED_EVShiftPosition"
  | "FAILED_ChargerConnectorLockFault"
  | "FAILED_EVRESSMalfunction"
  | "FAILED_ChargingCurrentdifferential"
  | "FAILED_ChargingVoltageOutOfRange"
  | "FAILED_ChargingSystemIncompatibility"
  | "NoData";

/**
 * The battery management system as the EVCC sees it. The EVCC polls it when it builds each
 * request (pull, no callbacks), so a simulated or real BMS only keeps its values current.
 * Units: V, A, W, Wh, s, percent.
 */
export interface EvBms {
  /** State of charge, 0..100 %. */
  soc(): number;
  /** EVReady: the EV accepts energy now. */
  ready(): boolean;
  /** DC_EVErrorCode; "NO_ERROR" when all is well. Any other value ends the session. */
  errorCode(): DcEvErrorCode;
  /** Usable energy content (EVEnergyCapacity). */
  capacityWh(): number;
  /** Energy still wanted to reach the target (EVEnergyRequest / AC EAmount). */
  energyRequestWh(): number;
  /** SoC at which bulk charging is complete (BulkSOC), if the EV reports one. */
  bulkSoc(): number | undefined;
  /** SoC at which the battery counts as full (FullSOC). */
  fullSoc(): number | undefined;
  /** DC: maximum voltage, current and power the EV accepts (EVMaximum*Limit). */
  dcLimits(): { maxVoltage: number; maxCurrent: number; maxPower: number };
  /** DC: the battery's present terminal voltage: the PreCharge target. */
  voltage(): number;
  /** DC: the target the EV requests in this CurrentDemandReq. */
  dcTarget(): { voltage: number; current: number };
  /** AC: the on-board charger's limits per phase (EVMaxVoltage, EVMaxCurrent, EVMinCurrent). */
  acLimits(): { maxVoltage: number; maxCurrent: number; minCurrent: number };
  /** The BMS wants charging to end (target SoC reached, battery full). */
  chargingComplete(): boolean;
  /** Bulk charging is complete (BulkSOC reached). */
  bulkChargingComplete(): boolean;
  /** Estimated seconds to full and to bulk SoC; undefined when unknown. */
  remainingTimeToFullSoc(): number | undefined;
  remainingTimeToBulkSoc(): number | undefined;
  /**
   * Optional: the BMS decides when PreCharge is complete (real EVs compare their own inlet
   * voltage measurement). Default: |EVSEPresentVoltage − voltage()| ≤ preChargeTolerance.
   */
  preChargeComplete?(presentVoltage: number): boolean;
  /**
   * Optional: the BMS decides when WeldingDetection is done (contactors proven open).
   * Default: EVSEPresentVoltage below weldingVoltageLimit.
   */
  weldingDetectionComplete?(presentVoltage: number): boolean;
}

/** Values the charger reported, handed to the vehicle (its battery/on-board charger model). */
export interface EvseValues {
  presentVoltage?: number;
  presentCurrent?: number;
  /** DC: EVSEMaximumCurrentLimit; AC: EVSEMaxCurrent per phase. */
  maxCurrent?: number;
  maxVoltage?: number;
  maxPower?: number;
  /** AC: EVSENominalVoltage. */
  nominalVoltage?: number;
}

/** The vehicle's actuators the EVCC drives. All optional: a bare EVCC works without them. */
export interface VehicleHooks {
  /** Control pilot via the S2 switch: "C" = ready to take power, "B" = not. */
  setPilotState?(state: "B" | "C"): void;
  /** DC: the EV's main contactors (closed after PreCharge, opened after PowerDelivery(Stop)). */
  setContactors?(closed: boolean): void;
  /** What the charger reported in the last response. */
  onEvseValues?(values: EvseValues): void;
}

export interface EvccConfig {
  /** The protocol SAP negotiated. */
  protocol: EvccProtocol;
  /** DC_extended (CCS), AC_three_phase_core, ... DIN supports DC only. */
  energyTransferMode: EnergyTransferMode;
  /** EVCCID: the EV's MAC address (6 bytes; DIN allows up to 8). */
  evccId: Uint8Array;
  /** ISO-2: SessionID of a paused session to resume; absent for a new session. */
  resumeSessionId?: Uint8Array;
  /** ISO-2: value-added service IDs the EV wants; ServiceDetail is asked for each one offered. */
  valueAddedServices?: number[];
  /** ISO 15118-20: the service, control mode and direction to ask for (required when protocol is "iso20"). */
  iso20?: Iso20EvccConfig;
  /**
   * ISO-2 Plug & Charge: the vehicle's crypto and PkiStore (V2G and MO roots, its OEM
   * provisioning chain in own slot "oem-provisioning", installed contracts). With it the EV
   * selects Contract where the charger offers it, installs a contract when it has none, and
   * signs AuthorizationReq and MeteringReceiptReq (evcc/iso2-pnc.ts).
   */
  pnc?: Iso2EvccPnc;
  /** ISO-2 DepartureTime (s from now) in ChargeParameterDiscoveryReq. */
  departureTime?: number;
  /** ISO-2 MaxEntriesSAScheduleTuple. */
  maxEntriesSAScheduleTuple?: number;
  /**
   * ChargingProfile in PowerDeliveryReq(Start), ISO-2 and DIN: "schedule" (default) sends one
   * derived from the selected SAScheduleTuple's PMaxSchedule (at most 24 entries, never above
   * the schedule or the vehicle's maximum power), as cars in the field do and as chargers that
   * answer FAILED_ChargingProfileInvalid without one require; "omit" leaves the optional element out.
   */
  chargingProfile?: "schedule" | "omit";
  /** PreCharge is complete when |EVSEPresentVoltage − target| ≤ this (V). Default 10. */
  preChargeTolerance?: number;
  /** PreCharge EVTargetCurrent (A); DIN and -2 limit it to 2 A. Default 2. */
  preChargeCurrent?: number;
  /** DC: run WeldingDetection after PowerDelivery(Stop) (optional for the EV). Default true. */
  weldingDetection?: boolean;
  /** WeldingDetection repeats until EVSEPresentVoltage is below this (V). Default 60. */
  weldingVoltageLimit?: number;
  /** Pause before each repeated request while the charger answers Ongoing. Default 200 ms. */
  pollInterval?: Millis;
  /** Pause between CurrentDemand requests. Default 100 ms. */
  currentDemandInterval?: Millis;
  /** Pause between ChargingStatus requests. Default 500 ms. */
  chargingStatusInterval?: Millis;
  /** Absolute clock time by which SessionSetupRes must have arrived (the connection sets it from
   *  the first SAP request); default start() + V2G_EVCC_CommunicationSetup_Timer. */
  communicationSetupDeadline?: Millis;
}

/** Requests from the driver / vehicle while the session runs. */
export type EvccControl =
  /** Stop charging and terminate the session (user stop). */
  | { kind: "stop" }
  /** ISO-2: stop charging and pause the session (SessionStop Pause); DIN treats it as stop. */
  | { kind: "pause" }
  /** ISO-2: agree new charge parameters while charging (PowerDelivery Renegotiate); ignored otherwise. */
  | { kind: "renegotiate" }
  /** ISO 15118-20 while charging: stop power and choose the services anew (SessionStop ServiceRenegotiation → ServiceDiscovery); ignored otherwise. */
  | { kind: "renegotiate-service" }
  /**
   * ISO 15118-20 while charging: PowerDelivery(Standby), no power while the loop goes on
   * (`on: false` leaves standby with PowerDelivery(Start) and the power profile); ignored otherwise.
   */
  | { kind: "standby"; on: boolean }
  /** Emergency: no more messages; contactors open, pilot B. */
  | { kind: "abort"; detail?: string };

/** The EVCC's own timers, delivered as events so that a test can see and inject them. */
export type EvccTimer = "message" | "communication-setup" | "sequence-performance" | EvccPhaseTimer;

/** Everything that moves the EVCC session. */
export type EvccEvent =
  | { type: "response"; message: EvccDoc }
  | { type: "control"; control: EvccControl }
  | { type: "timeout"; timer: EvccTimer }
  | { type: "link-down"; detail?: string }
  /** A response that could not be decoded (bad EXI, unexpected payload type). */
  | { type: "bad-response"; detail: string };

export type EvccStopReason =
  /** The BMS said charging is complete (target SoC reached). */
  | "charging-complete"
  | "user-stop"
  | "paused"
  /** The charger asked to stop (EVSENotification StopCharging, EVSE_Shutdown). */
  | "evse-stop"
  /** The charger reported a fault (isolation fault, emergency shutdown, malfunction). */
  | "evse-error"
  /** The BMS reported an error code. */
  | "ev-error"
  /** A FAILED* response code; `detail` holds it. */
  | "response-code"
  | "timeout-message"
  | "timeout-ongoing"
  | "timeout-cable-check"
  | "timeout-pre-charge"
  | "timeout-welding-detection"
  | "timeout-communication-setup"
  | "timeout-sequence-performance"
  /** The charger answered with an unexpected message. */
  | "sequence"
  /** The charger changed the SessionID mid-session. */
  | "unknown-session"
  /** The charger offers neither our energy transfer mode nor EIM (ExternalPayment). */
  | "no-charge-service"
  /** Plug & Charge could not go on: no contract, or a certificate response that failed its checks (`detail`). */
  | "contract"
  | "link-down"
  /** No TCP connection: the charger's host refused it (nothing listens on that port). */
  | "connection-refused"
  /** No TCP connection for another reason (unreachable, no answer): see `detail`. */
  | "connect-failed"
  /** A response the EVCC could not decode. */
  | "decode-error"
  /** supportedAppProtocol: the SECC supports none of our protocols, or answered nonsense. */
  | "sap-failed"
  | "aborted";

/** How the session ended; handed to onStop exactly once. */
export interface EvccOutcome {
  reason: EvccStopReason;
  /** Response code, step or message that explains the reason. */
  detail?: string;
  /** The step that was running when the session ended. */
  step: EvccStepId;
  /** True when the session went through SessionStop (an orderly end), false when cut short. */
  orderly: boolean;
  /** ISO-2 Pause: keep sessionId to resume with a new EvccSession({resumeSessionId}). */
  paused: boolean;
  sessionId: Uint8Array;
}

export type EvccStepId =
  | "SessionSetup"
  | "ServiceDiscovery"
  | "ServiceDetail"
  | "PaymentServiceSelection"
  | "CertificateInstallation"
  | "CertificateUpdate"
  | "PaymentDetails"
  | "MeteringReceipt"
  | "Authorization"
  | "ChargeParameterDiscovery"
  | "CableCheck"
  | "PreCharge"
  | "PowerDelivery"
  | "CurrentDemand"
  | "ChargingStatus"
  | "WeldingDetection"
  | "SessionStop"
  // ISO 15118-20 only
  | "AuthorizationSetup"
  | "ServiceSelection"
  | "ScheduleExchange"
  | "ChargeLoop"
  // ISO 15118-20 ACDP services and VehicleCheckIn/Out
  | "VehicleCheckIn"
  | "VehiclePositioning"
  | "AcdpConnect"
  | "AcdpSystemStatus"
  | "AcdpDisconnect"
  | "VehicleCheckOut"
  // ISO 15118-20 WPT
  | "WptFinePositioningSetup"
  | "WptFinePositioning"
  | "WptPairing"
  | "WptAlignmentCheck";

/** One traced message with its key values (for the live trace and logs). */
export interface EvccTraceEntry {
  at: Millis;
  direction: "tx" | "rx";
  /** XSD element name: "CurrentDemandReq". */
  name: string;
  /** Key values: soc, targetVoltage, targetCurrent, presentVoltage, presentCurrent, code, ... */
  values: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** Callbacks out of the session. `send` is the only one required. */
export interface EvccCallbacks extends VehicleHooks {
  /** Transmit this request (the connection encodes it and writes it as V2GTP). */
  send(message: EvccDoc): void;
  /** The session ended; called once. */
  onStop?(outcome: EvccOutcome): void;
  onTrace?(entry: EvccTraceEntry): void;
}
