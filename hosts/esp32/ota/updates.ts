// The ESP32 firmware's updates: firmware-updates.ts on the board's natives — embedded:update and
// embedded:storage/flash (update-flash.ts), ESP-IDF's app rollback (ota-boot.c), mbedTLS for
// SHA-256 and ECDSA P-256 (update-crypto.c) — and the HTTPS client of the ECMA-419 host
// provider (device.network.https) where the build has one. main.ts calls startUpdates once the
// station runs. The C compiles only in an ESP-IDF build; see hosts/esp32/README.md, "Updates".

import Update from "embedded:update";
import flash from "embedded:storage/flash";
import boot from "./ota-boot";
import native from "./update-crypto";
import type { Clock } from "../../../modules/common/clock";
import type { Logger } from "../../../modules/common/log";
import type { PkiStorage } from "../../../modules/pki-store/storage";
import type { HttpClient, IncrementalHash, UpdateCrypto } from "../../../modules/ota/index";
import { Esp32UpdateFlash } from "./update-flash";
import { startFirmwareUpdates, type FirmwareUpdates, type UpdateSettings, type UpdatedStation } from "./firmware-updates";

/** SHA-256 and ECDSA P-256 verification through mbedTLS: all the update path needs. */
const crypto: UpdateCrypto = Object.freeze({
  digest(algorithm: string, data: Uint8Array): Uint8Array {
    if (algorithm !== "SHA-256") throw new RangeError(`${algorithm}: the update path hashes with SHA-256 only`);
    const hash = new native.Sha256();
    hash.update(data);
    return new Uint8Array(hash.digest());
  },
  verify(scheme: string, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    return scheme === "ECDSA-P256-SHA256" && native.verifyP256(publicKey, message, signature);
  },
}) as UpdateCrypto;

function sha256(): IncrementalHash {
  const hash = new native.Sha256();
  return {
    update: (data: Uint8Array) => hash.update(data),
    digest: () => new Uint8Array(hash.digest()),
  };
}

/** The ECMA-419 host provider's HTTPS client, if this build has a network and TLS. */
type HttpsEntry = { io: new (options: Record<string, unknown>) => HttpClient } & Record<string, unknown>;

function httpsClient(): ((host: string, port: number) => HttpClient) | undefined {
  const https = (globalThis as { device?: { network?: { https?: HttpsEntry } } }).device?.network?.https;
  if (!https) return undefined;
  return (host, port) => new https.io({ ...https, host, port });
}

export function startUpdates(options: { board: string; settings: UpdateSettings; storage: PkiStorage; clock: Clock; logger: Logger; station: UpdatedStation }): FirmwareUpdates | undefined {
  return startFirmwareUpdates({
    ...options,
    flash: new Esp32UpdateFlash({ update: Update, flash, boot }),
    crypto,
    sha256,
    connect: httpsClient(),
  });
}
