// DIN 70121 SECC: PreChargeReq → bring the output to the EV's battery voltage; PowerDeliveryReq ends the loop.

import type { HandlerResult } from "../framework";
import type { PreChargeReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { preCharge } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as powerDelivery } from "./secc-power-delivery";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(req: PreChargeReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  return preCharge(req, ctx, facts);
}

export const state = seccState({
  id: "PreCharge",
  on: { PreChargeReq: handle, PowerDeliveryReq: powerDelivery, SessionStopReq: sessionStop },
  timeout: "pre-charge",
});
