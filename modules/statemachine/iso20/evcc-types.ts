// The vehicle side of ISO 15118-20: what the EVCC is asked to do (config.iso20), the optional
// BMS values -20 adds (discharge limits, mobility needs), and what the EVCC learns (facts.iso20).

import type { EvBms } from "../evcc/types";
import type { AcdpVehicle } from "./acdp-device";
import type { WptReceiver } from "./wpt-device";
import type { Step } from "./prices";
import type { Iso20ControlMode, Iso20ParameterSet, Iso20Transfer } from "./services";
import type { MeterInfoType } from "../../exi/generated/shared/iso20-common-types";

export interface Iso20EvccConfig {
  /** The energy transfer service to ask for (DC, AC, or their BPT twins). */
  transfer: Iso20Transfer;
  /** Scheduled (the SECC offers schedules, the EV follows its own profile within them) or Dynamic (the SECC sets the power). Default "scheduled". */
  controlMode?: Iso20ControlMode;
  /** BPT: the direction asked for in PowerDelivery(Start) (BPT_ChannelSelection). Default "Charge". */
  channel?: "Charge" | "Discharge";
  /** EVCCID (-20: a string of up to 255 characters, e.g. the VIN). Default: the MAC in config.evccId as hex. */
  evccId?: string;
  /**
   * Scheduled: plan the EVPowerProfile on the charger's price schedule (AbsolutePriceSchedule or
   * PriceLevelSchedule), buying the energy it needs in the cheapest intervals first (./prices.ts).
   * Default false: one entry at the EV's maximum within the schedule's first step.
   */
  priceAware?: boolean;
  /** Scheduled: confirm a PowerTolerance the charger offers in its PowerSchedule (PowerToleranceAcceptance). Default true. */
  acceptPowerTolerance?: boolean;
  /** ScheduleExchangeReq MaximumSupportingPoints (12..1024). Default 24. */
  maximumSupportingPoints?: number;
  /** AC: phases the on-board charger uses. Default 3. */
  phases?: 1 | 3;
  /** AC: nominal phase voltage for power ⇄ current (V). Default 230 (the SECC's EVSENominalVoltage when it gives one). */
  nominalVoltage?: number;
}

/**
 * The battery side of bidirectional charging (ISO 15118-20 BPT), as the BMS knows it. Units W,
 * A, Wh, %; discharge values are magnitudes (see ../iso20/bpt.ts). The EVCC reads these every
 * loop: a BMS that stops permitting discharge, or a SoC at its minimum, sends 0 discharge
 * limits in the next request.
 */
export interface BidirectionalBms {
  /** How much the battery may give now (0 power: none). */
  dischargeLimits(): { maxPower: number; maxCurrent: number; minPower?: number };
  /** Whether the battery may discharge at all now (warranty, temperature, a driver's setting). */
  dischargePermitted?(): boolean;
  /** The SoC below which the battery never discharges (%). */
  minimumSocPercent?(): number | undefined;
  /** Usable energy stored now (Wh). */
  energyWh?(): number;
  /**
   * Cycle limits: the energy the battery may still give back by its cycle budget (warranty,
   * ageing; Wh from now), undefined: no budget. At 0 the EVCC sends 0 discharge limits.
   */
  dischargeBudgetWh?(): number | undefined;
}

/**
 * The vehicle's energy manager: what the driver and the car's planning want of this session
 * (ScheduleExchangeReq, the Dynamic loop's energy requests, DisplayParameters).
 */
export interface VehicleEnergyManager {
  /** Seconds until departure. */
  departureTime?(): number | undefined;
  targetSocPercent?(): number | undefined;
  minimumSocPercent?(): number | undefined;
  /** Energy forecast for the trip ahead: target/max/min energy to take (Wh; min < 0 offers energy to the grid). */
  energyRequests?(): { target: number; max: number; min: number };
}

/**
 * BMS values only -20 asks for. All optional: without them the EVCC derives what it needs
 * from EvBms (energy request, DC limits). Units W, A, V, Wh, s, %. Discharge values are
 * magnitudes (see ../iso20/bpt.ts).
 */
export interface Iso20EvBms extends EvBms, Partial<BidirectionalBms>, VehicleEnergyManager {
  /** DC: the lowest voltage the EV accepts (EVMinimumVoltage). Default: half the maximum. */
  minVoltage?(): number;
  /** AC: active power the on-board charger takes now (W; negative = feeding back). */
  presentActivePower?(): number;
  /** ACDP services: the vehicle's side of the automated connection device (drive state, contact). */
  acdpVehicle?(): AcdpVehicle;
  /** WPT: the vehicle's receiver (EV power converter, positioning and pairing). */
  wptReceiver?(): WptReceiver;
}

/** What the -20 EVCC learns during the session. */
export interface Iso20EvccFacts {
  serviceId?: number;
  parameterSet?: Iso20ParameterSet;
  /** The ScheduleTuple chosen (Scheduled mode) and its power steps (s, W). */
  scheduleTupleId?: number;
  schedule?: { duration: number; power: number }[];
  /** The PowerTolerance (W) of the selected tuple's PowerSchedule, when the charger offered one. */
  powerTolerance?: number;
  /** The charger's prices from ScheduleExchangeRes (s, fee or level), when it sent any. */
  prices?: Step[];
  /** The last DC_PreChargeReq / DC_WeldingDetectionReq said EVProcessing=Finished. */
  finishing: boolean;
  /** The SECC asked for a schedule renegotiation (EVSENotification), or the EV did. */
  scheduleRenegotiation: boolean;
  /** The SECC asked for a service renegotiation: PowerDelivery(Stop), SessionStop(ServiceRenegotiation), ServiceDiscovery again. */
  serviceRenegotiation: boolean;
  /** PowerDelivery(Standby) was acknowledged: the loop goes on without power until PowerDelivery(Start). */
  standby: boolean;
  /** The next PowerDeliveryReq enters standby ("enter": ChargeProgress Standby) or leaves it ("leave": Start). */
  standbyChange?: "enter" | "leave";
  /** AuthorizationSetupRes listed EIM (a vehicle whose contract installation came to nothing falls back to it). */
  eimOffered?: boolean;
  /** Plug & Charge: the MeterInfo the charger asked to confirm (EVSENotification MeteringConfirmation), until signed and sent. */
  meteringConfirmation?: MeterInfoType;
  /** The SECC's AC target (W, signed) of the last loop response. */
  evseTargetPower?: number;
  /** The SECC's discharge limits as received, read as magnitudes; which sign it used. */
  peerNegativeDischarge?: boolean;
  evseMaxDischargePower?: number;
  /** ACDP services: how far the connection device got (./acdp-evcc.ts). */
  acdp?: { positioningRequests: number; statusRequests: number; connected: boolean; disconnected: boolean };
  /** WPT: the last results sent and how often positioning / the alignment check were asked (./wpt-evcc.ts). */
  wpt?: { positioning: string; alignment: string; positioningRequests: number; alignmentRequests: number; checkedOut: boolean; warnings: number };
}

export function newIso20EvccFacts(): Iso20EvccFacts {
  return { finishing: false, scheduleRenegotiation: false, serviceRenegotiation: false, standby: false };
}
