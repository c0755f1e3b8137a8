// @node-only — every host function a JavaScript module under hosts/ declares (`@ "name"`, the
// Moddable way) is defined by a C file of the same module set, so a build does not stop at the
// link (or, on a board, at an unresolved symbol) when a binding is renamed or moved: the socket
// binding is shared by hosts/linux and the ESP32 (hosts/native-net), and neither the ESP-IDF link
// nor a fresh Moddable Linux build can run on every change here.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = process.cwd();

function files(dir: string, ending: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const name = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(name, ending));
    else if (entry.name.endsWith(ending)) out.push(name);
  }
  return out;
}

test("each host function declared in hosts/**/*.js is defined in the C of its folder", () => {
  const declared = files("hosts", ".js").flatMap((file) =>
    [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/@\s*"(\w+)"/g)].map((m) => ({ file, name: m[1] })),
  );
  assert.ok(declared.some((d) => d.file === path.join("hosts", "native-net", "sockets.js")), "the shared socket binding is seen");
  for (const { file, name } of declared) {
    const folder = path.dirname(file);
    const sources = files(folder, ".c").map((c) => fs.readFileSync(path.join(ROOT, c), "utf8"));
    // A host function takes the machine; a class's destructor takes its host data.
    const defined = new RegExp(`^void ${name}\\((xsMachine \\*the|void \\*\\w+)\\)$`, "m");
    assert.ok(sources.some((c) => defined.test(c)), `${file}: ${name} is not defined in ${folder}/*.c`);
  }
});
