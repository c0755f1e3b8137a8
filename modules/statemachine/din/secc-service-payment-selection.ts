// DIN 70121 SECC: ServicePaymentSelectionReq → the EV picks the payment option and the charge service.

import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { PaymentSelectionReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { checkPaymentSelection } from "../secc/session-setup";
import { seccState } from "../secc/types";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(req: PaymentSelectionReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const code = checkPaymentSelection(req, ctx, facts);
  // DIN knows neither FAILED_NoChargeServiceSelected nor a separate selection code for it.
  const dinCode = code === "FAILED_NoChargeServiceSelected" ? "FAILED_ServiceSelectionInvalid" : code;
  const body = { ServicePaymentSelectionRes: { ResponseCode: dinCode } };
  return dinCode === "OK" ? reply(body, "ContractAuthentication") : stop(body, "failed-response");
}

export const state = seccState({
  id: "ServicePaymentSelection",
  on: { ServicePaymentSelectionReq: handle, SessionStopReq: sessionStop },
});
