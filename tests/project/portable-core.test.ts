// @node-only — the portable-core rule: modules/ imports nothing but other files of modules/.
//
// That excludes node:* and Node built-ins, Moddable-only modules (embedded:*, timer,
// instrumentation, preference, flash, piu/…, …), npm packages, and hosts/. The type check
// (tsc -p modules with types: []) catches host globals; this test catches imports.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { builtinModules } from "node:module";

const ROOT = process.cwd();
const MODULES = path.join(ROOT, "modules");
/** The simulation models both simulators share: as portable as modules/, and may use it. */
const SIMULATION = path.join(ROOT, "simulation");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|js|mjs)$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** Every module specifier in a source text: static imports/exports, dynamic import(), require(). */
export function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.push(m[1]);
  return found;
}

const MODDABLE_ONLY = /^(embedded:|timer$|instrumentation$|preference$|flash$|Resource$|mc\/|piu\/|commodetto\/|pins\/|socket$|net$|wifi$|ble|securesocket$|ssl\/|crypt\/|debug$|structuredClone$)/;

export function violation(file: string, spec: string): string | undefined {
  if (spec.startsWith("node:")) return "a node: import";
  if (builtinModules.includes(spec) || builtinModules.includes(spec.split("/")[0])) return "a Node built-in";
  if (MODDABLE_ONLY.test(spec)) return "a Moddable-only module";
  if (!spec.startsWith(".")) return "a package import (the core has no dependencies)";
  const target = path.resolve(path.dirname(file), spec);
  const inSimulation = file.startsWith(SIMULATION + path.sep);
  if (!target.startsWith(MODULES + path.sep) && !(inSimulation && target.startsWith(SIMULATION + path.sep))) return inSimulation ? "an import from outside modules/ and simulation/" : "an import from outside modules/";
  return undefined;
}

test("no file under modules/ imports Node, Moddable, packages or hosts/", () => {
  const problems: string[] = [];
  for (const file of sourceFiles(MODULES)) {
    const text = fs.readFileSync(file, "utf8");
    for (const spec of specifiers(text)) {
      const why = violation(file, spec);
      if (why) problems.push(`${path.relative(ROOT, file)}: '${spec}' is ${why}`);
    }
  }
  assert.deepEqual(problems, []);
});

test("no file under simulation/ imports Node, Moddable, packages or hosts/ (both simulators run it)", () => {
  const problems: string[] = [];
  for (const file of sourceFiles(SIMULATION)) {
    const text = fs.readFileSync(file, "utf8");
    for (const spec of specifiers(text)) {
      const why = violation(file, spec);
      if (why) problems.push(`${path.relative(ROOT, file)}: '${spec}' is ${why}`);
    }
  }
  assert.deepEqual(problems, []);
  const simFile = path.join(SIMULATION, "session", "x.ts");
  assert.equal(violation(simFile, "../../hosts/sim/cli"), "an import from outside modules/ and simulation/");
  assert.equal(violation(simFile, "../cp/index"), undefined);
  assert.equal(violation(path.join(MODULES, "exi", "x.ts"), "../../simulation/cp/index"), "an import from outside modules/", "the core never imports the simulation");
});

test("the check itself recognises each kind of violation", () => {
  const file = path.join(MODULES, "exi", "x.ts");
  const text = `import fs from "node:fs";\nimport net from "net";\nimport PWM from "embedded:io/pwm";\nimport Timer from "timer";\nimport x from "esbuild";\nimport { y } from "../../hosts/sim/cli";\nconst z = await import("dgram");\nimport { ok } from "../common/index";`;
  const reasons = new Map(specifiers(text).map((s) => [s, violation(file, s)]));
  assert.equal(reasons.get("node:fs"), "a node: import");
  assert.equal(reasons.get("net"), "a Node built-in");
  assert.equal(reasons.get("dgram"), "a Node built-in");
  assert.equal(reasons.get("embedded:io/pwm"), "a Moddable-only module");
  assert.equal(reasons.get("timer"), "a Moddable-only module");
  assert.equal(reasons.get("esbuild"), "a package import (the core has no dependencies)");
  assert.equal(reasons.get("../../hosts/sim/cli"), "an import from outside modules/");
  assert.equal(reasons.get("../common/index"), undefined);
  assert.equal(reasons.size, 8);
});
