// CableCheck (DC): repeat until the EVSE finished the isolation test (V2G_EVCC_CableCheck_Timer).

import type { BodyOf, ResOf } from "../msg";
import type { EvccStep } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";
import { checkDcEvseStatus, dcEvStatus } from "./common";

export const cableCheck: EvccStep<ResOf<"CableCheckRes">> = Object.freeze({
  id: "CableCheck",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  phaseTimer: "cable-check",
  names: () => ({ request: "CableCheckReq", response: "CableCheckRes" }),
  request(ctx) {
    return { name: "CableCheckReq", body: { DC_EVStatus: dcEvStatus(ctx) } satisfies BodyOf<"CableCheckReq">, trace: { soc: Math.floor(ctx.bms.soc()) } };
  },
  onResponse(res, ctx) {
    const status = res.DC_EVSEStatus;
    const problem = checkDcEvseStatus(status);
    if (problem !== undefined) return problem;
    // Finished ends the cable check; a Fault was handled above. Several DIN chargers report
    // EVSEIsolationStatus Invalid (no IMD result) with Finished, and real cars proceed
    // (captures: Renault Zoe DIN), so Invalid does not hold the EV back.
    if (res.EVSEProcessing === "Finished") return { kind: "next", step: "PreCharge" };
    return { kind: "repeat", delay: ctx.config.pollInterval };
  },
} satisfies EvccStep<ResOf<"CableCheckRes">>);
