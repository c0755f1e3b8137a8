// supportedAppProtocol on the SECC: the rules live in modules/v2gtp/sap.ts (negotiate); this
// narrows the outcome to the protocols the SECC state machines implement (DIN, ISO-2, and
// ISO 15118-20 with its DC and AC namespaces).

import { negotiate } from "../v2gtp/index";
import type { SapOptions } from "../v2gtp/index";
import type { AppProtocol, SupportedAppProtocolReqDoc, SupportedAppProtocolResDoc } from "./msg-types";

export type SapProtocolId = "din" | "iso2" | "iso20";

/** What a SECC offers: "iso20" stands for both -20 namespaces (DC and AC); or one of them. */
export type SapOffer = SapProtocolId | "iso20-dc" | "iso20-ac";

export interface SapResult {
  response: SupportedAppProtocolResDoc;
  /** The chosen protocol; undefined = Failed_NoNegotiation (the SECC then closes). */
  protocol?: SapProtocolId;
  /** The EV's entry that was chosen. */
  chosen?: AppProtocol;
  /** ISO 15118-20: the namespace chosen (:-20:DC or :-20:AC). */
  namespace?: "dc" | "ac";
}

/** The EV's highest-priority protocol among `supported` (see negotiate in modules/v2gtp/sap.ts). */
export function negotiateAppProtocol(req: SupportedAppProtocolReqDoc, supported: readonly SapOffer[], options: SapOptions = {}): SapResult {
  const offer: ("din" | "iso2" | "iso20-dc" | "iso20-ac")[] = [];
  for (const p of supported) {
    if (p === "iso20") offer.push("iso20-dc", "iso20-ac");
    else offer.push(p);
  }
  const decision = negotiate(req, offer, options);
  const chosen = decision.protocol;
  if (chosen === "iso20-dc" || chosen === "iso20-ac") {
    return { response: decision.response, protocol: "iso20", chosen: decision.chosen, namespace: chosen === "iso20-dc" ? "dc" : "ac" };
  }
  const protocol = chosen === "din" || chosen === "iso2" ? chosen : undefined;
  return { response: decision.response, protocol, chosen: decision.chosen };
}
