// ISO 15118-2 SECC: ServiceDiscoveryReq → the charge service with its energy transfer modes and the payment options.

import { reply } from "../framework";
import type { HandlerResult } from "../framework";
import type { ServiceDiscoveryReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { seccState } from "../secc/types";
import { handle as sessionStop } from "./secc-session-stop";

export function handle(_req: ServiceDiscoveryReq, _ctx: SeccContext, facts: SeccFacts): HandlerResult {
  // No value-added services are offered, so no ServiceList, whatever ServiceScope/Category asks.
  return reply(
    {
      ServiceDiscoveryRes: {
        ResponseCode: "OK",
        PaymentOptionList: { PaymentOption: (facts.config.paymentOptions ?? ["ExternalPayment"]).slice(0, 2) },
        ChargeService: {
          ServiceID: 1,
          ServiceName: "AC_DC_Charging",
          ServiceCategory: "EVCharging",
          FreeService: facts.config.freeService === true,
          SupportedEnergyTransferMode: { EnergyTransferMode: facts.config.energyModes.slice(0, 6) },
        },
      },
    },
    "PaymentServiceSelection",
  );
}

export const state = seccState({ id: "ServiceDiscovery", on: { ServiceDiscoveryReq: handle, SessionStopReq: sessionStop } });
