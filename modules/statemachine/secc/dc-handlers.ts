// The DC charging steps DIN 70121 and ISO 15118-2 share (CableCheck, PreCharge, CurrentDemand,
// WeldingDetection). The protocol files wrap them; only the status flavour and the ISO-2
// extras of CurrentDemandRes differ.

import type { SeccFacts } from "../charger-interfaces";
import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { CableCheckReq, CurrentDemandReq, DcEvseStatus, PreChargeReq, WeldingDetectionReq } from "../msg-types";
import { fromPhysical, physical } from "../physical";
import type { SeccContext } from "./context";
import { noteEvStatus, noteLimit } from "./context";
import { dcEvseStatus, dinDcEvseStatus, iso2MeterInfo } from "./evse-status";
import type { DcPhase } from "./evse-status";

function status(ctx: SeccContext, facts: SeccFacts, phase: DcPhase): DcEvseStatus {
  return ctx.protocol === "din" ? dinDcEvseStatus(facts, phase) : dcEvseStatus(facts, phase);
}

/** The charger reports a condition under which no power may flow. */
export function evseFault(facts: SeccFacts): boolean {
  return facts.evse.emergency || facts.evse.malfunction;
}

/**
 * CableCheckReq. The first one starts the isolation check (feedback startCableCheck); until the
 * charger pushes cable-check-finished the answer is EVSEProcessing=Ongoing with status
 * EVSE_IsolationMonitoringActive (IEC 61851-23 §6.4.3.106: isolation is measured before
 * pre-charge). Valid, Warning or No_IMD → Finished and on to PreCharge; Fault → FAILED.
 */
export function cableCheck(req: CableCheckReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  noteEvStatus(ctx, req.DC_EVStatus);
  switch (cableCheckProgress(ctx, facts)) {
    case "fault":
      return stop({ CableCheckRes: { ResponseCode: "FAILED", DC_EVSEStatus: status(ctx, facts, "idle"), EVSEProcessing: "Finished" } }, "failed-response");
    case "start":
      return reply(
        { CableCheckRes: { ResponseCode: "OK", DC_EVSEStatus: status(ctx, facts, "cable-check"), EVSEProcessing: "Ongoing" } },
        undefined,
        "start-cable-check",
      );
    case "ongoing":
      return reply({ CableCheckRes: { ResponseCode: "OK", DC_EVSEStatus: status(ctx, facts, "cable-check"), EVSEProcessing: "Ongoing" } });
    case "failed":
      return stop(
        { CableCheckRes: { ResponseCode: "FAILED", DC_EVSEStatus: status(ctx, facts, "cable-check"), EVSEProcessing: "Finished" } },
        "failed-response",
      );
    case "finished":
      return reply({ CableCheckRes: { ResponseCode: "OK", DC_EVSEStatus: status(ctx, facts, "idle"), EVSEProcessing: "Finished" } }, "PreCharge");
  }
}

/**
 * Where the cable check stands (DIN, ISO-2 and -20 alike): "fault" = the charger cannot
 * deliver power; "start" = the first request (starts the isolation check); "ongoing" = not
 * finished yet; "failed" = isolation Fault (or no valid result); "finished" = go on to PreCharge.
 */
export function cableCheckProgress(ctx: SeccContext, facts: SeccFacts): "fault" | "start" | "ongoing" | "failed" | "finished" {
  if (evseFault(facts)) return "fault";
  if (!ctx.cableCheckStarted) {
    ctx.cableCheckStarted = true;
    return "start";
  }
  if (!facts.evse.cableCheckFinished) return "ongoing";
  if (facts.evse.isolation === "Fault" || facts.evse.isolation === "Invalid") return "failed";
  return "finished";
}

/** How close (V) the output must be to the EV's pre-charge target to count as there. */
export const PRE_CHARGE_TOLERANCE_V = 20;

/** The output voltage has reached the EV's pre-charge target (within PRE_CHARGE_TOLERANCE_V). */
export function preChargeConverged(ctx: SeccContext, facts: { readonly evse: { readonly presentVoltage: number } }): boolean {
  const diff = facts.evse.presentVoltage - ctx.ev.targetVoltage;
  return diff <= PRE_CHARGE_TOLERANCE_V && diff >= -PRE_CHARGE_TOLERANCE_V;
}

/** PreChargeReq: pass the EV's target to the power module and report the present voltage. */
export function preCharge(req: PreChargeReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  noteEvStatus(ctx, req.DC_EVStatus);
  ctx.ev.targetVoltage = fromPhysical(req.EVTargetVoltage);
  ctx.ev.targetCurrent = fromPhysical(req.EVTargetCurrent);
  const body = {
    PreChargeRes: {
      ResponseCode: evseFault(facts) ? "FAILED" : "OK",
      DC_EVSEStatus: status(ctx, facts, "idle"),
      EVSEPresentVoltage: physical(facts.evse.presentVoltage, "V"),
    },
  };
  return evseFault(facts) ? stop(body, "failed-response") : reply(body, undefined, "pre-charge");
}

/**
 * CurrentDemandReq: the hot path (the answer is due within 25 ms). No closures, no JSON:
 * one response object with its status and physical values, the limits flags computed inline.
 */
export function currentDemand(req: CurrentDemandReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const ev = ctx.ev;
  noteEvStatus(ctx, req.DC_EVStatus);
  ev.targetVoltage = fromPhysical(req.EVTargetVoltage);
  ev.targetCurrent = fromPhysical(req.EVTargetCurrent);
  noteLimit(ev, "maxVoltage", req.EVMaximumVoltageLimit);
  noteLimit(ev, "maxCurrent", req.EVMaximumCurrentLimit);
  noteLimit(ev, "maxPower", req.EVMaximumPowerLimit);
  ev.chargingComplete = req.ChargingComplete === true;
  const dc = facts.evse.dc;
  const fault = evseFault(facts);
  const res: Record<string, unknown> = {
    ResponseCode: fault ? "FAILED" : "OK",
    DC_EVSEStatus: status(ctx, facts, "charging"),
    EVSEPresentVoltage: physical(facts.evse.presentVoltage, "V"),
    EVSEPresentCurrent: physical(facts.evse.presentCurrent, "A"),
    EVSECurrentLimitAchieved: ev.targetCurrent >= dc.maxCurrent,
    EVSEVoltageLimitAchieved: ev.targetVoltage >= dc.maxVoltage,
    EVSEPowerLimitAchieved: ev.targetVoltage * ev.targetCurrent >= dc.maxPower,
    EVSEMaximumVoltageLimit: physical(dc.maxVoltage, "V"),
    EVSEMaximumCurrentLimit: physical(dc.maxCurrent, "A"),
    EVSEMaximumPowerLimit: physical(dc.maxPower, "W"),
  };
  if (ctx.protocol === "iso2") {
    res.EVSEID = facts.config.evseId;
    res.SAScheduleTupleID = ctx.saScheduleTupleId;
    const meter = iso2MeterInfo(facts);
    if (meter !== undefined) res.MeterInfo = meter;
    if (facts.config.receiptRequired && meter !== undefined) {
      res.ReceiptRequired = true;
      ctx.receiptRequested = true;
    }
  }
  const body = { CurrentDemandRes: res };
  return fault ? stop(body, "failed-response", "stop-charging") : reply(body, undefined, "current-demand");
}

/** WeldingDetectionReq: the output is off; report the voltage the EV measures contactor welding with. */
export function weldingDetection(req: WeldingDetectionReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  noteEvStatus(ctx, req.DC_EVStatus);
  return reply(
    {
      WeldingDetectionRes: {
        ResponseCode: "OK",
        DC_EVSEStatus: status(ctx, facts, "idle"),
        EVSEPresentVoltage: physical(facts.evse.presentVoltage, "V"),
      },
    },
    undefined,
    "welding-detection",
  );
}
