// PreCharge (DC): ask for the battery voltage at ≤ 2 A until EVSEPresentVoltage is within the
// tolerance (V2G_EVCC_PreCharge_Timer), then close the contactors.

import { fromPhysical, physical } from "../physical";
import type { BodyOf, ResOf } from "../msg";
import type { EvccStep } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";
import { checkDcEvseStatus, dcEvStatus, round1 } from "./common";

export const preCharge: EvccStep<ResOf<"PreChargeRes">> = Object.freeze({
  id: "PreCharge",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  phaseTimer: "pre-charge",
  names: () => ({ request: "PreChargeReq", response: "PreChargeRes" }),
  request(ctx) {
    const target = ctx.bms.voltage();
    const current = ctx.config.preChargeCurrent;
    return {
      name: "PreChargeReq",
      body: { DC_EVStatus: dcEvStatus(ctx), EVTargetVoltage: physical(round1(target)!, "V"), EVTargetCurrent: physical(current, "A") } satisfies BodyOf<"PreChargeReq">,
      trace: { targetVoltage: round1(target), targetCurrent: current },
    };
  },
  onResponse(res, ctx) {
    const problem = checkDcEvseStatus(res.DC_EVSEStatus);
    if (problem !== undefined) return problem;
    const present = fromPhysical(res.EVSEPresentVoltage);
    ctx.facts.evse.presentVoltage = present;
    const actions = [{ kind: "evse-values" as const, values: { presentVoltage: present } }];
    const complete =
      present !== undefined &&
      (ctx.bms.preChargeComplete ? ctx.bms.preChargeComplete(present) : Math.abs(present - ctx.bms.voltage()) <= ctx.config.preChargeTolerance);
    if (complete) {
      return { kind: "next", step: "PowerDelivery", actions: [...actions, { kind: "contactors", closed: true }] };
    }
    return { kind: "repeat", delay: ctx.config.pollInterval, actions };
  },
} satisfies EvccStep<ResOf<"PreChargeRes">>);
