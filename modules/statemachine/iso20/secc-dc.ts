// ISO 15118-20 SECC handlers of the DC messages (V2G_CI_DC.xsd): DC_ChargeParameterDiscovery,
// DC_CableCheck, DC_PreCharge, DC_ChargeLoop, DC_WeldingDetection — for DC and DC_BPT, in
// Scheduled and Dynamic control mode. Sign conventions: ./bpt.ts.

import type { SeccFacts } from "../charger-interfaces";
import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { AnyBody } from "../msg-types";
import type { SeccContext } from "../secc/context";
import { cableCheckProgress, evseFault } from "../secc/dc-handlers";
import type * as dc from "../../exi/generated/iso20_dc/types";
import { dischargeIn, dischargeOut } from "./bpt";
import { HEADER_SLOT } from "./envelope";
import { iso20FailedResponse } from "./failed-responses";
import type { DischargeLimits } from "./config";
import { fromRational, rational } from "./rational";
import { dischargeCapability, loopMode, loopResponseHead, loopTargetPower, noteDisplay, rec } from "./secc-loop";
import { isBpt } from "./services";

/** IEC 61851-23: the pre-charge current is at most 2 A (the -20 DC_PreChargeReq carries no current). */
const PRE_CHARGE_CURRENT_A = 2;

function failed(request: string, code: string, reason: "failed-response" | "sequence-error" = "failed-response"): HandlerResult {
  return stop(iso20FailedResponse(request, code)!, reason);
}

/**
 * DC_ChargeParameterDiscoveryReq: the EV's limits in, the charger's out. The parameter set must
 * match the selected service (DC ↔ DC_CPDReqEnergyTransferMode, DC_BPT ↔ BPT_DC_…), and the
 * EV's voltage range must meet the charger's; else FAILED_WrongChargeParameter.
 */
export function dcChargeParameterDiscovery(req: dc.DC_ChargeParameterDiscoveryReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  if (!ctx.dc || r.transfer === undefined) return failed("DC_ChargeParameterDiscoveryReq", "FAILED_SequenceError", "sequence-error");
  const bpt = isBpt(r.transfer);
  const p = bpt ? req.BPT_DC_CPDReqEnergyTransferMode : req.DC_CPDReqEnergyTransferMode;
  if (p === undefined) return failed("DC_ChargeParameterDiscoveryReq", "FAILED_WrongChargeParameter");
  const ev = ctx.ev;
  ev.maxVoltage = fromRational(p.EVMaximumVoltage);
  ev.maxCurrent = fromRational(p.EVMaximumChargeCurrent);
  ev.maxPower = fromRational(p.EVMaximumChargePower);
  r.ev.maxChargePower = ev.maxPower;
  r.ev.minChargePower = fromRational(p.EVMinimumChargePower);
  if (p.TargetSOC !== undefined) r.ev.targetSoc = p.TargetSOC;
  if (bpt) {
    const b = p as dc.BPT_DC_CPDReqEnergyTransferModeType;
    r.ev.maxDischargePower = dischargeIn(r, b.EVMaximumDischargePower);
    r.ev.minDischargePower = dischargeIn(r, b.EVMinimumDischargePower);
    r.ev.maxDischargeCurrent = dischargeIn(r, b.EVMaximumDischargeCurrent);
  }
  const limits = facts.evse.dc;
  if (ev.maxVoltage < limits.minVoltage || fromRational(p.EVMinimumVoltage) > limits.maxVoltage) {
    return failed("DC_ChargeParameterDiscoveryReq", "FAILED_WrongChargeParameter");
  }
  const mode: Record<string, unknown> = {
    EVSEMaximumChargePower: rational(limits.maxPower),
    EVSEMinimumChargePower: rational(0),
    EVSEMaximumChargeCurrent: rational(limits.maxCurrent),
    EVSEMinimumChargeCurrent: rational(limits.minCurrent),
    EVSEMaximumVoltage: rational(limits.maxVoltage),
    EVSEMinimumVoltage: rational(limits.minVoltage),
  };
  if (bpt) {
    const d = dischargeCapability(facts);
    const negative = facts.config.iso20?.negativeDischargeLimits;
    const maxDischargeCurrent = d?.maxCurrent ?? (limits.minVoltage > 0 && d !== undefined ? d.maxPower / limits.minVoltage : limits.maxCurrent);
    mode.EVSEMaximumDischargePower = dischargeOut(d?.maxPower ?? 0, negative);
    mode.EVSEMinimumDischargePower = dischargeOut(d?.minPower ?? 0, negative);
    mode.EVSEMaximumDischargeCurrent = dischargeOut(d === undefined ? 0 : maxDischargeCurrent, negative);
    mode.EVSEMinimumDischargeCurrent = dischargeOut(d?.minCurrent ?? 0, negative);
  }
  const body: AnyBody = {
    DC_ChargeParameterDiscoveryRes: { Header: HEADER_SLOT, ResponseCode: "OK", [bpt ? "BPT_DC_CPDResEnergyTransferMode" : "DC_CPDResEnergyTransferMode"]: mode },
  };
  return reply(body, "ScheduleExchange");
}

/** DC_CableCheckReq: Ongoing while the isolation check runs (the first request starts it), then Finished → PreCharge. */
export function dcCableCheck(_req: dc.DC_CableCheckReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  switch (cableCheckProgress(ctx, facts)) {
    case "fault":
    case "failed":
      return failed("DC_CableCheckReq", "FAILED");
    case "start":
      return reply({ DC_CableCheckRes: { Header: HEADER_SLOT, ResponseCode: "OK", EVSEProcessing: "Ongoing" } }, undefined, "start-cable-check");
    case "ongoing":
      return reply({ DC_CableCheckRes: { Header: HEADER_SLOT, ResponseCode: "OK", EVSEProcessing: "Ongoing" } });
    case "finished":
      return reply({ DC_CableCheckRes: { Header: HEADER_SLOT, ResponseCode: "OK", EVSEProcessing: "Finished" } }, "PreCharge");
  }
}

/**
 * DC_PreChargeReq: the output follows the EV's target voltage. Only after one with
 * EVProcessing=Finished may PowerDeliveryReq follow (state PowerDelivery); a PowerDeliveryReq
 * while the EV still said Ongoing is FAILED_SequenceError (standards-notes: a trap other
 * stacks fell into).
 */
export function dcPreCharge(req: dc.DC_PreChargeReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  ctx.ev.targetVoltage = fromRational(req.EVTargetVoltage);
  ctx.ev.targetCurrent = PRE_CHARGE_CURRENT_A;
  r.ev.presentVoltage = fromRational(req.EVPresentVoltage);
  if (evseFault(facts)) return failed("DC_PreChargeReq", "FAILED");
  const finished = req.EVProcessing === "Finished";
  if (finished) r.preChargeFinished = true;
  return reply(
    { DC_PreChargeRes: { Header: HEADER_SLOT, ResponseCode: "OK", EVSEPresentVoltage: rational(facts.evse.presentVoltage) } },
    finished ? "PowerDelivery" : undefined,
    "pre-charge",
  );
}

type DcLoopReq = dc.Scheduled_DC_CLReqControlModeType | dc.BPT_Scheduled_DC_CLReqControlModeType | dc.Dynamic_DC_CLReqControlModeType | dc.BPT_Dynamic_DC_CLReqControlModeType;

/**
 * DC_ChargeLoopReq: the hot path. The control-mode element must be the selected one (Scheduled
 * or Dynamic, BPT or not; else FAILED_WrongChargeParameter). Scheduled: the EV's signed target
 * current and voltage go to the power module. Dynamic: the charger decides the power (energy
 * manager setpoint, else its limit) and tells the EV through the EVSE limits.
 */
export function dcChargeLoop(req: dc.DC_ChargeLoopReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const ev = ctx.ev;
  const picked = loopMode(r, req, "DC");
  const { bpt, dynamic } = picked;
  const mode = picked.mode as DcLoopReq | undefined;
  if (mode === undefined) return failed("DC_ChargeLoopReq", "FAILED_WrongChargeParameter");
  noteDisplay(ctx, req.DisplayParameters);
  const presentVoltage = fromRational(req.EVPresentVoltage);
  r.ev.presentVoltage = presentVoltage;
  if (mode.EVMaximumVoltage !== undefined) ev.maxVoltage = fromRational(mode.EVMaximumVoltage);
  if (mode.EVMaximumChargeCurrent !== undefined) ev.maxCurrent = fromRational(mode.EVMaximumChargeCurrent);
  if (mode.EVMaximumChargePower !== undefined) ev.maxPower = r.ev.maxChargePower = fromRational(mode.EVMaximumChargePower);
  if (bpt) {
    const b = mode as dc.BPT_Scheduled_DC_CLReqControlModeType;
    if (b.EVMaximumDischargePower !== undefined) r.ev.maxDischargePower = dischargeIn(r, b.EVMaximumDischargePower);
    if (b.EVMaximumDischargeCurrent !== undefined) r.ev.maxDischargeCurrent = dischargeIn(r, b.EVMaximumDischargeCurrent);
  }
  const limits = facts.evse.dc;
  if (dynamic) {
    const d = mode as dc.Dynamic_DC_CLReqControlModeType;
    r.ev.targetEnergy = fromRational(d.EVTargetEnergyRequest);
    r.ev.maxEnergy = fromRational(d.EVMaximumEnergyRequest);
    r.ev.minEnergy = fromRational(d.EVMinimumEnergyRequest);
    const power = r.standby ? 0 : loopTargetPower(r, facts, limits.maxPower);
    ev.targetVoltage = ev.maxVoltage;
    const v = presentVoltage > 1 ? presentVoltage : 1;
    let current = power / v;
    if (current > limits.maxCurrent) current = limits.maxCurrent;
    const dischargeCurrent = dischargeCapability(facts)?.maxCurrent;
    if (dischargeCurrent !== undefined && current < -dischargeCurrent) current = -dischargeCurrent;
    ev.targetCurrent = current;
  } else {
    const s = mode as dc.Scheduled_DC_CLReqControlModeType;
    ev.targetVoltage = fromRational(s.EVTargetVoltage);
    // Signed: negative = discharge, allowed only in a BPT service's Discharge channel.
    let current = fromRational(s.EVTargetCurrent);
    if (r.standby || (current < 0 && (!bpt || r.channel !== "Discharge"))) current = 0;
    ev.targetCurrent = current;
  }
  ev.chargingComplete = req.DisplayParameters?.ChargingComplete === true;
  const fault = evseFault(facts);
  const out = loopResponseHead(facts, r, fault, req.MeterInfoRequested);
  const current = ev.targetCurrent;
  const magnitude = current < 0 ? -current : current;
  const discharge = dischargeCapability(facts);
  const currentLimit = current < 0 ? discharge?.maxCurrent ?? limits.maxCurrent : limits.maxCurrent;
  out.EVSEPresentCurrent = rational(facts.evse.presentCurrent);
  out.EVSEPresentVoltage = rational(facts.evse.presentVoltage);
  out.EVSEPowerLimitAchieved = ev.targetVoltage * magnitude >= (current < 0 ? discharge?.maxPower ?? limits.maxPower : limits.maxPower);
  out.EVSECurrentLimitAchieved = magnitude >= currentLimit;
  out.EVSEVoltageLimitAchieved = ev.targetVoltage >= limits.maxVoltage;
  out[picked.resName] = dcLoopLimits(facts, bpt, dynamic, discharge);
  const body: AnyBody = { DC_ChargeLoopRes: out };
  return fault ? stop(body, "failed-response", "stop-charging") : reply(body, undefined, "current-demand");
}

/** The EVSE limits of a DC loop response (Dynamic: the energy manager's power as the maximum); `d`: dischargeCapability(facts), read once per message. */
function dcLoopLimits(facts: SeccFacts, bpt: boolean, dynamic: boolean, d: Readonly<DischargeLimits> | undefined): Record<string, unknown> {
  const limits = facts.evse.dc;
  const setpoint = facts.evse.powerSetpoint;
  const chargePower = dynamic && setpoint !== undefined ? (setpoint > 0 ? Math.min(setpoint, limits.maxPower) : 0) : limits.maxPower;
  const out: Record<string, unknown> = { EVSEMaximumChargePower: rational(chargePower) };
  if (dynamic) out.EVSEMinimumChargePower = rational(0);
  out.EVSEMaximumChargeCurrent = rational(limits.maxCurrent);
  out.EVSEMaximumVoltage = rational(limits.maxVoltage);
  if (bpt) {
    const negative = facts.config.iso20?.negativeDischargeLimits;
    const dischargePower = dynamic && setpoint !== undefined ? (setpoint < 0 ? Math.min(-setpoint, d?.maxPower ?? 0) : 0) : d?.maxPower ?? 0;
    out.EVSEMaximumDischargePower = dischargeOut(dischargePower, negative);
    out.EVSEMinimumDischargePower = dischargeOut(0, negative);
    out.EVSEMaximumDischargeCurrent = dischargeOut(d?.maxCurrent ?? limits.maxCurrent, negative);
    out.EVSEMinimumVoltage = rational(limits.minVoltage);
  }
  return out;
}

/** DC_WeldingDetectionReq: the output is off; the EV checks its contactors against EVSEPresentVoltage. */
export function dcWeldingDetection(_req: dc.DC_WeldingDetectionReqType, _ctx: SeccContext, facts: SeccFacts): HandlerResult {
  return reply(
    { DC_WeldingDetectionRes: { Header: HEADER_SLOT, ResponseCode: "OK", EVSEPresentVoltage: rational(facts.evse.presentVoltage) } },
    undefined,
    "welding-detection",
  );
}
