// Infoset comparison of two XML element trees: names by namespace URI and local name (prefixes
// and where namespaces were declared do not matter), attributes as a set, children in order.
//
// Values are compared as written. When two texts differ only lexically under some XSD type
// (integer "+007" vs "7", boolean "1" vs "true", hexBinary case, base64 line breaks, collapsed
// whitespace), the difference is reported with the `lexical` kinds under which they are the same
// value: the comparator cannot know the element's type, so the caller decides, e.g. by mapping
// both trees through the schema (fromXmlTree) and comparing the typed values.

import type { XmlElement } from "../../modules/exi/xml-tree";
import { parseXml } from "../../tools/exi-xml/xml";

export type LexicalKind = "integer" | "decimal" | "boolean" | "hexBinary" | "base64Binary" | "collapse";

export interface XmlDifference {
  /** Where: /root/child[2]/@{ns}attr or /root/child/text() */
  path: string;
  what: "element" | "attributes" | "attribute" | "children" | "text";
  expected: string;
  actual: string;
  /** Only for text/attribute value differences: the types under which both are the same value. */
  lexical?: LexicalKind[];
}

const WS = /^[ \t\r\n]*$/;

function qn(ns: string, name: string): string {
  return ns === "" ? name : `{${ns}}${name}`;
}

/**
 * Children as the infoset sees them: adjacent strings merged, empty strings dropped, and
 * whitespace-only text dropped when the element has element children (formatting).
 */
export function normalizedChildren(e: XmlElement): (XmlElement | string)[] {
  const merged: (XmlElement | string)[] = [];
  let hasElement = false;
  for (const c of e.children) {
    if (typeof c === "string") {
      if (c.length === 0) continue;
      const last = merged[merged.length - 1];
      if (typeof last === "string") merged[merged.length - 1] = last + c;
      else merged.push(c);
    } else {
      hasElement = true;
      merged.push(c);
    }
  }
  return hasElement ? merged.filter((c) => typeof c !== "string" || !WS.test(c)) : merged;
}

function collapse(s: string): string {
  return s.replace(/[ \t\r\n]+/g, " ").replace(/^ | $/g, "");
}

const INTEGER = /^[+-]?[0-9]+$/;
const DECIMAL = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;
const HEX = /^([0-9a-fA-F]{2})*$/;
const BASE64 = /^[A-Za-z0-9+/= \t\r\n]*$/;

function canonicalInteger(s: string): string {
  const t = s.trim();
  const negative = t.startsWith("-");
  const digits = t.replace(/^[+-]/, "").replace(/^0+(?=.)/, "");
  return negative && digits !== "0" ? `-${digits}` : digits;
}

function canonicalDecimal(s: string): string {
  const t = s.trim();
  const negative = t.startsWith("-");
  let [int, frac = ""] = t.replace(/^[+-]/, "").split(".");
  int = int.replace(/^0+(?=.)/, "") || "0";
  frac = frac.replace(/0+$/, "");
  const body = frac.length > 0 ? `${int}.${frac}` : int;
  return negative && body !== "0" ? `-${body}` : body;
}

/** The XSD types under which `a` and `b` (different strings) denote the same value. */
export function lexicalKinds(a: string, b: string): LexicalKind[] {
  const kinds: LexicalKind[] = [];
  const ta = a.trim();
  const tb = b.trim();
  if (INTEGER.test(ta) && INTEGER.test(tb) && canonicalInteger(ta) === canonicalInteger(tb)) kinds.push("integer");
  if (DECIMAL.test(ta) && DECIMAL.test(tb) && canonicalDecimal(ta) === canonicalDecimal(tb)) kinds.push("decimal");
  const bool = (s: string): string | undefined => (s === "true" || s === "1" ? "t" : s === "false" || s === "0" ? "f" : undefined);
  if (bool(ta) !== undefined && bool(ta) === bool(tb)) kinds.push("boolean");
  if (HEX.test(ta) && HEX.test(tb) && ta.toLowerCase() === tb.toLowerCase()) kinds.push("hexBinary");
  if (BASE64.test(a) && BASE64.test(b) && a.replace(/[ \t\r\n]/g, "") === b.replace(/[ \t\r\n]/g, "")) kinds.push("base64Binary");
  if (collapse(a) === collapse(b)) kinds.push("collapse");
  return kinds;
}

function textDifference(path: string, what: "text" | "attribute", expected: string, actual: string): XmlDifference {
  const kinds = lexicalKinds(expected, actual);
  return kinds.length > 0 ? { path, what, expected, actual, lexical: kinds } : { path, what, expected, actual };
}

function preview(c: XmlElement | string | undefined): string {
  if (c === undefined) return "(nothing)";
  if (typeof c === "string") return JSON.stringify(c.length > 60 ? `${c.slice(0, 60)}…` : c);
  return `<${qn(c.ns, c.name)}>`;
}

/**
 * Differences between two trees (empty when they have the same infoset). Stops descending
 * into an element once its child sequence diverges structurally, and after `limit` findings.
 */
export function diffXml(expected: XmlElement, actual: XmlElement, limit = 20): XmlDifference[] {
  const out: XmlDifference[] = [];
  const pending: { e: XmlElement; a: XmlElement; path: string }[] = [];
  if (expected.ns !== actual.ns || expected.name !== actual.name) {
    return [{ path: "/", what: "element", expected: qn(expected.ns, expected.name), actual: qn(actual.ns, actual.name) }];
  }
  pending.push({ e: expected, a: actual, path: `/${expected.name}` });
  while (pending.length > 0 && out.length < limit) {
    const { e, a, path } = pending.shift()!;
    // Attributes: a set keyed by {ns}name.
    const attrs: Record<string, string> = {};
    for (const at of a.attrs) attrs[qn(at.ns, at.name)] = at.value;
    const expectedKeys: Record<string, true> = {};
    for (const at of e.attrs) {
      const key = qn(at.ns, at.name);
      expectedKeys[key] = true;
      const got = attrs[key];
      if (got === undefined) out.push({ path: `${path}/@${key}`, what: "attributes", expected: at.value, actual: "(absent)" });
      else if (got !== at.value) out.push(textDifference(`${path}/@${key}`, "attribute", at.value, got));
    }
    for (const at of a.attrs) {
      const key = qn(at.ns, at.name);
      if (!expectedKeys[key]) out.push({ path: `${path}/@${key}`, what: "attributes", expected: "(absent)", actual: at.value });
    }
    // Children, in order.
    const ec = normalizedChildren(e);
    const ac = normalizedChildren(a);
    const seen: Record<string, number> = {};
    const count = Math.max(ec.length, ac.length);
    for (let k = 0; k < count; k++) {
      const x = ec[k];
      const y = ac[k];
      if ((typeof x === "string" || x === undefined) && (typeof y === "string" || y === undefined)) {
        if ((x ?? "") !== (y ?? "")) out.push(textDifference(`${path}/text()`, "text", x ?? "", y ?? ""));
        continue;
      }
      if (x === undefined || y === undefined || typeof x === "string" || typeof y === "string" || x.ns !== y.ns || x.name !== y.name) {
        out.push({ path: `${path}/[${k}]`, what: "children", expected: preview(x), actual: preview(y) });
        break;
      }
      const key = qn(x.ns, x.name);
      seen[key] = (seen[key] ?? 0) + 1;
      pending.push({ e: x, a: y, path: `${path}/${x.name}${seen[key] > 1 ? `[${seen[key]}]` : ""}` });
    }
  }
  return out.slice(0, limit);
}

/** True when every difference is only lexical (each has at least one lexical kind). */
export function onlyLexical(differences: XmlDifference[]): boolean {
  return differences.length > 0 && differences.every((d) => d.lexical !== undefined);
}

export function describeDifferences(differences: XmlDifference[], max = 3): string {
  return differences
    .slice(0, max)
    .map((d) => {
      const exp = d.expected.length > 80 ? `${d.expected.slice(0, 80)}…` : d.expected;
      const act = d.actual.length > 80 ? `${d.actual.slice(0, 80)}…` : d.actual;
      return `${d.path}: ${d.what} expected ${JSON.stringify(exp)}, got ${JSON.stringify(act)}${d.lexical ? ` (same ${d.lexical.join("/")})` : ""}`;
    })
    .join("; ");
}

/** Infoset differences between two XML texts (prefixes and declaration placement ignored). */
export function diffXmlText(expected: string, actual: string, limit = 20): XmlDifference[] {
  return diffXml(parseXml(expected), parseXml(actual), limit);
}
