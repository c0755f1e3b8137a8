// DIN 70121 SECC: ChargeParameterDiscoveryReq → the DC limits and the default SAScheduleList.

import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { DinChargeParameterDiscoveryReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { noteDcChargeParameter } from "../secc/session-setup";
import { dcEvseChargeParameter, dinDcEvseStatus, dinScheduleList } from "../secc/evse-status";
import { seccState } from "../secc/types";
import { dinFailedResponse } from "./failed-responses";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(req: DinChargeParameterDiscoveryReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const mode = req.EVRequestedEnergyTransferType;
  ctx.energyMode = mode;
  ctx.dc = true;
  if (typeof mode !== "string" || !mode.startsWith("DC_")) {
    return stop(dinFailedResponse("ChargeParameterDiscoveryReq", "FAILED_WrongEnergyTransferType")!, "failed-response");
  }
  if (req.DC_EVChargeParameter === undefined) {
    return stop(dinFailedResponse("ChargeParameterDiscoveryReq", "FAILED_WrongChargeParameter")!, "failed-response");
  }
  noteDcChargeParameter(ctx, req.DC_EVChargeParameter);
  const charge = dcEvseChargeParameter(facts, dinDcEvseStatus(facts, "idle"));
  return reply(
    {
      ChargeParameterDiscoveryRes: {
        ResponseCode: "OK",
        EVSEProcessing: "Finished",
        SAScheduleList: dinScheduleList(facts, ctx),
        DC_EVSEChargeParameter: charge,
      },
    },
    "CableCheck",
    "ev-needs",
  );
}

export const state = seccState({
  id: "ChargeParameterDiscovery",
  on: { ChargeParameterDiscoveryReq: handle, SessionStopReq: sessionStop },
  timeout: "ongoing",
});
