// The updater's flash (modules/ota/flash.ts UpdateFlash) on the ESP32, over the Moddable SDK's
// ECMA-419 classes: `embedded:update` writes the firmware into the app slot that is not running
// (esp_ota_begin / esp_ota_write_with_offset), `embedded:storage/flash` reads it back and holds
// the mod regions (`xs`, where the runtime loads mods from, and `xs-staging`). Choosing the boot
// slot and the rollback state come from ota-boot.c (ESP-IDF calls embedded:update lacks).
//
// This file needs no ESP-IDF: the SDK objects are passed in (updates.ts imports them), so it is
// tested on Node and XS against stand-ins (tests/ota/esp32-update-flash.test.ts).

import type { BootControl, UpdateFlash, UpdateRegion, UpdateWriter } from "../../../modules/ota/index";

/** An open area of `embedded:storage/flash` (Moddable 8.2: open({ path, mode })). */
export interface FlashArea {
  read(byteLength: number, byteOffset: number): ArrayBuffer;
  write(buffer: Uint8Array, byteOffset: number): void;
  /** Erases blocks start..end-1. */
  eraseBlock(start: number, end: number): void;
  status(): { size: number; blockLength: number; blocks: number };
  close(): void;
  readonly format: "buffer";
}

export interface FlashStorage {
  open(options: { path: string; mode?: "r" | "r+" }): FlashArea;
}

/** `embedded:update`: open({ partition, mode: "w", byteLength }) → write(buffer, byteOffset). */
export interface UpdateSession {
  write(buffer: Uint8Array, byteOffset?: number): void;
  /** esp_ota_end and esp_ota_set_boot_partition: not used, see complete() below. */
  complete(): void;
  /** esp_ota_abort: the handle is freed, the bytes written stay in the slot. */
  close(): void;
}

export interface UpdateOpener {
  open(options: { partition: FlashArea; mode?: "a" | "w"; byteLength?: number }): UpdateSession;
}

/** ota-boot.c: BootControl plus setBootToUpdate. */
export interface NativeBoot extends BootControl {
  setBootToUpdate(): void;
}

export interface Esp32UpdateFlashOptions {
  update: UpdateOpener;
  flash: FlashStorage;
  boot: NativeBoot;
  /** The data partition a mod is downloaded into (partitions.csv; same size as `xs`). */
  staging?: string;
}

/** The partitions the regions live in: "nextota" is the app slot that is not running. */
const PATHS: Readonly<Record<UpdateRegion, string>> = Object.freeze({ firmware: "nextota", mod: "xs", "mod-staging": "xs-staging" });

export class Esp32UpdateFlash implements UpdateFlash, BootControl {
  /**
   * embedded:update erases the slot when it is opened (esp_ota_begin with a length), so a
   * firmware download cannot continue after a restart; the mod regions could, but the updater
   * asks one question for all: false, a download after a power cut starts again.
   */
  readonly resumable = false;
  readonly #o: Esp32UpdateFlashOptions;
  readonly #areas = new Map<UpdateRegion, FlashArea>();

  constructor(options: Esp32UpdateFlashOptions) {
    this.#o = options;
  }

  #area(region: UpdateRegion): FlashArea {
    let area = this.#areas.get(region);
    if (!area) {
      const path = region === "mod-staging" ? (this.#o.staging ?? PATHS[region]) : PATHS[region];
      area = this.#o.flash.open({ path, mode: "r+" });
      this.#areas.set(region, area);
    }
    return area;
  }

  size(region: UpdateRegion): number {
    return this.#area(region).status().size;
  }

  open(options: { region: UpdateRegion; byteLength: number; resume: boolean }): UpdateWriter {
    const area = this.#area(options.region);
    if (options.region === "firmware") {
      const session = this.#o.update.open({ partition: area, mode: "w", byteLength: options.byteLength });
      return {
        write: (buffer, byteOffset) => session.write(buffer, byteOffset),
        // Not embedded:update's complete(): it would make the slot bootable before the updater
        // has read it back and checked the signed digest. close() ends the writing; the slot
        // becomes bootable only through setBootToUpdate() at activation.
        complete: () => session.close(),
        cancel: () => session.close(),
      };
    }
    // A mod region: a raw data partition, erased first unless the download resumes into it.
    const status = area.status();
    if (!options.resume) area.eraseBlock(0, Math.min(status.blocks, Math.ceil(options.byteLength / status.blockLength)));
    return {
      write: (buffer, byteOffset) => area.write(buffer, byteOffset),
      complete: () => {},
      cancel: () => {},
    };
  }

  read(region: UpdateRegion, offset: number, into: Uint8Array): void {
    into.set(new Uint8Array(this.#area(region).read(into.length, offset)));
  }

  erase(region: UpdateRegion): void {
    const area = this.#area(region);
    area.eraseBlock(0, area.status().blocks);
  }

  setBootToUpdate(): void {
    this.#o.boot.setBootToUpdate();
  }

  runningSlot(): number {
    return this.#o.boot.runningSlot();
  }

  runningPendingVerify(): boolean {
    return this.#o.boot.runningPendingVerify();
  }

  markValid(): void {
    this.#o.boot.markValid();
  }

  rollback(): void {
    this.#o.boot.rollback();
  }

  restart(): void {
    this.#o.boot.restart();
  }

  close(): void {
    for (const area of this.#areas.values()) area.close();
    this.#areas.clear();
  }
}
