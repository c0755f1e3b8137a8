// ISO 15118-2 SECC: ChargingStatusReq → the AC charging loop; PowerDeliveryReq (Stop/Renegotiate) ends it.

import { reply } from "../framework";
import type { HandlerResult } from "../framework";
import type { ChargingStatusReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { acEvseStatus, iso2MeterInfo } from "../secc/evse-status";
import { physical } from "../physical";
import { seccState } from "../secc/types";
import { handle as meteringReceipt } from "./secc-metering-receipt";
import { handle as powerDelivery } from "./secc-power-delivery";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(_req: ChargingStatusReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const res: Record<string, unknown> = {
    ResponseCode: "OK",
    EVSEID: facts.config.evseId,
    SAScheduleTupleID: ctx.saScheduleTupleId,
    EVSEMaxCurrent: physical(facts.evse.ac.maxCurrent, "A"),
  };
  const meter = iso2MeterInfo(facts);
  if (meter !== undefined) res.MeterInfo = meter;
  if (facts.config.receiptRequired && meter !== undefined) {
    res.ReceiptRequired = true;
    ctx.receiptRequested = true;
  }
  res.AC_EVSEStatus = acEvseStatus(facts);
  return reply({ ChargingStatusRes: res });
}

export const state = seccState({
  id: "ChargingStatus",
  on: { ChargingStatusReq: handle, PowerDeliveryReq: powerDelivery, MeteringReceiptReq: meteringReceipt, SessionStopReq: sessionStop },
});
