// @node-only — the native QCA7000 driver's framing (hosts/esp32/qca7000/qca7000-frame.c,
// compiled here with the host's C compiler) against the JavaScript driver's
// (modules/slac/qca7000.ts): the same framed bytes for every size, the same frames out of the
// same read-buffer stream — whole, byte by byte, and with garbage, a bad SOF, a bad length and a
// bad EOF to re-synchronise after — and the same count of framing errors. Skips without `cc`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { toHex } from "../../modules/common/index";
import { Qca7000FrameDecoder, qcaFrame, qcaHostFrame } from "../../modules/slac/qca7000";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SOURCE = path.join(ROOT, "hosts/esp32/qca7000");
const hasCc = spawnSync("cc", ["--version"]).status === 0;

function ethFrame(tag: number, length: number): Uint8Array {
  const f = new Uint8Array(length);
  f.set([2, 0, 0, 0, 0, 0x99, 2, 0, 0, 0, 0, 0x11, 0x88, 0xe1]);
  for (let i = 14; i < length; i++) f[i] = (tag * 7 + i) & 0xff;
  return f;
}

test("the C framing and deframing match the JavaScript driver's", { skip: hasCc ? false : "no C compiler (cc)" }, (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-qca7000-c-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const program = path.join(dir, "frame-check");
  execFileSync("cc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", `-I${SOURCE}`, path.join(SOURCE, "qca7000-frame.c"), path.join(ROOT, "tests/slac/support/qca7000-frame-main.c"), "-o", program]);

  const sizes = [14, 59, 60, 61, 300, 1514, 1522];
  const good = [ethFrame(1, 64), ethFrame(2, 300), ethFrame(3, 1514)];
  const badSof = qcaHostFrame(good[0]);
  badSof[6] = 0;
  const badEof = qcaHostFrame(good[1]);
  badEof[badEof.length - 2] = 0;
  const badLength = qcaHostFrame(good[0]);
  badLength[8] = 10;
  badLength[9] = 0;
  const stream = [Uint8Array.of(1, 2, 3, 0xaa, 0x55), badSof, qcaHostFrame(good[0]), badEof, badLength, qcaHostFrame(good[1]), qcaHostFrame(good[2])];
  const whole = new Uint8Array(stream.reduce((n, s) => n + s.length, 0));
  stream.reduce((at, s) => (whole.set(s, at), at + s.length), 0);

  const lines: string[] = [];
  for (const size of sizes) lines.push(`F ${toHex(ethFrame(size, size))}`);
  lines.push(`D ${toHex(whole)}`, "E");
  for (let i = 0; i < whole.length; i++) lines.push(`D ${toHex(whole.subarray(i, i + 1))}`);
  lines.push("E");
  const output = execFileSync(program, { input: lines.join("\n") + "\n" }).toString().trim().split("\n");

  const expected: string[] = [];
  for (const size of sizes) expected.push(`F ${toHex(qcaFrame(ethFrame(size, size)))}`);
  const decoder = new Qca7000FrameDecoder();
  for (const frame of decoder.push(whole)) expected.push(`D ${toHex(frame)}`);
  expected.push(`E ${decoder.framingErrors}`);
  for (let i = 0; i < whole.length; i++) for (const frame of decoder.push(whole.subarray(i, i + 1))) expected.push(`D ${toHex(frame)}`);
  expected.push(`E ${decoder.framingErrors}`);

  assert.deepEqual(output, expected);
  assert.equal(output.filter((l) => l.startsWith("D ")).length, 6, "the three good frames, twice");
  assert.ok(decoder.framingErrors >= 6, `${decoder.framingErrors} framing errors`);
});
