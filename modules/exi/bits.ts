// Bit-packed reader and writer (EXI "bit-packed" alignment: most significant bit first,
// unsigned integers in 7-bit groups, least significant group first, each group an octet
// written as 8 bits at the current bit position).

import { ExiError } from "./error";
import * as L from "./limits";

const MAX_INTEGER_GROUPS = L.MAX_INTEGER_GROUPS;
/** 2^k for a put() of k ≤ 31 bits: a table read (2 ** k is a power-function call on V8); the generated encoders use it too. */
export const POW2: readonly number[] = Object.freeze(Array.from({ length: 32 }, (_, k) => 2 ** k));

export class BitReader {
  buf: Uint8Array;
  pos = 0; // bit position
  end: number; // bit length

  constructor(buf: Uint8Array, bitOffset = 0) {
    this.buf = buf;
    this.pos = bitOffset;
    this.end = buf.length * 8;
  }

  init(buf: Uint8Array): void {
    this.buf = buf;
    this.pos = 0;
    this.end = buf.length * 8;
  }

  eof(): never {
    throw new ExiError("exi-eof", "unexpected end of EXI stream", this.pos);
  }

  bits(n: number): number {
    if (n === 0) return 0;
    let pos = this.pos;
    if (pos + n > this.end) this.eof();
    const buf = this.buf;
    this.pos = pos + n;
    const off0 = pos & 7, at = pos >> 3;
    if (off0 + n <= 8) return (buf[at] >> (8 - off0 - n)) & ((1 << n) - 1); // within one byte
    // Up to 24 bits spanning bytes (every event code and n-bit integer of the ISO 15118
    // grammars): one three-byte window instead of a loop step per byte. A byte past the end
    // reads undefined, which the shift turns into 0, and only bits inside the range are kept.
    if (off0 + n <= 24) return (((buf[at] << 16) | (buf[at + 1] << 8) | buf[at + 2]) >>> (24 - off0 - n)) & ((1 << n) - 1);
    let v = 0;
    while (n > 0) {
      const off = pos & 7;
      const avail = 8 - off;
      const b = buf[pos >> 3] & (0xff >> off);
      if (n >= avail) {
        v = v * (1 << avail) + b;
        n -= avail;
        pos += avail;
      } else {
        v = v * (1 << n) + (b >> (avail - n));
        pos += n;
        n = 0;
      }
    }
    return v;
  }

  bit(): number {
    const pos = this.pos;
    if (pos >= this.end) this.eof();
    this.pos = pos + 1;
    return (this.buf[pos >> 3] >> (7 - (pos & 7))) & 1;
  }

  /** Eight bits at any bit position. */
  byte(): number {
    const pos = this.pos;
    if (pos + 8 > this.end) this.eof();
    this.pos = pos + 8;
    const off = pos & 7, at = pos >> 3, buf = this.buf;
    return off === 0 ? buf[at] : ((buf[at] << off) | (buf[at + 1] >> (8 - off))) & 0xff;
  }

  /** Unsigned integer that must fit a JavaScript number (≤ 2^53). */
  uint(): number {
    // the octets read in place (most integers of a message fit one or two 7-bit groups)
    const pos = this.pos, end = this.end, buf = this.buf, off = pos & 7, r = 8 - off;
    let at = pos >> 3, p = pos + 8;
    if (p > end) this.eof();
    let b = off === 0 ? buf[at] : ((buf[at] << off) | (buf[at + 1] >> r)) & 0xff;
    if (b < 0x80) {
      this.pos = p;
      return b;
    }
    let v = b & 0x7f, mul = 128;
    for (let i = 1; ; i++) {
      if ((p += 8) > end) {
        this.pos = p - 8;
        this.eof();
      }
      at++;
      b = off === 0 ? buf[at] : ((buf[at] << off) | (buf[at + 1] >> r)) & 0xff;
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = p;
        return v;
      }
      mul *= 128;
      if (i >= 7) {
        this.pos = p;
        throw new ExiError("exi-value", "unsigned integer too large", p);
      }
    }
  }

  uintBig(): bigint {
    // up to 7 groups (49 bits: a -20 TimeStamp in seconds, a meter reading) in number arithmetic,
    // the octets read in place; one BigInt at the end
    const pos = this.pos, end = this.end, buf = this.buf, off = pos & 7, r = 8 - off;
    let at = pos >> 3, p = pos, n = 0, mul = 1, b = 0;
    for (let i = 0; i < 7; i++) {
      if ((p += 8) > end) {
        this.pos = p - 8;
        this.eof();
      }
      b = off === 0 ? buf[at] : ((buf[at] << off) | (buf[at + 1] >> r)) & 0xff;
      at++;
      n += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = p;
        return BigInt(n);
      }
      mul *= 128;
    }
    this.pos = p;
    let v = BigInt(n), shift = 49n;
    for (let i = 7; ; i++) {
      b = this.byte();
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
      if (i >= MAX_INTEGER_GROUPS) throw new ExiError("exi-limit", "integer too long", this.pos);
    }
  }

  bytes(n: number): Uint8Array {
    const pos = this.pos;
    if (pos + n * 8 > this.end) this.eof();
    this.pos = pos + n * 8;
    const off = pos & 7, buf = this.buf;
    let at = pos >> 3;
    if (off === 0) return buf.slice(at, at + n);
    const out = new Uint8Array(n), r = 8 - off;
    // one byte read per output byte, the low part carried over (XS meters each step of a loop)
    let i = 0, b = buf[at], c = 0;
    while (i < n) {
      c = buf[++at];
      out[i++] = ((b << off) | (c >> r)) & 0xff;
      b = c;
    }
    return out;
  }
}

export class BitWriter {
  buf: Uint8Array;
  len = 0; // complete bytes (from 0, or from `base` while writing into another buffer)
  cur = 0; // pending bits
  n = 0; // number of pending bits (< 8)
  /**
   * Where the stream starts in `buf`: 0, or, while `lent`, the offset in a caller's buffer the
   * stream is written into (Encoder.encodeInto: after a V2GTP header, no array of its own). Where
   * the stream needs more room than that buffer has, the writer moves on to a grown copy.
   */
  base = 0;
  /** `buf` is a caller's (finish() then copies nothing). */
  lent = false;
  /** The generated encoders' cache of repeated strings and binaries (fast.ts eStr/eBin), created on first use. */
  fastCache: unknown = undefined;

  constructor(size = 256) {
    this.buf = new Uint8Array(size);
  }

  reset(): void {
    this.len = this.base;
    this.cur = 0;
    this.n = 0;
  }

  private grow(): void {
    const b = new Uint8Array(this.buf.length * 2);
    b.set(this.buf);
    this.buf = b;
  }

  private push(b: number): void {
    if (this.len === this.buf.length) this.grow();
    this.buf[this.len++] = b;
  }

  /**
   * Writes `k` bits `v` (0 ≤ v < 2^k, k ≤ 31) into the pending bits, which hold up to 53 (a
   * number's exact integers, by multiplication: `cur` may exceed 32 bits only between put()
   * calls, every other method flushes first): most calls only add them in; whole bytes go out
   * when they would not fit, six or seven at a time. The generated code of the hot messages
   * (fast.ts) writes its codes and short values this way, the fast path inline.
   */
  put(v: number, k: number): void {
    const n = this.n + k;
    if (n <= 53) {
      this.cur = this.cur * POW2[k] + v;
      this.n = n;
      return;
    }
    this.flush(); // fewer than 8 pending: the k bits fit
    this.cur = this.cur * POW2[k] + v;
    this.n += k;
  }

  /** Writes the whole bytes of the pending bits (fewer than 8 stay pending). */
  flush(): void {
    let n = this.n, len = this.len;
    if (len + 8 > this.buf.length) this.grow();
    const buf = this.buf;
    let cur = this.cur;
    if (n > 31) {
      // beyond 32-bit integer operations: the bits above the low 24 as an integer of their own
      // (a number below 2^53 splits exactly; ToInt32 of a larger double is slow on V8), their
      // whole bytes out, the rest joined to the low 24
      const high = (cur / 16777216) | 0;
      cur -= high * 16777216;
      n -= 24;
      while (n >= 8) {
        n -= 8;
        buf[len++] = high >>> n; // a Uint8Array store keeps the low 8 bits
      }
      cur += (high & ((1 << n) - 1)) * 16777216;
      n += 24;
    }
    while (n >= 8) {
      n -= 8;
      buf[len++] = cur >>> n;
    }
    this.len = len;
    this.cur = cur & ((1 << n) - 1);
    this.n = n;
  }

  /** Writes the `n` low bits of `v` (n ≤ 32, v ≥ 0). Fewer than 8 bits pending: after put(), flush() first. */
  bits(v: number, n: number): void {
    const k = this.n + n;
    if (k < 8) {
      // stays within the pending byte (most event codes)
      this.cur = (this.cur << n) | (v & ((1 << n) - 1));
      this.n = k;
      return;
    }
    if (n <= 24) {
      // pending bits (< 8) and up to 24 new ones fit one 31-bit accumulator: whole bytes out
      const acc = (this.cur << n) | (v & ((1 << n) - 1));
      let left = k, len = this.len;
      if (len + 4 > this.buf.length) this.grow();
      const buf = this.buf;
      while (left >= 8) {
        left -= 8;
        buf[len++] = (acc >>> left) & 0xff;
      }
      this.len = len;
      this.cur = acc & ((1 << left) - 1);
      this.n = left;
      return;
    }
    while (n > 0) {
      const free = 8 - this.n;
      if (n >= free) {
        n -= free;
        const part = n >= 31 ? Math.floor(v / 2 ** n) & ((1 << free) - 1) : (v >>> n) & ((1 << free) - 1);
        this.push(((this.cur << free) | part) & 0xff);
        this.cur = 0;
        this.n = 0;
      } else {
        this.cur = (this.cur << n) | (v & ((1 << n) - 1));
        this.n += n;
        n = 0;
      }
    }
  }

  byte(b: number): void {
    const n = this.n;
    if (this.len === this.buf.length) this.grow();
    if (n === 0) this.buf[this.len++] = b;
    else {
      // n pending bits + 8 new: one complete byte out, n bits stay pending
      this.buf[this.len++] = ((this.cur << (8 - n)) | (b >> n)) & 0xff;
      this.cur = b & ((1 << n) - 1);
    }
  }

  uint(v: number): void {
    if (this.n >= 8) this.flush(); // after put(): fewer than 8 pending bits below
    // the groups in place: each octet joins the pending bits (n < 8) and one byte goes out
    const n = this.n, r = 8 - n, mask = (1 << n) - 1;
    let len = this.len;
    if (len + 10 > this.buf.length) this.grow();
    const buf = this.buf;
    let cur = this.cur, b = 0;
    while (v >= 128) {
      b = (v % 128) | 0x80;
      buf[len++] = ((cur << r) | (b >> n)) & 0xff;
      cur = b & mask;
      v = v < 0x80000000 ? v >>> 7 : Math.floor(v / 128);
    }
    buf[len++] = ((cur << r) | (v >> n)) & 0xff;
    this.cur = v & mask;
    this.len = len;
  }

  uintBig(v: bigint): void {
    if (this.n >= 8) this.flush();
    while (v >= 128n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  bytes(b: Uint8Array): void {
    if (this.n >= 8) this.flush();
    const count = b.length; // a typed array's length is a getter call in XS: read once
    while (this.len + count > this.buf.length) this.grow();
    if (this.n === 0) {
      this.buf.set(b, this.len);
      this.len += count;
      return;
    }
    const n = this.n, r = 8 - n, mask = (1 << n) - 1, buf = this.buf;
    let cur = this.cur, len = this.len, i = 0, x = 0;
    while (i < count) {
      x = b[i++];
      buf[len++] = ((cur << r) | (x >> n)) & 0xff;
      cur = x & mask;
    }
    this.cur = cur;
    this.len = len;
  }

  /**
   * Writes the leading characters of `s` below U+0080 as one octet each (their EXI character
   * representation: a one-group unsigned integer) at the current bit position, in one loop;
   * returns how many it wrote (the caller writes the rest).
   */
  ascii(s: string): number {
    if (this.n >= 8) this.flush();
    const len = s.length;
    while (this.len + len > this.buf.length) this.grow();
    const n = this.n, r = 8 - n, mask = (1 << n) - 1, buf = this.buf;
    let cur = this.cur, out = this.len, i = 0, c = 0;
    while (i < len) {
      c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[out++] = ((cur << r) | (c >> n)) & 0xff;
      cur = c & mask;
      i++;
    }
    this.cur = cur;
    this.len = out;
    return i;
  }

  /**
   * The octets written since byte `start` at the alignment they were written with (the
   * pending bits' count, which octets leave as they are), for replay(): a copy whose first
   * byte keeps only the written bits. Only whole octets may have been written since `start`.
   */
  record(start: number): Uint8Array {
    const out = this.buf.slice(start, this.len);
    out[0] &= 0xff >> this.n;
    return out;
  }

  /**
   * Writes again octets record() took at the same alignment (`this.n`, fewer than 8 pending
   * bits): one native copy instead of a shift per octet; `tail`: the pending bits they left.
   */
  replay(octets: Uint8Array, tail: number): void {
    const count = octets.length; // a typed array's length is a getter call in XS: read once
    while (this.len + count > this.buf.length) this.grow();
    const buf = this.buf, len = this.len;
    buf.set(octets, len);
    buf[len] |= (this.cur << (8 - this.n)) & 0xff;
    this.len = len + count;
    this.cur = tail;
  }

  /**
   * Pads to a byte boundary with zero bits and returns a copy of the bytes; while writing into
   * a caller's buffer (`lent`), that buffer itself (no copy: the stream is buf[base, len)).
   */
  finish(): Uint8Array {
    if (this.n >= 8) this.flush();
    if (this.n > 0) this.push((this.cur << (8 - this.n)) & 0xff);
    this.n = 0;
    this.cur = 0;
    return this.lent ? this.buf : this.buf.slice(0, this.len);
  }
}
