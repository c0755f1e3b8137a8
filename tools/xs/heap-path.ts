// Who keeps an object alive in an XS engine: reference paths, read from an xsnap snapshot (taken
// after a collection, so everything in it is live), from a root (a slot of the machine's stack,
// or a slot nothing in the heap points at: reached from the key table or the aliases) to every
// instance whose prototype's constructor has a given name. Edges are the ones the collector
// follows (xsMemory.c fxMarkReference / fxMarkInstance): a slot's `next` in an object's chain,
// references, closures' variable slots, a function's closure environment, accessors, homes,
// array items, list and private-field chains, proxies, errors' info, module realms; weak ones
// (WeakMap, WeakSet, WeakRef, finalization) are left out, as the collector does. Layout as in
// heap-census.ts (64-bit xsnap, mx32bitID: 32-byte slots, projected slot pointer = HEAP index + 1,
// chunk pointer = offset of the chunk's data in the BLOC atom).
//
//   npx tsx tools/xs/station-heap.ts --holders SeccService charger …
//   (XS15118_HEAP_PATH_RAW=1 adds each path's slots: index:kind:key@owner)

const SLOT = 32;

const enum Kind {
  String = 5,
  BigInt = 8,
  Reference = 10,
  Closure = 11,
  Instance = 13,
  ArgumentsSloppy = 14,
  ArgumentsStrict = 15,
  Array = 16,
  ArrayBuffer = 17,
  Code = 19,
  CodeX = 20,
  Global = 25,
  Host = 26,
  Map = 27,
  Module = 28,
  Program = 29,
  Proxy = 31,
  RegExp = 32,
  Set = 33,
  Accessor = 38,
  Entry = 40,
  Error = 41,
  Home = 42,
  Key = 43,
  List = 45,
  Private = 46,
  Stack = 47,
  Export = 52,
}

function atom(bytes: Buffer, tag: string): Buffer {
  for (let at = 8; at + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(at);
    if (size < 8) break;
    if (bytes.toString("latin1", at + 4, at + 8) === tag) return bytes.subarray(at + 8, at + size);
    at += size;
  }
  throw new Error(`not an XS snapshot (${tag} missing)`);
}

/**
 * The snapshot as a graph: heap slots 1…count, array items count + 1 + (their offset in BLOC) / 32;
 * the edges the collector follows, each marked when it is a private method's home (see
 * liveAsPreloaded); the object each heap slot belongs to.
 */
class HeapGraph {
  readonly heap: Buffer;
  readonly bloc: Buffer;
  readonly stack: Buffer;
  readonly count: number;
  readonly keyNames: string[] = [];
  /** The instance whose chain holds each heap slot (0: none). */
  readonly objectOf: Int32Array;
  /** Edges as parallel arrays: from, to, and 1 where the edge is a private method's home object. */
  from = new Int32Array(1 << 16);
  to = new Int32Array(1 << 16);
  homeOfPrivate = new Uint8Array(1 << 16);
  edges = 0;
  /** Slots the machine's stack points at. */
  readonly onStack = new Set<number>();

  constructor(bytes: Buffer) {
    this.heap = atom(bytes, "HEAP");
    this.bloc = atom(bytes, "BLOC");
    this.stack = atom(bytes, "STAC");
    const keys = atom(bytes, "KEYS");
    const count = (this.count = this.heap.length / SLOT);
    for (let k = 0; k + 8 <= keys.length; k += 8) {
      const slot = this.word(keys, k);
      this.keyNames.push(slot > 0 && slot <= count ? this.cString(this.word(this.heap, (slot - 1) * SLOT + 16)) : "");
    }
    // objects and their chains; which functions each instance holds as private methods (or accessors)
    const objectOf = (this.objectOf = new Int32Array(count + 1));
    const privateMethods = new Map<number, Set<number>>(); // function → the instances holding it
    for (let i = 1; i <= count; i++) {
      if (this.kind(i) !== Kind.Instance) continue;
      objectOf[i] = i;
      for (let s = this.next(i); s > 0 && s <= count && objectOf[s] === 0; s = this.next(s)) {
        objectOf[s] = i;
        const k = this.kind(s);
        if (k !== Kind.Private && k !== Kind.List) continue;
        // private fields and list entries: a chain of value slots of their own
        for (let p = this.word(this.heap, (s - 1) * SLOT + 16 + (k === Kind.Private ? 8 : 0)); p > 0 && p <= count && objectOf[p] === 0; p = this.next(p)) {
          objectOf[p] = i;
          if (k !== Kind.Private) continue;
          const pk = this.kind(p);
          const functions = pk === Kind.Reference ? [this.word(this.heap, (p - 1) * SLOT + 16)] : pk === Kind.Accessor ? [this.word(this.heap, (p - 1) * SLOT + 16), this.word(this.heap, (p - 1) * SLOT + 24)] : [];
          for (const f of functions) {
            if (!f) continue;
            let holders = privateMethods.get(f);
            if (!holders) privateMethods.set(f, (holders = new Set()));
            holders.add(i);
          }
        }
      }
    }
    const items: number[] = [];
    for (let s = 1; s <= count; s++) {
      const o = (s - 1) * SLOT;
      const next = this.word(this.heap, o);
      if (next > 0 && next <= count) this.#edge(s, next, 0);
      const k = this.heap.readInt8(o + 8);
      for (const t of this.#values(this.heap, o)) {
        // XS (xsProperty.c fxDefinePrivateProperty) makes a private method's home the instance it
        // is installed on, unless the function is preloaded (XS_MARK_FLAG): in xsnap, not on a board
        const ofPrivate = k === Kind.Home && t === this.word(this.heap, o + 16) && privateMethods.get(objectOf[s])?.has(t) === true;
        this.#edge(s, t, ofPrivate ? 1 : 0);
        if (t > count) items.push(t);
      }
    }
    const seenItems = new Set<number>();
    while (items.length > 0) {
      const item = items.pop()!;
      if (seenItems.has(item)) continue;
      seenItems.add(item);
      for (const t of this.#values(this.bloc, (item - count - 1) * SLOT)) {
        this.#edge(item, t, 0);
        if (t > count) items.push(t);
      }
    }
    for (let o = 0; o + SLOT <= this.stack.length; o += SLOT) for (const t of this.#values(this.stack, o)) if (t > 0 && t <= count) this.onStack.add(t);
  }

  word(b: Buffer, o: number): number {
    return Number(b.readBigUInt64LE(o));
  }
  #bytes(s: number): [Buffer, number] {
    return s <= this.count ? [this.heap, (s - 1) * SLOT] : [this.bloc, (s - this.count - 1) * SLOT];
  }
  kind(s: number): number {
    const [b, o] = this.#bytes(s);
    return b.readInt8(o + 8);
  }
  next(s: number): number {
    return this.word(this.heap, (s - 1) * SLOT);
  }
  cString(offset: number): string {
    const end = this.bloc.indexOf(0, offset);
    return this.bloc.toString("utf8", offset, end < 0 ? this.bloc.length : end);
  }
  keyName(s: number): string {
    const [b, o] = this.#bytes(s);
    const k = b.readInt32LE(o + 12) & 0x7fffffff;
    return k > 0 && k < this.keyNames.length && this.keyNames[k] ? this.keyNames[k] : "";
  }
  /** The id of a slot in the BLOC atom (an array item) at `offset`. */
  itemAt(offset: number): number {
    return this.count + 1 + offset / SLOT;
  }

  #edge(a: number, b: number, home: number): void {
    if (!b || b === a) return;
    if (this.edges === this.from.length) {
      const grow = <T extends Int32Array | Uint8Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.from = grow(this.from);
      this.to = grow(this.to);
      this.homeOfPrivate = grow(this.homeOfPrivate);
    }
    this.from[this.edges] = a;
    this.to[this.edges] = b;
    this.homeOfPrivate[this.edges] = home;
    this.edges++;
  }

  /** The slots (and array items) a slot's value points at, as the collector follows them. */
  #values(b: Buffer, o: number): number[] {
    const k = b.readInt8(o + 8);
    const p0 = this.word(b, o + 16);
    const p1 = this.word(b, o + 24);
    switch (k) {
      case Kind.Reference:
      case Kind.Closure:
      case Kind.Error:
      case Kind.Module:
      case Kind.Program:
      case Kind.Entry:
        return [p0];
      case Kind.Instance:
      case Kind.Code:
      case Kind.CodeX:
        return [p1];
      case Kind.Accessor:
      case Kind.Home:
      case Kind.Proxy:
      case Kind.Export:
      case Kind.List:
      case Kind.Private:
        return [p0, p1];
      case Kind.ArgumentsSloppy:
      case Kind.ArgumentsStrict:
      case Kind.Array:
      case Kind.Stack: {
        const out: number[] = [];
        if (p0 < 16) return out;
        const size = this.bloc.readInt32LE(p0 - 16) & 0x7fffffff;
        const n = Math.min(b.readUInt32LE(o + 24), Math.floor((size - 16) / SLOT));
        for (let i = 0; i < n; i++) out.push(this.itemAt(p0 + i * SLOT));
        return out;
      }
      default:
        return [];
    }
  }

  /** The chunks (data offsets in BLOC) a slot's value points at. */
  chunksOf(s: number): number[] {
    const [b, o] = this.#bytes(s);
    const k = b.readInt8(o + 8);
    const p0 = this.word(b, o + 16);
    switch (k) {
      case Kind.String:
      case Kind.BigInt:
      case Kind.ArgumentsSloppy:
      case Kind.ArgumentsStrict:
      case Kind.Array:
      case Kind.Stack:
      case Kind.ArrayBuffer:
      case Kind.Code:
      case Kind.Key:
      case Kind.Global:
      case Kind.Map:
      case Kind.Set:
      case Kind.Host:
        return p0 ? [p0] : [];
      case Kind.RegExp:
        return [p0, this.word(b, o + 24)].filter((x) => x > 0);
      default:
        return [];
    }
  }

  /**
   * What is reachable from the roots (the stack's slots, and the slots nothing points at: the
   * key table, the C roots) — over every edge, or leaving out private methods' homes.
   */
  reachable(withoutPrivateHomes: boolean): Uint8Array {
    const n = this.count + 1 + this.bloc.length / SLOT + 1;
    const pointedAt = new Uint8Array(n);
    const firstOut = new Int32Array(n + 1);
    for (let e = 0; e < this.edges; e++) {
      pointedAt[this.to[e]] = 1;
      firstOut[this.from[e] + 1]++;
    }
    for (let i = 0; i < n; i++) firstOut[i + 1] += firstOut[i];
    const out = new Int32Array(this.edges);
    const fill = firstOut.slice();
    for (let e = 0; e < this.edges; e++) out[fill[this.from[e]]++] = withoutPrivateHomes && this.homeOfPrivate[e] ? 0 : this.to[e];
    const seen = new Uint8Array(n);
    const queue: number[] = [];
    for (let s = 1; s <= this.count; s++) if (!pointedAt[s] || this.onStack.has(s)) {
      seen[s] = 1;
      queue.push(s);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q];
      for (let e = firstOut[s]; e < firstOut[s + 1]; e++) {
        const t = out[e];
        if (t && !seen[t]) {
          seen[t] = 1;
          queue.push(t);
        }
      }
    }
    return seen;
  }
}

/**
 * The live heap as on a board whose modules are preloaded: XS gives a private method the instance
 * it is installed on as its home (xsProperty.c fxDefinePrivateProperty) unless the function is in
 * the preloaded, read-only heap, so in xsnap (source evaluated at run time) each class with
 * private methods keeps its LAST instance alive through them — with all that instance holds (a
 * charger's last SeccService, its connection, session and codec: ~37 KB). Here those home edges
 * are left out: the slots and chunks only they keep are not counted (`retainedSlots`,
 * `retainedChunks` say how many they were).
 */
export function liveAsPreloaded(bytes: Buffer): { slots: number; leaveOut: Set<number>; retainedSlots: number } {
  const g = new HeapGraph(bytes);
  const seen = g.reachable(true);
  const n = seen.length;
  const kept = new Set<number>();
  const dropped = new Set<number>();
  let retainedSlots = 0;
  const itemLimit = g.count + 1 + g.bloc.length / SLOT;
  for (let s = 1; s < itemLimit && s < n; s++) {
    if (s <= g.count && !seen[s]) retainedSlots++;
    // items exist only where an array points: unvisited ids above count are no items
    if (s > g.count && !seen[s]) continue;
    for (const c of g.chunksOf(s)) kept.add(c);
  }
  const drop = (s: number): void => {
    const k = g.kind(s);
    for (const c of g.chunksOf(s)) {
      if (kept.has(c) || dropped.has(c)) continue;
      dropped.add(c);
      // an array's items point at chunks of their own (strings, arrays)
      if (k === Kind.Array || k === Kind.ArgumentsSloppy || k === Kind.ArgumentsStrict || k === Kind.Stack) {
        const size = g.bloc.readInt32LE(c - 16) & 0x7fffffff;
        for (let at = c; at + SLOT <= c - 16 + size; at += SLOT) if (!seen[g.itemAt(at)]) drop(g.itemAt(at));
      }
    }
  };
  for (let s = 1; s <= g.count; s++) if (!seen[s]) drop(s);
  for (let o = 0; o + SLOT <= g.stack.length; o += SLOT) {
    const p = g.word(g.stack, o + 16);
    dropped.delete(p);
  }
  return { slots: g.count - retainedSlots, leaveOut: dropped, retainedSlots };
}

/**
 * Up to `limit` shortest paths from a root to the instances whose prototype's constructor is
 * named `className`, one line each: `root → Owner.key → … → className`.
 */
export function holders(bytes: Buffer, className: string, limit = 5): string[] {
  const g = new HeapGraph(bytes);
  const { heap, count, objectOf, onStack } = g;
  const kind = (s: number): number => g.kind(s);
  const word = (b: Buffer, o: number): number => g.word(b, o);
  const keyName = (s: number): string => g.keyName(s);
  const cString = (o: number): string => g.cString(o);
  const slotId = (s: number): number => (s <= count ? heap.readInt32LE((s - 1) * SLOT + 12) & 0x7fffffff : 0);
  const preds = new Map<number, number[]>();
  for (let e = 0; e < g.edges; e++) {
    let list = preds.get(g.to[e]);
    if (!list) preds.set(g.to[e], (list = []));
    list.push(g.from[e]);
  }
  const from = new Map<number, number>();
  const findKey = (object: number, name: string): number => {
    for (let s = g.next(object); s > 0 && s <= count; s = g.next(s)) if (keyName(s) === name) return s;
    return 0;
  };
  const functionName = (f: number): string => {
    const n = findKey(f, "name");
    return n && kind(n) === Kind.String ? cString(word(heap, (n - 1) * SLOT + 16)) : "";
  };
  const isFunction = (object: number): boolean => {
    const first = g.next(object);
    return first > 0 && first <= count && (kind(first) === Kind.Code || kind(first) === Kind.CodeX);
  };
  const protoNames = new Map<number, string>();
  const describe = (object: number): string => {
    if (isFunction(object)) return `function ${functionName(object) || "(anonymous)"}`;
    const proto = word(heap, (object - 1) * SLOT + 24);
    if (!proto) {
      const first = g.next(object);
      return first > 0 && first <= count && kind(first) === Kind.Closure ? "(closure environment)" : "(null prototype)";
    }
    let name = protoNames.get(proto);
    if (name === undefined) {
      const c = findKey(proto, "constructor");
      name = c && kind(c) === Kind.Reference ? functionName(word(heap, (c - 1) * SLOT + 16)) : "";
      if (!name) {
        const own: string[] = [];
        for (let s = g.next(proto); s > 0 && s <= count && own.length < 3; s = g.next(s)) if (keyName(s)) own.push(keyName(s));
        name = `{${own.join(", ")}}-prototype`;
      }
      protoNames.set(proto, name);
    }
    return name;
  };
  const targets: number[] = [];
  for (let i = 1; i <= count; i++) if (kind(i) === Kind.Instance && !isFunction(i) && describe(i) === className) targets.push(i);

  const out: string[] = [];
  for (const target of targets.slice(0, limit)) {
    // backwards breadth first from the target to a root
    from.clear();
    from.set(target, 0);
    const queue = [target];
    let root = 0;
    for (let q = 0; q < queue.length && !root; q++) {
      const s = queue[q];
      if (onStack.has(s)) {
        root = s;
        break;
      }
      const p = preds.get(s);
      if (!p) {
        root = s;
        break;
      }
      for (const a of p) {
        if (from.has(a)) continue;
        from.set(a, s);
        queue.push(a);
      }
    }
    if (!root) {
      out.push(`${className} #${target}: no root found`);
      continue;
    }
    // walk forward from the root, naming each object and the key of the slot that leads on
    const steps: string[] = [onStack.has(root) ? "(stack)" : "(root)"];
    const ownerOf = (s: number): number => (s <= count ? objectOf[s] : -s);
    for (let s = root; s && s !== target; s = from.get(s)!) {
      const owner = ownerOf(s);
      const next = from.get(s)!;
      if (owner > 0 && (s === owner || steps.length === 1)) steps.push(describe(owner));
      else if (owner < 0) steps.push("[item]");
      // the slot that leads out of its object: its key (a property, a captured variable, a private field)
      if (owner > 0 && ownerOf(next) !== owner && s !== owner) {
        const k = kind(s);
        steps[steps.length - 1] += keyName(s) ? `.${keyName(s)}` : k === Kind.Code || k === Kind.CodeX ? ".(closures)" : k === Kind.Private ? ".#" : `.(kind ${k})`;
      }
    }
    steps.push(className);
    if (process.env.XS15118_HEAP_PATH_RAW) {
      const raw: string[] = [];
      for (let s = root; s; s = from.get(s)!) {
        raw.push(`${s}:k${kind(s)}:${keyName(s) || slotId(s)}@${ownerOf(s)}`);
        if (s === target) break;
      }
      steps.push(`\n    raw: ${raw.join(" ")}`);
    }
    out.push(`${className} #${target}: ${steps.join(" → ")}`);
  }
  const board = g.reachable(true);
  const onBoard = targets.filter((t) => board[t]).length;
  if (targets.length === 0) out.push(`no live ${className}`);
  else out.unshift(`${targets.length} live ${className} (${targets.length - onBoard} of them only through private methods' homes)`);
  return out;
}
