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

test("every folder of TypeScript under modules/ is mapped and preloaded", () => {
  for (const dir of dirsWithSources("modules")) {
    const spec = `${dir.split(path.sep).join("/")}/*`;
    assert.equal(manifest.modules[spec], `./${spec}`, `manifest.json modules lacks "${spec}"`);
    assert.ok(manifest.preload.includes(spec), `manifest.json preload lacks "${spec}"`);
  }
});

test("every folder of TypeScript under hosts/esp32 is mapped for esp32", () => {
  for (const dir of dirsWithSources("hosts/esp32")) {
    const spec = `${dir.split(path.sep).join("/")}/*`;
    assert.equal(manifest.platforms.esp32.modules[spec], `./${spec}`, `esp32 modules lacks "${spec}"`);
  }
});

test("the TypeScript options current Moddable SDKs need with TypeScript 5.x are set", () => {
  const options = manifest.typescript.tsconfig.compilerOptions;
  assert.deepEqual(options.lib, ["es2024"]);
  assert.equal(options.target, "es2024");
  assert.deepEqual(manifest.modules["*"], ["./main"]);
});
