// Checks of one EXI vector against the codec, shared by the vector tests (Node and XS), the
// fuzz tests and the CLI tests. Each returns undefined when fine, or a one-line failure.

import { decode, decodeFragment, encode, encodeFragment, ExiError, type SchemaId } from "../../modules/exi/index";
import { fromXmlTree, toXmlTree } from "../../tools/exi-xml/convert";
import { parseXml, serializeXml } from "../../tools/exi-xml/xml";
import { fromHex, toHex } from "../../modules/common/index";
import { describeDifferences, diffXml, onlyLexical } from "./xml-infoset";

export interface Target {
  schema: SchemaId;
  fragment: boolean;
}

export function decodeAs(target: Target, bytes: Uint8Array): object {
  return target.fragment ? decodeFragment(target.schema, bytes) : decode(target.schema, bytes);
}

/** `peer`: re-encode a peer's decoded message as it came (its facet violations included). */
export function encodeAs(target: Target, doc: object, peer = false): Uint8Array {
  const options = { checkFacets: !peer };
  return target.fragment ? encodeFragment(target.schema, doc, options) : encode(target.schema, doc, options);
}

export function describeError(error: unknown): string {
  if (error instanceof ExiError) return `ExiError ${error.reason}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function isXmlElementLike(v: Record<string, unknown>): boolean {
  return typeof v.ns === "string" && typeof v.name === "string" && Array.isArray(v.attrs) && Array.isArray(v.children);
}

/**
 * Deep equality of message objects (bigint, Uint8Array, arrays, plain objects; key order
 * ignored). Inside undeclared wildcard content (XmlElement values) an empty text child is the
 * same infoset as none.
 */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!valuesEqual(x[i], y[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const ka = Object.keys(x).filter((k) => x[k] !== undefined);
  const kb = Object.keys(y).filter((k) => y[k] !== undefined);
  if (ka.length !== kb.length) return false;
  const element = isXmlElementLike(x) && isXmlElementLike(y);
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
    if (element && k === "children") {
      const cx = (x.children as unknown[]).filter((c) => c !== "");
      const cy = (y.children as unknown[]).filter((c) => c !== "");
      if (!valuesEqual(cx, cy)) return false;
    } else if (!valuesEqual(x[k], y[k])) return false;
  }
  return true;
}

export interface DecodeOutcome {
  failure?: string;
  /** The XML matched only after the schema decided that differing texts are the same value. */
  lexicalOnly?: boolean;
  doc?: object;
}

/**
 * decode(hex) and compare its XML tree with the reference XML by infoset (also checking that
 * the tree survives our serializer and parser). Texts that differ
 * only lexically (integer "+05" vs "5", boolean "1" vs "true", hexBinary case) are accepted
 * when the schema's types say so: the reference XML mapped through fromXmlTree must equal the
 * decoded message object.
 */
export function checkDecode(target: Target, hex: string, xml: string): DecodeOutcome {
  const bytes = fromHex(hex);
  if (!bytes) return { failure: "bad hex in the vector file" };
  let doc: object;
  try {
    doc = decodeAs(target, bytes);
  } catch (error) {
    return { failure: `decode threw ${describeError(error)}` };
  }
  try {
    const actual = toXmlTree(target.schema, doc);
    // The XML text we print for it must read back as the same tree (serializer and parser),
    // also for strings XML 1.0 cannot carry (NUL in real traffic: written as &#0;).
    const reread = diffXml(actual, parseXml(serializeXml(actual)));
    if (reread.length > 0) return { failure: `serialize → parse changed the tree: ${describeDifferences(reread)}`, doc };
    if (xml === "") return { doc };
    const expected = parseXml(xml);
    const differences = diffXml(expected, actual);
    if (differences.length === 0) return { doc };
    if (!onlyLexical(differences)) return { failure: `XML differs: ${describeDifferences(differences)}`, doc };
    const typed = fromXmlTree(target.schema, expected, { fragment: target.fragment });
    if (!valuesEqual(typed, doc)) return { failure: `XML differs (lexically, and the typed values differ too): ${describeDifferences(differences)}`, doc };
    return { lexicalOnly: true, doc };
  } catch (error) {
    return { failure: `XML comparison threw ${describeError(error)}`, doc };
  }
}

/** encode(fromXmlTree(parse(xml))) must give exactly `hex`. */
export function checkEncodeXml(target: Target, xml: string, hex: string): string | undefined {
  let doc: object;
  try {
    doc = fromXmlTree(target.schema, parseXml(xml), { fragment: target.fragment });
  } catch (error) {
    return `fromXmlTree threw ${describeError(error)}`;
  }
  try {
    const got = toHex(encodeAs(target, doc));
    return got === hex.toLowerCase() ? undefined : `encoded ${abbreviate(got)}, expected ${abbreviate(hex)}`;
  } catch (error) {
    return `encode threw ${describeError(error)}`;
  }
}

/** decode then encode must give the same bytes. */
export function checkRoundTrip(target: Target, hex: string, doc?: object): string | undefined {
  try {
    const d = doc ?? decodeAs(target, fromHex(hex)!);
    const got = toHex(encodeAs(target, d, true));
    return got === hex.toLowerCase() ? undefined : `re-encoded ${abbreviate(got)}, expected ${abbreviate(hex)}`;
  } catch (error) {
    return `round trip threw ${describeError(error)}`;
  }
}

/**
 * Known-odd input: decode may throw only ExiError; if it decodes, re-encoding may throw only
 * ExiError. Returns the failure, or how it went ("decoded, same bytes", …).
 */
export function checkNoCrash(target: Target, hex: string): { failure?: string; outcome: string } {
  const bytes = fromHex(hex)!;
  let doc: object;
  try {
    doc = decodeAs(target, bytes);
  } catch (error) {
    if (error instanceof ExiError) return { outcome: `ExiError ${error.reason}` };
    return { failure: `decode threw ${describeError(error)}`, outcome: "crash" };
  }
  try {
    const again = toHex(encodeAs(target, doc, true));
    return { outcome: again === hex.toLowerCase() ? "decoded, re-encoded to the same bytes" : "decoded, re-encoded differently" };
  } catch (error) {
    if (error instanceof ExiError) return { outcome: `decoded, encode refused (${error.reason})` };
    return { failure: `re-encode threw ${describeError(error)}`, outcome: "crash" };
  }
}

export function abbreviate(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : s;
}
