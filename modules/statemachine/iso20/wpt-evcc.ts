// ISO 15118-20 EVCC: wireless power transfer (service WPT 3), the vehicle's side, as steps of
// the shared EvccSession (sequence and its -20 requirements: ./wpt-secc.ts). The receiver is
// polled like the BMS (Iso20EvBms.wptReceiver); vendor-specific containers and LF positioning
// data go to and come from it untouched.
//
//   SessionSetup → VehicleCheckIn → WPT_FinePositioningSetup → WPT_FinePositioning… →
//   WPT_Pairing… → AuthorizationSetup … ServiceSelection → WPT_ChargeParameterDiscovery →
//   ScheduleExchange → WPT_AlignmentCheck… → PowerDelivery(Start) → WPT_ChargeLoop… →
//   PowerDelivery(Stop) → VehicleCheckOut → SessionStop.
// WARNING_WPT sends the car back to WPT_FinePositioningSetup ([V2G20-5054], [V2G20-5055],
// [V2G20-5057], [V2G20-5061], [V2G20-5062]; in the loop to WPT_AlignmentCheck, [V2G20-5058]) at
// most WPT_EVCC_WARNING_RETRIES times, then it terminates with SessionStopReq. A FAILED answer to
// a positioning, pairing, alignment or loop request is followed by SessionStopReq ([V2G20-5067]).
// A resumed session goes straight to WPT_ChargeParameterDiscovery ([V2G20-5046]).

import type { EvccStep, StepContext, StepResult, VehicleAction } from "../evcc/step";
import type { EvccStepId } from "../evcc/types";
import { ACDP_EVCC_POSITIONING_REQUESTS, rerouted, vehicleCheckIn, vehicleCheckOut } from "./acdp-evcc";
import type { NextResult } from "./acdp-evcc";
import { HEADER_SLOT } from "./envelope";
import type { Iso20EvBms, Iso20EvccFacts } from "./evcc-types";
import { ISO20_AC_EVCC_STEPS, loopOutcome, step } from "./evcc-steps";
import { fromRational, optionalRational, rational } from "./rational";
import type { WptLfPackages, WptLfSetup, WptReceiver } from "./wpt-device";

type Res = Record<string, any>;

/** Alignment-check requests before the EV gives up waiting for a verdict (× pollInterval). */
const WPT_EVCC_ALIGNMENT_REQUESTS = 150;

/**
 * WARNING_WPT answers the car follows back (to fine positioning, or from the loop to the alignment
 * check) before it takes the other choice -20 gives it, SessionStopReq (a choice: the text sets no count).
 */
export const WPT_EVCC_WARNING_RETRIES = 2;

/** A vehicle without a receiver model: it stands still and never observes a pad code, so pairing times out (V2G_EVCC_Ongoing). */
const NO_RECEIVER: WptReceiver = Object.freeze({
  moving: () => false,
  positioning: () => "EVResultSuccess" as const,
  groundClearance: () => ({ min: 100, max: 250 }),
  naturalFrequency: () => 85_000,
  maxPower: () => 0,
  observedIdCode: () => undefined,
  ownIdCode: () => 0,
  alignment: () => "EVResultUnknown" as const,
  powerRequest: () => 0,
  powerOutput: () => 0,
});

function receiver(ctx: StepContext): WptReceiver {
  return (ctx.bms as Iso20EvBms).wptReceiver?.() ?? NO_RECEIVER;
}

function progress(ctx: StepContext): NonNullable<Iso20EvccFacts["wpt"]> {
  const f = ctx.facts.iso20!;
  if (f.wpt === undefined) f.wpt = { positioning: "EVResultUnknown", alignment: "EVResultUnknown", positioningRequests: 0, alignmentRequests: 0, checkedOut: false, warnings: 0 };
  return f.wpt;
}

/** The receiver's vendor containers for a request field, untouched (absent when it has none). */
function vendorOut(field: string, ctx: StepContext): Record<string, unknown> {
  const data = receiver(ctx).vendorData?.();
  return data !== undefined && data.length > 0 ? { [field]: data.slice() } : {};
}

/** The pad's vendor containers of a response, untouched, to the receiver. */
function vendorIn(message: string, containers: readonly Uint8Array[] | undefined, ctx: StepContext): void {
  if (containers !== undefined && containers.length > 0) receiver(ctx).onVendorData?.(message, containers);
}

/** The receiver's LF setup or data package for a request field, untouched (absent when it has none). */
function lfOut(field: "LF_SystemSetupData" | "WPT_LF_DataPackageList", data: object | undefined): Record<string, unknown> {
  return data !== undefined ? { [field]: data } : {};
}

/** The pad's LF setup or data package of a response, untouched, to the receiver. */
function lfIn(message: string, data: WptLfSetup | WptLfPackages | undefined, ctx: StepContext): void {
  if (data !== undefined) receiver(ctx).onLfData?.(message, data);
}

/**
 * WARNING_WPT in `message`: back to WPT_FinePositioningSetup (from the loop: to WPT_AlignmentCheck,
 * the power is off) with positioning, pairing and alignment to do again; after
 * WPT_EVCC_WARNING_RETRIES of them the car terminates with SessionStopReq instead (-20 allows either).
 */
function wptWarning(message: string, ctx: StepContext): StepResult {
  const p = progress(ctx);
  p.warnings++;
  const fromLoop = ctx.facts.charging;
  if (fromLoop) {
    // [V2G20-5058]: the pad stopped; the next Start comes after a new alignment check ([V2G20-5036]).
    ctx.facts.charging = false;
    receiver(ctx).onPadPower?.(0);
  }
  if (p.warnings > WPT_EVCC_WARNING_RETRIES) return { kind: "wind-down", reason: "response-code", detail: `${message}: WARNING_WPT ${p.warnings} times` };
  p.alignment = "EVResultUnknown";
  p.alignmentRequests = 0;
  if (fromLoop) return { kind: "next", step: "WptAlignmentCheck" };
  p.positioning = "EVResultUnknown";
  p.positioningRequests = 0;
  return { kind: "next", step: "WptFinePositioningSetup" };
}

function warned(res: Res): boolean {
  return res.ResponseCode === "WARNING_WPT";
}

const finePositioningSetup = step({
  id: "WptFinePositioningSetup",
  request: "WPT_FinePositioningSetupReq",
  build: (ctx) => ({
    Header: HEADER_SLOT,
    EVProcessing: "Finished",
    EVDeviceFinePositioningMethodList: { WPT_FinePositioningMethod: ["LF_TxPrimaryDevice", "Manual"] },
    EVDevicePairingMethodList: { WPT_PairingMethod: ["LF_TxPrimaryDevice"] },
    EVDeviceAlignmentCheckMethodList: { WPT_AlignmentCheckMethod: ["PowerCheck"] },
    NaturalOffset: 0,
    ...vendorOut("VendorSpecificDataContainer", ctx),
    ...lfOut("LF_SystemSetupData", receiver(ctx).lfSetup?.()),
  }),
  onResponse(res: Res, ctx) {
    vendorIn("WPT_FinePositioningSetupRes", res.VendorSpecificDataContainer, ctx);
    lfIn("WPT_FinePositioningSetupRes", res.LF_SystemSetupData, ctx);
    return { kind: "next", step: "WptFinePositioning" };
  },
});

const finePositioning = step({
  id: "WptFinePositioning",
  request: "WPT_FinePositioningReq",
  build(ctx) {
    const rx = receiver(ctx);
    const p = progress(ctx);
    p.positioningRequests++;
    p.positioning = rx.moving() ? "EVResultUnknown" : rx.positioning();
    return {
      Header: HEADER_SLOT,
      EVProcessing: p.positioning === "EVResultUnknown" ? "Ongoing" : "Finished",
      EVResultCode: p.positioning,
      ...vendorOut("VendorSpecificDataContainer", ctx),
      ...lfOut("WPT_LF_DataPackageList", rx.lfData?.()),
    };
  },
  trace: (ctx) => ({ result: progress(ctx).positioning }),
  onResponse(res: Res, ctx) {
    vendorIn("WPT_FinePositioningRes", res.VendorSpecificDataContainer, ctx);
    lfIn("WPT_FinePositioningRes", res.WPT_LF_DataPackageList, ctx);
    if (warned(res)) return wptWarning("WPT_FinePositioningRes", ctx); // [V2G20-5055]
    const p = progress(ctx);
    if (p.positioning === "EVResultFailed") return { kind: "wind-down", reason: "timeout-ongoing", detail: "WPT: the vehicle stopped outside the pad's tolerance" };
    if (p.positioning === "EVResultSuccess" && res.EVSEProcessing === "Finished") return { kind: "next", step: "WptPairing" };
    if (p.positioningRequests >= ACDP_EVCC_POSITIONING_REQUESTS) return { kind: "wind-down", reason: "timeout-ongoing", detail: "WPT: the vehicle never got over the pad" };
    return { kind: "repeat", delay: ctx.config.pollInterval };
  },
});

const pairing = step({
  id: "WptPairing",
  request: "WPT_PairingReq",
  phaseTimer: "ongoing",
  build(ctx) {
    const code = receiver(ctx).observedIdCode();
    const body: Record<string, unknown> = { Header: HEADER_SLOT, EVProcessing: code === undefined ? "Ongoing" : "Finished" };
    if (code !== undefined) body.ObservedIDCode = code;
    body.EVResultCode = code === undefined ? "EVResultUnknown" : "EVResultSuccess";
    return { ...body, ...vendorOut("VendorSpecificDataContainer", ctx) };
  },
  onResponse(res: Res, ctx) {
    vendorIn("WPT_PairingRes", res.VendorSpecificDataContainer, ctx);
    if (warned(res)) return wptWarning("WPT_PairingRes", ctx); // [V2G20-5054]
    const rx = receiver(ctx);
    if (res.ObservedIDCode !== undefined && res.ObservedIDCode !== rx.ownIdCode()) {
      // The pad saw another vehicle's code: we are not the vehicle over this pad.
      return { kind: "wind-down", reason: "sequence", detail: `WPT pairing: the pad observed code ${res.ObservedIDCode}, ours is ${rx.ownIdCode()}` };
    }
    if (rx.observedIdCode() !== undefined && res.EVSEProcessing === "Finished") return { kind: "next", step: "AuthorizationSetup" };
    return { kind: "repeat", delay: ctx.config.pollInterval };
  },
});

const alignmentCheck = step({
  id: "WptAlignmentCheck",
  request: "WPT_AlignmentCheckReq",
  build(ctx) {
    const p = progress(ctx);
    p.alignmentRequests++;
    p.alignment = receiver(ctx).alignment();
    return {
      Header: HEADER_SLOT,
      EVProcessing: p.alignment === "EVResultUnknown" ? "Ongoing" : "Finished",
      EVResultCode: p.alignment,
      ...vendorOut("VendorSpecificDataContainer", ctx),
    };
  },
  trace: (ctx) => ({ result: progress(ctx).alignment }),
  onResponse(res: Res, ctx) {
    vendorIn("WPT_AlignmentCheckRes", res.VendorSpecificDataContainer, ctx);
    if (warned(res)) return wptWarning("WPT_AlignmentCheckRes", ctx); // [V2G20-5057]
    const transmitted = optionalRational(res.PowerTransmitted) ?? 0;
    receiver(ctx).onAlignmentCheck?.(transmitted > 0, transmitted);
    const p = progress(ctx);
    if (p.alignment === "EVResultFailed") return { kind: "wind-down", reason: "ev-error", detail: "WPT alignment check failed (coupling too weak)" };
    if (p.alignment === "EVResultSuccess" && res.EVSEProcessing === "Finished") return { kind: "next", step: "PowerDelivery" };
    if (p.alignmentRequests >= WPT_EVCC_ALIGNMENT_REQUESTS) return { kind: "wind-down", reason: "timeout-ongoing", detail: "WPT alignment check never finished" };
    return { kind: "repeat", delay: ctx.config.pollInterval };
  },
});

const chargeParameterDiscovery = step({
  id: "ChargeParameterDiscovery",
  request: "WPT_ChargeParameterDiscoveryReq",
  build(ctx) {
    const rx = receiver(ctx);
    const clearance = rx.groundClearance();
    return {
      Header: HEADER_SLOT,
      EVPCMaxReceivablePower: rational(rx.maxPower()),
      SDMaxGroundClearence: clearance.max,
      SDMinGroundClearence: clearance.min,
      EVPCNaturalFrequency: rational(rx.naturalFrequency()),
      EVPCDeviceLocalControl: false,
      ...vendorOut("VendorSpecificDataContainer", ctx),
    };
  },
  onResponse(res: Res, ctx) {
    vendorIn("WPT_ChargeParameterDiscoveryRes", res.SDManufacturerSpecificDataContainer, ctx);
    if (warned(res)) return wptWarning("WPT_ChargeParameterDiscoveryRes", ctx); // [V2G20-5062]
    ctx.facts.evse.maxPower = fromRational(res.SDMaxOutputPower);
    return { kind: "next", step: "ScheduleExchange" };
  },
});

const chargeLoop = step({
  id: "ChargeLoop",
  request: "WPT_ChargeLoopReq",
  build(ctx) {
    const rx = receiver(ctx);
    return {
      Header: HEADER_SLOT,
      DisplayParameters: { PresentSOC: Math.max(0, Math.min(100, Math.floor(ctx.bms.soc()))), ChargingComplete: ctx.bms.chargingComplete() },
      MeterInfoRequested: false,
      EVPCPowerRequest: rational(Math.round(rx.powerRequest())),
      EVPCPowerOutput: rational(Math.round(rx.powerOutput())),
      EVPCChargeDiagnostics: "EVPCNoIssue",
      ...vendorOut("ManufacturerSpecificDataContainer", ctx),
    };
  },
  trace: (ctx) => ({ soc: Math.round(ctx.bms.soc() * 10) / 10, power: Math.round(receiver(ctx).powerOutput()) }),
  onResponse(res: Res, ctx) {
    vendorIn("WPT_ChargeLoopRes", res.ManufacturerSpecificDataContainer, ctx);
    if (warned(res)) return wptWarning("WPT_ChargeLoopRes", ctx); // [V2G20-5058]
    receiver(ctx).onPadPower?.(optionalRational(res.EVPCPowerRequest) ?? 0);
    const max = optionalRational(res.SPCMaxOutputPowerLimit);
    if (max !== undefined) ctx.facts.evse.maxPower = max;
    const actions: VehicleAction[] = [{ kind: "evse-values", values: { maxPower: ctx.facts.evse.maxPower } }];
    if (res.SPCChargeDiagnostics !== undefined && res.SPCChargeDiagnostics !== "SPCNoIssue" && res.EVSEStatus === undefined) {
      return { kind: "wind-down", reason: "evse-error", detail: `WPT pad: ${res.SPCChargeDiagnostics}`, actions };
    }
    return loopOutcome(res, ctx, actions, ctx.config.chargingStatusInterval);
  },
});

/**
 * The WPT detours: a new session checks in and positions after SessionSetup ([V2G20-5042]);
 * ScheduleExchange → the alignment check before PowerDelivery ([V2G20-5045]); SessionStop after
 * charging → VehicleCheckOut first.
 */
function wptDetour(out: NextResult, ctx: StepContext, from: EvccStepId): StepResult {
  // A new session only: a resumed one goes on at WPT_ChargeParameterDiscovery ([V2G20-5046]; ./evcc-steps.ts sessionSetup).
  if (out.step === "AuthorizationSetup" && from === "SessionSetup") return { ...out, step: "VehicleCheckIn" };
  if (out.step === "PowerDelivery" && from === "ScheduleExchange" && progress(ctx).alignment !== "EVResultSuccess") return { ...out, step: "WptAlignmentCheck" };
  if (out.step === "SessionStop" && !progress(ctx).checkedOut) {
    progress(ctx).checkedOut = true;
    return { ...out, step: "VehicleCheckOut" };
  }
  return out;
}

function detour(base: EvccStep): EvccStep {
  return rerouted(base, wptDetour);
}

/** PowerDeliveryRes WARNING_WPT: back to fine positioning or SessionStopReq ([V2G20-5061]); else the shared step. */
function powerDeliveryWarned(base: EvccStep): EvccStep {
  const inner = base;
  return Object.freeze({
    ...inner,
    onResponse: (res: Res, ctx: StepContext): StepResult => (warned(res) ? wptWarning("PowerDeliveryRes", ctx) : inner.onResponse(res, ctx)),
  });
}

/** A FAILED answer to this request is followed by SessionStopReq ([V2G20-5067]) instead of ending the session at once. */
function stopsAfterFailed(base: EvccStep): EvccStep {
  return Object.freeze({ ...base, afterFailed: "SessionStop" as const });
}

export const ISO20_WPT_EVCC_STEPS: Readonly<Partial<Record<EvccStepId, EvccStep>>> = Object.freeze({
  ...ISO20_AC_EVCC_STEPS,
  SessionSetup: detour(ISO20_AC_EVCC_STEPS.SessionSetup!),
  ScheduleExchange: detour(ISO20_AC_EVCC_STEPS.ScheduleExchange!),
  PowerDelivery: powerDeliveryWarned(detour(ISO20_AC_EVCC_STEPS.PowerDelivery!)),
  VehicleCheckIn: vehicleCheckIn,
  WptFinePositioningSetup: stopsAfterFailed(finePositioningSetup),
  WptFinePositioning: stopsAfterFailed(finePositioning),
  WptPairing: stopsAfterFailed(pairing),
  WptAlignmentCheck: stopsAfterFailed(alignmentCheck),
  ChargeParameterDiscovery: chargeParameterDiscovery,
  ChargeLoop: stopsAfterFailed(chargeLoop),
  VehicleCheckOut: vehicleCheckOut,
});
