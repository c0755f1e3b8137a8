// One small record kept across restarts on the storage host interface (PkiStorage: named blobs
// written whole), safe against a power cut at any write: two slots written in turn, each with a
// sequence number and a CRC-32. A load takes the valid slot with the higher sequence number, so
// a write cut short (a torn or half-erased slot on raw flash, or a lost write) leaves the
// previous record readable. The storage's own whole-value promise (a file renamed over the old
// one on the Node host) is not relied on.
//
// Slot layout: "XSR1" | u32 sequence | u32 length | payload | u32 CRC-32 of everything before.

import type { PkiStorage } from "../pki-store/storage";

const MAGIC = Object.freeze([0x58, 0x53, 0x52, 0x31]); // "XSR1"
const HEADER = 12;
const TRAILER = 4;

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bitwise: records are a few hundred bytes. */
export function crc32(bytes: Uint8Array, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = 0; i < end; i++) {
    crc ^= bytes[i];
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** The payload and sequence number of a slot, or undefined for a missing, torn or foreign one. */
function parseSlot(slot: Uint8Array | undefined): { sequence: number; payload: Uint8Array } | undefined {
  if (slot === undefined || slot.length < HEADER + TRAILER) return undefined;
  for (let i = 0; i < 4; i++) if (slot[i] !== MAGIC[i]) return undefined;
  const length = readU32(slot, 8);
  if (slot.length !== HEADER + length + TRAILER) return undefined;
  if (crc32(slot, HEADER + length) !== readU32(slot, HEADER + length)) return undefined;
  return { sequence: readU32(slot, 4), payload: slot.slice(HEADER, HEADER + length) };
}

export class AtomicRecord {
  readonly #storage: PkiStorage;
  readonly #names: readonly [string, string];
  #sequence = 0;
  /** The slot the next write goes to (the one not holding the latest record). */
  #next = 0;

  /** `name`: the record's storage name; its slots are `name.0` and `name.1`. */
  constructor(storage: PkiStorage, name: string) {
    this.#storage = storage;
    this.#names = [`${name}.0`, `${name}.1`];
  }

  /** The latest intact record, or undefined when none was ever written (or both slots are damaged). */
  load(): Uint8Array | undefined {
    const a = parseSlot(this.#storage.read(this.#names[0]));
    const b = parseSlot(this.#storage.read(this.#names[1]));
    // Sequence numbers wrap after 2^32 writes: the newer of two is the one a little ahead.
    const bNewer = b !== undefined && (a === undefined || ((b.sequence - a.sequence) | 0) > 0);
    const latest = bNewer ? b : a;
    if (latest === undefined) return undefined;
    this.#sequence = latest.sequence;
    this.#next = bNewer ? 0 : 1;
    return latest.payload;
  }

  /** Writes `payload` as the new record (into the older slot: the latest stays readable until this one is whole). */
  save(payload: Uint8Array): void {
    const slot = new Uint8Array(HEADER + payload.length + TRAILER);
    for (let i = 0; i < 4; i++) slot[i] = MAGIC[i];
    const sequence = (this.#sequence + 1) >>> 0;
    writeU32(slot, 4, sequence);
    writeU32(slot, 8, payload.length);
    slot.set(payload, HEADER);
    writeU32(slot, HEADER + payload.length, crc32(slot, HEADER + payload.length));
    this.#storage.write(this.#names[this.#next], slot);
    this.#sequence = sequence;
    this.#next ^= 1;
  }
}
