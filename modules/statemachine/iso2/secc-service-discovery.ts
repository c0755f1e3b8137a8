// ISO 15118-2 SECC: ServiceDiscoveryReq → the charge service with its energy transfer modes and the payment options.

import { reply } from "../framework";
import type { HandlerResult } from "../framework";
import type { ServiceDiscoveryReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { seccState } from "../secc/types";
import { contractUsable } from "./pnc";
import { handle as sessionStop } from "./secc-session-stop";

/** The configured options; Contract only where Plug & Charge can run on this connection (TLS). */
function paymentOptions(facts: SeccFacts, ctx: SeccContext): string[] {
  const configured = facts.config.paymentOptions ?? ["ExternalPayment"];
  const out: string[] = [];
  for (let i = 0; i < configured.length && out.length < 2; i++) if (configured[i] !== "Contract" || contractUsable(facts.config, ctx.transport)) out.push(configured[i]);
  return out.length > 0 ? out : ["ExternalPayment"];
}

export function handle(req: ServiceDiscoveryReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const res: Record<string, unknown> = {
    ResponseCode: "OK",
    PaymentOptionList: { PaymentOption: paymentOptions(facts, ctx) },
    ChargeService: {
      ServiceID: 1,
      ServiceName: "AC_DC_Charging",
      ServiceCategory: "EVCharging",
      FreeService: facts.config.freeService === true,
      SupportedEnergyTransferMode: { EnergyTransferMode: facts.config.energyModes.slice(0, 6) },
    },
  };
  // Value-added services, filtered by the EV's ServiceScope / ServiceCategory (at most 8).
  const offered = facts.config.valueAddedServices ?? [];
  const list: object[] = [];
  for (let i = 0; i < offered.length && list.length < 8; i++) {
    const s = offered[i];
    if (req.ServiceCategory !== undefined && req.ServiceCategory !== s.ServiceCategory) continue;
    if (req.ServiceScope !== undefined && s.ServiceScope !== undefined && req.ServiceScope !== s.ServiceScope) continue;
    const service: Record<string, unknown> = { ServiceID: s.ServiceID };
    if (s.ServiceName !== undefined) service.ServiceName = s.ServiceName;
    service.ServiceCategory = s.ServiceCategory;
    if (s.ServiceScope !== undefined) service.ServiceScope = s.ServiceScope;
    service.FreeService = s.FreeService;
    list.push(service);
  }
  if (list.length > 0) res.ServiceList = { Service: list };
  return reply({ ServiceDiscoveryRes: res }, "PaymentServiceSelection");
}

export const state = seccState({ id: "ServiceDiscovery", on: { ServiceDiscoveryReq: handle, SessionStopReq: sessionStop } });
