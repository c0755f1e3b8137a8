// The firmware's updates, wired: the vendor's update keys and the update server from the
// manifest's config, the Updater on the board's flash and storage, the UpdateService asking the
// server, the station saying whether a session runs and whether its session layer is up, and a
// self-test of the update path's own cryptography. updates.ts passes the ESP32's natives; this
// file imports nothing of the SDK, so tests/ota/firmware-updates.test.ts runs it on Node and XS
// with the simulated flash.

import type { Clock } from "../../../modules/common/clock";
import type { Logger } from "../../../modules/common/log";
import { bytesEqual, fromHex } from "../../../modules/common/bytes";
import type { PkiStorage } from "../../../modules/pki-store/storage";
import { TrustStore, UpdateService, Updater } from "../../../modules/ota/index";
import type { BootControl, HttpClient, IncrementalHash, UpdateCrypto, UpdateFlash } from "../../../modules/ota/index";

/** The station as the updates see it (modules/station/firmware.ts Station). */
export interface UpdatedStation {
  readonly sessionActive: boolean;
  sessionLayerUp(): boolean;
}

/** Settings from the manifest's config (built into the image; not preferences: a key is a trust anchor). */
export interface UpdateSettings {
  /** `config.updateKeys`: the vendor's update keys, P-256 public points 04‖X‖Y in hex. */
  updateKeys?: unknown;
  /** `config.updateServer`: `https://host[:port]`; absent: the device never asks for updates. */
  updateServer?: unknown;
  /** `config.firmwareVersion`: the version this image was built as (`mcconfig … firmwareVersion=N`). */
  firmwareVersion?: unknown;
}

export interface FirmwareUpdatesOptions {
  /** The image header's board id (`xs15118 ota pack --board`). */
  board: string;
  settings: UpdateSettings;
  flash: UpdateFlash & BootControl;
  crypto: UpdateCrypto;
  sha256: () => IncrementalHash;
  storage: PkiStorage;
  clock: Clock;
  logger: Logger;
  station: UpdatedStation;
  /** Opens an HTTPS client to host:port (an ECMA-419 HTTP client over TLS); absent: no checks. */
  connect?: (host: string, port: number) => HttpClient;
}

export interface FirmwareUpdates {
  readonly updater: Updater;
  readonly service: UpdateService;
  close(): void;
}

// RFC 6979 A.2.5, P-256 with SHA-256, message "sample": a known-good signature the self-test
// verifies (and a flipped one it must refuse), so a new firmware whose update cryptography is
// broken — one that could never take the next update — is rolled back instead of confirmed.
const KAT = Object.freeze({
  key: "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
  message: "sample",
  signature: "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
  // SHA-256("abc"), FIPS 180-2 appendix B.1
  abc: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
});

/** Hex the code itself wrote (the vectors above, keys already checked by a pattern). */
function hex(text: string): Uint8Array {
  return fromHex(text) ?? new Uint8Array(0);
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** The update path's cryptography answers known vectors: SHA-256 both ways, ECDSA P-256 both ways. */
export function updateCryptoSelfTest(crypto: UpdateCrypto, sha256: () => IncrementalHash): boolean {
  const key = hex(KAT.key);
  const message = ascii(KAT.message);
  const signature = hex(KAT.signature);
  const forged = signature.slice();
  forged[63] ^= 1;
  const incremental = sha256();
  incremental.update(ascii("a"));
  incremental.update(ascii("bc"));
  return (
    bytesEqual(crypto.digest("SHA-256", ascii("abc")), hex(KAT.abc)) &&
    bytesEqual(new Uint8Array(incremental.digest()), hex(KAT.abc)) &&
    crypto.verify("ECDSA-P256-SHA256", key, message, signature) &&
    !crypto.verify("ECDSA-P256-SHA256", key, message, forged)
  );
}

/** `https://host[:port]` → host and port; undefined for anything else (logged by the caller). */
export function parseUpdateServer(value: unknown): { host: string; port: number } | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^https:\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::(\d{1,5}))?\/?$/.exec(value);
  if (!m) return undefined;
  const port = m[2] === undefined ? 443 : Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1], port } : undefined;
}

function parseKeys(value: unknown): Uint8Array[] | undefined {
  const list = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
  const keys: Uint8Array[] = [];
  for (const item of list) {
    if (typeof item !== "string" || !/^04[0-9a-fA-F]{128}$/.test(item)) return undefined;
    keys.push(hex(item));
  }
  return keys.length > 0 ? keys : undefined;
}

/**
 * Starts the updates, or returns undefined (logged) where the image carries no update key: then
 * nothing it downloads could be trusted, so it downloads nothing.
 */
export function startFirmwareUpdates(o: FirmwareUpdatesOptions): FirmwareUpdates | undefined {
  const log = o.logger;
  const keys = parseKeys(o.settings.updateKeys);
  if (!keys) {
    log.log("error", "ota", "no valid update key in the manifest's config (updateKeys: P-256 points 04‖X‖Y in hex): updates are off");
    return undefined;
  }
  const version = o.settings.firmwareVersion;
  const firmwareVersion = typeof version === "number" && Number.isInteger(version) && version >= 1 ? version : 1;
  const trust = new TrustStore({ crypto: o.crypto, storage: o.storage, anchor: keys, logger: log });
  const updater = new Updater({
    board: o.board,
    trust,
    storage: o.storage,
    flash: o.flash,
    boot: o.flash,
    clock: o.clock,
    activity: { sessionActive: () => o.station.sessionActive },
    firmwareVersion,
    sha256: o.sha256,
    selfTest: () => updateCryptoSelfTest(o.crypto, o.sha256),
    logger: log,
  });
  updater.boot();
  const server = parseUpdateServer(o.settings.updateServer);
  if (o.settings.updateServer !== undefined && !server) log.log("error", "ota", `updateServer ${String(o.settings.updateServer)} is not https://host[:port]: no update checks`);
  else if (server && !o.connect) log.log("warn", "ota", "this build has no HTTPS client: no update checks (a new image is still confirmed or rolled back)");
  const connect = o.connect;
  const service = new UpdateService({
    updater,
    clock: o.clock,
    activity: { sessionActive: () => o.station.sessionActive },
    connect: () => connect!(server!.host, server!.port),
    paths: server && connect ? [`/${o.board}/firmware.x5u`, `/${o.board}/mod.x5u`] : [],
    sessionLayerUp: () => o.station.sessionLayerUp(),
    logger: log,
  });
  service.start();
  log.log("info", "ota", `firmware ${firmwareVersion} (installed ${updater.installed.firmware}), mod ${updater.installed.mod}, ${updater.phase}${server && connect ? `; updates from https://${server.host}:${server.port}` : ""}`);
  return {
    updater,
    service,
    close(): void {
      service.close();
      updater.close();
    },
  };
}
