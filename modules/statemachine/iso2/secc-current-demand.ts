// ISO 15118-2 SECC: CurrentDemandReq → the DC charging loop; PowerDeliveryReq (Stop/Renegotiate) ends it.

import { currentDemand } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as meteringReceipt } from "./secc-metering-receipt";
import { handle as powerDelivery } from "./secc-power-delivery";
import { handle as sessionStop } from "./secc-session-stop";

// The shared DC handler itself, not a wrapper: one call less per request in the loop.
export { currentDemand as handle };

export const state = seccState({
  id: "CurrentDemand",
  on: { CurrentDemandReq: currentDemand, PowerDeliveryReq: powerDelivery, MeteringReceiptReq: meteringReceipt, SessionStopReq: sessionStop },
});
