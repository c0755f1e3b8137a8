// Registry of the generated grammars, every family unpacked while this module evaluates: on
// the device Moddable's preload runs this at build time and the tables live in flash (a lazy
// cache filled at run time would be read-only there, and would cost RAM).

import { grammar as apphand } from "./generated/apphand/grammar";
import { grammar as din } from "./generated/din/grammar";
import { fast as dinFast } from "./generated/din/fast";
import { grammar as iso2 } from "./generated/iso2/grammar";
import { fast as iso2Fast } from "./generated/iso2/fast";
import { grammar as iso20cm } from "./generated/iso20_cm/grammar";
import { grammar as iso20dc } from "./generated/iso20_dc/grammar";
import { fast as iso20dcFast } from "./generated/iso20_dc/fast";
import { grammar as iso20ac } from "./generated/iso20_ac/grammar";
import { fast as iso20acFast } from "./generated/iso20_ac/fast";
import { grammar as iso20wpt } from "./generated/iso20_wpt/grammar";
import { grammar as iso20acdp } from "./generated/iso20_acdp/grammar";
import { grammar as xmldsig } from "./generated/xmldsig/grammar";
import { loadGrammar, type Grammar } from "./tables";

export type SchemaId = "apphand" | "din" | "iso2" | "iso20-cm" | "iso20-dc" | "iso20-ac" | "iso20-wpt" | "iso20-acdp" | "xmldsig";

/** No prototype: an unknown id (even "toString") finds nothing. */
const GRAMMARS: Readonly<Record<SchemaId, Grammar>> = Object.freeze(Object.assign(Object.create(null) as Record<SchemaId, Grammar>, {
  apphand: loadGrammar(apphand),
  din: loadGrammar(din, dinFast),
  iso2: loadGrammar(iso2, iso2Fast),
  "iso20-cm": loadGrammar(iso20cm),
  "iso20-dc": loadGrammar(iso20dc, iso20dcFast),
  "iso20-ac": loadGrammar(iso20ac, iso20acFast),
  "iso20-wpt": loadGrammar(iso20wpt),
  "iso20-acdp": loadGrammar(iso20acdp),
  xmldsig: loadGrammar(xmldsig),
}));

export function grammarOf(schema: SchemaId): Grammar | undefined {
  return GRAMMARS[schema];
}
