// Seeded randomness for the fuzzers (portable: runs on Node and inside XS). Every input draws
// from its own generator, seeded from (run seed, input index), so one input is reproduced alone
// from the two numbers a finding prints: `npm run fuzz -- --layer L --seed S --index I`.

export type Rnd = () => number;

/** mulberry32: small, fast, deterministic; a float in [0, 1). */
export function prng(seed: number): Rnd {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator of input `index` of a run with `seed`. */
export function inputRandom(seed: number, index: number): Rnd {
  return prng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
}

export const int = (rnd: Rnd, n: number): number => Math.floor(rnd() * n);

export function pick<T>(rnd: Rnd, list: readonly T[]): T {
  return list[int(rnd, list.length)];
}

export function randomBytes(rnd: Rnd, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = int(rnd, 256);
  return out;
}

/** `random(count)` as SLAC and the sessions take it, drawn from `rnd`. */
export function byteSource(rnd: Rnd): (count: number) => Uint8Array {
  return (count) => randomBytes(rnd, count);
}
