// SessionStop: Terminate, or (ISO-2) Pause to resume later with the same SessionID.

import type { BodyOf } from "../msg";
import type { EvccStep } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";

export const sessionStop: EvccStep = Object.freeze({
  id: "SessionStop",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  names: () => ({ request: "SessionStopReq", response: "SessionStopRes" }),
  request(ctx) {
    if (ctx.protocol === "din") return { name: "SessionStopReq", body: {} satisfies BodyOf<"SessionStopReq">, trace: { reason: ctx.facts.stopReason } };
    const session = ctx.facts.pause ? "Pause" : "Terminate";
    return { name: "SessionStopReq", body: { ChargingSession: session } satisfies BodyOf<"SessionStopReq">, trace: { session, reason: ctx.facts.stopReason } };
  },
  onResponse() {
    return { kind: "done" };
  },
} satisfies EvccStep);
