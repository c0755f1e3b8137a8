// PaymentServiceSelection (ISO-2) / ServicePaymentSelection (DIN): EIM and the charge service.

import type { BodyOf } from "../msg";
import type { EvccStep } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";

export const paymentServiceSelection: EvccStep = Object.freeze({
  id: "PaymentServiceSelection",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  names: (protocol) =>
    protocol === "din"
      ? { request: "ServicePaymentSelectionReq", response: "ServicePaymentSelectionRes" }
      : { request: "PaymentServiceSelectionReq", response: "PaymentServiceSelectionRes" },
  request(ctx) {
    const name = ctx.protocol === "din" ? "ServicePaymentSelectionReq" : "PaymentServiceSelectionReq";
    const selected = [{ ServiceID: ctx.facts.chargeServiceId }, ...ctx.facts.selectedServices];
    return {
      name,
      body: { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: selected } } satisfies BodyOf<"PaymentServiceSelectionReq" | "ServicePaymentSelectionReq">,
      trace: { payment: "ExternalPayment", services: selected.map((s) => s.ServiceID).join(",") },
    };
  },
  onResponse() {
    return { kind: "next", step: "Authorization" };
  },
} satisfies EvccStep);
