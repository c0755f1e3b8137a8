// The ESP32 firmware's update wiring (hosts/esp32/ota/firmware-updates.ts) on the simulated flash
// and bootloader: the keys and the server from the manifest's config, the board's path on the
// server, the self-test of the update cryptography (RFC 6979 / FIPS 180-2 vectors), a new image
// confirmed once the station's session layer is up and rolled back when it never comes up,
// nothing activated during a session, and no updates without a key. Node and XS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Seconds } from "../../modules/common/index";
import { MemoryLogger } from "../../modules/common/log";
import { Sha256 } from "../../modules/common/sha256";
import { toHex } from "../../modules/common/bytes";
import { PowerRail, RailStorage, SimulatedFlash } from "../../simulation/ota/simulated-flash";
import type { IncrementalHash, UpdateCrypto } from "../../modules/ota/index";
import { parseUpdateServer, startFirmwareUpdates, updateCryptoSelfTest } from "../../hosts/esp32/ota/firmware-updates";
import type { FirmwareUpdates } from "../../hosts/esp32/ota/firmware-updates";
import { BOARD, crypto, image, payload, vendor } from "./support";
import { UpdateServer } from "./update-server";

const sha256 = (): IncrementalHash => new Sha256();
const KEYS = [toHex(vendor.publicKey)];

/** A charger's board: flash, storage and the station's two answers survive its restarts. */
class Board {
  readonly rail = new PowerRail();
  readonly storage = new RailStorage(this.rail);
  readonly flash = new SimulatedFlash({ slotSize: 16_384, modSize: 8_192, rail: this.rail, resumable: false, firmware: payload("firmware", 1) });
  readonly station = { sessionActive: false, up: true, sessionLayerUp: () => this.station.up };
  readonly log = new MemoryLogger();
  clock = new ManualClock();
  readonly server = new UpdateServer(() => this.clock);
  updates: FirmwareUpdates | undefined;

  /** Power-on: the bootloader, then main.ts's startUpdates with the manifest's config. */
  boot(settings: { updateKeys?: unknown; updateServer?: unknown; firmwareVersion?: unknown } = { updateKeys: KEYS, updateServer: "https://updates.example.com:8443" }, cryptoHost: UpdateCrypto = crypto): void {
    this.updates?.close();
    this.flash.powerOn();
    this.clock = new ManualClock();
    this.updates = startFirmwareUpdates({
      board: BOARD,
      settings,
      flash: this.flash,
      crypto: cryptoHost,
      sha256,
      storage: this.storage,
      clock: this.clock,
      logger: this.log,
      station: this.station,
      connect: (host, port) => {
        this.connected.push(`${host}:${port}`);
        return this.server.connect();
      },
    });
  }

  readonly connected: string[] = [];
}

/** A board that fetched firmware 2 at its first check and asks to restart into it. */
function withFirmware2Installed(): Board {
  const board = new Board();
  board.server.files.set(`/${BOARD}/firmware.x5u`, image("firmware", 2));
  board.boot();
  board.clock.advance(Seconds(61));
  assert.equal(board.flash.restartRequested, "restart");
  return board;
}

test("the update cryptography's self-test passes on a sound host and fails on a broken one", () => {
  assert.equal(updateCryptoSelfTest(crypto, sha256), true);
  const accepting: UpdateCrypto = { digest: (a, d) => crypto.digest(a, d), verify: () => true };
  assert.equal(updateCryptoSelfTest(accepting, sha256), false, "a verifier that accepts a forged signature");
  const wrongHash: UpdateCrypto = { digest: () => new Uint8Array(32), verify: (s, k, m, g) => crypto.verify(s, k, m, g) };
  assert.equal(updateCryptoSelfTest(wrongHash, sha256), false);
});

test("updateServer: https://host[:port] only", () => {
  assert.deepEqual(parseUpdateServer("https://updates.example.com"), { host: "updates.example.com", port: 443 });
  assert.deepEqual(parseUpdateServer("https://10.0.0.2:8443/"), { host: "10.0.0.2", port: 8443 });
  for (const bad of ["http://updates.example.com", "https://a b", "https://x:0", "https://x:70000", 42, undefined]) assert.equal(parseUpdateServer(bad), undefined, String(bad));
});

test("the firmware asks its server for its board's images, installs a newer one outside a session and confirms it once the session layer is up", () => {
  const board = new Board();
  board.server.files.set(`/${BOARD}/firmware.x5u`, image("firmware", 2));
  board.boot();
  board.station.sessionActive = true;
  board.clock.advance(Seconds(61));
  assert.deepEqual(board.connected, [], "no request while a vehicle is plugged in");
  board.station.sessionActive = false;
  board.clock.advance(Seconds(61));
  assert.deepEqual(board.connected, ["updates.example.com:8443"]);
  assert.equal(board.server.requests[0].path, `/${BOARD}/firmware.x5u`);
  assert.equal(board.flash.restartRequested, "restart");

  board.station.up = false;
  board.boot();
  assert.equal(board.updates!.updater.phase, "pending");
  board.clock.advance(Seconds(60));
  assert.equal(board.updates!.updater.phase, "pending", "waits for the session layer");
  board.station.up = true;
  board.clock.advance(Seconds(5));
  assert.equal(board.updates!.updater.installed.firmware, 2, "confirmed: self-test passed, session layer up");
  assert.equal(board.flash.states[board.flash.running], "valid");
  // Then the mod path is asked too (none there), and the next check comes hours later.
  board.clock.advance(Seconds(61));
  assert.deepEqual(board.server.requests.slice(1).map((r) => r.path), [`/${BOARD}/firmware.x5u`, `/${BOARD}/mod.x5u`]);
  board.updates!.close();
});

test("a new firmware whose session layer never comes up is rolled back after the health timeout", () => {
  const board = withFirmware2Installed();
  board.station.up = false;
  board.boot();
  board.clock.advance(Seconds(601));
  assert.equal(board.flash.restartRequested, "rollback");
  board.boot();
  assert.equal(board.updates!.updater.installed.firmware, 1);
  assert.equal(board.flash.running, 0, "the bootloader runs the old slot");
  board.updates!.close();
});

test("a new firmware whose update cryptography fails the self-test is rolled back even with the session layer up", () => {
  const board = withFirmware2Installed();
  board.boot({ updateKeys: KEYS }, { digest: (a, d) => crypto.digest(a, d), verify: () => true });
  board.clock.advance(Seconds(60));
  assert.equal(board.flash.restartRequested, "rollback");
  board.updates!.close();
});

test("without an update key in the image nothing is asked or written; without a server nothing is asked", () => {
  const board = new Board();
  board.server.files.set(`/${BOARD}/firmware.x5u`, image("firmware", 2));
  board.boot({ updateServer: "https://updates.example.com" });
  assert.equal(board.updates, undefined);
  assert.ok(board.log.entries.some((e) => e.level === "error" && /no valid update key/.test(e.message)));
  board.boot({ updateKeys: ["04abc"], updateServer: "https://updates.example.com" });
  assert.equal(board.updates, undefined, "a malformed key is no key");
  board.boot({ updateKeys: KEYS });
  board.clock.advance(Seconds(24 * 3600));
  assert.deepEqual(board.connected, []);
  assert.equal(board.updates!.updater.phase, "idle");
  board.updates!.close();
});
