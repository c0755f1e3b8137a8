// Runtime support of the straight-line codecs tools/exigen generates for the charging-loop
// messages (generated/<family>/fast.ts; README: Performance). A generated function handles the
// regular case only: schema-declared events, no string-table hits, values within their facets.
// Anything else makes it give up (`bail`), and the codec decodes or encodes the message again
// with the table interpreter, which produces the same bytes or object, or the error.

import { POW2, type BitReader, type BitWriter } from "./bits";
import * as L from "./limits";

const MAX_BINARY_LENGTH = L.MAX_BINARY_LENGTH, MAX_STRING_LENGTH = L.MAX_STRING_LENGTH, MAX_INTEGER_GROUPS = L.MAX_INTEGER_GROUPS;
const MAX_INTEGER_BITS = BigInt(7 * MAX_INTEGER_GROUPS);

type Obj = Record<string, unknown>;

/** What a generated decoder uses of the Decoder (codec.ts): its reader and the grammar's qname per production and enumeration values. */
export interface FastDecoderHost {
  readonly r: BitReader;
  readonly g: { readonly enums: readonly string[]; readonly pQ: Int16Array };
  /** EE codes (0 bits) a generated decoder left unread, for its caller's next read. */
  z: number;
  chars(len: number): string;
}

/** What a generated encoder uses of the Encoder (codec.ts). */
export interface FastEncoderHost {
  readonly w: BitWriter;
  readonly g: { readonly enums: readonly string[] };
}

/**
 * The last value written at a cached property (the generator's CACHE_SLOTS: SessionID,
 * EVSEID, MeterID, the same in every loop message) and its octets (length and content) as
 * BitWriter.record() took them at alignment `align`: the next message writes them with one
 * native copy (an ASCII character or an unaligned octet costs ~60 XS meter units one by one).
 */
interface CacheEntry {
  value: string | Uint8Array;
  align: number;
  octets: Uint8Array;
  tail: number;
}

/** The cache entry of `slot` when it holds `x` written at the writer's alignment (`same`: equal values). */
function cached(w: BitWriter, slot: number, x: string | Uint8Array): CacheEntry | undefined {
  if (slot < 0) return undefined;
  const c = (w.fastCache as CacheEntry[] | undefined)?.[slot];
  if (c === undefined || c.align !== w.n) return undefined;
  const v = c.value;
  if (typeof x === "string") return v === x ? c : undefined;
  // a binary: the same octets (its array may be reused and changed in place, so a copy is kept)
  if (typeof v === "string") return undefined;
  const n = v.length;
  if (x.length !== n) return undefined;
  for (let i = 0; i < n; i++) if (v[i] !== x[i]) return undefined;
  return c;
}

/** Remembers what was written at `slot` since byte `start` (alignment unchanged: octets only). */
function remember(w: BitWriter, slot: number, value: string | Uint8Array, start: number): void {
  const cache = (w.fastCache ??= []) as CacheEntry[];
  cache[slot] = { value, align: w.n, octets: w.record(start), tail: w.cur };
}

/** Strings and binaries longer than this are not cached (a loop message's ids are ≤ 37). */
const MAX_CACHED = 40;

/** A family's generated codec for its hot messages (the rest: `undefined` / false, nothing read or written that counts). */
export interface FastCodec {
  /** The document (header included), or undefined when it is not one of the hot messages (or the header is not 0x80). */
  decode(d: FastDecoderHost): Obj | undefined;
  /** Writes the whole stream (header included) and returns true, or false when the root is not a hot message. */
  encode(e: FastEncoderHost, doc: Obj): boolean;
}

/** 2^k (k ≤ 31) for the generated encoders' in-place writes of a width known only at run time. */
export const P2: readonly number[] = POW2;

/** Thrown by `bail`; the codec catches it (and any error of a generated function) and uses the interpreter. */
const BAIL: object = Object.freeze({ bail: true });

export function bail(): never {
  throw BAIL;
}

/** Unicode code points of a string (XSD lengths and EXI string lengths count them). */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) i++;
    }
    n++;
  }
  return n;
}

// --- decoding: values (after the CH code) ---

export function dRange<T extends number | bigint>(v: T, lo: number | bigint, hi: number | bigint): T {
  if (v < lo || v > hi) bail();
  return v;
}

/** A string literal of lo..hi code points (a string-table hit: bail). */
export function dStr(d: FastDecoderHost, lo: number, hi: number): string {
  const n = d.r.uint() - 2;
  if (n < 0 || n < lo || n > hi) bail();
  return d.chars(n);
}

export function dBin(d: FastDecoderHost, lo: number, hi: number): Uint8Array {
  const r = d.r, pos = r.pos, off = pos & 7, buf = r.buf, at = pos >> 3;
  // the length's first octet in place (a SessionID's 8 and every loop message's binary fit one group)
  const first = off === 0 ? buf[at] : ((buf[at] << off) | (buf[at + 1] >> (8 - off))) & 0xff;
  let n = first;
  if (first < 0x80 && pos + 8 <= r.end) r.pos = pos + 8;
  else n = r.uint();
  if (n > MAX_BINARY_LENGTH || n < lo || n > hi) bail();
  return r.bytes(n);
}

export function dIntBig(r: BitReader): bigint {
  const neg = r.bit();
  const m = r.uintBig();
  return neg ? -m - 1n : m;
}

// --- encoding: values (after the SE and CH codes) ---

/** The object had exactly the `n` properties written (an unknown one, `$content`, an array …: the interpreter's error or form). */
export function eKeys(o: Obj, n: number): void {
  if (Object.keys(o).length !== n || (n === 0 && (Array.isArray(o) || o instanceof Uint8Array))) bail();
}

/** A string of ASCII characters (their count: the code points) in one pass; any other: bail. `slot`: its cache entry (-1: none). */
export function eStr(e: FastEncoderHost, x: unknown, lo: number, hi: number, slot: number): void {
  if (typeof x !== "string") bail();
  const n = x.length, w = e.w;
  if (n < lo || n > hi || n > MAX_STRING_LENGTH) bail();
  if (w.n >= 8) w.flush();
  const c = cached(w, slot, x);
  if (c !== undefined) return w.replay(c.octets, c.tail);
  const start = w.len;
  w.uint(n + 2);
  if (w.ascii(x) !== n) bail();
  if (slot >= 0 && n <= MAX_CACHED) remember(w, slot, x, start);
}

export function eBin(e: FastEncoderHost, x: unknown, lo: number, hi: number, slot: number): void {
  if (!(x instanceof Uint8Array)) bail();
  const n = x.length, w = e.w;
  if (n < lo || n > hi || n > MAX_BINARY_LENGTH) bail();
  if (w.n >= 8) w.flush();
  const c = cached(w, slot, x);
  if (c !== undefined) return w.replay(c.octets, c.tail);
  const start = w.len;
  w.uint(n);
  w.bytes(x);
  if (slot >= 0 && n <= MAX_CACHED) remember(w, slot, x.slice(), start);
}

/** The index of enumeration value `x` among `count` values from `a`. */
export function eEnum(e: FastEncoderHost, x: unknown, a: number, count: number): number {
  const enums = e.g.enums;
  for (let i = 0; i < count; i++) if (enums[a + i] === x) return i;
  return bail();
}

/** An integer of a 64-bit or unbounded type (a bigint, or a safe-integer number) within lo..hi; `signed`: its sign bit first. */
export function eBig(e: FastEncoderHost, x: unknown, signed: boolean, lo: number | bigint, hi: number | bigint): void {
  const w = e.w;
  if (typeof x === "bigint" && x >= 0n && x <= 9007199254740991n) {
    // the usual value (a -20 TimeStamp, a meter reading): a magnitude within 2^53 in number
    // arithmetic, no bigint arithmetic (each result would be a new bigint)
    if (x < lo || x > hi) bail();
    if (signed) w.put(0, 1);
    w.uint(Number(x)); // uint() takes the bits put() left pending
    return;
  }
  w.flush(); // bits() below takes fewer than 8 pending bits
  if (typeof x === "number") {
    if (!Number.isSafeInteger(x) || x < lo || x > hi || (!signed && x < 0)) bail();
    if (signed) w.bits(x < 0 ? 1 : 0, 1);
    w.uint(x < 0 ? -x - 1 : x);
    return;
  }
  if (typeof x !== "bigint" || x < lo || x > hi || (!signed && x < 0n)) bail();
  const m = x < 0n ? -x - 1n : x;
  if (m >> MAX_INTEGER_BITS) bail();
  if (signed) w.bits(x < 0n ? 1 : 0, 1);
  // a magnitude within 2^53 (a TimeStamp, a meter reading) in number arithmetic: the same groups
  if (m <= 9007199254740991n) w.uint(Number(m));
  else w.uintBig(m);
}
