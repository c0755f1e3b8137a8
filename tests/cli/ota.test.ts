// @node-only — `xs15118 ota key|pack|sign|serve|fetch` and the device's download client over
// node:https: images made and signed by the CLI are taken by the updater (modules/ota) on a
// simulated flash; the HTTPS server on 127.0.0.1 (self-signed certificate made for the test)
// answers byte ranges; a transfer cut off by the server, and one cut by a power cut on the
// device, resume from where the device's persisted state says.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { publicKeyFromPem } from "../../hosts/sim/ota/keys";
import { selfSignedLoopback, startOtaServer, parseRange } from "../../hosts/sim/ota/server";
import { downloadUpdate, transferOnce } from "../../hosts/sim/ota/download";
import { ManualClock } from "../../modules/common/index";
import { IMAGE_HEADER_SIZE, TrustStore, Updater, parseImageHeader, updateKeyId } from "../../modules/ota/index";
import { PowerCut, PowerRail, RailStorage, SimulatedFlash } from "../../simulation/ota/simulated-flash";
import { toHex } from "../../modules/common/bytes";
import { bufferIo } from "../support/cli-io";

const BOARD = "esp32-qca7000";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-ota-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => path.join(dir, name);
const crypto = new NodeCrypto();

async function cli(...args: string[]) {
  const io = bufferIo();
  const status = await main(["ota", ...args], io);
  return { status, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

/** A charger: storage and flash survive `reboot()`, the updater does not. */
function device(anchor: Uint8Array[]) {
  const rail = new PowerRail();
  const storage = new RailStorage(rail);
  const firmware = new Uint8Array(40_000).fill(1);
  const flash = new SimulatedFlash({ slotSize: 131_072, modSize: 16_384, rail, firmware });
  const make = () => {
    flash.powerOn();
    const trust = new TrustStore({ crypto, storage, anchor });
    // The slot is hashed by the platform's SHA-256 (node:crypto here, the native digest on the ESP32).
    const sha256 = () => {
      const hash = createHash("sha256");
      return { update: (data: Uint8Array) => hash.update(data), digest: () => new Uint8Array(hash.digest()) };
    };
    const updater = new Updater({ board: BOARD, trust, storage, flash, boot: flash, clock: new ManualClock(), activity: { sessionActive: () => false }, firmwareVersion: 1, progressInterval: 4096, sha256 });
    updater.boot();
    return { trust, updater };
  };
  return { rail, flash, ...make(), reboot: make };
}

const payload = new Uint8Array(100_000).map((_, i) => (i * 13) & 0xff);
fs.writeFileSync(at("app.bin"), payload);

test("ota key, pack and sign: an image the updater takes; a rotation record moves the trust to the next key", async () => {
  for (const name of ["vendor", "next"]) {
    const r = await cli("key", "--out", at(`${name}.pem`));
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /^update key [0-9a-f]{16} written/);
  }
  const vendorKey = publicKeyFromPem(fs.readFileSync(at("vendor.pem"), "utf8"));
  const nextKey = publicKeyFromPem(fs.readFileSync(at("next.pem"), "utf8"));
  let r = await cli("pack", at("app.bin"), "--kind", "firmware", "--version", "2", "--board", BOARD, "--out", at("fw2.img"));
  assert.equal(r.status, 0, r.err);
  r = await cli("sign", at("fw2.img"), "--key", at("vendor.pem"), "--out", at("fw2.signed"));
  assert.equal(r.status, 0, r.err);
  const header = parseImageHeader(fs.readFileSync(at("fw2.signed")));
  assert.deepEqual([header.kind, header.version, header.board, header.length], ["firmware", 2, BOARD, payload.length]);
  assert.equal(toHex(header.keyId), toHex(updateKeyId(crypto, vendorKey)));

  // The unsigned pack is refused by a device; the signed one is taken.
  const d = device([vendorKey]);
  const unsigned = d.updater.receive(fs.readFileSync(at("fw2.img")));
  assert.equal(unsigned.status === "refused" && unsigned.reason, "unknown-key");
  d.updater.downloadFrom();
  assert.equal(d.updater.receive(fs.readFileSync(at("fw2.signed"))).status, "restarting");

  r = await cli("sign", "--rotate", at("next.pem"), "--key", at("vendor.pem"), "--sequence", "1", "--min-version", "3", "--retire", "--out", at("rotate.krec"));
  assert.equal(r.status, 0, r.err);
  assert.deepEqual(d.trust.apply(fs.readFileSync(at("rotate.krec"))), { ok: true });
  assert.equal(d.trust.keys.length, 1);
  assert.equal(toHex(d.trust.keys[0].publicKey), toHex(nextKey));

  r = await cli("sign", at("missing.img"), "--key", at("vendor.pem"));
  assert.equal(r.status, 3);
  r = await cli("pack", at("app.bin"), "--kind", "bootloader", "--version", "2", "--board", BOARD, "--out", at("x"));
  assert.equal(r.status, 2);
});

test("Range parsing of the update server", () => {
  assert.deepEqual(parseRange("bytes=10-", 100), { start: 10, end: 99 });
  assert.deepEqual(parseRange("bytes=10-19", 100), { start: 10, end: 19 });
  assert.equal(parseRange("bytes=100-", 100), undefined);
  assert.equal(parseRange("items=1-2", 100), undefined);
});

test("HTTPS download with a transfer cut off by the server: resumed with a byte range, verified, activated", async () => {
  const credentials = selfSignedLoopback();
  const lines: string[] = [];
  const server = await startOtaServer({ dir, credentials, cutAfter: (n) => (n === 0 ? 30_000 : undefined), log: (l) => lines.push(l) });
  try {
    const d = device([publicKeyFromPem(fs.readFileSync(at("vendor.pem"), "utf8"))]);
    const interrupted: string[] = [];
    const result = await downloadUpdate(`${server.url}/fw2.signed`, d.updater, { ca: credentials.cert, log: (l) => interrupted.push(l) });
    assert.equal(result.status, "restarting");
    assert.equal(interrupted.length, 1, "one interruption");
    assert.equal(server.requests, 2);
    assert.match(lines[1], /^GET \/fw2\.signed bytes (\d+)-\d+\/\d+: 206$/);
    const from = Number(/bytes (\d+)-/.exec(lines[1])![1]);
    assert.ok(from > IMAGE_HEADER_SIZE && from <= 30_000, `resumed at ${from}, not from 0`);
    d.reboot();
    assert.equal(d.flash.slots[d.flash.running].subarray(0, payload.length).every((b, i) => b === payload[i]), true, "runs the downloaded firmware");
  } finally {
    await server.close();
  }
});

test("a power cut on the device during the download: after the restart the transfer resumes from the persisted offset", async () => {
  const credentials = selfSignedLoopback();
  const lines: string[] = [];
  const server = await startOtaServer({ dir, credentials, log: (l) => lines.push(l) });
  try {
    const d = device([publicKeyFromPem(fs.readFileSync(at("vendor.pem"), "utf8"))]);
    d.rail.cutAt = d.rail.operations + 5; // a few chunks in: after the first progress save
    await assert.rejects(transferOnce(`${server.url}/fw2.signed`, d.updater, { ca: credentials.cert }), PowerCut);
    d.rail.cutAt = 0;
    const { updater } = d.reboot();
    assert.equal(updater.phase, "downloading");
    const result = await downloadUpdate(`${server.url}/fw2.signed`, updater, { ca: credentials.cert });
    assert.equal(result.status, "restarting");
    assert.match(lines.at(-1)!, /bytes [1-9]\d*-100147\/100148: 206$/, "a range request from the saved offset");
    // A client that trusts another certificate does not get the image.
    const stranger = selfSignedLoopback();
    const refused = await transferOnce(`${server.url}/fw2.signed`, d.reboot().updater, { ca: stranger.cert });
    assert.equal(refused.status, "interrupted");
  } finally {
    await server.close();
  }
});

test("xs15118 ota serve (a process) and ota fetch: the file over HTTPS with the written self-signed certificate", async () => {
  const child = spawn(process.execPath, ["bin/xs15118.js", "ota", "serve", dir, "--write-cert", at("server.pem")], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = "";
      child.stdout.on("data", (d: Buffer) => {
        text += d.toString();
        const m = /on (https:\/\/127\.0\.0\.1:\d+)\//.exec(text);
        if (m) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`ota serve exited ${code}`)));
    });
    const r = await cli("fetch", `${url}/fw2.signed`, "--ca", at("server.pem"), "--out", at("fetched.img"));
    assert.equal(r.status, 0, r.err);
    assert.deepEqual(fs.readFileSync(at("fetched.img")), fs.readFileSync(at("fw2.signed")));
    const missing = await cli("fetch", `${url}/nothing.img`, "--ca", at("server.pem"), "--out", at("x.img"));
    assert.equal(missing.status, 1);
  } finally {
    child.kill("SIGTERM");
  }
});
