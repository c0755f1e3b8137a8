// Developer check: round-trips the oracle and real EXI vectors through modules/exi.
//   node --import tsx tools/exigen/check-vectors.ts [oracle|real|all] [family-filter] [-v]

import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { decode, decodeFragment, encode, encodeFragment, type SchemaId } from "../../modules/exi/index";
import { fromXmlTree, toXmlTree } from "../exi-xml/convert";
import { parseXml } from "../exi-xml/xml";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHARED = path.join(ROOT, "../shared");
const args = process.argv.slice(2);
const which = args[0] ?? "all";
const filter = args[1] && !args[1].startsWith("-") ? args[1] : "";
const verbose = args.includes("-v");

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));

interface Row { family: string; name: string; hex: string; xml: string }
const rows: Row[] = [];
if (which === "oracle" || which === "all") {
  const files = ["vectors/oracle/smoke.tsv", ...readdirSync(path.join(SHARED, "vectors/oracle/random")).filter((f) => f.endsWith(".tsv")).map((f) => `vectors/oracle/random/${f}`)];
  for (const f of files) for (const line of readFileSync(path.join(SHARED, f), "utf8").split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const c = line.split("\t");
    rows.push({ family: c[0], name: `${f.split("/").pop()}:${c[1]}`, hex: c[2], xml: c[3] });
  }
}
if (which === "real" || which === "all") {
  for (const f of readdirSync(path.join(SHARED, "vectors/real")).filter((f) => f.endsWith(".tsv"))) for (const line of readFileSync(path.join(SHARED, "vectors/real", f), "utf8").split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const c = line.split("\t");
    if (c[3] !== "SAME") continue;
    rows.push({ family: c[0], name: `real:${c[2]}`, hex: c[1], xml: c[4] ?? "" });
  }
}
// An undeclared (wildcard) element may carry an empty character event: same XML infoset as none.
function stripEmptyText(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripEmptyText);
  if (v && typeof v === "object" && !(v instanceof Uint8Array)) {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) out[k] = k === "children" && Array.isArray(o[k]) && "attrs" in o ? (o[k] as unknown[]).filter((c) => c !== "").map(stripEmptyText) : stripEmptyText(o[k]);
    return out;
  }
  return v;
}
const stats = new Map<string, { ok: number; fail: number }>();
const reasons = new Map<string, number>();
for (const row of rows) {
  if (filter && !row.family.includes(filter)) continue;
  const frag = row.family.endsWith("+frag");
  const schema = (frag ? row.family.slice(0, -5) : row.family) as SchemaId;
  const st = stats.get(row.family) ?? { ok: 0, fail: 0 };
  stats.set(row.family, st);
  let why = "";
  try {
    const bytes = unhex(row.hex);
    const obj = frag ? decodeFragment(schema, bytes) : decode(schema, bytes);
    const again = hex(frag ? encodeFragment(schema, obj) : encode(schema, obj));
    if (again !== row.hex) why = `DIFF ${again}`;
    else if (row.xml) {
      const fromXml = fromXmlTree(schema, parseXml(row.xml), { fragment: frag });
      const fromXmlHex = hex(frag ? encodeFragment(schema, fromXml) : encode(schema, fromXml));
      if (fromXmlHex !== row.hex) why = `XML-ENCODE-DIFF ${fromXmlHex}`;
      else if (!isDeepStrictEqual(fromXml, stripEmptyText(obj))) why = `XML-MISMATCH ${JSON.stringify(fromXml, (k, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v)).slice(0, 200)}`;
      else {
        const back = fromXmlTree(schema, toXmlTree(schema, obj), { fragment: frag });
        if (!isDeepStrictEqual(back, obj)) why = "TREE-ROUNDTRIP";
      }
    }
  } catch (e) {
    why = `ERR ${(e as Error).message}`;
  }
  if (why) {
    st.fail++;
    const key = `${row.family} ${why.replace(/[0-9a-f]{6,}/g, "").replace(/\(at \d+\)/, "").slice(0, 90)}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
    if (verbose) console.log(`${row.family}\t${row.name}\t${row.hex}\t${why.slice(0, 300)}`);
  } else st.ok++;
}
for (const [f, s] of stats) console.log(`${f.padEnd(16)} ok ${s.ok} fail ${s.fail}`);
for (const [k, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${n}\t${k}`);
