// Tables → TypeScript sources (packed numeric tables + message types).

import type { ComplexType, Particle, SimpleType } from "./schema";
import { TABLE_LAYOUT, type PackedTable } from "../../modules/exi/tables";
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

/**
 * Strings more than one family's tables carry (namespace URIs, a namespace's local-name list,
 * an enumeration's values): the ISO-20 families all embed CommonTypes and xmldsig, every family
 * the XML Schema built-ins. They are written once into generated/shared/strings.ts and the
 * families import them, so a bundle holds each only once.
 */
export class SharedStrings {
  readonly #names = new Map<string, string>();
  readonly #families = new Map<string, Set<number>>();
  readonly #kind = new Map<string, string>();
  /** Per packed table: every family's packed string, then the common starts named. */
  readonly #packed = new Map<PackedTable, string[]>();
  readonly #prefixes = new Map<PackedTable, Map<string, string>>();

  /** Records every string of a family's tables (call for every family before emitting). */
  collect(t: Tables, family: number): void {
    for (const s of t.uris) this.#note(s, "URI", family);
    for (const l of t.locals) this.#note(frontCode(l), "LOCALS", family);
    for (const seg of enumSegments(t)) this.#note(seg, "ENUM", family);
    for (const [k, v] of Object.entries(packedTables(t)) as [PackedTable, string][]) {
      const l = this.#packed.get(k) ?? [];
      l[family] = v;
      this.#packed.set(k, l);
    }
  }

  #note(s: string, kind: string, family: number): void {
    if (s.length < 4) return; // a reference would not be shorter
    const f = this.#families.get(s) ?? new Set<number>();
    f.add(family);
    this.#families.set(s, f);
    if (!this.#kind.has(s)) this.#kind.set(s, kind);
  }

  /** Names the strings of at least two families, in the order they were first seen. */
  seal(): void {
    const count = new Map<string, number>();
    for (const [s, fams] of this.#families) {
      if (fams.size < 2) continue;
      const kind = this.#kind.get(s)!;
      const n = count.get(kind) ?? 0;
      count.set(kind, n + 1);
      this.#names.set(s, `${kind}_${n}`);
    }
    // The tables start alike where the families' grammars start with the same imported types
    // (grammar.ts SHARED_NAMESPACES): each longest common start of two families, long enough to pay.
    for (const [k, list] of this.#packed) {
      const starts = new Set<string>();
      for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
        const n = commonStart(list[i], list[j]);
        if (n >= MIN_SHARED_START) starts.add(list[i].slice(0, n));
      }
      const used = new Set<string>();
      const longest = (s: string, proper: boolean) => {
        let best: string | undefined;
        for (const c of starts) if (s.startsWith(c) && (!proper || c.length < s.length) && (!best || c.length > best.length)) best = c;
        return best;
      };
      const mark = (c: string | undefined) => { for (; c && !used.has(c); c = longest(c, true)) used.add(c); };
      for (const s of list) mark(longest(s, false));
      const named = new Map<string, string>();
      [...used].sort((a, b) => a.length - b.length || (a < b ? -1 : 1)).forEach((c, n) => named.set(c, `${k.toUpperCase()}_${n}`));
      this.#prefixes.set(k, named);
    }
  }

  /** A packed table as an expression: its shared start (if any) + the rest. */
  packedRef(k: PackedTable, s: string, used: Set<string>, proper = false): string {
    const named = this.#prefixes.get(k);
    let best: string | undefined;
    for (const c of named?.keys() ?? []) if (s.startsWith(c) && (!proper || c.length < s.length) && (!best || c.length > best.length)) best = c;
    if (best === undefined) return JSON.stringify(s);
    const name = named!.get(best)!;
    used.add(name);
    return best.length === s.length ? name : `${name} + ${JSON.stringify(s.slice(best.length))}`;
  }

  /** The expression for `s`: its shared constant, or a literal. */
  ref(s: string, used: Set<string>): string {
    const name = this.#names.get(s);
    if (name === undefined) return JSON.stringify(s);
    used.add(name);
    return name;
  }

  isShared(s: string): boolean {
    return this.#names.has(s);
  }

  emit(banner: string): string {
    const lines = [banner, "", "// Strings of more than one family's grammar tables (tools/exigen/emit.ts SharedStrings).", ""];
    for (const [s, name] of this.#names) lines.push(`export const ${name} = ${JSON.stringify(s)};`);
    for (const [k, named] of this.#prefixes) {
      for (const [s, name] of named) lines.push(`export const ${name} = ${this.packedRef(k, s, new Set(), true)};`);
    }
    lines.push("");
    return lines.join("\n");
  }
}

/**
 * A sorted local-name list front-coded (modules/exi/tables.ts frontDecode): each name as the
 * length of the start it shares with the previous one (an ALPHABET digit, at most 63) and the
 * rest, space separated. Sorted names share long starts (BPT_DC_CPDReq…, BPT_DC_CPDRes…).
 */
export function frontCode(names: string[]): string {
  let previous = "";
  return names.map((name) => {
    if (name.length === 0 || /[ ]/.test(name)) throw new Error(`local name ${JSON.stringify(name)} cannot be front-coded`);
    let k = 0;
    while (k < 63 && k < previous.length && k < name.length - 1 && previous[k] === name[k]) k++;
    previous = name;
    return ALPHABET[k] + name.slice(k);
  }).join(" ");
}

/** Shorter common starts of packed tables are not worth a name. */
const MIN_SHARED_START = 64;

/** Length of the common start of two packed tables, ending where a value ends. */
function commonStart(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  while (n > 0 && ALPHABET.indexOf(a[n - 1]) >= 32) n--; // a digit with the "more" bit continues the value
  return n;
}

function packedTables(t: Tables): Record<PackedTable, string> {
  const out = {} as Record<PackedTable, string>;
  for (const k of Object.keys(TABLE_LAYOUT) as PackedTable[]) out[k] = pack(differences(t[k], TABLE_LAYOUT[k]));
  return out;
}

/** The enumeration values, one U+0001-joined segment per enumerated datatype, in table order. */
function enumSegments(t: Tables): string[] {
  const runs: [number, number][] = [];
  for (let i = 0; i < t.dts.length; i += 4) if (t.dts[i] === DT_ENUM) runs.push([t.dts[i + 1], t.dts[i + 2]]);
  runs.sort((x, y) => x[0] - y[0]);
  const out: string[] = [];
  let next = 0;
  for (const [a, b] of runs) {
    if (a !== next) throw new Error("enumeration values are not one run per datatype");
    out.push(t.enums.slice(a, a + b).join("\u0001"));
    next = a + b;
  }
  if (next !== t.enums.length) throw new Error("enumeration values outside any datatype");
  return out;
}

/** The table with its difference-coded columns (modules/exi/tables.ts TABLE_LAYOUT) written as the difference to the previous row's. */
function differences(values: number[], layout: { stride: number; delta: number }): number[] {
  if (values.length % layout.stride !== 0) throw new Error("table length is not a whole number of rows");
  return values.map((v, i) => ((layout.delta >> (i % layout.stride)) & 1) && i >= layout.stride ? v - values[i - layout.stride] : v);
}

export function emitTables(t: Tables, banner: string, shared: SharedStrings): string {
  const used = new Set<string>();
  const body: string[] = [];
  // frozen: every modules/ folder is preloaded (tests/project/preload-safety.test.ts)
  body.push(`  uris: Object.freeze([${t.uris.map((u) => shared.ref(u, used)).join(",")}]),`);
  body.push(`  locals: Object.freeze([${t.locals.map((l) => shared.ref(frontCode(l), used)).join(",")}]),`);
  if (t.partitions.some((u, i) => u !== i)) body.push(`  partitions: Object.freeze(${JSON.stringify(t.partitions)}),`);
  // segments joined by U+0001 give the values in table order; consecutive unshared ones merge
  const segments: string[] = [];
  let own: string[] = [];
  const flush = () => { if (own.length) segments.push(JSON.stringify(own.join("\u0001"))); own = []; };
  for (const seg of enumSegments(t)) {
    if (shared.isShared(seg)) { flush(); segments.push(shared.ref(seg, used)); } else own.push(seg);
  }
  flush();
  body.push(`  enums: Object.freeze([${segments.join(",")}]),`);
  for (const [k, v] of Object.entries(packedTables(t)) as [PackedTable, string][]) body.push(`  ${k}: ${shared.packedRef(k, v, used)},`);
  const lines = [banner, "", `import type { PackedGrammar } from "../../tables";`];
  if (used.size) lines.push(`import { ${[...used].sort().join(", ")} } from "../shared/strings";`);
  lines.push("", "export const grammar: PackedGrammar = Object.freeze({", ...body, "});", "");
  return lines.join("\n");
}

/** One exported declaration of a family's types.ts: its name and its exact text (doc comment included). */
export interface TypeDeclaration { name: string; text: string }

/** A family's message types as separate declarations, so SharedTypes can hoist the identical ones. */
export interface FamilyTypes { declarations: TypeDeclaration[]; document: string }

export function typeDeclarations(t: Tables, roots: { local: string; child: number }[]): FamilyTypes {
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
  const declarations: TypeDeclaration[] = [{
    name: "ExiContentItem",
    text: [
      "/** Ordered content of a mixed or wildcard-bearing element (text, declared children, wildcard elements). */",
      "export type ExiContentItem = string | { [name: string]: unknown };",
    ].join("\n"),
  }];
  t.typeList.forEach((ct, i) => {
    const o = i * 5;
    if (t.types[o + 4] & 4) {
      declarations.push({ name: names.get(ct)!, text: `export type ${names.get(ct)} = ${simpleTs(ct.simple!, t.types[o + 3] - 1)};` });
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
    declarations.push({ name: names.get(ct)!, text: [`export interface ${names.get(ct)} {`, ...fields, "}"].join("\n") });
  });
  const lines: string[] = [];
  lines.push("/** Root elements of an EXI document of this schema. */");
  lines.push("export type Document =");
  const rootLines: string[] = [];
  for (const r of roots) {
    const ts = r.child >= 0 ? names.get(t.typeList[r.child])! : r.child === -0x40000000 ? "unknown" : simpleTs(t.dtList[-1 - r.child], -1 - r.child);
    rootLines.push(`  | { ${r.local}: ${ts.indexOf("|") >= 0 ? `(${ts})` : ts} }`);
  }
  lines.push(...(rootLines.length ? rootLines : ["  never"]));
  lines[lines.length - 1] += ";";
  return { declarations, document: lines.join("\n") };
}

/** Type names a text refers to (string literals, field and element names are not references). */
function referencedNames(text: string, declared: Set<string>, self = ""): string[] {
  const body = text
    .replace(/^\/\*\*.*\*\/$/gm, "")
    .replace(/"(?:[^"\\]|\\.)*"/g, "")
    .replace(/^export (?:type|interface) \w+/m, "")
    .replace(/[$\w]+\??:/g, "");
  const refs = new Set<string>();
  for (const m of body.matchAll(/[A-Za-z_$][\w$]*/g)) if (declared.has(m[0]) && m[0] !== self) refs.add(m[0]);
  return [...refs].sort();
}

/** A module of generated/shared: the families it serves, its declarations, name -> module it imports. */
interface SharedTypesModule { dirs: string[]; decls: TypeDeclaration[]; imports: Map<string, string> }

/**
 * Declarations whose text is identical in two or more families (the xmldsig types of DIN, ISO-2,
 * ISO-20 and xmldsig; the ISO-20 CommonTypes of every ISO-20 family; the DIN/ISO-2 overlap) are
 * written once under generated/shared/, one module per set of families that share them, and each
 * family's types.ts re-exports the modules of its sets, so that `Iso2.SignatureType` keeps working.
 * A declaration is shared only together with the declarations it refers to: same-named types of
 * different content (DIN's and ISO-2's MessageHeaderType, ISO-2's and ISO-20's ServiceType) stay in
 * their families, and so does anything that refers to them.
 */
export class SharedTypes {
  private readonly families: { dir: string; types: FamilyTypes }[] = [];
  private readonly modules = new Map<string, SharedTypesModule>();
  /** Per family: name -> shared module of that declaration. */
  private readonly placedIn = new Map<string, Map<string, string>>();

  add(dir: string, types: FamilyTypes): void {
    this.families.push({ dir, types });
  }

  /** Decides which declarations are shared and in which module; call after every add(). */
  seal(iso20Dirs: string[]): void {
    interface Variant { decl: TypeDeclaration; dirs: string[]; refs: string[] }
    const variants = new Map<string, Variant>(); // by name and text
    const byFamily = new Map<string, Map<string, Variant>>(); // family -> name -> variant
    for (const f of this.families) {
      const declared = new Set(f.types.declarations.map((d) => d.name));
      const own = new Map<string, Variant>();
      for (const d of f.types.declarations) {
        const key = `${d.name}\n${d.text}`;
        let v = variants.get(key);
        if (!v) variants.set(key, v = { decl: d, dirs: [], refs: referencedNames(d.text, declared, d.name) });
        v.dirs.push(f.dir);
        own.set(d.name, v);
      }
      byFamily.set(f.dir, own);
    }
    // A variant is shareable when its families agree on every variant it refers to; drop the
    // others until nothing changes (a dropped reference can make its referrers unshareable).
    const shared = new Set([...variants.values()].filter((v) => v.dirs.length > 1));
    for (let changed = true; changed;) {
      changed = false;
      for (const v of shared) {
        const ok = v.refs.every((r) => {
          const first = byFamily.get(v.dirs[0])!.get(r)!;
          return shared.has(first) && v.dirs.every((d) => byFamily.get(d)!.get(r) === first);
        });
        if (!ok) { shared.delete(v); changed = true; }
      }
    }
    const all = this.families.map((f) => f.dir);
    const moduleName = (dirs: string[]): string =>
      dirs.length === all.length ? "exi-types"
        : dirs.includes("xmldsig") ? "xmldsig-types"
        : dirs.length === iso20Dirs.length && dirs.every((d) => iso20Dirs.includes(d)) ? "iso20-common-types"
        : `${dirs.join("-")}-types`;
    const placed = new Map<Variant, string>();
    for (const v of shared) {
      const m = moduleName(v.dirs);
      const mod: SharedTypesModule = this.modules.get(m) ?? { dirs: v.dirs, decls: [], imports: new Map() };
      if (mod.dirs.join() !== v.dirs.join()) throw new Error(`shared module ${m} would serve two sets of families`);
      mod.decls.push(v.decl);
      this.modules.set(m, mod);
      placed.set(v, m);
    }
    for (const [v, m] of placed) {
      for (const r of v.refs) {
        const rm = placed.get(byFamily.get(v.dirs[0])!.get(r)!)!;
        if (rm !== m) this.modules.get(m)!.imports.set(r, rm);
      }
    }
    for (const f of this.families) {
      const own = new Map<string, string>();
      for (const v of byFamily.get(f.dir)!.values()) if (placed.has(v)) own.set(v.decl.name, placed.get(v)!);
      this.placedIn.set(f.dir, own);
    }
  }

  /** The shared modules: file name (without .ts) -> text. */
  emitModules(banner: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const [m, mod] of [...this.modules].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const lines = [banner, "", "/* eslint-disable */", ""];
      lines.push(`// Types identical in ${mod.dirs.join(", ")} (tools/exigen/emit.ts SharedTypes).`, "");
      lines.push(...importLines(mod.imports, "./"));
      for (const d of mod.decls) lines.push(d.text, "");
      out.set(m, lines.join("\n"));
    }
    return out;
  }

  emitFamily(dir: string, banner: string): string {
    const types = this.families.find((x) => x.dir === dir)!.types;
    const placed = this.placedIn.get(dir)!;
    const local = types.declarations.filter((d) => !placed.has(d.name));
    const declared = new Set(types.declarations.map((d) => d.name));
    const imports = new Map<string, string>();
    for (const text of [...local.map((d) => d.text), types.document]) {
      for (const r of referencedNames(text, declared)) if (placed.has(r)) imports.set(r, placed.get(r)!);
    }
    const lines = [banner, "", "/* eslint-disable */", ""];
    const reexports = [...new Set(placed.values())].sort();
    for (const m of reexports) lines.push(`export type * from "../shared/${m}";`);
    if (reexports.length) lines.push("");
    lines.push(...importLines(imports, "../shared/"));
    for (const d of local) lines.push(d.text, "");
    lines.push(types.document, "");
    return lines.join("\n");
  }
}

/** One `import type` line per module (one line each: the lists differ little between families). */
function importLines(imports: Map<string, string>, prefix: string): string[] {
  const byModule = new Map<string, string[]>();
  for (const [name, m] of imports) byModule.set(m, [...(byModule.get(m) ?? []), name]);
  const lines: string[] = [];
  for (const [m, names] of [...byModule].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    lines.push(`import type { ${names.sort().join(", ")} } from "${prefix}${m}";`);
  }
  if (lines.length) lines.push("");
  return lines;
}
