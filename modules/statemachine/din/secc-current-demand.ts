// DIN 70121 SECC: CurrentDemandReq → the charging loop; PowerDeliveryReq (ReadyToChargeState=false) ends it.

import { currentDemand } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as powerDelivery } from "./secc-power-delivery";
import { handle as sessionStop } from "./secc-session-stop";

// The shared DC handler itself, not a wrapper: one call less per request in the loop.
export { currentDemand as handle };

export const state = seccState({
  id: "CurrentDemand",
  on: { CurrentDemandReq: currentDemand, PowerDeliveryReq: powerDelivery, SessionStopReq: sessionStop },
});
