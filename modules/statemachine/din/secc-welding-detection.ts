// DIN 70121 SECC: WeldingDetectionReq (repeated while the EV checks its contactors), then SessionStopReq.

import type { HandlerResult } from "../framework";
import type { WeldingDetectionReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { weldingDetection } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(req: WeldingDetectionReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  return weldingDetection(req, ctx, facts);
}

export const state = seccState({ id: "WeldingDetection", on: { WeldingDetectionReq: handle, SessionStopReq: sessionStop } });
