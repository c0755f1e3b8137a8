// Runtime support of the straight-line codecs tools/exigen generates for the charging-loop
// messages (generated/<family>/fast.ts; README: Performance). A generated function handles the
// regular case only: schema-declared events, no string-table hits, values within their facets.
// Anything else makes it give up (`bail`), and the codec decodes or encodes the message again
// with the table interpreter, which produces the same bytes or object, or the error.

import type { BitReader, BitWriter } from "./bits";
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

/** A family's generated codec for its hot messages (the rest: `undefined` / false, nothing read or written that counts). */
export interface FastCodec {
  /** The document (header included), or undefined when it is not one of the hot messages (or the header is not 0x80). */
  decode(d: FastDecoderHost): Obj | undefined;
  /** Writes the whole stream (header included) and returns true, or false when the root is not a hot message. */
  encode(e: FastEncoderHost, doc: Obj): boolean;
}

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
  const r = d.r, n = r.uint();
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

/** A string of ASCII characters (their count: the code points) in one pass; any other: bail. */
export function eStr(e: FastEncoderHost, x: unknown, lo: number, hi: number): void {
  if (typeof x !== "string") bail();
  const n = x.length;
  if (n < lo || n > hi || n > MAX_STRING_LENGTH) bail();
  e.w.uint(n + 2);
  if (e.w.ascii(x) !== n) bail();
}

export function eBin(e: FastEncoderHost, x: unknown, lo: number, hi: number): void {
  if (!(x instanceof Uint8Array)) bail();
  const n = x.length;
  if (n < lo || n > hi || n > MAX_BINARY_LENGTH) bail();
  e.w.uint(n);
  e.w.bytes(x);
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
