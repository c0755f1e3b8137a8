// @node-only — hosts/esp32/ota/update-crypto.c (the update path's SHA-256 and ECDSA P-256 on the
// PSA Crypto API, as ESP-IDF v6.0's mbedTLS 4 wants) run on Linux against the mbedTLS 3.6 build
// (tests/support/mbedtls.ts; skips where there is none) on a stand-in for the XS C API
// (support/xs-stub), and checked against node:crypto: digests in any split, signatures by fresh
// keys, and every malformed input refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { toHex } from "../../modules/common/index";
import { mbedtlsLibraries, mbedtlsPrefix, mbedtlsSkip } from "../support/mbedtls";

const ROOT = process.cwd();
const SUPPORT = path.join(ROOT, "tests/ota/support");
const skip = mbedtlsSkip();

function hex(bytes: Uint8Array): string {
  return bytes.length === 0 ? "-" : toHex(bytes);
}

/** The uncompressed public point 04‖X‖Y of a node:crypto P-256 key. */
function publicPoint(key: crypto.KeyObject): Uint8Array {
  const der = key.export({ type: "spki", format: "der" });
  return new Uint8Array(der.subarray(der.length - 65));
}

test("update-crypto.c on PSA Crypto: SHA-256 in pieces and ECDSA P-256 agree with node:crypto, and malformed input is refused", { skip }, (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-update-crypto-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const prefix = mbedtlsPrefix()!;
  const program = path.join(dir, "update-crypto");
  execFileSync("cc", [
    "-std=c99", "-D_DEFAULT_SOURCE", "-Wall", "-Wextra", "-Werror", "-O1",
    `-I${path.join(SUPPORT, "xs-stub")}`, `-I${path.join(prefix, "include")}`,
    path.join(ROOT, "hosts/esp32/ota/update-crypto.c"), path.join(SUPPORT, "update-crypto-main.c"),
    "-o", program, ...mbedtlsLibraries(prefix),
  ]);

  const commands: string[] = [];
  const expected: string[] = [];
  // Digests: empty, one byte, block edges, and 192 KiB hashed in 4 KiB pieces like the updater's slot.
  const random = (n: number) => new Uint8Array(crypto.randomBytes(n));
  for (const data of [new Uint8Array(0), Uint8Array.of(0x61), random(55), random(64), random(65), random(4096 + 7)]) {
    const sha = crypto.createHash("sha256").update(data).digest("hex");
    commands.push(`S ${hex(data)}`);
    expected.push(`S ${sha}`);
    const cut = Math.floor(data.length / 3);
    commands.push(`S ${hex(data.subarray(0, cut))} - ${hex(data.subarray(cut))}`);
    expected.push(`S ${sha}`);
  }
  const slot = random(48 * 4096);
  const pieces: string[] = [];
  for (let at = 0; at < slot.length; at += 4096) pieces.push(hex(slot.subarray(at, at + 4096)));
  commands.push(`S ${pieces.join(" ")}`);
  expected.push(`S ${crypto.createHash("sha256").update(slot).digest("hex")}`);
  commands.push("T");
  expected.push("T digest already taken");

  // Signatures: r‖s (IEEE P1363), as modules/ota/image.ts signs.
  for (let i = 0; i < 8; i++) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const point = publicPoint(publicKey);
    const message = random(1 + i * 97);
    const signature = new Uint8Array(crypto.sign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" }));
    commands.push(`V ${hex(point)} ${hex(message)} ${hex(signature)}`);
    expected.push("V 1");
    const flipped = signature.slice();
    flipped[i * 7] ^= 0x10;
    commands.push(`V ${hex(point)} ${hex(message)} ${hex(flipped)}`);
    expected.push("V 0");
    const other = message.slice();
    other[0] ^= 1;
    commands.push(`V ${hex(point)} ${hex(other)} ${hex(signature)}`);
    expected.push("V 0");
    const offCurve = point.slice();
    offCurve[64] ^= 1; // Y no longer matches X: not a point of P-256
    commands.push(`V ${hex(offCurve)} ${hex(message)} ${hex(signature)}`);
    expected.push("V 0");
  }
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const point = publicPoint(publicKey);
  const signature = new Uint8Array(crypto.sign("sha256", Uint8Array.of(1), { key: privateKey, dsaEncoding: "ieee-p1363" }));
  const compressed = Uint8Array.of(0x02 | (point[64] & 1), ...point.subarray(1, 33));
  for (const [key, sig] of [
    [point.subarray(0, 64), signature], // a key one byte short
    [compressed, signature], // compressed: the header carries 04‖X‖Y only
    [point, signature.subarray(0, 63)], // a signature one byte short
    [point, new Uint8Array(64)], // r = s = 0
    [new Uint8Array(65), signature], // all zero
  ] as const) {
    commands.push(`V ${hex(key)} 01 ${hex(sig)}`);
    expected.push("V 0");
  }

  const output = execFileSync(program, { input: commands.join("\n") + "\n", maxBuffer: 1 << 26 }).toString().trim().split("\n");
  assert.deepEqual(output, expected);
});
