// Mutators shared by every fuzzed layer (portable). Byte mutators turn a valid input (a frame,
// a datagram, an EXI stream) into a hostile one; the value mutator changes one value of a decoded
// message object (out-of-range numbers, other bytes, an optional element dropped) so that what
// the session layers receive stays schema-valid after an encode → decode round trip.

import { int, pick, randomBytes, type Rnd } from "./random";

export type Mutator = (s: Uint8Array, rnd: Rnd, other: Uint8Array) => Uint8Array;

export const BYTE_MUTATORS: readonly (readonly [string, Mutator])[] = Object.freeze([
  ["truncate", (s, rnd) => s.slice(0, int(rnd, s.length))],
  [
    "bit flips",
    (s, rnd) => {
      const out = s.slice();
      const flips = 1 + int(rnd, 4);
      for (let k = 0; k < flips && out.length > 0; k++) {
        const bit = int(rnd, out.length * 8);
        out[bit >> 3] ^= 0x80 >> (bit & 7);
      }
      return out;
    },
  ],
  [
    "byte edits",
    (s, rnd) => {
      const out = s.slice();
      const edits = 1 + int(rnd, 3);
      for (let k = 0; k < edits && out.length > 1; k++) out[1 + int(rnd, out.length - 1)] = [0x00, 0xff, 0x7f, 0x80, int(rnd, 256)][int(rnd, 5)];
      return out;
    },
  ],
  [
    "random bytes",
    (_s, rnd) => {
      const out = randomBytes(rnd, 1 + int(rnd, 96));
      out[0] = 0x80; // an EXI stream: past the header check, into the grammars
      return out;
    },
  ],
  [
    "huge length or count",
    (s, rnd) => {
      // A varint of 2^35−1 (or more continuation groups) where a length/count/integer may sit.
      const huge = [0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01].slice(0, 4 + int(rnd, 9));
      const at = 1 + int(rnd, Math.max(1, s.length - 1));
      const shift = int(rnd, 8); // at any bit offset: shift the inserted bytes by 0..7 bits
      const out = new Uint8Array(s.length + huge.length + 1);
      out.set(s.subarray(0, at));
      for (let k = 0; k < huge.length; k++) {
        out[at + k] |= huge[k] >> shift;
        out[at + k + 1] |= (huge[k] << (8 - shift)) & 0xff;
      }
      out.set(s.subarray(at), at + huge.length + 1);
      return out;
    },
  ],
  [
    "repeated slice",
    (s, rnd) => {
      if (s.length < 3) return s;
      const from = 1 + int(rnd, s.length - 2);
      const len = 1 + int(rnd, Math.min(16, s.length - from));
      const times = 2 + int(rnd, 200);
      const out = new Uint8Array(s.length + len * times);
      out.set(s.subarray(0, from + len));
      for (let k = 0; k < times; k++) out.set(s.subarray(from, from + len), from + len * (k + 1));
      out.set(s.subarray(from + len), from + len * (times + 1));
      return out;
    },
  ],
  [
    "splice",
    (s, rnd, other) => {
      const a = int(rnd, s.length + 1);
      const b = int(rnd, other.length + 1);
      const out = new Uint8Array(a + other.length - b);
      out.set(s.subarray(0, a));
      out.set(other.subarray(b), a);
      return out;
    },
  ],
]);

/**
 * Mutates `s` with one byte mutator chosen by `rnd`, keeping the first `keep` bytes (a header
 * the layer under test would otherwise refuse before its interesting part).
 */
export function mutateBytes(s: Uint8Array, rnd: Rnd, other: Uint8Array, keep = 0): Uint8Array {
  const [, mutate] = pick(rnd, BYTE_MUTATORS);
  if (keep === 0 || s.length <= keep) return mutate(s, rnd, other);
  const tail = mutate(s.subarray(keep), rnd, other.subarray(Math.min(keep, other.length)));
  const out = new Uint8Array(keep + tail.length);
  out.set(s.subarray(0, keep));
  out.set(tail, keep);
  return out;
}

const NUMBERS: readonly number[] = Object.freeze([0, -1, 1, 127, -128, 255, 32767, -32768, 65535, 2147483647, -2147483648, 4294967295, 1e15]);
const BIGINTS: readonly bigint[] = Object.freeze([0n, -1n, 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 10n ** 30n]);

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

function slots(value: unknown, out: Slot[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      out.push({ parent: value, key: i });
      slots(value[i], out);
    }
  } else if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    for (const key of Object.keys(value)) {
      out.push({ parent: value as Record<string, unknown>, key });
      slots((value as Record<string, unknown>)[key], out);
    }
  }
}

/** A deep copy of a decoded message object (plain objects, arrays, bytes, scalars). */
export function cloneDoc<T>(value: T): T {
  if (value instanceof Uint8Array) return value.slice() as T;
  if (Array.isArray(value)) return value.map(cloneDoc) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = cloneDoc((value as Record<string, unknown>)[key]);
    return out as T;
  }
  return value;
}

/**
 * Changes 1–3 values of a copy of `doc`: a number or bigint to an extreme, bytes to other bytes
 * of another length, a boolean flipped, a string emptied or lengthened, an element or array item
 * dropped or an array item repeated. The result may no longer fit the schema: the caller encodes it.
 */
export function mutateValues<T extends object>(doc: T, rnd: Rnd): T {
  const copy = cloneDoc(doc);
  const edits = 1 + int(rnd, 3);
  for (let e = 0; e < edits; e++) {
    const all: Slot[] = [];
    slots(copy, all);
    if (all.length <= 1) break;
    const slot = all[1 + int(rnd, all.length - 1)]; // never the root element itself
    const parent = slot.parent as Record<string | number, unknown>;
    const value = parent[slot.key];
    const action = int(rnd, 8);
    if (action === 0) {
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete parent[slot.key];
    } else if (action === 1 && Array.isArray(slot.parent)) {
      slot.parent.splice(slot.key as number, 0, cloneDoc(value));
    } else if (typeof value === "number") {
      parent[slot.key] = int(rnd, 2) === 0 ? pick(rnd, NUMBERS) : value + pick(rnd, [-1, 1, -1000, 1000]);
    } else if (typeof value === "bigint") {
      parent[slot.key] = pick(rnd, BIGINTS);
    } else if (value instanceof Uint8Array) {
      parent[slot.key] = randomBytes(rnd, pick(rnd, [0, 1, value.length, value.length + 1, 8, 64]));
    } else if (typeof value === "boolean") {
      parent[slot.key] = !value;
    } else if (typeof value === "string") {
      parent[slot.key] = pick(rnd, ["", "x", value + value, "\u0000"]);
    }
  }
  return copy;
}
