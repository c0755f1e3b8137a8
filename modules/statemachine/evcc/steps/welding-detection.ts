// WeldingDetection (DC): after the contactors opened, repeat until EVSEPresentVoltage has
// fallen below the safe limit, then end the session.

import { fromPhysical } from "../physical";
import type { BodyOf, ResOf } from "../msg";
import type { EvccStep } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";
import { dcEvStatus } from "./common";

export const weldingDetection: EvccStep<ResOf<"WeldingDetectionRes">> = Object.freeze({
  id: "WeldingDetection",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  phaseTimer: "welding-detection",
  names: () => ({ request: "WeldingDetectionReq", response: "WeldingDetectionRes" }),
  request(ctx) {
    return { name: "WeldingDetectionReq", body: { DC_EVStatus: dcEvStatus(ctx) } satisfies BodyOf<"WeldingDetectionReq">, trace: {} };
  },
  onResponse(res, ctx) {
    const present = fromPhysical(res.EVSEPresentVoltage);
    ctx.facts.evse.presentVoltage = present;
    const actions = [{ kind: "evse-values" as const, values: { presentVoltage: present, presentCurrent: 0 } }];
    const done = present !== undefined && (ctx.bms.weldingDetectionComplete ? ctx.bms.weldingDetectionComplete(present) : present < ctx.config.weldingVoltageLimit);
    if (done) return { kind: "next", step: "SessionStop", actions };
    return { kind: "repeat", delay: ctx.config.pollInterval, actions };
  },
} satisfies EvccStep<ResOf<"WeldingDetectionRes">>);
