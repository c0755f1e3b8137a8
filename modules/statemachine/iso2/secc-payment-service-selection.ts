// ISO 15118-2 SECC: PaymentServiceSelectionReq → ExternalPayment (then Authorization) or Contract
// (then PaymentDetails, iso2/pnc.ts) and the charge service; ServiceDetailReq may come first.

import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { PaymentSelectionReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { checkPaymentSelection } from "../secc/session-setup";
import { seccState } from "../secc/types";
import { handle as serviceDetail } from "./secc-service-detail";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(req: PaymentSelectionReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const code = checkPaymentSelection(req, ctx, facts);
  const body = { PaymentServiceSelectionRes: { ResponseCode: code } };
  if (code !== "OK") return stop(body, "failed-response");
  if (ctx.paymentOption !== "Contract") return reply(body, "Authorization");
  // Plug & Charge: certificate installation/update or PaymentDetails next.
  ctx.pnc = { identified: false };
  return reply(body, "PaymentDetails");
}

export const state = seccState({
  id: "PaymentServiceSelection",
  on: { PaymentServiceSelectionReq: handle, ServiceDetailReq: serviceDetail, SessionStopReq: sessionStop },
});
