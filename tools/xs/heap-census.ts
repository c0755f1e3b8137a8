// Where an XS heap goes: a census of an xsnap snapshot (XS's own snapshot format, xsSnapshot.c),
// object by object, grouped by the constructor name of each object's prototype, with the slots
// of its own chain (the instance slot, internal slots, properties, private fields, captured
// variables) and the chunk bytes it owns (array items, ArrayBuffer storage, strings held by its
// properties). Closure scopes have the module scope they hang off as prototype, so they show as
// `{first keys of that scope}-prototype`. Two censuses subtracted show what a piece of work left
// alive (tools/xs/session-heap.ts --census). chunkBytesEsp32() turns the snapshot's chunk total
// into the board's sizes.
//
// The layout read here is xsnap's 64-bit build with mx32bitID (xsnapPlatform.h): a slot is
// 32 bytes — next (8), kind (1), flag (1), 2 unused, ID (4), value (16); a projected slot
// pointer is the slot's index in the HEAP atom + 1, a projected chunk pointer the offset of the
// chunk's data in the BLOC atom (after its 16-byte header).

const SLOT = 32;
const K_STRING = 5;
const K_REFERENCE = 10;
const K_CLOSURE = 11;
const K_INSTANCE = 13;
const K_ARRAY = 16;
const K_ARRAY_BUFFER = 17;
const K_CODE = 19;
const K_CODE_X = 20;
const K_PRIVATE = 46;

export interface CensusGroup {
  /** Constructor name of the prototype ("Object", "Array", "DFrame", …), "function", "(environment)", or a slot kind. */
  name: string;
  objects: number;
  slots: number;
  /** Chunk bytes at this host's sizes (array items 32 B each). */
  chunkBytes: number;
  /** Chunk bytes at the ESP32's sizes (array items 16 B, 8-byte chunk headers). */
  chunkBytesEsp32: number;
}

export interface Census {
  slots: number;
  chunkBytes: number;
  groups: Map<string, CensusGroup>;
  /** The objects owning the most chunk bytes (ESP32 sizes), with where one reference to each comes from. */
  largest: { name: string; chunkBytesEsp32: number; slots: number; from: string }[];
  /**
   * The interned property keys by index (XS never collects them: xsMemory.c fxMark marks the
   * whole key array), so keys made at run time from strings (`object[name]`) stay for good.
   */
  keys: string[];
}

interface Atoms {
  heap: Buffer;
  bloc: Buffer;
  keys: Buffer;
}

function atoms(bytes: Buffer): Atoms {
  const found: Partial<Record<string, Buffer>> = {};
  for (let at = 8; at + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(at);
    if (size < 8) break;
    found[bytes.toString("latin1", at + 4, at + 8)] = bytes.subarray(at + 8, at + size);
    at += size;
  }
  if (!found.HEAP || !found.BLOC || !found.KEYS) throw new Error("not an XS snapshot (HEAP/BLOC/KEYS missing)");
  return { heap: found.HEAP, bloc: found.BLOC, keys: found.KEYS };
}

/** Reads a snapshot (the bytes of makeSnapshotStream) into a census. */
export function census(bytes: Buffer, byFunctionName = false): Census {
  const { heap, bloc, keys } = atoms(bytes);
  const count = heap.length / SLOT;
  const at = (index: number): number => (index - 1) * SLOT; // projected index → byte offset
  const kind = (i: number): number => heap.readInt8(at(i) + 8);
  const next = (i: number): number => Number(heap.readBigUInt64LE(at(i)));
  const id = (i: number): number => heap.readInt32LE(at(i) + 12);
  const ptr = (i: number, offset: number): number => Number(heap.readBigUInt64LE(at(i) + 16 + offset));
  const cString = (offset: number): string => {
    const end = bloc.indexOf(0, offset);
    return bloc.toString("utf8", offset, end < 0 ? bloc.length : end);
  };
  const chunkSize = (offset: number): number => (offset >= 16 ? bloc.readInt32LE(offset - 16) : 0);

  // keys: the KEYS atom lists the key slots (projected) in ID order: a slot's ID (less its top
  // bit) is the index of its key there.
  const keyNames: string[] = [];
  for (let k = 0; k + 8 <= keys.length; k += 8) {
    const slot = Number(keys.readBigUInt64LE(k));
    keyNames.push(slot > 0 && slot <= count ? cString(ptr(slot, 0)) : "");
  }
  const keyIndex = new Map<string, number[]>();
  keyNames.forEach((n, i) => keyIndex.set(n, [...(keyIndex.get(n) ?? []), i]));
  const constructorIndexes = new Set(keyIndex.get("constructor") ?? []);
  const nameIndexes = new Set(keyIndex.get("name") ?? []);
  const isKey = (slotId: number, indexes: Set<number>): boolean => indexes.has(slotId & 0x7fffffff);

  const inChain = new Uint8Array(count + 1);
  const property = (object: number, indexes: Set<number>): number => {
    for (let s = next(object); s > 0 && s <= count; s = next(s)) if (isKey(id(s), indexes)) return s;
    return 0;
  };
  const names = new Map<number, string>();
  const prototypeName = (proto: number): string => {
    if (proto === 0) return "(null prototype)";
    const known = names.get(proto);
    if (known !== undefined) return known;
    let name = "?";
    const c = property(proto, constructorIndexes);
    if (c && kind(c) === K_REFERENCE) {
      const f = ptr(c, 0);
      const n = f ? property(f, nameIndexes) : 0;
      if (n && kind(n) === K_STRING) name = cString(ptr(n, 0)) || "(anonymous class)";
    }
    if (name === "?") {
      // no constructor: name it by the prototype's first property keys
      const own: string[] = [];
      for (let s = next(proto); s > 0 && s <= count && own.length < 3; s = next(s)) {
        const k = id(s) & 0x7fffffff;
        if (k > 0 && k < keyNames.length && keyNames[k]) own.push(keyNames[k]);
      }
      name = `{${own.join(", ")}}-prototype`;
    }
    names.set(proto, name);
    return name;
  };

  const groups = new Map<string, CensusGroup>();
  const owner = new Map<number, string>(); // object → "Parent.key" of one reference to it
  const objectOf = new Int32Array(count + 1); // chain slot → its object
  const big: { index: number; name: string; chunkBytesEsp32: number; slots: number }[] = [];
  const add = (name: string, slots: number, chunkBytes: number, chunkBytesEsp32: number, objects = 1): void => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { name, objects: 0, slots: 0, chunkBytes: 0, chunkBytesEsp32: 0 }));
    g.objects += objects;
    g.slots += slots;
    g.chunkBytes += chunkBytes;
    g.chunkBytesEsp32 += chunkBytesEsp32;
  };
  for (let i = 1; i <= count; i++) {
    if (kind(i) !== K_INSTANCE) continue;
    let slots = 1;
    let chunk = 0;
    let chunkEsp = 0;
    let isFunction = false;
    let isEnvironment = false;
    inChain[i] = 1;
    for (let s = next(i); s > 0 && s <= count && !inChain[s]; s = next(s)) {
      inChain[s] = 1;
      slots++;
      const k = kind(s);
      if (k === K_CODE || k === K_CODE_X) isFunction = true;
      else if (k === K_CLOSURE) {
        // the variable's own slot (shared by the closures that capture it): counted once, here
        isEnvironment = true;
        const v = ptr(s, 0);
        if (v > 0 && v <= count && !inChain[v]) {
          inChain[v] = 1;
          slots++;
        }
      } else if (k === K_PRIVATE) {
        // private fields: a list of value slots hanging off the chain (value.private.first)
        for (let p = ptr(s, 8); p > 0 && p <= count && !inChain[p]; p = next(p)) {
          inChain[p] = 1;
          slots++;
        }
      }
      else if (k === K_ARRAY) {
        const length = heap.readUInt32LE(at(s) + 24);
        if (ptr(s, 0)) {
          chunk += chunkSize(ptr(s, 0));
          chunkEsp += length * 16 + 8;
        }
      } else if (k === K_ARRAY_BUFFER) {
        const size = chunkSize(ptr(s, 0));
        chunk += size;
        chunkEsp += Math.max(0, size - 8);
      } else if (k === K_STRING) {
        const size = chunkSize(ptr(s, 0));
        chunk += size;
        chunkEsp += Math.max(0, size - 8);
      }
    }
    const proto = Number(heap.readBigUInt64LE(at(i) + 24));
    let name = isFunction ? "function" : isEnvironment && proto === 0 ? "(closure environment)" : prototypeName(proto);
    if (isFunction && byFunctionName) {
      const n = property(i, nameIndexes);
      name = `function ${n && kind(n) === K_STRING ? cString(ptr(n, 0)) || "(anonymous)" : "(anonymous)"}`;
    }
    add(name, slots, chunk, chunkEsp);
    if (chunkEsp >= 48) big.push({ index: i, name, chunkBytesEsp32: chunkEsp, slots });
    for (let s = next(i); s > 0 && s <= count; s = next(s)) {
      objectOf[s] = i;
      if (kind(s) === K_REFERENCE) {
        const target = ptr(s, 0);
        const k = id(s) & 0x7fffffff;
        if (target > 0 && !owner.has(target)) owner.set(target, `${i}.${k > 0 && k < keyNames.length ? keyNames[k] : "?"}`);
      }
      if (s === next(s)) break;
    }
  }
  // slots outside every object's chain: closure variables, Map/Set entries, lists, …
  for (let i = 1; i <= count; i++) if (!inChain[i]) add(`(loose slot, kind ${kind(i)})`, 1, 0, 0);
  const describe = (index: number, depth: number): string => {
    const from = owner.get(index);
    if (!from || depth > 3) return "";
    const [parent, key] = from.split(".");
    const p = Number(parent);
    const proto = Number(heap.readBigUInt64LE(at(p) + 24));
    return `${describe(p, depth + 1)}${prototypeName(proto)}.${key} → `;
  };
  const largest = big
    .sort((x, y) => y.chunkBytesEsp32 - x.chunkBytesEsp32)
    .slice(0, 400)
    .map((b) => ({ name: b.name, chunkBytesEsp32: b.chunkBytesEsp32, slots: b.slots, from: describe(b.index, 0) }));
  return { slots: count, chunkBytes: bloc.length, groups, largest, keys: keyNames };
}

/** after − before, per group, largest slot growth first. */
export function censusDelta(before: Census, after: Census): CensusGroup[] {
  const names = new Set([...before.groups.keys(), ...after.groups.keys()]);
  const out: CensusGroup[] = [];
  for (const name of names) {
    const a = after.groups.get(name), b = before.groups.get(name);
    const d: CensusGroup = {
      name,
      objects: (a?.objects ?? 0) - (b?.objects ?? 0),
      slots: (a?.slots ?? 0) - (b?.slots ?? 0),
      chunkBytes: (a?.chunkBytes ?? 0) - (b?.chunkBytes ?? 0),
      chunkBytesEsp32: (a?.chunkBytesEsp32 ?? 0) - (b?.chunkBytesEsp32 ?? 0),
    };
    if (d.objects || d.slots || d.chunkBytes) out.push(d);
  }
  return out.sort((x, y) => y.slots * 16 + y.chunkBytesEsp32 - (x.slots * 16 + x.chunkBytesEsp32));
}

/**
 * The live chunk bytes of a snapshot at the ESP32's sizes: chunk headers 8 B instead of 16, and
 * the chunks made of slots (array items, arguments) or pointers (Map, Set and global tables)
 * half their size here. Byte data (strings, ArrayBuffer storage) keeps its size. Function code
 * is left out: xsnap evaluates source, and XS copies a function's byte code into a chunk of its
 * own each time a closure is created (xsRun.c XS_CODE_CODE), while code compiled by xsc and
 * preloaded stays in flash (XS_CODE_CODE_ARCHIVE: XS_CODE_X_KIND, no chunk) — ~30 KB of a
 * simulated session in xsnap that the board does not have. `byKind` splits by the kind of the
 * slot pointing at each chunk (5 string, 16 array, 17 ArrayBuffer, 19 code, 27 Map, …).
 * `leaveOut`: chunks (data offsets in BLOC) not to count in `esp32`.
 */
export function chunkBytesEsp32(bytes: Buffer, leaveOut?: ReadonlySet<number>): { host: number; esp32: number; byKind: Map<number, number> } {
  const { heap, bloc } = atoms(bytes);
  const halved = new Set<number>(); // data offsets of the chunks made of slots or pointers
  const kindOf = new Map<number, number>(); // data offset → kind of a slot pointing to it
  for (let o = 0; o + SLOT <= heap.length; o += SLOT) {
    const k = heap.readInt8(o + 8);
    const address = Number(heap.readBigUInt64LE(o + 16));
    if (k === 14 || k === 15 || k === K_ARRAY || k === 47 || k === 25 || k === 27 || k === 33) {
      if (address) halved.add(address);
    }
    if (address && !kindOf.has(address)) kindOf.set(address, k);
  }
  let esp32 = 0;
  let at = 0;
  const byKind = new Map<number, number>();
  while (at + 16 <= bloc.length) {
    const size = bloc.readInt32LE(at) & 0x7fffffff;
    if (size < 16) break;
    const b = halved.has(at + 16) ? (size - 16) / 2 + 8 : size - 8;
    const k = kindOf.get(at + 16) ?? -99;
    if (k !== K_CODE && !leaveOut?.has(at + 16)) esp32 += b;
    byKind.set(k, (byKind.get(k) ?? 0) + b);
    at += size;
  }
  return { host: bloc.length, esp32: at === bloc.length ? esp32 : NaN, byKind };
}
