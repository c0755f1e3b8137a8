// ISO 15118-2 SECC: ChargeParameterDiscoveryReq (AC or DC) → limits and the default SAScheduleList;
// in an authenticated Plug & Charge session with the operator's signed SalesTariff in the tuple
// and the operator's Signature, unchanged, in the response header.

import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { Iso2ChargeParameterDiscoveryReq, Iso2SAScheduleTuple } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { noteDcChargeParameter } from "../secc/session-setup";
import { acEvseChargeParameter, dcEvseChargeParameter, dcEvseStatus, iso2ScheduleList } from "../secc/evse-status";
import { fromPhysical } from "../physical";
import { seccState } from "../secc/types";
import { iso2FailedResponse } from "./failed-responses";
import { handle as sessionStop } from "./secc-session-stop";
import { seccPncOf } from "./pnc";

/** Seconds the PMaxSchedule covers: the last entry's end, or from its start on for a day (V2G2-304). */
function scheduleSpan(tuple: Iso2SAScheduleTuple): number {
  const entries = tuple.PMaxSchedule.PMaxScheduleEntry;
  const last = entries[entries.length - 1]?.RelativeTimeInterval;
  if (last === undefined) return 86_400;
  return last.duration !== undefined ? last.start + last.duration : Math.max(86_400, last.start);
}

/**
 * Adds the operator's signed SalesTariff to the (single) tuple when the session is Plug & Charge
 * and the contract was authenticated; the Signature goes into the response header as received.
 * A tariff with more entries than the EV accepts (MaxEntriesSAScheduleTuple) is left out.
 */
function attachSalesTariff(req: Iso2ChargeParameterDiscoveryReq, schedule: { SAScheduleTuple: Iso2SAScheduleTuple[] }, ctx: SeccContext, facts: SeccFacts): void {
  const pnc = seccPncOf(facts.config);
  const record = ctx.pnc;
  if (pnc?.salesTariff === undefined || ctx.paymentOption !== "Contract" || record?.identified !== true || record.emaid === undefined) return;
  const tuple = schedule.SAScheduleTuple[0];
  const max = req.MaxEntriesSAScheduleTuple;
  const signed = pnc.salesTariff({ emaid: record.emaid, saScheduleTupleId: tuple.SAScheduleTupleID, duration: scheduleSpan(tuple), ...(max !== undefined ? { maxEntries: max } : {}) });
  if (signed === undefined || (max !== undefined && signed.tariff.SalesTariffEntry.length > max)) return;
  tuple.SalesTariff = signed.tariff;
  ctx.responseSignature = signed.signature;
}

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
  const schedule = iso2ScheduleList(facts, ctx);
  attachSalesTariff(req, schedule, ctx, facts);
  const res: Record<string, unknown> = { ResponseCode: "OK", EVSEProcessing: "Finished", SAScheduleList: schedule };
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
