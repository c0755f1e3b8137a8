// ISO 15118-20 SECC: wireless power transfer (service WPT 3, namespace :-20:WPT, V2GTP payload
// type 0x8006), the primary device's side. Pure handlers per message (V2G_CI_WPT.xsd), the pad
// as data (facts.evse.wpt, ./wpt-device.ts), its actions as signals ("wpt-alignment",
// "wpt-power"), vendor-specific containers and the LF positioning data passed through
// untouched in both directions.
//
// Sequence (ISO 15118-20 §8.6.4.5.3.4 "WPT message flow", the EVCC's requirements; the SECC's
// §8.6.4.6.3.4 mirrors them):
//   SessionSetup → [VehicleCheckIn…] → WPT_FinePositioningSetup [V2G20-5042] →
//   WPT_FinePositioning… (Ongoing until the receiver is over the pad) [V2G20-5024..5029] →
//   WPT_Pairing… [V2G20-5030..5033] → AuthorizationSetup [V2G20-5032, 5034] → Authorization →
//   ServiceDiscovery → ServiceDetail → ServiceSelection → WPT_ChargeParameterDiscovery
//   [V2G20-5041] → ScheduleExchange → WPT_AlignmentCheck… (the pad energises at low power)
//   [V2G20-5045, 5035] → PowerDelivery(Start) [V2G20-5036] → WPT_ChargeLoop… [V2G20-5037, 5039]
//   → PowerDelivery(Stop) → [VehicleCheckOut] → SessionStop [V2G20-5040, 5094].
// Positioning and pairing need no service selected: the SAP namespace (:-20:WPT) says WPT.
// Where VehicleCheckIn/Out sit in a WPT session is not in the -20 text read here: we take
// check-in before positioning and check-out before SessionStop, both optional.
// The schedule's power comes from config.schedulePower / pmaxSchedule (a WPT charger has no
// config.dc or config.ac to derive it from).
//
// Faults: the vehicle never gets over the pad → WPT_FinePositioningRes FAILED after the
// positioning limit; the EV observed another pad's code → WPT_PairingRes FAILED (the vehicle
// is over a different pad); the pad's alignment check fails → WPT_AlignmentCheckRes FAILED; a
// ground clearance the pad cannot serve → FAILED_WrongChargeParameter; the pad's diagnostics
// (foreign object, living object, overheating) during the loop → power off, EVSENotification
// Terminate, the EV winds down in order. After a FAILED WPT_FinePositioningRes, WPT_PairingRes or
// WPT_AlignmentCheckRes the SECC waits for the EV's SessionStopReq ([V2G20-5067]) instead of
// closing at once (the pad is off); that request ends the session as "failed-response".
// WARNING_WPT sends the EV back ([V2G20-5054..5062]): the EV says it finished positioning but the
// pad sees it outside its tolerance → WPT_FinePositioningRes WARNING_WPT (Finished), the EV sets
// up fine positioning again ([V2G20-5055]) within the same positioning limit; the pad sees the
// receiver leave its tolerance under load → power off and WPT_ChargeLoopRes WARNING_WPT, the EV
// checks the alignment again (or pairs again) before a new PowerDelivery(Start) ([V2G20-5058]).
// WPT_ChargeParameterDiscoveryRes's WARNING_WPT for limited power ([V2G20-5066]) is not produced
// (no pad model says when power would be "significantly lower"); the EV handles all six.

import type { SeccFacts } from "../charger-interfaces";
import { reply, stop } from "../framework";
import type { HandlerResult, Reply } from "../framework";
import type { AnyBody } from "../msg-types";
import type { SeccContext } from "../secc/context";
import type { SeccHandler } from "../secc/types";
import type * as wpt from "../../exi/generated/iso20_wpt/types";
import { ACDP_POSITIONING_LIMIT } from "./acdp-secc";
import { rec } from "./context";
import type { Iso20Record } from "./context";
import { HEADER_SLOT } from "./envelope";
import { fromRational, rational } from "./rational";
import { loopResponseHead, noteDisplay } from "./secc-loop";
import type { WptPadState } from "./wpt-device";
import { initialWptPad, overPad } from "./wpt-device";

/** The methods this SECC's pad supports, in preference order (WPT_FinePositioningSetupRes lists). */
const PAD_FINE_POSITIONING = Object.freeze(["LF_TxPrimaryDevice", "Manual"]);
const PAD_PAIRING = Object.freeze(["LF_TxPrimaryDevice", "External confirmation"]);
const PAD_ALIGNMENT_CHECK = Object.freeze(["PowerCheck"]);

function res(name: string, code: string, rest?: object): AnyBody {
  return { [name]: { Header: HEADER_SLOT, ResponseCode: code, ...rest } };
}

function padOf(facts: SeccFacts): WptPadState {
  return facts.evse.wpt ?? initialWptPad();
}

/** Keeps the EV's vendor containers for the pad (handed over with the next wpt-* signal). */
function noteVendor(r: Iso20Record, message: string, containers: readonly Uint8Array[] | undefined): void {
  if (containers !== undefined && containers.length > 0) r.wpt.vendorIn = { message, containers };
}

/** Keeps the EV's LF setup or data package for the pad (handed over with the next wpt-* signal, untouched). */
function noteLf(r: Iso20Record, message: string, data: object | undefined): void {
  if (data !== undefined) r.wpt.lfIn = { message, data };
}

/** The pad's LF setup or data for a response, untouched (absent when it has none). */
function lfOut(field: "LF_SystemSetupData" | "WPT_LF_DataPackageList", data: object | undefined): Record<string, unknown> {
  return data !== undefined ? { [field]: data } : {};
}

/** The pad's vendor containers for a response field, untouched (absent when it has none). */
function vendorOut(field: string, pad: WptPadState): Record<string, unknown> {
  const data = pad.vendorData;
  return data !== undefined && data.length > 0 ? { [field]: data.slice() } : {};
}

/** WPT_FinePositioningSetupReq: the pad's methods and natural offset for the EV's; Finished from the EV → fine positioning. */
export function wptFinePositioningSetup(req: wpt.WPT_FinePositioningSetupReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const pad = padOf(facts);
  noteVendor(r, "WPT_FinePositioningSetupReq", req.VendorSpecificDataContainer);
  noteLf(r, "WPT_FinePositioningSetupReq", req.LF_SystemSetupData);
  const body = res("WPT_FinePositioningSetupRes", "OK", {
    PrimaryDeviceFinePositioningMethodList: { WPT_FinePositioningMethod: PAD_FINE_POSITIONING.slice() },
    PrimaryDevicePairingMethodList: { WPT_PairingMethod: PAD_PAIRING.slice() },
    PrimaryDeviceAlignmentCheckMethodList: { WPT_AlignmentCheckMethod: PAD_ALIGNMENT_CHECK.slice() },
    NaturalOffset: 0,
    ...vendorOut("VendorSpecificDataContainer", pad),
    ...lfOut("LF_SystemSetupData", pad.lfSetup),
  });
  return reply(body, req.EVProcessing === "Finished" ? "WptFinePositioning" : undefined, "wpt-vendor");
}

/**
 * A FAILED answer after which the EV sends SessionStopReq ([V2G20-5067]): the pad goes off
 * (signal wpt-power with no target) and only SessionStopReq is taken (state SessionStop).
 */
function failedAwaitingStop(r: Iso20Record, body: AnyBody): HandlerResult {
  r.wpt.failed = true;
  r.targetPower = 0;
  return reply(body, "SessionStop", "wpt-power");
}

/** Wraps SessionStopReq: after a FAILED WPT answer ([V2G20-5067]) the session ends as that failure. */
export function wptAfterFailed(handler: SeccHandler): SeccHandler {
  const inner = handler;
  return (req: any, ctx: SeccContext, facts: SeccFacts): HandlerResult => {
    const out = inner(req, ctx, facts);
    return out.kind === "stop" && ctx.iso20?.wpt.failed === true ? stop(out.body, "failed-response", out.signal) : out;
  };
}

function processingRes(name: string, code: string, finished: boolean, pad: WptPadState, rest?: object): AnyBody {
  return res(name, code, { EVSEProcessing: finished ? "Finished" : "Ongoing", ...rest, ...vendorOut("VendorSpecificDataContainer", pad) });
}

/**
 * WPT_FinePositioningReq: Ongoing until the pad sees the receiver within its tolerance; the EV's
 * Finished with EVResultSuccess over the pad → pairing. No alignment within the positioning
 * limit (the same 120 s as ACDP: ./acdp-secc.ts) → FAILED.
 */
export function wptFinePositioning(req: wpt.WPT_FinePositioningReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const pad = padOf(facts);
  noteVendor(r, "WPT_FinePositioningReq", req.VendorSpecificDataContainer);
  noteLf(r, "WPT_FinePositioningReq", req.WPT_LF_DataPackageList);
  if (r.wpt.positioningSince < 0) r.wpt.positioningSince = facts.now;
  const over = overPad(pad);
  const lf = lfOut("WPT_LF_DataPackageList", pad.lfData);
  const evDone = req.EVProcessing === "Finished" && req.EVResultCode === "EVResultSuccess";
  if (over && evDone) {
    return reply(processingRes("WPT_FinePositioningRes", "OK", true, pad, lf), "WptPairing", "wpt-vendor");
  }
  if (!over && facts.now - r.wpt.positioningSince >= ACDP_POSITIONING_LIMIT) return failedAwaitingStop(r, processingRes("WPT_FinePositioningRes", "FAILED", true, pad, lf));
  if (evDone) {
    // The EV believes it is in place, the pad sees it outside its tolerance: set up positioning again ([V2G20-5055]).
    r.wpt.warnings++;
    return reply(processingRes("WPT_FinePositioningRes", "WARNING_WPT", true, pad, lf), undefined, "wpt-vendor");
  }
  return reply(processingRes("WPT_FinePositioningRes", "OK", over, pad, lf), undefined, "wpt-vendor");
}

/**
 * WPT_PairingReq: the EV names the code it observed; it must be this pad's (else FAILED: the
 * vehicle stands over another pad). The answer gives the code the pad observed of the EV, for
 * the EV's own check. Finished from the EV → AuthorizationSetup ([V2G20-5032]).
 */
export function wptPairing(req: wpt.WPT_PairingReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const pad = padOf(facts);
  noteVendor(r, "WPT_PairingReq", req.VendorSpecificDataContainer);
  const observed = pad.observedIdCode !== undefined ? { ObservedIDCode: pad.observedIdCode } : {};
  if (req.ObservedIDCode !== undefined && req.ObservedIDCode !== pad.idCode) return failedAwaitingStop(r, processingRes("WPT_PairingRes", "FAILED", true, pad, observed));
  const done = req.EVProcessing === "Finished" && req.EVResultCode === "EVResultSuccess" && req.ObservedIDCode !== undefined;
  if (done) r.wpt.paired = true;
  return reply(processingRes("WPT_PairingRes", "OK", req.ObservedIDCode !== undefined, pad, observed), done ? "AuthorizationSetup" : undefined, "wpt-vendor");
}

/**
 * WPT_AlignmentCheckReq: the first one energises the pad at low power (signal wpt-alignment);
 * Ongoing until the pad's check is done. The pad's check failed → FAILED. Both sides content
 * (EV Finished with EVResultSuccess) → PowerDelivery ([V2G20-5036]).
 */
export function wptAlignmentCheck(req: wpt.WPT_AlignmentCheckReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const pad = padOf(facts);
  noteVendor(r, "WPT_AlignmentCheckReq", req.VendorSpecificDataContainer);
  const measured = { PowerTransmitted: rational(pad.powerTransmitted), SupplyDeviceCurrent: rational(pad.coilCurrent) };
  if (!r.wpt.alignmentStarted) {
    r.wpt.alignmentStarted = true;
    return reply(processingRes("WPT_AlignmentCheckRes", "OK", false, pad, measured), undefined, "wpt-alignment");
  }
  if (pad.alignment === "failed") return failedAwaitingStop(r, processingRes("WPT_AlignmentCheckRes", "FAILED", true, pad, measured));
  const ok = pad.alignment === "ok";
  if (ok && req.EVProcessing === "Finished" && req.EVResultCode === "EVResultSuccess") {
    r.wpt.aligned = true;
    return reply(processingRes("WPT_AlignmentCheckRes", "OK", true, pad, measured), "PowerDelivery", "wpt-vendor");
  }
  return reply(processingRes("WPT_AlignmentCheckRes", "OK", ok, pad, measured), undefined, "wpt-vendor");
}

/**
 * WPT_ChargeParameterDiscoveryReq: the EV's receivable power and ground clearance in, the pad's
 * class, power and coil current ranges out. A ground clearance the pad cannot serve →
 * FAILED_WrongChargeParameter.
 */
export function wptChargeParameterDiscovery(req: wpt.WPT_ChargeParameterDiscoveryReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const pad = padOf(facts);
  noteVendor(r, "WPT_ChargeParameterDiscoveryReq", req.VendorSpecificDataContainer);
  ctx.ev.maxPower = r.ev.maxChargePower = fromRational(req.EVPCMaxReceivablePower);
  const body = res("WPT_ChargeParameterDiscoveryRes", "OK", {
    PDInputPowerClass: pad.powerClass,
    SDMinOutputPower: rational(pad.minPower),
    SDMaxOutputPower: rational(pad.maxPower),
    SDMaxGroundClearanceSupport: pad.maxGroundClearance,
    SDMinGroundClearanceSupport: pad.minGroundClearance,
    PDMinCoilCurrent: rational(pad.minCoilCurrent),
    PDMaxCoilCurrent: rational(pad.maxCoilCurrent),
    ...vendorOut("SDManufacturerSpecificDataContainer", pad),
  });
  if (req.SDMinGroundClearence > pad.maxGroundClearance || req.SDMaxGroundClearence < pad.minGroundClearance) {
    (body.WPT_ChargeParameterDiscoveryRes as Record<string, unknown>).ResponseCode = "FAILED_WrongChargeParameter";
    return stop(body, "failed-response");
  }
  return reply(body, "ScheduleExchange", "wpt-vendor");
}

/**
 * WPT_ChargeLoopReq: the EV's power request, within the pad's maximum (0 in standby), goes to
 * the pad (signal wpt-power); the answer gives the pad's limits, input power and diagnostics.
 * A pad fault (FOD, LOP, overheating, anomaly) → power off and EVSENotification Terminate.
 */
export function wptChargeLoop(req: wpt.WPT_ChargeLoopReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const pad = padOf(facts);
  noteDisplay(ctx, req.DisplayParameters);
  noteVendor(r, "WPT_ChargeLoopReq", req.ManufacturerSpecificDataContainer);
  const fault = pad.diagnostics !== "SPCNoIssue";
  if (!fault && !overPad(pad)) return loopMisaligned(r, ctx, facts, pad);
  const asked = fromRational(req.EVPCPowerRequest);
  const target = fault || r.standby ? 0 : Math.max(0, Math.min(asked, pad.maxPower, r.ev.maxChargePower > 0 ? r.ev.maxChargePower : asked));
  r.targetPower = target;
  ctx.ev.chargingComplete = req.DisplayParameters?.ChargingComplete === true;
  const head = loopResponseHead(facts, r, false, req.MeterInfoRequested);
  const out: Record<string, unknown> = { Header: head.Header, ResponseCode: head.ResponseCode };
  const status = fault ? { NotificationMaxDelay: 0, EVSENotification: "Terminate" } : head.EVSEStatus;
  if (status !== undefined) out.EVSEStatus = status;
  if (head.MeterInfo !== undefined) out.MeterInfo = head.MeterInfo;
  out.EVPCPowerRequest = rational(target);
  out.SDPowerInput = rational(pad.inputPower);
  out.SPCMaxOutputPowerLimit = rational(pad.maxPower);
  out.SPCMinOutputPowerLimit = rational(pad.minPower);
  out.SPCChargeDiagnostics = pad.diagnostics;
  const vendor = vendorOut("ManufacturerSpecificDataContainer", pad);
  if (vendor.ManufacturerSpecificDataContainer !== undefined) out.ManufacturerSpecificDataContainer = vendor.ManufacturerSpecificDataContainer;
  return reply({ WPT_ChargeLoopRes: out }, undefined, "wpt-power");
}

/**
 * The pad sees the receiver outside its tolerance under load (the car moved, its suspension
 * settled): power off and WPT_ChargeLoopRes WARNING_WPT; the EV checks the alignment again (or
 * pairs again) before a new PowerDelivery(Start), or stops ([V2G20-5058]).
 */
function loopMisaligned(r: Iso20Record, ctx: SeccContext, facts: SeccFacts, pad: WptPadState): HandlerResult {
  r.wpt.warnings++;
  r.wpt.aligned = false;
  r.wpt.alignmentStarted = false;
  r.targetPower = 0;
  ctx.charging = false;
  const head = loopResponseHead(facts, r, false, false);
  const out: Record<string, unknown> = { Header: head.Header, ResponseCode: "WARNING_WPT" };
  if (head.EVSEStatus !== undefined) out.EVSEStatus = head.EVSEStatus;
  out.EVPCPowerRequest = rational(0);
  out.SDPowerInput = rational(pad.inputPower);
  out.SPCMaxOutputPowerLimit = rational(pad.maxPower);
  out.SPCMinOutputPowerLimit = rational(pad.minPower);
  out.SPCChargeDiagnostics = pad.diagnostics;
  return reply({ WPT_ChargeLoopRes: out }, "WptAlignmentCheck", "wpt-power");
}

/**
 * Wraps ScheduleExchange: in a WPT session the alignment check comes between the schedule and
 * PowerDelivery ([V2G20-5045]); once aligned, a renegotiated schedule goes straight on.
 */
export function wptRoute(handler: SeccHandler): SeccHandler {
  // A const binding for the closure (Moddable's preload wants what a frozen table's functions capture to be const).
  const inner = handler;
  return (req: any, ctx: SeccContext, facts: SeccFacts): HandlerResult => {
    const out = inner(req, ctx, facts);
    if (out.kind !== "reply" || ctx.iso20?.namespace !== "wpt") return out;
    if (out.next === "PowerDelivery" && !ctx.iso20.wpt.aligned) return { ...out, next: "WptAlignmentCheck" } as Reply;
    return out;
  };
}
