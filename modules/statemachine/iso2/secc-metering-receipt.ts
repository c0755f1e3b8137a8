// ISO 15118-2 SECC: MeteringReceiptReq → acknowledged, only after ReceiptRequired=true was sent.
// Plug & Charge: the receipt must be signed by the contract key of PaymentDetails (Id on the
// MeteringReceiptReq element); one that does not verify is FAILED_SignatureError and ends the session.

import { SignatureError, verifySignature } from "../../pki-store/index";
import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { MeteringReceiptReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { acEvseStatus, dcEvseStatus } from "../secc/evse-status";
import { iso2FailedResponse } from "./failed-responses";
import { seccPncOf } from "./pnc";

function receiptSignatureValid(req: MeteringReceiptReq, ctx: SeccContext, facts: SeccFacts): boolean {
  const record = ctx.pnc;
  const pnc = seccPncOf(facts.config);
  if (record === undefined || record.contractKey === undefined || pnc === undefined || typeof req.Id !== "string") return false;
  try {
    verifySignature({ crypto: pnc.crypto, schema: "iso2", signature: ctx.requestSignature, scheme: record.contractScheme!, publicKey: record.contractKey, fragments: [{ id: req.Id, fragment: { MeteringReceiptReq: req } }] });
    return true;
  } catch (error) {
    if (error instanceof SignatureError) return false;
    throw error;
  }
}

export function handle(req: MeteringReceiptReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  if (!ctx.receiptRequested) return stop(iso2FailedResponse("MeteringReceiptReq", "FAILED_SequenceError", !ctx.dc)!, "sequence-error");
  if (ctx.paymentOption === "Contract" && !receiptSignatureValid(req, ctx, facts)) {
    return stop(iso2FailedResponse("MeteringReceiptReq", "FAILED_SignatureError", !ctx.dc)!, "failed-response");
  }
  ctx.receiptRequested = false;
  const res: Record<string, unknown> = { ResponseCode: "OK" };
  if (ctx.dc) res.DC_EVSEStatus = dcEvseStatus(facts, "charging");
  else res.AC_EVSEStatus = acEvseStatus(facts);
  return reply({ MeteringReceiptRes: res });
}
