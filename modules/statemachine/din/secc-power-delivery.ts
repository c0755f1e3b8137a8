// DIN 70121 SECC: PowerDeliveryReq → start (ReadyToChargeState=true) or stop delivering power.

import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { DinPowerDeliveryReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { noteEvStatus } from "../secc/context";
import { DIN_PMAX_CEILING, dinDcEvseStatus, profileWithinSchedule } from "../secc/evse-status";
import { evseFault } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(req: DinPowerDeliveryReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  if (req.DC_EVPowerDeliveryParameter !== undefined) noteEvStatus(ctx, req.DC_EVPowerDeliveryParameter.DC_EVStatus);
  // Field reports: ReadyToChargeState is a boolean, but be lenient with "true"/1 from odd encoders.
  const start = req.ReadyToChargeState === true || (req.ReadyToChargeState as unknown) === "true";
  // A charging profile names the SAScheduleTuple it follows: it must be the one offered.
  if (req.ChargingProfile !== undefined && req.ChargingProfile.SAScheduleTupleID !== ctx.saScheduleTupleId) {
    return stop({ PowerDeliveryRes: { ResponseCode: "FAILED_TariffSelectionInvalid", DC_EVSEStatus: dinDcEvseStatus(facts, "idle") } }, "failed-response");
  }
  // As in ISO-2: a profile above the offered schedule (PMax saturated at the xs:short the EV
  // saw), or none at all where the charger insists (config.requireChargingProfile), is refused.
  if (start && (req.ChargingProfile === undefined ? facts.config.requireChargingProfile === true : !dinProfileWithinSchedule(req.ChargingProfile.ProfileEntry, facts))) {
    return stop({ PowerDeliveryRes: { ResponseCode: "FAILED_ChargingProfileInvalid", DC_EVSEStatus: dinDcEvseStatus(facts, "idle") } }, "failed-response");
  }
  if (start && evseFault(facts)) {
    // Emergency or malfunction: no power now.
    return stop({ PowerDeliveryRes: { ResponseCode: "FAILED_PowerDeliveryNotApplied", DC_EVSEStatus: dinDcEvseStatus(facts, "idle") } }, "failed-response");
  }
  ctx.charging = start;
  const body = { PowerDeliveryRes: { ResponseCode: "OK", DC_EVSEStatus: dinDcEvseStatus(facts, start ? "charging" : "idle") } };
  return start ? reply(body, "CurrentDemand", "start-charging") : reply(body, "WeldingDetection", "stop-charging");
}

function dinProfileWithinSchedule(entries: NonNullable<DinPowerDeliveryReq["ChargingProfile"]>["ProfileEntry"], facts: SeccFacts): boolean {
  const steps: { start: number; power: number }[] = [];
  for (let i = 0; i < entries.length; i++) steps.push({ start: entries[i].ChargingProfileEntryStart, power: entries[i].ChargingProfileEntryMaxPower });
  return profileWithinSchedule(steps, facts, true, DIN_PMAX_CEILING);
}

export const state = seccState({ id: "PowerDelivery", on: { PowerDeliveryReq: handle, SessionStopReq: sessionStop } });
