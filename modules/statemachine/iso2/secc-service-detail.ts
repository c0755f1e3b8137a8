// ISO 15118-2 SECC: ServiceDetailReq → the parameter sets of an offered value-added service.

import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { ServiceDetailReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";

export function handle(req: ServiceDetailReq, _ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const id = typeof req.ServiceID === "number" ? req.ServiceID : 0;
  const offered = facts.config.valueAddedServices ?? [];
  for (let i = 0; i < offered.length; i++) {
    if (offered[i].ServiceID !== id) continue;
    const res: Record<string, unknown> = { ResponseCode: "OK", ServiceID: id };
    const sets = offered[i].ParameterSet;
    if (sets !== undefined && sets.length > 0) res.ServiceParameterList = { ParameterSet: sets.slice(0, 255) };
    return reply({ ServiceDetailRes: res }); // stay: more ServiceDetailReq or PaymentServiceSelectionReq
  }
  return stop({ ServiceDetailRes: { ResponseCode: "FAILED_ServiceIDInvalid", ServiceID: id } }, "failed-response");
}
