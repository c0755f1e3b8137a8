// Stand-ins for the ESP32 updates' imports (hosts/esp32/ota/updates.ts): embedded:update and
// embedded:storage/flash over memory, ota-boot (ESP-IDF app rollback) and update-crypto (mbedTLS)
// as a board that runs a confirmed firmware — for main.ts bundled on Node
// (tests/station/esp32-main.test.ts). The update logic itself is tested in tests/ota/.

import { Sha256 } from "../../../modules/common/sha256";

const areas = new Map<string, Uint8Array>();

export const flashStorage = {
  open(options: { path: string }) {
    let bytes = areas.get(options.path);
    if (!bytes) areas.set(options.path, (bytes = new Uint8Array(65_536).fill(0xff)));
    const area = bytes;
    return {
      read: (byteLength: number, byteOffset: number) => area.slice(byteOffset, byteOffset + byteLength).buffer,
      write: (buffer: Uint8Array, byteOffset: number) => area.set(buffer, byteOffset),
      eraseBlock: (start: number, end: number) => area.fill(0xff, start * 4096, end * 4096),
      status: () => ({ size: area.length, blockLength: 4096, blocks: area.length / 4096 }),
      close: () => {},
      format: "buffer" as const,
    };
  },
};

export const Update = {
  open(options: { partition: { write(buffer: Uint8Array, at: number): void } }) {
    return { write: (buffer: Uint8Array, at: number) => options.partition.write(buffer, at), complete: () => {}, close: () => {} };
  },
};

export const otaBoot = {
  runningSlot: () => 0,
  runningPendingVerify: () => false,
  markValid: () => {},
  rollback: () => {},
  setBootToUpdate: () => {},
  restart: () => {},
};

export const updateCrypto = {
  verifyP256: () => false,
  Sha256: class {
    readonly #hash = new Sha256();
    update(data: Uint8Array) {
      this.#hash.update(data);
    }
    digest() {
      return this.#hash.digest().slice().buffer;
    }
  },
};
