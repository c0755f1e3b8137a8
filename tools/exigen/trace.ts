// Developer aid: decode one vector with a grammar trace.  node --import tsx tools/exigen/trace.ts <tsv> <row-substring>
import { readFileSync } from "node:fs";
import { createExiCodec, decode, decodeFragment, encode, encodeFragment, type SchemaId } from "../../modules/exi/index";
const [file, needle] = process.argv.slice(2);
const line = readFileSync(file, "utf8").split("\n").find((l) => l.includes(needle))!;
const c = line.split("\t");
const hexCol = c[1].match(/^[0-9a-f]+$/) && c[1].length > 3 ? 1 : 2;
const frag = c[0].endsWith("+frag");
const schema = (frag ? c[0].slice(0, -5) : c[0]) as SchemaId;
console.log(c[hexCol]);
console.log(c[hexCol + (hexCol === 1 ? 3 : 1)]);
const bytes = Uint8Array.from(c[hexCol].match(/../g)!, (x) => parseInt(x, 16));
const traced = createExiCodec({ trace: console.log });
const json = (v: unknown) => JSON.stringify(v, (k, x) => (typeof x === "bigint" ? `${x}n` : x instanceof Uint8Array ? Buffer.from(x).toString("hex") : x));
try {
  const o = frag ? traced.decodeFragment(schema, bytes) : traced.decode(schema, bytes);
  console.log(json(o));
  const again = frag ? encodeFragment(schema, o) : encode(schema, o);
  console.log(Buffer.from(again).toString("hex"));
} catch (e) { console.log(String(e)); }
