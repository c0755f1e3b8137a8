// DIN 70121 SECC: PreChargeReq → bring the output to the EV's battery voltage; PowerDeliveryReq ends the loop.

import { preCharge } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as powerDelivery } from "./secc-power-delivery";
import { handle as sessionStop } from "./secc-session-stop";

// The shared DC handler itself, not a wrapper: one call less per request in the loop.
export { preCharge as handle };

export const state = seccState({
  id: "PreCharge",
  on: { PreChargeReq: preCharge, PowerDeliveryReq: powerDelivery, SessionStopReq: sessionStop },
  timeout: "pre-charge",
});
