// Compares two V8 heap snapshots (.heapsnapshot, as the netns soak's memory probe writes them
// with XS15118_SOAK_SNAPSHOTS=DIR): the object kinds whose count or size grew, largest first.
//
//   node --import tsx tools/soak/snapshot-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [--top N]

import * as fs from "node:fs";

interface Kinds {
  [key: string]: { count: number; size: number };
}

/** Node counts and self sizes by "type:name" (constructor name for objects). */
function kinds(file: string): Kinds {
  const snap = JSON.parse(fs.readFileSync(file, "utf8"));
  const fields: string[] = snap.snapshot.meta.node_fields;
  const types: string[] = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const nodes: number[] = snap.nodes;
  const strings: string[] = snap.strings;
  const out: Kinds = {};
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    // strings and code by type only: their names are their contents
    const name = type === "object" || type === "closure" || type === "native" ? strings[nodes[i + nameAt]].slice(0, 60) : "";
    const key = `${type}:${name}`;
    const k = (out[key] ??= { count: 0, size: 0 });
    k.count++;
    k.size += nodes[i + sizeAt];
  }
  return out;
}

const [a, b] = process.argv.slice(2).filter((x) => !x.startsWith("--"));
const topIndex = process.argv.indexOf("--top");
const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 30;
if (!a || !b) {
  console.error("usage: snapshot-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [--top N]");
  process.exit(2);
}
const before = kinds(a);
const after = kinds(b);
const rows: { key: string; count: number; size: number }[] = [];
for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
  const x = before[key] ?? { count: 0, size: 0 };
  const y = after[key] ?? { count: 0, size: 0 };
  if (y.count !== x.count || y.size !== x.size) rows.push({ key, count: y.count - x.count, size: y.size - x.size });
}
rows.sort((p, q) => q.size - p.size);
let total = 0;
for (const r of rows) total += r.size;
console.log(`self size ${total >= 0 ? "+" : ""}${total} bytes in all; the ${top} largest changes:`);
for (const r of rows.slice(0, top)) console.log(`${String(r.size).padStart(10)} B ${String(r.count).padStart(7)} × ${r.key}`);
