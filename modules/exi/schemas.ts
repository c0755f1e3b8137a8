// Registry of the generated grammars, unpacked on first use.

import { grammar as apphand } from "./generated/apphand/grammar";
import { grammar as din } from "./generated/din/grammar";
import { grammar as iso2 } from "./generated/iso2/grammar";
import { grammar as iso20cm } from "./generated/iso20_cm/grammar";
import { grammar as iso20dc } from "./generated/iso20_dc/grammar";
import { grammar as iso20ac } from "./generated/iso20_ac/grammar";
import { grammar as iso20wpt } from "./generated/iso20_wpt/grammar";
import { grammar as iso20acdp } from "./generated/iso20_acdp/grammar";
import { grammar as xmldsig } from "./generated/xmldsig/grammar";
import { loadGrammar, type Grammar, type PackedGrammar } from "./tables";

export type SchemaId = "apphand" | "din" | "iso2" | "iso20-cm" | "iso20-dc" | "iso20-ac" | "iso20-wpt" | "iso20-acdp" | "xmldsig";

const PACKED: Record<SchemaId, PackedGrammar> = {
  apphand, din, iso2, "iso20-cm": iso20cm, "iso20-dc": iso20dc, "iso20-ac": iso20ac, "iso20-wpt": iso20wpt, "iso20-acdp": iso20acdp, xmldsig,
};

const loaded: Partial<Record<SchemaId, Grammar>> = {};

export function grammarOf(schema: SchemaId): Grammar | undefined {
  let g = loaded[schema];
  if (!g) {
    const p = PACKED[schema];
    if (!p) return undefined;
    g = loaded[schema] = loadGrammar(p);
  }
  return g;
}
