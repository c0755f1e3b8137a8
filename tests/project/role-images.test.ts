// @node-only — the single-role firmware images (hosts/esp32/charger, hosts/esp32/vehicle) carry
// their own role and nothing of the other's, and build: every module they map is there for
// each value import of theirs (checked here on the sources, without the SDK).
//
// The Moddable build compiles, links and may preload every module a manifest maps, imported or
// not; so what an image weighs is its manifest's module set, which tools/bench/role-images.ts
// resolves as mcconfig does (the includes inside the repository, wildcards, "~").

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { IMAGES, PLATFORM, ROLES, ROOT, imageModules, importClosure, roleExclusions, valueImports } from "../../tools/bench/role-images";
import type { Role } from "../../tools/bench/role-images";

const rel = (file: string): string => path.relative(ROOT, file).split(path.sep).join("/");

/**
 * What belongs to one role only, written out here (not derived from the imports): a charger's
 * image must hold none of the vehicle's, and the other way round.
 */
const ROLE_ONLY: Record<Role, RegExp[]> = {
  charger: [
    /^modules\/statemachine\/secc\//,
    /^modules\/statemachine\/(din|iso2|iso20)\/secc-/,
    /^modules\/statemachine\/iso20\/(wpt|acdp)-secc\.ts$/,
    /^modules\/statemachine\/index\.ts$/, // the SECC's barrel
    /^modules\/station\/(secc-service|charger-link|charger-assembly|charger-firmware|persistence)\.ts$/,
    /^modules\/slac\/evse\.ts$/,
    /^modules\/cp-pwm\/charger\.ts$/,
    /^hosts\/esp32\/charger\//,
  ],
  vehicle: [
    /^modules\/statemachine\/evcc\//,
    /^modules\/statemachine\/iso20\/(evcc-|wpt-evcc|acdp-evcc)/,
    /^modules\/station\/(evcc-service|vehicle-link|vehicle-assembly|vehicle-firmware)\.ts$/,
    /^modules\/slac\/ev\.ts$/,
    /^modules\/cp-pwm\/vehicle\.ts$/,
    /^hosts\/esp32\/vehicle\//,
  ],
};

const other = (role: Role): Role => (role === "charger" ? "vehicle" : "charger");

test("the two-role image's manifest maps every module main.ts reaches (the resolver reads the manifests as mcconfig does)", () => {
  const mapped = imageModules("both");
  const missing = [...importClosure([IMAGES.both.main])].filter((f) => !mapped.has(f)).map(rel);
  assert.deepEqual(missing, []);
  // and both roles' code is in it
  for (const role of ROLES) assert.ok([...mapped].some((f) => ROLE_ONLY[role].some((r) => r.test(rel(f)))), role);
});

for (const role of ROLES) {
  test(`${role} image: its manifest takes the two-role one, names its main and role, and leaves out what tools/bench/role-images.ts computes`, () => {
    const m = JSON.parse(fs.readFileSync(path.join(ROOT, IMAGES[role].manifest), "utf8"));
    assert.deepEqual(m.include, ["../../../manifest.json"]);
    assert.equal(m.config.role, role);
    assert.equal(m.creation.main, `hosts/esp32/${role}/main`);
    assert.equal(m.modules[`hosts/esp32/${role}/main`], "./main");
    assert.deepEqual(m.modules["~"], roleExclusions(role), `${IMAGES[role].manifest} is out of date: npx tsx tools/bench/role-images.ts --write`);
  });

  test(`${role} image: closed under value imports — every module it maps finds each of its imports mapped too`, () => {
    const mapped = imageModules(role);
    const holes: string[] = [];
    for (const file of mapped) for (const target of valueImports(file)) if (!mapped.has(target)) holes.push(`${rel(file)} → ${rel(target)}`);
    assert.deepEqual(holes, []);
    assert.ok(mapped.has(path.join(ROOT, IMAGES[role].main)));
    for (const file of importClosure([IMAGES[role].main])) assert.ok(mapped.has(file), rel(file));
  });

  test(`${role} image: holds nothing of the ${other(role)}'s code, and all of its own role's that its main reaches`, () => {
    const files = [...imageModules(role)].map(rel);
    assert.deepEqual(files.filter((f) => ROLE_ONLY[other(role)].some((r) => r.test(f))), []);
    // nothing left in it that its main does not reach (the image carries no dead modules)
    const reached = new Set([...importClosure([IMAGES[role].main])].map(rel));
    assert.deepEqual(files.filter((f) => !reached.has(f)), []);
  });
}

/** Every preload name of a manifest for the platform, its includes inside the repository followed. */
function preloads(file: string, out = new Set<string>()): Set<string> {
  const m = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const part of [m, m.platforms?.[PLATFORM] ?? {}]) {
    for (const name of part.preload ?? []) out.add(name);
    for (const inc of ([] as string[]).concat(part.include ?? [])) if (!inc.startsWith("$(")) preloads(path.resolve(path.dirname(file), inc), out);
  }
  return out;
}

test("every module of a role image but its main is preloaded by name (through the two-role image's lists), as in that image", () => {
  for (const role of ROLES) {
    const preload = preloads(path.join(ROOT, IMAGES[role].manifest));
    for (const file of imageModules(role)) {
      const name = rel(file).replace(/\.(ts|js)$/, "");
      if (name === `hosts/esp32/${role}/main`) continue; // it runs, as main.ts does, unpreloaded
      assert.ok(preload.has(name), `${role}: ${name} is not preloaded`);
    }
  }
});
