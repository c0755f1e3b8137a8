// The charger boundary of the SECC: configuration, feedback out, control events in, and the
// hardware interfaces (power module, meter, authorization) a host implements.
//
// Two one-way channels, as in EVerest libiso15118 (style.md §2): the session calls
// ChargerFeedback (fire-and-forget, never awaited) and the charger pushes ControlEvents.
// bindCharger() in ./secc/charger-binding.ts connects the interfaces below to both channels.

import type { AcdpDeviceState } from "./iso20/acdp-device";
import type { WptPadState } from "./iso20/wpt-device";
import type { Millis } from "../common/index";
import type { CertificateHashData } from "./operator-backend";

/** A Plug & Charge identity the SECC verified: the eMAID and the OCSP request data of its chain (leaf first). */
export interface ContractIdentity {
  readonly emaid: string;
  readonly chain: readonly CertificateHashData[];
}
import type { DischargeLimits, Iso20SeccConfig, PriceSchedule } from "./iso20/config";

export type EnergyTransferMode =
  | "AC_single_phase_core"
  | "AC_three_phase_core"
  | "DC_core"
  | "DC_extended"
  | "DC_combo_core"
  | "DC_unique";

/** DC output limits in SI units (V, A, W, Wh). */
export interface DcLimits {
  maxVoltage: number;
  maxCurrent: number;
  maxPower: number;
  minVoltage: number;
  minCurrent: number;
  peakCurrentRipple: number;
  currentRegulationTolerance?: number;
  energyToBeDelivered?: number;
}

/** AC supply limits: nominal phase voltage (V) and maximum current per phase (A). */
export interface AcLimits {
  nominalVoltage: number;
  maxCurrent: number;
  phases: 1 | 3;
}

/** What the SECC announces and accepts. Frozen by the SeccSession. */
export interface SeccConfig {
  /** ISO-2 EVSEID (7–37 characters, e.g. "DE*XS1*E0001"). */
  evseId: string;
  /** DIN EVSEID (hexBinary, at most 32 bytes); default one zero byte, what most DIN chargers send. */
  dinEvseId?: Uint8Array;
  /** Energy transfer modes offered (ISO-2 SupportedEnergyTransferMode; DIN uses the first DC one). */
  energyModes: readonly EnergyTransferMode[];
  /** Payment options offered; this SECC implements external identification only. */
  paymentOptions?: readonly ("ExternalPayment" | "Contract")[];
  /** ChargeService FreeService. */
  freeService?: boolean;
  dc?: DcLimits;
  ac?: AcLimits;
  /** ISO-2: ask for MeteringReceiptReq in ChargingStatusRes/CurrentDemandRes (ReceiptRequired). */
  receiptRequired?: boolean;
  /** SAP: protocols offered (default ["iso2", "din"]); the EV's priorities decide among them. "iso20" offers -20 DC and AC. */
  protocols?: readonly ("din" | "iso2" | "iso20")[];
  /** ISO 15118-20: services, control modes, bidirectional settings. */
  iso20?: Iso20SeccConfig;
  /**
   * The transport of the connections this SECC serves: over "none" or "1.2", SAP does not
   * choose -20 (it requires TLS 1.3) unless iso20.insecureWithoutTls. Undefined: no filter.
   */
  transport?: "none" | "1.2" | "1.3";
  /** NotificationMaxDelay in the EVSE status (s). */
  notificationMaxDelay?: number;
  /** Meter ID in MeterInfo; no MeterInfo is sent when absent. */
  meterId?: string;
  /** PMax of the default schedule in W (default: the DC power limit, or the AC supply's power). */
  schedulePower?: number;
  /**
   * A PMaxSchedule of several steps instead of one: `start` in s from now, `power` in W, in
   * increasing start order (the first should start at 0). The last step runs to scheduleDuration.
   */
  pmaxSchedule?: readonly { readonly start: number; readonly power: number }[];
  /** Duration of the default PMaxSchedule entry in s (default 86400, one day). */
  scheduleDuration?: number;
  /**
   * Refuse PowerDeliveryReq(Start) without a ChargingProfile (FAILED_ChargingProfileInvalid), as
   * some fielded chargers do although the schema makes it optional. Default false. A profile
   * that is sent is always checked against the schedule.
   */
  requireChargingProfile?: boolean;
  /**
   * ISO-2 EVSEProcessing while external identification is pending: "Ongoing" (default) or
   * "Ongoing_WaitingForCustomerInteraction" (what EVerest sends while it waits for an RFID card).
   */
  authorizationOngoing?: "Ongoing" | "Ongoing_WaitingForCustomerInteraction";
  /**
   * Report EVSE_IsolationMonitoringActive in CableCheckRes while the isolation check runs.
   * Default false: EVSE_Ready, as every charger in the captures does (cars accept both).
   */
  isolationMonitoringStatus?: boolean;
  /** A session resumed after a pause keeps its authorization (default false: ask again). */
  resumeAuthorized?: boolean;
  /** SAScheduleTupleID of the default schedule (1..255, default 1). */
  saScheduleTupleId?: number;
  /** ISO-2 value-added services offered in ServiceDiscoveryRes (ServiceDetail answers from here). */
  valueAddedServices?: readonly ValueAddedService[];
  /**
   * Overrides of the SECC timers (e.g. a longer cable-check limit for a slow isolation
   * monitor). Defaults are the standard values in <protocol>/timeouts.ts.
   */
  timeouts?: Readonly<Partial<Record<"sequence" | "loop-sequence" | "communication-setup" | "ongoing" | "cable-check" | "pre-charge" | "ready-to-charge" | "cp-state", Millis>>>;
}

/** An ISO-2 value-added service (ServiceType) and its parameter sets (ServiceDetailRes). */
export interface ValueAddedService {
  ServiceID: number;
  ServiceName?: string;
  ServiceCategory: "Internet" | "ContractCertificate" | "OtherCustom" | "EVCharging";
  ServiceScope?: string;
  FreeService: boolean;
  /** ServiceParameterList.ParameterSet, as the schema shapes it. */
  ParameterSet?: readonly object[];
}

export type IsolationLevel = "Invalid" | "Valid" | "Warning" | "Fault" | "No_IMD";

/** Events the charger pushes into the session (SeccSession.control()). */
export type ControlEvent =
  | { readonly kind: "authorized"; readonly accepted: boolean }
  | { readonly kind: "cable-check-finished"; readonly isolation: IsolationLevel }
  | { readonly kind: "present-values"; readonly voltage: number; readonly current: number }
  | { readonly kind: "contactors-closed" }
  | { readonly kind: "contactors-opened" }
  | { readonly kind: "meter"; readonly wh: number }
  | { readonly kind: "dc-limits"; readonly limits: Partial<DcLimits> }
  | { readonly kind: "ac-limits"; readonly limits: Partial<AcLimits> }
  /** The charger wants to end charging: EVSENotification=StopCharging from now on. */
  | { readonly kind: "stop-charging" }
  /** The charger wants new limits agreed (ISO-2 EVSENotification=ReNegotiation). */
  | { readonly kind: "renegotiate" }
  /** Emergency shutdown: status EVSE_EmergencyShutdown and StopCharging. */
  | { readonly kind: "emergency-shutdown" }
  /**
   * The control pilot state the charger measures (IEC 61851-1). Optional: when reported, the
   * SECC expects C or D after PowerDelivery start (V2G_SECC_CPState_Detection_Timeout), and A,
   * E or F end the session (unplugged / short / fault).
   */
  | { readonly kind: "cp-state"; readonly state: "A" | "B" | "C" | "D" | "E" | "F" }
  /**
   * ISO 15118-20 energy manager: the power the site wants at this EVSE now (W; negative =
   * discharge, the EV feeds the site). Dynamic control mode sends it as the EVSE target.
   */
  | { readonly kind: "power-setpoint"; readonly watts: number }
  /** ISO 15118-20 EVSENotification for the EV (Terminate and ScheduleRenegotiation come from stop-charging / renegotiate). */
  | { readonly kind: "evse-notification"; readonly notification: "Pause" | "ExitStandby" | "ServiceRenegotiation" | undefined }
  /**
   * The operator's limit over time (OCPP SetChargingProfile): PMax steps (`start` in s from when
   * it is offered, `power` in W) that the next SAScheduleList offers instead of the configured
   * schedule; undefined returns to it (ClearChargingProfile). Push "renegotiate" after it for a
   * session that already charges (ISO-2 EVSENotification ReNegotiation: the EV repeats ChargeParameterDiscovery).
   */
  | { readonly kind: "schedule"; readonly steps: readonly { readonly start: number; readonly power: number }[] | undefined }
  /**
   * ISO 15118-20: the tariff the next ScheduleExchangeRes offers (the site's price input),
   * instead of config.iso20.prices; undefined returns to it. Push "renegotiate" after it for a
   * session that already charges. The parameter sets' Pricing (absolute or levels) stays the
   * configured one: a charger that means to send prices configures a tariff to start with.
   */
  | { readonly kind: "prices"; readonly prices: PriceSchedule | undefined }
  /** ISO 15118-20 ACDP: what the automated connection device and its positioning sensors report now (iso20/acdp-device.ts). */
  | { readonly kind: "acdp-device"; readonly state: Partial<AcdpDeviceState> }
  /** ISO 15118-20 WPT: what the primary device (ground pad) reports now (iso20/wpt-device.ts). */
  | { readonly kind: "wpt-pad"; readonly state: Partial<WptPadState> }
  | { readonly kind: "malfunction" };

/** The charger as the handlers see it. The session updates it from ControlEvents. */
export interface EvseFacts {
  authorization: "pending" | "accepted" | "rejected";
  /** Result of the last isolation check; "Invalid" while none has finished. */
  isolation: IsolationLevel;
  cableCheckFinished: boolean;
  presentVoltage: number;
  presentCurrent: number;
  contactorsClosed: boolean;
  /** Energy meter reading (Wh). */
  meterWh: number;
  notification: "None" | "StopCharging" | "ReNegotiation";
  emergency: boolean;
  malfunction: boolean;
  /** The last control-pilot state reported; undefined if the host reports none. */
  cpState?: "A" | "B" | "C" | "D" | "E" | "F";
  /** ISO 15118-20 energy manager setpoint (W, negative = discharge); undefined: none given. */
  powerSetpoint?: number;
  /** ISO 15118-20 EVSENotification besides Terminate / ScheduleRenegotiation; undefined: none. */
  iso20Notification?: "Pause" | "ExitStandby" | "ServiceRenegotiation";
  /** The operator's PMax steps (ControlEvent schedule); undefined: config.pmaxSchedule / the limit. */
  schedule?: readonly { readonly start: number; readonly power: number }[];
  /** ISO 15118-20: the site's tariff (ControlEvent prices); undefined: config.iso20.prices. */
  prices?: PriceSchedule;
  /**
   * ISO 15118-20 BPT: what the bidirectional power stage can take from the EV now (magnitudes,
   * read from BidirectionalStage.dischargeLimits before each request); undefined: config.iso20.discharge.
   */
  discharge?: Readonly<DischargeLimits>;
  /** ISO 15118-20: the site energy manager's last request (EnergyManager.request, read before each request). */
  site?: Readonly<SiteRequest>;
  /** ISO 15118-20 ACDP: the connection device; undefined until the host reports one. */
  acdp?: AcdpDeviceState;
  /** ISO 15118-20 WPT: the ground pad; undefined until the host reports one. */
  wpt?: WptPadState;
  dc: DcLimits;
  ac: AcLimits;
}

/** What a handler gets besides its request and its session record. Read-only for handlers. */
export interface SeccFacts {
  readonly config: Readonly<SeccConfig>;
  readonly evse: Readonly<EvseFacts>;
  /** Clock time when the request arrived. */
  readonly now: Millis;
  /** Wall-clock time in Unix seconds for EVSETimeStamp / DateTimeNow, if the host knows it. */
  readonly unixTime?: bigint;
  /** SessionSetupReq only: a fresh random session ID, and the paused session the header names, if any. */
  readonly newSessionId?: Uint8Array;
  readonly paused?: PausedSession;
}

/** What survives an ISO-2 pause (SessionStopReq ChargingSession=Pause) until resumption. */
export interface PausedSession {
  readonly protocol: "din" | "iso2" | "iso20";
  readonly sessionId: Uint8Array;
  readonly evccId: Uint8Array;
  readonly paymentOption?: string;
  readonly energyMode?: string;
  readonly saScheduleTupleId: number;
  readonly pausedAt: Millis;
  /** External identification had succeeded: a resumed session is not asked again. */
  readonly authorized?: boolean;
  /** ISO 15118-20: the selected service and parameter set, which hold for the whole service session ([V2G20-1844]). */
  readonly iso20Service?: { readonly serviceId: number; readonly parameterSetId: number };
}

/** Keeps paused sessions across TCP connections (owned by the host, one per EVSE). */
export interface SessionStore {
  find(sessionId: Uint8Array): PausedSession | undefined;
  save(paused: PausedSession): void;
  remove(sessionId: Uint8Array): void;
}

/** Callbacks out of the SECC. All optional, all fire-and-forget (never awaited). */
export interface ChargerFeedback {
  /** A session was set up (or resumed). */
  sessionStarted?(info: { protocol: "din" | "iso2" | "iso20"; sessionId: Uint8Array; evccId: Uint8Array; resumed: boolean }): void;
  /**
   * Start identification; answer with ControlEvent authorized. EIM (RFID, app, free vend):
   * `contract` undefined. ISO-2 Plug & Charge: the verified contract (eMAID and the OCSP data of
   * its chain) for the operator's Authorize.
   */
  requestAuthorization?(evccId: Uint8Array, contract?: ContractIdentity): void;
  /** DC: connect the output and check isolation at `voltage`; answer with cable-check-finished. */
  startCableCheck?(voltage: number): void;
  /** DC: pre-charge the output to `voltage`, current at most `current`. */
  preCharge?(voltage: number, current: number): void;
  /** DC: the EV's latest target (CurrentDemandReq). */
  dcTarget?(voltage: number, current: number): void;
  /** PowerDelivery Start: close the contactors (AC) / start delivering power (DC). */
  startCharging?(mode: "ac" | "dc"): void;
  /** PowerDelivery Stop (or renegotiation): ramp the current down and open the contactors. */
  stopCharging?(mode: "ac" | "dc"): void;
  /** DC welding detection step: keep the output off and report the present voltage. */
  weldingDetection?(): void;
  /** ISO 15118-20 ACDP: lower the connection device onto the vehicle, or raise it home; report progress with ControlEvent acdp-device. */
  acdpDevice?(command: "lower" | "raise"): void;
  /** ISO 15118-20 WPT: energise the pad for the alignment check, or transmit `watts` (0: off). */
  wptPad?(command: "alignment" | "power", watts: number): void;
  /** ISO 15118-20 WPT: the EV's vendor-specific containers of `message`, untouched, for the pad. */
  wptVendorData?(message: string, containers: readonly Uint8Array[]): void;
  /** ISO 15118-20 WPT: the EV's LF setup or data package of `message` (WPT_LF_SystemSetupDataType / WPT_LF_DataPackageListType), untouched, for the pad. */
  wptLfData?(message: string, data: object): void;
  /** ISO 15118-20 ScheduleExchange: the EV's mobility needs (for the energy manager). */
  evNeeds?(needs: EvNeeds): void;
  /** ISO 15118-20 AC loop: the active power the charger asks of the EV now (W; negative = discharge). */
  acTarget?(watts: number): void;
  /** ISO-2 PowerDeliveryReq(Start): the EV's ChargingProfile (start in s, max power in W), for the operator (OCPP NotifyEVChargingSchedule). */
  evChargingProfile?(entries: readonly { readonly start: number; readonly power: number }[]): void;
  /** EV status values from DC requests (SOC in %, the EV's ready flag). */
  evStatus?(soc: number, ready: boolean): void;
  /** The session ended (a paused session can be resumed). */
  sessionStopped?(reason: string): void;
}

// ---- hardware interfaces ----------------------------------------------------------------

/** Whoever receives the events of a charger interface (the binding forwards them to a session). */
export type ControlSink = (event: ControlEvent) => void;

/** A DC power module with its isolation monitor and output contactors. */
export interface DcPowerModule {
  limits(): Readonly<DcLimits>;
  readonly presentVoltage: number;
  readonly presentCurrent: number;
  /** Close the output contactors and measure isolation at `voltage`; reports cable-check-finished. */
  startIsolationCheck(voltage: number): void;
  /**
   * Regulate to `voltage` with at most `current` (pre-charge and the charging loop). A negative
   * current (ISO 15118-20 DC_BPT, discharge) asks a bidirectional module to take that current
   * from the EV; a unidirectional module treats it as 0.
   */
  setTarget(voltage: number, current: number): void;
  /** Ramp to 0 A, then open the contactors; reports contactors-opened. */
  stop(): void;
  /** Where events go (cable-check-finished, present-values, contactors-*). */
  onEvent?: ControlSink;
}

/** An AC supply with its contactor and residual-current device. */
export interface AcSupply {
  limits(): Readonly<AcLimits>;
  /** Close the contactor; reports contactors-closed. */
  close(): void;
  /** Open the contactor; reports contactors-opened. */
  open(): void;
  readonly closed: boolean;
  /** Current drawn per phase (A). */
  readonly presentCurrent: number;
  onEvent?: ControlSink;
}

/** An EV's mobility needs (ISO 15118-20 ScheduleExchangeReq): energy in Wh (the minimum may be negative: energy offered), departure in s, SoC in %. */
export interface EvNeeds {
  readonly targetEnergy?: number;
  readonly maxEnergy?: number;
  readonly minEnergy?: number;
  readonly departureTime?: number;
  readonly minimumSoc?: number;
  readonly targetSoc?: number;
  /** DIN / ISO-2 ChargeParameterDiscoveryReq: the EV's limits (V, A, W; AC: A per phase) and requested energy mode. */
  readonly maxVoltage?: number;
  readonly maxCurrent?: number;
  readonly maxPower?: number;
  readonly energyMode?: string;
}

/**
 * What a bidirectional power stage (ISO 15118-20 DC_BPT module, AC_BPT inverter) tells the
 * charger beside its charge limits (DcPowerModule.limits / AcSupply.limits) and its signed
 * setpoint (DcPowerModule.setTarget with a negative current, AcInverter.setActivePower with
 * negative watts). Signs as ./iso20/bpt.ts: limits are magnitudes, present values are signed
 * from the EV's side (positive = into the EV, negative = out of it).
 */
export interface BidirectionalStage {
  /**
   * What the stage can take from the EV now (W, A; magnitudes). The binding reads it before
   * every request, so a derating, a grid code or a fault shows in the next loop response;
   * maxPower 0 offers no discharge.
   */
  dischargeLimits(): Readonly<DischargeLimits>;
  /** Active power at the EV side now (W, signed). */
  readonly presentPower: number;
  /** Output contactors (DC) or the contactor to the inlet (AC). */
  readonly contactorsClosed: boolean;
  /** The isolation monitor's last result. */
  readonly isolation: IsolationLevel;
}

/** A bidirectional DC module: a DcPowerModule whose setTarget current may be negative (discharge). */
export interface BidirectionalDcModule extends DcPowerModule, BidirectionalStage {}

/**
 * A bidirectional AC inverter (ISO 15118-20 AC_BPT): an AC supply whose active power follows a
 * signed target (positive into the EV, negative out of it; grid-forming for V2H/V2L).
 */
export interface AcInverter extends AcSupply {
  /** Follow this active power (W, signed), within the inverter's limits. */
  setActivePower(watts: number): void;
  /** Active power flowing now (W, signed as the target). */
  readonly presentActivePower: number;
  /** The discharge capability now (see BidirectionalStage); absent: config.iso20.discharge. */
  dischargeLimits?(): Readonly<DischargeLimits>;
}

/**
 * What the site energy manager asks of this EVSE now. The ChargerBinding reads it before every
 * request (EnergyManager.request): the ISO 15118-20 Dynamic loop takes its EVSE targets and
 * limits from here each time.
 */
export interface SiteRequest {
  /**
   * Power wanted at this EVSE (W, signed: negative = the EV feeds the site); undefined: what the
   * EV asks for within the limits below.
   */
  readonly setpoint?: number;
  /** The grid connection's room for this EVSE: import (charging) and export (discharging) limits, W, magnitudes. */
  readonly importLimit?: number;
  readonly exportLimit?: number;
  /** Energy price now (currency per kWh), what the setpoint was decided on. */
  readonly price?: number;
  /**
   * What the energy is for: ordinary charging, export to the grid (V2G), feeding the home while
   * the grid is down (V2H, grid-forming), or a load on the car alone (V2L, grid-forming).
   */
  readonly use?: "charge" | "v2g" | "v2h" | "v2l";
}

/**
 * The site energy manager (EMS, home or grid operator): it decides what this EVSE may draw or
 * must feed back and pushes it as ControlEvents (power-setpoint, evse-notification, stop-charging,
 * renegotiate). It hears what the EV needs so that it can plan.
 */
export interface EnergyManager {
  /** What the site wants of this EVSE now; read before every request (absent: setpoints come as power-setpoint events). */
  request?(): Readonly<SiteRequest>;
  /** The EV's mobility needs from ScheduleExchange. */
  evNeeds?(needs: EvNeeds): void;
  /** A session ended at this EVSE. */
  sessionStopped?(): void;
  onEvent?: ControlSink;
}

export interface EnergyMeter {
  readonly meterId: string;
  /** Energy delivered (Wh) since the meter was installed. */
  readonly energyWh: number;
}

/** External identification (EIM): RFID, app, free vend. */
export interface Authorizer {
  /** Start identification; reports authorized {accepted}. */
  authorize(evccId: Uint8Array): void;
  cancel(): void;
  onEvent?: ControlSink;
}
