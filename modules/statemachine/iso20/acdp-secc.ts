// ISO 15118-20 SECC: automated connection devices (services DC_ACDP 4 and DC_ACDP_BPT 7) and
// VehicleCheckIn / VehicleCheckOut. Pure handlers per message (V2G_CI_ACDP.xsd and the
// CommonMessages check-in/out), the device as data (facts.evse.acdp, ./acdp-device.ts), its
// movements as feedback signals ("acdp-lower", "acdp-raise").
//
// Sequence of an ACDP session (ISO 15118-20 §8.6.4.5.3.5 and §8.6.4.6.3.5 "ACDP message flow";
// energy flows through the DC messages, ./secc-dc.ts):
//   SessionSetup → [VehicleCheckIn…] → ACDP_VehiclePositioning… (Ongoing while the vehicle drives
//   in, Finished once it stands immobilized in the contact window) [V2G20-4046..4048, 4067..4069]
//   → AuthorizationSetup [V2G20-4049] → Authorization → ServiceDiscovery → ServiceDetail →
//   ServiceSelection → DC_ChargeParameterDiscovery → ScheduleExchange → ACDP_Connect… (the
//   device lowers: Ongoing until contact) [V2G20-4050, 4051] → DC_CableCheck… [V2G20-4052] →
//   DC_PreCharge… → PowerDelivery(Start) → DC_ChargeLoop… → PowerDelivery(Stop) →
//   ACDP_Disconnect… (the device raises: Ongoing until Home) [V2G20-4053, 4054] →
//   [VehicleCheckOut] → SessionStop [V2G20-4055].
// Positioning needs no service selected: the SAP namespace (:-20:ACDP) says ACDP. This SECC
// still accepts DC_WeldingDetectionReq after PowerDelivery(Stop) (the EVCC of the -20 text goes
// straight to ACDP_Disconnect), and ACDP_DisconnectReq after ACDP_ConnectRes, DC_CableCheckRes,
// DC_ChargeLoopRes and PowerDeliveryRes too ([V2G20-4061]; in the loop: output to zero first). Where VehicleCheckIn/Out sit is not in the -20 text read
// here: check-in before positioning, check-out before SessionStop, both optional.
// ACDP_SystemStatusReq is the "multiplexed side stream" of -20 Table 14 (V2GTP payload type
// 0x8103, ACDPSystemStatusPayloadID): answered from ACDP_Connect on, in whatever state the main
// stream is, on the same payload type (secc/connection.ts), never changing the state.
//
// Faults: the vehicle never reaches the contact window → ACDP_VehiclePositioningRes FAILED after
// ACDP_POSITIONING_LIMIT; the device reports a fault while lowering (no contact) →
// ACDP_ConnectRes FAILED; contact lost under load → DC_ChargeLoopRes FAILED, power off. Each
// ends the session; the session's end raises a lowered device (SeccSession #finish).

import { Seconds } from "../../common/index";
import type { Millis } from "../../common/index";
import type { SeccFacts } from "../charger-interfaces";
import { reply, stop } from "../framework";
import type { HandlerResult, Reply } from "../framework";
import type { AnyBody } from "../msg-types";
import type { SeccContext } from "../secc/context";
import type { SeccHandler } from "../secc/types";
import type * as acdp from "../../exi/generated/iso20_acdp/types";
import type * as cm from "../../exi/generated/iso20_cm/types";
import type { AcdpDeviceState } from "./acdp-device";
import { contactMade, inChargePosition } from "./acdp-device";
import { rec } from "./context";
import { HEADER_SLOT } from "./envelope";
import { guardChargeLoop } from "./loop-guard";
import { isAcdp } from "./services";

/**
 * How long the SECC waits for the vehicle to reach the contact window (not a -20 timer: the
 * V2G_SECC_Sequence_Timeout of 60 s restarts with every positioning request, so without a limit
 * a vehicle that never aligns would be answered Ongoing for ever).
 */
export const ACDP_POSITIONING_LIMIT: Millis = Seconds(120);

function res(name: string, code: string, rest?: object): AnyBody {
  return { [name]: { Header: HEADER_SLOT, ResponseCode: code, ...rest } };
}

function acdpSession(ctx: SeccContext): boolean {
  const t = ctx.iso20?.transfer;
  return t !== undefined && isAcdp(t);
}

/** xs:short for the deviation fields (a sensor that sees no vehicle reports the maximum). */
function short(v: number): number {
  const n = Math.round(v);
  return n > 32767 ? 32767 : n < -32768 ? -32768 : n;
}

// ---- VehicleCheckIn / VehicleCheckOut ----------------------------------------------------

/**
 * VehicleCheckInReq (the WPT and ACDP namespaces only: the EV announces it parks; a DC or AC
 * session gets FAILED_SequenceError): OK, then positioning (ACDP_VehiclePositioning, or for WPT
 * its fine-positioning setup); the state keeps accepting VehicleCheckInReq (Processing,
 * Completed). The answer leaves out ParkingSpace / DeviceLocation / TargetDistance (no site
 * layout known).
 */
export function vehicleCheckIn(req: cm.VehicleCheckInReqType, ctx: SeccContext): HandlerResult {
  const r = rec(ctx);
  const ns = r.namespace;
  if (ns !== "acdp" && ns !== "wpt") return stop(res("VehicleCheckInRes", "FAILED_SequenceError"), "sequence-error");
  if (req.EVCheckInStatus === "Completed") r.acdp.checkedIn = true;
  return reply(res("VehicleCheckInRes", "OK"), ns === "wpt" ? undefined : "VehiclePositioning");
}

/** VehicleCheckOutReq (after the device is home): Completed once the EV says so; then SessionStop. */
export function vehicleCheckOut(req: cm.VehicleCheckOutReqType, _ctx: SeccContext): HandlerResult {
  const completed = req.EVCheckOutStatus === "Completed";
  return reply(res("VehicleCheckOutRes", "OK", { EVSECheckOutStatus: completed ? "Completed" : "Scheduled" }), completed ? "SessionStop" : undefined);
}

// ---- ACDP -------------------------------------------------------------------------------

function deviceOf(facts: SeccFacts): AcdpDeviceState | undefined {
  return facts.evse.acdp;
}

function positioningRes(code: string, processing: "Ongoing" | "Finished", d: AcdpDeviceState | undefined, inPosition: boolean): AnyBody {
  return res("ACDP_VehiclePositioningRes", code, {
    EVSEProcessing: processing,
    EVSEPositioningSupport: d?.positioningSupport ?? false,
    EVRelativeXDeviation: short(d?.xDeviation ?? 32767),
    EVRelativeYDeviation: short(d?.yDeviation ?? 32767),
    ContactWindowXc: short(d?.windowX ?? 0),
    ContactWindowYc: short(d?.windowY ?? 0),
    EVInChargePosition: inPosition,
  });
}

/**
 * ACDP_VehiclePositioningReq: the charger's sensors give the vehicle's deviation from the
 * device and the contact window; Ongoing until the vehicle is inside it and stands still
 * (EVMobilityStatus false), then Finished → AuthorizationSetup ([V2G20-4069]). No device
 * reported, or no alignment within ACDP_POSITIONING_LIMIT → FAILED.
 */
export function vehiclePositioning(req: acdp.ACDP_VehiclePositioningReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const d = deviceOf(facts);
  if (r.acdp.positioningSince < 0) r.acdp.positioningSince = facts.now;
  if (d === undefined || d.fault) return stop(positioningRes("FAILED", "Finished", d, false), "failed-response");
  const inPosition = inChargePosition(d);
  if (inPosition && !req.EVMobilityStatus) {
    r.acdp.positioned = true;
    return reply(positioningRes("OK", "Finished", d, true), "AuthorizationSetup");
  }
  if (facts.now - r.acdp.positioningSince >= ACDP_POSITIONING_LIMIT) return stop(positioningRes("FAILED", "Finished", d, inPosition), "failed-response");
  return reply(positioningRes("OK", "Ongoing", d, inPosition));
}

function connectRes(name: "ACDP_ConnectRes" | "ACDP_DisconnectRes", code: string, processing: "Ongoing" | "Finished", d: AcdpDeviceState | undefined): AnyBody {
  return res(name, code, {
    EVSEProcessing: processing,
    EVSEElectricalChargingDeviceStatus: d?.electrical ?? "State_A",
    EVSEMechanicalChargingDeviceStatus: d?.mechanical ?? "Home",
  });
}

/**
 * ACDP_ConnectReq: the first one lowers the device (signal acdp-lower); Ongoing while it moves,
 * Finished once it is at its end position with the contact closed → DC_CableCheck (the
 * isolation check runs through the contact). A device fault (no contact at the end of travel,
 * obstacle) → FAILED; the session's end raises the device.
 */
export function acdpConnect(_req: acdp.ACDP_ConnectReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const d = deviceOf(facts);
  if (d === undefined || d.fault) return stop(connectRes("ACDP_ConnectRes", "FAILED", "Finished", d), "failed-response");
  if (!r.acdp.lowering) {
    r.acdp.lowering = true;
    return reply(connectRes("ACDP_ConnectRes", "OK", "Ongoing", d), undefined, "acdp-lower");
  }
  if (contactMade(d)) {
    r.acdp.connected = true;
    return reply(connectRes("ACDP_ConnectRes", "OK", "Finished", d), "CableCheck");
  }
  return reply(connectRes("ACDP_ConnectRes", "OK", "Ongoing", d));
}

/** Output current (A) below which the contact may open: the pantograph never rises under load. */
export const ACDP_DISCONNECT_CURRENT = 1;

/**
 * ACDP_DisconnectReq (after PowerDelivery(Stop) [V2G20-4053], or DC_WeldingDetection where an EV
 * still runs it, or after ACDP_ConnectRes, DC_CableCheckRes, DC_ChargeLoopRes or PowerDeliveryRes
 * [V2G20-4061]): the first one raises the device (signal acdp-raise); Ongoing until it is Home,
 * then Finished → VehicleCheckOut / SessionStop. In the charge loop the SECC ends it in order
 * first: the output is told to stop (signal stop-charging) and the answers stay Ongoing, the
 * device still down, until the current is below ACDP_DISCONNECT_CURRENT; only then it rises.
 */
export function acdpDisconnect(_req: acdp.ACDP_ConnectReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const d = deviceOf(facts);
  if (d === undefined) return stop(connectRes("ACDP_DisconnectRes", "FAILED", "Finished", d), "failed-response");
  if (ctx.charging) {
    ctx.charging = false;
    r.targetPower = 0;
    r.acdp.disconnectingUnderLoad = true;
    return reply(connectRes("ACDP_DisconnectRes", "OK", "Ongoing", d), "AcdpDisconnect", "stop-charging");
  }
  if (r.acdp.disconnectingUnderLoad && !r.acdp.raising && Math.abs(facts.evse.presentCurrent) >= ACDP_DISCONNECT_CURRENT) {
    return reply(connectRes("ACDP_DisconnectRes", "OK", "Ongoing", d));
  }
  if (!r.acdp.raising) {
    r.acdp.raising = true;
    r.acdp.connected = false;
    return reply(connectRes("ACDP_DisconnectRes", "OK", "Ongoing", d), undefined, "acdp-raise");
  }
  if (d.mechanical === "Home") {
    r.acdp.lowering = false;
    return reply(connectRes("ACDP_DisconnectRes", "OK", "Finished", d), "VehicleCheckOut");
  }
  return reply(connectRes("ACDP_DisconnectRes", "OK", "Ongoing", d));
}

/** -20 EVSEIsolationStatus (ACDP) from the isolation monitor's level. */
function isolationOf(facts: SeccFacts): "Invalid" | "Safe" | "Warning" | "Fault" {
  switch (facts.evse.isolation) {
    case "Valid":
      return "Safe";
    case "Warning":
      return "Warning";
    case "Fault":
      return "Fault";
  }
  return "Invalid";
}

/** The contact is no longer made although the session connected it (or the device reports a fault). */
function contactLost(ctx: SeccContext, facts: SeccFacts): boolean {
  const r = ctx.iso20;
  if (r === undefined || !r.acdp.connected) return false;
  const d = deviceOf(facts);
  return d === undefined || d.fault || !contactMade(d);
}

/**
 * ACDP_SystemStatusReq: the EV's technical status in, the charger's out (the device's
 * position, ready to charge, isolation, emergency, malfunction — a lost contact counts as one).
 * Never changes the state: it may come at any point from ACDP_Connect on.
 */
export function acdpSystemStatus(req: acdp.ACDP_SystemStatusReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const d = deviceOf(facts);
  const status = req.EVTechnicalStatus;
  if (typeof status.EVSOC === "number") ctx.ev.soc = status.EVSOC;
  ctx.ev.ready = status.EVReadyToCharge;
  const lost = contactLost(ctx, facts);
  const evse = facts.evse;
  return reply(
    res("ACDP_SystemStatusRes", "OK", {
      EVSEMechanicalChargingDeviceStatus: d?.mechanical ?? "Home",
      EVSEReadyToCharge: r.acdp.connected && !lost && !evse.emergency && !evse.malfunction,
      EVSEIsolationStatus: isolationOf(facts),
      EVSEDisabled: false,
      EVSEUtilityInterruptEvent: false,
      EVSEEmergencyShutdown: evse.emergency,
      EVSEMalfunction: evse.malfunction || lost,
      EVInChargePosition: d !== undefined && inChargePosition(d),
      EVAssociationStatus: true,
    }),
  );
}

// ---- the ACDP detours in the common and DC handlers ---------------------------------------

/**
 * Wraps ScheduleExchange so that an ACDP session takes its detour: after ScheduleExchange the
 * device connects before the cable check ([V2G20-4050]).
 */
export function acdpRoute(handler: SeccHandler): SeccHandler {
  // A const binding for the closure (Moddable's preload wants what a frozen table's functions capture to be const).
  const inner = handler;
  return (req: any, ctx: SeccContext, facts: SeccFacts): HandlerResult => {
    const out = inner(req, ctx, facts);
    if (out.kind !== "reply" || !acdpSession(ctx)) return out;
    if (out.next === "CableCheck" && !ctx.iso20!.acdp.connected) return { ...out, next: "AcdpConnect" } as Reply;
    return out;
  };
}

/**
 * Wraps DC_ChargeLoopReq: in an ACDP session whose contact was lost (the device left its end
 * position, the contact opened, or it reports a fault) the output stops at once and the answer
 * is FAILED: the session ends, and its end raises the device.
 */
export function acdpChargeLoop(handler: SeccHandler): SeccHandler {
  return guardChargeLoop(handler, acdpContactLost);
}

function acdpContactLost(ctx: SeccContext, facts: SeccFacts): boolean {
  if (!acdpSession(ctx) || !contactLost(ctx, facts)) return false;
  ctx.iso20!.acdp.contactLost = true;
  return true;
}

/**
 * Wraps SessionSetup: a new session in the WPT or ACDP namespace positions the vehicle before
 * its authorization ([V2G20-5042], [V2G20-4046]/[V2G20-4067]); the state after it also takes
 * VehicleCheckInReq. A resumed one goes on at *_ChargeParameterDiscovery with its service, as
 * every resumed -20 session does (./secc-common.ts sessionSetup; [V2G20-5046] for WPT); an ACDP
 * device connects again after ScheduleExchange (acdpRoute: the pause came after its disconnect,
 * [V2G20-4001]).
 */
export function positioningRoute(handler: SeccHandler): SeccHandler {
  const inner = handler;
  return (req: any, ctx: SeccContext, facts: SeccFacts): HandlerResult => {
    const out = inner(req, ctx, facts);
    const ns = ctx.iso20?.namespace;
    if (out.kind !== "reply" || out.next !== "AuthorizationSetup" || (ns !== "wpt" && ns !== "acdp")) return out;
    return { ...out, next: "VehicleCheckIn" } as Reply;
  };
}
