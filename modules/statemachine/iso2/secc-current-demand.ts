// ISO 15118-2 SECC: CurrentDemandReq → the DC charging loop; PowerDeliveryReq (Stop/Renegotiate) ends it.

import type { HandlerResult } from "../framework";
import type { CurrentDemandReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { currentDemand } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as meteringReceipt } from "./secc-metering-receipt";
import { handle as powerDelivery } from "./secc-power-delivery";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(req: CurrentDemandReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  return currentDemand(req, ctx, facts);
}

export const state = seccState({
  id: "CurrentDemand",
  on: { CurrentDemandReq: handle, PowerDeliveryReq: powerDelivery, MeteringReceiptReq: meteringReceipt, SessionStopReq: sessionStop },
});
