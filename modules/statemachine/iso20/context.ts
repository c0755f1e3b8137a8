// The ISO 15118-20 part of the SECC's session record (SeccContext.iso20).

import type { SeccContext } from "../secc/context";
import type { MeterInfoType } from "../../exi/generated/shared/iso20-common-types";
import type { Iso20Offer } from "./config";
import type { Iso20ControlMode, Iso20Namespace, Iso20ParameterSet, Iso20Transfer } from "./services";

/** The EV's values from -20 requests (W, A, V, Wh; discharge values as magnitudes). */
export interface Iso20EvValues {
  maxChargePower: number;
  minChargePower: number;
  maxDischargePower: number;
  minDischargePower: number;
  maxDischargeCurrent: number;
  /** EVPresentVoltage (DC) of the last request. */
  presentVoltage: number;
  /** AC: EVPresentActivePower of the last loop request (signed: negative = discharge). */
  presentActivePower: number;
  /** Dynamic: energy requests (Wh; the minimum may be negative: the EV offers energy). */
  targetEnergy?: number;
  maxEnergy?: number;
  minEnergy?: number;
  departureTime?: number;
  minimumSoc?: number;
  targetSoc?: number;
}

export interface Iso20Record {
  /** The namespace SAP chose (:-20:DC, :-20:AC, :-20:WPT, :-20:ACDP): ServiceDiscovery lists its services. */
  readonly namespace: Iso20Namespace;
  readonly offer: Iso20Offer;
  /** The selected energy transfer service and parameter set (after ServiceSelection). */
  service?: Iso20ParameterSet;
  transfer?: Iso20Transfer;
  controlMode?: Iso20ControlMode;
  /** The ScheduleTupleID offered in ScheduleExchangeRes (Scheduled mode). */
  scheduleTupleId: number;
  /** ServiceDiscovery done (ServiceDetail / ServiceSelection may follow). */
  discovered: boolean;
  /** The last DC_PreChargeReq said EVProcessing=Finished: PowerDelivery(Start) may follow. */
  preChargeFinished: boolean;
  /** BPT_ChannelSelection of PowerDelivery(Start): the direction the EV asked for. */
  channel: "Charge" | "Discharge";
  /** PowerDelivery(Standby): no power, the session stays. */
  standby: boolean;
  /**
   * The EV did not confirm the offered PowerTolerance: the loop asks for a schedule
   * renegotiation ([V2G20-1601]) until the EV sends PowerDelivery(ScheduleRenegotiation).
   */
  toleranceRenegotiation: boolean;
  /** The EV declined the PowerTolerance once: the schedules offered after that carry none. */
  toleranceDeclined: boolean;
  /** Clock time of the last PowerDelivery(Start): the schedule's offsets count from here. */
  startedAt: number;
  /** AC loop: the active power asked of the EV in the last response (W, signed). */
  targetPower: number;
  /** Which sign the peer used for discharge limits: undefined until seen. */
  peerNegativeDischarge?: boolean;
  /**
   * Plug & Charge: the MeterInfo sent with EVSENotification=MeteringConfirmation, and whether the
   * EV's signed MeteringConfirmationReq for it arrived (./pnc-metering.ts).
   */
  metering?: { readonly meterInfo: MeterInfoType; confirmed: boolean; /** clock time (ms) of the request, then of the confirmation */ at: number };
  /** ACDP services: how far the connection device got (./acdp-secc.ts). */
  readonly acdp: Iso20AcdpProgress;
  /** WPT: how far positioning, pairing and the alignment check got (./wpt-secc.ts). */
  readonly wpt: Iso20WptProgress;
  readonly ev: Iso20EvValues;
}

/** WPT progress of a -20 session on the SECC. */
export interface Iso20WptProgress {
  /** Clock time of the first WPT_FinePositioningReq (the positioning limit counts from here). */
  positioningSince: number;
  paired: boolean;
  alignmentStarted: boolean;
  aligned: boolean;
  /** A WPT response said FAILED: the EV ends the session with SessionStopReq ([V2G20-5067]). */
  failed: boolean;
  /** WARNING_WPT responses so far: each sends the EV back to WPT_FinePositioningSetup (or the loop's to the alignment check). */
  warnings: number;
  /** The EV's latest vendor-specific containers, not yet handed to the pad (untouched bytes). */
  vendorIn?: { message: string; containers: readonly Uint8Array[] };
  /** The EV's latest LF setup or data package, not yet handed to the pad (untouched). */
  lfIn?: { message: string; data: object };
}

/** ACDP (and VehicleCheckIn/Out) progress of a -20 session on the SECC. */
export interface Iso20AcdpProgress {
  /** VehicleCheckInReq said Completed (the EV parked). */
  checkedIn: boolean;
  /** ACDP_VehiclePositioningRes said EVInChargePosition (then Finished). */
  positioned: boolean;
  /** Clock time of the first ACDP_VehiclePositioningReq (the positioning limit counts from here). */
  positioningSince: number;
  /** The device was told to lower (ACDP_Connect started) and not yet to raise. */
  lowering: boolean;
  /** ACDP_ConnectRes said Finished: contact made. */
  connected: boolean;
  /** The contact was lost while connected: power is off, the EV was told Terminate. */
  contactLost: boolean;
  /** ACDP_Disconnect started (the device was told to raise). */
  raising: boolean;
  /** ACDP_DisconnectReq came in the charge loop ([V2G20-4061]): the output was told to stop; the device rises once the current is down. */
  disconnectingUnderLoad: boolean;
}

export function newIso20Record(namespace: Iso20Namespace, offer: Iso20Offer, scheduleTupleId: number): Iso20Record {
  return {
    namespace,
    offer,
    scheduleTupleId,
    discovered: false,
    preChargeFinished: false,
    channel: "Charge",
    standby: false,
    toleranceRenegotiation: false,
    toleranceDeclined: false,
    startedAt: 0,
    targetPower: 0,
    wpt: { positioningSince: -1, paired: false, alignmentStarted: false, aligned: false, failed: false, warnings: 0 },
    acdp: { checkedIn: false, positioned: false, positioningSince: -1, lowering: false, connected: false, contactLost: false, raising: false, disconnectingUnderLoad: false },
    ev: {
      maxChargePower: 0,
      minChargePower: 0,
      maxDischargePower: 0,
      minDischargePower: 0,
      maxDischargeCurrent: 0,
      presentVoltage: 0,
      presentActivePower: 0,
    },
  };
}

/** The -20 record of a -20 session (the -20 states only run in one). */
export function rec(ctx: SeccContext): Iso20Record {
  return ctx.iso20!;
}
