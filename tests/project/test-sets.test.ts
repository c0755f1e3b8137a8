// @node-only — npm test and npm run test:slow split the test files between them: every file
// runs in exactly one of the two sets (nothing is dropped, only moved), the XS run takes no
// `@node-only` file, and `@slow` is read from the first or second line only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isSlow, listTestFiles, runsInXs } from "../../tools/xs/test-files";
import { ROOT } from "../../tools/xs/bundle";

const XS_DRIVER = path.join("tests", "xs-engine.test.ts");

function listed(...args: string[]): { node: string[]; xs: string[] } {
  const run = spawnSync(process.execPath, ["tools/run-tests.js", "--list", ...args], { cwd: ROOT, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split("\n").filter((l) => l.length > 0);
  return {
    node: lines.filter((l) => l.startsWith("node ")).map((l) => l.slice(5)),
    xs: lines.filter((l) => l.startsWith("xs ")).map((l) => l.slice(3)),
  };
}

test("every test file is in exactly one of npm test and npm run test:slow", () => {
  const files = listTestFiles(ROOT).filter((f) => f !== XS_DRIVER);
  const fast = listed();
  const slow = listed("--slow");
  assert.deepEqual([...fast.node, ...slow.node].sort(), files, "Node: the two sets together are every file, once");
  const portable = files.filter((f) => runsInXs(ROOT, f));
  assert.deepEqual([...fast.xs, ...slow.xs].sort(), portable, "XS: the two sets together are every file without @node-only, once");
  for (const f of fast.node) assert.ok(!isSlow(ROOT, f), `${f} is marked @slow but runs in npm test`);
  for (const f of slow.node) assert.ok(isSlow(ROOT, f), `${f} runs in test:slow without the mark`);
  assert.ok(slow.node.includes(path.join("tests", "project", "device-stack.test.ts")), "the device-stack measurement is in test:slow");
  assert.deepEqual(listed("--all").node.sort(), files);
});

test("a path filter narrows both engines; --node-only and --xs-only drop one", () => {
  const duty = listed("cp-pwm/duty");
  const expected = listTestFiles(ROOT).filter((f) => f.includes("cp-pwm/duty"));
  assert.ok(expected.includes(path.join("tests", "cp-pwm", "duty.test.ts")));
  assert.deepEqual(duty.node, expected);
  assert.deepEqual(duty.xs, expected, "portable files run in XS too");
  assert.deepEqual(listed("--node-only", "cp-pwm/duty").xs, []);
  assert.deepEqual(listed("--xs-only", "cp-pwm/duty").node, []);
  assert.deepEqual(listed("device-stack").node, [], "a slow file needs --slow, even by name");
  assert.deepEqual(listed("--slow", "device-stack").node, [path.join("tests", "project", "device-stack.test.ts")]);
});

test("@slow counts on the first or second line, as a tag in a comment", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-tags-"));
  try {
    const cases: [string, boolean][] = [
      ["// @slow — a sweep\nimport x;\n", true],
      ["// @node-only @slow — a measurement\n", true],
      ["// @node-only — needs Node\n// @slow — minutes of builds\n", true],
      ["// @node-only\n//\n// @slow on the third line is prose\n", false],
      ["// @slowly is another word\n", false],
      ["const s = '@slow';\n", false],
    ];
    cases.forEach(([text], i) => fs.writeFileSync(path.join(dir, `${i}.test.ts`), text));
    cases.forEach(([text, slow], i) => assert.equal(isSlow(dir, `${i}.test.ts`), slow, JSON.stringify(text)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
