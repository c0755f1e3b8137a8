// supportedAppProtocol on the SECC: the rules live in modules/v2gtp/sap.ts (negotiate); this
// narrows the outcome to the protocols the SECC state machines implement (DIN, ISO-2, and
// ISO 15118-20 with its DC, AC, WPT and ACDP namespaces).

import { negotiate } from "../v2gtp/index";
import type { SapOptions } from "../v2gtp/index";
import type { AppProtocol, SupportedAppProtocolReqDoc, SupportedAppProtocolResDoc } from "./msg-types";
import type { Iso20Namespace } from "./iso20/services";

export type SapProtocolId = "din" | "iso2" | "iso20";

/** What a SECC offers: "iso20" stands for the -20 DC and AC namespaces; or one -20 namespace (DC, AC, WPT, ACDP). */
export type SapOffer = SapProtocolId | "iso20-dc" | "iso20-ac" | "iso20-wpt" | "iso20-acdp";

export interface SapResult {
  response: SupportedAppProtocolResDoc;
  /** The chosen protocol; undefined = Failed_NoNegotiation (the SECC then closes). */
  protocol?: SapProtocolId;
  /** The EV's entry that was chosen. */
  chosen?: AppProtocol;
  /** ISO 15118-20: the namespace chosen (:-20:DC, :-20:AC, :-20:WPT or :-20:ACDP). */
  namespace?: Iso20Namespace;
}

/** The EV's highest-priority protocol among `supported` (see negotiate in modules/v2gtp/sap.ts). */
export function negotiateAppProtocol(req: SupportedAppProtocolReqDoc, supported: readonly SapOffer[], options: SapOptions = {}): SapResult {
  const offer: Exclude<SapOffer, "iso20">[] = [];
  for (const p of supported) {
    if (p === "iso20") offer.push("iso20-dc", "iso20-ac");
    else offer.push(p);
  }
  const decision = negotiate(req, offer, options);
  const chosen = decision.protocol;
  if (chosen === "iso20-dc" || chosen === "iso20-ac" || chosen === "iso20-wpt" || chosen === "iso20-acdp") {
    return { response: decision.response, protocol: "iso20", chosen: decision.chosen, namespace: chosen.slice(6) as Iso20Namespace };
  }
  const protocol = chosen === "din" || chosen === "iso2" ? chosen : undefined;
  return { response: decision.response, protocol, chosen: decision.chosen };
}
