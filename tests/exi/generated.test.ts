// @node-only
// The committed grammar tables and message types are exactly what tools/exigen generates from
// ../shared/schemas (deterministic generation; nobody edited the generated files).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { generate, generateNodeFast, NODE_FAST_DIR } from "../../tools/exigen/main";
import { hasShared, SHARED_DIR, sharedSkip } from "../support/shared";

test("modules/exi/generated is up to date (npm run generate)", { skip: sharedSkip() }, () => {
  if (!hasShared()) return;
  const tmp = mkdtempSync(path.join(tmpdir(), "exigen-"));
  try {
    const written = generate(path.join(SHARED_DIR, "schemas"), tmp);
    assert.ok(written.length >= 18);
    const committed = path.resolve("modules/exi/generated");
    for (const file of written) {
      const rel = path.relative(tmp, file);
      const mine = readFileSync(path.join(committed, rel), "utf8");
      assert.ok(mine === readFileSync(file, "utf8"), `${rel} differs from the generator's output: run npm run generate`);
    }
    const dirs = readdirSync(committed).filter((d) => !d.includes("."));
    assert.deepEqual(dirs.sort(), readdirSync(tmp).sort(), "no stale generated folders");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test(`${NODE_FAST_DIR} (the Node host's every-message codecs) is up to date (npm run generate)`, { skip: sharedSkip() }, () => {
  if (!hasShared()) return;
  const tmp = mkdtempSync(path.join(tmpdir(), "exigen-node-"));
  try {
    const written = generateNodeFast(path.join(SHARED_DIR, "schemas"), tmp);
    const committed = path.resolve(NODE_FAST_DIR);
    for (const file of written) {
      const rel = path.relative(tmp, file);
      assert.ok(readFileSync(path.join(committed, rel), "utf8") === readFileSync(file, "utf8"), `${NODE_FAST_DIR}/${rel} differs from the generator's output: run npm run generate`);
    }
    assert.deepEqual(readdirSync(committed).sort(), readdirSync(tmp).sort(), "no stale generated folders");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("generation is deterministic", { skip: sharedSkip() }, () => {
  if (!hasShared()) return;
  const a = mkdtempSync(path.join(tmpdir(), "exigen-a-"));
  const b = mkdtempSync(path.join(tmpdir(), "exigen-b-"));
  try {
    const wa = generate(path.join(SHARED_DIR, "schemas"), a);
    generate(path.join(SHARED_DIR, "schemas"), b);
    for (const f of wa) assert.equal(readFileSync(f, "utf8"), readFileSync(path.join(b, path.relative(a, f)), "utf8"));
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
