// SHA-256 (FIPS 180-4) in portable TypeScript: the HomePlug AV NID derivation and the PKI need it.
//
// Incremental (`update` any number of times, then `digest`) and one-shot (`sha256(bytes)`).
// Uses only 32-bit integer arithmetic, so it runs the same in XS and on Node.

const K = Object.freeze([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL = Object.freeze([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

export const SHA256_DIGEST_LENGTH = 32;
export const SHA256_BLOCK_LENGTH = 64;

export class Sha256 {
  #h = new Int32Array(8);
  #w = new Int32Array(64);
  #block = new Uint8Array(64);
  #fill = 0;
  #length = 0; // total bytes so far (fits 2^53)
  #done = false;

  constructor() {
    for (let i = 0; i < 8; i++) this.#h[i] = INITIAL[i];
  }

  update(data: Uint8Array): this {
    if (this.#done) throw new TypeError("Sha256: update after digest");
    let i = 0;
    this.#length += data.length;
    while (i < data.length) {
      const take = Math.min(64 - this.#fill, data.length - i);
      this.#block.set(data.subarray(i, i + take), this.#fill);
      this.#fill += take;
      i += take;
      if (this.#fill === 64) {
        this.#compress(this.#block);
        this.#fill = 0;
      }
    }
    return this;
  }

  digest(): Uint8Array {
    if (this.#done) throw new TypeError("Sha256: digest called twice");
    this.#done = true;
    const bits = this.#length * 8;
    const block = this.#block;
    block[this.#fill++] = 0x80;
    if (this.#fill > 56) {
      block.fill(0, this.#fill);
      this.#compress(block);
      this.#fill = 0;
    }
    block.fill(0, this.#fill, 56);
    const hi = Math.floor(bits / 0x100000000);
    const lo = bits >>> 0;
    block[56] = hi >>> 24;
    block[57] = hi >>> 16;
    block[58] = hi >>> 8;
    block[59] = hi;
    block[60] = lo >>> 24;
    block[61] = lo >>> 16;
    block[62] = lo >>> 8;
    block[63] = lo;
    this.#compress(block);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      const v = this.#h[i];
      out[4 * i] = v >>> 24;
      out[4 * i + 1] = v >>> 16;
      out[4 * i + 2] = v >>> 8;
      out[4 * i + 3] = v;
    }
    return out;
  }

  #compress(p: Uint8Array): void {
    const w = this.#w;
    const h = this.#h;
    for (let t = 0; t < 16; t++) {
      w[t] = (p[4 * t] << 24) | (p[4 * t + 1] << 16) | (p[4 * t + 2] << 8) | p[4 * t + 3];
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15];
      const b = w[t - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0;
    h[5] = (h[5] + f) | 0;
    h[6] = (h[6] + g) | 0;
    h[7] = (h[7] + hh) | 0;
  }
}

/** One-shot SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return new Sha256().update(data).digest();
}
