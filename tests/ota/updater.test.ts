// The over-the-air updater on a simulated charger (tests/ota/support.ts): signature, trust,
// board and version checks before a byte is written; verification over the written slot;
// activation only outside a charging session; health confirmation or rollback; power cuts at
// every persistent step of a firmware and of a mod update. Runs on Node and in XS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Seconds } from "../../modules/common/index";
import { IMAGE_HEADER_SIZE, updateKeyId } from "../../modules/ota/index";
import { makeImage, makeRotation } from "../../simulation/ota/pack";
import { engine } from "../support/shared";
import { BOARD, Device, crypto, image, payload, recovery, stranger, vendor } from "./support";

const erased = (bytes: Uint8Array) => bytes.every((b) => b === 0xff);

test("firmware update: downloaded, verified, activated, restarted into, confirmed healthy", () => {
  const device = new Device();
  assert.equal(device.running("firmware"), 1);
  const result = device.download(image("firmware", 2));
  assert.equal(result.status, "restarting");
  assert.equal(device.updater.phase, "activated");
  device.boot();
  assert.equal(device.running("firmware"), 2);
  assert.equal(device.updater.phase, "pending");
  assert.equal(device.flash.runningPendingVerify(), true);
  assert.equal(device.updater.confirmHealthy(), true);
  assert.equal(device.flash.states[device.flash.running], "valid");
  assert.equal(device.updater.installed.firmware, 2);
  device.boot();
  assert.equal(device.running("firmware"), 2, "a confirmed firmware stays after a restart");
  assert.ok(device.log.entries.some((e) => /firmware 2 confirmed healthy/.test(e.message)));
});

test("header checks refuse before anything is written: tampered header, wrong key, wrong board, downgrade, security counter", () => {
  const device = new Device();
  const inactive = () => device.flash.slots[1 - device.flash.running];
  const tampered = image("firmware", 2);
  tampered[10] ^= 1; // the version field: the signature no longer matches
  const cases: [Uint8Array, string][] = [
    [tampered, "bad-signature"],
    [image("firmware", 2, stranger), "unknown-key"],
    [image("firmware", 2, vendor, { board: "rp2350-qca7000" }), "wrong-board"],
    [image("firmware", 1), "downgrade"],
    [new Uint8Array(IMAGE_HEADER_SIZE), "malformed"],
  ];
  for (const [file, reason] of cases) {
    const result = device.download(file);
    assert.equal(result.status, "refused");
    assert.equal(result.status === "refused" && result.reason, reason);
    assert.ok(erased(inactive()), `${reason}: nothing written`);
    assert.equal(device.updater.phase, "idle");
  }
  // The anti-rollback counter: version 3 with counter 5 confirmed, then version 4 with counter 4.
  assert.equal(device.download(image("firmware", 3, vendor, { securityCounter: 5 })).status, "restarting");
  device.boot();
  device.updater.confirmHealthy();
  const low = device.download(image("firmware", 4, vendor, { securityCounter: 4 }));
  assert.equal(low.status === "refused" && low.reason, "security-counter");
  assert.equal(device.download(image("firmware", 2)).status, "refused", "a lower version than the one running");
});

test("tampered payload: the slot does not verify, nothing is activated, the next download starts from the beginning", () => {
  const device = new Device();
  const file = image("firmware", 2);
  file[IMAGE_HEADER_SIZE + 5000] ^= 0x40;
  const result = device.download(file);
  assert.equal(result.status === "refused" && result.reason, "digest-mismatch");
  assert.equal(device.updater.phase, "idle");
  assert.equal(device.flash.bootSlot, device.flash.running, "boot slot unchanged");
  assert.equal(device.updater.downloadFrom(), 0);
  assert.equal(device.download(image("firmware", 2)).status, "restarting");
});

test("key rotation: the old key signs the new one with a minimum version; the old key retired, the new one accepted from there", () => {
  const device = new Device();
  const next = { crypto, ...crypto.generateSigningKey("ECDSA-P256-SHA256") };
  const record = makeRotation({ sequence: 1, minVersion: 3, newKey: next.publicKey, retireSigner: true }, vendor);
  assert.deepEqual(device.trust.apply(record), { ok: true });
  device.boot(); // the rotation is kept across a restart
  assert.equal(device.trust.sequence, 1);
  assert.equal(device.trust.isRevoked(updateKeyId(crypto, vendor.publicKey)), true);
  const old = device.download(image("firmware", 4, vendor));
  assert.equal(old.status === "refused" && old.reason, "revoked-key");
  const early = device.download(image("firmware", 2, next));
  assert.equal(early.status === "refused" && early.reason, "below-key-min-version");
  assert.equal(device.download(image("firmware", 3, next)).status, "restarting");
  // Replaying the record, or an older sequence number even from a trusted key, changes nothing.
  assert.equal(device.trust.apply(record).ok, false);
  const stale = device.trust.apply(makeRotation({ sequence: 1, minVersion: 0, newKey: stranger.publicKey }, recovery));
  assert.equal(stale.ok === false && stale.reason, "stale-record");
  // A record signed by the retired key is not accepted either.
  const byRetired = device.trust.apply(makeRotation({ sequence: 2, minVersion: 3, newKey: stranger.publicKey }, vendor));
  assert.equal(byRetired.ok === false && byRetired.reason, "revoked-key");
});

test("revocation: the recovery key revokes a compromised key; only a newer signed record changes the list; the last key cannot go", () => {
  const device = new Device();
  const vendorId = updateKeyId(crypto, vendor.publicKey);
  assert.deepEqual(device.trust.apply(makeRotation({ sequence: 5, minVersion: 0, revoked: [vendorId] }, recovery)), { ok: true });
  const refused = device.download(image("firmware", 2, vendor));
  assert.equal(refused.status === "refused" && refused.reason, "revoked-key");
  // Bringing the revoked key back as a "new" key is refused.
  const back = device.trust.apply(makeRotation({ sequence: 6, minVersion: 0, newKey: vendor.publicKey }, recovery));
  assert.equal(back.ok === false && back.reason, "revoked-key");
  const lastKey = device.trust.apply(makeRotation({ sequence: 7, minVersion: 0, retireSigner: true }, recovery));
  assert.equal(lastKey.ok === false && lastKey.reason, "no-key-left");
  const forged = makeRotation({ sequence: 8, minVersion: 0, newKey: stranger.publicKey }, recovery);
  forged[20] ^= 1;
  assert.equal(device.trust.apply(forged).ok, false);
  device.boot();
  assert.equal(device.trust.isRevoked(vendorId), true, "the revocation is kept");
  assert.equal(device.download(image("firmware", 2, recovery)).status, "restarting");
});

test("health not confirmed in time: the firmware rolls back; after two rollbacks the version is refused", () => {
  const device = new Device({ healthTimeout: Seconds(120) });
  for (let attempt = 1; attempt <= 2; attempt++) {
    assert.equal(device.download(image("firmware", 2)).status, "restarting");
    device.boot();
    assert.equal(device.running("firmware"), 2);
    device.clock.advance(119_000);
    assert.equal(device.updater.phase, "pending");
    device.clock.advance(1_000);
    assert.equal(device.flash.restartRequested, "rollback");
    device.boot();
    assert.equal(device.running("firmware"), 1, `attempt ${attempt}: back on the previous firmware`);
    assert.equal(device.updater.installed.firmware, 1);
  }
  const third = device.download(image("firmware", 2));
  assert.equal(third.status === "refused" && third.reason, "rolled-back-before");
  assert.equal(device.download(image("firmware", 3)).status, "restarting", "a newer version is taken");
});

test("a failing self-test rolls back at once; a firmware restarted unconfirmed is rolled back by the bootloader", () => {
  const device = new Device();
  device.download(image("firmware", 2));
  device.boot();
  device.selfTestPasses = false;
  assert.equal(device.updater.confirmHealthy(), false);
  assert.equal(device.flash.restartRequested, "rollback");
  device.boot();
  assert.equal(device.running("firmware"), 1);
  device.selfTestPasses = true;
  device.download(image("firmware", 2));
  device.boot(); // first boot of the new firmware: pending
  device.boot(); // a crash (or the power) restarts it before it confirmed
  assert.equal(device.running("firmware"), 1);
  assert.equal(device.updater.phase, "idle");
  assert.ok(device.log.entries.some((e) => /not confirmed before a restart/.test(e.message)));
});

test("update during a charging session: verified, activation deferred until the session ends", () => {
  const device = new Device();
  device.sessionActive = true;
  assert.equal(device.download(image("firmware", 2)).status, "deferred");
  assert.equal(device.updater.phase, "downloaded");
  device.clock.advance(60_000);
  assert.equal(device.flash.restartRequested, undefined, "no restart while charging");
  assert.equal(device.flash.bootSlot, device.flash.running);
  device.boot(); // a restart while deferred: still waiting, not activated
  device.sessionActive = true;
  assert.equal(device.updater.phase, "downloaded");
  device.sessionActive = false;
  device.clock.advance(30_000);
  assert.equal(device.flash.restartRequested, "restart");
  device.boot();
  assert.equal(device.running("firmware"), 2);
});

test("bad mod: rolled back to no mod, the previous mod downloaded again pinned to its digest", () => {
  const device = new Device({ healthTimeout: Seconds(60) });
  assert.equal(device.download(image("mod", 1)).status, "restarting");
  device.boot();
  assert.equal(device.running("mod"), 1);
  device.updater.confirmHealthy();
  assert.equal(device.download(image("mod", 2)).status, "restarting");
  device.boot();
  assert.equal(device.running("mod"), 2);
  device.clock.advance(60_000);
  assert.equal(device.flash.restartRequested, "restart");
  device.boot();
  assert.ok(erased(device.flash.mod), "the bad mod is gone: the firmware runs without a mod");
  assert.equal(device.updater.installed.restoreMod, true);
  // A different mod with the previous version number is not the one confirmed before.
  const other = device.download(makeImageWith("mod", 1, payload("mod", 3)));
  assert.equal(other.status === "refused" && other.reason, "downgrade");
  assert.equal(device.download(image("mod", 1)).status, "restarting");
  device.boot();
  assert.equal(device.running("mod"), 1);
  assert.equal(device.updater.confirmHealthy(), true);
  assert.equal(device.updater.installed.restoreMod, false);
});

function makeImageWith(kind: "mod", version: number, body: Uint8Array): Uint8Array {
  return makeImage({ kind, board: BOARD, version }, body, vendor);
}

test("power cut right after the bootloader was told the firmware is valid: the device knows it runs the new firmware", () => {
  const device = new Device();
  device.download(image("firmware", 2));
  device.boot();
  device.rail.cutAt = device.rail.operations + 2; // markValid's otadata write, then the state save: cut
  assert.throws(() => device.updater.confirmHealthy(), /power cut/);
  device.rail.cutAt = 0;
  device.boot();
  assert.equal(device.running("firmware"), 2);
  assert.equal(device.updater.phase, "idle");
  assert.equal(device.updater.installed.firmware, 2, "confirmed without another download");
});

test("a flash that cannot resume (embedded:update erases at open): a download cut short starts again from byte 0", () => {
  const device = new Device({ resumable: false });
  const file = image("firmware", 2);
  device.rail.cutAt = device.rail.operations + 6;
  assert.throws(() => device.download(file), /power cut/);
  device.rail.cutAt = 0;
  device.boot();
  assert.equal(device.updater.phase, "downloading");
  assert.equal(device.updater.downloadFrom(), 0);
  assert.equal(device.download(file).status, "restarting");
});

test("a resumable download continues from the saved offset after a power cut", () => {
  const device = new Device();
  const file = image("firmware", 2);
  device.rail.cutAt = device.rail.operations + 8;
  assert.throws(() => device.download(file), /power cut/);
  device.rail.cutAt = 0;
  device.boot();
  const from = device.updater.downloadFrom();
  assert.ok(from > IMAGE_HEADER_SIZE && from < file.length, `resumes at ${from}`);
  assert.equal(device.download(file).status, "restarting");
  device.boot();
  assert.equal(device.running("firmware"), 2);
});

test("on resume the bytes written last before the saved offset are read back: a slot that lost them restarts the download at 0", () => {
  const device = new Device();
  const file = image("firmware", 2);
  device.rail.cutAt = device.rail.operations + 8;
  assert.throws(() => device.download(file), /power cut/);
  device.rail.cutAt = 0;
  device.boot();
  const saved = device.updater.downloadFrom() - IMAGE_HEADER_SIZE;
  assert.ok(saved > 0);
  device.boot();
  device.flash.slots[1 - device.flash.running][saved - 1] ^= 0x01; // a bit the flash did not keep
  assert.equal(device.updater.downloadFrom(), 0);
  assert.ok(device.log.entries.some((e) => /does not hold the bytes .* saved before the restart/.test(e.message)));
  assert.equal(device.download(file).status, "restarting");
});

/** Runs the update once without cuts to count its operations, then once per operation cut there. */
function powerCutSweep(kind: "firmware" | "mod", prepare: (device: Device) => void, target: number, engineStep: number) {
  const file = image(kind, target);
  const clean = new Device();
  prepare(clean);
  const start = clean.rail.operations;
  assert.equal(clean.drive(file), 0);
  const total = clean.rail.operations - start;
  assert.ok(total > 10, `${total} persistent operations`);
  for (let cut = 1; cut <= total; cut += engineStep) {
    const device = new Device();
    prepare(device);
    device.rail.cutAt = device.rail.operations + cut;
    const cuts = device.drive(file, () => {
      // After every power-on the device runs an intact firmware and, for mods, an intact mod or none.
      assert.ok(device.running("firmware") >= 1, `cut ${cut}: firmware intact`);
      if (kind === "mod") assert.ok(device.running("mod") > 0 || erased(device.flash.mod), `cut ${cut}: mod intact or none`);
    });
    assert.equal(cuts, 1, `cut ${cut} happened`);
    assert.equal(device.running(kind), target, `cut ${cut}: the update completes`);
    assert.equal(device.updater.phase, "idle");
    assert.equal(kind === "firmware" ? device.updater.installed.firmware : device.updater.installed.mod, target);
    if (kind === "firmware") assert.equal(device.flash.states[device.flash.running], "valid");
  }
  return total;
}

const step = engine === "xs" ? 3 : 1; // XS (about 10 times slower at the signatures): every third operation

test("power cut at every step of a firmware update (download, write, verify, activate, first boot, confirm)", (t) => {
  const total = powerCutSweep("firmware", () => {}, 2, step);
  t.diagnostic(`${total} persistent operations, each cut once`);
});

test("power cut at every step of a mod update (download to staging, copy into the mod region, first boot, confirm)", (t) => {
  const total = powerCutSweep("mod", (device) => {
    device.download(image("mod", 1));
    device.boot();
    device.updater.confirmHealthy();
  }, 2, step);
  t.diagnostic(`${total} persistent operations, each cut once`);
});
