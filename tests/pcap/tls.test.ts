// @node-only — TLS decryption (node:crypto) of the dSPACE Plug & Charge (TLS 1.2) and ISO-20
// (TLS 1.3) captures, checked against the reference vectors taken from the same sessions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readCapture } from "../../simulation/pcap/read";
import { dissectCapture, hex } from "../../hosts/sim/pcap/dissect";
import { tlsDecryptor, parseKeyLog } from "../../hosts/sim/pcap/tls";
import { listShared, readShared, readSharedTsv, sharedSkip } from "../support/shared";

test("parseKeyLog: NSS key-log lines by client random", () => {
  const keys = parseKeyLog(["# comment", "CLIENT_RANDOM AABB 0102", "CLIENT_TRAFFIC_SECRET_0 aabb 0304", ""]);
  assert.deepEqual([...keys.keys()], ["aabb"]);
  assert.equal(keys.get("aabb")!.CLIENT_RANDOM.toString("hex"), "0102");
  assert.equal(keys.get("aabb")!.CLIENT_TRAFFIC_SECRET_0.toString("hex"), "0304");
});

test("every TLS session of the dSPACE captures decrypts, and yields exactly the reference vectors of its capture", { skip: sharedSkip() }, () => {
  const vectors = new Map<string, Set<string>>(); // capture → schema:hex
  for (const name of listShared("vectors/real")) {
    if (!name.endsWith(".tsv")) continue;
    for (const row of readSharedTsv(`vectors/real/${name}`)) {
      if (!/TLS/.test(row[2] ?? "")) continue;
      if (!vectors.has(row[2])) vectors.set(row[2], new Set());
      vectors.get(row[2])!.add(`${row[0]}:${row[1]}`);
    }
  }
  const files = listShared("captures/dsV2Gshark").filter((f) => /TLS/.test(f));
  assert.equal(files.length, 6);
  for (const f of files) {
    const rel = `dsV2Gshark/${f}`;
    const r = dissectCapture(readCapture(readShared(`captures/${rel}`)!), { tls: tlsDecryptor() });
    assert.equal(r.sessions.length, 1, f);
    const s = r.sessions[0];
    assert.equal(s.tls, true);
    assert.equal(s.tlsError, undefined, `${f}: ${s.tlsError}`);
    assert.equal(s.decrypted?.version, /ISO-20/.test(f) ? "TLS 1.3" : "TLS 1.2", f);
    assert.ok(s.messages.length > 50, `${f}: ${s.messages.length} messages`);
    const produced = new Set<string>();
    for (const m of s.messages) {
      assert.equal(m.error, undefined, `${f} frame ${m.frame}: ${m.error}`);
      produced.add(`${m.schema}:${hex(m.exi)}`);
    }
    assert.equal(s.messages.filter((m) => m.type === "SessionSetupReq").length, 1, f);
    const expected = vectors.get(rel) ?? new Set<string>();
    assert.ok(expected.size > 0, `${f}: vectors`);
    for (const k of expected) assert.ok(produced.has(k), `${f}: vector ${k.slice(0, 60)}… not extracted`);
  }
});
