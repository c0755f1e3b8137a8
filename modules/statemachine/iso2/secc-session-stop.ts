// ISO 15118-2 SECC: SessionStopReq → SessionStopRes; ChargingSession=Pause keeps the session for resumption.

import { stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { SessionStopReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { seccState } from "../secc/types";

export function handle(req: SessionStopReq, ctx: SeccContext, _facts: SeccFacts): HandlerResult {
  const wasCharging = ctx.charging;
  ctx.charging = false;
  const pause = "ChargingSession" in req && req.ChargingSession === "Pause";
  return stop({ SessionStopRes: { ResponseCode: "OK" } }, pause ? "ev-pause" : "ev-terminate", wasCharging ? "stop-charging" : undefined);
}

export const state = seccState({ id: "SessionStop", on: { SessionStopReq: handle } });
