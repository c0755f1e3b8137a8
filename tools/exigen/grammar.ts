// Schema model → EXI grammar tables (W3C EXI 1.0 §8.5.4, non-strict schema-informed grammars).
//
// Content models are turned into deterministic automata by a Glushkov construction over the
// element/wildcard particles (the schemas obey Unique Particle Attribution, so the set of
// events offered after a prefix is the same as in the spec's normalized grammars). Bounded
// repetition (maxOccurs="N") is not unrolled into N states: a particle with minOccurs > 1 or
// maxOccurs > 1 gets a counter (runtime) and up to three states: fewer than min, between min
// and max, and full. The offered events, their order and the event-code widths are exactly
// those of the unrolled grammar.

import { INTEGER_BUILTINS, qkey, type ComplexType, type ElementDecl, type Particle, type QN, type SchemaSet, type SimpleType, type Type, XS } from "./schema";

export const XML_NS = "http://www.w3.org/XML/1998/namespace";
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";
const XS_TYPES = "ENTITIES ENTITY ID IDREF IDREFS NCName NMTOKEN NMTOKENS NOTATION Name QName anySimpleType anyType anyURI base64Binary boolean byte date dateTime decimal double duration float gDay gMonth gMonthDay gYear gYearMonth hexBinary int integer language long negativeInteger nonNegativeInteger nonPositiveInteger normalizedString positiveInteger short string time token unsignedByte unsignedInt unsignedLong unsignedShort".split(" ");

// datatype kinds (keep in sync with modules/exi/tables.ts)
export const DT_STRING = 0, DT_BOOL = 1, DT_HEX = 2, DT_B64 = 3, DT_NBIT = 4, DT_UINT = 5, DT_INT = 6, DT_ENUM = 7;
// production kinds
export const P_AT = 0, P_SE = 1, P_SEANY = 2, P_EE = 3, P_CH = 4, P_CHMIXED = 5;
export const P_ARRAY = 8;
// facet record flags (keep in sync with modules/exi/tables.ts): which bound is present, and
// whether it is written as a power of two (a bound beyond 32 bits — xs:unsignedInt, xs:long,
// xs:unsignedLong — as the exponent k: low −2^k, high 2^k − 1)
export const FACET_LOW = 1, FACET_HIGH = 2, FACET_LOW_POW2 = 4, FACET_HIGH_POW2 = 8;
/** typeNames: a named type without a grammar in these tables (keep in sync with modules/exi/tables.ts). */
export const NO_GRAMMAR = -0x40000001;

/** Namespaces several families import (tools/exigen/emit.ts shares the tables they lead with). */
const SHARED_NAMESPACES = ["http://www.w3.org/2000/09/xmldsig#", "urn:iso:std:iso:15118:-20:CommonTypes"];

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const cmpQN = (a: QN, b: QN) => cmpStr(a.local, b.local) || cmpStr(a.ns, b.ns);

export interface Tables {
  uris: string[];
  locals: string[][];
  partitions: number[]; // uri indices in the order of the internal qname ids
  enums: string[];
  dts: number[]; // 4 per datatype: kind, a, b, facet record + 1 (0: none)
  facets: number[]; // 3 per facet record: flags (FACET_*), low, high
  states: number[]; // production start per state (+1 sentinel)
  prods: number[]; // 4 per production: kind|flags, qname, child, next
  counters: number[]; // 5 per counter: min, max(-1 unbounded), sLt, sMid, sFull
  types: number[]; // 5 per complex type: startState, orderStart, orderCount, simpleDt+1, flags
  order: number[]; // qname*4 + attribute*2 + array
  doc: number[]; // 2 per global element (sorted): qname, child
  frag: number[]; // 2 per element qname (sorted): qname, child (-0x40000000: relaxed element fragment grammar)
  fragAttrs: number[]; // 2 per attribute qname of the schema (sorted): qname, (datatype + 1) * 2 + preferred (datatype -1: untyped)
  typeNames: number[]; // 2 per named type (xsi:type target), sorted: qname - previous qname, type index + 1 (0: NO_GRAMMAR) or -1 - datatype
  typeList: ComplexType[];
  dtList: SimpleType[];
  dtOf: (t: SimpleType) => number;
  membersOf: (d: ElementDecl) => ElementDecl[];
}

interface Pos { idx: number; p: Particle & { kind: "element" | "any" }; members: ElementDecl[]; array: boolean; follow: Set<Pos> }

/**
 * The tables of a schema set, the imported namespaces' types first (see sharedTypes below):
 * a first build finds which of their named types the schema uses.
 */
export function buildTables(set: SchemaSet): Tables {
  const first = buildTablesWith(set, undefined);
  const shared = first.typeList.filter((t) => t.name && SHARED_NAMESPACES.includes(t.name.ns)).map((t) => `${t.name!.ns}|${t.name!.local}`);
  return buildTablesWith(set, shared);
}

function buildTablesWith(set: SchemaSet, sharedTypes: string[] | undefined): Tables {
  const globals = set.resolveAll();
  // --- string table partitions ---
  const schemaNs = [...set.namespaces].filter((n) => n !== "").sort(cmpStr);
  const uris = ["", XML_NS, XSI_NS, XS, ...schemaNs];
  const locals: string[][] = uris.map(() => []);
  locals[1] = ["base", "id", "lang", "space"];
  locals[2] = ["nil", "type"];
  locals[3] = XS_TYPES.slice().sort(cmpStr);
  for (const [ns, names] of set.localNames) {
    const i = uris.indexOf(ns);
    if (i === 0 || i >= 4) locals[i] = [...names].sort(cmpStr);
  }
  // Internal qname ids (never on the wire: EXI writes uri and local-name ids) number the
  // partitions of the shared namespaces right after the four built-in ones, so the productions
  // of their types carry the same qname ids in every family (an ISO-20 family whose own
  // namespace sorts before CommonTypes would otherwise shift them).
  const partitions = [0, 1, 2, 3];
  for (const ns of SHARED_NAMESPACES) if (uris.indexOf(ns) >= 4) partitions.push(uris.indexOf(ns));
  for (let u = 4; u < uris.length; u++) if (!partitions.includes(u)) partitions.push(u);
  const qStart: number[] = uris.map(() => 0);
  let qn = 0;
  for (const u of partitions) { qStart[u] = qn; qn += locals[u].length; }
  const qid = (q: QN) => {
    const u = uris.indexOf(q.ns);
    const l = u < 0 ? -1 : locals[u].indexOf(q.local);
    if (l < 0) throw new Error(`qname not in string table: ${qkey(q)}`);
    return qStart[u] + l;
  };

  // --- datatypes ---
  const enums: string[] = [];
  const dts: number[] = [];
  const dtList: SimpleType[] = [];
  const dtIndex = new Map<string, number>();
  const facetRecords: number[] = [];
  const facetIndex = new Map<string, number>();
  // the packed tables unpack into Int32Array: a wider bound (xs:unsignedInt's, the 64-bit types') goes as an exponent
  const safe = (v: bigint) => v >= -(2n ** 31n) && v < 2n ** 31n;
  /** A bound beyond 32 bits as the exponent of its power of two (the built-in types' bounds). */
  const exponent = (v: bigint, low: boolean): number => {
    const m = low ? -v : v + 1n;
    const k = m.toString(2).length - 1;
    if (m <= 0n || 1n << BigInt(k) !== m) throw new Error(`facet bound ${v} beyond 32 bits is not ${low ? "-2^k" : "2^k - 1"}`);
    return k;
  };
  /**
   * The facet record of a datatype (+1; 0: none): only what the EXI representation does not
   * already bound. Lengths for strings and binaries; for integers the range, unless the n-bit
   * representation or the unsigned one already holds exactly the facet's range. Enumerations
   * are structural (the value is an index), patterns do not occur in these schemas.
   */
  const facetOf = (kind: number, f: SimpleType["facets"], nbitMin: number, nbitBits: number): number => {
    let flags = 0, low = 0, high = 0;
    if (kind === DT_STRING || kind === DT_HEX || kind === DT_B64) {
      if (f.minLength !== undefined && f.minLength > 0) { flags |= FACET_LOW; low = f.minLength; }
      if (f.maxLength !== undefined) { flags |= FACET_HIGH; high = f.maxLength; }
    } else if (kind === DT_NBIT) {
      const top = BigInt(nbitMin) + (1n << BigInt(nbitBits)) - 1n;
      if (f.max !== undefined && f.max < top) { flags = FACET_LOW | FACET_HIGH; low = nbitMin; high = Number(f.max); }
    } else if (kind === DT_UINT || kind === DT_INT) {
      if (f.min !== undefined && !(kind === DT_UINT && f.min === 0n)) {
        flags |= safe(f.min) ? FACET_LOW : FACET_LOW | FACET_LOW_POW2;
        low = safe(f.min) ? Number(f.min) : exponent(f.min, true);
      }
      if (f.max !== undefined) {
        flags |= safe(f.max) ? FACET_HIGH : FACET_HIGH | FACET_HIGH_POW2;
        high = safe(f.max) ? Number(f.max) : exponent(f.max, false);
      }
    }
    if (flags === 0) return 0;
    const key = `${flags}:${low}:${high}`;
    let i = facetIndex.get(key);
    if (i === undefined) {
      i = facetRecords.length / 3;
      facetIndex.set(key, i);
      facetRecords.push(flags, low, high);
    }
    return i + 1;
  };
  const dtOf = (t: SimpleType): number => {
    let kind: number, a = 0, b = 0, c = 0;
    const f = t.facets;
    if (f.enumeration) {
      if (INTEGER_BUILTINS.has(t.builtin) || t.builtin === "boolean") throw new Error("non-string enumeration unsupported");
      kind = DT_ENUM;
      a = enums.length; b = f.enumeration.length;
      const key = `E:${f.enumeration.join("\u0000")}`;
      const known = dtIndex.get(key);
      if (known !== undefined) return known;
      enums.push(...f.enumeration);
      dtIndex.set(key, dts.length / 4);
      dts.push(kind, a, b, c); dtList.push(t);
      return dts.length / 4 - 1;
    }
    if (INTEGER_BUILTINS.has(t.builtin)) {
      const big = f.min === undefined || f.max === undefined || f.min < -(2n ** 53n) || f.max > 2n ** 53n;
      if (f.min !== undefined && f.max !== undefined && f.max - f.min + 1n <= 4096n) {
        kind = DT_NBIT; a = Number(f.min);
        const range = Number(f.max - f.min + 1n);
        b = 0; while ((1 << b) < range) b++;
      } else if (f.min !== undefined && f.min >= 0n) { kind = DT_UINT; a = big ? 1 : 0; }
      else { kind = DT_INT; a = big ? 1 : 0; }
    } else if (t.builtin === "boolean") kind = DT_BOOL;
    else if (t.builtin === "hexBinary") kind = DT_HEX;
    else if (t.builtin === "base64Binary") kind = DT_B64;
    else kind = DT_STRING;
    c = facetOf(kind, f, a, b);
    const key = `${kind}:${a}:${b}:${c}`;
    const known = dtIndex.get(key);
    if (known !== undefined) return known;
    dtIndex.set(key, dts.length / 4);
    dts.push(kind, a, b, c); dtList.push(t);
    return dts.length / 4 - 1;
  };

  // --- grammars ---
  const states: number[] = [];
  const prods: number[] = [];
  const counters: number[] = [];
  const types: number[] = [];
  const order: number[] = [];
  const typeList: ComplexType[] = [];
  const typeIndex = new Map<ComplexType, number>();
  const pending: ComplexType[] = [];
  const childOf = (t: Type): number => {
    if (t.kind === "simple") return -1 - dtOf(t);
    let i = typeIndex.get(t);
    if (i === undefined) {
      i = typeList.length;
      typeIndex.set(t, i);
      typeList.push(t);
      types.push(0, 0, 0, 0, 0);
      pending.push(t);
    }
    return i;
  };
  const substitutes = new Map<ElementDecl, ElementDecl[]>();
  const membersOf = (d: ElementDecl) => {
    let m = substitutes.get(d);
    if (!m) {
      m = d.global ? set.substitutes(d).sort((x, y) => cmpQN(x.qn, y.qn)) : [d];
      substitutes.set(d, m);
    }
    return m;
  };

  type Prod = { kind: number; q: number; child: number; next: number; key: number };
  const newState = (ps: Prod[]): number => {
    ps.sort((x, y) => x.key - y.key);
    const s = states.length;
    states.push(prods.length / 4);
    for (const p of ps) prods.push(p.kind, p.q, p.child, p.next);
    return s;
  };
  const placeholder = () => { const s = states.length; states.push(-1); return s; };
  const fillState = (s: number, ps: Prod[]) => {
    // states are emitted in creation order; productions appended later need the same order,
    // so we keep (state → prods) and lay them out at the end.
    stateProds.set(s, ps);
  };
  const stateProds = new Map<number, Prod[]>();
  void newState;

  const buildType = (t: ComplexType, ti: number) => {
    // Glushkov positions
    const positions: Pos[] = [];
    const analyze = (p: Particle, inRepeat: boolean): { nullable: boolean; first: Set<Pos>; last: Set<Pos> } => {
      if (p.kind === "element" || p.kind === "any") {
        const pos: Pos = { idx: positions.length, p, members: p.kind === "element" ? membersOf(p.decl()) : [], array: inRepeat || p.max > 1, follow: new Set() };
        positions.push(pos);
        return { nullable: p.min === 0, first: new Set([pos]), last: new Set([pos]) };
      }
      const rep = inRepeat || p.max > 1;
      let r: { nullable: boolean; first: Set<Pos>; last: Set<Pos> };
      if (p.kind === "sequence") {
        r = { nullable: true, first: new Set(), last: new Set() };
        for (const item of p.items) {
          const s = analyze(item, rep);
          for (const l of r.last) for (const f of s.first) l.follow.add(f);
          if (r.nullable) for (const f of s.first) r.first.add(f);
          r.last = s.nullable ? new Set([...r.last, ...s.last]) : s.last;
          r.nullable = r.nullable && s.nullable;
        }
      } else {
        r = { nullable: false, first: new Set(), last: new Set() };
        for (const item of p.items) {
          const s = analyze(item, rep);
          s.first.forEach((x) => r.first.add(x));
          s.last.forEach((x) => r.last.add(x));
          r.nullable = r.nullable || s.nullable;
        }
        if (p.items.length === 0) r.nullable = true;
      }
      if (p.min === 0) r.nullable = true;
      if (p.max > 1) for (const l of r.last) for (const f of r.first) l.follow.add(f);
      return r;
    };
    const root = t.content ? analyze(t.content, false) : { nullable: true, first: new Set<Pos>(), last: new Set<Pos>() };
    const counted = (pos: Pos) => pos.p.min > 1 || pos.p.max > 1;
    // allocate states
    const plainState = new Map<Pos, number>();
    const cnt = new Map<Pos, number>();
    const sAttr: number[] = [];
    const attrs = t.attrs.slice().sort((a, b) => cmpQN(a.qn, b.qn));
    for (let j = 0; j < attrs.length; j++) sAttr.push(placeholder());
    const sContent = placeholder();
    for (const pos of positions) {
      if (!counted(pos)) plainState.set(pos, placeholder());
      else {
        const c = counters.length / 5;
        cnt.set(pos, c);
        const lt = pos.p.min > 1 ? placeholder() : -1;
        const mid = pos.p.max > 1 ? placeholder() : -1;
        const full = pos.p.max !== Number.POSITIVE_INFINITY ? placeholder() : -1;
        counters.push(pos.p.min, pos.p.max === Number.POSITIVE_INFINITY ? -1 : pos.p.max, lt, mid, full);
      }
    }
    const entry = (pos: Pos, self: boolean) => (counted(pos) ? -(1 + 2 * cnt.get(pos)! + (self ? 1 : 0)) : plainState.get(pos)!);
    const seProds = (pos: Pos, self: boolean): Prod[] => {
      const next = entry(pos, self);
      if (pos.p.kind === "any") return [{ kind: P_SEANY, q: 0, child: 0, next, key: 1e6 }];
      return pos.members.map((m, k) => ({ kind: P_SE | (pos.array ? P_ARRAY : 0), q: qid(m.qn), child: childOf(m.type), next, key: pos.idx * 1000 + k }));
    };
    const simpleDt = t.simple ? dtOf(t.simple) : -1;
    const contentProds = (fs: Iterable<Pos>, ee: boolean, self?: Pos): Prod[] => {
      const out: Prod[] = [];
      const seen = new Set<number>();
      if (self) { out.push(...seProds(self, true)); seen.add(self.idx); }
      for (const f of fs) if (!seen.has(f.idx)) { seen.add(f.idx); out.push(...seProds(f, false)); }
      // one SE(*) at most
      let anyDone = false;
      const dedup = out.filter((p) => (p.kind === P_SEANY ? (anyDone ? false : (anyDone = true)) : true));
      if (ee) dedup.push({ kind: P_EE, q: 0, child: 0, next: 0, key: 2e6 });
      if (t.mixed) dedup.push({ kind: P_CHMIXED, q: 0, child: 0, next: -0x7fffffff, key: 3e6 });
      return dedup;
    };
    let startProds: Prod[];
    if (t.simple) {
      const after = placeholder();
      fillState(after, [{ kind: P_EE, q: 0, child: 0, next: 0, key: 2e6 }]);
      startProds = [{ kind: P_CH, q: 0, child: simpleDt, next: after, key: 3e6 }];
    } else startProds = contentProds(root.first, root.nullable);
    fillState(sContent, startProds);
    for (const pos of positions) {
      const isLast = root.last.has(pos);
      if (!counted(pos)) fillState(plainState.get(pos)!, contentProds(pos.follow, isLast));
      else {
        const c = cnt.get(pos)! * 5;
        const [lt, mid, full] = [counters[c + 2], counters[c + 3], counters[c + 4]];
        const follow = [...pos.follow].filter((f) => f !== pos);
        if (lt >= 0) fillState(lt, seProds(pos, true));
        if (mid >= 0) fillState(mid, contentProds(follow, isLast, pos));
        if (full >= 0) fillState(full, contentProds(follow, isLast));
      }
    }
    // attribute states
    for (let j = attrs.length - 1; j >= 0; j--) {
      const ps: Prod[] = [];
      let k = j;
      for (; k < attrs.length; k++) {
        ps.push({ kind: P_AT, q: qid(attrs[k].qn), child: dtOf(attrs[k].type), next: k + 1 < attrs.length ? sAttr[k + 1] : sContent, key: k });
        if (attrs[k].required) break;
      }
      if (k === attrs.length) for (const p of startProds) ps.push({ ...p, key: p.key + 100, next: p.kind === P_CHMIXED ? sContent : p.next });
      fillState(sAttr[j], ps);
    }
    // mixed CH loops back to its own state: resolve the marker
    for (const [s, ps] of stateProds) for (const p of ps) if (p.next === -0x7fffffff) p.next = s;
    // encoder order: attributes (sorted), then element particles in schema order
    const orderStart = order.length;
    for (const a of attrs) order.push(qid(a.qn) * 4 + 2);
    const seenQ = new Set<number>();
    for (const pos of positions) for (const m of pos.members) {
      const q = qid(m.qn);
      if (seenQ.has(q)) continue;
      seenQ.add(q);
      order.push(q * 4 + (pos.array ? 1 : 0));
    }
    const hasAny = positions.some((p) => p.p.kind === "any");
    const o = ti * 5;
    types[o] = attrs.length ? sAttr[0] : sContent;
    types[o + 1] = orderStart;
    types[o + 2] = order.length - orderStart;
    types[o + 3] = simpleDt + 1;
    types[o + 4] = (t.mixed ? 1 : 0) | (hasAny ? 2 : 0) | (t.simple && attrs.length === 0 ? 4 : 0);
  };

  const sortedGlobals = globals.slice().sort((a, b) => cmpQN(a.qn, b.qn));
  // The named types of the imported namespaces (xmldsig, then -20 CommonTypes) that this schema
  // uses come first, sorted by name, so their states, productions, datatypes and counters lead
  // every family's tables alike and emit.ts writes that common start once. Only internal indices
  // move; the EXI events are the same.
  if (sharedTypes) {
    for (const ns of SHARED_NAMESPACES) {
      for (const key of sharedTypes.filter((k) => k.startsWith(`${ns}|`)).sort(cmpStr)) childOf(set.typeByKey(key));
      while (pending.length) { const t = pending.shift()!; buildType(t, typeIndex.get(t)!); }
    }
  }
  // document grammar: global elements sorted by qname
  const doc: number[] = [];
  for (const g of sortedGlobals) doc.push(qid(g.qn), childOf(g.type));
  while (pending.length) { const t = pending.shift()!; buildType(t, typeIndex.get(t)!); }
  // fragment grammar: all element qnames (global and local)
  const byQ = new Map<string, ElementDecl[]>();
  for (const e of set.allElements) {
    const k = qkey(e.qn);
    const l = byQ.get(k);
    if (l) l.push(e); else byQ.set(k, [e]);
  }
  const frag: number[] = [];
  const fragQ = [...byQ.values()].map((l) => l[0].qn).sort(cmpQN);
  for (const q of fragQ) {
    const decls = byQ.get(qkey(q))!;
    const ts = new Set(decls.map((d) => d.type));
    frag.push(qid(q), ts.size === 1 ? childOf(decls[0].type) : -0x40000000);
  }
  while (pending.length) { const t = pending.shift()!; buildType(t, typeIndex.get(t)!); }
  // attributes of the relaxed element fragment grammar: every attribute qname, typed when all its declarations agree
  const attrDecls = new Map<string, { qn: QN; types: Set<number> }>();
  for (const ct of typeList) for (const a of ct.attrs) {
    const k = qkey(a.qn);
    const e = attrDecls.get(k) ?? { qn: a.qn, types: new Set<number>() };
    e.types.add(dtOf(a.type));
    attrDecls.set(k, e);
  }
  const fragAttrs: number[] = [];
  // attributes of the declared types of relaxed elements are preferred when encoding a local name
  const preferred = new Set<string>();
  for (const decls of byQ.values()) if (new Set(decls.map((d) => d.type)).size > 1) for (const d of decls) if (d.type.kind === "complex") for (const a of d.type.attrs) preferred.add(qkey(a.qn));
  for (const e of [...attrDecls.values()].sort((a, b) => cmpQN(a.qn, b.qn))) fragAttrs.push(qid(e.qn), ((e.types.size === 1 ? [...e.types][0] : -1) + 1) * 2 + (preferred.has(qkey(e.qn)) ? 1 : 0));
  // xsi:type targets (EXI 1.0 §8.5.4.4.1): every named type of the schema and the XSD built-ins
  // the codec has a representation for. A complex type no element uses has no grammar here
  // (giving it one would cost flash for what no peer sends): NO_GRAMMAR, and the decoder refuses
  // such an xsi:type instead of misreading it. AT(*) values are typed by a global attribute
  // declaration when there is one; the runtime assumes there is none.
  if (set.globalAttrs.size) throw new Error("global attribute declarations are not supported (AT(*) would be typed)");
  const typeNames: number[] = [];
  for (const key of set.globalTypes.keys()) {
    const t = set.typeByKey(key);
    typeNames.push(qid(t.name!), t.kind === "simple" ? childOf(t) : typeIndex.get(t) ?? NO_GRAMMAR);
  }
  for (const local of XS_TYPES) {
    let t: SimpleType;
    try {
      t = set.builtin(local);
    } catch {
      continue; // no representation in the codec (decimal, float, dateTime, lists, anyType…)
    }
    typeNames.push(qid({ ns: XS, local }), childOf(t));
  }
  // packed small: sorted by qname, each as (qname - previous qname, type index + 1 | 0 for NO_GRAMMAR | -1 - datatype)
  const pairs: [number, number][] = [];
  for (let i = 0; i < typeNames.length; i += 2) pairs.push([typeNames[i], typeNames[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  typeNames.length = 0;
  let previousQ = 0;
  for (const [q, c] of pairs) {
    typeNames.push(q - previousQ, c === NO_GRAMMAR ? 0 : c >= 0 ? c + 1 : c);
    previousQ = q;
  }
  while (pending.length) { const t = pending.shift()!; buildType(t, typeIndex.get(t)!); }
  // lay out productions in state order
  for (let s = 0; s < states.length; s++) {
    states[s] = prods.length / 4;
    const ps = (stateProds.get(s) ?? []).slice().sort((x, y) => x.key - y.key);
    // Unique Particle Attribution: one production per event in a state (the encoder picks by qname)
    const seen = new Set<string>();
    for (const p of ps) {
      const key = (p.kind & 7) <= P_SE ? `${p.kind & 7}:${p.q}` : `${p.kind & 7}`;
      if (seen.has(key)) throw new Error(`state ${s}: two productions for the same event (${key}); the schema violates UPA`);
      seen.add(key);
    }
    for (const p of ps) prods.push(p.kind, p.q, p.child, p.next);
  }
  states.push(prods.length / 4);
  // the runtime keeps these columns in 16-bit arrays
  for (const [name, list] of [["states", states], ["prods", prods], ["counters", counters], ["types", types], ["order", order]] as const) {
    for (const v of list) if (v < -32768 || v > 32767) throw new Error(`${name} value ${v} does not fit a 16-bit column`);
  }
  return { uris, locals, partitions, enums, dts, facets: facetRecords, states, prods, counters, types, order, doc, frag, fragAttrs, typeNames, typeList, dtList, dtOf, membersOf };
}
