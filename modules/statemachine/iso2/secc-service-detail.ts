// ISO 15118-2 SECC: ServiceDetailReq → no value-added services are offered, so every ID is invalid.

import { stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { ServiceDetailReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";

export function handle(req: ServiceDetailReq, _ctx: SeccContext, _facts: SeccFacts): HandlerResult {
  const id = typeof req.ServiceID === "number" ? req.ServiceID : 0;
  return stop({ ServiceDetailRes: { ResponseCode: "FAILED_ServiceIDInvalid", ServiceID: id } }, "failed-response");
}
