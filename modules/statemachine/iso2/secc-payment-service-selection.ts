// ISO 15118-2 SECC: PaymentServiceSelectionReq → ExternalPayment and the charge service; ServiceDetailReq may come first.

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
  return code === "OK" ? reply(body, "Authorization") : stop(body, "failed-response");
}

export const state = seccState({
  id: "PaymentServiceSelection",
  on: { PaymentServiceSelectionReq: handle, ServiceDetailReq: serviceDetail, SessionStopReq: sessionStop },
});
