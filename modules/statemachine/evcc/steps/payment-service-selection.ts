// PaymentServiceSelection (ISO-2) / ServicePaymentSelection (DIN): EIM, or ISO-2 Contract (Plug &
// Charge, where ServiceDiscovery found it), and the charge service.

import type { BodyOf } from "../msg";
import type { EvccStep } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";
import { contractDueForRenewal, OEM_PROVISIONING_SLOT, usableContract } from "../iso2-pnc";

export const paymentServiceSelection: EvccStep = Object.freeze({
  id: "PaymentServiceSelection",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  names: (protocol) =>
    protocol === "din"
      ? { request: "ServicePaymentSelectionReq", response: "ServicePaymentSelectionRes" }
      : { request: "PaymentServiceSelectionReq", response: "PaymentServiceSelectionRes" },
  request(ctx) {
    const name = ctx.protocol === "din" ? "ServicePaymentSelectionReq" : "PaymentServiceSelectionReq";
    const selected: { ServiceID: number; ParameterSetID?: number }[] = [{ ServiceID: ctx.facts.chargeServiceId }, ...ctx.facts.selectedServices];
    const pnc = ctx.facts.pnc;
    if (pnc !== undefined) {
      // Plug & Charge: the contract in the store, or install one (the Certificate service, parameter set 1 Installation).
      pnc.contract = usableContract(ctx.config.pnc!.store);
      pnc.renewing = pnc.contract !== undefined && pnc.certificateService && contractDueForRenewal(ctx.config.pnc!, pnc.contract);
      // The Certificate service's parameter sets: 1 Installation, 2 Update.
      if (pnc.contract === undefined && pnc.certificateService) selected.push({ ServiceID: 2, ParameterSetID: 1 });
      else if (pnc.renewing) selected.push({ ServiceID: 2, ParameterSetID: 2 });
    }
    const payment = pnc !== undefined ? "Contract" : "ExternalPayment";
    return {
      name,
      body: { SelectedPaymentOption: payment, SelectedServiceList: { SelectedService: selected } } satisfies BodyOf<"PaymentServiceSelectionReq" | "ServicePaymentSelectionReq">,
      trace: { payment, services: selected.map((s) => s.ServiceID).join(",") },
    };
  },
  onResponse(_res, ctx) {
    const pnc = ctx.facts.pnc;
    if (pnc === undefined) return { kind: "next", step: "Authorization" };
    if (pnc.contract !== undefined) return { kind: "next", step: pnc.renewing ? "CertificateUpdate" : "PaymentDetails" };
    if (ctx.config.pnc!.store.ownChain(OEM_PROVISIONING_SLOT) === undefined) return { kind: "abort", reason: "contract", detail: "no contract and no OEM provisioning certificate to install one" };
    return { kind: "next", step: "CertificateInstallation" };
  },
} satisfies EvccStep);
