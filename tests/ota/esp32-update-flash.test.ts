// The ESP32 flash adapter (hosts/esp32/ota/update-flash.ts) under the Updater, over stand-ins
// for the SDK's embedded:update (esp_ota_begin erases what it will write; writes at offsets) and
// embedded:storage/flash (NOR: erase to 0xFF, a write only clears bits), and ota-boot's natives:
// the firmware lands in the slot that is not running, is read back through the flash module and
// verified, and only setBootToUpdate makes it bootable — never embedded:update's complete(),
// which would switch the boot slot before the check. A mod goes to xs-staging, then xs. Node and XS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import { MemoryLogger } from "../../modules/common/log";
import { MemoryPkiStorage } from "../../modules/pki-store/storage";
import { TrustStore, Updater } from "../../modules/ota/index";
import { Esp32UpdateFlash } from "../../hosts/esp32/ota/update-flash";
import type { FlashArea, NativeBoot } from "../../hosts/esp32/ota/update-flash";
import { BOARD, crypto, image, payload, vendor } from "./support";

const BLOCK = 4096;

class Partitions {
  readonly bytes = new Map<string, Uint8Array>([
    ["nextota", new Uint8Array(8 * BLOCK).fill(0xff)],
    ["xs", new Uint8Array(4 * BLOCK).fill(0xff)],
    ["xs-staging", new Uint8Array(4 * BLOCK).fill(0xff)],
  ]);
  readonly calls: string[] = [];

  open(options: { path: string; mode?: "r" | "r+" }): FlashArea {
    const bytes = this.bytes.get(options.path);
    if (!bytes) throw new Error(`can't find partition ${options.path}`);
    const calls = this.calls;
    return {
      format: "buffer",
      read: (byteLength, byteOffset) => bytes.slice(byteOffset, byteOffset + byteLength).buffer,
      write: (buffer, byteOffset) => {
        for (let i = 0; i < buffer.length; i++) bytes[byteOffset + i] &= buffer[i];
      },
      eraseBlock: (start, end) => {
        calls.push(`erase ${options.path} ${start}..${end}`);
        bytes.fill(0xff, start * BLOCK, end * BLOCK);
      },
      status: () => ({ size: bytes.length, blockLength: BLOCK, blocks: bytes.length / BLOCK }),
      close: () => {},
    };
  }
}

function rig() {
  const partitions = new Partitions();
  const calls = partitions.calls;
  const update = {
    open(options: { partition: FlashArea; mode?: "a" | "w"; byteLength?: number }) {
      calls.push(`update.open ${options.mode} ${options.byteLength}`);
      // esp_ota_begin with a length erases the sectors it will write.
      options.partition.eraseBlock(0, Math.ceil((options.byteLength ?? 0) / BLOCK));
      return {
        write: (buffer: Uint8Array, byteOffset?: number) => options.partition.write(buffer, byteOffset ?? 0),
        complete: () => calls.push("update.complete"),
        close: () => calls.push("update.close"),
      };
    },
  };
  const boot: NativeBoot = {
    runningSlot: () => 0,
    runningPendingVerify: () => false,
    markValid: () => calls.push("markValid"),
    rollback: () => calls.push("rollback"),
    setBootToUpdate: () => calls.push("setBootToUpdate"),
    restart: () => calls.push("restart"),
  };
  const flash = new Esp32UpdateFlash({ update, flash: partitions, boot });
  const storage = new MemoryPkiStorage();
  const clock = new ManualClock();
  const updater = new Updater({
    board: BOARD,
    trust: new TrustStore({ crypto, storage, anchor: [vendor.publicKey] }),
    storage,
    flash,
    boot: flash,
    clock,
    activity: { sessionActive: () => false },
    firmwareVersion: 1,
    logger: new MemoryLogger(),
  });
  updater.boot();
  return { partitions, calls, flash, updater };
}

function feed(updater: Updater, file: Uint8Array): string {
  let status = "more";
  for (let at = updater.downloadFrom(); at < file.length && status === "more"; at += 1000) status = updater.receive(file.subarray(at, Math.min(file.length, at + 1000))).status;
  return status;
}

test("a firmware goes through embedded:update into nextota, is read back and verified, and is made bootable only by setBootToUpdate", () => {
  const r = rig();
  assert.equal(r.flash.resumable, false, "embedded:update erases when opened");
  assert.equal(feed(r.updater, image("firmware", 2)), "restarting");
  assert.deepEqual(r.partitions.bytes.get("nextota")!.subarray(0, 10_000), payload("firmware", 2));
  assert.deepEqual(r.calls.filter((c) => !c.startsWith("erase")), ["update.open w 10000", "update.close", "setBootToUpdate", "restart"]);
  assert.ok(!r.calls.includes("update.complete"), "embedded:update's complete() would switch the boot slot before the read-back");
  r.flash.close();
});

test("a slot that does not hold what was written (a flash fault) is refused before it could boot", () => {
  const r = rig();
  const area = r.partitions.bytes.get("nextota")!;
  // A stuck bit: the flash never clears bit 0 of byte 5,000 of the slot.
  const original = r.partitions.open.bind(r.partitions);
  r.partitions.open = (options) => {
    const a = original(options);
    return { ...a, write: (buffer, at) => (a.write(buffer, at), at <= 5000 && 5000 < at + buffer.length ? (area[5000] |= 1) : 0) };
  };
  const file = image("firmware", 2);
  assert.notEqual(payload("firmware", 2)[5000] & 1, 1, "the vector has bit 0 clear there");
  assert.equal(feed(r.updater, file), "refused");
  assert.ok(!r.calls.includes("setBootToUpdate"));
  r.flash.close();
});

test("a mod is written to xs-staging (erased first), verified, then copied to xs", () => {
  const r = rig();
  assert.equal(feed(r.updater, image("mod", 1)), "restarting");
  assert.deepEqual(r.partitions.bytes.get("xs-staging")!.subarray(0, 6000), payload("mod", 1));
  assert.deepEqual(r.partitions.bytes.get("xs")!.subarray(0, 6000), payload("mod", 1));
  assert.ok(r.calls.includes("erase xs-staging 0..2"), r.calls.join(", "));
  assert.ok(!r.calls.some((c) => c.startsWith("update.")), "a mod does not go through embedded:update");
  r.flash.close();
});
