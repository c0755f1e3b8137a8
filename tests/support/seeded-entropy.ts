// A deterministic entropy source for the portable crypto in tests (XS has no
// crypto.getRandomValues): SHA-256 of (seed, counter), so keys and challenges repeat per run.

import { sha256 } from "../../modules/common/sha256";

export function seededEntropy(seed: number): (length: number) => Uint8Array {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 32) out.set(sha256(Uint8Array.of(seed, counter >> 8, counter++ & 0xff)).subarray(0, Math.min(32, length - i)), i);
    return out;
  };
}
