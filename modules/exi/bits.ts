// Bit-packed reader and writer (EXI "bit-packed" alignment: most significant bit first,
// unsigned integers in 7-bit groups, least significant group first, each group an octet
// written as 8 bits at the current bit position).

import { ExiError } from "./error";
import * as L from "./limits";

const MAX_INTEGER_GROUPS = L.MAX_INTEGER_GROUPS;

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
    // the first octet inline (most integers of a message fit one 7-bit group)
    const pos = this.pos;
    if (pos + 8 > this.end) this.eof();
    this.pos = pos + 8;
    const off = pos & 7, at = pos >> 3, buf = this.buf;
    const first = off === 0 ? buf[at] : ((buf[at] << off) | (buf[at + 1] >> (8 - off))) & 0xff;
    if (first < 0x80) return first;
    let v = first & 0x7f, mul = 128;
    for (let i = 1; ; i++) {
      const b = this.byte();
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      mul *= 128;
      if (i >= 7) throw new ExiError("exi-value", "unsigned integer too large", this.pos);
    }
  }

  uintBig(): bigint {
    // up to 7 groups (49 bits: a -20 TimeStamp in seconds, a meter reading) in number arithmetic, one BigInt at the end
    let n = 0, mul = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.byte();
      n += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return BigInt(n);
      mul *= 128;
    }
    let v = BigInt(n), shift = 49n;
    for (let i = 7; ; i++) {
      const b = this.byte();
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
      if (i >= MAX_INTEGER_GROUPS) throw new ExiError("exi-limit", "integer too long", this.pos);
    }
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n * 8 > this.end) this.eof();
    const out = new Uint8Array(n);
    const off = this.pos & 7;
    let byte = this.pos >> 3;
    const buf = this.buf;
    if (off === 0) {
      out.set(buf.subarray(byte, byte + n));
    } else {
      const r = 8 - off;
      for (let i = 0; i < n; i++, byte++) out[i] = ((buf[byte] << off) | (buf[byte + 1] >> r)) & 0xff;
    }
    this.pos += n * 8;
    return out;
  }
}

export class BitWriter {
  buf: Uint8Array;
  len = 0; // complete bytes
  cur = 0; // pending bits
  n = 0; // number of pending bits (< 8)

  constructor(size = 256) {
    this.buf = new Uint8Array(size);
  }

  reset(): void {
    this.len = 0;
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
   * Writes `k` bits `v` (0 ≤ v < 2^k, v < 2^31; k ≤ 31) into the pending bits, which hold up to 31: most
   * calls only shift them in; whole bytes go out when they would not fit. The generated code
   * of the hot messages (fast.ts) writes its codes and short values this way.
   */
  put(v: number, k: number): void {
    const n = this.n + k;
    if (n <= 31) {
      this.cur = (this.cur << k) | v;
      this.n = n;
      return;
    }
    this.flush();
    if (k > 24) {
      // the bits beyond what one shift holds (v < 2^31): out first
      const high = k - 24;
      this.cur = (this.cur << high) | (v >>> 24);
      this.n += high;
      this.flush();
      v &= 0xffffff;
      k = 24;
    }
    this.cur = (this.cur << k) | v;
    this.n += k;
  }

  /** Writes the whole bytes of the pending bits (fewer than 8 stay pending). */
  flush(): void {
    let n = this.n, len = this.len;
    if (len + 4 > this.buf.length) this.grow();
    const buf = this.buf, cur = this.cur;
    while (n >= 8) {
      n -= 8;
      buf[len++] = (cur >>> n) & 0xff;
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
    if (this.n >= 8) this.flush(); // after put(): byte() takes fewer than 8 pending bits
    if (v < 128) {
      this.byte(v);
      return;
    }
    while (v >= 128) {
      this.byte((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.byte(v);
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
    if (this.n === 0) {
      while (this.len + b.length > this.buf.length) this.grow();
      this.buf.set(b, this.len);
      this.len += b.length;
    } else {
      const n = this.n, r = 8 - n, mask = (1 << n) - 1;
      while (this.len + b.length > this.buf.length) this.grow();
      const buf = this.buf;
      let cur = this.cur, len = this.len;
      for (let i = 0; i < b.length; i++) {
        const x = b[i];
        buf[len++] = ((cur << r) | (x >> n)) & 0xff;
        cur = x & mask;
      }
      this.cur = cur;
      this.len = len;
    }
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
    let cur = this.cur, out = this.len, i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[out++] = ((cur << r) | (c >> n)) & 0xff;
      cur = c & mask;
    }
    this.cur = cur;
    this.len = out;
    return i;
  }

  /** Pads to a byte boundary with zero bits and returns a copy of the bytes. */
  finish(): Uint8Array {
    if (this.n >= 8) this.flush();
    if (this.n > 0) this.push((this.cur << (8 - this.n)) & 0xff);
    this.n = 0;
    this.cur = 0;
    return this.buf.slice(0, this.len);
  }
}
