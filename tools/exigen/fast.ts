// Straight-line decoders and encoders for the charging-loop messages (issue 15), written from
// the same grammar tables as the interpreter's: one function per complex type reachable from a
// hot message, its states laid out in topological order, event codes and widths as constants.
// The generated code handles the regular case (declared events, literal strings, values within
// their facets); anything else calls bail() and the codec falls back to the table interpreter
// (modules/exi/fast.ts), so the output is the interpreter's, bit for bit.

import { MAX_ELEMENTS, MAX_REPEAT } from "../../modules/exi/limits";
import { DT_B64, DT_BOOL, DT_ENUM, DT_HEX, DT_INT, DT_NBIT, DT_STRING, DT_UINT, FACET_HIGH, FACET_HIGH_POW2, FACET_LOW, FACET_LOW_POW2, P_ARRAY, P_AT, P_CH, P_CHMIXED, P_EE, P_SE, P_SEANY, type Tables } from "./grammar";

/**
 * The hot messages per family: a charger's loop cycle decodes the request and encodes the
 * response (the messages' header comes with them). Generated code costs flash (README:
 * Performance), so only that direction is generated; the vehicle's side of the loop (and every
 * other message) goes through the interpreter.
 */
export const HOT_MESSAGES: Readonly<Record<string, { readonly decode: readonly string[]; readonly encode: readonly string[] }>> = {
  din: { decode: ["CurrentDemandReq"], encode: ["CurrentDemandRes"] },
  iso2: { decode: ["CurrentDemandReq", "ChargingStatusReq"], encode: ["CurrentDemandRes", "ChargingStatusRes"] },
  "iso20-dc": { decode: ["DC_ChargeLoopReq"], encode: ["DC_ChargeLoopRes"] },
  "iso20-ac": { decode: ["AC_ChargeLoopReq"], encode: ["AC_ChargeLoopRes"] },
};

/**
 * Strings and binaries every loop response repeats unchanged: the writer keeps their last
 * octets per slot (modules/exi/fast.ts eStr/eBin) and copies them again in one step. The slot
 * follows the name, so a function shared by several families has the same text in each.
 */
const CACHE_SLOTS = ["SessionID", "EVSEID", "MeterID"];

function cacheSlot(prop: string): number {
  return CACHE_SLOTS.indexOf(JSON.parse(prop) as string);
}

const T_MIXED = 1, T_ANY = 2, T_SIMPLE_ONLY = 4;
/** The decoders' `q` for the CH event of simple content with attributes (the table holds 0). */
const Q_VALUE = -3;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** A message element of the schemas (every one ends so): only the hot ones are compiled. */
const MESSAGE_NAME = /Re[qs]$/;

export function localOf(t: { locals: string[][]; partitions: number[] }, q: number): string {
  for (const u of t.partitions) { const l = t.locals[u]; if (q < l.length) return l[q]; q -= l.length; }
  throw new Error("bad qname");
}

function bitsFor(n: number): number {
  let b = 0;
  while ((1 << b) < n) b++;
  return b;
}

interface Prod { kind: number; q: number; child: number; next: number; code: number }
interface State { s: number; prods: Prod[]; width: number }

/** An event code to write: constants where the state is known here, else from the code table (`k`), after the pending EE codes (`z`, the variable when null). */
interface Code {
  code: number | null;
  width: number | null;
  z: 0 | 1 | null;
  /** The first write of the function: the caller's SE code (`pb`, `pw` bits) goes before it. */
  head?: boolean;
}

/** The bits of code `c` shifted by `shift`, with `low` in the bits below; constants folded. */
function bitsOf(c: Code, shift: number, low: string | null): string {
  let b: string;
  if (c.code === null) b = low === null ? `(k >> 5) << ${shift}` : `((k >> 5) << ${shift}) | ${low}`;
  else {
    const high = c.code * 2 ** shift;
    b = high === 0 ? low ?? "0" : low === null ? String(high) : `${high} | ${low}`;
  }
  if (!c.head) return b;
  return b === "0" ? `pb << (${widthOf({ ...c, head: false }, shift)})` : `(pb << (${widthOf({ ...c, head: false }, shift)})) | ${b}`;
}

/** The width of code `c` plus `extra` bits, pending EE codes (and the caller's code) included; constants folded. */
function widthOf(c: Code, extra: number): string {
  const n = (c.width ?? 0) + (c.z ?? 0) + extra;
  return [c.head ? "pw" : "", c.width === null ? "(k & 31)" : "", c.z === null ? "z" : "", n ? String(n) : ""].filter(Boolean).join(" + ") || "0";
}

/**
 * A decoder's reads in place (issue 15: a BitReader call costs ~100 XS meter units, the
 * expression ~25): the bit position in a local (`pos`), each `r.bits(n)` a window of three or
 * four bytes of `buf`, `r.bit()` one byte. A byte past the end reads undefined, which the
 * shifts turn into 0, so the reads do not check the end: the root checks the position once
 * (a stream that ends early bails and the interpreter gives its exi-eof). Helpers and child
 * decoders read through `r` (their own end checks): the position goes there and back.
 */
function inlineReads(line: string): string {
  // the bytes from the one of `pos` that hold its bits: two (up to 9 bits from any offset), three (17), four (25)
  const window = (k: number) =>
    k <= 9
      ? `(((buf[a] << 8) | buf[a + 1]) >>> ((a << 3) + 16 - pos))`
      : k <= 17
        ? `(((buf[a] << 16) | (buf[a + 1] << 8) | buf[a + 2]) >>> ((a << 3) + 24 - pos))`
        : `(((buf[a] << 24) | (buf[a + 1] << 16) | (buf[a + 2] << 8) | buf[a + 3]) >>> ((a << 3) + 32 - pos))`;
  return line
    .replace(/\b(d\d+\(d\)|dStr\(d, [^()]*\)|dBin\(d, [^()]*\)|r\.uint\(\)|r\.uintBig\(\)|dIntBig\(r\))/g, "(r.pos = pos, t = $1, pos = r.pos, t)")
    .replace(/\br\.bit\(\)/g, "((buf[pos >> 3] >> (7 - (pos++ & 7))) & 1)")
    .replace(/\br\.bits\(([^()]*)\)/g, (_, n: string) => {
      if (/^\d+$/.test(n)) {
        const k = Number(n);
        if (k > 25) throw new Error(`inline read of ${k} bits`);
        return `(a = pos >> 3, pos += ${k}, ${window(k)} & ${(1 << k) - 1})`;
      }
      // a width with the child's pending EE codes (d.z, a few bits)
      return `((n = ${n}) > 25 ? bail() : (a = pos >> 3, pos += n, ${window(25)} & ((1 << n) - 1)))`;
    });
}

/**
 * An encoder's BitWriter.put calls in place where the pending bits take the new ones (the
 * writer's fast path, ~20 XS meter units instead of a ~55-unit call); the call otherwise.
 * `w.put(v, k)` → `if ((t = w.n + k) <= 53) { w.cur = w.cur * 2^k + v; w.n = t; } else w.put(v, k)` (2^k a
 * constant, or P2[k]).
 */
function inlinePuts(text: string): string {
  let out = "";
  for (let from = 0; ; ) {
    const at = text.indexOf("w.put(", from);
    if (at < 0) return out + text.slice(from);
    if (at > 0 && /[.\w]/.test(text[at - 1])) {
      out += text.slice(from, at + 6);
      from = at + 6;
      continue;
    }
    // the two arguments: split at the top-level comma, up to the matching parenthesis
    let depth = 0, comma = -1, end = at + 6;
    for (; end < text.length; end++) {
      const ch = text[end];
      if (ch === "(") depth++;
      else if (ch === ")") {
        if (depth === 0) break;
        depth--;
      } else if (ch === "," && depth === 0) comma = end;
    }
    const v = text.slice(at + 6, comma).trim(), k = text.slice(comma + 1, end).trim();
    const kk = /^\d+$/.test(k) ? k : `(${k})`, vv = /^[\w.]+$/.test(v) ? v : `(${v})`;
    const scale = /^\d+$/.test(k) ? String(2 ** Number(k)) : `P2[${k}]`;
    out += text.slice(from, at) + `if ((t = w.n + ${kk}) <= 53) { w.cur = w.cur * ${scale} + ${vv}; w.n = t; } else w.put(${v}, ${k})`;
    from = end + 1;
  }
}

class FastWriter {
  /** The generated functions (and code tables) by name, in the order written. */
  readonly blocks = new Map<string, string>();
  readonly decoders = new Map<number, string>();
  readonly encoders = new Map<number, string>();
  readonly #compilable = new Map<number, State[] | null>();
  /** The EE codes (0 bits) a generated decoder leaves pending when the same on every way out. */
  readonly pendingZ = new Map<string, number>();
  /** Encoders that answer -1 for a message other than the hot ones (their callers pass it on). */
  readonly encDeclining = new Set<string>();
  /** Decoders that answer undefined for a message other than the hot ones (their callers pass it on). */
  readonly declining = new Set<string>();
  /** The decoder being written's `q` for EE: 0 (the grammar's), -1 where a property has qname id 0. */
  eeQ = 0;
  /** What the decoder being written leaves pending, one entry per way out (code text). */
  zs = new Set<string>();

  /** The messages compiled in the direction being written. */
  hot: readonly string[] = [];
  /**
   * Every message (the Node host's codec, `buildHostFast`): a child that is not compiled (an
   * array, xmldsig …) makes its type decline like another message does, instead of a throw.
   */
  all = false;

  constructor(readonly t: Tables) {}

  local(q: number): string { return localOf(this.t, q); }

  prodsOf(s: number): Prod[] {
    const t = this.t, out: Prod[] = [];
    for (let p = t.states[s], i = 0; p < t.states[s + 1]; p++, i++) out.push({ kind: t.prods[p * 4], q: t.prods[p * 4 + 1], child: t.prods[p * 4 + 2], next: t.prods[p * 4 + 3], code: i });
    return out;
  }

  /** A child this code handles as a plain value: a simple type, or a complex one with simple content and no attributes: its datatype, else -1. */
  simpleDt(child: number): number {
    if (child < 0) return -1 - child;
    const t = this.t, flags = t.types[child * 5 + 4];
    if (!(flags & T_SIMPLE_ONLY) || flags & (T_MIXED | T_ANY)) return -1;
    const ps = this.prodsOf(t.types[child * 5]);
    if (ps.length !== 1 || ps[0].kind !== 4 /* P_CH */) return -1;
    const after = this.prodsOf(ps[0].next);
    return after.length === 1 && (after[0].kind & 7) === P_EE ? ps[0].child : -1;
  }

  /**
   * A production the Node host's code leaves to the interpreter in a type it compiles: SE(*),
   * mixed text, an element repeated inside a repeated group (an array without a counter of its
   * own). Its event is read and the decoder declines; the encoder never writes one.
   */
  foreign(p: Prod): boolean {
    const k = p.kind & 7;
    return k === P_SEANY || k === P_CHMIXED || (k === P_SE && (p.kind & P_ARRAY) !== 0 && p.next >= 0);
  }

  /** The `q` a decoder sets for the only production of state `s`: its qname, -2 for a foreign one (no branch takes it). */
  onlyQ(s: number): number {
    const p = this.prodsOf(s)[0];
    return p.kind === P_CH ? Q_VALUE : this.all && this.foreign(p) ? -2 : p.q;
  }

  /** A counted particle's states (fewer than min, between, full; those it has), from a production's `next` (-1 - 2 × counter - self). */
  counterStates(next: number): number[] {
    const c = ((-next - 1) >> 1) * 5, t = this.t;
    return [t.counters[c + 2], t.counters[c + 3], t.counters[c + 4]].filter((s) => s >= 0);
  }

  /**
   * The state after the `m`-th item of counted particle `c` (EXI 1.0 §8.5.4.1.7: the unrolled
   * grammar's state; codec.ts nextState): per state that exists, the condition on `m` and the state.
   */
  counterCases(c: number, m: string): { when: string; s: number }[] {
    const t = this.t, [min, max, lt, mid, full] = t.counters.slice(c * 5, c * 5 + 5), out: { when: string; s: number }[] = [];
    if (lt >= 0) out.push({ when: `${m} < ${min}`, s: lt });
    if (mid >= 0) out.push({ when: max < 0 ? "" : `${m} < ${max}`, s: mid });
    if (full >= 0 && (max >= 0 || mid < 0)) out.push({ when: "", s: full });
    const last = out.findIndex((x) => x.when === "");
    return last < 0 ? out : out.slice(0, last + 1);
  }

  /** The states of complex type `ti` in topological order, or null when the type needs the interpreter (counters, wildcards, mixed or simple content, arrays). */
  statesOf(ti: number): State[] | null {
    if (this.#compilable.has(ti)) return this.#compilable.get(ti)!;
    const t = this.t;
    let result: State[] | null = null;
    const flags = t.types[ti * 5 + 4];
    // the Node host's code: mixed and wildcard types too (declining at text or SE(*)), and simple
    // content with attributes (its value the property `$value`, as the interpreter's object has it)
    if (!(flags & (this.all ? T_SIMPLE_ONLY : T_MIXED | T_ANY | T_SIMPLE_ONLY)) && (this.all || t.types[ti * 5 + 3] === 0)) {
      const seen = new Map<number, State>();
      const order: State[] = [];
      const visiting = new Set<number>();
      let ok = true;
      const visit = (s: number) => {
        if (seen.has(s)) return;
        if (visiting.has(s)) { ok = false; return; }
        visiting.add(s);
        const prods = this.prodsOf(s);
        for (const p of prods) {
          const k = p.kind & 7;
          // a counted particle (maxOccurs > 1: an array, EXI's unrolled states as a counter and up
          // to three states): the Node host's code loops over it; its repetition (the production
          // back into the particle) is the loop, not an edge of the order
          if (this.all && k === P_SE && p.kind & P_ARRAY && p.next < 0) {
            if (((-p.next - 1) & 1) === 0) for (const c of this.counterStates(p.next)) visit(c);
          } else if (this.all && k === P_CH) {
            visit(p.next);
          } else if (this.all && this.foreign(p)) {
            // left to the interpreter: the code declines where it meets one (no edge of the order)
          } else if ((k !== P_AT && k !== P_SE && k !== P_EE) || p.kind & P_ARRAY || (k !== P_EE && p.next < 0)) ok = false;
          else if (k !== P_EE) visit(p.next);
        }
        visiting.delete(s);
        const st = { s, prods, width: bitsFor(prods.length + 1) };
        seen.set(s, st);
        order.push(st);
      };
      visit(t.types[ti * 5]);
      // names: one property per local name
      const names = new Set<string>();
      for (let i = t.types[ti * 5 + 1], end = i + t.types[ti * 5 + 2]; i < end; i++) {
        const n = this.local(t.order[i] >> 2);
        if (names.has(n)) ok = false;
        names.add(n);
      }
      if (ok) result = order.reverse();
    }
    this.#compilable.set(ti, result);
    return result;
  }

  /** Whether a child element gets generated code: a compilable type, not a message other than the hot ones. */
  compiled(p: Prod): boolean {
    if ((p.kind & 7) === P_AT) return true;
    const name = this.local(p.q);
    if (MESSAGE_NAME.test(name) && !this.all && !this.hot.includes(name)) return false;
    return this.simpleDt(p.child) >= 0 || this.statesOf(p.child) !== null;
  }

  /** Facet bounds of a datatype (its representation's range included), as code. */
  bounds(dt: number): { lo: string; hi: string; checked: boolean } {
    const t = this.t, kind = t.dts[dt * 4], a = t.dts[dt * 4 + 1], b = t.dts[dt * 4 + 2], f = t.dts[dt * 4 + 3];
    let lo: bigint | undefined, hi: bigint | undefined;
    if (f > 0) {
      const flags = t.facets[(f - 1) * 3], x = t.facets[(f - 1) * 3 + 1], y = t.facets[(f - 1) * 3 + 2];
      if (flags & FACET_LOW) lo = flags & FACET_LOW_POW2 ? -(1n << BigInt(x)) : BigInt(x);
      if (flags & FACET_HIGH) hi = flags & FACET_HIGH_POW2 ? (1n << BigInt(y)) - 1n : BigInt(y);
    }
    const checked = lo !== undefined || hi !== undefined;
    if (kind === DT_NBIT) { lo ??= BigInt(a); hi ??= BigInt(a + (1 << b) - 1); }
    const big = (kind === DT_UINT || kind === DT_INT) && a !== 0;
    const num = (v: bigint | undefined, dflt: string) => (v === undefined ? dflt : big && (v > BigInt(MAX_SAFE) || v < -BigInt(MAX_SAFE)) ? `${v}n` : String(v));
    return { lo: num(lo, kind === DT_UINT ? "0" : `-${MAX_SAFE}`), hi: num(hi, String(MAX_SAFE)), checked };
  }

  /** The productions of type `ti` per property, in the encoder's order (attributes, then schema order), with the state each leads to (the same from every state: Glushkov; -1 - counter for a counted particle). */
  properties(ti: number): { q: number; prop: string; kind: number; child: number; next: number; compiled: boolean }[] {
    const t = this.t, states = this.statesOf(ti)!, out: { q: number; prop: string; kind: number; child: number; next: number; compiled: boolean }[] = [];
    for (let i = t.types[ti * 5 + 1], end = i + t.types[ti * 5 + 2]; i < end; i++) {
      const q = t.order[i] >> 2;
      const ps = states.flatMap((st) => st.prods.filter((x) => x.q === q && (x.kind & 7) <= P_SE));
      if (ps.length === 0) continue;
      const p = ps[0];
      // a counted particle: entered and repeated by different `next`s, both its counter's
      const nx = (x: Prod) => (x.next >= 0 ? x.next : -1 - ((-x.next - 1) >> 1));
      const irregular = ps.some((x) => nx(x) !== nx(p) || x.kind !== p.kind || x.child !== p.child);
      if (irregular && !this.all) throw new Error(`type ${ti}: ${this.local(q)} leads to different states`);
      const compiled = !irregular && !(this.all && this.foreign(p)) && (q !== 0 || this.all) && this.compiled(p);
      out.push({ q, prop: JSON.stringify(this.local(q)), kind: p.kind & 7, child: p.child, next: nx(p), compiled });
    }
    // simple content with attributes (the Node host's code): the value after them, as `$value` (qname -3 here)
    const ch = this.all && t.types[ti * 5 + 3] !== 0 ? states.flatMap((st) => st.prods).find((x) => x.kind === P_CH) : undefined;
    if (ch) out.push({ q: Q_VALUE, prop: '"$value"', kind: P_CH, child: ch.child, next: ch.next, compiled: true });
    return out;
  }

  stateInfo(s: number): { start: number; n: number; width: number } {
    const t = this.t, n = t.states[s + 1] - t.states[s];
    return { start: t.states[s], n, width: bitsFor(n + 1) };
  }

  // --- decoding ---

  /** Reads the event code of state `s` after `z` pending EE codes (0 bits): the production's qname into `q` (EE: 0). */
  readEvent(s: number, z: number, after?: number | null): string {
    const { start, n, width } = this.stateInfo(s);
    const only = n === 1 ? this.onlyQ(s) : -1;
    // after a complex child: its pending EE codes, a constant where every way out of it leaves the same (else d.z)
    const bits = after === null ? `${width + z} + d.z` : `${width + z + (after ?? 0)}`;
    // EE alone (code 0): its bit and the pending ones are left to the caller's next read (d.z)
    if (n === 1 && (this.t.prods[start * 4] & 7) === P_EE) {
      this.zs.add(bits);
      return `p = ${bits}; q = ${this.eeQ};`;
    }
    if (this.endsHere(s)) this.zs.add("0");
    // one production (a required element): its code is 0
    if (n === 1 && bits === "1") return `if (r.bit() !== 0) bail(); q = ${only};`;
    if (n === 1) return `if (r.bits(${bits}) !== 0) bail(); q = ${only};`;
    return `c = r.bits(${bits}); if (c >= ${n}) bail(); q = ${this.pq(s, "c")};`;
  }

  /**
   * The qname of production `c` of state `s` from the grammar's table; where a property has
   * qname id 0 (apphand's AppProtocol, the Node host's code), EE is -1 instead of its 0.
   */
  pq(s: number, c: string): string {
    const { start } = this.stateInfo(s), prods = this.prodsOf(s);
    // EE as -1 where a property has qname id 0, a foreign production as -2 (the table holds 0 for both)
    const special = prods.map((p, j) => ({ j, v: (p.kind & 7) === P_EE ? this.eeQ : p.kind === P_CH ? Q_VALUE : this.all && this.foreign(p) && (p.kind & 7) !== P_SE ? -2 : 0 })).filter((x) => x.v !== 0);
    return special.reduceRight((rest, x) => `${c} === ${x.j} ? ${x.v} : ${rest}`, `PQ[${start ? `${start} + ` : ""}${c}]`);
  }

  /** Whether state `s` offers EE among other productions (read by code: no EE codes left pending). */
  endsHere(s: number): boolean {
    return this.prodsOf(s).some((p) => (p.kind & 7) === P_EE);
  }

  /** Code that reads a simple value of `dt` with the CH code before it (`ch`) into `o[prop]`. */
  decodeValue(dt: number, prop: string, ch: boolean, target = `o[${prop}]`): string {
    const t = this.t, kind = t.dts[dt * 4], a = t.dts[dt * 4 + 1], b = t.dts[dt * 4 + 2];
    const { lo, hi, checked } = this.bounds(dt);
    const ranged = (v: string) => (checked ? `dRange(${v}, ${lo}, ${hi})` : v);
    const rangedInt = (v: string) => (checked ? `i = ${v}; if (i < ${lo} || i > ${hi}) bail(); ${target} = i;` : `${target} = ${v};`);
    const chRead = ch ? "if (r.bit() !== 0) bail(); " : "";
    const set = (v: string) => `${target} = ${v};`;
    const x = ch ? 1 : 0; // the CH code (0) read with the value: one bit more, which must be 0
    switch (kind) {
      case DT_BOOL: return `c = r.bits(${1 + x}); if (c > 1) bail(); ${set("c === 1")}`;
      case DT_NBIT: return `c = r.bits(${b + x}); if (c >= ${1 << b}) bail(); ${rangedInt(a ? `c + ${a}` : "c")}`;
      case DT_ENUM: return `c = r.bits(${bitsFor(b) + x}); if (c >= ${b}) bail(); ${set(`E[${a} + c]`)}`;
      case DT_STRING: return `${chRead}${set(`dStr(d, ${checked ? lo : 0}, ${checked ? hi : MAX_SAFE})`)}`;
      case DT_HEX: case DT_B64: return `${chRead}${set(`dBin(d, ${checked ? lo : 0}, ${checked ? hi : MAX_SAFE})`)}`;
      // the CH code, the sign and the first 7-bit group in one read; more groups (an integer of
      // a bounded type: its range check refuses a long one) through uint()
      case DT_UINT:
        if (a) return `${chRead}${set(ranged("r.uintBig()"))}`;
        return `c = r.bits(${8 + x}); if (c >= 256) bail(); i = c & 127; if (c & 128) i += 128 * r.uint(); ${rangedInt("i")}`;
      case DT_INT:
        if (a) return `${chRead}${set(ranged("dIntBig(r)"))}`;
        return `c = r.bits(${9 + x}); if (c >= 512) bail(); i = c & 127; if (c & 128) i += 128 * r.uint(); ${rangedInt("c & 256 ? -i - 1 : i")}`;
    }
    throw new Error(`datatype kind ${kind}`);
  }

  /**
   * A simple child of a few bits (boolean, n-bit integer, enumeration) and the next event in one
   * read: its CH code (0), the value, its EE code (0) and the code of state `next`.
   */
  decodeFused(dt: number, prop: string, next: number): string | undefined {
    const t = this.t, kind = t.dts[dt * 4], a = t.dts[dt * 4 + 1], b = t.dts[dt * 4 + 2];
    const vb = kind === DT_BOOL ? 1 : kind === DT_NBIT ? b : kind === DT_ENUM ? bitsFor(b) : -1;
    const { start, n, width } = this.stateInfo(next);
    const eeOnly = n === 1 && (this.t.prods[start * 4] & 7) === P_EE;
    const total = eeOnly ? 1 + vb : 1 + vb + 1 + width;
    if (vb < 0 || total > 24) return undefined;
    const { lo, hi, checked } = this.bounds(dt);
    const low = eeOnly ? 0 : width + 1; // the bits after the value
    const v = vb === 0 ? "0" : low ? `((c >> ${low}) & ${(1 << vb) - 1})` : `(c & ${(1 << vb) - 1})`;
    const code = width ? `c & ${(1 << width) - 1}` : "0";
    let value: string;
    if (kind === DT_BOOL) value = `o[${prop}] = (c & ${1 << low}) !== 0;`;
    else if (kind === DT_NBIT) value = `i = ${v}${a ? ` + ${a}` : ""};${checked ? ` if (i < ${lo} || i > ${hi}) bail();` : ""} o[${prop}] = i;`;
    else value = `i = ${v}; if (i >= ${b}) bail(); o[${prop}] = E[${a} + i];`;
    const only = n === 1 ? this.onlyQ(next) : -1;
    if (eeOnly) this.zs.add(String(1 + width));
    else if (this.endsHere(next)) this.zs.add("0");
    // the CH and EE codes must be 0 (1: the second level), like the code beyond the state's productions
    if (eeOnly) return `c = r.bits(${total}); if (c >= ${1 << vb}) bail(); ${value} p = ${1 + width}; q = ${this.eeQ};`;
    const head = `c = r.bits(${total}); if ((c & ${(1 << (total - 1)) | (1 << width)}) !== 0) bail(); ${value}`;
    return n === 1 ? `${head} if ((${code}) !== 0) bail(); q = ${only};` : `${head} i = ${code}; if (i >= ${n}) bail(); q = ${this.pq(next, "i")};`;
  }

  /**
   * A type's decoder: the properties in schema order, each branch taken when the last event
   * read names it; every branch reads the next event in the (constant) state its production
   * leads to, the EE code of a simple child (0) with it.
   */
  decoder(ti: number): string {
    let name = this.decoders.get(ti);
    if (name) return name;
    name = `d${ti}`;
    this.decoders.set(ti, name);

    const outer = this.zs, outerEE = this.eeQ;
    this.zs = new Set();
    this.eeQ = this.all && this.properties(ti).some((x) => x.q === 0) ? -1 : 0;
    const body: string[] = [this.readEvent(this.t.types[ti * 5], 0)];
    let declines = this.all;
    for (const { q, prop, kind, child, next, compiled } of this.properties(ti)) {
      if (!compiled) {
        // q stays: bail at the end; another message than the hot ones: decline instead (below)
        if (this.all || MESSAGE_NAME.test(this.local(q))) declines = true;
        continue;
      }
      const dt = kind === P_AT || kind === P_CH ? child : this.simpleDt(child);
      let code: string;
      if (next < 0) {
        // a counted particle (the Node host's code): its items into an array, each followed by
        // the event code of the state its count leads to; over MAX_REPEAT: the interpreter's exi-limit
        let item: string, after: (s: number) => string;
        if (dt < 0) {
          const childName = this.decoder(child), z = this.pendingZ.get(childName) ?? null;
          if (this.declining.has(childName)) declines = true;
          item = this.declining.has(childName) ? `if ((v = ${childName}(d)) === undefined) return undefined;` : `v = ${childName}(d);`;
          after = (s) => this.readEvent(s, 0, z);
        } else {
          item = this.decodeValue(dt, prop, true, "v");
          after = (s) => this.readEvent(s, 1);
        }
        const cases = this.counterCases(-1 - next, "m");
        const chain = cases.map((x, j) => (j === 0 ? (x.when ? `if (${x.when}) { ${after(x.s)} }` : after(x.s)) : x.when ? ` else if (${x.when}) { ${after(x.s)} }` : ` else { ${after(x.s)} }`)).join("");
        code = `l = []; o[${prop}] = l; m = 0; do { ${item} l.push(v); if (++m > ${MAX_REPEAT}) bail(); ${chain} } while (q === ${q});`;
      } else if (dt < 0) {
        const childName = this.decoder(child);
        const read = this.readEvent(next, 0, this.pendingZ.get(childName) ?? null);
        if (this.declining.has(childName)) {
          declines = true;
          code = `if ((o[${prop}] = ${childName}(d)) === undefined) return undefined; ${read}`;
        } else code = `o[${prop}] = ${childName}(d); ${read}`;
      }
      else if (kind === P_AT || kind === P_CH) code = `${this.decodeValue(dt, prop, false)} ${this.readEvent(next, 0)}`;
      else code = this.decodeFused(dt, prop, next) ?? `${this.decodeValue(dt, prop, true)} ${this.readEvent(next, 1)}`;
      body.push(`if (q === ${q}) { ${code} }`);
    }
    // the EE codes this decoder leaves pending: a constant when every way out leaves the same
    const zs = [...this.zs];
    this.zs = outer;
    const eeQ = this.eeQ;
    this.eeQ = outerEE;
    if (zs.length === 1 && /^\d+$/.test(zs[0])) this.pendingZ.set(name, Number(zs[0]));
    const lines = body.map(inlineReads);
    const text = lines.join("\n");
    const consts = [/\bbuf\[/.test(text) ? "buf = r.buf, " : "", /\bPQ\[/.test(text) ? "PQ = d.g.pQ, " : "", /\bE\[/.test(text) ? "E = d.g.enums, " : ""].join("");
    const lets = ["q = 0", /\bpos\b/.test(text) ? "pos = r.pos" : "", /\bm = /.test(text) ? "m = 0, l: unknown[], v: unknown" : "", /\ba = /.test(text) ? "a = 0" : "", /\bn = /.test(text) ? "n = 0" : "", /\bt = /.test(text) ? "t: any" : "", /\bc = /.test(text) ? "c = 0" : "", /\bi = /.test(text) ? "i = 0" : "", /\bp = /.test(text) ? "p = 0" : ""].filter(Boolean).join(", ");
    if (declines) this.declining.add(name);
    this.blocks.set(name, [
      `function ${name}(d: FastDecoderHost): Obj | undefined {`,
      `  const r = d.r, ${consts}o: Obj = {};`,
      `  let ${lets};`,
      ...lines.map((l) => `  ${l}`),
      // a message other than the hot ones (or anything else left here): "not mine", without the
      // cost of a throw (V8: µs); the codec decodes it with the interpreter
      declines ? `  if (q !== ${eeQ}) return undefined; // not a hot message: the interpreter's` : `  if (q !== ${eeQ}) bail(); // EE (${eeQ ? "-1: a property has qname id 0" : "no property of these types has qname id 0"})`,
      ...(/\bpos\b/.test(text) ? ["  r.pos = pos; // past the end: the caller's bits() or the final check bails"] : []),
      `  d.z = ${/\bp = /.test(text) ? "p" : "0"}; // EE codes (0 bits) left to the caller's next read`,
      "  return o;",
      "}",
    ].join("\n"));
    return name;
  }

  // --- encoding ---

  /**
   * Code writing property value `x` of datatype `dt` after its event code `prefix` (`width`
   * bits, pending EE zeros included): a simple child's CH code 0 and a value of a few bits go
   * in the same write.
   */
  encodeValue(dt: number, c: Code, se: boolean, maxWidth: number, prop: string): string {
    const t = this.t, kind = t.dts[dt * 4], a = t.dts[dt * 4 + 1], b = t.dts[dt * 4 + 2];
    const { lo, hi, checked } = this.bounds(dt);
    const x = se ? 1 : 0;
    const plain = `w.put(${bitsOf(c, x, null)}, ${widthOf(c, x)});`;
    // BitWriter.put takes up to 24 bits: a pending EE, the code, CH and the value
    const write = (bits: string, n: number) => (1 + maxWidth + x + n <= 24 ? `w.put(${bitsOf(c, n + x, bits)}, ${widthOf(c, n + x)});` : `${plain} w.put(${bits}, ${n});`);
    // an integer number within the facets (else the interpreter's error, or a bigint it takes);
    // within 32 bits, x | 0 is x only for such a number
    const int32 = Number(lo) >= -(2 ** 31) && Number(hi) < 2 ** 31;
    const int = `if (${int32 ? "(x | 0) !== x" : 'typeof x !== "number" || x % 1 !== 0'} || x < ${lo} || x > ${hi}) bail();`;
    switch (kind) {
      case DT_BOOL: return `if (typeof x !== "boolean") bail(); ${write("(x ? 1 : 0)", 1)}`;
      case DT_NBIT: return `${int} ${write(a ? `(x ${a < 0 ? "+" : "-"} ${Math.abs(a)})` : "x", b)}`;
      case DT_ENUM: {
        // a long list (response codes): its first value (OK, the usual one) compared in place
        if (b > 16) return write(`(x === ${JSON.stringify(t.enums[a])} ? 0 : eEnum(e, x, ${a}, ${b}))`, bitsFor(b));
        // the index by comparisons in place (a loop's units and statuses are among few values)
        const values = t.enums.slice(a, a + b).map((v, j) => `x === ${JSON.stringify(v)} ? ${j} : `).join("");
        return `i = ${values}-1; if (i < 0) bail(); ${write("i", bitsFor(b))}`;
      }
      case DT_UINT: return a ? `${plain} eBig(e, x, false, ${lo}, ${hi});` : `${int} ${this.unsigned("x", c, x, null, maxWidth + x)}`;
      case DT_INT:
        if (a) return `${plain} eBig(e, x, true, ${lo}, ${hi});`;
        return `${int} i = x < 0 ? -x - 1 : x; ${this.unsigned("i", c, 1 + x, "(x < 0 ? 1 : 0)", maxWidth + 1 + x)}`;
      case DT_STRING: return `${plain} eStr(e, x, ${checked ? lo : 0}, ${checked ? hi : MAX_SAFE}, ${cacheSlot(prop)});`;
      case DT_HEX: case DT_B64: return `${plain} eBin(e, x, ${checked ? lo : 0}, ${checked ? hi : MAX_SAFE}, ${cacheSlot(prop)});`;
    }
    throw new Error(`datatype kind ${kind}`);
  }

  /**
   * Writes the event code `c` with `extra` bits after it (`low` in them: CH, a sign) and the
   * unsigned integer `v` (EXI 1.0 §7.1.6: 7-bit groups, least significant first): one or two
   * groups (most values of a loop message) as bits of the same or one more write.
   */
  unsigned(v: string, c: Code, extra: number, low: string | null, maxWidth: number): string {
    const head = `w.put(${bitsOf(c, extra, low)}, ${widthOf(c, extra)});`;
    const one = 1 + maxWidth + 8 <= 24 ? `w.put(${bitsOf(c, extra + 8, low === null ? v : `(${low} << 8) | ${v}`)}, ${widthOf(c, extra + 8)});` : `${head} w.put(${v}, 8);`;
    return `if (${v} < 128) { ${one} } else if (${v} < 16384) { ${head} w.put((((${v} & 127) | 128) << 8) | (${v} >> 7), 16); } else { ${head} w.uint(${v}); }`;
  }

  /**
   * A type's encoder: each present property in schema order with its event code; where the
   * state before it is known here (required elements, the first ones) the code is a constant,
   * elsewhere it comes from the type's code table (`C<type>`: code × 32 + width per property
   * and state, -1 where the state does not offer it). `z`: pending EE codes (0 bits) of simple
   * children, written as leading zeros of the next code. Then EE, and every property of the
   * object must have been one of these.
   */
  encoder(ti: number): string {
    let name = this.encoders.get(ti);
    if (name) return name;
    name = `e${ti}`;
    this.encoders.set(ti, name);

    const states = this.statesOf(ti)!;
    const byState = new Map(states.map((st) => [st.s, st]));
    const base = Math.min(...states.map((st) => st.s)), span = Math.max(...states.map((st) => st.s)) - base + 1;
    const props = this.properties(ti);
    const maxWidth = Math.max(...states.map((st) => st.width));
    if (maxWidth + 2 > 24) throw new Error(`type ${ti}: event codes too wide for BitWriter.put`);
    const table: number[] = [];
    /** Row `r` of the code table: the code × 32 + width of `match` in each state of the type. */
    const row = (match: (p: Prod) => boolean): number => {
      const r = table.length / span;
      for (let j = 0; j < span; j++) {
        const st = byState.get(base + j);
        const p = st?.prods.find(match);
        table.push(p ? p.code * 32 + st!.width : -1);
      }
      return r;
    };
    const body: string[] = [];
    const possible = new Set<number>([states[0].s]);
    let dynamic = false;
    let z: 0 | 1 | null = 0; // the pending EE codes where known here (else the variable z)
    // the caller's SE code goes with the first write when the start state offers one property only
    const startProds = states[0].prods;
    const firstProp = props.find((x) => x.compiled);
    let first = !!firstProp && firstProp.next >= 0 && startProds.length === 1 && startProds[0].q === firstProp.q && (startProds[0].kind & 7) <= P_SE && firstProp === props[0];
    const headUsed = first;
    const codeOf = (match: (p: Prod) => boolean): Code | undefined => {
      const from = [...possible].map((s) => ({ s, p: byState.get(s)!.prods.find(match), width: byState.get(s)!.width })).filter((f) => f.p);
      if (from.length === 0) return undefined;
      if (possible.size === 1) {
        const head = first;
        first = false;
        return { code: from[0].p!.code, width: from[0].width, z, head };
      }
      dynamic = true;
      const r = row(match);
      body.push(`  k = C${ti}[${r * span - base ? `${r * span - base} + ` : ""}s]; if (k < 0) bail();`.trimStart());
      return { code: null, width: null, z };
    };
    let declines = this.all;
    for (let i = 0; i < props.length; i++) {
      const { q, prop, kind, child, next, compiled } = props[i];
      // not compiled (another message, xmldsig …): not read here; present, it makes the key count
      // bail; another message than the hot ones: this encoder declines (-1) instead of throwing
      if (!compiled) {
        if (this.all || MESSAGE_NAME.test(this.local(q))) declines = true;
        continue;
      }
      const before = new Set(possible);
      body.push(`x = o[${prop}];`, "if (x !== undefined) {", "  n++;");
      const mark = body.length;
      let c: Code | undefined;
      if (next < 0) {
        // a counted particle (the Node host's code): an array of 1..MAX_REPEAT items (else the
        // interpreter's bytes or error), each item's code from the table by the state its
        // count led to
        dynamic = true;
        c = { code: null, width: null, z: null };
        const dt = this.simpleDt(child), r = row((p) => p.q === q && (p.kind & 7) <= P_SE);
        let write: string;
        if (dt < 0) {
          const childName = this.encoder(child);
          const call = `${childName}(e, x, ${bitsOf(c, 0, null)}, ${widthOf(c, 0)})`;
          if (this.encDeclining.has(childName)) declines = true;
          write = this.encDeclining.has(childName) ? `if ((z = ${call}) < 0) return -1;` : `z = ${call};`;
        } else write = `${this.encodeValue(dt, c, true, maxWidth, prop)} z = 1;`;
        const cases = this.counterCases(-1 - next, "m");
        const state = cases.slice(0, -1).reduceRight((rest, x) => `${x.when} ? ${x.s} : ${rest}`, String(cases[cases.length - 1].s));
        body.push(
          `  if (!Array.isArray(x) || x.length === 0 || x.length > ${MAX_REPEAT}) bail();`,
          "  l = x; for (m = 1; m <= l.length; m++) {",
          "    x = l[m - 1];",
          `    k = C${ti}[${r * span - base ? `${r * span - base} + ` : ""}s]; if (k < 0) bail();`,
          `    ${write}`,
          `    s = ${state};`,
          "  }",
        );
        for (const x of cases) possible.add(x.s);
      } else c = compiled ? codeOf(kind === P_CH ? (p) => p.kind === P_CH : (p) => p.q === q && (p.kind & 7) <= P_SE) : undefined;
      if (!c) body.push("  bail();");
      else if (next < 0) {
        // written above
      } else {
        if (body.length > mark) body[body.length - 1] = `  ${body[body.length - 1]}`;
        const dt = kind === P_AT || kind === P_CH ? child : this.simpleDt(child);
        if (dt < 0) {
          const childName = this.encoder(child);
          const call = `${childName}(e, x, ${bitsOf(c, 0, null)}, ${widthOf(c, 0)})`;
          if (this.encDeclining.has(childName)) {
            declines = true;
            body.push(`  if ((z = ${call}) < 0) return -1;`);
          } else body.push(`  z = ${call};`);
        }
        else body.push(`  ${this.encodeValue(dt, c, kind === P_SE, maxWidth, prop)} z = ${kind === P_SE ? 1 : 0};`);
        body.push(`  s = ${next};`);
        possible.add(next);
      }
      // a state that offers neither a later property nor EE: the property was required there
      const later = new Set(props.slice(i + 1).map((x) => x.q));
      const required = [...before].filter((s) => !byState.get(s)!.prods.some((x) => (x.kind & 7) === P_EE || ((x.kind & 7) <= P_SE && later.has(x.q)) || (x.kind === P_CH && later.has(Q_VALUE))));
      for (const s of required) possible.delete(s);
      // z after the property: its own (EE pending after a simple child) where it is required, else known only when both ways agree
      // (after a complex child: what it returns)
      const zPresent: 0 | 1 | null = !c ? 0 : kind === P_AT || kind === P_CH ? 0 : this.simpleDt(child) >= 0 ? 1 : null;
      z = required.length === before.size ? zPresent : z !== null && (z as number | null) === zPresent ? zPresent : null;
      if (required.length === before.size) body.push("} else bail();");
      else if (required.length) {
        dynamic = true;
        body.push(`} else if (${required.map((s) => `s === ${s}`).join(" || ")}) bail();`);
      } else body.push("}");
    }
    const end = codeOf((p) => (p.kind & 7) === P_EE);
    // EE: a constant code 0 is left to the caller as pending zeros (the return value)
    const ret = end && end.code === 0 && end.width !== null ? widthOf(end, 0) : "0";
    body.push(!end ? "bail();" : ret !== "0" ? "" : `w.put(${bitsOf(end, 0, null)}, ${widthOf(end, 0)});`);
    // a required property: n > 0, so an array or bytes cannot pass for an object without properties
    const required = body.some((l) => l.endsWith("} else bail();"));
    if (!dynamic) for (let i = 0; i < body.length; i++) body[i] = body[i].replace(/ s = -?\d+;$/, "").replace(/^\s*$/, "");
    // the writes in place in the leaf types only (PhysicalValue, RationalNumber, statuses: several
    // per message, small); a message type's own few writes keep the call (flash)
    // every property required: the key count is a constant (XS charges the counter's steps and local)
    const present = body.filter((l) => l === "if (x !== undefined) {").length;
    const allRequired = present > 0 && body.filter((l) => l === "} else bail();").length === present;
    let joined = body.filter((l) => l !== "" && !(allRequired && l === "  n++;")).join("\n");
    // pending EE codes that nothing reads (the return value a constant): no z
    const zRead = /\bz\b(?! = )/.test(joined) || /\bz\b/.test(ret);
    if (!zRead) joined = joined.replace(/ z = \d+;/g, "").replace(/\bz = (e\d+\()/g, "$1");
    // declining: every way out but the result is "not mine" (-1), without a throw (V8: µs); the
    // codec then encodes the message with the interpreter from the start
    if (declines) {
      this.encDeclining.add(name);
      joined = joined.replace(/\bbail\(\);/g, "return -1;");
    }
    const text = inlinePuts(joined);
    const lets = [allRequired ? "" : "n = 0", zRead ? "z = 0" : "", /\bx = /.test(text) ? "x: any" : "", /\bl = /.test(text) ? "l: unknown[], m = 0" : "", /\bi = /.test(text) ? "i = 0" : "", /\bt = /.test(text) ? "t = 0" : "", dynamic ? `s = ${states[0].s}, k = 0` : ""].filter(Boolean).join(", ");
    this.blocks.set(name, [
      ...(dynamic ? [`const C${ti}: readonly number[] = Object.freeze([${table.join(", ")}]);`, ""] : []),
      `function ${name}(e: FastEncoderHost, v: unknown, pb: number, pw: number): number {`,
      // with a required property, a value that is no object fails on it (or on its read: null, undefined)
      ...(required ? [] : [`  if (typeof v !== "object" || v === null) ${declines ? "return -1;" : "bail();"}`]),
      "  const o = v as Obj, w = e.w;",
      // the caller's SE code: with the first write (at most 7 bits, so that it stays within 31), else now
      ...(headUsed ? ["  if (pw > 7) { w.put(pb, pw); pb = 0; pw = 0; }"] : ["  w.put(pb, pw);"]),
      ...(lets ? [`  let ${lets};`] : []),
      ...text.split("\n").map((l) => `  ${l}`),
      // every property was one of these (else the interpreter's error, or `$content` …)
      (allRequired ? `  if (Object.keys(o).length !== ${present}) bail();` : required ? "  if (Object.keys(o).length !== n) bail();" : "  if (Object.keys(o).length !== n || (n === 0 && (Array.isArray(o) || o instanceof Uint8Array))) bail(); // as eKeys()").replace("bail();", declines ? "return -1;" : "bail();"),
      `  return ${ret}; // EE codes (0 bits) pending, for the caller's next write`,
      "}",
    ].join("\n"));
    return name;
  }
}

/** A family's generated functions and the codec object that starts them (before sharing). */
export interface FastFamily {
  dir: string;
  banner: string;
  blocks: Map<string, string>;
  codec: string[];
}

/**
 * The generated code of a family's hot messages, or undefined when it has none. `all`: every
 * message both ways (the Node host's codec, hosts/node-exi: flash is no concern there,
 * guideline 7), each message or part the code cannot handle declining to the interpreter.
 */
export function buildFast(t: Tables, family: string, dir: string, banner: string, all = false): FastFamily | undefined {
  const messages = all ? [...new Set(t.doc.filter((_, i) => i % 2 === 0).map((q) => localOf(t, q)).concat(t.locals.flat()))].filter((n) => MESSAGE_NAME.test(n)).sort() : [];
  const hot = all ? { decode: messages, encode: messages } : HOT_MESSAGES[family];
  if (!hot) return undefined;
  const fw = new FastWriter(t);
  fw.all = all;
  const docWidth = bitsFor(t.doc.length / 2 + 1);
  /** The document roots a direction compiles: its messages, or the V2G_Message that carries them. */
  const roots = (names: readonly string[]) => {
    const out: { code: number; local: string; child: number }[] = [];
    for (let i = 0; i < t.doc.length; i += 2) {
      const local = localOf(t, t.doc[i]), child = t.doc[i + 1];
      if ((names.includes(local) || local === "V2G_Message") && fw.statesOf(child)) out.push({ code: i / 2, local, child });
    }
    return out;
  };
  const decode: string[] = [], encode: string[] = [];
  fw.hot = hot.decode;
  for (const root of roots(hot.decode)) {
    const name = fw.decoder(root.child), z = fw.pendingZ.get(name);
    decode.push(
      `if (c === ${root.code}) {`,
      `  const v = ${name}(d);`,
      ...(fw.declining.has(name) ? ["  if (v === undefined) return undefined; // another message: the interpreter's"] : []),
      `  pos = r.pos;`,
      // the root's last EE codes (0 bits), read in place like the decoders' reads
      ...(z === 0 ? [] : [inlineReads(`  if (${z === undefined ? "d.z !== 0 && " : ""}r.bits(${z ?? "d.z"}) !== 0) bail(); // the root's last EE codes`)]),
      "  if (pos > r.end) bail(); // read past the end (zeros): the interpreter's exi-eof",
      `  return { ${JSON.stringify(root.local)}: v };`,
      "}",
    );
  }
  fw.hot = hot.encode;
  for (const root of roots(hot.encode)) {
    const prop = JSON.stringify(root.local);
    encode.push(`x = doc[${prop}];`, `if (x !== undefined) {`, `  const z = ${fw.encoder(root.child)}(e, x, ${(0x80 << docWidth) | root.code}, ${8 + docWidth}); // header, SE(${root.local})`, ...(fw.encDeclining.has(fw.encoder(root.child)) ? ["  if (z < 0) return false; // another message: the interpreter's"] : []), "  if (z !== 0) e.w.put(0, z); // the root's last EE codes", "  if (Object.keys(doc).length !== 1) bail();", ...(all ? [`  if (e.w.len >= ${MAX_ELEMENTS / 8}) bail(); // as many bits as MAX_ELEMENTS: the interpreter counts its elements`] : []), "  return true;", "}");
  }
  if (decode.length === 0 && encode.length === 0) return undefined;
  const head = 8 + docWidth;
  if (head > 16) throw new Error(`document code of ${docWidth} bits: the header read takes two bytes`);
  const text = decode.join("\n");
  const lets = ["pos = 0", /\ba = /.test(text) ? "a = 0" : "", /\bn = /.test(text) ? "n = 0" : ""].filter(Boolean).join(", ");
  const codec = [
    "export const fast: FastCodec = Object.freeze({",
    "  decode(d: FastDecoderHost): Obj | undefined {",
    // a stream shorter than two bytes reads zeros: no header, or the final position check bails
    `    // the header (0x80: no options, EXI 1.0 §5) and the document's SE code in one read, in place`,
    `    const r = d.r, buf = r.buf, h = ((buf[0] << 8) | buf[1]) >>> ${16 - head}, c = h & ${(1 << docWidth) - 1};`,
    `    if (h >> ${docWidth} !== 0x80) return undefined;`,
    // every element costs a bit at least: within MAX_ELEMENTS bits the interpreter's element limit holds
    ...(all ? [`    if (r.end > ${MAX_ELEMENTS}) return undefined; // the interpreter counts its elements`] : []),
    `    let ${lets};`,
    `    r.pos = ${head};`,
    ...decode.map((l) => `    ${l}`),
    "    return undefined;",
    "  },",
    "  encode(e: FastEncoderHost, doc: Obj): boolean {",
    "    let x: unknown;",
    ...encode.map((l) => `    ${l}`),
    "    return false;",
    "  },",
    "});",
  ];
  return { dir, banner, blocks: fw.blocks, codec };
}

const RUNTIME = ["P2", "bail", "dBin", "dIntBig", "dRange", "dStr", "eBig", "eBin", "eEnum", "eKeys", "eStr"];

function imports(text: string, from: string, names: readonly string[], types: readonly string[], bind = false): string {
  const used = names.filter((n) => new RegExp(`\\b${n}[(\\[]`).test(text));
  const usedTypes = types.filter((n) => new RegExp(`\\b${n}\\b`).test(text));
  if (!bind) return `import { ${[...used, ...usedTypes.map((n) => `type ${n}`)].join(", ")} } from "${from}";`;
  // Node (tsx compiles to CommonJS): an imported binding is a getter call at every use; bound once
  return [`import type { ${usedTypes.join(", ")} } from "${from}";`, ...(used.length ? [`import * as runtime from "${from}";`, "", `const { ${used.join(", ")} } = runtime;`] : [])].join("\n");
}

/**
 * The modules: generated/<family>/fast.ts, and generated/shared/fast.ts with the
 * functions whose text is the same in every family that has them (the -20 CommonTypes: header,
 * RationalNumber, …; grammar.ts gives them the same type, state and qname numbers), with the
 * functions they call.
 */
export function emitFastModules(families: FastFamily[], sharedBanner: string, runtime = "../../fast", bind = false): Map<string, string> {
  const out = new Map<string, string>();
  // A function's name is its type index, so one name can hold different text in different
  // families (DIN's type 27 is not -20's): a text is shared among the families that hold that
  // very text (the most frequent one, if several), the others keep their own function.
  const bodies = new Map<string, Map<string, Set<number>>>();
  families.forEach((f, fi) => {
    for (const [name, body] of f.blocks) {
      const byText = bodies.get(name) ?? new Map<string, Set<number>>();
      bodies.set(name, byText);
      byText.set(body, (byText.get(body) ?? new Set<number>()).add(fi));
    }
  });
  const text = new Map<string, string>();
  const holders = new Map<string, Set<number>>();
  for (const [name, byText] of bodies) {
    let best: [string, Set<number>] | undefined;
    for (const entry of byText) if (entry[1].size > 1 && (!best || entry[1].size > best[1].size)) best = entry;
    if (best) { text.set(name, best[0]); holders.set(name, best[1]); }
  }
  const calls = (body: string) => [...body.matchAll(/\b([de]\d+)\(/g)].map((m) => m[1]);
  const shared = new Set(text.keys());
  // a shared function calls only shared ones, shared with (at least) the same families
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of shared) {
      if (calls(text.get(name)!).some((c) => c !== name && (!shared.has(c) || [...holders.get(name)!].some((fi) => !holders.get(c)!.has(fi))))) { shared.delete(name); changed = true; }
    }
  }
  const sharedIn = (fi: number, name: string) => shared.has(name) && holders.get(name)!.has(fi);
  const headerTail = [
    "",
    "type Obj = Record<string, unknown>;",
    "",
  ];
  const header = (body: string, runtime: string, local: string[]) => {
    const lines = [
      ...imports(body, runtime, RUNTIME, ["FastCodec", "FastDecoderHost", "FastEncoderHost"], bind).split("\n"),
      ...(!local.length ? [] : bind ? ['import * as shared from "../shared/fast";', `const { ${local.join(", ")} } = shared;`] : [`import { ${local.join(", ")} } from "../shared/fast";`]),
    ].filter(Boolean);
    const bound = lines.filter((l) => l.startsWith("const "));
    return [...lines.filter((l) => l.startsWith("import ")), ...(bound.length ? ["", ...bound] : []), ...headerTail];
  };
  if (shared.size > 0) {
    const names = [...families[0].blocks.keys()].filter((n) => shared.has(n));
    for (const f of families.slice(1)) for (const n of f.blocks.keys()) if (shared.has(n) && !names.includes(n)) names.push(n);
    const body = names.map((n) => text.get(n)!.replace(/^function /m, "export function ")).join("\n\n");
    out.set("shared/fast.ts", [sharedBanner, "", ...header(body, runtime, []), body, ""].join("\n"));
  }
  families.forEach((f, fi) => {
    const own = [...f.blocks].filter(([n]) => !sharedIn(fi, n)).map(([, b]) => b);
    const body = [...own, f.codec.join("\n")].join("\n\n");
    const local = [...shared].filter((n) => sharedIn(fi, n) && new RegExp(`\\b${n}\\(`).test(body)).sort();
    out.set(`${f.dir}/fast.ts`, [f.banner, "", ...header(body, runtime, local), body, ""].join("\n"));
  });
  return out;
}
