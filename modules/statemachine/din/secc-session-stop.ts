// DIN 70121 SECC: SessionStopReq → SessionStopRes, then the session ends (DIN has no pause).

import { stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { SessionStopReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { seccState } from "../secc/types";

export function handle(_req: SessionStopReq, ctx: SeccContext, _facts: SeccFacts): HandlerResult {
  const wasCharging = ctx.charging;
  ctx.charging = false;
  return stop({ SessionStopRes: { ResponseCode: "OK" } }, "ev-terminate", wasCharging ? "stop-charging" : undefined);
}

export const state = seccState({ id: "SessionStop", on: { SessionStopReq: handle } });
