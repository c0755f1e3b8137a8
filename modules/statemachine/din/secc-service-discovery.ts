// DIN 70121 SECC: ServiceDiscoveryReq → the charge service and the payment options (EIM).

import { reply } from "../framework";
import type { HandlerResult } from "../framework";
import type { ServiceDiscoveryReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { seccState } from "../secc/types";
import { handle as sessionStop } from "./secc-session-stop";

/** DIN's EVSESupportedEnergyTransferType for the configured DC modes (DIN is DC only). */
export function dinEnergyTransferType(facts: SeccFacts): string {
  const modes = facts.config.energyModes;
  for (let i = 0; i < modes.length; i++) if (modes[i].startsWith("DC_")) return modes[i] === "DC_unique" ? "DC_core" : modes[i];
  return "DC_extended";
}

export function handle(_req: ServiceDiscoveryReq, _ctx: SeccContext, facts: SeccFacts): HandlerResult {
  return reply(
    {
      ServiceDiscoveryRes: {
        ResponseCode: "OK",
        PaymentOptions: { PaymentOption: (facts.config.paymentOptions ?? ["ExternalPayment"]).slice() },
        ChargeService: {
          ServiceTag: { ServiceID: 1, ServiceCategory: "EVCharging" },
          FreeService: facts.config.freeService === true,
          EnergyTransferType: dinEnergyTransferType(facts),
        },
      },
    },
    "ServicePaymentSelection",
  );
}

export const state = seccState({ id: "ServiceDiscovery", on: { ServiceDiscoveryReq: handle, SessionStopReq: sessionStop } });
