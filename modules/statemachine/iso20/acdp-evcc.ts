// ISO 15118-20 EVCC: automated connection devices (DC_ACDP, DC_ACDP_BPT) and VehicleCheckIn /
// VehicleCheckOut, as steps of the shared EvccSession. The DC steps (./evcc-steps.ts) charge;
// this table adds the detours (sequence and its sources: ./acdp-secc.ts):
//   ServiceSelection → VehicleCheckIn → ACDP_VehiclePositioning… → DC_ChargeParameterDiscovery →
//   ScheduleExchange → ACDP_Connect… → ACDP_SystemStatus → [pilot C] DC_CableCheck… → … →
//   DC_WeldingDetection… → ACDP_Disconnect… → VehicleCheckOut → SessionStop.
// The vehicle's side of the device is polled like the BMS (Iso20EvBms.acdpVehicle).

import type { EvccStep, StepContext, StepResult } from "../evcc/step";
import type { EvccStepId } from "../evcc/types";
import type { AcdpVehicle } from "./acdp-device";
import { HEADER_SLOT } from "./envelope";
import type { Iso20EvBms, Iso20EvccFacts } from "./evcc-types";
import { ISO20_DC_EVCC_STEPS, step } from "./evcc-steps";
import { isAcdp } from "./services";

/** Positioning requests before the EV gives up on reaching the contact window (× pollInterval: 60 s at the default 200 ms). */
export const ACDP_EVCC_POSITIONING_REQUESTS = 300;
/** ACDP_SystemStatus requests the EV repeats while the charger is not ready to charge. */
const ACDP_EVCC_STATUS_REQUESTS = 25;

type Res = Record<string, any>;

/** A vehicle without its own ACD model: stands still in position, contact closed when asked. */
const PARKED: AcdpVehicle = Object.freeze({
  moving: () => false,
  positioningSupport: () => false,
  immobilized: () => true,
  contactState: () => "State_C" as const,
});

function vehicle(ctx: StepContext): AcdpVehicle {
  return (ctx.bms as Iso20EvBms).acdpVehicle?.() ?? PARKED;
}

function progress(ctx: StepContext): NonNullable<Iso20EvccFacts["acdp"]> {
  const f = ctx.facts.iso20!;
  if (f.acdp === undefined) f.acdp = { positioningRequests: 0, statusRequests: 0, connected: false, disconnected: false };
  return f.acdp;
}

/** VehicleCheckIn (ACDP and WPT): then the service's positioning. */
export const vehicleCheckIn = step({
  id: "VehicleCheckIn",
  request: "VehicleCheckInReq",
  build: (ctx) => ({ Header: HEADER_SLOT, EVCheckInStatus: "CheckIn", ParkingMethod: vehicle(ctx).positioningSupport() ? "AutoParking" : "Manual" }),
  onResponse: (_res, ctx) => ({ kind: "next", step: isAcdp(ctx.config.iso20!.transfer) ? "VehiclePositioning" : "WptFinePositioningSetup" }),
});

const vehiclePositioning = step({
  id: "VehiclePositioning",
  request: "ACDP_VehiclePositioningReq",
  build(ctx) {
    const v = vehicle(ctx);
    progress(ctx).positioningRequests++;
    return { Header: HEADER_SLOT, EVMobilityStatus: v.moving(), EVPositioningSupport: v.positioningSupport() };
  },
  trace: (ctx) => ({ moving: vehicle(ctx).moving() }),
  onResponse(res: Res, ctx) {
    // Tell the vehicle where it stands (its driver display or automated parking steers by it).
    vehicle(ctx).onPosition?.(res.EVRelativeXDeviation, res.EVRelativeYDeviation, res.ContactWindowXc, res.ContactWindowYc, res.EVInChargePosition === true);
    if (res.EVSEProcessing === "Finished" && res.EVInChargePosition === true) return { kind: "next", step: "ChargeParameterDiscovery" };
    if (progress(ctx).positioningRequests >= ACDP_EVCC_POSITIONING_REQUESTS) {
      return { kind: "wind-down", reason: "timeout-ongoing", detail: "ACDP: the vehicle never reached the contact window" };
    }
    return { kind: "repeat", delay: ctx.config.pollInterval };
  },
});

const acdpConnect = step({
  id: "AcdpConnect",
  request: "ACDP_ConnectReq",
  phaseTimer: "ongoing",
  build: (ctx) => ({ Header: HEADER_SLOT, EVElectricalChargingDeviceStatus: vehicle(ctx).contactState() }),
  trace: (ctx) => ({ contact: vehicle(ctx).contactState() }),
  onResponse(res: Res, ctx) {
    if (res.EVSEProcessing !== "Finished") return { kind: "repeat", delay: ctx.config.pollInterval };
    progress(ctx).connected = true;
    return { kind: "next", step: "AcdpSystemStatus" };
  },
});

const acdpSystemStatus = step({
  id: "AcdpSystemStatus",
  request: "ACDP_SystemStatusReq",
  build(ctx) {
    progress(ctx).statusRequests++;
    const error = ctx.bms.errorCode();
    return {
      Header: HEADER_SLOT,
      EVTechnicalStatus: {
        EVReadyToCharge: ctx.bms.ready(),
        EVImmobilizationRequest: false,
        EVImmobilized: vehicle(ctx).immobilized(),
        EVSOC: Math.max(0, Math.min(100, Math.floor(ctx.bms.soc()))),
        EVErrorCode: error === "NO_ERROR" ? "OK_NoEVError" : "FAILED",
      },
    };
  },
  onResponse(res: Res, ctx) {
    if (res.EVSEEmergencyShutdown === true || res.EVSEMalfunction === true) return { kind: "wind-down", reason: "evse-error", detail: "ACDP_SystemStatusRes: EVSE fault" };
    if (res.EVSEReadyToCharge === true) return { kind: "next", step: "CableCheck", actions: [{ kind: "pilot", state: "C" }] };
    if (progress(ctx).statusRequests >= ACDP_EVCC_STATUS_REQUESTS) return { kind: "wind-down", reason: "evse-stop", detail: "ACDP: the charger never became ready to charge" };
    return { kind: "repeat", delay: ctx.config.pollInterval };
  },
});

const acdpDisconnect = step({
  id: "AcdpDisconnect",
  request: "ACDP_DisconnectReq",
  phaseTimer: "ongoing",
  // The EV has opened its side (State_A) before the device is raised.
  build: () => ({ Header: HEADER_SLOT, EVElectricalChargingDeviceStatus: "State_A" }),
  onResponse(res: Res, ctx) {
    if (res.EVSEProcessing !== "Finished") return { kind: "repeat", delay: ctx.config.pollInterval };
    const p = progress(ctx);
    p.connected = false;
    p.disconnected = true;
    return { kind: "next", step: "VehicleCheckOut" };
  },
});

export const vehicleCheckOut = step({
  id: "VehicleCheckOut",
  request: "VehicleCheckOutReq",
  // CheckOutTime: when the vehicle leaves (Unix s); "now" is all the EV knows here.
  build: () => ({ Header: HEADER_SLOT, EVCheckOutStatus: "Completed", CheckOutTime: 0n }),
  onResponse: () => ({ kind: "next", step: "SessionStop" }),
});

export type NextResult = Extract<StepResult, { kind: "next" }>;

/** `base` whose "next" results pass through `reroute`: a service's detours around the common steps. */
export function rerouted(base: EvccStep, reroute: (out: NextResult, ctx: StepContext, from: EvccStepId) => StepResult): EvccStep {
  // Const bindings for the closure (Moddable's preload wants what a frozen table's functions capture to be const).
  const inner = base;
  const route = reroute;
  return Object.freeze({
    ...inner,
    onResponse(res: Res, ctx: StepContext): StepResult {
      const out = inner.onResponse(res, ctx);
      return out.kind === "next" ? route(out, ctx, inner.id) : out;
    },
  });
}

/**
 * The ACDP detours: ServiceSelection → VehicleCheckIn, ScheduleExchange → ACDP_Connect (the
 * pilot action waits for the contact), SessionStop after charging → ACDP_Disconnect while the
 * device is down.
 */
function acdpDetour(out: NextResult, ctx: StepContext, from: EvccStepId): StepResult {
  const p = progress(ctx);
  if (out.step === "ChargeParameterDiscovery" && from === "ServiceSelection") return { ...out, step: "VehicleCheckIn" };
  if (out.step === "CableCheck" && !p.connected) return { kind: "next", step: "AcdpConnect", delay: out.delay };
  if (out.step === "SessionStop" && p.connected && !p.disconnected) return { ...out, step: "AcdpDisconnect" };
  return out;
}

function detour(base: EvccStep): EvccStep {
  return rerouted(base, acdpDetour);
}

export const ISO20_ACDP_EVCC_STEPS: Readonly<Partial<Record<EvccStepId, EvccStep>>> = Object.freeze({
  ...ISO20_DC_EVCC_STEPS,
  ServiceSelection: detour(ISO20_DC_EVCC_STEPS.ServiceSelection!),
  ScheduleExchange: detour(ISO20_DC_EVCC_STEPS.ScheduleExchange!),
  PowerDelivery: detour(ISO20_DC_EVCC_STEPS.PowerDelivery!),
  WeldingDetection: detour(ISO20_DC_EVCC_STEPS.WeldingDetection!),
  VehicleCheckIn: vehicleCheckIn,
  VehiclePositioning: vehiclePositioning,
  AcdpConnect: acdpConnect,
  AcdpSystemStatus: acdpSystemStatus,
  AcdpDisconnect: acdpDisconnect,
  VehicleCheckOut: vehicleCheckOut,
});

