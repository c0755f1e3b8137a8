// DIN 70121 SECC: CurrentDemandReq → the charging loop; PowerDeliveryReq (ReadyToChargeState=false) ends it.

import type { HandlerResult } from "../framework";
import type { CurrentDemandReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { currentDemand } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as powerDelivery } from "./secc-power-delivery";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(req: CurrentDemandReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  return currentDemand(req, ctx, facts);
}

export const state = seccState({
  id: "CurrentDemand",
  on: { CurrentDemandReq: handle, PowerDeliveryReq: powerDelivery, SessionStopReq: sessionStop },
});
