// @node-only — no `continue` out of a `switch` in modules/: XS (xsnap's build) leaks one stack
// slot each time one is taken, so a loop that does it per event overflows the engine's stack on
// long input (tests/exi/stack.test.ts shows the decoder case). Leave the switch with `break`.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(p, out);
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** `continue` statements whose nearest enclosing loop-or-switch is a switch. */
function continuesInSwitch(file: string): number[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const lines: number[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isContinueStatement(n)) {
      let p: ts.Node | undefined = n.parent;
      while (p && !ts.isIterationStatement(p, false) && !ts.isSwitchStatement(p) && !ts.isFunctionLike(p)) p = p.parent;
      if (p && ts.isSwitchStatement(p)) lines.push(sf.getLineAndCharacterOfPosition(n.getStart()).line + 1);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return lines;
}

test("modules/ and hosts/esp32 take no `continue` out of a `switch` (an XS stack leak)", () => {
  const found: string[] = [];
  for (const root of ["modules", path.join("hosts", "esp32")]) {
    if (!fs.existsSync(root)) continue;
    for (const file of sources(root)) for (const line of continuesInSwitch(file)) found.push(`${file}:${line}`);
  }
  assert.deepEqual(found, []);
});
