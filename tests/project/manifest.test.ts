// @node-only — manifest.json stays a buildable Moddable manifest for the files we have.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = process.cwd();
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "manifest.json"), "utf8"));

function dirsWithSources(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true });
  if (entries.some((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))) out.push(dir);
  for (const e of entries) if (e.isDirectory()) out.push(...dirsWithSources(path.join(dir, e.name)));
  return out;
}

function modulesIn(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).map((f) => `${dir.split(path.sep).join("/")}/${f.slice(0, -3)}`);
}

test("every folder of TypeScript under modules/ is mapped, and every module preloaded by name", () => {
  // mcconfig (SDK 8.2.3, filterPreload) matches a wildcard preload entry ("modules/exi/*")
  // against .js modules only: TypeScript modules are preloaded only when named one by one.
  const preload = new Set<string>(manifest.preload);
  for (const dir of dirsWithSources("modules")) {
    const spec = `${dir.split(path.sep).join("/")}/*`;
    assert.equal(manifest.modules[spec], `./${spec}`, `manifest.json modules lacks "${spec}"`);
    for (const name of modulesIn(dir)) assert.ok(preload.has(name), `manifest.json preload lacks "${name}"`);
  }
  for (const name of manifest.preload as string[]) {
    assert.ok(!name.includes("*"), `preload "${name}": a wildcard matches no TypeScript module`);
    assert.ok(fs.existsSync(path.join(ROOT, `${name}.ts`)), `preload "${name}": no such module`);
  }
});

/** A folder that is an image's own (a manifest.json naming its main: hosts/esp32/charger, vehicle). */
function imageFolder(dir: string): boolean {
  const file = path.join(ROOT, dir, "manifest.json");
  return fs.existsSync(file) && typeof JSON.parse(fs.readFileSync(file, "utf8")).creation?.main === "string";
}

test("every folder of TypeScript under hosts/esp32 is mapped for esp32, and every module of it preloaded by name", () => {
  const preload = new Set<string>(manifest.platforms.esp32.preload);
  // The single-role images' folders hold their main only, mapped by their own manifest
  // (tests/project/role-images.test.ts).
  for (const dir of dirsWithSources("hosts/esp32").filter((d) => !imageFolder(d))) {
    const spec = `${dir.split(path.sep).join("/")}/*`;
    assert.equal(manifest.platforms.esp32.modules[spec], `./${spec}`, `esp32 modules lacks "${spec}"`);
    // As for modules/: a wildcard preload entry matches no TypeScript module (mcconfig 8.2.3).
    for (const name of modulesIn(dir)) assert.ok(preload.has(name), `esp32 preload lacks "${name}"`);
  }
  for (const name of preload) {
    assert.ok(!name.includes("*"), `esp32 preload "${name}": a wildcard matches no TypeScript module`);
    assert.ok(fs.existsSync(path.join(ROOT, `${name}.ts`)), `esp32 preload "${name}": no such module`);
  }
});

test("the RP2350 maps every module of hosts/esp32 that main.ts and its start (hosts/esp32/boot.ts) import", () => {
  // hosts/rp2350/manifest.json names the ESP32 board's modules it shares one by one (the root
  // manifest maps hosts/esp32/* for esp32 only); one main.ts imports that is not mapped there
  // fails the RP2350 build at link time, which only the slow rp2350-build test would see.
  const rp2350 = JSON.parse(fs.readFileSync(path.join(ROOT, "hosts/rp2350/manifest.json"), "utf8"));
  for (const file of ["main.ts", "hosts/esp32/boot.ts"]) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    for (const m of text.matchAll(/^import (?!type )[^;]*?from "(\.[^"]+)";/gm)) {
      const name = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), m[1])).split(path.sep).join("/");
      if (!name.startsWith("hosts/esp32/")) continue;
      assert.ok(rp2350.modules[name], `hosts/rp2350/manifest.json does not map ${name} (imported by ${file})`);
      assert.ok(rp2350.preload.includes(name), `hosts/rp2350/manifest.json does not preload ${name}`);
    }
  }
});

test("the TypeScript options current Moddable SDKs need with TypeScript 5.x are set", () => {
  const options = manifest.typescript.tsconfig.compilerOptions;
  assert.deepEqual(options.lib, ["es2024"]);
  assert.equal(options.target, "es2024");
  assert.deepEqual(manifest.modules["*"], ["./main"]);
});

/** Every `modules` object of a manifest (top level and per platform) with the manifest's folder. */
function moduleMaps(file: string): { dir: string; modules: Record<string, string | string[]> }[] {
  const m = JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
  const dir = path.dirname(path.join(ROOT, file));
  const maps = m.modules ? [{ dir, modules: m.modules }] : [];
  for (const platform of Object.values(m.platforms ?? {}) as { modules?: Record<string, string | string[]> }[]) {
    if (platform.modules) maps.push({ dir, modules: platform.modules });
  }
  return maps;
}

test("no tsconfig.json is compiled as a JSON module: a wildcard over a folder that has one excludes it with ~", () => {
  // mcconfig takes every .json a wildcard matches as a module; xsc then fails on a tsconfig's comments.
  for (const file of ["manifest.json", "hosts/mcsim/manifest.json"]) {
    for (const { dir, modules } of moduleMaps(file)) {
      const excluded = ([] as string[]).concat(modules["~"] ?? []);
      for (const [name, source] of Object.entries(modules)) {
        if (name === "~") continue;
        for (const s of ([] as string[]).concat(source)) {
          if (!s.endsWith("/*")) continue;
          const folder = s.slice(0, -2);
          if (fs.existsSync(path.join(dir, folder, "tsconfig.json"))) assert.ok(excluded.includes(`${folder}/tsconfig`), `${file}: ${name} takes ${folder}/tsconfig.json`);
        }
      }
    }
  }
});

test("the desktop simulator (lin, mac, win) builds hosts/mcsim: the whole session on the same preload list", () => {
  for (const platform of ["lin", "mac", "win"]) assert.equal(manifest.platforms[platform].include, "./hosts/mcsim/manifest.json");
  const mcsim = JSON.parse(fs.readFileSync(path.join(ROOT, "hosts/mcsim/manifest.json"), "utf8"));
  assert.equal(mcsim.creation.main, "hosts/mcsim/main");
  assert.equal(mcsim.preload, undefined, "the preload list is the root manifest's");
});

test("every folder of the simulation is mapped for the Moddable simulator", () => {
  const mcsim = JSON.parse(fs.readFileSync(path.join(ROOT, "hosts/mcsim/manifest.json"), "utf8"));
  for (const dir of dirsWithSources("simulation")) {
    const spec = `${dir.split(path.sep).join("/")}/*`;
    assert.equal(mcsim.modules[spec], `../../${spec}`, `hosts/mcsim/manifest.json modules lacks "${spec}"`);
  }
});

test("no Moddable manifest maps hosts/sim/exi-fast: the Node host's generated codecs never reach XS or the firmware", () => {
  // modules/ and simulation/ import nothing from hosts/ (portable-core.test.ts), so only a
  // manifest could bring the Node-only every-message code (~700 KB minified) into a build
  const manifests: string[] = [];
  (function walk(dir: string): void {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name.startsWith(".")) continue;
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (/^manifest.*\.json$/.test(e.name)) manifests.push(rel);
    }
  })(".");
  assert.ok(manifests.includes("manifest.json") && manifests.includes(path.join("hosts", "mcsim", "manifest.json")), manifests.join(", "));
  for (const file of manifests) {
    for (const { dir, modules } of moduleMaps(file)) {
      for (const source of Object.values(modules).flatMap((s) => ([] as string[]).concat(s))) {
        const target = path.relative(ROOT, path.resolve(dir, source)).split(path.sep).join("/");
        // a wildcard takes one folder's files: "hosts/sim/*" would not take exi-fast's subfolders
        assert.ok(!target.startsWith("hosts/sim/exi-fast"), `${file} maps ${source} (${target})`);
      }
    }
  }
});
