// ISO 15118-2 SECC: PowerDeliveryReq → ChargeProgress Start, Stop or Renegotiate.

import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { Iso2PowerDeliveryReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { noteEvStatus } from "../secc/context";
import { acEvseStatus, dcEvseStatus, profileWithinSchedule } from "../secc/evse-status";
import { fromPhysical } from "../physical";
import { evseFault } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { iso2FailedResponse } from "./failed-responses";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(req: Iso2PowerDeliveryReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  if (req.DC_EVPowerDeliveryParameter !== undefined) noteEvStatus(ctx, req.DC_EVPowerDeliveryParameter.DC_EVStatus);
  // The EV must name the tuple offered in ChargeParameterDiscoveryRes.
  if (req.SAScheduleTupleID !== ctx.saScheduleTupleId) {
    return stop(iso2FailedResponse("PowerDeliveryReq", "FAILED_TariffSelectionInvalid", !ctx.dc)!, "failed-response");
  }
  const progress = req.ChargeProgress;
  // ChargingProfile is optional in the schema; a charger configured like the fielded ones that
  // insist on it (config.requireChargingProfile) refuses a Start without one.
  const profileMissing = req.ChargingProfile === undefined && facts.config.requireChargingProfile === true;
  if (progress === "Start" && (profileMissing || (req.ChargingProfile !== undefined && !iso2ProfileWithinSchedule(req.ChargingProfile.ProfileEntry, ctx, facts)))) {
    return stop(iso2FailedResponse("PowerDeliveryReq", "FAILED_ChargingProfileInvalid", !ctx.dc)!, "failed-response");
  }
  const res: Record<string, unknown> = { ResponseCode: "OK" };
  if (progress === "Start" && evseFault(facts)) {
    // Emergency or malfunction: no power now.
    return stop(iso2FailedResponse("PowerDeliveryReq", "FAILED_PowerDeliveryNotApplied", !ctx.dc)!, "failed-response");
  }
  if (progress === "Start") {
    ctx.ev.chargingProfile = req.ChargingProfile === undefined ? undefined : iso2ProfileSteps(req.ChargingProfile.ProfileEntry);
    ctx.charging = true;
    ctx.renegotiating = false;
    if (ctx.dc) res.DC_EVSEStatus = dcEvseStatus(facts, "charging");
    else res.AC_EVSEStatus = acEvseStatus(facts);
    return reply({ PowerDeliveryRes: res }, ctx.dc ? "CurrentDemand" : "ChargingStatus", "start-charging");
  }
  if (ctx.dc) res.DC_EVSEStatus = dcEvseStatus(facts, "idle");
  else res.AC_EVSEStatus = acEvseStatus(facts);
  if (progress === "Renegotiate") {
    // Power keeps flowing while new parameters are agreed; ChargeParameterDiscovery follows.
    ctx.renegotiating = true;
    return reply({ PowerDeliveryRes: res }, "ChargeParameterDiscovery");
  }
  const wasCharging = ctx.charging;
  ctx.charging = false;
  return reply({ PowerDeliveryRes: res }, ctx.dc ? "WeldingDetection" : "SessionStop", wasCharging || ctx.dc ? "stop-charging" : undefined);
}

/** The EV's charging profile within the schedule it chose (secc/evse-status.ts profileWithinSchedule). */
function iso2ProfileWithinSchedule(entries: readonly ProfileEntry[] | undefined, ctx: SeccContext, facts: SeccFacts): boolean {
  if (entries === undefined) return true;
  return profileWithinSchedule(iso2ProfileSteps(entries), facts, ctx.dc);
}

type ProfileEntry = Iso2PowerDeliveryReq extends { ChargingProfile?: { ProfileEntry: (infer E)[] } } ? E : never;

export const state = seccState({ id: "PowerDelivery", on: { PowerDeliveryReq: handle, SessionStopReq: sessionStop } });

/** ProfileEntry as (start s, max power W). */
function iso2ProfileSteps(entries: readonly ProfileEntry[]): { start: number; power: number }[] {
  const steps: { start: number; power: number }[] = [];
  for (let i = 0; i < entries.length; i++) {
    steps.push({ start: entries[i].ChargingProfileEntryStart, power: fromPhysical(entries[i].ChargingProfileEntryMaxPower) });
  }
  return steps;
}
