// XML text ⇄ XmlElement: a small namespace-aware parser and a one-line serializer, for the
// tools, the CLI and the vector tests (the EXI codec itself never sees XML text).
//
// Portable core: works on JS strings only (no TextDecoder, no Node). The parser is iterative
// (an explicit element stack), so deep nesting cannot overflow the native stack in XS.

import { DecodeError } from "../../modules/common/index";
import type { XmlAttribute, XmlElement } from "../../modules/exi/xml-tree";

export type { XmlAttribute, XmlElement };

export type XmlErrorReason = "xml-syntax" | "xml-namespace" | "xml-entity";

/** Malformed XML text; `position` is the offset in UTF-16 code units. */
export class XmlError extends DecodeError<XmlErrorReason> {
  constructor(reason: XmlErrorReason, message: string, position: number) {
    super(reason, message, position);
    this.name = "XmlError";
  }
}

export const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
export const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";
const XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance";

/**
 * The value of an xsi:type attribute is a QName, whose prefix means something only in its
 * document: the tree keeps it as `{uri}local` (prefixes are not kept, see xml-tree.ts).
 */
function isXsiType(a: { ns: string; name: string }): boolean {
  return a.ns === XSI_NAMESPACE && a.name === "type";
}

/** `{uri}local` → its parts, or undefined. */
function splitClark(value: string): { ns: string; name: string } | undefined {
  const close = value.indexOf("}");
  return value[0] === "{" && close > 0 ? { ns: value.slice(1, close), name: value.slice(close + 1) } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Parser

export interface ParseXmlOptions {
  /**
   * Keep whitespace-only text in elements that also have element children (default false:
   * such text is formatting, not content; EXI drops it in element-only content too).
   */
  keepWhitespace?: boolean;
  /** Maximum element depth (default 4096); deeper documents throw XmlError. */
  maxDepth?: number;
}

interface OpenElement {
  element: XmlElement;
  qname: string;
  /** Prefix → namespace bindings in scope (shared with the parent unless this element declares some). */
  scope: Map<string, string>;
  /** Text pieces since the last child node, merged (across CDATA and references) when flushed. */
  text: string[];
  hasElementChild: boolean;
}

function rootScope(): Map<string, string> {
  return new Map([
    ["xml", XML_NAMESPACE],
    ["", ""],
  ]);
}

function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

function isNameStart(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    c === 95 || // _
    c === 58 || // : (split into prefix/local later)
    (c >= 0xc0 && c !== 0xd7 && c !== 0xf7)
  );
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7; // 0-9 - . ·
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isWhitespaceOnly(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

/** A code point as a string (String.fromCodePoint with the range checks the caller did). */
function codePointString(cp: number): string {
  if (cp < 0x10000) return String.fromCharCode(cp);
  const v = cp - 0x10000;
  return String.fromCharCode(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
}

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = Object.freeze({
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
});

/**
 * Parses one XML document into its root element. Namespace prefixes are resolved (an
 * unprefixed element takes the default namespace, an unprefixed attribute has none); the
 * `xmlns` declarations themselves are not kept as attributes. Comments, processing
 * instructions, the XML declaration and a DOCTYPE without internal subset are skipped.
 * Character references are accepted for any code point and for lone surrogates (`&#0;`,
 * `&#55296;`: XML 1.0 forbids both, but EXI strings can carry them — NUL occurs in real
 * traffic — and our serializer writes them that way, so printed XML always reads back).
 */
export function parseXml(text: string, options?: ParseXmlOptions): XmlElement {
  const keepWhitespace = options?.keepWhitespace ?? false;
  const maxDepth = options?.maxDepth ?? 4096;
  // XS indexes strings in O(index) (they are UTF-8 inside), so the parser works on UTF-16
  // code units copied once into an array; positions in errors are code-unit offsets.
  const u = codeUnits(text);
  const n = u.length;
  let i = 0;
  let root: XmlElement | undefined;
  const stack: OpenElement[] = [];
  const topScope = rootScope();

  function fail(reason: XmlErrorReason, message: string, at = i): never {
    throw new XmlError(reason, message, at);
  }

  const at = (s: string, from = i): boolean => {
    if (from + s.length > n) return false;
    for (let k = 0; k < s.length; k++) if (u[from + k] !== s.charCodeAt(k)) return false;
    return true;
  };

  /** Index of `s` at or after `from`, or -1. */
  const find = (s: string, from: number): number => {
    const first = s.charCodeAt(0);
    for (let k = from; k + s.length <= n; k++) if (u[k] === first && at(s, k)) return k;
    return -1;
  };

  const str = (from: number, to: number): string => fromCodeUnits(u, from, to);

  const skipSpace = (): void => {
    while (i < n && isSpace(u[i])) i++;
  };

  const readName = (): string => {
    const start = i;
    if (i >= n || !isNameStart(u[i])) fail("xml-syntax", "name expected");
    i++;
    while (i < n && isNameChar(u[i])) i++;
    return str(start, i);
  };

  const expect = (s: string): void => {
    if (at(s)) i += s.length;
    else fail("xml-syntax", `'${s}' expected`);
  };

  /** Decodes an entity or character reference at u[i] === '&'. */
  const readReference = (): string => {
    const start = i;
    let end = i + 1;
    while (end < n && end - i <= 12 && u[end] !== 59) end++; // ;
    if (end >= n || u[end] !== 59) fail("xml-entity", "unterminated reference");
    const body = str(i + 1, end);
    i = end + 1;
    if (body.charCodeAt(0) === 35) {
      // '#'
      const hex = body.charCodeAt(1) === 120; // 'x'
      const digits = body.slice(hex ? 2 : 1);
      if (digits.length === 0 || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) {
        fail("xml-entity", `bad character reference &${body};`, start);
      }
      const cp = parseInt(digits, hex ? 16 : 10);
      if (cp > 0x10ffff) fail("xml-entity", `no such character &${body};`, start);
      return codePointString(cp);
    }
    const value = own(PREDEFINED_ENTITIES, body);
    if (value === undefined) fail("xml-entity", `unknown entity &${body};`, start);
    return value;
  };

  /** Character data up to the next '<', with references decoded and line ends normalised. */
  const readText = (): string => {
    const out: string[] = [];
    let from = i;
    while (i < n) {
      const c = u[i];
      if (c === 60) break; // <
      if (c === 38) {
        // &
        out.push(str(from, i), readReference());
        from = i;
      } else if (c === 13) {
        out.push(str(from, i), "\n");
        i += u[i + 1] === 10 ? 2 : 1;
        from = i;
      } else {
        i++;
      }
    }
    out.push(str(from, i));
    return out.length === 1 ? out[0] : out.join("");
  };

  /** A quoted attribute value, normalised as XML 1.0 §3.3.3 says for CDATA attributes. */
  const readAttributeValue = (): string => {
    const quote = u[i];
    if (quote !== 34 && quote !== 39) fail("xml-syntax", "quoted attribute value expected");
    i++;
    const out: string[] = [];
    let from = i;
    for (;;) {
      if (i >= n) fail("xml-syntax", "unterminated attribute value");
      const c = u[i];
      if (c === quote) break;
      if (c === 60) fail("xml-syntax", "'<' in attribute value");
      if (c === 38) {
        out.push(str(from, i), readReference());
        from = i;
      } else if (c === 9 || c === 10 || c === 13) {
        out.push(str(from, i), " ");
        i += c === 13 && u[i + 1] === 10 ? 2 : 1;
        from = i;
      } else {
        i++;
      }
    }
    out.push(str(from, i));
    i++;
    return out.length === 1 ? out[0] : out.join("");
  };

  const appendText = (s: string): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (!isWhitespaceOnly(s)) fail("xml-syntax", "text outside the root element");
      return;
    }
    top.text.push(s);
  };

  /** Moves pending text of the innermost open element into its children (one string). */
  const flushText = (top: OpenElement): void => {
    if (top.text.length > 0) {
      const s = top.text.length === 1 ? top.text[0] : top.text.join("");
      top.text = [];
      if (s.length > 0) top.element.children.push(s);
    }
  };

  const resolve = (qname: string, scope: Map<string, string>, isAttribute: boolean, where: number): { ns: string; name: string } => {
    const colon = qname.indexOf(":");
    if (colon < 0) return { ns: isAttribute ? "" : scope.get("")!, name: qname };
    const prefix = qname.slice(0, colon);
    const name = qname.slice(colon + 1);
    if (prefix.length === 0 || name.length === 0 || name.indexOf(":") >= 0) fail("xml-namespace", `bad qualified name '${qname}'`, where);
    const ns = scope.get(prefix);
    if (ns === undefined || ns === "") fail("xml-namespace", `undeclared prefix '${prefix}'`, where);
    return { ns, name };
  };

  const readStartTag = (): void => {
    const tagStart = i;
    i++; // <
    const qname = readName();
    const rawAttrs: { qname: string; value: string; at: number }[] = [];
    const parentScope = stack.length > 0 ? stack[stack.length - 1].scope : topScope;
    let scope = parentScope;
    let selfClosing = false;
    for (;;) {
      const before = i;
      skipSpace();
      if (i >= n) fail("xml-syntax", `unterminated start tag <${qname}`, tagStart);
      const c = u[i];
      if (c === 62) {
        i++;
        break;
      }
      if (c === 47) {
        expect("/>");
        selfClosing = true;
        break;
      }
      if (i === before) fail("xml-syntax", "whitespace expected before attribute");
      const where = i;
      const attrName = readName();
      skipSpace();
      expect("=");
      skipSpace();
      const value = readAttributeValue();
      if (attrName === "xmlns" || attrName.startsWith("xmlns:")) {
        const prefix = attrName.length === 5 ? "" : attrName.slice(6);
        if (prefix === "xmlns" || (prefix === "xml" && value !== XML_NAMESPACE)) fail("xml-namespace", `cannot bind '${prefix}'`, where);
        if (prefix !== "" && value === "") fail("xml-namespace", `empty namespace for prefix '${prefix}'`, where);
        if (scope === parentScope) scope = new Map(parentScope);
        scope.set(prefix, value);
      } else {
        rawAttrs.push({ qname: attrName, value, at: where });
      }
    }
    const { ns, name } = resolve(qname, scope, false, tagStart);
    const element: XmlElement = { ns, name, attrs: [], children: [] };
    const seen = new Map<string, true>();
    for (const a of rawAttrs) {
      const r = resolve(a.qname, scope, true, a.at);
      const key = `{${r.ns}}${r.name}`;
      if (seen.has(key)) fail("xml-syntax", `duplicate attribute ${a.qname}`, a.at);
      seen.set(key, true);
      let value = a.value;
      if (isXsiType(r)) {
        const t = resolve(value.trim(), scope, false, a.at); // a QName value: an unprefixed one is in the default namespace
        value = `{${t.ns}}${t.name}`;
      }
      element.attrs.push({ ns: r.ns, name: r.name, value });
    }
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      if (root !== undefined) fail("xml-syntax", "more than one root element", tagStart);
      root = element;
    } else {
      flushText(parent);
      parent.element.children.push(element);
      parent.hasElementChild = true;
    }
    if (!selfClosing) {
      if (stack.length >= maxDepth) fail("xml-syntax", `elements nested deeper than ${maxDepth}`, tagStart);
      stack.push({ element, qname, scope, text: [], hasElementChild: false });
    }
  };

  const readEndTag = (): void => {
    const where = i;
    i += 2; // </
    const qname = readName();
    skipSpace();
    expect(">");
    const top = stack.pop();
    if (top === undefined || top.qname !== qname) fail("xml-syntax", `unexpected </${qname}>`, where);
    flushText(top);
    if (top.hasElementChild && !keepWhitespace) {
      // Formatting whitespace between child elements is not content.
      top.element.children = top.element.children.filter((c) => typeof c !== "string" || !isWhitespaceOnly(c));
    }
  };

  const skipUntil = (terminator: string, what: string): void => {
    const end = find(terminator, i);
    if (end < 0) fail("xml-syntax", `unterminated ${what}`);
    i = end + terminator.length;
  };

  const skipDoctype = (): void => {
    // <!DOCTYPE name ... [internal subset]> — skipped; entities it declares are not expanded.
    let depth = 0;
    while (i < n) {
      const c = u[i++];
      if (c === 91) depth++;
      else if (c === 93) depth--;
      else if (c === 34 || c === 39) {
        while (i < n && u[i] !== c) i++;
        if (i >= n) break;
        i++;
      } else if (c === 62 && depth <= 0) return;
    }
    fail("xml-syntax", "unterminated DOCTYPE");
  };

  if (u[0] === 0xfeff) i = 1; // byte order mark
  while (i < n) {
    if (u[i] !== 60) {
      appendText(readText());
      continue;
    }
    if (at("<!--")) skipUntil("-->", "comment");
    else if (at("<![CDATA[")) {
      if (stack.length === 0) fail("xml-syntax", "CDATA outside the root element");
      const end = find("]]>", i + 9);
      if (end < 0) fail("xml-syntax", "unterminated CDATA section");
      appendText(str(i + 9, end).replace(/\r\n?/g, "\n"));
      i = end + 3;
    } else if (at("<?")) skipUntil("?>", "processing instruction");
    else if (at("<!DOCTYPE")) {
      if (root !== undefined) fail("xml-syntax", "DOCTYPE after the root element");
      skipDoctype();
    } else if (at("</")) readEndTag();
    else if (stack.length === 0 && root !== undefined) fail("xml-syntax", "more than one root element");
    else readStartTag();
  }
  if (stack.length > 0) fail("xml-syntax", `unclosed element <${stack[stack.length - 1].qname}>`);
  if (root === undefined) fail("xml-syntax", "no root element");
  return root;
}

/** The UTF-16 code units of `text`, in one sequential pass (cheap in XS, unlike charCodeAt(i)). */
function codeUnits(text: string): Uint16Array {
  const units: number[] = [];
  for (const ch of text) {
    units.push(ch.charCodeAt(0));
    if (ch.length > 1) units.push(ch.charCodeAt(1));
  }
  return Uint16Array.from(units);
}

const CHUNK = 64; // fromCharCode.apply takes one XS stack slot per code unit

function fromCodeUnits(u: Uint16Array, from: number, to: number): string {
  if (to - from <= CHUNK) return String.fromCharCode.apply(null, u.subarray(from, to) as unknown as number[]);
  const parts: string[] = [];
  for (let k = from; k < to; k += CHUNK) parts.push(String.fromCharCode.apply(null, u.subarray(k, Math.min(to, k + CHUNK)) as unknown as number[]));
  return parts.join("");
}

// ---------------------------------------------------------------------------------------------
// Serializer

/**
 * Preferred prefixes, close to what the reference tools print (the vectors use v2gci_* for
 * DIN, ns4 for appHand, cm/ct/dc/ac for ISO-20). Documents of one family never mix DIN and
 * ISO-2 namespaces, so reusing v2gci_* for both is unambiguous.
 */
const PREFERRED_PREFIXES: Readonly<Record<string, string>> = Object.freeze({
  "urn:iso:15118:2:2010:AppProtocol": "app",
  "urn:din:70121:2012:MsgDef": "v2gci_d",
  "urn:din:70121:2012:MsgHeader": "v2gci_h",
  "urn:din:70121:2012:MsgBody": "v2gci_b",
  "urn:din:70121:2012:MsgDataTypes": "v2gci_t",
  "urn:iso:15118:2:2013:MsgDef": "v2gci_d",
  "urn:iso:15118:2:2013:MsgHeader": "v2gci_h",
  "urn:iso:15118:2:2013:MsgBody": "v2gci_b",
  "urn:iso:15118:2:2013:MsgDataTypes": "v2gci_t",
  "urn:iso:std:iso:15118:-20:CommonMessages": "cm",
  "urn:iso:std:iso:15118:-20:CommonTypes": "ct",
  "urn:iso:std:iso:15118:-20:DC": "dc",
  "urn:iso:std:iso:15118:-20:AC": "ac",
  "urn:iso:std:iso:15118:-20:WPT": "wpt",
  "urn:iso:std:iso:15118:-20:ACDP": "acdp",
  "http://www.w3.org/2000/09/xmldsig#": "ds",
  "http://www.w3.org/2001/XMLSchema-instance": "xsi",
  "http://www.w3.org/2001/XMLSchema": "xs",
});

export interface SerializeXmlOptions {
  /** Namespace → prefix overrides (others: the preferred table, then ns1, ns2, …). */
  prefixes?: Record<string, string>;
  /** Start with `<?xml version="1.0" encoding="UTF-8"?>` (default false). */
  declaration?: boolean;
}

/** Every namespace used by an element or attribute name, in document order. */
function collectNamespaces(root: XmlElement): string[] {
  const seen = new Map<string, true>();
  const out: string[] = [];
  const add = (ns: string): void => {
    if (ns !== "" && ns !== XML_NAMESPACE && !seen.has(ns)) {
      seen.set(ns, true);
      out.push(ns);
    }
  };
  const pending: XmlElement[] = [root];
  while (pending.length > 0) {
    const e = pending.pop()!;
    add(e.ns);
    for (const a of e.attrs) {
      add(a.ns);
      if (isXsiType(a)) add(splitClark(a.value)?.ns ?? "");
    }
    for (let k = e.children.length - 1; k >= 0; k--) {
      const child = e.children[k];
      if (typeof child !== "string") pending.push(child);
    }
  }
  return out;
}

const NEEDS_ESCAPE = /[&<>"\u0000-\u001f\u007f\ud800-\udfff\ufffe\uffff]/;

/** Text escaped so that the output stays on one line and parses back to the same string. */
function escapeText(s: string, attribute: boolean): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  // One sequential pass (for-of: linear in XS, where s.charCodeAt(k) costs O(k)). A valid
  // surrogate pair arrives as one two-unit string; a lone surrogate alone.
  const out: string[] = [];
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length > 1) out.push(ch);
    else if (c === 38) out.push("&amp;");
    else if (c === 60) out.push("&lt;");
    else if (c === 62) out.push("&gt;"); // required after "]]"; escaped always for simplicity
    else if (c === 34 && attribute) out.push("&quot;");
    else if (c < 32 || c === 0x7f || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) out.push(`&#${c};`);
    else out.push(ch);
  }
  return out.join("");
}

/**
 * Serializes an element tree as one line of XML. Every namespace is declared once, with a
 * prefix, on the root element (no default namespace, so unprefixed names are in no namespace,
 * as the schemas' unqualified local elements are). Characters XML 1.0 cannot carry (C0
 * controls, including tab/CR/LF so that the output stays on one line) become numeric
 * references, which `parseXml` reads back.
 */
export function serializeXml(root: XmlElement, options?: SerializeXmlOptions): string {
  const prefixOf = new Map<string, string>([[XML_NAMESPACE, "xml"]]);
  const used = new Map<string, true>([
    ["xml", true],
    ["xmlns", true],
  ]);
  let declarations = "";
  let counter = 1;
  for (const ns of collectNamespaces(root)) {
    let prefix = (options?.prefixes ? own(options.prefixes, ns) : undefined) ?? own(PREFERRED_PREFIXES, ns);
    if (prefix === undefined || used.has(prefix)) {
      do prefix = `ns${counter++}`;
      while (used.has(prefix));
    }
    used.set(prefix, true);
    prefixOf.set(ns, prefix);
    declarations += ` xmlns:${prefix}="${escapeText(ns, true)}"`;
  }
  const qname = (ns: string, name: string): string => (ns === "" ? name : `${prefixOf.get(ns)}:${name}`);

  let out = options?.declaration ? '<?xml version="1.0" encoding="UTF-8"?>' : "";
  // Iterative walk: a frame is an element whose children are being written.
  const frames: { element: XmlElement; next: number }[] = [];
  const open = (e: XmlElement, isRoot: boolean): void => {
    out += `<${qname(e.ns, e.name)}`;
    if (isRoot) out += declarations;
    for (const a of e.attrs) {
      const t = isXsiType(a) ? splitClark(a.value) : undefined;
      out += ` ${qname(a.ns, a.name)}="${escapeText(t ? qname(t.ns, t.name) : a.value, true)}"`;
    }
    let empty = true;
    for (const child of e.children) {
      if (typeof child !== "string" || child.length > 0) {
        empty = false;
        break;
      }
    }
    if (empty) out += "/>";
    else {
      out += ">";
      frames.push({ element: e, next: 0 });
    }
  };
  open(root, true);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    const children = frame.element.children;
    if (frame.next >= children.length) {
      frames.pop();
      out += `</${qname(frame.element.ns, frame.element.name)}>`;
      continue;
    }
    const child = children[frame.next++];
    if (typeof child === "string") out += escapeText(child, false);
    else open(child, false);
  }
  return out;
}
