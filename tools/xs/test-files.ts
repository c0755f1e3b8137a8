// Which test files exist, and which of them also run inside XS.

import * as fs from "node:fs";
import * as path from "node:path";

/** Every tests/**\/*.test.ts file, relative to `root`, sorted. */
export function listTestFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".test.ts")) out.push(rel);
    }
  };
  walk("tests");
  return out.sort();
}

/** A test file runs in XS unless its first line says `// @node-only`. */
export function runsInXs(root: string, file: string): boolean {
  const head = fs.readFileSync(path.join(root, file), "utf8").split("\n", 1)[0];
  return !head.includes("@node-only");
}

/** `// @slow` on the first or second line: only in `npm run test:slow` (tools/run-tests.js reads the same tag). */
export function isSlow(root: string, file: string): boolean {
  const [first = "", second = ""] = fs.readFileSync(path.join(root, file), "utf8").split("\n", 2);
  const tag = /^\/\/.*@slow\b/;
  return tag.test(first) || tag.test(second);
}
