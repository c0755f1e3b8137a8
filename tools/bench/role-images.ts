// The firmware's images and what each carries: the two-role image (manifest.json, main.ts) and
// the single-role ones (hosts/esp32/charger, hosts/esp32/vehicle). The Moddable build compiles,
// links and preloads every module an image's manifest maps, imported or not, so a single-role
// manifest takes the two-role one and leaves out (its "~" list) every module its own main does
// not reach through value imports (`import type` is erased and loads nothing).
//
//   npx tsx tools/bench/role-images.ts           each image's modules, minified and XS byte code
//   npx tsx tools/bench/role-images.ts --write   rewrites the role manifests' "~" lists
//
// tests/project/role-images.test.ts checks that the committed lists are what this computes,
// that each image's module set is closed under imports and holds nothing of the other role.
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import { xsBytecodeOfFiles } from "./xs-bytecode";
import { minifiedModulesSize } from "../xs/bundle";
import type { SizeFigure } from "./workload";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type Role = "charger" | "vehicle";
export const ROLES: readonly Role[] = ["charger", "vehicle"];

/** Each image's main module and manifest (paths from the repository's root). */
export const IMAGES = {
  both: { main: "main.ts", manifest: "manifest.json" },
  charger: { main: "hosts/esp32/charger/main.ts", manifest: "hosts/esp32/charger/manifest.json" },
  vehicle: { main: "hosts/esp32/vehicle/main.ts", manifest: "hosts/esp32/vehicle/manifest.json" },
} as const;
export type ImageName = keyof typeof IMAGES;
export const IMAGE_NAMES: readonly ImageName[] = ["both", ...ROLES];

/** The platform the images are made for (their manifests' other platforms are the two-role image's). */
export const PLATFORM = "esp32";

const rel = (file: string): string => path.relative(ROOT, file).split(path.sep).join("/");

function moduleFile(base: string): string | undefined {
  for (const candidate of [`${base}.ts`, `${base}.js`, base, path.join(base, "index.ts")]) {
    if (/\.(ts|js)$/.test(candidate) && !candidate.endsWith(".d.ts") && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const importCache = new Map<string, string[]>();

/**
 * The project modules `file` loads: its value imports and re-exports, resolved to files (SDK
 * modules such as "timer" or "embedded:io/digital" are not the project's and are left out).
 * TypeScript is stripped first, as the build's tsc does, so type-only imports are gone.
 */
export function valueImports(file: string): string[] {
  const cached = importCache.get(file);
  if (cached) return cached;
  const text = fs.readFileSync(file, "utf8");
  // A .js module here holds host functions (`function f() @ "xs_f";`): XS syntax, no TypeScript.
  const js = file.endsWith(".ts") ? esbuild.transformSync(text, { loader: "ts", format: "esm", target: "es2022" }).code : text;
  const specifiers = [...js.matchAll(/(?:^|[\n;])\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']|(?:^|[\n;])\s*import\s*["']([^"']+)["']/g)].map((m) => m[1] ?? m[2]);
  const files: string[] = [];
  for (const specifier of specifiers) {
    if (!specifier.startsWith(".")) continue;
    const target = moduleFile(path.resolve(path.dirname(file), specifier));
    if (!target) throw new Error(`${rel(file)}: cannot resolve "${specifier}"`);
    files.push(target);
  }
  importCache.set(file, files);
  return files;
}

/** Every module reached from `entries` through value imports (absolute paths). */
export function importClosure(entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = entries.map((e) => path.resolve(ROOT, e));
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...valueImports(file));
  }
  return seen;
}

type Sources = string | { source: string } | (string | { source: string })[];

/** The files a manifest's `modules` source names (relative to `dir`): "x/*" a folder's modules, "x/y" one module. */
function sourceFiles(dir: string, source: string): string[] {
  if (source.startsWith("$(")) return []; // the SDK's, not the project's
  const full = path.resolve(dir, source);
  const star = path.basename(full).indexOf("*");
  if (star < 0) {
    const file = moduleFile(full);
    return file ? [file] : [];
  }
  const folder = path.dirname(full);
  const prefix = path.basename(full).slice(0, star);
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && /\.(ts|js)$/.test(name) && !name.endsWith(".d.ts"))
    .map((name) => path.join(folder, name));
}

/**
 * The project's modules a manifest maps for `platform` (its includes inside the repository
 * followed, every "~" applied, as mcconfig's combine and match passes do): what the build
 * compiles, links and may preload.
 */
export function manifestModules(manifest: string, platform = PLATFORM): Set<string> {
  const included = new Set<string>();
  const excluded = new Set<string>();
  const seen = new Set<string>();
  const read = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const m = JSON.parse(fs.readFileSync(file, "utf8"));
    const dir = path.dirname(file);
    for (const part of [m, m.platforms?.[platform] ?? {}]) {
      for (const inc of ([] as string[]).concat(part.include ?? [])) if (!inc.startsWith("$(")) read(path.resolve(dir, inc));
      for (const [target, sources] of Object.entries((part.modules ?? {}) as Record<string, Sources>)) {
        for (const s of ([] as (string | { source: string })[]).concat(sources)) {
          for (const f of sourceFiles(dir, typeof s === "string" ? s : s.source)) (target === "~" ? excluded : included).add(f);
        }
      }
    }
  };
  read(path.resolve(ROOT, manifest));
  for (const f of excluded) included.delete(f);
  return included;
}

/** What a role's image must leave out of the two-role image's modules: everything its main does not reach. */
export function roleExclusions(role: Role): string[] {
  const reached = importClosure([IMAGES[role].main]);
  const dir = path.dirname(path.resolve(ROOT, IMAGES[role].manifest));
  return [...manifestModules(IMAGES.both.manifest)]
    .filter((f) => !reached.has(f))
    .map((f) => path.relative(dir, f).split(path.sep).join("/").replace(/\.(ts|js)$/, ""))
    .sort();
}

/** The module set of each image, from its manifest. */
export function imageModules(image: ImageName): Set<string> {
  return manifestModules(IMAGES[image].manifest);
}

/** Rewrites a role manifest's "~" list (everything else in it is kept). */
export function writeRoleManifest(role: Role): boolean {
  const file = path.resolve(ROOT, IMAGES[role].manifest);
  const before = fs.readFileSync(file, "utf8");
  const m = JSON.parse(before);
  m.modules["~"] = roleExclusions(role);
  const after = `${JSON.stringify(m, null, 2)}\n`;
  if (after !== before) fs.writeFileSync(file, after);
  return after !== before;
}

/** modules/ files of a set, bundled together and minified (as sizes.ts's "modules/ (all folders, one bundle)"). */
export async function minifiedModules(files: Iterable<string>): Promise<number> {
  return minifiedModulesSize([...files].filter((f) => rel(f).startsWith("modules/") && f.endsWith(".ts")).sort());
}

export interface ImageFigures {
  image: ImageName;
  modules: number;
  coreModules: number;
  coreMinified: number;
  /** xsc bytes of every module of the image, and of its modules/ part; undefined without xsc. */
  xsc?: { all: number; core: number };
}

/** xsc bytes per file of every image (each file compiled once), or undefined without xsc. */
export function imagesBytecode(): Map<string, number> | undefined {
  const files = new Set<string>();
  for (const image of IMAGE_NAMES) for (const f of imageModules(image)) files.add(f);
  return xsBytecodeOfFiles([...files].sort());
}

export async function imageFigures(image: ImageName, bytecode: Map<string, number> | undefined): Promise<ImageFigures> {
  const files = [...imageModules(image)];
  const core = files.filter((f) => rel(f).startsWith("modules/"));
  let xsc: ImageFigures["xsc"];
  if (bytecode) {
    xsc = { all: 0, core: 0 };
    for (const file of files) {
      const n = bytecode.get(file)!;
      xsc.all += n;
      if (rel(file).startsWith("modules/")) xsc.core += n;
    }
  }
  return { image, modules: files.length, coreModules: core.length, coreMinified: await minifiedModules(core), xsc };
}

/** Bench rows (tools/bench/sizes.ts): per image, modules/ minified and the image's XS byte code. */
export function roleImageSizeFigures(): (() => Promise<SizeFigure>)[] {
  const cache = new Map<string, Promise<ImageFigures>>();
  let bytecode: Map<string, number> | undefined | null = null;
  const figures = (image: ImageName): Promise<ImageFigures> => {
    let p = cache.get(image);
    if (!p) {
      if (bytecode === null) bytecode = imagesBytecode();
      cache.set(image, (p = imageFigures(image, bytecode)));
    }
    return p;
  };
  const label = (image: ImageName): string => (image === "both" ? "esp32 image, both roles" : `esp32 image, ${image} only`);
  const rows: (() => Promise<SizeFigure>)[] = [];
  for (const image of IMAGE_NAMES) {
    rows.push(async () => {
      const f = await figures(image);
      return { name: `${label(image)}: modules/ minified`, bytes: f.coreMinified, note: `${f.coreModules} of modules/, one bundle` };
    });
    rows.push(async () => {
      const f = await figures(image);
      return f.xsc
        ? { name: `${label(image)}: XS byte code`, bytes: f.xsc.all, note: `xsc, ${f.modules} modules (modules/ ${f.xsc.core} B)` }
        : { name: `${label(image)}: XS byte code`, bytes: 0, note: "skipped: no xsc ($MODDABLE)" };
    });
  }
  return rows;
}

if (process.argv[1]?.endsWith("role-images.ts")) {
  if (process.argv.includes("--write")) {
    for (const role of ROLES) console.log(`${IMAGES[role].manifest}: ${writeRoleManifest(role) ? "rewritten" : "unchanged"}`);
  } else {
    const bytecode = imagesBytecode();
    for (const image of IMAGE_NAMES) {
      const f = await imageFigures(image, bytecode);
      console.log(`${image.padEnd(8)} ${String(f.modules).padStart(4)} modules (${f.coreModules} of modules/)  modules/ minified ${f.coreMinified} B  xsc ${f.xsc ? `${f.xsc.all} B (modules/ ${f.xsc.core} B)` : "(no xsc)"}`);
    }
  }
}
