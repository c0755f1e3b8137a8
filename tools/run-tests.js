#!/usr/bin/env node
// The test runner behind `npm test` and `npm run test:slow`: tests/**/*.test.ts on Node
// (node:test through tsx), and the XS-eligible ones also inside the XS engine through
// tests/xs-engine.test.ts.
//
//   (no option)     the everyday set: every file not marked `@slow`
//   --slow          only the files marked `@slow` (npm run test:slow; CI runs both sets)
//   --all           both sets, one after the other
//   --node-only     skip the XS run        --xs-only   only the XS run
//   --list          print the chosen files ("node <file>", "xs <file>") instead of running them
//   any other argument: substrings of a path; only the files whose path contains one of them
//
// A file's first line (or its second) tells the runner about it:
//   `// @node-only`  not run inside XS (it needs Node: node: modules, hosts/sim, tools/)
//   `// @slow`       a long measurement or sweep: only in `--slow`/`--all`; its assertions run in
//                    CI like any other. Alone: `node tools/run-tests.js --slow <path>`.
//
// The everyday set runs one test file per core (at least two), the XS run first so that it
// overlaps the Node files. The slow set runs one file at a time: it holds the measurements that
// fill both cores by themselves (the XS stack probe) and the real-time sessions whose response
// deadlines (25 ms for CurrentDemandRes) a busy machine would miss.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const args = process.argv.slice(2);
const nodeOnly = args.includes("--node-only");
const xsOnly = args.includes("--xs-only");
const list = args.includes("--list");
const sets = args.includes("--all") ? ["everyday", "slow"] : args.includes("--slow") ? ["slow"] : ["everyday"];
const filters = args.filter((a) => !a.startsWith("--"));

const XS_DRIVER = path.join("tests", "xs-engine.test.ts");
const CORES = os.availableParallelism?.() ?? os.cpus().length;

const files = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(rel);
    else if (entry.name.endsWith(".test.ts") && rel !== XS_DRIVER) files.push(rel);
  }
})("tests");
files.sort();

/** The tags of a test file: `@node-only` on its first line, `@slow` on its first or second. */
function tags(file) {
  const [first = "", second = ""] = fs.readFileSync(file, "utf8").split("\n", 2);
  const slowTag = /^\/\/.*@slow\b/;
  return { nodeOnly: first.includes("@node-only"), slow: slowTag.test(first) || slowTag.test(second) };
}

const matching = files.filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
const setOf = (f) => (tags(f).slow ? "slow" : "everyday");

function plan(set) {
  const chosen = matching.filter((f) => setOf(f) === set);
  return {
    set,
    nodeFiles: xsOnly ? [] : chosen,
    xsFiles: nodeOnly ? [] : chosen.filter((f) => !tags(f).nodeOnly),
    concurrency: set === "slow" ? 1 : Math.max(2, CORES),
  };
}
const plans = sets.map(plan);

if (list) {
  const lines = [];
  for (const p of plans) for (const f of p.nodeFiles) lines.push(`node ${f}`);
  for (const p of plans) for (const f of p.xsFiles) lines.push(`xs ${f}`);
  // Exit once the list is written: on POSIX a write to a pipe is asynchronous (Node's "A note on
  // process I/O"), and what the pipe did not take at once is dropped by an immediate process.exit.
  // A loaded CI run of tests/project/test-sets.test.ts read an XS list missing its last 12 files.
  process.stdout.write(lines.length > 0 ? `${lines.join("\n")}\n` : "", () => process.exit(0));
} else {
  runPlans();
}

/** Runs the chosen sets: the Node files and the XS driver in one node --test per set. */
function runPlans() {
  const elsewhere = matching.filter((f) => !sets.includes(setOf(f)));
  if (filters.length > 0 && elsewhere.length > 0) {
    const how = sets.includes("slow") ? "not marked @slow: run them without --slow" : "marked @slow: add --slow (or --all)";
    console.log(`(${elsewhere.length} matching file${elsewhere.length === 1 ? " is" : "s are"} ${how}: ${elsewhere.join(", ")})`);
  }
  const runnable = plans.filter((p) => p.nodeFiles.length > 0 || p.xsFiles.length > 0);
  if (runnable.length === 0) {
    console.log("no test file matches");
    console.log("0 passed, 0 failed");
    process.exit(filters.length > 0 ? 1 : 0);
  }

  // --test-concurrency exists from Node 20.10 (node's own default: one fewer than the cores).
  const [major, minor] = process.versions.node.split(".").map(Number);
  const hasConcurrencyFlag = major > 20 || (major === 20 && minor >= 10);

  let status = 0;
  for (const { nodeFiles, xsFiles, concurrency } of runnable) {
    // The XS driver reads its list from the environment, and takes the cores the Node files leave.
    const xsWorkers = nodeFiles.length > 0 ? Math.max(1, concurrency - 1) : Math.max(2, CORES);
    const env = { ...process.env, XS_TEST_FILES: xsFiles.join("\n"), XS_TEST_WORKERS: String(xsWorkers) };
    const selected = [...(xsFiles.length > 0 ? [XS_DRIVER] : []), ...nodeFiles];
    const concurrencyArgs = hasConcurrencyFlag ? [`--test-concurrency=${concurrency}`] : [];
    const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...concurrencyArgs, ...selected], {
      stdio: "inherit",
      env,
    });
    if (result.status !== 0) status = result.status ?? 1;
  }
  process.exit(status);
}
