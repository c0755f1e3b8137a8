// The Node host's generated codecs (hosts/sim/exi-fast): functions alike in everything but the
// names they are called by and call, once. Each family's tables number their types on their own,
// so the same schema type (xmldsig's, the DIN/ISO-2 header and common types, the -20
// CommonTypes a family reaches) gets another name, and another code table name, in each family
// although its text is otherwise the same. A generated function reads everything
// grammar-specific (qnames, enumeration values) through the codec it is given (`d.g`, `e.g`),
// so the same text serves every family: such functions get one name, and emitFastModules puts
// those several families hold into the shared module.

import type { FastFamily } from "./fast";

/** A generated function's name (`d12` decoder, `e12` encoder of type 12). */
const FUNCTION = /\b[de]\d+\b/g;
/** An encoder's code table (`C12`), declared in its function's block. */
const TABLE = /\bC\d+\b/g;

interface Block {
  family: number;
  name: string;
  body: string;
  /** The function names in the body, in order (its own first). */
  names: string[];
}

/**
 * Gives the functions alike (the same text once every function name is replaced by its class,
 * their callees alike in turn: the coarsest such partition) one name, `first` and up, in every
 * family's blocks and codec. Functions without a twin keep their names.
 */
export function shareAlikeFunctions(families: FastFamily[], first = 100_000): void {
  const blocks: Block[] = [];
  const byName = families.map(() => new Map<string, Block>());
  families.forEach((f, family) => {
    for (const [name, body] of f.blocks) {
      const block = { family, name, body, names: body.match(FUNCTION) ?? [] };
      blocks.push(block);
      byName[family].set(name, block);
    }
  });
  // classes: first by the text with names and tables masked, then refined by the callees' classes
  const ids = new Map<string, number>();
  const intern = (key: string) => {
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    return id;
  };
  let cls = new Map<Block, number>(blocks.map((b) => [b, intern(`${b.body.replace(TABLE, "C").replace(FUNCTION, "F")}`)]));
  for (let count = new Set(cls.values()).size; ; ) {
    ids.clear();
    const next = new Map<Block, number>();
    for (const b of blocks) {
      const callees = b.names.map((n) => {
        const callee = byName[b.family].get(n);
        return callee === undefined ? n : String(cls.get(callee));
      });
      next.set(b, intern(`${cls.get(b)}|${callees.join(",")}`));
    }
    cls = next;
    const now = new Set(cls.values()).size;
    if (now === count) break;
    count = now;
  }
  // a new name for each class of two or more, in the order first met
  const members = new Map<number, number>();
  for (const b of blocks) members.set(cls.get(b)!, (members.get(cls.get(b)!) ?? 0) + 1);
  const numbers = new Map<number, number>();
  for (const b of blocks) {
    const c = cls.get(b)!;
    if (members.get(c)! > 1 && !numbers.has(c)) numbers.set(c, first + numbers.size);
  }
  families.forEach((f, family) => {
    const renamed = new Map<string, number>();
    for (const [name, b] of byName[family]) {
      const n = numbers.get(cls.get(b)!);
      if (n !== undefined) renamed.set(name, n);
    }
    const rename = (text: string) => text.replace(FUNCTION, (m) => (renamed.has(m) ? `${m[0]}${renamed.get(m)}` : m));
    const blocksOut = new Map<string, string>();
    for (const [name, body] of f.blocks) {
      const n = renamed.get(name);
      const text = rename(n === undefined ? body : body.replace(TABLE, `C${n}`));
      const newName = n === undefined ? name : `${name[0]}${n}`;
      // a twin within the family: one copy (the same text)
      if (!blocksOut.has(newName)) blocksOut.set(newName, text);
    }
    f.blocks = blocksOut;
    f.codec = f.codec.map(rename);
  });
}
