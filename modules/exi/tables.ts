// Packed grammar tables (written by tools/exigen) and their unpacked runtime form.
// Keep the kind constants in sync with tools/exigen/grammar.ts.

import type { FastCodec } from "./fast";

export const DT_STRING = 0, DT_BOOL = 1, DT_HEX = 2, DT_B64 = 3, DT_NBIT = 4, DT_UINT = 5, DT_INT = 6, DT_ENUM = 7;
export const P_AT = 0, P_SE = 1, P_SEANY = 2, P_EE = 3, P_CH = 4, P_CHMIXED = 5;
export const P_KIND = 7, P_ARRAY = 8;
export const T_MIXED = 1, T_ANY = 2, T_SIMPLE_ONLY = 4;
export const FRAG_RELAXED = -0x40000000;
// facet record flags (tools/exigen/grammar.ts): bound present; bound written as the exponent k
// of a power of two (low −2^k, high 2^k − 1: xs:unsignedInt and the 64-bit built-in types, beyond Int32)
export const FACET_LOW = 1, FACET_HIGH = 2, FACET_LOW_POW2 = 4, FACET_HIGH_POW2 = 8;
/** typeNames: a named type without a grammar in these tables (an xsi:type to it is refused). */
export const NO_GRAMMAR = -0x40000001;

/** The packed numeric tables of a PackedGrammar. */
export type PackedTable = "dts" | "facets" | "states" | "prods" | "counters" | "types" | "order" | "doc" | "frag" | "fragAttrs" | "typeNames";

/**
 * Values per row of each packed table, and which columns are written as the difference to the
 * previous row's value (bit c: column c). Ascending columns (production starts, sorted qnames,
 * successor states) differ by little, so their differences take fewer characters: the minified
 * tables are ~13 KB smaller. tools/exigen/emit.ts writes with this same layout.
 */
export const TABLE_LAYOUT: Readonly<Record<PackedTable, { readonly stride: number; readonly delta: number }>> = Object.freeze({
  dts: Object.freeze({ stride: 4, delta: 0 }),
  facets: Object.freeze({ stride: 3, delta: 0 }),
  states: Object.freeze({ stride: 1, delta: 0b1 }),
  prods: Object.freeze({ stride: 4, delta: 0b1110 }),
  counters: Object.freeze({ stride: 5, delta: 0b11010 }),
  types: Object.freeze({ stride: 5, delta: 0b11 }),
  order: Object.freeze({ stride: 1, delta: 0b1 }),
  doc: Object.freeze({ stride: 2, delta: 0b11 }),
  frag: Object.freeze({ stride: 2, delta: 0b11 }),
  fragAttrs: Object.freeze({ stride: 2, delta: 0 }),
  typeNames: Object.freeze({ stride: 2, delta: 0b10 }), // column 0 is already relative (see typeNames below)
});

export interface PackedGrammar {
  uris: readonly string[];
  locals: readonly string[]; // per uri, sorted, front-coded (frontDecode)
  /** Uri indices in the order of the internal qname ids (absent: uri order). Only qname ids move; the wire ids are the partitions' own. */
  partitions?: readonly number[];
  enums: readonly string[]; // segments (some shared between families: generated/shared/strings.ts), joined by U+0001 the values in order
  dts: string; // packed: kind, a, b, facet record + 1 (0: none) per datatype
  facets: string; // packed: flags, low, high per facet record (lengths, or an integer range the representation does not bound)
  states: string; // production start per state, plus a sentinel
  prods: string; // kind|flags, qname, child, next per production
  counters: string; // min, max (-1 unbounded), state below min, state between, state full
  types: string; // start state, order start, order count, simple datatype + 1, flags
  order: string; // qname * 4 + attribute * 2 + array
  doc: string; // qname, child per global element (sorted)
  frag: string; // qname, child per element qname (sorted)
  fragAttrs: string; // qname, (datatype + 1) * 2 + preferred per attribute qname (sorted; datatype -1: untyped), for the relaxed element fragment grammar
  typeNames: string; // per named type (the targets of xsi:type), by qname: qname - previous, type index + 1 (0: NO_GRAMMAR) or -1 - datatype
}

export interface Grammar {
  /** The generated straight-line codec of the family's hot messages (generated/<family>/fast.ts), if any. */
  fast: FastCodec | undefined;
  uris: string[];
  locals: string[][];
  qStart: Int32Array; // first qname id per uri
  qUri: Int32Array;
  qLocal: string[];
  qCount: number;
  enums: string[];
  dtKind: Int32Array; dtA: Int32Array; dtB: Int32Array;
  /** Facet record per datatype (0: none); facetBounds[record] bounds the value (integers) or its length (code points, octets). */
  dtFacet: Int32Array;
  facetBounds: readonly FacetBounds[];
  // 16-bit columns (RAM on the device): the generator keeps every value in range
  stStart: Int16Array; stWidth: Uint8Array;
  pKind: Int16Array; pQ: Int16Array; pChild: Int16Array; pNext: Int16Array;
  cMin: Int16Array; cMax: Int16Array; cLt: Int16Array; cMid: Int16Array; cFull: Int16Array;
  tStart: Int16Array; tOrderStart: Int16Array; tOrderCount: Int16Array; tSimple: Int16Array; tFlags: Int16Array;
  order: Int16Array;
  /** tStart sorted: where the next type's states begin (tools/exi-xml/convert.ts). */
  tStartSorted: Int16Array;
  docQ: Int32Array; docChild: Int32Array; docWidth: number;
  fragQ: Int32Array; fragChild: Int32Array; fragWidth: number;
  fragAttrQ: Int32Array; fragAttrDt: Int32Array; fragAttrPreferred: Uint8Array;
  /** qname id → child (global element declarations), for wildcards. */
  globalChild: Map<number, number>;
  /** local name → index in doc / frag tables. */
  docByName: Map<string, number>;
  fragByName: Map<string, number>;
  /** "uri local" → qname id */
  qByName: Map<string, number>;
  /** qname id of a named type → its grammar (type index, or -1 - datatype), for xsi:type. */
  typeByQ: Map<number, number>;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function digits(): Int8Array {
  const d = new Int8Array(128);
  for (let i = 0; i < 64; i++) d[ALPHABET.charCodeAt(i)] = i;
  return d;
}

/** Character code → base-64 digit (the packed tables' alphabet). */
// preload: built at load, read-only afterwards
const DIGITS = digits();

export function unpack(s: string): Int32Array {
  const d = DIGITS;
  let count = 0;
  for (let i = 0; i < s.length; i++) if ((d[s.charCodeAt(i)] & 32) === 0) count++;
  const out = new Int32Array(count);
  let k = 0, z = 0, mul = 1;
  for (let i = 0; i < s.length; i++) {
    const c = d[s.charCodeAt(i)];
    z += (c & 31) * mul;
    if (c & 32) mul *= 32;
    else {
      out[k++] = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      z = 0; mul = 1;
    }
  }
  return out;
}

/**
 * A front-coded local-name list (tools/exigen/emit.ts frontCode): space-separated entries, each
 * a digit (how many characters it shares with the previous name) and the rest of the name.
 */
export function frontDecode(s: string): string[] {
  const names: string[] = [];
  let previous = "";
  for (const entry of s.split(" ")) {
    previous = previous.slice(0, DIGITS[entry.charCodeAt(0)]) + entry.slice(1);
    names.push(previous);
  }
  return names;
}

/** Bits needed for an n-bit code among `n` values: ceil(log2(n)). */
export function bitsFor(n: number): number {
  let b = 0;
  while ((1 << b) < n) b++;
  return b;
}

/** A packed table's values, the difference-coded columns (TABLE_LAYOUT) summed back. */
export function unpackTable(p: PackedGrammar, name: PackedTable): Int32Array {
  const a = unpack(p[name]);
  const { stride, delta } = TABLE_LAYOUT[name];
  for (let c = 0; c < stride; c++) {
    if ((delta >> c & 1) === 0) continue;
    for (let i = c + stride; i < a.length; i += stride) a[i] += a[i - stride];
  }
  return a;
}

function column(a: Int32Array, stride: number, k: number): Int32Array {
  const out = new Int32Array(a.length / stride);
  for (let i = 0; i < out.length; i++) out[i] = a[i * stride + k];
  return out;
}

function column16(a: Int32Array, stride: number, k: number): Int16Array {
  const out = new Int16Array(a.length / stride);
  for (let i = 0; i < out.length; i++) {
    const v = a[i * stride + k];
    if (v !== (v << 16) >> 16) throw new RangeError("grammar table value out of 16-bit range (regenerate with a wider column)");
    out[i] = v;
  }
  return out;
}

/** One facet record's bounds, inclusive; an absent bound is -Infinity / Infinity. */
export interface FacetBounds {
  readonly low: number | bigint;
  readonly high: number | bigint;
}

/**
 * Facet bounds by record; record 0 (no facet) and an absent bound are unbounded. One frozen
 * object per record, not two arrays of bounds: Moddable's xsl (SDK 8.2.3) sizes its BigInt
 * table from the heap's BigInt slots only, so a BigInt that is an array element (the 2^k
 * bounds) overflowed that table and aborted the preload; as a named property it is counted.
 */
function facetBounds(f: Int32Array): readonly FacetBounds[] {
  const bounds: FacetBounds[] = [Object.freeze({ low: -Infinity, high: Infinity })];
  for (let i = 0; i < f.length; i += 3) {
    const flags = f[i], a = f[i + 1], b = f[i + 2];
    bounds.push(Object.freeze({
      low: flags & FACET_LOW ? (flags & FACET_LOW_POW2 ? -(1n << BigInt(a)) : a) : -Infinity,
      high: flags & FACET_HIGH ? (flags & FACET_HIGH_POW2 ? (1n << BigInt(b)) - 1n : b) : Infinity,
    }));
  }
  return Object.freeze(bounds);
}

/**
 * Unpacks a generated grammar. schemas.ts calls it for every family while the module
 * evaluates, so Moddable's preload does this at build time and the result lives in flash.
 * The plain arrays and the result are frozen; typed arrays cannot be, and the Maps are only
 * read once this returns.
 */
export function loadGrammar(p: PackedGrammar, fast?: FastCodec): Grammar {
  const locals = p.locals.map((l) => Object.freeze(l.length ? frontDecode(l) : []) as string[]);
  const partitions = p.partitions ?? locals.map((_, u) => u);
  const qStart = new Int32Array(locals.length);
  let qCount = 0;
  for (const u of partitions) { qStart[u] = qCount; qCount += locals[u].length; }
  const qUri = new Int32Array(qCount);
  const qLocal: string[] = [];
  const qByName = new Map<string, number>();
  for (const u of partitions) locals[u].forEach((name, j) => { qUri[qStart[u] + j] = u; qLocal.push(name); qByName.set(`${p.uris[u]} ${name}`, qStart[u] + j); });
  const dts = unpackTable(p, "dts");
  const states = unpackTable(p, "states");
  const nStates = states.length - 1;
  const stWidth = new Uint8Array(nStates);
  for (let s = 0; s < nStates; s++) stWidth[s] = bitsFor(states[s + 1] - states[s] + 1); // non-strict: +1 for the second level
  const prods = unpackTable(p, "prods");
  const counters = unpackTable(p, "counters");
  const types = unpackTable(p, "types");
  const doc = unpackTable(p, "doc");
  const frag = unpackTable(p, "frag");
  const fragAttrs = unpackTable(p, "fragAttrs");
  const typeNames = unpackTable(p, "typeNames");
  const typeByQ = new Map<number, number>();
  for (let i = 0, q = 0; i < typeNames.length; i += 2) {
    q += typeNames[i];
    const c = typeNames[i + 1];
    typeByQ.set(q, c > 0 ? c - 1 : c === 0 ? NO_GRAMMAR : c);
  }
  const docQ = column(doc, 2, 0), docChild = column(doc, 2, 1);
  const fragQ = column(frag, 2, 0), fragChild = column(frag, 2, 1);
  const globalChild = new Map<number, number>();
  const docByName = new Map<string, number>();
  const fragByName = new Map<string, number>();
  docQ.forEach((q, i) => { globalChild.set(q, docChild[i]); if (!docByName.has(qLocal[q])) docByName.set(qLocal[q], i); });
  fragQ.forEach((q, i) => { if (!fragByName.has(qLocal[q])) fragByName.set(qLocal[q], i); });
  const tStart = column16(types, 5, 0);
  return Object.freeze({
    fast,
    uris: Object.freeze(p.uris.slice()) as string[], locals: Object.freeze(locals) as string[][], qStart, qUri, qLocal: Object.freeze(qLocal) as string[], qCount,
    enums: Object.freeze(p.enums.join("\u0001").split("\u0001")) as string[],
    dtKind: column(dts, 4, 0), dtA: column(dts, 4, 1), dtB: column(dts, 4, 2), dtFacet: column(dts, 4, 3),
    facetBounds: facetBounds(unpackTable(p, "facets")),
    stStart: column16(states, 1, 0), stWidth,
    pKind: column16(prods, 4, 0), pQ: column16(prods, 4, 1), pChild: column16(prods, 4, 2), pNext: column16(prods, 4, 3),
    cMin: column16(counters, 5, 0), cMax: column16(counters, 5, 1), cLt: column16(counters, 5, 2), cMid: column16(counters, 5, 3), cFull: column16(counters, 5, 4),
    tStart, tOrderStart: column16(types, 5, 1), tOrderCount: column16(types, 5, 2), tSimple: column16(types, 5, 3), tFlags: column16(types, 5, 4),
    order: column16(unpackTable(p, "order"), 1, 0),
    tStartSorted: Int16Array.from(tStart).sort(),
    docQ, docChild, docWidth: bitsFor(docQ.length + 1),
    fragQ, fragChild, fragWidth: bitsFor(fragQ.length + 2),
    fragAttrQ: column(fragAttrs, 2, 0), fragAttrDt: column(fragAttrs, 2, 1).map((x) => (x >> 1) - 1), fragAttrPreferred: Uint8Array.from(column(fragAttrs, 2, 1), (x) => x & 1),
    globalChild, docByName, fragByName, qByName, typeByQ,
  });
}
