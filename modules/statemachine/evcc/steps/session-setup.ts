// SessionSetup: the first request; the SECC assigns (or re-joins) the SessionID.

import type { BodyOf, ResOf } from "../msg";
import type { EvccStep } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";

export const sessionSetup: EvccStep<ResOf<"SessionSetupRes">> = Object.freeze({
  id: "SessionSetup",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  names: () => ({ request: "SessionSetupReq", response: "SessionSetupRes" }),
  request(ctx) {
    return { name: "SessionSetupReq", body: { EVCCID: ctx.config.evccId } satisfies BodyOf<"SessionSetupReq">, trace: { resume: ctx.config.resumeSessionId !== undefined } };
  },
  onResponse(res, ctx) {
    // The session stored Header.SessionID before this handler runs.
    ctx.facts.evseId = res.EVSEID;
    ctx.facts.resumed = res.ResponseCode === "OK_OldSessionJoined";
    return { kind: "next", step: "ServiceDiscovery" };
  },
} satisfies EvccStep<ResOf<"SessionSetupRes">>);
