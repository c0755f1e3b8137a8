// ChargingStatus (ISO-2 AC): the charging loop. EVSEMaxCurrent goes to the on-board charger;
// StopCharging or the BMS end the loop.

import { fromPhysical } from "../physical";
import type { ResOf } from "../msg";
import type { EvccStep, VehicleAction } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";
import { checkAcEvseStatus, round1 } from "./common";
import { receiptDue } from "./pnc";
import type { Iso2 } from "../../../exi/index";

export const chargingStatus: EvccStep<ResOf<"ChargingStatusRes">> = Object.freeze({
  id: "ChargingStatus",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  names: () => ({ request: "ChargingStatusReq", response: "ChargingStatusRes" }),
  request(ctx) {
    return { name: "ChargingStatusReq", body: {}, trace: { soc: round1(ctx.bms.soc()) } };
  },
  onResponse(res, ctx) {
    const actions: VehicleAction[] = [];
    const maxCurrent = fromPhysical(res.EVSEMaxCurrent);
    if (maxCurrent !== undefined) {
      ctx.facts.evse.maxCurrent = maxCurrent;
      actions.push({ kind: "evse-values", values: { maxCurrent, nominalVoltage: ctx.facts.evse.nominalVoltage } });
    }
    const problem = checkAcEvseStatus(res.AC_EVSEStatus);
    if (problem !== undefined) return problem.kind === "wind-down" ? { ...problem, actions } : problem;
    if (ctx.bms.chargingComplete()) return { kind: "wind-down", reason: "charging-complete", actions };
    if (res.AC_EVSEStatus?.EVSENotification === "ReNegotiation") {
      ctx.facts.renegotiating = true;
      return { kind: "next", step: "PowerDelivery", actions };
    }
    // MeteringReceipt needs a contract signature (Plug & Charge); with EIM the EV goes on.
    const receipt = receiptDue(ctx, res as Iso2.ChargingStatusResType, "ChargingStatus");
    if (receipt !== undefined) return { ...receipt, actions };
    return { kind: "repeat", delay: ctx.config.chargingStatusInterval, actions };
  },
} satisfies EvccStep<ResOf<"ChargingStatusRes">>);
