// ISO 15118-2 SECC: MeteringReceiptReq → acknowledged, only after ReceiptRequired=true was sent.

import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { MeteringReceiptReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { acEvseStatus, dcEvseStatus } from "../secc/evse-status";
import { iso2FailedResponse } from "./failed-responses";

export function handle(_req: MeteringReceiptReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  if (!ctx.receiptRequested) return stop(iso2FailedResponse("MeteringReceiptReq", "FAILED_SequenceError", !ctx.dc)!, "sequence-error");
  ctx.receiptRequested = false;
  const res: Record<string, unknown> = { ResponseCode: "OK" };
  if (ctx.dc) res.DC_EVSEStatus = dcEvseStatus(facts, "charging");
  else res.AC_EVSEStatus = acEvseStatus(facts);
  return reply({ MeteringReceiptRes: res });
}
