// ServiceDetail (ISO-2): ask for the parameter sets of each wanted value-added service.

import type { BodyOf, ResOf } from "../msg";
import type { EvccStep } from "../step";
import { V2G_EVCC_MSG_TIMEOUT_LONG } from "../timeouts";

export const serviceDetail: EvccStep<ResOf<"ServiceDetailRes">> = Object.freeze({
  id: "ServiceDetail",
  timeout: V2G_EVCC_MSG_TIMEOUT_LONG,
  names: () => ({ request: "ServiceDetailReq", response: "ServiceDetailRes" }),
  request(ctx) {
    const id = ctx.facts.pendingServiceDetails[0];
    return { name: "ServiceDetailReq", body: { ServiceID: id } satisfies BodyOf<"ServiceDetailReq">, trace: { serviceId: id } };
  },
  onResponse(res, ctx) {
    const id = ctx.facts.pendingServiceDetails.shift();
    if (id !== undefined) {
      const set = res.ServiceParameterList?.ParameterSet?.[0];
      ctx.facts.selectedServices.push(set === undefined ? { ServiceID: id } : { ServiceID: id, ParameterSetID: set.ParameterSetID });
    }
    return { kind: "next", step: ctx.facts.pendingServiceDetails.length > 0 ? "ServiceDetail" : "PaymentServiceSelection" };
  },
} satisfies EvccStep<ResOf<"ServiceDetailRes">>);
