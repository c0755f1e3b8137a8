// Developer aid: first difference between the decoded object and the object read from the
// vector's XML.  node --import tsx tools/exigen/diff-xml.ts <tsv file or oracle file name> <hex prefix>
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { decode, decodeFragment, type SchemaId } from "../../modules/exi/index";
import { fromXmlTree } from "../exi-xml/convert";
import { parseXml } from "../exi-xml/xml";
const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared");
const [file, needle] = process.argv.slice(2);
const line = readFileSync(file.includes('/') ? file : `${SHARED}/vectors/oracle/${file === 'smoke.tsv' ? '' : 'random/'}${file}`, "utf8").split("\n").find((l) => l.includes(needle))!;
const c = line.split("\t");
const frag = c[0].endsWith("+frag");
const schema = (frag ? c[0].slice(0, -5) : c[0]) as SchemaId;
const bytes = Uint8Array.from(c[2].match(/../g)!, (x) => parseInt(x, 16));
const o = frag ? decodeFragment(schema, bytes) : decode(schema, bytes);
const x = fromXmlTree(schema, parseXml(c[3]), { fragment: frag });
const sortKeys = (x: unknown): unknown => (x && typeof x === "object" && !Array.isArray(x) && !(x instanceof Uint8Array) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeys((x as Record<string, unknown>)[k])])) : Array.isArray(x) ? x.map(sortKeys) : x);
const j = (v: unknown) => JSON.stringify(sortKeys(v), (k, x) => (typeof x === "bigint" ? `${x}n` : x instanceof Uint8Array ? "0x"+Buffer.from(x).toString("hex") : x), 1).split("\n");
const a = j(o), b = j(x);
for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) { console.log(i, "EXI:", a.slice(i-3, i + 3).join(""), "\nXML:", b.slice(i-3, i + 3).join("")); break; }
