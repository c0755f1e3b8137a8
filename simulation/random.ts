// A deterministic random source (xorshift32) for simulations and tests: the same seed gives the
// same NMKs, session IDs and ports, so runs and captures repeat exactly. Not for keys in the field.

export function seededRandom(seed: number): (count: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (count: number) => {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}
