// ISO 15118-20 SECC handlers of the AC messages (V2G_CI_AC.xsd): AC_ChargeParameterDiscovery and
// AC_ChargeLoop, for AC and AC_BPT, Scheduled and Dynamic. Sign conventions: ./bpt.ts.

import type { SeccFacts } from "../charger-interfaces";
import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { AnyBody } from "../msg-types";
import type { SeccContext } from "../secc/context";
import { evseFault } from "../secc/dc-handlers";
import type * as ac from "../../exi/generated/iso20_ac/types";
import { dischargeIn, dischargeOut } from "./bpt";
import { HEADER_SLOT } from "./envelope";
import { iso20FailedResponse } from "./failed-responses";
import { fromRational, rational } from "./rational";
import { maxChargePower, schedulePowerAt } from "./secc-common";
import { dischargeCapability, loopMode, loopResponseHead, loopTargetPower, noteDisplay, rec } from "./secc-loop";
import { isBpt } from "./services";

/** The grid frequency the charger announces (EVSENominalFrequency, Hz). */
const NOMINAL_FREQUENCY_HZ = 50;

function failed(request: string, code: string, reason: "failed-response" | "sequence-error" = "failed-response"): HandlerResult {
  return stop(iso20FailedResponse(request, code, true)!, reason);
}

/** AC_ChargeParameterDiscoveryReq: the EV's power limits in, the supply's out (AC ↔ AC_CPD…, AC_BPT ↔ BPT_AC_CPD…). */
export function acChargeParameterDiscovery(req: ac.AC_ChargeParameterDiscoveryReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  if (ctx.dc || r.transfer === undefined) return failed("AC_ChargeParameterDiscoveryReq", "FAILED_SequenceError", "sequence-error");
  const bpt = isBpt(r.transfer);
  const p = bpt ? req.BPT_AC_CPDReqEnergyTransferMode : req.AC_CPDReqEnergyTransferMode;
  if (p === undefined) return failed("AC_ChargeParameterDiscoveryReq", "FAILED_WrongChargeParameter");
  r.ev.maxChargePower = ctx.ev.maxPower = fromRational(p.EVMaximumChargePower);
  r.ev.minChargePower = fromRational(p.EVMinimumChargePower);
  const mode: Record<string, unknown> = {
    EVSEMaximumChargePower: rational(maxChargePower(facts)),
    EVSEMinimumChargePower: rational(0),
    EVSENominalFrequency: rational(NOMINAL_FREQUENCY_HZ),
  };
  if (bpt) {
    const b = p as ac.BPT_AC_CPDReqEnergyTransferModeType;
    r.ev.maxDischargePower = dischargeIn(r, b.EVMaximumDischargePower);
    r.ev.minDischargePower = dischargeIn(r, b.EVMinimumDischargePower);
    const d = dischargeCapability(facts);
    const negative = facts.config.iso20?.negativeDischargeLimits;
    mode.EVSEMaximumDischargePower = dischargeOut(d?.maxPower ?? 0, negative);
    mode.EVSEMinimumDischargePower = dischargeOut(d?.minPower ?? 0, negative);
  }
  const body: AnyBody = {
    AC_ChargeParameterDiscoveryRes: { Header: HEADER_SLOT, ResponseCode: "OK", [bpt ? "BPT_AC_CPDResEnergyTransferMode" : "AC_CPDResEnergyTransferMode"]: mode },
  };
  return reply(body, "ScheduleExchange");
}

type AcLoopReq = ac.Scheduled_AC_CLReqControlModeType | ac.BPT_Scheduled_AC_CLReqControlModeType | ac.Dynamic_AC_CLReqControlModeType | ac.BPT_Dynamic_AC_CLReqControlModeType;

/**
 * AC_ChargeLoopReq. Scheduled: the target is the schedule's power now (negative in a BPT
 * service's Discharge channel: the discharging schedule). Dynamic: the energy manager's
 * setpoint within the limits (EVSETargetActivePower, signed). Present power from the supply.
 */
export function acChargeLoop(req: ac.AC_ChargeLoopReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const picked = loopMode(r, req, "AC");
  const { bpt, dynamic } = picked;
  const mode = picked.mode as AcLoopReq | undefined;
  if (mode === undefined) return failed("AC_ChargeLoopReq", "FAILED_WrongChargeParameter");
  noteDisplay(ctx, req.DisplayParameters);
  r.ev.presentActivePower = fromRational(mode.EVPresentActivePower);
  if (mode.EVMaximumChargePower !== undefined) r.ev.maxChargePower = fromRational(mode.EVMaximumChargePower);
  if (bpt) {
    const b = mode as ac.BPT_Scheduled_AC_CLReqControlModeType;
    if (b.EVMaximumDischargePower !== undefined) r.ev.maxDischargePower = dischargeIn(r, b.EVMaximumDischargePower);
  }
  if (dynamic) {
    // The EV's energy requests bound the direction of the Dynamic target (secc-loop.ts loopTargetPower).
    const d = mode as ac.Dynamic_AC_CLReqControlModeType;
    r.ev.targetEnergy = fromRational(d.EVTargetEnergyRequest);
    r.ev.maxEnergy = fromRational(d.EVMaximumEnergyRequest);
    r.ev.minEnergy = fromRational(d.EVMinimumEnergyRequest);
  }
  const limit = maxChargePower(facts);
  let target: number;
  if (r.standby) target = 0;
  else if (dynamic) target = loopTargetPower(r, facts, limit);
  else if (bpt && r.channel === "Discharge") target = -Math.min(dischargeCapability(facts)?.maxPower ?? 0, r.ev.maxDischargePower);
  else target = Math.min(schedulePowerAt(facts, (facts.now - r.startedAt) / 1000), limit);
  r.targetPower = target;
  const fault = evseFault(facts);
  const out = loopResponseHead(facts, r, fault, req.MeterInfoRequested);
  const evse = facts.evse;
  const present = evse.presentCurrent * evse.ac.nominalVoltage * evse.ac.phases;
  out[picked.resName] = { EVSETargetActivePower: rational(target), EVSEPresentActivePower: rational(present) };
  const body: AnyBody = { AC_ChargeLoopRes: out };
  return fault ? stop(body, "failed-response", "stop-charging") : reply(body, undefined, "ac-target");
}
