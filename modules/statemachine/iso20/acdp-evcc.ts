// ISO 15118-20 EVCC: automated connection devices (DC_ACDP, DC_ACDP_BPT) and VehicleCheckIn /
// VehicleCheckOut, as steps of the shared EvccSession. The DC steps (./evcc-steps.ts) charge;
// this table adds the detours (sequence and its -20 requirements: ./acdp-secc.ts):
//   SessionSetup → VehicleCheckIn → ACDP_VehiclePositioning… → AuthorizationSetup … →
//   ServiceSelection → DC_ChargeParameterDiscovery → ScheduleExchange → ACDP_Connect… →
//   [pilot C] DC_CableCheck… → … → PowerDelivery(Stop) → ACDP_Disconnect… → VehicleCheckOut →
//   SessionStop. A vehicle that must leave at once (AcdpVehicle.disconnectNow) sends
//   ACDP_DisconnectReq straight from DC_ChargeLoop ([V2G20-4061]); its contactors open once the
//   charger reports the device leaving its end position (the current is down by then).
// ACDP_SystemStatus runs beside it on its own V2GTP payload type (0x8103, the -20 side stream):
// AcdpStatusStream below, driven by EvccConnection from ACDP_Connect to ACDP_Disconnect.
// The vehicle's side of the device is polled like the BMS (Iso20EvBms.acdpVehicle).

import type { Clock, Logger, Millis, TimerHandle } from "../../common/index";
import { Seconds, silentLogger } from "../../common/index";
import type { EvccStep, StepContext, StepResult, VehicleAction } from "../evcc/step";
import type { EvBms, EvccStepId } from "../evcc/types";
import type { AcdpVehicle } from "./acdp-device";
import { HEADER_SLOT } from "./envelope";
import type { Iso20EvBms, Iso20EvccFacts } from "./evcc-types";
import { ISO20_DC_EVCC_STEPS, step } from "./evcc-steps";
import { isAcdp } from "./services";

/** Positioning requests before the EV gives up on reaching the contact window (× pollInterval: 60 s at the default 200 ms). */
export const ACDP_EVCC_POSITIONING_REQUESTS = 300;

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
    if (res.EVSEProcessing === "Finished" && res.EVInChargePosition === true) return { kind: "next", step: "AuthorizationSetup" }; // [V2G20-4049]
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
    vehicle(ctx).onDeviceStatus?.(res.EVSEMechanicalChargingDeviceStatus, res.EVSEElectricalChargingDeviceStatus);
    if (res.EVSEProcessing !== "Finished") return { kind: "repeat", delay: ctx.config.pollInterval };
    progress(ctx).connected = true;
    // Contact made: DC_CableCheck through it ([V2G20-4052]), the EV's side closed (pilot C).
    return { kind: "next", step: "CableCheck", actions: [{ kind: "pilot", state: "C" }] };
  },
});

const acdpDisconnect = step({
  id: "AcdpDisconnect",
  request: "ACDP_DisconnectReq",
  phaseTimer: "ongoing",
  // The EV has opened its side (State_A) before the device is raised.
  build: () => ({ Header: HEADER_SLOT, EVElectricalChargingDeviceStatus: "State_A" }),
  onResponse(res: Res, ctx) {
    vehicle(ctx).onDeviceStatus?.(res.EVSEMechanicalChargingDeviceStatus, res.EVSEElectricalChargingDeviceStatus);
    const facts = ctx.facts;
    if (facts.charging && (res.EVSEProcessing === "Finished" || res.EVSEMechanicalChargingDeviceStatus !== "EndPosition")) {
      // Disconnecting from the loop: the charger raises only with the current down, so the EV opens now.
      facts.charging = false;
      facts.powerStopped = true;
      const actions: VehicleAction[] = [{ kind: "contactors", closed: false }, { kind: "pilot", state: "B" }];
      if (res.EVSEProcessing !== "Finished") return { kind: "repeat", delay: ctx.config.pollInterval, actions };
      return finishDisconnect(ctx, actions);
    }
    if (res.EVSEProcessing !== "Finished") return { kind: "repeat", delay: ctx.config.pollInterval };
    return finishDisconnect(ctx);
  },
});

function finishDisconnect(ctx: StepContext, actions?: VehicleAction[]): StepResult {
  const p = progress(ctx);
  p.connected = false;
  p.disconnected = true;
  return { kind: "next", step: "VehicleCheckOut", actions };
}

/**
 * The loop step of an ACDP session: a vehicle that must leave now (AcdpVehicle.disconnectNow)
 * sends ACDP_DisconnectReq next instead of another DC_ChargeLoopReq ([V2G20-4061]).
 */
function disconnectFromLoop(base: EvccStep): EvccStep {
  const inner = base;
  return Object.freeze({
    ...inner,
    onResponse(res: Res, ctx: StepContext): StepResult {
      const out = inner.onResponse(res, ctx);
      const goesOn = out.kind === "repeat" || (out.kind === "next" && out.step === "ChargeLoop");
      const p = progress(ctx);
      if (!goesOn || !p.connected || p.disconnected || vehicle(ctx).disconnectNow?.() !== true) return out;
      const facts = ctx.facts;
      if (facts.stopReason === undefined) {
        facts.stopReason = "user-stop";
        facts.stopDetail = "ACDP: the vehicle disconnects from the charge loop";
      }
      return { kind: "next", step: "AcdpDisconnect", actions: out.actions };
    },
  });
}

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
 * The ACDP detours: a new session checks in and positions after SessionSetup ([V2G20-4046]);
 * ScheduleExchange → ACDP_Connect (the pilot action waits for the contact) [V2G20-4050];
 * PowerDelivery(Stop) → ACDP_Disconnect while the device is down [V2G20-4053] (no
 * DC_WeldingDetection in the -20 ACDP flow), and so does any stop that would skip it.
 */
function acdpDetour(out: NextResult, ctx: StepContext, from: EvccStepId): StepResult {
  const p = progress(ctx);
  // A new session only: a resumed one goes on at DC_ChargeParameterDiscovery (./evcc-steps.ts sessionSetup, [V2G20-1032]).
  if (out.step === "AuthorizationSetup" && from === "SessionSetup") return { ...out, step: "VehicleCheckIn" };
  if (out.step === "CableCheck" && !p.connected) return { kind: "next", step: "AcdpConnect", delay: out.delay };
  if ((out.step === "SessionStop" || (out.step === "WeldingDetection" && from === "PowerDelivery")) && p.connected && !p.disconnected) return { ...out, step: "AcdpDisconnect" };
  return out;
}

function detour(base: EvccStep): EvccStep {
  return rerouted(base, acdpDetour);
}

export const ISO20_ACDP_EVCC_STEPS: Readonly<Partial<Record<EvccStepId, EvccStep>>> = Object.freeze({
  ...ISO20_DC_EVCC_STEPS,
  SessionSetup: detour(ISO20_DC_EVCC_STEPS.SessionSetup!),
  ScheduleExchange: detour(ISO20_DC_EVCC_STEPS.ScheduleExchange!),
  PowerDelivery: detour(ISO20_DC_EVCC_STEPS.PowerDelivery!),
  WeldingDetection: detour(ISO20_DC_EVCC_STEPS.WeldingDetection!),
  ChargeLoop: disconnectFromLoop(ISO20_DC_EVCC_STEPS.ChargeLoop!),
  VehicleCheckIn: vehicleCheckIn,
  VehiclePositioning: vehiclePositioning,
  AcdpConnect: acdpConnect,
  AcdpDisconnect: acdpDisconnect,
  VehicleCheckOut: vehicleCheckOut,
});


/** How often the vehicle reports its technical status on the side stream (a choice: -20 gives ACDP_SystemStatusReq a 2 s V2G_EVCC_Msg_Timeout, Table 219, not a period). */
export const ACDP_STATUS_INTERVAL: Millis = Seconds(1);
/** The charger must answer a status request within V2G_EVCC_Msg_Timeout (2 s, -20 Table 219). */
const ACDP_STATUS_TIMEOUT: Millis = Seconds(2);

export interface AcdpStatusStreamOptions {
  clock: Clock;
  bms: EvBms;
  /** Sends a request on the side stream (the connection frames it as payload type 0x8103). */
  send(name: "ACDP_SystemStatusReq", content: object): void;
  /** The charger reported an emergency shutdown or malfunction, or stopped answering: stop charging. */
  onFault(detail: string): void;
  interval?: Millis;
  logger?: Logger;
}

/**
 * The vehicle's ACDP system status side stream (-20 Table 14: ACDPSystemStatusPayloadID 0x8103,
 * "EXI encoded V2G message on a multiplexed side stream"): while the device is down (from
 * ACDP_ConnectRes Finished to ACDP_Disconnect) the EV sends ACDP_SystemStatusReq every
 * `interval`, beside the main stream's requests, and reads each ACDP_SystemStatusRes; an
 * EVSEEmergencyShutdown, EVSEMalfunction or a missing answer stops the charge. After
 * SessionStopRes it sends nothing more ([V2G20-4056]).
 */
export class AcdpStatusStream {
  readonly #o: AcdpStatusStreamOptions;
  readonly #log: Logger;
  #timer: TimerHandle | undefined;
  #deadline: TimerHandle | undefined;
  #faulted = false;
  #closed = false;
  /** Requests sent and answers read so far. */
  sent = 0;
  answered = 0;
  /** The latest ACDP_SystemStatusRes. */
  last: Readonly<Record<string, unknown>> | undefined;

  constructor(options: AcdpStatusStreamOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Runs while `connected` (the device is down) and the session goes on; called after each main-stream response. */
  update(connected: boolean): void {
    if (this.#closed) return;
    if (connected && this.#timer === undefined && !this.#faulted) this.#tick();
    else if (!connected) this.#stop();
  }

  /** An ACDP_SystemStatusRes from the side stream. */
  onResponse(res: Readonly<Record<string, unknown>>): void {
    if (this.#closed) return;
    this.#o.clock.clear(this.#deadline);
    this.#deadline = undefined;
    this.answered++;
    this.last = res;
    if (res.ResponseCode !== "OK" || res.EVSEEmergencyShutdown === true || res.EVSEMalfunction === true) {
      this.#fault(`ACDP_SystemStatusRes: ${res.ResponseCode !== "OK" ? String(res.ResponseCode) : res.EVSEEmergencyShutdown === true ? "emergency shutdown" : "EVSE malfunction"}`);
    }
  }

  /** Stops for good (session over). Harmless twice. */
  close(): void {
    this.#closed = true;
    this.#stop();
  }

  #tick(): void {
    this.#timer = this.#o.clock.set(() => this.#tick(), this.#o.interval ?? ACDP_STATUS_INTERVAL);
    if (this.#deadline !== undefined) return; // the previous request is still unanswered
    const bms = this.#o.bms as Iso20EvBms;
    const error = bms.errorCode();
    const acd = bms.acdpVehicle?.() ?? PARKED;
    this.sent++;
    this.#deadline = this.#o.clock.set(() => this.#fault("ACDP_SystemStatusRes not received within 2 s"), ACDP_STATUS_TIMEOUT);
    this.#o.send("ACDP_SystemStatusReq", {
      EVTechnicalStatus: {
        EVReadyToCharge: bms.ready(),
        EVImmobilizationRequest: false,
        EVImmobilized: acd.immobilized(),
        EVSOC: Math.max(0, Math.min(100, Math.floor(bms.soc()))),
        EVErrorCode: error === "NO_ERROR" ? "OK_NoEVError" : "FAILED",
      },
    });
  }

  #fault(detail: string): void {
    if (this.#faulted) return;
    this.#faulted = true;
    this.#stop();
    this.#log.log("warn", "evcc", "ACDP status side stream: stopping the charge", { detail });
    this.#o.onFault(detail);
  }

  #stop(): void {
    this.#o.clock.clear(this.#timer);
    this.#o.clock.clear(this.#deadline);
    this.#timer = undefined;
    this.#deadline = undefined;
  }
}
