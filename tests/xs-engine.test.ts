// @node-only — runs every portable test file inside the XS engine and reports each case here.
//
// The XS-eligible tests (tests/**/*.test.ts without `// @node-only` on the first line) are
// bundled (tools/xs/bundle.ts) and evaluated in xsnap workers, and each case's result becomes
// a Node subtest named "[xs] <file> > <case>", so a failure inside XS fails `npm test` with the
// case's name. Which files: XS_TEST_FILES (newline-separated, set by tools/run-tests.js), else
// every XS-eligible file not marked `@slow`, narrowed by XS_TEST_FILTER=<substring>.
// XS_TEST_WORKERS: how many workers share the files (default: 2, the reference machine's cores).

import { test } from "node:test";
import assert from "node:assert/strict";
import { bundleForXs, ROOT } from "../tools/xs/bundle";
import { isSlow, listTestFiles, runsInXs } from "../tools/xs/test-files";
import { runXsTests } from "../tools/xs/run-xs-tests";

const filter = process.env.XS_TEST_FILTER;
const files =
  process.env.XS_TEST_FILES !== undefined
    ? process.env.XS_TEST_FILES.split("\n").filter((f) => f.length > 0)
    : listTestFiles(ROOT).filter((f) => runsInXs(ROOT, f) && !isSlow(ROOT, f) && (!filter || f.includes(filter)));
const workers = Number(process.env.XS_TEST_WORKERS ?? 2);

test("XS engine: portable test files", { skip: filter && files.length === 0 ? `no XS-eligible file matches '${filter}'` : false }, async (t) => {
  assert.ok(files.length > 0, "no XS-eligible test files found");
  const { reports, error } = await runXsTests(files, workers);
  for (const report of reports) {
    await t.test(`[xs] ${report.name}`, { skip: report.status === "skip" ? (report.message ?? "skipped") : false }, () => {
      if (report.status === "fail") assert.fail(report.message ?? "failed inside XS");
    });
  }
  // Where the XS run spends its time: the files that take a second or more, slowest first.
  const perFile = new Map<string, number>();
  for (const r of reports) {
    const file = r.name.split(" > ", 1)[0];
    perFile.set(file, (perFile.get(file) ?? 0) + (r.ms ?? 0));
  }
  for (const [file, ms] of [...perFile].sort((a, b) => b[1] - a[1])) if (ms >= 1000) t.diagnostic(`XS time ${(ms / 1000).toFixed(1)} s: ${file}`);
  if (error) assert.fail(error);
});

export { bundleForXs };
