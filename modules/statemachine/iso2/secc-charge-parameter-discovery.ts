// ISO 15118-2 SECC: ChargeParameterDiscoveryReq (AC or DC) → limits and the default SAScheduleList.

import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { Iso2ChargeParameterDiscoveryReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { noteDcChargeParameter } from "../secc/session-setup";
import { acEvseChargeParameter, dcEvseChargeParameter, dcEvseStatus, iso2ScheduleList } from "../secc/evse-status";
import { fromPhysical } from "../physical";
import { seccState } from "../secc/types";
import { iso2FailedResponse } from "./failed-responses";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(req: Iso2ChargeParameterDiscoveryReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const mode = req.RequestedEnergyTransferMode;
  const dc = typeof mode === "string" && mode.startsWith("DC_");
  ctx.dc = dc;
  ctx.energyMode = mode;
  if (facts.config.energyModes.indexOf(mode as never) < 0) {
    return stop(iso2FailedResponse("ChargeParameterDiscoveryReq", "FAILED_WrongEnergyTransferMode", !dc)!, "failed-response");
  }
  if (dc ? req.DC_EVChargeParameter === undefined : req.AC_EVChargeParameter === undefined) {
    return stop(iso2FailedResponse("ChargeParameterDiscoveryReq", "FAILED_WrongChargeParameter", !dc)!, "failed-response");
  }
  if (dc) noteDcChargeParameter(ctx, req.DC_EVChargeParameter!);
  else {
    const ac = req.AC_EVChargeParameter!;
    ctx.ev.maxCurrent = fromPhysical(ac.EVMaxCurrent);
    ctx.ev.maxVoltage = fromPhysical(ac.EVMaxVoltage);
    ctx.ev.energyRequest = fromPhysical(ac.EAmount);
  }
  const departure = dc ? req.DC_EVChargeParameter!.DepartureTime : req.AC_EVChargeParameter!.DepartureTime;
  if (departure !== undefined) ctx.ev.departureTime = departure;
  const res: Record<string, unknown> = { ResponseCode: "OK", EVSEProcessing: "Finished", SAScheduleList: iso2ScheduleList(facts, ctx) };
  if (dc) res.DC_EVSEChargeParameter = dcEvseChargeParameter(facts, dcEvseStatus(facts, "idle"));
  else res.AC_EVSEChargeParameter = acEvseChargeParameter(facts);
  // After PowerDelivery Renegotiate: straight to PowerDelivery (AC), or PowerDelivery or a
  // repeated cable check (DC; some EVs, e.g. RiseV2G's, check again).
  const next = !dc ? "PowerDelivery" : ctx.renegotiating ? "Renegotiated" : "CableCheck";
  // "ev-needs": the charger's operator hears the EV's needs (OCPP NotifyEVChargingNeeds).
  return reply({ ChargeParameterDiscoveryRes: res }, next, "ev-needs");
}

export const state = seccState({
  id: "ChargeParameterDiscovery",
  on: { ChargeParameterDiscoveryReq: handle, SessionStopReq: sessionStop },
  timeout: "ongoing",
});
