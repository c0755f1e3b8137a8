// ISO 15118-2 SECC: CableCheckReq → Ongoing until the isolation check has finished.

import type { HandlerResult } from "../framework";
import type { CableCheckReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { cableCheck } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(req: CableCheckReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  return cableCheck(req, ctx, facts);
}

export const state = seccState({ id: "CableCheck", on: { CableCheckReq: handle, SessionStopReq: sessionStop }, timeout: "cable-check" });
