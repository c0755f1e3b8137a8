// @node-only — runs every portable test file inside the XS engine and reports each case here.
//
// The XS-eligible tests (all tests/**/*.test.ts without `// @node-only` on the first line) are
// bundled into one script (tools/xs/bundle.ts), evaluated in an xsnap worker, and each case's
// result becomes a Node subtest named "[xs] <file> > <case>", so a failure inside XS fails
// `npm test` with the case's name. XS_TEST_FILTER=<substring> narrows the set of files.

import { test } from "node:test";
import assert from "node:assert/strict";
import { bundleForXs, ROOT } from "../tools/xs/bundle";
import { listTestFiles, runsInXs } from "../tools/xs/test-files";
import { runXsTests } from "../tools/xs/run-xs-tests";

const filter = process.env.XS_TEST_FILTER;
const files = listTestFiles(ROOT).filter((f) => runsInXs(ROOT, f) && (!filter || f.includes(filter)));

test("XS engine: portable test files", { skip: filter && files.length === 0 ? `no XS-eligible file matches '${filter}'` : false }, async (t) => {
  assert.ok(files.length > 0, "no XS-eligible test files found");
  const { reports, error } = await runXsTests(files);
  for (const report of reports) {
    await t.test(`[xs] ${report.name}`, { skip: report.status === "skip" ? (report.message ?? "skipped") : false }, () => {
      if (report.status === "fail") assert.fail(report.message ?? "failed inside XS");
    });
  }
  if (error) assert.fail(error);
});

export { bundleForXs };
