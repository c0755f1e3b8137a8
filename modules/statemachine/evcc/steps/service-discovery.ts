// ServiceDiscovery: check that the SECC offers our energy transfer mode and EIM payment.

import type { Din, Iso2 } from "../../../exi/index";
import type { ResOf } from "../msg";
import type { EvccStep } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";

/** DIN's EVSESupportedEnergyTransferType values that include DC charging. */
function dinOffersDc(type: string | undefined): boolean {
  return type === undefined || type.indexOf("DC") >= 0;
}

export const serviceDiscovery: EvccStep<ResOf<"ServiceDiscoveryRes">> = Object.freeze({
  id: "ServiceDiscovery",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  names: () => ({ request: "ServiceDiscoveryReq", response: "ServiceDiscoveryRes" }),
  request() {
    // No scope/category filter, as most cars send it: the SECC lists everything it offers.
    return { name: "ServiceDiscoveryReq", body: {}, trace: {} };
  },
  onResponse(res, ctx) {
    const options: string[] = ("PaymentOptions" in res ? res.PaymentOptions : "PaymentOptionList" in res ? res.PaymentOptionList : undefined)?.PaymentOption ?? [];
    // ISO-2 Plug & Charge where the vehicle has it and the charger offers Contract (only over TLS).
    const contract = ctx.protocol === "iso2" && ctx.config.pnc !== undefined && options.indexOf("Contract") >= 0;
    if (contract) {
      const listed = (res as Iso2.ServiceDiscoveryResType).ServiceList?.Service ?? [];
      let certificateService = false;
      for (const s of listed) if (s.ServiceID === 2) certificateService = true;
      ctx.facts.pnc = { certificateService };
    }
    if (options.indexOf("ExternalPayment") < 0 && !contract) {
      return { kind: "abort", reason: "no-charge-service", detail: `payment options ${options.join(",") || "none"} lack ExternalPayment` };
    }
    if (ctx.protocol === "din") {
      const service = (res as Din.ServiceDiscoveryResType).ChargeService as Din.ServiceChargeType | undefined;
      if (!dinOffersDc(service?.EnergyTransferType)) {
        return { kind: "abort", reason: "no-charge-service", detail: `EVSE offers ${service?.EnergyTransferType}` };
      }
      ctx.facts.chargeServiceId = service?.ServiceTag?.ServiceID ?? 1;
      return { kind: "next", step: "PaymentServiceSelection" };
    }
    const service = (res as Iso2.ServiceDiscoveryResType).ChargeService as Iso2.ChargeServiceType | undefined;
    const modes: string[] = service?.SupportedEnergyTransferMode?.EnergyTransferMode ?? [];
    if (modes.indexOf(ctx.config.energyTransferMode) < 0) {
      return { kind: "abort", reason: "no-charge-service", detail: `EVSE offers ${modes.join(",") || "nothing"}, EV wants ${ctx.config.energyTransferMode}` };
    }
    ctx.facts.chargeServiceId = service?.ServiceID ?? 1;
    const wanted = ctx.config.valueAddedServices;
    const offered = (res as Iso2.ServiceDiscoveryResType).ServiceList?.Service ?? [];
    ctx.facts.pendingServiceDetails = [];
    for (const s of offered) if (wanted.indexOf(s.ServiceID) >= 0) ctx.facts.pendingServiceDetails.push(s.ServiceID);
    return { kind: "next", step: ctx.facts.pendingServiceDetails.length > 0 ? "ServiceDetail" : "PaymentServiceSelection" };
  },
} satisfies EvccStep<ResOf<"ServiceDiscoveryRes">>);
