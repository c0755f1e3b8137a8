// Authorization (ISO-2) / ContractAuthentication (DIN) with EIM: repeat while EVSEProcessing
// is Ongoing, within V2G_EVCC_Ongoing_Timer.

import type { ResOf } from "../msg";
import type { EvccStep } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";

export const authorization: EvccStep<ResOf<"AuthorizationRes" | "ContractAuthenticationRes">> = Object.freeze({
  id: "Authorization",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  phaseTimer: "ongoing",
  names: (protocol) =>
    protocol === "din"
      ? { request: "ContractAuthenticationReq", response: "ContractAuthenticationRes" }
      : { request: "AuthorizationReq", response: "AuthorizationRes" },
  request(ctx) {
    // EIM: no GenChallenge and no Id (those belong to Plug & Charge).
    return { name: ctx.protocol === "din" ? "ContractAuthenticationReq" : "AuthorizationReq", body: {}, trace: {} };
  },
  onResponse(res, ctx) {
    if (res.EVSEProcessing === "Finished") return { kind: "next", step: "ChargeParameterDiscovery" };
    // Ongoing, or ISO-2 Ongoing_WaitingForCustomerInteraction (the user still has to swipe a card).
    return { kind: "repeat", delay: ctx.config.pollInterval };
  },
} satisfies EvccStep<ResOf<"AuthorizationRes" | "ContractAuthenticationRes">>);
