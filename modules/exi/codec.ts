// The table-driven EXI codec: schema-informed non-strict grammars (tables from tools/exigen),
// bit-packed, no string-table value hits emitted (hits are decoded).

import { BitReader, BitWriter } from "./bits";
import { ExiError } from "./error";
import { codePoints } from "./fast";
import * as L from "./limits";
import * as T from "./tables";
import { bitsFor, type Grammar } from "./tables";
import type { XmlElement } from "./xml-tree";

/** UTF-16 code units turned into a string per String.fromCharCode call (one stack slot each in XS). */
const STRING_CHUNK = 64;

type Obj = Record<string, unknown>;

// Module-local copies of the constants: imported bindings are live (getter-backed in some
// module loaders), and these are read in the innermost loops.
const MAX_BINARY_LENGTH = L.MAX_BINARY_LENGTH, MAX_DEPTH = L.MAX_DEPTH, MAX_ELEMENTS = L.MAX_ELEMENTS, MAX_REPEAT = L.MAX_REPEAT, MAX_STRING_LENGTH = L.MAX_STRING_LENGTH;
const MAX_INTEGER_GROUPS = L.MAX_INTEGER_GROUPS;
/** Bits of the largest integer the decoder reads (MAX_INTEGER_GROUPS 7-bit groups). */
const MAX_INTEGER_BITS = BigInt(7 * MAX_INTEGER_GROUPS);
const DT_B64 = T.DT_B64, DT_BOOL = T.DT_BOOL, DT_ENUM = T.DT_ENUM, DT_HEX = T.DT_HEX, DT_INT = T.DT_INT, DT_NBIT = T.DT_NBIT, DT_STRING = T.DT_STRING, DT_UINT = T.DT_UINT;
const FRAG_RELAXED = T.FRAG_RELAXED, NO_GRAMMAR = T.NO_GRAMMAR;
const P_ARRAY = T.P_ARRAY, P_AT = T.P_AT, P_CH = T.P_CH, P_CHMIXED = T.P_CHMIXED, P_EE = T.P_EE, P_KIND = T.P_KIND, P_SE = T.P_SE, P_SEANY = T.P_SEANY;
const T_ANY = T.T_ANY, T_MIXED = T.T_MIXED, T_SIMPLE_ONLY = T.T_SIMPLE_ONLY;

/** An element matched by a wildcard (xs:any) inside `$content`. */
export interface WildcardItem {
  $wildcard: { ns: string; name: string; value: unknown };
}

const STATE_MASK = 0xfffff;

/**
 * What the decoder does with a value that breaks its schema facet (a peer's violation):
 * "strict" throws ExiError("exi-facet") for every one; "field" (the default) too, except the
 * violations real peers are known to send (FIELD_VIOLATIONS), which are kept and reported to
 * onFacetViolation; "lenient" keeps and reports every one. The encoder checks every facet of
 * what we send unless told to re-encode a peer's message as it is (EncodeOptions).
 */
export type FacetPolicy = "strict" | "field" | "lenient";

/**
 * "<element local name> <facet>" of the violations fielded peers send (modules/exi/README.md):
 * ISO-2 SAScheduleTupleID 0 written as the 8-bit offset −1, i.e. 256 (../shared/docs/
 * standards-notes.md); ISO-2 ChargingProfileEntryMaxNumberOfPhasesInUse 4 (1..3 in the
 * schema) from a car in ../shared/vectors/real (Seres, DC).
 */
const FIELD_VIOLATIONS: readonly string[] = Object.freeze(["SAScheduleTupleID maxInclusive", "ChargingProfileEntryMaxNumberOfPhasesInUse maxInclusive"]);
const XS_NS = "http://www.w3.org/2001/XMLSchema";

// Built-in (schema-less) element grammar for undeclared elements inside wildcards, with
// learned productions (EXI 1.0 §8.4.3). Event kinds: 0 AT(q), 1 SE(q), 2 EE, 3 CH.
interface Learned { k: number; ns: string; name: string }
interface BuiltinGrammar { stc: Learned[]; ec: Learned[] }

function newBuiltin(): BuiltinGrammar {
  return { stc: [], ec: [{ k: 2, ns: "", name: "" }] };
}

export function nextState(g: Grammar, p: number, sc: number, pos: number): number {
  const nx = g.pNext[p];
  if (nx >= 0) return nx;
  const v = -nx - 1, c = v >> 1;
  const count = v & 1 ? (sc >>> 20) + 1 : 1;
  if (count > MAX_REPEAT) throw new ExiError("exi-limit", "too many repetitions", pos);
  const s = count < g.cMin[c] ? g.cLt[c] : g.cMax[c] < 0 || count < g.cMax[c] ? g.cMid[c] : g.cFull[c];
  return s | (count << 20);
}

/** XML 1.0 (5th ed.) §2.3 NameStartChar, without ":" (Namespaces in XML 1.0 §3: NCName). */
function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0xc0 && c <= 0x2ff && c !== 0xd7 && c !== 0xf7) || (c >= 0x370 && c <= 0x1fff && c !== 0x37e) || c === 0x200c || c === 0x200d || (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff) || (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd) || (c >= 0x10000 && c <= 0xeffff);
}

/**
 * Whether `s` can name an element or attribute in XML: an NCName (XML 1.0 §2.3 NameChar
 * production, no ":"), or, for a namespace URI (`uri`), any XML Char (§2.2) but the C0
 * controls, which no URI reference contains. A peer can send any string as a qname through
 * SE(*)/AT(*); one that is not a name would make the XML (and a line-based consumer's
 * output) malformed, and no V2G schema produces one.
 */
export function isXmlName(s: string, uri: boolean): boolean {
  if (!uri && s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const start = i;
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xe000) {
      const d = c < 0xdc00 && i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d >= 0xe000) return false; // a lone surrogate is no character
      c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
      i++;
    }
    if (uri ? c < 0x20 || c === 0xfffe || c === 0xffff : !(isNameStart(c) || (start > 0 && (c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040)))) return false;
  }
  return true;
}

/** The content state of type `ti` (EXI 1.0 §8.5.4.4.1 Element_i,content): the state after its attribute states, which tools/exigen lays out in a row. */
export function contentState(g: Grammar, ti: number): number {
  let s = g.tStart[ti];
  for (let i = g.tOrderStart[ti], end = i + g.tOrderCount[ti]; i < end; i++) if (g.order[i] & 2) s++;
  return s;
}

/** Attribute productions of state `s` (they come first in a state). */
function countAT(g: Grammar, s: number): number {
  const start = g.stStart[s], end = g.stStart[s + 1];
  let n = 0;
  while (start + n < end && (g.pKind[start + n] & P_KIND) === P_AT) n++;
  return n;
}

/**
 * Whether TypeEmpty (after xsi:nil="true", §8.5.4.1.3.2: the attribute uses, then EE) offers EE
 * in state `s` of type `ti`: where the type's state can end its attributes (it has productions
 * besides AT: the rest are optional), and in the content state.
 */
function typeEmptyEE(g: Grammar, s: number, ti: number): boolean {
  return g.stStart[s] + countAT(g, s) < g.stStart[s + 1] || s === contentState(g, ti);
}

/** The first production of `kind` in state `s`, or -1. */
export function prodOf(g: Grammar, s: number, kind: number): number {
  for (let p = g.stStart[s], end = g.stStart[s + 1]; p < end; p++) if ((g.pKind[p] & P_KIND) === kind) return p;
  return -1;
}

/** A message object (not a simple value, an array or bytes). */
export function isPlainObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The XSD facets the codec checks (XML Schema 1.0 Part 2 §4.3); enumerations are structural in EXI. */
export type FacetName = "length" | "minLength" | "maxLength" | "minInclusive" | "maxInclusive";

/** A value that breaks its schema facet; `value` is the value, or its length (code points of a string, octets of a binary). */
export interface FacetViolation {
  path: string;
  facet: FacetName;
  limit: number | bigint;
  value: number | bigint;
}

/** The facet that `x` (a value, or a length) breaks in datatype `dt`, if any (grammar tables: dtFacet). */
function facetViolation(g: Grammar, dt: number, x: number | bigint, path: string): FacetViolation | undefined {
  const bounds = g.facetBounds[g.dtFacet[dt]], lo = bounds.low, hi = bounds.high;
  if (x >= lo && x <= hi) return undefined;
  const kind = g.dtKind[dt];
  const below = x < lo;
  const facet: FacetName = kind !== DT_STRING && kind !== DT_HEX && kind !== DT_B64 ? (below ? "minInclusive" : "maxInclusive") : lo === hi ? "length" : below ? "minLength" : "maxLength";
  return { path, facet, limit: below ? lo : hi, value: x };
}

function describeViolation(v: FacetViolation): string {
  return `${v.path}: ${v.value} breaks ${v.facet} ${v.limit}`;
}


/** Element path of a frame stack plus `q` (when it is not the top frame's own value), for error messages. */
function framePath(g: Grammar, frames: readonly { q: number }[], top: number, q: number): string {
  let p = "";
  for (let i = 0; i <= top; i++) p += `${frames[i].q >= 0 ? g.qLocal[frames[i].q] : "*"}/`;
  if (top >= 0 && frames[top].q === q) return p.slice(0, -1);
  return p + (q >= 0 ? g.qLocal[q] : "*");
}

// ---------------------------------------------------------------------------------------
// Decoder

const K_TYPE = 0, K_RELAXED = 1, K_BUILTIN = 2, K_SIMPLE = 3, K_NIL = 4; // frame kinds (K_NIL: TypeEmpty after xsi:nil="true")
// Second-level (undeclared) productions of a schema-informed grammar, EXI 1.0 §8.5.4.4.1
const U_EE = 0, U_TYPE = 1, U_NIL = 2, U_AT_ANY = 3, U_AT_UNTYPED = 4, U_SE_ANY = 5, U_CH = 6;
// K_SIMPLE states: the simple type grammar (§8.5.4.1.3.1) and its TypeEmpty, plus content2 (§8.5.4.4.1)
const S_START = 0, S_AFTER = 1, S_CONTENT2 = 2, S_NIL_START = 3, S_NIL_CONTENT2 = 4;
const D_ROOT = 0, D_SE = 1, D_WILDCARD = 2, D_ITEM = 3, D_NODE = 4; // how a finished element is delivered

/** One open element of the decoder's explicit stack (frames are reused between calls). */
class DFrame {
  kind = 0;
  ti = 0;
  q = 0;
  flags = 0;
  sc = 0;
  obj: Obj | null = null;
  node: XmlElement | null = null;
  simple: unknown = undefined;
  content: unknown[] | null = null;
  irregular = false;
  lastOrder = -1;
  inStart = true;
  attrs = false;
  elems = false;
  gr: BuiltinGrammar | null = null;
  dmode = 0;
  dname = "";
  darray = false;
  dns = "";
  // undeclared productions (EXI 1.0 §8.5.4.4.1): the element's value becomes an object
  // (`explicit`) with `$content` in event order (`ordered`), `$attrs`, `$type`, `$nil`
  explicit = false;
  ordered = false;
  attrList: unknown[] | null = null;
  c2 = false; // in Element_i,content2 (the copy of the content state after an undeclared SE(*)/CH in the start tag)
  dt = 0; // K_SIMPLE: the datatype
  st = 0; // K_SIMPLE: S_* state
}

/**
 * Decodes EXI streams. An instance keeps its bit reader and frame stack between calls (no
 * module-level instance: preloaded modules are read-only on the device), so one decoder per
 * connection decodes without re-allocating them; it is not re-entrant.
 */
export class Decoder {
  /** Development aid (tools/exigen/trace.ts): one line per decoded schema-informed event. */
  readonly trace: ((line: string) => void) | undefined;
  g!: Grammar;
  r = new BitReader(new Uint8Array(0));
  frames: DFrame[] = [];
  top = -1;
  result: unknown = undefined;
  resultName = "";
  elements = 0;
  globalValues: string[] | null = null; // string table value partitions, created on the first string
  localValues: Map<number, string[]> | null = null;
  uris: string[] | null = null; // copy-on-write string table partitions for qnames
  locals: string[][] | null = null;
  dynQ: Map<string, number> | null = null;
  builtins: Map<string, BuiltinGrammar> | null = null;

  /** What a peer's facet violation does (see FacetPolicy). */
  readonly facets: FacetPolicy;
  readonly onFacetViolation: ((violation: FacetViolation) => void) | undefined;

  constructor(trace?: (line: string) => void, facets: FacetPolicy = "field", onFacetViolation?: (violation: FacetViolation) => void) {
    this.trace = trace;
    this.facets = facets;
    this.onFacetViolation = onFacetViolation;
  }

  /** A value (or its length) outside its datatype's facet: ExiError("exi-facet"), or reported and kept (FacetPolicy). */
  facet(dt: number, x: number | bigint, q: number): void {
    const v = facetViolation(this.g, dt, x, "");
    if (!v) return;
    v.path = framePath(this.g, this.frames, this.top, q);
    if (this.facets === "strict" || (this.facets === "field" && FIELD_VIOLATIONS.indexOf(`${q >= 0 ? this.g.qLocal[q] : ""} ${v.facet}`) < 0)) throw new ExiError("exi-facet", describeViolation(v), this.r.pos);
    this.onFacetViolation?.(v);
  }

  /** Decodes a full stream (or a fragment); throws only ExiError. */
  decode(g: Grammar, bytes: Uint8Array, fragment: boolean, fast = g.fast): Obj {
    if (!(bytes instanceof Uint8Array)) throw new ExiError("exi-header", "expected a Uint8Array", 0);
    if (fast && !fragment && !this.trace) {
      // the generated code of the hot messages; anything it does not handle (or a broken
      // stream) is decoded again by the interpreter, which gives the result or the error.
      // It uses only the grammar and the reader (reset() below for the interpreter).
      this.g = g;
      this.r.init(bytes);
      try {
        const v = fast.decode(this);
        if (v) return v;
      } catch {
        // fall back
      }
    }
    this.reset(g, bytes);
    try {
      return fragment ? this.fragment() : this.document();
    } catch (e) {
      throw wrap(e, this.r.pos, "exi-value");
    }
  }

  reset(g: Grammar, bytes: Uint8Array): void {
    this.g = g;
    this.r.init(bytes);
    this.top = -1;
    this.result = undefined;
    this.elements = 0;
    this.globalValues = null;
    this.localValues = null;
    this.uris = null;
    this.locals = null;
    this.dynQ = null;
    this.builtins = null;
  }

  fail(reason: "exi-event-code" | "exi-value" | "exi-limit" | "exi-name", msg: string): never {
    throw new ExiError(reason, msg, this.r.pos);
  }

  header(): void {
    if (this.r.end < 8 || this.r.bits(8) !== 0x80) throw new ExiError("exi-header", "EXI header must be 0x80", 0);
  }

  // The decoder keeps an explicit stack of element frames instead of recursing, so hostile
  // nesting cannot exhaust the engine's stack (XS aborts on a native stack overflow): depth is
  // bounded by MAX_DEPTH frames only.

  document(): Obj {
    const g = this.g, r = this.r;
    this.header();
    const n = g.docQ.length;
    const code = r.bits(g.docWidth);
    if (code > n) this.fail("exi-event-code", "bad document event");
    if (code === n) {
      if (this.beginWildcard(D_ROOT)) this.run();
    } else {
      const q = g.docQ[code];
      this.resultName = g.qLocal[q];
      if (this.begin(g.docChild[code], q, D_ROOT, this.resultName, false, "")) this.run();
    }
    const doc = { [this.resultName]: this.result };
    this.result = undefined; // a long-lived codec must not keep the last message alive
    return doc;
  }

  fragment(): Obj {
    const g = this.g, r = this.r;
    this.header();
    const n = g.fragQ.length;
    const out: Obj = {};
    for (;;) {
      const code = r.bits(g.fragWidth);
      if (code === n + 1) {
        this.result = undefined;
        return out;
      }
      if (code > n + 1) this.fail("exi-event-code", "bad fragment event");
      if (code === n) {
        if (this.beginWildcard(D_ROOT)) this.run();
        out[this.resultName] = this.result;
        continue;
      }
      const q = g.fragQ[code];
      this.resultName = g.qLocal[q];
      if (this.begin(g.fragChild[code], q, D_ROOT, this.resultName, false, "")) this.run();
      out[this.resultName] = this.result;
      // a local name declared in several namespaces: say which one
      if (g.fragByName.get(g.qLocal[q]) !== code || (code + 1 < n && g.qLocal[g.fragQ[code + 1]] === g.qLocal[q])) out.$ns = g.uris[g.qUri[q]];
    }
  }

  push(kind: number, q: number, dmode: number, dname: string, darray: boolean, dns: string): DFrame {
    if (this.top + 1 >= MAX_DEPTH) this.fail("exi-limit", "nesting too deep");
    let f = this.frames[++this.top];
    if (!f) this.frames[this.top] = f = new DFrame();
    f.kind = kind;
    f.q = q;
    f.dmode = dmode;
    f.dname = dname;
    f.darray = darray;
    f.dns = dns;
    return f;
  }

  /** Starts an element with content `c`; simple content is read and delivered at once. True when a frame was pushed. */
  begin(c: number, q: number, dmode: number, dname: string, darray: boolean, dns: string): boolean {
    if (++this.elements > MAX_ELEMENTS) this.fail("exi-limit", "too many elements");
    const g = this.g;
    if (c >= 0) {
      const f = this.push(K_TYPE, q, dmode, dname, darray, dns);
      const flags = g.tFlags[c];
      f.ti = c;
      f.flags = flags;
      f.sc = g.tStart[c];
      f.obj = {};
      f.simple = undefined;
      f.content = flags & (T_MIXED | T_ANY) ? [] : null;
      f.irregular = false;
      f.lastOrder = -1;
      f.explicit = f.ordered = f.c2 = false;
      f.attrList = null;
      return true;
    }
    if (c === FRAG_RELAXED) {
      const f = this.push(K_RELAXED, q, dmode, dname, darray, dns);
      f.obj = {};
      f.content = [];
      f.attrs = false;
      f.elems = false;
      f.inStart = true;
      return true;
    }
    const r = this.r;
    // CH [schema-typed] then EE, each a 1-bit code whose 1 is the escape to the second level
    if (r.bit() !== 0) return this.beginSimple(-1 - c, q, dmode, dname, darray, dns, S_START, undefined);
    const v = this.value(-1 - c, q);
    if (r.bit() !== 0) return this.beginSimple(-1 - c, q, dmode, dname, darray, dns, S_AFTER, v);
    this.deliver(v, dmode, dname, q, darray, dns);
    return false;
  }

  /**
   * A simple-typed element with an undeclared (second-level) event: a frame in state `st`
   * (whose escape bit was just read), holding the typed value `v` read so far.
   */
  beginSimple(dt: number, q: number, dmode: number, dname: string, darray: boolean, dns: string, st: number, v: unknown): true {
    this.r.pos--; // the step reads the escape again
    const f = this.push(K_SIMPLE, q, dmode, dname, darray, dns);
    f.dt = dt;
    f.st = st;
    f.obj = {};
    f.simple = v;
    f.content = null;
    f.irregular = f.ordered = f.c2 = false;
    f.explicit = true;
    f.attrList = null;
    return true;
  }

  /** SE(*): reads the qname, then the global element's grammar or the built-in one. True when a frame was pushed. */
  beginWildcard(dmode: number): boolean {
    const { ns, name, q } = this.qname();
    if (dmode === D_ROOT) this.resultName = name;
    const c = q >= 0 ? this.g.globalChild.get(q) : undefined;
    if (c !== undefined) return this.begin(c, q, dmode === D_ROOT ? D_ROOT : D_WILDCARD, name, false, ns);
    this.beginBuiltin(ns, name, q, dmode === D_ROOT ? D_ROOT : D_WILDCARD);
    return true;
  }

  beginBuiltin(ns: string, name: string, q: number, dmode: number): void {
    if (++this.elements > MAX_ELEMENTS) this.fail("exi-limit", "too many elements");
    if (!this.builtins) this.builtins = new Map();
    const key = `${ns} ${name}`;
    let gr = this.builtins.get(key);
    if (!gr) this.builtins.set(key, (gr = newBuiltin()));
    const f = this.push(K_BUILTIN, q, dmode, name, false, ns);
    f.gr = gr;
    f.node = { ns, name, attrs: [], children: [] };
    f.inStart = true;
  }

  deliver(v: unknown, dmode: number, dname: string, dq: number, darray: boolean, dns: string): void {
    if (dmode === D_ROOT) {
      this.result = v;
      return;
    }
    const p = this.frames[this.top];
    if (dmode === D_SE) {
      const obj = p.obj!;
      if (darray) {
        const a = obj[dname] as unknown[] | undefined;
        if (a) a.push(v);
        else obj[dname] = [v];
      } else obj[dname] = v;
      if (p.content) {
        p.content.push({ [dname]: v });
        const o = this.orderIndex(p.ti, dq);
        if (o < p.lastOrder) p.irregular = true;
        p.lastOrder = o;
      }
    } else if (dmode === D_WILDCARD) {
      if (p.kind === K_BUILTIN) this.fail("exi-event-code", "declared element inside an undeclared element is unsupported");
      p.content!.push({ $wildcard: { ns: dns, name: dname, value: v } });
      p.irregular = true;
      p.elems = true;
    } else if (dmode === D_ITEM) {
      p.content!.push({ [dname]: v });
      p.elems = true;
    } else p.node!.children.push(v as XmlElement);
  }

  /** Pops the top frame and hands its value to the frame below (or to the result). */
  end(f: DFrame, v: unknown): void {
    this.top--;
    f.obj = null;
    f.content = null;
    f.node = null;
    this.deliver(v, f.dmode, f.dname, f.q, f.darray, f.dns);
  }

  run(): void {
    const base = this.top;
    while (this.top >= base) {
      const f = this.frames[this.top];
      if (f.kind === K_TYPE) this.stepType(f);
      else if (f.kind === K_RELAXED) this.stepRelaxed(f);
      else if (f.kind === K_BUILTIN) this.stepBuiltin(f);
      else if (f.kind === K_SIMPLE) this.stepSimple(f);
      else this.stepNil(f);
    }
  }

  /** Reads events of a schema-informed element until it starts a complex child or ends. */
  stepType(f: DFrame): void {
    const g = this.g, r = this.r;
    const ti = f.ti, flags = f.flags, q = f.q, obj = f.obj!, content = f.content;
    const stStart = g.stStart, stWidth = g.stWidth, pKind = g.pKind, pNext = g.pNext, buf = r.buf;
    let sc = f.sc;
    for (;;) {
      const s = sc & STATE_MASK;
      const start = stStart[s], n = stStart[s + 1] - start, width = stWidth[s];
      // the event code, read in place (BitReader.bits, for the widths of event codes: ≤ 16 bits)
      let code = 0;
      if (width > 16) code = r.bits(width);
      else if (width !== 0) {
        const pos = r.pos;
        if (pos + width > r.end) r.eof();
        r.pos = pos + width;
        const off = pos & 7, at = pos >> 3;
        code = (off + width <= 8 ? buf[at] >> (8 - off - width) : ((buf[at] << 16) | (buf[at + 1] << 8) | buf[at + 2]) >>> (24 - off - width)) & ((1 << width) - 1);
      }
      if (code >= n) {
        if (code > n) this.fail("exi-event-code", "bad event code");
        f.sc = sc;
        this.undeclaredType(f, s);
        return;
      }
      const p = start + code;
      const kind = pKind[p];
      if (this.trace) this.trace(`t${ti} s${s} code ${code}/${n} kind ${kind & 7} ${g.qLocal[g.pQ[p]]} @${r.pos}`);
      switch (kind & P_KIND) {
        case P_AT: {
          const aq = g.pQ[p];
          const v = this.value(g.pChild[p], aq);
          if (f.attrList) f.attrList.push({ ns: g.uris[g.qUri[aq]], name: g.qLocal[aq], value: v });
          else obj[g.qLocal[aq]] = v;
          break;
        }
        case P_SE: {
          const cq = g.pQ[p], c = g.pChild[p];
          const nx = pNext[p];
          sc = nx >= 0 ? nx : nextState(g, p, sc, r.pos);
          if (c >= 0 || c === FRAG_RELAXED) {
            f.sc = sc;
            this.begin(c, cq, D_SE, g.qLocal[cq], (kind & P_ARRAY) !== 0, "");
            return;
          }
          // simple content inline; its 1-bit codes (CH, then EE: 0 unless escaped) read in place
          if (++this.elements > MAX_ELEMENTS) this.fail("exi-limit", "too many elements");
          const name = g.qLocal[cq];
          let pos = r.pos;
          if (pos >= r.end) r.eof();
          r.pos = pos + 1;
          if ((buf[pos >> 3] >> (7 - (pos & 7))) & 1) {
            f.sc = sc;
            this.beginSimple(-1 - c, cq, D_SE, name, (kind & P_ARRAY) !== 0, "", S_START, undefined);
            return;
          }
          const v = this.value(-1 - c, cq);
          pos = r.pos;
          if (pos >= r.end) r.eof();
          r.pos = pos + 1;
          if ((buf[pos >> 3] >> (7 - (pos & 7))) & 1) {
            f.sc = sc;
            this.beginSimple(-1 - c, cq, D_SE, name, (kind & P_ARRAY) !== 0, "", S_AFTER, v);
            return;
          }
          if (kind & P_ARRAY) {
            const a = obj[name] as unknown[] | undefined;
            if (a) a.push(v);
            else obj[name] = [v];
          } else obj[name] = v;
          if (content) {
            content.push({ [name]: v });
            const o = this.orderIndex(ti, cq);
            if (o < f.lastOrder) f.irregular = true;
            f.lastOrder = o;
          }
          break; // not `continue`: XS leaks a stack slot per `continue` out of a switch
        }
        case P_SEANY:
          if (!content) this.fail("exi-event-code", "wildcard");
          f.sc = nextState(g, p, sc, r.pos);
          if (this.beginWildcard(D_WILDCARD)) return;
          sc = f.sc;
          break;
        case P_EE:
          if (flags & T_SIMPLE_ONLY && !f.explicit) {
            this.end(f, f.simple);
            return;
          }
          this.endType(f);
          return;
        case P_CH: {
          const v = this.value(g.pChild[p], q);
          if (f.ordered) f.content!.push({ $value: v });
          else if (flags & T_SIMPLE_ONLY) f.simple = v;
          else obj.$value = v;
          break;
        }
        case P_CHMIXED:
          if (!content) this.fail("exi-event-code", "mixed");
          content.push(this.string(q));
          f.irregular = true;
          break;
      }
      // SE and SE(*) advanced the state before reading the child
      if ((kind & P_KIND) === P_SE || (kind & P_KIND) === P_SEANY) continue;
      const nx = pNext[p];
      sc = nx >= 0 ? nx : nextState(g, p, sc, r.pos);
    }
  }

  /** EE of a schema-informed element: its object (or, for plain simple content, the value). */
  endType(f: DFrame): void {
    const obj = f.obj!, content = f.content;
    if (content && f.irregular) {
      for (const item of content) if (typeof item === "object" && !("$wildcard" in (item as Obj))) delete obj[Object.keys(item as Obj)[0]];
      obj.$content = content;
    } else if (f.flags & T_SIMPLE_ONLY && f.simple !== undefined) obj.$value = f.simple;
    if (f.attrList) obj.$attrs = f.attrList;
    this.end(f, obj);
  }

  // --- undeclared productions (EXI 1.0 §8.5.4.4.1, strict = false) ---
  // The profile preserves nothing (no CM, PI, DTD, prefixes) and is not self-contained, so
  // ER, CM, PI, NS and SC are pruned (§8.3) and the second level holds, in this order:
  //   start tag (Element_i,j, 0 ≤ j ≤ content): EE (when the state has none), AT(xsi:type)
  //     and AT(xsi:nil) (Element_i,0 only), AT(*), AT(qname_k)[untyped] / AT(*)[untyped]
  //     (a third level: the state's declared attributes, then *), SE(*), CH[untyped];
  //   element content (j > content, and content2): EE (when the state has none), SE(*), CH[untyped].

  /** Reads a second-level event code; returns U_*, and for U_AT_UNTYPED the third-level index in `untypedAt`. */
  second(startTag: boolean, first: boolean, hasEE: boolean, nAT: number): number {
    const r = this.r;
    const ee = hasEE ? 0 : 1, xsi = first ? 2 : 0;
    const n = ee + xsi + (startTag ? 2 : 0) + 2;
    let code = r.bits(bitsFor(n));
    if (code >= n) this.fail("exi-event-code", "bad second-level event code");
    if (code < ee) return U_EE;
    code -= ee;
    if (code < xsi) return code === 0 ? U_TYPE : U_NIL;
    code -= xsi;
    if (startTag) {
      if (code === 0) return U_AT_ANY;
      if (code === 1) {
        const i = r.bits(bitsFor(nAT + 1));
        if (i > nAT) this.fail("exi-event-code", "bad third-level event code");
        this.untypedAt = i;
        return U_AT_UNTYPED;
      }
      code -= 2;
    }
    return code === 0 ? U_SE_ANY : U_CH;
  }

  untypedAt = 0;

  /** A second-level event in state `s` of a K_TYPE or K_NIL frame (whose event code escaped to it). */
  undeclaredType(f: DFrame, s: number): void {
    const g = this.g;
    const start = g.stStart[s], end = g.stStart[s + 1];
    const nAT = countAT(g, s);
    const sContent = contentState(g, f.ti);
    // TypeEmpty (K_NIL) has EE where the type could end its attributes (see stepNil)
    let hasEE = f.kind === K_NIL && typeEmptyEE(g, s, f.ti);
    if (f.kind === K_TYPE) for (let p = start; p < end; p++) if ((g.pKind[p] & P_KIND) === P_EE) hasEE = true;
    const startTag = s <= sContent && !f.c2;
    const u = this.second(startTag, startTag && s === g.tStart[f.ti], hasEE, nAT);
    if (u === U_AT_UNTYPED && this.untypedAt < nAT) {
      // AT(qname)[untyped value]: a declared attribute whose value is a string; the state advances as for it
      const p = start + this.untypedAt, aq = g.pQ[p];
      this.attr(f, g.uris[g.qUri[aq]], g.qLocal[aq], this.string(aq), true);
      f.sc = nextState(g, p, f.sc, this.r.pos);
      return;
    }
    if (startTag && (u === U_SE_ANY || u === U_CH)) {
      f.sc = sContent; // Element_i,content2
      f.c2 = true;
    }
    this.undeclared(f, u);
  }

  /** The second-level events whose handling is the same in every schema-informed frame. */
  undeclared(f: DFrame, u: number): void {
    const obj = f.obj!;
    switch (u) {
      case U_EE:
        this.ordered(f);
        if (f.kind === K_SIMPLE) this.endSimple(f);
        else this.endType(f);
        return;
      case U_TYPE: {
        // §8.5.4.4.1: xsi:type and xsi:nil come before any other attribute, xsi:type first
        if (f.attrList || "$type" in obj || "$nil" in obj) this.fail("exi-event-code", "xsi:type after other attributes");
        const { ns, name, q } = this.qname();
        obj.$type = { ns, name };
        f.explicit = true;
        const c = q >= 0 ? this.g.typeByQ.get(q) : undefined;
        // a built-in without a representation here, or a schema type no element uses: refused, not misread
        if (c === NO_GRAMMAR || (c === undefined && ns === XS_NS)) this.fail("exi-event-code", `xsi:type ${name}: no grammar for this type`);
        if (c === undefined) return; // a type the schema does not define: the element keeps its grammar (§8.5.4.4.1 step 4)
        this.switchType(f, c);
        return;
      }
      case U_NIL: {
        if (f.attrList || "$nil" in obj) this.fail("exi-event-code", "xsi:nil after other attributes");
        const nil = this.r.bit() === 1; // Boolean representation (§7.1.2)
        obj.$nil = nil;
        f.explicit = true;
        if (nil) {
          // the element's content follows TypeEmpty (attributes, then EE)
          if (f.kind === K_SIMPLE) f.st = S_NIL_START;
          else f.kind = K_NIL;
        }
        return;
      }
      case U_AT_ANY: {
        // no V2G schema declares a global attribute, so AT(*) values are strings (§8.5.4.4.1)
        const { ns, name, q } = this.qname();
        this.attr(f, ns, name, this.string(q), false);
        return;
      }
      case U_AT_UNTYPED: {
        const { ns, name, q } = this.qname();
        this.attr(f, ns, name, this.string(q), true);
        return;
      }
      case U_SE_ANY:
        this.ordered(f);
        this.beginWildcard(D_WILDCARD);
        return;
      default:
        this.ordered(f);
        f.content!.push(this.string(f.q));
    }
  }

  /** xsi:type named a type with grammar `c`: the element's content follows it from its first state. */
  switchType(f: DFrame, c: number): void {
    const g = this.g;
    if (c >= 0) {
      f.kind = K_TYPE;
      f.ti = c;
      f.flags = g.tFlags[c];
      f.sc = g.tStart[c];
      f.content = f.flags & (T_MIXED | T_ANY) ? [] : null;
      f.lastOrder = -1;
    } else {
      f.kind = K_SIMPLE;
      f.dt = -1 - c;
      f.st = S_START;
      f.simple = undefined;
    }
  }

  /** An attribute through a second-level production: from now on all of the element's attributes are kept in order in `$attrs`. */
  attr(f: DFrame, ns: string, name: string, value: string, untyped: boolean): void {
    f.explicit = true;
    if (!f.attrList) {
      const list: unknown[] = (f.attrList = []), obj = f.obj!;
      if (f.kind !== K_SIMPLE) for (const key of Object.keys(obj)) {
        if (key[0] === "$") continue; // only attributes precede an attribute
        const g = this.g;
        let aq = -1;
        for (let i = g.tOrderStart[f.ti], end = i + g.tOrderCount[f.ti]; i < end; i++) if (g.order[i] & 2 && g.qLocal[g.order[i] >> 2] === key) aq = g.order[i] >> 2;
        list.push({ ns: aq >= 0 ? g.uris[g.qUri[aq]] : "", name: key, value: obj[key] });
        delete obj[key];
      }
    }
    f.attrList.push(untyped ? { ns, name, value, untyped: true } : { ns, name, value });
  }

  /** From now on the element's content is kept in event order in `$content` (typed text as `{ $value }`). */
  ordered(f: DFrame): void {
    f.explicit = true;
    if (f.ordered) return;
    f.ordered = f.irregular = true;
    if (f.content) return; // mixed / wildcard types track their children already
    const obj = f.obj!, g = this.g, content: unknown[] = (f.content = []);
    if (f.kind === K_SIMPLE || f.flags & T_SIMPLE_ONLY) {
      if (f.simple !== undefined) content.push({ $value: f.simple });
      f.simple = undefined;
      return;
    }
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (key === "$value") content.push({ $value: v });
      if (key[0] === "$") continue;
      let attribute = false;
      for (let i = g.tOrderStart[f.ti], end = i + g.tOrderCount[f.ti]; i < end; i++) if (g.order[i] & 2 && g.qLocal[g.order[i] >> 2] === key) attribute = true;
      if (attribute) continue;
      // the children so far followed the schema, so each name's occurrences are consecutive
      if (Array.isArray(v)) for (const x of v) content.push({ [key]: x });
      else content.push({ [key]: v });
    }
    delete obj.$value;
  }

  /** A simple-typed element with undeclared events (K_SIMPLE): CH [schema-typed] and EE, and the second level. */
  stepSimple(f: DFrame): void {
    const r = this.r;
    for (;;) {
      const st = f.st;
      if (r.bit() === 0) {
        if (st === S_START || st === S_CONTENT2) {
          const v = this.value(f.dt, f.q);
          if (f.ordered) f.content!.push({ $value: v });
          else f.simple = v;
          f.st = S_AFTER;
          continue;
        }
        this.endSimple(f);
        return;
      }
      const startTag = st === S_START || st === S_NIL_START;
      const u = this.second(startTag, startTag, st !== S_START && st !== S_CONTENT2, 0);
      if (startTag && (u === U_SE_ANY || u === U_CH)) f.st = st === S_START ? S_CONTENT2 : S_NIL_CONTENT2;
      this.undeclared(f, u);
      if (f.kind !== K_SIMPLE || this.frames[this.top] !== f) return;
    }
  }

  endSimple(f: DFrame): void {
    const obj = f.obj!;
    if (f.ordered) obj.$content = f.content;
    else if (f.simple !== undefined) obj.$value = f.simple;
    if (f.attrList) obj.$attrs = f.attrList;
    this.end(f, obj);
  }

  /** TypeEmpty of a complex type (after xsi:nil="true"): its attribute productions, then EE (§8.5.4.1.3.2). */
  stepNil(f: DFrame): void {
    const g = this.g, r = this.r;
    const sc = f.sc, s = sc & STATE_MASK;
    const start = g.stStart[s], nAT = countAT(g, s);
    const n = nAT + (typeEmptyEE(g, s, f.ti) ? 1 : 0);
    const code = r.bits(bitsFor(n + 1));
    if (code > n) this.fail("exi-event-code", "bad event code");
    if (code < nAT) {
      const p = start + code, aq = g.pQ[p];
      const v = this.value(g.pChild[p], aq);
      if (f.attrList) f.attrList.push({ ns: g.uris[g.qUri[aq]], name: g.qLocal[aq], value: v });
      else f.obj![g.qLocal[aq]] = v;
      f.sc = nextState(g, p, sc, r.pos);
    } else if (code < n) this.endType(f);
    else this.undeclaredType(f, s);
  }

  /**
   * Relaxed element fragment grammar (EXI 1.0 §8.5.4.3), for a fragment element whose qname
   * has declarations of different types (ISO-2 eMAID). Result: the text when there are no
   * attributes and no children; otherwise attributes, `$value` (text) or `$content`.
   */
  stepRelaxed(f: DFrame): void {
    const g = this.g, r = this.r;
    const nA = g.fragAttrQ.length, nF = g.fragQ.length;
    const obj = f.obj!, content = f.content!;
    for (;;) {
      const base = f.inStart ? nA + 1 : 0;
      const n = base + nF + 3;
      let code = r.bits(bitsFor(n + 1));
      if (code >= n) this.fail("exi-event-code", "undeclared (second-level) event");
      if (code < nA) {
        const aq = g.fragAttrQ[code], dt = g.fragAttrDt[code];
        obj[g.qLocal[aq]] = dt >= 0 ? this.value(dt, aq) : this.string(aq);
        f.attrs = true;
        continue;
      }
      if (f.inStart && code === nA) this.fail("exi-event-code", "AT(*) in element fragment");
      code -= base;
      if (code === nF + 1) {
        let v: unknown;
        if (!f.attrs && !f.elems) v = content.length ? content[0] : "";
        else if (!f.elems) {
          if (content.length) obj.$value = content[0];
          v = obj;
        } else {
          obj.$content = content;
          v = obj;
        }
        this.end(f, v);
        return;
      }
      f.inStart = false;
      if (code < nF) {
        const cq = g.fragQ[code];
        if (this.begin(g.fragChild[code], cq, D_ITEM, g.qLocal[cq], false, "")) return;
      } else if (code === nF) {
        if (this.beginWildcard(D_WILDCARD)) return;
      } else content.push(this.string(f.q));
    }
  }

  /** Built-in element grammar (undeclared elements inside wildcards), learning productions (§8.4.3). */
  stepBuiltin(f: DFrame): void {
    const r = this.r;
    const gr = f.gr!, node = f.node!;
    for (;;) {
      const list = f.inStart ? gr.stc : gr.ec;
      const n = list.length;
      const code = r.bits(bitsFor(n + 1));
      let k: number, cns = "", cname = "", cq = f.q;
      if (code < n) {
        const ev = list[code];
        k = ev.k; cns = ev.ns; cname = ev.name;
        if (k !== 3 && k !== 2) cq = this.qid(cns, cname);
      } else if (code > n) {
        return this.fail("exi-event-code", "bad event code");
      } else {
        const c2 = f.inStart ? r.bits(2) : r.bits(1) + 2;
        k = c2 === 0 ? 2 : c2 === 1 ? 0 : c2 === 2 ? 1 : 3;
        if (k === 0 || k === 1) {
          const qn = this.qname();
          cns = qn.ns; cname = qn.name; cq = qn.q;
        }
        if (!(k === 2 && !f.inStart)) list.unshift({ k, ns: cns, name: cname });
      }
      switch (k) {
        case 0:
          node.attrs.push({ ns: cns, name: cname, value: this.string(cq) });
          break;
        case 1: {
          const c = cq >= 0 ? this.g.globalChild.get(cq) : undefined;
          if (c !== undefined) this.fail("exi-event-code", "declared element inside an undeclared element is unsupported");
          f.inStart = false;
          this.beginBuiltin(cns, cname, cq, D_NODE);
          return;
        }
        case 2:
          this.end(f, node);
          return;
        case 3:
          node.children.push(this.string(f.q));
          f.inStart = false;
          break;
      }
    }
  }

  orderIndex(ti: number, q: number): number {
    const g = this.g;
    const start = g.tOrderStart[ti], end = start + g.tOrderCount[ti];
    for (let i = start; i < end; i++) if (g.order[i] >> 2 === q) return i;
    return end;
  }

  value(dt: number, q: number): unknown {
    const g = this.g, r = this.r;
    switch (g.dtKind[dt]) {
      case DT_STRING: {
        const s = this.string(q);
        // a literal's length in code points is the one just read (counting the string's
        // characters in XS would allocate: every s.length or s.charCodeAt on a string makes a
        // wrapper object, 2 slots, ~4 per character); a string-table hit is counted
        if (g.dtFacet[dt] !== 0) this.facet(dt, this.literalLength >= 0 ? this.literalLength : codePoints(s), q);
        return s;
      }
      case DT_BOOL:
        return r.bit() === 1;
      case DT_HEX:
      case DT_B64: {
        const n = r.uint();
        if (n > MAX_BINARY_LENGTH) this.fail("exi-limit", "binary too long");
        if (g.dtFacet[dt] !== 0 && !(n >= g.facetBounds[g.dtFacet[dt]].low && n <= g.facetBounds[g.dtFacet[dt]].high)) this.facet(dt, n, q);
        return r.bytes(n);
      }
      case DT_NBIT: {
        const v = r.bits(g.dtB[dt]) + g.dtA[dt];
        if (g.dtFacet[dt] !== 0 && !(v >= g.facetBounds[g.dtFacet[dt]].low && v <= g.facetBounds[g.dtFacet[dt]].high)) this.facet(dt, v, q);
        return v;
      }
      case DT_UINT: {
        const v = g.dtA[dt] ? r.uintBig() : r.uint();
        if (g.dtFacet[dt] !== 0 && !(v >= g.facetBounds[g.dtFacet[dt]].low && v <= g.facetBounds[g.dtFacet[dt]].high)) this.facet(dt, v, q);
        return v;
      }
      case DT_INT: {
        const neg = r.bit();
        let v: number | bigint;
        if (g.dtA[dt]) {
          const m = r.uintBig();
          v = neg ? -m - 1n : m;
        } else {
          const m = r.uint();
          v = neg ? -m - 1 : m;
        }
        if (g.dtFacet[dt] !== 0 && !(v >= g.facetBounds[g.dtFacet[dt]].low && v <= g.facetBounds[g.dtFacet[dt]].high)) this.facet(dt, v, q);
        return v;
      }
      case DT_ENUM: {
        const count = g.dtB[dt];
        const i = r.bits(count > 1 ? 32 - Math.clz32(count - 1) : 0); // bitsFor(count)
        if (i >= count) this.fail("exi-value", "enumeration index out of range");
        return g.enums[g.dtA[dt] + i];
      }
    }
    return this.fail("exi-value", "bad datatype");
  }

  units = new Uint16Array(256); // UTF-16 code units of the string being decoded
  /** The generated code's pending EE codes (fast.ts FastDecoderHost.z). */
  z = 0;

  chars(len: number): string {
    const r = this.r;
    if (len > MAX_STRING_LENGTH) this.fail("exi-limit", "string too long");
    if (r.pos + len * 8 > r.end) r.eof();
    if (len * 2 > this.units.length) this.units = new Uint16Array(len * 2);
    const units = this.units, buf = r.buf;
    let k = 0;
    for (let i = 0; i < len; i++) {
      const pos = r.pos, off = pos & 7, at = pos >> 3;
      const b = off === 0 ? buf[at] : ((buf[at] << off) | (buf[at + 1] >> (8 - off))) & 0xff;
      if (b < 0x80) {
        units[k++] = b;
        r.pos = pos + 8;
        continue;
      }
      const cp = r.uint();
      if (cp > 0x10ffff) this.fail("exi-value", "code point out of range");
      if (cp < 0x10000) units[k++] = cp;
      else {
        units[k++] = 0xd7c0 + (cp >> 10);
        units[k++] = 0xdc00 | (cp & 0x3ff);
      }
    }
    // fromCharCode.apply pushes one XS stack slot per argument: small chunks keep a long string
    // from the peer within the device's stack (manifest.json creation.stack; see
    // tests/project/device-stack.test.ts).
    let out = "";
    for (let i = 0; i < k; i += STRING_CHUNK) out += String.fromCharCode.apply(null, units.subarray(i, Math.min(k, i + STRING_CHUNK)) as unknown as number[]);
    return out;
  }

  /** The length in code points of the literal string() read last, -1 after a string-table hit. */
  literalLength = -1;

  string(q: number): string {
    const r = this.r;
    const L = r.uint();
    if (L >= 2) {
      const s = this.chars(L - 2);
      this.literalLength = L - 2;
      if (L > 2) {
        if (!this.globalValues) {
          this.globalValues = [];
          this.localValues = new Map();
        }
        this.globalValues.push(s);
        const l = this.localValues!.get(q);
        if (l) l.push(s);
        else this.localValues!.set(q, [s]);
      }
      return s;
    }
    const list = (L === 0 ? this.localValues?.get(q) : this.globalValues) ?? [];
    const i = r.bits(bitsFor(list.length));
    if (i >= list.length) this.fail("exi-value", "string table hit out of range");
    this.literalLength = -1;
    return list[i];
  }

  // --- qnames and wildcards ---

  qname(): { ns: string; name: string; q: number } {
    const r = this.r;
    if (!this.uris) {
      this.uris = this.g.uris.slice();
      this.locals = this.g.locals.map((l) => l.slice());
    }
    const uris = this.uris, locals = this.locals!;
    const ui = r.bits(bitsFor(uris.length + 1));
    let u: number;
    if (ui === 0) {
      const uri = this.chars(r.uint());
      if (!isXmlName(uri, true)) this.fail("exi-name", `namespace URI ${JSON.stringify(uri)} has characters XML forbids`);
      uris.push(uri);
      locals.push([]);
      u = uris.length - 1;
    } else {
      u = ui - 1;
      if (u >= uris.length) this.fail("exi-value", "uri index out of range");
    }
    const L = r.uint();
    let name: string;
    if (L === 0) {
      const list = locals[u];
      const i = r.bits(bitsFor(list.length));
      if (i >= list.length) this.fail("exi-value", "local-name index out of range");
      name = list[i];
    } else {
      name = this.chars(L - 1);
      if (!isXmlName(name, false)) this.fail("exi-name", `${JSON.stringify(name)} is not an XML name`);
      locals[u].push(name);
    }
    const ns = uris[u];
    const key = `${ns} ${name}`;
    let q = this.g.qByName.get(key);
    if (q === undefined) {
      if (!this.dynQ) this.dynQ = new Map();
      q = this.dynQ.get(key);
      if (q === undefined) this.dynQ.set(key, (q = -1 - this.dynQ.size));
    }
    return { ns, name, q };
  }

  qid(ns: string, name: string): number {
    const key = `${ns} ${name}`;
    const q = this.g.qByName.get(key);
    if (q !== undefined) return q;
    if (!this.dynQ) this.dynQ = new Map();
    let d = this.dynQ.get(key);
    if (d === undefined) this.dynQ.set(key, (d = -1 - this.dynQ.size));
    return d;
  }
}

// ---------------------------------------------------------------------------------------
// Encoder

const PH_KEYS = 0, PH_ORDER = 1, PH_CONTENT = 2, PH_END = 3; // phases of an encoder frame
const KEY_CACHE = 64; // types whose last keys an encoder remembers (a power of two; no two types of one real loop request share an entry)

/** One open element of the encoder's explicit stack (frames are reused between calls). */
class EFrame {
  kind = 0;
  ti = 0;
  q = 0;
  sc = 0;
  phase = 0;
  obj: Obj | null = null;
  keys: string[] | null = null;
  idx: number[] = []; // order index of each key
  items: unknown[] | null = null; // $content items, or the children of an undeclared element
  i = 0;
  arr: unknown[] | null = null; // array property being written
  j = 0;
  cq = 0;
  inStart = true;
  gr: BuiltinGrammar | null = null;
  c2 = false; // in Element_i,content2 (see Decoder)
  dt = 0; // K_SIMPLE: the datatype
  st = 0; // K_SIMPLE: S_* state
}

/** Encodes message objects; like Decoder, an instance keeps its writer and frames between calls. */
export class Encoder {
  g!: Grammar;
  w = new BitWriter(1024);
  frames: EFrame[] = [];
  top = -1;
  uris: string[] | null = null;
  locals: string[][] | null = null;
  builtins: Map<string, BuiltinGrammar> | null = null;
  elements = 0;
  /** False only to re-encode a peer's message as it came (facet violations written as they are). */
  checkFacets = true;

  /**
   * Encodes a full stream (or a fragment); throws only ExiError. It refuses what its own decoder
   * would refuse (limits.ts: exi-limit) and, with `checkFacets`, any value outside its schema
   * facets (exi-facet): a bug of ours must not reach the wire.
   */
  encode(g: Grammar, doc: object, fragment: boolean, checkFacets = true, fast = g.fast): Uint8Array {
    if (typeof doc !== "object" || doc === null) throw new ExiError("exi-encode", "expected a message object");
    this.checkFacets = checkFacets;
    if (fast && !fragment) {
      // the generated code of the hot messages; the interpreter writes anything else, and again
      // what the generated code gave up on (its bytes or its error). It uses only the grammar
      // and the writer (reset() below for the interpreter).
      this.g = g;
      this.w.reset();
      try {
        if (fast.encode(this, doc as Obj)) return this.w.finish();
      } catch {
        // fall back
      }
    }
    this.reset(g);
    try {
      return fragment ? this.fragment(doc) : this.document(doc);
    } catch (e) {
      throw wrap(e, -1, "exi-encode");
    }
  }

  /**
   * Encodes a full stream like encode() into `out` from byte `offset` (a V2GTP writer's buffer
   * after its header) instead of a new array: no allocation and no copy of the stream (on Node a
   * result over 64 bytes is an off-heap ArrayBuffer, a third of a 76-byte CurrentDemandRes's
   * encode). Returns the stream's length; where that exceeds `out.length - offset`, `out` holds
   * nothing usable and the caller retries with a larger buffer.
   */
  encodeInto(g: Grammar, doc: object, out: Uint8Array, offset: number, checkFacets = true, fast = g.fast): number {
    // the writer lent `out` (BitWriter.base/lent; encode() resets it to `offset`): field stores,
    // not calls, for the XS meter of every response
    const w = this.w, own = w.buf;
    w.buf = out;
    w.base = offset;
    w.lent = true;
    try {
      this.encode(g, doc, false, checkFacets, fast);
      const n = w.len - offset;
      // moved to a grown copy (its margin) although the stream fits: copied back once
      if (w.buf !== out && n <= out.length - offset) out.set(w.buf.subarray(offset, offset + n), offset);
      return n;
    } finally {
      w.buf = own;
      w.base = 0;
      w.lent = false;
    }
  }

  reset(g: Grammar): void {
    this.g = g;
    this.w.reset();
    this.top = -1;
    this.uris = null;
    this.locals = null;
    this.builtins = null;
    this.elements = 0;
    if (this.lastGrammar !== g) {
      // what the encoder remembers of the last messages holds for one grammar
      this.lastGrammar = g;
      this.keyType.fill(-1);
      this.lastKeys = [];
      this.lastIdx = [];
      this.lastEnum = [];
    }
  }

  fail(msg: string): never {
    throw new ExiError("exi-encode", msg);
  }

  /** What the decoder's limit would refuse (limits.ts), named by the element path. */
  limit(q: number, what: string): never {
    throw new ExiError("exi-limit", `${framePath(this.g, this.frames, this.top, q)}: ${what}`);
  }

  facet(dt: number, x: number | bigint, q: number): void {
    if (!this.checkFacets) return;
    const v = facetViolation(this.g, dt, x, "");
    if (v) {
      v.path = framePath(this.g, this.frames, this.top, q);
      throw new ExiError("exi-facet", describeViolation(v));
    }
  }

  document(doc: object): Uint8Array {
    const g = this.g, w = this.w;
    w.bits(0x80, 8);
    const keys = Object.keys(doc);
    if (keys.length !== 1) this.fail("a document has exactly one root element");
    const i = g.docByName.get(keys[0]);
    if (i === undefined) {
      // an undeclared root (SE(*)), given as an XmlElement, as the decoder returns it
      const v = (doc as Obj)[keys[0]];
      if (!isXmlElement(v)) this.fail(`${keys[0]} is not a root element of this schema`);
      w.bits(g.docQ.length, g.docWidth);
      this.qname(v.ns, v.name);
      this.beginBuiltin(v);
      this.run();
      return w.finish();
    }
    w.bits(i, g.docWidth);
    this.child(g.docChild[i], (doc as Obj)[keys[0]], g.docQ[i]);
    return w.finish();
  }

  fragment(doc: object): Uint8Array {
    const g = this.g, w = this.w;
    w.bits(0x80, 8);
    const n = g.fragQ.length;
    const ns = (doc as Obj).$ns;
    for (const key of Object.keys(doc)) {
      if (key === "$ns") continue;
      let i = g.fragByName.get(key);
      if (i === undefined) {
        const v = (doc as Obj)[key];
        if (!isXmlElement(v)) this.fail(`${key} is not an element of this schema`);
        w.bits(n, g.fragWidth);
        this.qname(v.ns, v.name);
        this.beginBuiltin(v);
        this.run();
        continue;
      }
      if (typeof ns === "string") while (i < n && g.qLocal[g.fragQ[i]] === key && g.uris[g.qUri[g.fragQ[i]]] !== ns) i++;
      if (i >= n || g.qLocal[g.fragQ[i]] !== key) this.fail(`${key} is not an element of namespace ${String(ns)}`);
      w.bits(i, g.fragWidth);
      this.child(g.fragChild[i], (doc as Obj)[key], g.fragQ[i]);
    }
    w.bits(n + 1, g.fragWidth);
    return w.finish();
  }

  // Like the decoder, the encoder walks the message with an explicit frame stack (no
  // recursion), bounded by MAX_DEPTH.

  child(c: number, v: unknown, q: number): void {
    if (this.begin(c, v, q)) this.run();
  }

  push(kind: number, q: number): EFrame {
    if (this.top + 1 >= MAX_DEPTH) this.limit(q, `nesting deeper than MAX_DEPTH ${MAX_DEPTH}`);
    let f = this.frames[++this.top];
    if (!f) this.frames[this.top] = f = new EFrame();
    f.kind = kind;
    f.q = q;
    f.i = 0;
    f.arr = null;
    f.j = 0;
    return f;
  }

  /** Starts element content `c` for value `v`; simple values are written at once. True when a frame was pushed. */
  begin(c: number, v: unknown, q: number): boolean {
    const g = this.g, w = this.w;
    if (++this.elements > MAX_ELEMENTS) this.limit(q, `more than MAX_ELEMENTS ${MAX_ELEMENTS} elements`);
    if (c < 0 && c !== FRAG_RELAXED) {
      if (isPlainObject(v)) {
        // the explicit form of a simple element (undeclared events, xsi:type, xsi:nil)
        const f = this.push(K_SIMPLE, q);
        f.dt = -1 - c;
        f.st = S_START;
        f.obj = v;
        f.c2 = false;
        return this.explicitStart(f, v);
      }
      w.bits(0, 1);
      this.value(-1 - c, v, q);
      w.bits(0, 1);
      return false;
    }
    if (c === FRAG_RELAXED) {
      this.beginRelaxed(v, q);
      return true;
    }
    const flags = g.tFlags[c];
    if (flags & T_SIMPLE_ONLY && !isPlainObject(v)) {
      let sc = g.tStart[c];
      const p = this.find(sc, P_CH, q);
      this.value(g.pChild[p], v, q);
      sc = nextState(g, p, sc, -1);
      this.find(sc & STATE_MASK, P_EE, q);
      return false;
    }
    if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Uint8Array) this.fail(`${g.qLocal[q]}: expected an object`);
    const obj = v as Obj;
    const f = this.push(K_TYPE, q);
    f.ti = c;
    f.sc = g.tStart[c];
    f.obj = obj;
    f.c2 = false;
    if (obj.$type !== undefined || obj.$nil !== undefined || obj.$attrs !== undefined) return this.explicitStart(f, obj);
    this.setupType(f, obj);
    return true;
  }

  /** Phases of a K_TYPE frame for `obj`: its properties in order, or `$content`. */
  setupType(f: EFrame, obj: Obj): void {
    const g = this.g, c = f.ti, q = f.q;
    // `$content` lists the children in order: irregular xmldsig content, or undeclared events
    const content = obj.$content as unknown[] | undefined;
    f.items = content ?? null;
    if (content !== undefined && !Array.isArray(content)) this.fail("$content: expected an array");
    // Fast path: the object's own keys already in schema order (decoded objects, literals
    // written in order): only the present properties are visited.
    let last = -1, inOrder = !content;
    if (inOrder) {
      const keys = Object.keys(obj);
      // The same keys as the type's last object (a loop's response every cycle): the order
      // indexes found then, without a lookup per key.
      const slot = c & (KEY_CACHE - 1);
      const seen = this.keyType[slot] === c ? this.lastKeys[slot] : undefined;
      if (seen !== undefined && seen.length === keys.length) {
        let n = 0;
        while (n < keys.length && keys[n] === seen[n]) n++;
        if (n === keys.length) {
          f.keys = keys;
          f.idx = this.lastIdx[slot]!;
          f.phase = PH_KEYS;
          return;
        }
      }
      const idx: number[] = (f.idx = []);
      for (let n = 0; n < keys.length; n++) {
        const k = keys[n];
        const i = this.orderIndex(c, k);
        if (i < 0) {
          if (k !== "$value" && k !== "$content" && k !== "$type" && k !== "$nil" && k !== "$attrs") this.fail(`${g.qLocal[q]}: unknown property ${k}`);
          idx[n] = -1;
          continue;
        }
        if (i < last) {
          inOrder = false;
          break;
        }
        idx[n] = last = i;
      }
      f.keys = keys;
      if (inOrder) {
        const slot = c & (KEY_CACHE - 1);
        this.keyType[slot] = c;
        this.lastKeys[slot] = keys;
        this.lastIdx[slot] = idx;
      }
    }
    if (inOrder) f.phase = PH_KEYS;
    else {
      f.phase = PH_ORDER;
      f.keys = null;
      f.i = g.tOrderStart[c];
    }
  }

  // --- undeclared productions (EXI 1.0 §8.5.4.4.1; the layout is described at Decoder.second) ---

  /** Writes the start tag's undeclared parts of `obj` ($type, $nil, $attrs), then sets up its content. */
  explicitStart(f: EFrame, obj: Obj): true {
    const g = this.g, w = this.w;
    const type = obj.$type, nil = obj.$nil, attrs = obj.$attrs;
    if (type !== undefined) {
      const t = type as { ns?: unknown; name?: unknown };
      if (typeof t !== "object" || t === null || typeof t.ns !== "string" || typeof t.name !== "string") this.fail("$type: expected { ns, name }");
      this.undeclared(f, U_TYPE, 0);
      const tq = this.qname(t.ns, t.name); // QName representation (§7.1.7): no prefix
      const c = tq >= 0 ? g.typeByQ.get(tq) : undefined;
      if (c === NO_GRAMMAR || (c === undefined && t.ns === XS_NS)) this.fail(`$type: no grammar for the type ${t.name}`);
      if (c !== undefined && c >= 0) {
        f.kind = K_TYPE;
        f.ti = c;
        f.sc = g.tStart[c];
      } else if (c !== undefined) {
        f.kind = K_SIMPLE;
        f.dt = -1 - c;
        f.st = S_START;
      }
    }
    if (nil !== undefined) {
      if (typeof nil !== "boolean") this.fail("$nil: expected a boolean");
      this.undeclared(f, U_NIL, 0);
      w.bits(nil ? 1 : 0, 1);
      if (nil && f.kind === K_SIMPLE) f.st = S_NIL_START;
      else if (nil) f.kind = K_NIL;
    }
    if (attrs !== undefined) {
      if (!Array.isArray(attrs)) this.fail("$attrs: expected an array");
      for (const a of attrs) this.attribute(f, a);
    } else if (f.kind === K_NIL) {
      // TypeEmpty keeps the declared attributes (properties): in EXI order
      for (let i = g.tOrderStart[f.ti], end = i + g.tOrderCount[f.ti]; i < end; i++) {
        const aq = g.order[i] >> 2, v = obj[g.qLocal[aq]];
        if (g.order[i] & 2 && v !== undefined) this.attribute(f, { ns: g.uris[g.qUri[aq]], name: g.qLocal[aq], value: v });
      }
    }
    if (f.kind === K_TYPE) this.setupType(f, obj);
    else {
      const items = obj.$content;
      if (items !== undefined && !Array.isArray(items)) this.fail("$content: expected an array");
      f.items = (items as unknown[] | undefined) ?? null;
      f.i = 0;
    }
    return true;
  }

  /** Escapes from the first level of the frame's state and writes the second-level code of `u` (`third`: the U_AT_UNTYPED index). */
  undeclared(f: EFrame, u: number, third: number): void {
    const g = this.g, w = this.w;
    let startTag: boolean, first: boolean, hasEE: boolean, nAT = 0, sContent = 0;
    if (f.kind === K_SIMPLE) {
      const st = f.st;
      w.bits(1, 1);
      startTag = first = st === S_START || st === S_NIL_START;
      hasEE = st !== S_START && st !== S_CONTENT2;
    } else {
      const s = f.sc & STATE_MASK, start = g.stStart[s], end = g.stStart[s + 1];
      nAT = countAT(g, s);
      sContent = contentState(g, f.ti);
      startTag = s <= sContent && !f.c2;
      first = startTag && s === g.tStart[f.ti];
      if (f.kind === K_TYPE) {
        hasEE = false;
        for (let p = start; p < end; p++) if ((g.pKind[p] & P_KIND) === P_EE) hasEE = true;
        w.bits(end - start, g.stWidth[s]);
      } else {
        hasEE = typeEmptyEE(g, s, f.ti);
        const n = nAT + (hasEE ? 1 : 0);
        w.bits(n, bitsFor(n + 1));
      }
    }
    const ee = hasEE ? 0 : 1, xsi = first ? 2 : 0, at = startTag ? 2 : 0;
    let code: number;
    if (u === U_EE) code = ee ? 0 : -1;
    else if (u === U_TYPE || u === U_NIL) code = xsi ? ee + u - U_TYPE : -1;
    else if (u === U_AT_ANY || u === U_AT_UNTYPED) code = at ? ee + xsi + u - U_AT_ANY : -1;
    else code = ee + xsi + at + u - U_SE_ANY;
    if (code < 0) this.fail(`${this.name(f.q)}: ${u === U_EE ? "end of element" : u === U_TYPE || u === U_NIL ? "xsi:type / xsi:nil (first in the start tag only)" : "attribute"} not allowed here`);
    w.bits(code, bitsFor(ee + xsi + at + 2));
    if (u === U_AT_UNTYPED) w.bits(third, bitsFor(nAT + 1));
    if (startTag && (u === U_SE_ANY || u === U_CH)) {
      // on to Element_i,content2
      if (f.kind === K_SIMPLE) f.st = f.st === S_START ? S_CONTENT2 : S_NIL_CONTENT2;
      else {
        f.sc = sContent;
        f.c2 = true;
      }
    }
  }

  /** One `$attrs` item: a declared attribute of the state (typed, or `untyped`), else AT(*) / AT(*)[untyped]. */
  attribute(f: EFrame, item: unknown): void {
    const g = this.g, a = item as { ns?: unknown; name?: unknown; value?: unknown; untyped?: unknown };
    if (typeof a !== "object" || a === null || typeof a.ns !== "string" || typeof a.name !== "string") this.fail("$attrs: expected { ns, name, value }");
    const untyped = a.untyped === true;
    let k = 0, nAT = 0, start = 0;
    if (f.kind !== K_SIMPLE) {
      const s = f.sc & STATE_MASK;
      start = g.stStart[s];
      nAT = countAT(g, s);
      while (k < nAT && (g.qLocal[g.pQ[start + k]] !== a.name || g.uris[g.qUri[g.pQ[start + k]]] !== a.ns)) k++;
    }
    if (k < nAT) {
      const p = start + k;
      if (untyped) {
        this.undeclared(f, U_AT_UNTYPED, k);
        this.untypedValue(a.value);
      } else {
        const s = f.sc & STATE_MASK;
        // K_NIL: TypeEmpty's first level is the attributes, then EE where the attributes may end
        const n = nAT + (typeEmptyEE(g, s, f.ti) ? 1 : 0);
        this.w.bits(k, f.kind === K_TYPE ? g.stWidth[s] : bitsFor(n + 1));
        this.value(g.pChild[p], a.value, g.pQ[p]);
      }
      f.sc = nextState(g, p, f.sc, -1);
      return;
    }
    this.undeclared(f, untyped ? U_AT_UNTYPED : U_AT_ANY, nAT);
    this.qname(a.ns, a.name);
    this.untypedValue(a.value);
  }

  untypedValue(v: unknown): void {
    if (typeof v !== "string") this.fail("an untyped value must be a string");
    this.string(v);
  }

  /** `$content` of a simple element, or of an element with xsi:nil="true": typed text, untyped text, undeclared elements; then EE. */
  stepExplicit(f: EFrame): void {
    const g = this.g, w = this.w, items = f.items, simple = f.kind === K_SIMPLE;
    while (items && f.i < items.length) {
      const item = items[f.i++];
      if (typeof item === "string") {
        this.undeclared(f, U_CH, 0);
        this.string(item);
      } else if (typeof item === "object" && item !== null && "$wildcard" in item) {
        this.undeclared(f, U_SE_ANY, 0);
        if (this.wildcard(item as WildcardItem)) return;
      } else if (simple && typeof item === "object" && item !== null && "$value" in item && (f.st === S_START || f.st === S_CONTENT2)) {
        w.bits(0, 1);
        this.value(f.dt, (item as Obj).$value, f.q);
        f.st = S_AFTER;
      } else this.fail(`${this.name(f.q)}: $content item not allowed here`);
    }
    if (simple) {
      const v = f.obj!.$value;
      if (!items && v !== undefined && (f.st === S_START || f.st === S_CONTENT2)) {
        w.bits(0, 1);
        this.value(f.dt, v, f.q);
        f.st = S_AFTER;
      }
      if (f.st === S_START || f.st === S_CONTENT2) {
        if (!items) this.fail(`${this.name(f.q)}: expected a value`);
        this.undeclared(f, U_EE, 0); // no text at all: EE through the second level
      } else w.bits(0, 1);
    } else {
      // TypeEmpty: EE follows the attribute productions (code nAT), if the attributes may end here
      const s = f.sc & STATE_MASK, nAT = countAT(g, s);
      if (!typeEmptyEE(g, s, f.ti)) this.fail(`${this.name(f.q)}: missing required attribute`);
      w.bits(nAT, bitsFor(nAT + 2));
    }
    f.obj = null;
    f.items = null;
    this.top--;
  }

  run(): void {
    const base = this.top;
    while (this.top >= base) {
      const f = this.frames[this.top];
      if (f.kind === K_TYPE) this.stepType(f);
      else if (f.kind === K_RELAXED) this.stepRelaxed(f);
      else if (f.kind === K_BUILTIN) this.stepBuiltin(f);
      else this.stepExplicit(f);
    }
  }

  /** Writes the code of the first production of `kind` in state `s`; `q` names the element in the error. */
  find(s: number, kind: number, q: number): number {
    const g = this.g;
    const start = g.stStart[s], end = g.stStart[s + 1];
    for (let p = start; p < end; p++) if ((g.pKind[p] & P_KIND) === kind) {
      this.w.bits(p - start, g.stWidth[s]);
      return p;
    }
    const what = kind === P_EE ? "end of element (missing required element?)" : kind === P_CH ? "character data" : kind === P_CHMIXED ? "text" : "wildcard element";
    return this.fail(`${this.name(q)}: ${what} not allowed here`);
  }

  /** Writes AT/SE(q) in the frame's state and advances it; true when the child pushed a frame. */
  event(f: EFrame, q: number, v: unknown): boolean {
    const g = this.g;
    const sc = f.sc;
    const s = sc & STATE_MASK;
    const start = g.stStart[s], end = g.stStart[s + 1];
    let p = start;
    while (p < end && (g.pQ[p] !== q || (g.pKind[p] & P_KIND) > P_SE)) p++;
    if (p === end) this.fail(`${g.qLocal[q]} not allowed here (missing or misplaced element?)`);
    const w = this.w, c = g.pChild[p];
    const nx = g.pNext[p];
    f.sc = nx >= 0 ? nx : nextState(g, p, sc, -1);
    if ((g.pKind[p] & P_KIND) === P_AT) {
      w.bits(p - start, g.stWidth[s]);
      this.value(c, v, q);
      return false;
    }
    // A simple-typed child given as its plain value (not the explicit object form): what
    // begin() does for it, inline (the most frequent event of a message), with its SE code
    // and the 1-bit code 0 of CH (the simple type grammar, EXI 1.0 §8.5.4.1.3.1) in one write.
    if (c < 0 && c !== FRAG_RELAXED && (typeof v !== "object" || v instanceof Uint8Array)) {
      if (++this.elements > MAX_ELEMENTS) this.limit(q, `more than MAX_ELEMENTS ${MAX_ELEMENTS} elements`);
      w.bits((p - start) << 1, g.stWidth[s] + 1);
      this.value(-1 - c, v, q);
      w.bits(0, 1); // EE
      return false;
    }
    w.bits(p - start, g.stWidth[s]);
    return this.begin(c, v, q);
  }

  stepType(f: EFrame): void {
    const g = this.g;
    const obj = f.obj!;
    for (;;) {
      if (f.arr) {
        if (f.j < f.arr.length) {
          if (this.event(f, f.cq, f.arr[f.j++])) return;
          continue;
        }
        f.arr = null;
      }
      if (f.phase === PH_KEYS) {
        // the present properties, in a loop of locals (the hottest loop of the encoder)
        const keys = f.keys!, idxs = f.idx, order = g.order, nk = keys.length;
        let i = f.i, pushed = false;
        while (i < nk) {
          const idx = idxs[i], k = keys[i++];
          if (idx < 0) continue;
          const x = obj[k];
          if (x === undefined) continue;
          const e = order[idx];
          if (e & 1) {
            if (!Array.isArray(x)) this.fail(`${k}: expected an array`);
            f.arr = x;
            f.j = 0;
            f.cq = e >> 2;
            break;
          }
          if (this.event(f, e >> 2, x)) {
            pushed = true;
            break;
          }
        }
        f.i = i;
        if (pushed) return;
        if (f.arr) continue;
        f.phase = PH_END;
      } else if (f.phase === PH_ORDER) {
        const end = g.tOrderStart[f.ti] + g.tOrderCount[f.ti];
        if (f.i < end) {
          const e = g.order[f.i++];
          if (f.items && (e & 2) === 0) continue;
          const cq = e >> 2;
          const x = obj[g.qLocal[cq]];
          if (x === undefined) continue;
          if (e & 1) {
            if (!Array.isArray(x)) this.fail(`${g.qLocal[cq]}: expected an array`);
            f.arr = x;
            f.j = 0;
            f.cq = cq;
            continue;
          }
          if (this.event(f, cq, x)) return;
          continue;
        }
        f.phase = f.items ? PH_CONTENT : PH_END;
        f.i = 0;
      } else if (f.phase === PH_CONTENT) {
        const items = f.items!;
        if (f.i < items.length) {
          if (this.contentItem(f, items[f.i++])) return;
          continue;
        }
        f.phase = PH_END;
      } else {
        const sv = g.tSimple[f.ti];
        if (sv && !f.items) {
          const p = this.find(f.sc & STATE_MASK, P_CH, f.q);
          this.value(sv - 1, obj.$value, f.q);
          f.sc = nextState(g, p, f.sc, -1);
        }
        // with `$content`, an element may end where its grammar does not offer EE (second level)
        if (f.items && prodOf(g, f.sc & STATE_MASK, P_EE) < 0) this.undeclared(f, U_EE, 0);
        else this.find(f.sc & STATE_MASK, P_EE, f.q);
        f.obj = null;
        f.items = null;
        f.keys = null;
        this.top--;
        return;
      }
    }
  }

  /** One `$content` item of a mixed or wildcard-bearing element; true when it pushed a frame. */
  contentItem(f: EFrame, item: unknown): boolean {
    const g = this.g;
    const s = f.sc & STATE_MASK;
    if (typeof item === "string") {
      // mixed text, else CH [untyped value] (second level)
      const p = prodOf(g, s, P_CHMIXED);
      if (p < 0) this.undeclared(f, U_CH, 0);
      else this.w.bits(p - g.stStart[s], g.stWidth[s]);
      this.string(item);
      if (p >= 0) f.sc = nextState(g, p, f.sc, -1);
      return false;
    }
    if (typeof item === "object" && item !== null && "$wildcard" in item) {
      // a wildcard particle, else SE(*) (second level)
      const p = prodOf(g, s, P_SEANY);
      if (p < 0) this.undeclared(f, U_SE_ANY, 0);
      else {
        this.w.bits(p - g.stStart[s], g.stWidth[s]);
        f.sc = nextState(g, p, f.sc, -1);
      }
      return this.wildcard(item as WildcardItem);
    }
    if (typeof item === "object" && item !== null && "$value" in item && g.tSimple[f.ti]) {
      const p = this.find(s, P_CH, f.q);
      this.value(g.tSimple[f.ti] - 1, (item as Obj).$value, f.q);
      f.sc = nextState(g, p, f.sc, -1);
      return false;
    }
    if (typeof item === "object" && item !== null) {
      const name = Object.keys(item)[0];
      const start = g.stStart[s], end = g.stStart[s + 1];
      let p = start;
      while (p < end && ((g.pKind[p] & P_KIND) !== P_SE || g.qLocal[g.pQ[p]] !== name)) p++;
      if (p === end) this.fail(`${name} not allowed here`);
      return this.event(f, g.pQ[p], (item as Obj)[name]);
    }
    return this.fail("$content item");
  }

  /** After SE(*): the qname, then the global element's grammar or the built-in one. */
  wildcard(item: WildcardItem): boolean {
    const wc = item.$wildcard;
    if (typeof wc !== "object" || wc === null || typeof wc.name !== "string" || typeof wc.ns !== "string") this.fail("$wildcard: expected { ns, name, value }");
    const cq = this.qname(wc.ns, wc.name);
    const c = cq >= 0 ? this.g.globalChild.get(cq) : undefined;
    if (c !== undefined) return this.begin(c, wc.value, cq);
    this.beginBuiltin(wc.value as XmlElement);
    return true;
  }

  beginRelaxed(v: unknown, q: number): void {
    const g = this.g;
    const nA = g.fragAttrQ.length;
    const f = this.push(K_RELAXED, q);
    f.inStart = true;
    f.items = null;
    if (typeof v === "string") {
      this.relaxedCode(f, -1); // CH
      this.string(v);
      f.inStart = false;
      return;
    }
    if (typeof v !== "object" || v === null) this.fail(`${g.qLocal[q]}: expected a string or an object`);
    const obj = v as Obj;
    for (let i = 0; i < nA; i++) {
      const name = g.qLocal[g.fragAttrQ[i]];
      const x = obj[name];
      if (x === undefined || !this.chosenAttr(i, name)) continue;
      this.relaxedCode(f, i);
      const dt = g.fragAttrDt[i];
      if (dt >= 0) this.value(dt, x, g.fragAttrQ[i]);
      else this.string(String(x));
    }
    if (obj.$value !== undefined) {
      if (typeof obj.$value !== "string") this.fail(`${g.qLocal[q]}: expected a string`);
      this.relaxedCode(f, -1);
      this.string(obj.$value);
      f.inStart = false;
    }
    const items = obj.$content;
    if (items !== undefined && !Array.isArray(items)) this.fail("$content: expected an array");
    f.items = (items as unknown[] | undefined) ?? null;
  }

  /** Writes a relaxed-grammar event code: c ≥ 0 an index from the state's start, -1 CH, -2 EE. */
  relaxedCode(f: EFrame, c: number): void {
    const g = this.g;
    const nA = g.fragAttrQ.length, nF = g.fragQ.length;
    const base = f.inStart ? nA + 1 : 0;
    this.w.bits(c === -1 ? base + nF + 2 : c === -2 ? base + nF + 1 : c, bitsFor(base + nF + 4));
  }

  stepRelaxed(f: EFrame): void {
    const g = this.g;
    const nA = g.fragAttrQ.length, nF = g.fragQ.length;
    const items = f.items;
    while (items && f.i < items.length) {
      const item = items[f.i++];
      const base = f.inStart ? nA + 1 : 0;
      if (typeof item === "string") {
        this.relaxedCode(f, -1);
        this.string(item);
        f.inStart = false;
      } else if (typeof item === "object" && item !== null && "$wildcard" in item) {
        this.relaxedCode(f, base + nF);
        f.inStart = false;
        if (this.wildcard(item as WildcardItem)) return;
      } else if (typeof item === "object" && item !== null) {
        const name = Object.keys(item)[0];
        const i = g.fragByName.get(name);
        if (i === undefined) this.fail(`${name} is not an element of this schema`);
        this.relaxedCode(f, base + i);
        f.inStart = false;
        if (this.begin(g.fragChild[i], (item as Obj)[name], g.fragQ[i])) return;
      } else this.fail("$content item");
    }
    this.relaxedCode(f, -2);
    f.items = null;
    this.top--;
  }


  /** Among attribute qnames sharing a local name, the preferred one (declared by a relaxed element's types), else the first. */
  chosenAttr(i: number, name: string): boolean {
    const g = this.g;
    let first = -1, pref = -1;
    for (let j = 0; j < g.fragAttrQ.length; j++) if (g.qLocal[g.fragAttrQ[j]] === name) {
      if (first < 0) first = j;
      if (pref < 0 && g.fragAttrPreferred[j]) pref = j;
    }
    return i === (pref >= 0 ? pref : first);
  }

  /** The grammar of lastKeys, lastIdx and lastEnum (reset clears them when it changes). */
  lastGrammar: Grammar | undefined;
  /**
   * The keys of the last object written in order and their order indexes (setupType), for up to
   * KEY_CACHE types: entry `type & (KEY_CACHE - 1)`, holding the type in `keyType`. Indexed by
   * type they grew to the grammar's type count (up to 115) and kept the keys of every type ever
   * written (issue 15 item 3); a loop request's types never share an entry (checked on every
   * real one), so the loop keeps its hits.
   */
  keyType = new Int16Array(KEY_CACHE).fill(-1);
  lastKeys: (string[] | undefined)[] = [];
  lastIdx: (number[] | undefined)[] = [];
  /** Per enumerated datatype, the index in `enums` of the value it wrote last. */
  lastEnum: (number | undefined)[] = [];

  /**
   * The index in type `ti`'s order list of the first particle named `k`, or -1. A scan, not a
   * per-type Map: only objects whose keys differ from the type's last one (lastKeys) come here,
   * and Maps built at run time per type held ~3 KB of the connection's heap (issue 15).
   */
  orderIndex(ti: number, k: string): number {
    const g = this.g, order = g.order, qLocal = g.qLocal;
    for (let i = g.tOrderStart[ti], end = i + g.tOrderCount[ti]; i < end; i++) if (qLocal[order[i] >> 2] === k) return i;
    return -1;
  }


  value(dt: number, v: unknown, q: number): void {
    const g = this.g, w = this.w;
    switch (g.dtKind[dt]) {
      case DT_STRING: {
        if (typeof v !== "string") this.fail(`${this.name(q)}: expected a string`);
        const n = this.string(v, q);
        if (g.dtFacet[dt] !== 0 && !(n >= g.facetBounds[g.dtFacet[dt]].low && n <= g.facetBounds[g.dtFacet[dt]].high)) this.facet(dt, n, q);
        return;
      }
      case DT_BOOL:
        if (typeof v !== "boolean") this.fail(`${this.name(q)}: expected a boolean`);
        w.bits(v ? 1 : 0, 1);
        return;
      case DT_HEX:
      case DT_B64:
        if (!(v instanceof Uint8Array)) this.fail(`${this.name(q)}: expected a Uint8Array`);
        if (v.length > MAX_BINARY_LENGTH) this.limit(q, `${v.length} bytes (MAX_BINARY_LENGTH ${MAX_BINARY_LENGTH})`);
        if (g.dtFacet[dt] !== 0 && !(v.length >= g.facetBounds[g.dtFacet[dt]].low && v.length <= g.facetBounds[g.dtFacet[dt]].high)) this.facet(dt, v.length, q);
        w.uint(v.length);
        w.bytes(v);
        return;
      case DT_NBIT: {
        const x = typeof v === "bigint" ? Number(v) : (v as number);
        if (typeof x !== "number" || !Number.isInteger(x)) this.fail(`${this.name(q)}: expected an integer`);
        if (g.dtFacet[dt] !== 0 && !(x >= g.facetBounds[g.dtFacet[dt]].low && x <= g.facetBounds[g.dtFacet[dt]].high)) this.facet(dt, x, q);
        const off = x - g.dtA[dt], b = g.dtB[dt];
        if (off < 0 || off >= 1 << b) this.fail(`${this.name(q)}: ${x} outside the ${b}-bit range from ${g.dtA[dt]}`);
        w.bits(off, b);
        return;
      }
      case DT_UINT:
        if (typeof v === "bigint") {
          if (v < 0n) this.fail(`${this.name(q)}: negative`);
          if (v >> MAX_INTEGER_BITS) this.limit(q, `an integer beyond MAX_INTEGER_GROUPS ${MAX_INTEGER_GROUPS} 7-bit groups`);
          if (g.dtFacet[dt] !== 0 && !(v >= g.facetBounds[g.dtFacet[dt]].low && v <= g.facetBounds[g.dtFacet[dt]].high)) this.facet(dt, v, q);
          w.uintBig(v);
        } else {
          // beyond 2^53 a number is not exact (bigint types take a bigint)
          if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) this.fail(`${this.name(q)}: expected a non-negative integer`);
          if (g.dtFacet[dt] !== 0 && !(v >= g.facetBounds[g.dtFacet[dt]].low && v <= g.facetBounds[g.dtFacet[dt]].high)) this.facet(dt, v, q);
          w.uint(v);
        }
        return;
      case DT_INT:
        if (typeof v === "bigint") {
          if ((v < 0n ? -v - 1n : v) >> MAX_INTEGER_BITS) this.limit(q, `an integer beyond MAX_INTEGER_GROUPS ${MAX_INTEGER_GROUPS} 7-bit groups`);
          if (g.dtFacet[dt] !== 0 && !(v >= g.facetBounds[g.dtFacet[dt]].low && v <= g.facetBounds[g.dtFacet[dt]].high)) this.facet(dt, v, q);
          if (v < 0n) {
            w.bits(1, 1);
            w.uintBig(-v - 1n);
          } else {
            w.bits(0, 1);
            w.uintBig(v);
          }
        } else {
          if (typeof v !== "number" || !Number.isSafeInteger(v)) this.fail(`${this.name(q)}: expected an integer`);
          if (g.dtFacet[dt] !== 0 && !(v >= g.facetBounds[g.dtFacet[dt]].low && v <= g.facetBounds[g.dtFacet[dt]].high)) this.facet(dt, v, q);
          if (v < 0) {
            w.bits(1, 1);
            w.uint(-v - 1);
          } else {
            w.bits(0, 1);
            w.uint(v);
          }
        }
        return;
      case DT_ENUM: {
        const a = g.dtA[dt], count = g.dtB[dt];
        // the datatype's last value first (a loop's response repeats its units and statuses)
        let i = this.lastEnum[dt];
        if (i === undefined || g.enums[i] !== v) {
          i = a;
          while (i < a + count && g.enums[i] !== v) i++;
          if (i === a + count) this.fail(`${this.name(q)}: ${String(v)} is not an enumeration value`);
          this.lastEnum[dt] = i;
        }
        w.bits(i - a, count > 1 ? 32 - Math.clz32(count - 1) : 0); // bitsFor(count)
        return;
      }
    }
  }

  name(q: number): string {
    return q >= 0 ? this.g.qLocal[q] : "value";
  }

  /** Writes a string value (never a string-table hit); returns its length in code points. */
  string(s: string, q = -1): number {
    const n = codePoints(s);
    if (n > MAX_STRING_LENGTH) this.limit(q, `a string of ${n} code points (MAX_STRING_LENGTH ${MAX_STRING_LENGTH})`);
    this.w.uint(n + 2);
    this.chars(s);
    return n;
  }

  chars(s: string): void {
    const w = this.w;
    const len = s.length;
    for (let i = w.ascii(s); i < len; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < len) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) {
          c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          i++;
        }
      }
      if (c < 0x80) w.byte(c);
      else w.uint(c);
    }
  }

  /** Code points of a qname literal (URI or local name), within the decoder's string limit. */
  codePoints(s: string): number {
    const n = codePoints(s);
    if (n > MAX_STRING_LENGTH) this.limit(-1, `a name of ${n} code points (MAX_STRING_LENGTH ${MAX_STRING_LENGTH})`);
    return n;
  }

  /** Writes a qname through the uri and local-name partitions; returns its schema qname id or -1. */
  qname(ns: string, name: string): number {
    const w = this.w;
    if (!isXmlName(name, false) || !isXmlName(ns, true)) this.fail(`${JSON.stringify(name)} in ${JSON.stringify(ns)} is not an XML name`);
    if (!this.uris) {
      this.uris = this.g.uris.slice();
      this.locals = this.g.locals.map((l) => l.slice());
    }
    const uris = this.uris, locals = this.locals!;
    let u = uris.indexOf(ns);
    const ub = bitsFor(uris.length + 1);
    if (u >= 0) w.bits(u + 1, ub);
    else {
      w.bits(0, ub);
      w.uint(this.codePoints(ns));
      this.chars(ns);
      uris.push(ns);
      locals.push([]);
      u = uris.length - 1;
    }
    const list = locals[u];
    const l = list.indexOf(name);
    if (l >= 0) {
      w.uint(0);
      w.bits(l, bitsFor(list.length));
    } else {
      w.uint(this.codePoints(name) + 1);
      this.chars(name);
      list.push(name);
    }
    const q = this.g.qByName.get(`${ns} ${name}`);
    return q === undefined ? -1 : q;
  }

  /** Writes a built-in grammar event (learning it when it is new); true when it was already learned. */
  builtinEvent(f: EFrame, k: number, ns: string, name: string): boolean {
    const w = this.w;
    const list = f.inStart ? f.gr!.stc : f.gr!.ec;
    const n = list.length, width = bitsFor(n + 1);
    for (let i = 0; i < n; i++) {
      const ev = list[i];
      if (ev.k === k && (k >= 2 || (ev.ns === ns && ev.name === name))) {
        w.bits(i, width);
        return true;
      }
    }
    w.bits(n, width);
    if (f.inStart) w.bits(k === 2 ? 0 : k === 0 ? 1 : k === 1 ? 2 : 3, 2);
    else if (k === 1) w.bits(0, 1);
    else if (k === 3) w.bits(1, 1);
    else this.fail("bad built-in event");
    list.unshift({ k, ns, name });
    return false;
  }

  /** An undeclared element (inside a wildcard), given as an XmlElement: built-in grammar. */
  beginBuiltin(node: XmlElement): void {
    if (typeof node !== "object" || node === null || typeof node.name !== "string" || !Array.isArray(node.children) || !Array.isArray(node.attrs)) this.fail("wildcard element: expected an XmlElement");
    if (!this.builtins) this.builtins = new Map();
    const key = `${node.ns} ${node.name}`;
    let gr = this.builtins.get(key);
    if (!gr) this.builtins.set(key, (gr = newBuiltin()));
    const f = this.push(K_BUILTIN, -1);
    f.gr = gr;
    f.inStart = true;
    for (const a of node.attrs) {
      if (!this.builtinEvent(f, 0, a.ns, a.name)) this.qname(a.ns, a.name);
      this.string(a.value);
    }
    // An empty element whose start-tag grammar has learned CH but not EE gets an empty CH
    // event (what the reference encoder, EXIficient, writes).
    f.items = node.children.length === 0 && !gr.stc.some((e) => e.k === 2) && gr.stc.some((e) => e.k === 3) ? [""] : node.children;
  }

  stepBuiltin(f: EFrame): void {
    const items = f.items!;
    while (f.i < items.length) {
      const c = items[f.i++] as XmlElement | string;
      if (typeof c === "string") {
        this.builtinEvent(f, 3, "", "");
        this.string(c);
        f.inStart = false;
        continue;
      }
      if (typeof c !== "object" || c === null) this.fail("wildcard element: bad child");
      if (!this.builtinEvent(f, 1, c.ns, c.name)) {
        const cq = this.qname(c.ns, c.name);
        if (cq >= 0 && this.g.globalChild.has(cq)) this.fail("declared element inside an undeclared element is unsupported");
      }
      f.inStart = false;
      this.beginBuiltin(c);
      return;
    }
    this.builtinEvent(f, 2, "", "");
    f.items = null;
    this.top--;
  }
}

function isXmlElement(v: unknown): v is XmlElement {
  return typeof v === "object" && v !== null && typeof (v as XmlElement).ns === "string" && typeof (v as XmlElement).name === "string" && Array.isArray((v as XmlElement).attrs) && Array.isArray((v as XmlElement).children);
}

function wrap(e: unknown, pos: number, reason: "exi-value" | "exi-encode"): ExiError {
  // Anything else escaping the codec (e.g. a RangeError from a huge allocation) is still bad input.
  if (e instanceof ExiError) return e;
  return new ExiError(reason, `malformed input (${e instanceof Error ? e.message : String(e)})`, pos);
}
