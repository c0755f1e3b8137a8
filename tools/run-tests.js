#!/usr/bin/env node
// npm test's runner: every tests/**/*.test.ts on Node (node:test through tsx); the XS-eligible
// ones also inside the XS engine through tests/xs-engine.test.ts.
//   --node-only   skip the XS run        --xs-only   only the XS run
//   any other argument: a substring that selects test files (applies to both engines)

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const args = process.argv.slice(2);
const nodeOnly = args.includes("--node-only");
const xsOnly = args.includes("--xs-only");
const filters = args.filter((a) => !a.startsWith("--"));

const files = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(rel);
    else if (entry.name.endsWith(".test.ts")) files.push(rel);
  }
})("tests");
files.sort();

const XS_DRIVER = path.join("tests", "xs-engine.test.ts");
const selected = files.filter((f) => {
  if (f === XS_DRIVER) return !nodeOnly;
  if (xsOnly) return false;
  return filters.length === 0 || filters.some((s) => f.includes(s));
});

const env = { ...process.env };
if (filters.length > 0) env.XS_TEST_FILTER = filters[0];

const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...selected], {
  stdio: "inherit",
  env,
});
process.exit(result.status ?? 1);
