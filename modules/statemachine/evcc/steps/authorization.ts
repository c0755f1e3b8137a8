// Authorization (ISO-2) / ContractAuthentication (DIN) with EIM: repeat while EVSEProcessing
// is Ongoing, within V2G_EVCC_Ongoing_Timer.

import type { ResOf } from "../msg";
import type { EvccStep } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";
import { authorizationReq } from "../iso2-pnc";

export const authorization: EvccStep<ResOf<"AuthorizationRes" | "ContractAuthenticationRes">> = Object.freeze({
  id: "Authorization",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  phaseTimer: "ongoing",
  names: (protocol) =>
    protocol === "din"
      ? { request: "ContractAuthenticationReq", response: "ContractAuthenticationRes" }
      : { request: "AuthorizationReq", response: "AuthorizationRes" },
  request(ctx) {
    const pnc = ctx.facts.pnc;
    if (pnc?.contract !== undefined && pnc.challenge !== undefined) {
      // Plug & Charge: Id and the charger's GenChallenge, signed by the contract key (repeated as is while Ongoing).
      const signed = authorizationReq(ctx.config.pnc!.crypto, pnc.contract, pnc.challenge);
      return { name: signed.name, body: signed.body, signature: signed.signature, trace: { signed: true } };
    }
    // EIM: no GenChallenge and no Id (those belong to Plug & Charge).
    return { name: ctx.protocol === "din" ? "ContractAuthenticationReq" : "AuthorizationReq", body: {}, trace: {} };
  },
  onResponse(res, ctx) {
    if (res.EVSEProcessing === "Finished") return { kind: "next", step: "ChargeParameterDiscovery" };
    // Ongoing, or ISO-2 Ongoing_WaitingForCustomerInteraction (the user still has to swipe a card).
    return { kind: "repeat", delay: ctx.config.pollInterval };
  },
} satisfies EvccStep<ResOf<"AuthorizationRes" | "ContractAuthenticationRes">>);
