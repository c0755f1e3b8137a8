// @node-only — self-test of the XS harness: a failure inside XS must come back with its name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runXsTests } from "../../tools/xs/run-xs-tests";

test("the XS harness reports each case by name, failures included", async () => {
  const { reports, error } = await runXsTests(["tests/harness/fixtures/mixed-results.ts"]);
  assert.equal(error, undefined);
  const byName = new Map(reports.map((r) => [r.name, r]));
  const prefix = "tests/harness/fixtures/mixed-results.ts > fixture > ";
  assert.equal(byName.get(`${prefix}passes inside XS`)?.status, "pass");
  const failed = byName.get(`${prefix}fails inside XS on purpose`);
  assert.equal(failed?.status, "fail");
  assert.match(failed!.message!, /AssertionError/);
  assert.equal(byName.get(`${prefix}async case that rejects`)?.status, "fail");
  assert.match(byName.get(`${prefix}async case that rejects`)!.message!, /rejected on purpose/);
  assert.equal(byName.get(`${prefix}skipped case`)?.status, "skip");
});

test("the code under test really runs in XS, not in Node", async () => {
  // xsnap's globals include `print` and `harden`, which Node does not have; a bundle that
  // checks for them fails on Node and passes only inside XS.
  const { reports } = await runXsTests(["tests/harness/fixtures/engine-probe.ts"]);
  assert.deepEqual(reports.map((r) => r.status), ["pass"]);
});
