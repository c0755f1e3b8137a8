// The wireless power transfer hardware as the ISO 15118-20 WPT messages see it
// (V2G_CI_WPT.xsd), both roles: the charger's primary device (the ground pad with its supply
// power converter) and the vehicle's receiver (EV power converter). Data only: the SECC's host
// reports the pad with ControlEvent "wpt-pad" and is told what to do with the signals
// "wpt-alignment" (energise the pad at low power for WPT_AlignmentCheck) and "wpt-power" (the
// power to transmit now), through ChargerFeedback.wptPad. Vendor-specific containers
// (VendorSpecificDataContainer, *ManufacturerSpecificDataContainer) are bytes the stack passes
// between pad and vehicle untouched: the latest from each side is kept and forwarded as is.
// So is the LF positioning data (-20 V2G_CI_WPT.xsd: LF_SystemSetupData in the fine-positioning
// setup, WPT_LF_DataPackageList in the fine-positioning loop): the pad and the receiver produce
// and read it, the stack carries it.

import type * as wpt from "../../exi/generated/iso20_wpt/types";

/** LF system setup (transmitter or receiver layout) of WPT_FinePositioningSetupReq/Res. */
export type WptLfSetup = wpt.WPT_LF_SystemSetupDataType;
/** One LF data package (its index of NumPackages; transmitter EIRP or receiver RSSI) of WPT_FinePositioningReq/Res. */
export type WptLfPackages = wpt.WPT_LF_DataPackageListType;

/** The result a side reports for fine positioning, pairing or the alignment check (EVResultCode's values). */
export type WptResult = "EVResultUnknown" | "EVResultSuccess" | "EVResultFailed";

/** SPCChargeDiagnostics: the pad's own checks during power transfer. */
export type WptPadDiagnostics = "SPCNoIssue" | "SPCFODDetected" | "SPCLOPDetected" | "SPCTempOverheatDetected" | "SPCPowerTransferAnomalyDetected" | "SPCAnomalyDetected";

/** What the charger's pad reports (cm, W, A). */
export interface WptPadState {
  /** The receiver coil's offset from the pad's centre as the pad's sensors see it (cm). */
  offsetX: number;
  offsetY: number;
  /** The offset within which power may be transferred (cm). */
  tolerance: number;
  /** The code the pad transmits for pairing (e.g. its LF or optical identifier; ObservedIDCode is at least 1). */
  idCode: number;
  /** The code the pad observed from the vehicle, if its pairing method observes one. */
  observedIdCode?: number;
  /** Low-power alignment check: not yet done, coupling good, or too weak. */
  alignment: "unknown" | "ok" | "failed";
  /** During the alignment check and power transfer: power the pad transmits (W) and its coil current (A). */
  powerTransmitted: number;
  coilCurrent: number;
  /** Power the supply takes from the grid (W). */
  inputPower: number;
  /** The pad's output power range (W), ground clearance range (mm), coil current range (A), power class. */
  maxPower: number;
  minPower: number;
  minGroundClearance: number;
  maxGroundClearance: number;
  minCoilCurrent: number;
  maxCoilCurrent: number;
  powerClass: "MF-WPT1" | "MF-WPT2" | "MF-WPT3" | "MF-WPT4";
  diagnostics: WptPadDiagnostics;
  /** The pad's vendor-specific data for the vehicle (sent untouched in the next response). */
  vendorData?: readonly Uint8Array[];
  /** The pad's LF layout (sent in WPT_FinePositioningSetupRes) and its latest LF data package (WPT_FinePositioningRes). */
  lfSetup?: WptLfSetup;
  lfData?: WptLfPackages;
}

/** An 11 kW MF-WPT3 pad (SAE J2954 / IEC 61980 class) centred under nothing yet. */
export function initialWptPad(): WptPadState {
  return {
    offsetX: 32767,
    offsetY: 32767,
    tolerance: 10,
    idCode: 1,
    alignment: "unknown",
    powerTransmitted: 0,
    coilCurrent: 0,
    inputPower: 0,
    maxPower: 11_000,
    minPower: 0,
    minGroundClearance: 100,
    maxGroundClearance: 250,
    minCoilCurrent: 0,
    maxCoilCurrent: 60,
    powerClass: "MF-WPT3",
    diagnostics: "SPCNoIssue",
  };
}

/** The receiver is over the pad within its tolerance. */
export function overPad(p: WptPadState): boolean {
  return Math.abs(p.offsetX) <= p.tolerance && Math.abs(p.offsetY) <= p.tolerance;
}

/**
 * The charger's pad as a ChargerBinding part: the session asks for the alignment check and sets
 * the power; the pad reports with ControlEvent "wpt-pad" through onEvent; vendor data from the
 * vehicle arrives untouched in onVendorData.
 */
export interface WirelessPad {
  startAlignmentCheck(): void;
  setPower(watts: number): void;
  onVendorData?(message: string, containers: readonly Uint8Array[]): void;
  /** The vehicle's LF setup or data package of `message`, untouched. */
  onLfData?(message: string, data: WptLfSetup | WptLfPackages): void;
  onEvent?: (event: { readonly kind: "wpt-pad"; readonly state: Partial<WptPadState> }) => void;
}

/** The vehicle's receiver (EV power converter and positioning), polled by the EVCC like the BMS. */
export interface WptReceiver {
  /** The vehicle still moves towards the pad. */
  moving(): boolean;
  /** The vehicle's own fine-positioning verdict (its LF/LPE sensing, or the driver's display). */
  positioning(): WptResult;
  /** Ground clearance of the receiver coil (mm). */
  groundClearance(): { min: number; max: number };
  /** The receiver's natural (resonance) frequency (Hz) and its maximum receivable power (W). */
  naturalFrequency(): number;
  maxPower(): number;
  /** The pad code the vehicle observed (pairing), undefined while it has none. */
  observedIdCode(): number | undefined;
  /** The vehicle's own code, which the pad should have observed. */
  ownIdCode(): number;
  /** The low-power alignment check as the receiver sees it. */
  alignment(): WptResult;
  /** Power the EV asks for now and what its converter outputs (W). */
  powerRequest(): number;
  powerOutput(): number;
  /** Vendor data for the pad, sent untouched; vendor data from the pad, received untouched. */
  vendorData?(): readonly Uint8Array[] | undefined;
  onVendorData?(message: string, containers: readonly Uint8Array[]): void;
  /** LF positioning: the receiver's layout (WPT_FinePositioningSetupReq) and its next data package (each WPT_FinePositioningReq). */
  lfSetup?(): WptLfSetup | undefined;
  lfData?(): WptLfPackages | undefined;
  /** The pad's LF setup or data package of `message`, untouched. */
  onLfData?(message: string, data: WptLfSetup | WptLfPackages): void;
  /** WPT_AlignmentCheckRes: whether the pad is transmitting its check power, and the power (W). */
  onAlignmentCheck?(transmitting: boolean, watts: number): void;
  /** WPT_ChargeLoopRes: the power the pad transmits now (W; EVPCPowerRequest as granted). */
  onPadPower?(watts: number): void;
}
