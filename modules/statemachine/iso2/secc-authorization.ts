// ISO 15118-2 SECC: AuthorizationReq (EIM) → Ongoing until external identification answers.

import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { AuthorizationReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { authorizationStep } from "../secc/session-setup";
import { seccState } from "../secc/types";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(_req: AuthorizationReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const step = authorizationStep(ctx, facts);
  const body = {
    AuthorizationRes: {
      ResponseCode: step === "rejected" ? "FAILED" : "OK",
      EVSEProcessing: step === "accepted" || step === "rejected" ? "Finished" : (facts.config.authorizationOngoing ?? "Ongoing"),
    },
  };
  if (step === "rejected") return stop(body, "failed-response");
  if (step === "accepted") return reply(body, "ChargeParameterDiscovery");
  return reply(body, undefined, step === "request" ? "request-authorization" : undefined);
}

export const state = seccState({ id: "Authorization", on: { AuthorizationReq: handle, SessionStopReq: sessionStop }, timeout: "ongoing" });
