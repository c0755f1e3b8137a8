// supportedAppProtocol on the SECC: the rules live in modules/v2gtp/sap.ts (negotiate); this
// narrows the outcome to the protocols the SECC state machines implement (DIN, ISO-2).

import { negotiate } from "../v2gtp/index";
import type { AppProtocol, SupportedAppProtocolReqDoc, SupportedAppProtocolResDoc } from "./msg-types";

export type SapProtocolId = "din" | "iso2";

export interface SapResult {
  response: SupportedAppProtocolResDoc;
  /** The chosen protocol; undefined = Failed_NoNegotiation (the SECC then closes). */
  protocol?: SapProtocolId;
  /** The EV's entry that was chosen. */
  chosen?: AppProtocol;
}

/** The EV's highest-priority protocol among `supported` (see negotiate in modules/v2gtp/sap.ts). */
export function negotiateAppProtocol(req: SupportedAppProtocolReqDoc, supported: readonly SapProtocolId[]): SapResult {
  const decision = negotiate(req, supported);
  const protocol = decision.protocol === "din" || decision.protocol === "iso2" ? decision.protocol : undefined;
  return { response: decision.response, protocol, chosen: decision.chosen };
}
