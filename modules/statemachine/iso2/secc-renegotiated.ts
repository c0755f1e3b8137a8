// ISO 15118-2 SECC: after a renegotiation's ChargeParameterDiscovery (DC), the EV either starts
// power again (PowerDeliveryReq) or repeats the cable check and pre-charge first.

import { reply } from "../framework";
import type { HandlerResult } from "../framework";
import type { CableCheckReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { cableCheck } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as powerDelivery } from "./secc-power-delivery";
import { handle as sessionStop } from "./secc-session-stop";

/** A fresh isolation check, then the CableCheck state handles the repetitions. */
export function cableCheckAgain(req: CableCheckReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  ctx.cableCheckStarted = false;
  const result = cableCheck(req, ctx, facts);
  return result.kind === "reply" && result.next === undefined ? reply(result.body, "CableCheck", result.signal) : result;
}

export const state = seccState({
  id: "Renegotiated",
  on: { PowerDeliveryReq: powerDelivery, CableCheckReq: cableCheckAgain, SessionStopReq: sessionStop },
});
