// Tables → TypeScript sources (packed numeric tables + message types).

import type { ComplexType, Particle, SimpleType } from "./schema";
import { DT_ENUM, DT_UINT, DT_INT, DT_NBIT, DT_BOOL, DT_HEX, DT_B64, type Tables } from "./grammar";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Packs signed integers: zigzag, then 5 data bits per character, bit 5 = more. */
export function pack(values: number[]): string {
  let out = "";
  for (const v of values) {
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    for (;;) {
      const d = z % 32;
      z = Math.floor(z / 32);
      if (z > 0) out += ALPHABET[d | 32];
      else { out += ALPHABET[d]; break; }
    }
  }
  return out;
}

export function emitTables(t: Tables, banner: string): string {
  const lines = [banner, "", `import type { PackedGrammar } from "../../tables";`, "", "export const grammar: PackedGrammar = Object.freeze({"];
  // frozen: every modules/ folder is preloaded (tests/project/preload-safety.test.ts)
  lines.push(`  uris: Object.freeze(${JSON.stringify(t.uris)}),`);
  lines.push(`  locals: Object.freeze(${JSON.stringify(t.locals.map((l) => l.join(" ")))}),`);
  lines.push(`  enums: ${JSON.stringify(t.enums.join("\u0001"))},`);
  for (const k of ["dts", "facets", "states", "prods", "counters", "types", "order", "doc", "frag", "fragAttrs", "typeNames"] as const) lines.push(`  ${k}: "${pack(t[k])}",`);
  lines.push("});", "");
  return lines.join("\n");
}

export function emitTypes(t: Tables, roots: { local: string; child: number }[], banner: string): string {
  const names = new Map<ComplexType, string>();
  const used = new Set<string>();
  t.typeList.forEach((ct) => {
    let n = (ct.name?.local ?? `${ct.anonName}Type`).replace(/[^A-Za-z0-9_]/g, "_");
    if (/^[0-9]/.test(n)) n = `_${n}`;
    let m = n, i = 2;
    while (used.has(m)) m = `${n}_${i++}`;
    used.add(m);
    names.set(ct, m);
  });
  const simpleTs = (s: SimpleType, dt: number): string => {
    const kind = t.dts[dt * 4];
    if (kind === DT_ENUM) return s.facets.enumeration!.map((e) => JSON.stringify(e)).join(" | ");
    if (kind === DT_NBIT) return "number";
    if (kind === DT_UINT || kind === DT_INT) return t.dts[dt * 4 + 1] ? "bigint" : "number";
    if (kind === DT_BOOL) return "boolean";
    if (kind === DT_HEX || kind === DT_B64) return "Uint8Array";
    return "string";
  };
  const lines = [banner, "", "/* eslint-disable */", ""];
  lines.push("/** Ordered content of a mixed or wildcard-bearing element (text, declared children, wildcard elements). */");
  lines.push("export type ExiContentItem = string | { [name: string]: unknown };", "");
  t.typeList.forEach((ct, i) => {
    const o = i * 5;
    if (t.types[o + 4] & 4) {
      lines.push(`export type ${names.get(ct)} = ${simpleTs(ct.simple!, t.types[o + 3] - 1)};`, "");
      return;
    }
    const fields: string[] = [];
    for (const a of ct.attrs.slice().sort((x, y) => (x.qn.local < y.qn.local ? -1 : x.qn.local > y.qn.local ? 1 : 0))) {
      fields.push(`  ${a.qn.local}${a.required ? "" : "?"}: ${simpleTs(a.type, t.dtOf(a.type))};`);
    }
    if (ct.simple) {
      const dt = t.types[o + 3] - 1;
      fields.push(`  $value: ${simpleTs(ct.simple, dt)};`);
    }
    // element children with optionality
    const req = new Map<string, { ts: string; array: boolean; required: boolean }>();
    const walk = (p: Particle, required: boolean, array: boolean) => {
      if (p.kind === "any") return;
      if (p.kind === "element") {
        const d = p.decl();
        const members = t.membersOf(d);
        const choice = members.length > 1;
        for (const m of members) {
          let ts: string;
          if (m.type.kind === "simple") ts = simpleTs(m.type, t.dtOf(m.type));
          else ts = names.get(m.type) ?? "unknown";
          const prev = req.get(m.qn.local);
          req.set(m.qn.local, { ts, array: array || p.max > 1 || !!prev, required: required && p.min > 0 && !prev && !choice });
        }
        return;
      }
      const arr = array || p.max > 1;
      for (const it of p.items) walk(it, required && p.min > 0 && p.kind === "sequence", arr);
    };
    if (ct.content) walk(ct.content, true, false);
    for (const [n, f] of req) {
      const ts = f.ts.indexOf("|") >= 0 ? `(${f.ts})` : f.ts;
      fields.push(`  ${n}${f.required ? "" : "?"}: ${f.array ? `${ts}[]` : f.ts};`);
    }
    if (t.types[o + 4] & 3) fields.push("  $content?: ExiContentItem[];");
    lines.push(`export interface ${names.get(ct)} {`, ...fields, "}", "");
  });
  lines.push("/** Root elements of an EXI document of this schema. */");
  lines.push("export type Document =");
  const rootLines: string[] = [];
  for (const r of roots) {
    const ts = r.child >= 0 ? names.get(t.typeList[r.child])! : r.child === -0x40000000 ? "unknown" : simpleTs(t.dtList[-1 - r.child], -1 - r.child);
    rootLines.push(`  | { ${r.local}: ${ts.indexOf("|") >= 0 ? `(${ts})` : ts} }`);
  }
  lines.push(...(rootLines.length ? rootLines : ["  never"]));
  lines[lines.length - 1] += ";";
  lines.push("");
  return lines.join("\n");
}
