// Configuration changes (issue 18 item 6): only signed by an update key, for this board, newer
// than the last one, and never during a charging session (deferred until it ends) — while the
// session's own PKI writes (a contract certificate it installs) go on. Node and XS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import { MemoryLogger } from "../../modules/common/log";
import { MemoryPkiStorage } from "../../modules/pki-store/storage";
import { ConfigGate, TrustStore } from "../../modules/ota/index";
import { PowerCut, PowerRail, RailStorage } from "../../simulation/ota/simulated-flash";
import { makeConfigChange, makeRotation } from "../../simulation/ota/pack";
import { BOARD, crypto, recovery, stranger, vendor } from "./support";

const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function gate(storage = new MemoryPkiStorage()) {
  const clock = new ManualClock();
  const applied: string[] = [];
  const station = { sessionActive: false };
  const log = new MemoryLogger();
  const trust = new TrustStore({ crypto, storage, anchor: [vendor.publicKey, recovery.publicKey] });
  const g = new ConfigGate({
    board: BOARD,
    trust,
    storage,
    clock,
    activity: { sessionActive: () => station.sessionActive },
    apply: (payload) => applied.push(String.fromCharCode(...payload)),
    logger: log,
  });
  return { g, clock, applied, station, storage, log, trust };
}

test("a signed change for this board is applied; unsigned, foreign, forged, replayed or wrong-board ones are refused", () => {
  const { g, applied } = gate();
  assert.deepEqual(g.offer(makeConfigChange(1, BOARD, text("maxCurrent=32\n"), vendor)), { status: "applied" });
  assert.deepEqual(applied, ["maxCurrent=32\n"]);
  const refusals: [Uint8Array, string][] = [
    [makeConfigChange(2, BOARD, text("maxCurrent=80\n"), stranger), "unknown-key"],
    [makeConfigChange(2, "rp2350-qca7000", text("maxCurrent=80\n"), vendor), "wrong-board"],
    [makeConfigChange(1, BOARD, text("maxCurrent=32\n"), vendor), "stale-record"],
    [text("maxCurrent=80\n"), "malformed"],
  ];
  const forged = makeConfigChange(2, BOARD, text("maxCurrent=80\n"), vendor);
  forged[40] = "9".charCodeAt(0);
  refusals.push([forged, "bad-signature"]);
  for (const [bytes, reason] of refusals) {
    const result = g.offer(bytes);
    assert.equal(result.status === "refused" && result.reason, reason);
  }
  assert.equal(applied.length, 1);
  assert.equal(g.sequence, 1);
});

test("during a charging session a change waits until the session ends; the session's contract certificate is still stored", () => {
  const { g, clock, applied, station, storage, log } = gate();
  station.sessionActive = true;
  assert.deepEqual(g.offer(makeConfigChange(1, BOARD, text("role=vehicle\n"), vendor)), { status: "deferred" });
  // The session installs a contract certificate (ISO 15118-2 CertificateInstallation): not gated.
  storage.write("contract/emaid-1.der", Uint8Array.of(0x30, 0x82));
  assert.ok(storage.read("contract/emaid-1.der"));
  clock.advance(120_000);
  assert.equal(applied.length, 0, "nothing applied while charging");
  assert.equal(g.pending, true);
  station.sessionActive = false;
  clock.advance(30_000);
  assert.deepEqual(applied, ["role=vehicle\n"]);
  assert.equal(g.pending, false);
  assert.ok(log.entries.some((e) => /deferred until the charging session ends/.test(e.message)));
});

test("the applied sequence number survives a restart; a key revoked by a newer record can no longer change the configuration", () => {
  const storage = new MemoryPkiStorage();
  const first = gate(storage);
  first.g.offer(makeConfigChange(4, BOARD, text("a=1\n"), vendor));
  const again = gate(storage);
  assert.equal(again.g.sequence, 4);
  const replay = again.g.offer(makeConfigChange(3, BOARD, text("a=0\n"), vendor));
  assert.equal(replay.status === "refused" && replay.reason, "stale-record");
  assert.deepEqual(again.trust.apply(makeRotation({ sequence: 1, minVersion: 0, revoked: [again.trust.keys[0].id] }, recovery)), { ok: true });
  const revoked = again.g.offer(makeConfigChange(5, BOARD, text("a=2\n"), vendor));
  assert.equal(revoked.status === "refused" && revoked.reason, "revoked-key");
});

test("a power cut while the trust state is saved leaves the previous key set or the new one", () => {
  for (let cut = 1; cut <= 2; cut++) {
    const rail = new PowerRail();
    const storage = new RailStorage(rail);
    const trust = new TrustStore({ crypto, storage, anchor: [vendor.publicKey, recovery.publicKey] });
    assert.deepEqual(trust.apply(makeRotation({ sequence: 1, minVersion: 2, newKey: stranger.publicKey }, vendor)), { ok: true });
    rail.cutAt = rail.operations + cut;
    let threw = false;
    try {
      trust.apply(makeRotation({ sequence: 2, minVersion: 0, revoked: [trust.keys[2].id] }, vendor));
    } catch (error) {
      assert.ok(error instanceof PowerCut);
      threw = true;
    }
    rail.cutAt = 0;
    const after = new TrustStore({ crypto, storage, anchor: [vendor.publicKey, recovery.publicKey] });
    if (threw) assert.deepEqual([after.sequence, after.keys.length, after.versionFloor], [1, 3, 2], "the previous set");
    else assert.deepEqual([after.sequence, after.keys.length], [2, 2], "the new set");
  }
});
