// A simulated charger for the updater's tests: flash with an ESP-IDF-like bootloader, storage
// and flash on one PowerRail (a power cut at any persistent operation), a ManualClock, a
// switchable charging session. `boot()` is a power-on: RAM state (updater, trust store, timers)
// is built anew from what storage and flash kept.

import { ManualClock } from "../../modules/common/index";
import { MemoryLogger } from "../../modules/common/log";
import { NobleCrypto } from "../../hosts/portable-crypto/index";
import { seededEntropy } from "../support/seeded-entropy";
import { TrustStore, Updater } from "../../modules/ota/index";
import { PowerCut, PowerRail, RailStorage, SimulatedFlash } from "../../simulation/ota/simulated-flash";
import { makeImage } from "../../simulation/ota/pack";
import type { ImageKind, ReceiveResult, UpdaterOptions } from "../../modules/ota/index";
import type { UpdateSigner } from "../../simulation/ota/pack";

export const BOARD = "esp32-qca7000";
export const crypto = new NobleCrypto({ entropy: seededEntropy(15118) });

export function signer(): UpdateSigner {
  return { crypto, ...crypto.generateSigningKey("ECDSA-P256-SHA256") };
}

/** Keys made once per file: the vendor's online key, its offline recovery key, a stranger's. */
export const vendor = signer();
export const recovery = signer();
export const stranger = signer();

/** A recognisable payload for a version of a kind. */
export function payload(kind: ImageKind, version: number, size = kind === "firmware" ? 10_000 : 6_000): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + version * 7 + (kind === "mod" ? 101 : 0)) & 0xff;
  return out;
}

export function image(kind: ImageKind, version: number, key = vendor, extra: { board?: string; securityCounter?: number } = {}): Uint8Array {
  return makeImage({ kind, board: extra.board ?? BOARD, version, securityCounter: extra.securityCounter }, payload(kind, version), key);
}

export class Device {
  readonly rail = new PowerRail();
  readonly storage = new RailStorage(this.rail);
  readonly flash: SimulatedFlash;
  readonly log = new MemoryLogger();
  clock = new ManualClock();
  trust!: TrustStore;
  updater!: Updater;
  sessionActive = false;
  selfTestPasses = true;
  boots = 0;
  readonly #options: Partial<UpdaterOptions>;

  constructor(options: Partial<UpdaterOptions> & { resumable?: boolean } = {}) {
    this.flash = new SimulatedFlash({ slotSize: 16_384, modSize: 8_192, rail: this.rail, resumable: options.resumable, firmware: payload("firmware", 1) });
    this.#options = options;
    this.boot();
  }

  /** Power on: the bootloader picks the slot, then the firmware builds its updater from storage. */
  boot(): void {
    this.boots++;
    this.updater?.close();
    this.flash.powerOn();
    this.clock = new ManualClock();
    this.trust = new TrustStore({ crypto, storage: this.storage, anchor: [vendor.publicKey, recovery.publicKey], logger: this.log });
    this.updater = new Updater({
      board: BOARD,
      trust: this.trust,
      storage: this.storage,
      flash: this.flash,
      boot: this.flash,
      clock: this.clock,
      activity: { sessionActive: () => this.sessionActive },
      firmwareVersion: 1,
      selfTest: () => this.selfTestPasses,
      progressInterval: 2048,
      logger: this.log,
      ...this.#options,
    });
    this.updater.boot();
  }

  /** One transfer of `file` from where the updater resumes, in `chunk`-byte pieces. */
  download(file: Uint8Array, chunk = 1000): ReceiveResult {
    let at = this.updater.downloadFrom();
    let result: ReceiveResult = { status: "more" };
    while (at < file.length && result.status === "more") {
      result = this.updater.receive(file.subarray(at, Math.min(file.length, at + chunk)));
      at += chunk;
    }
    return result;
  }

  /** The version of `kind` whose payload the running slot (firmware) or the mod region holds; 0 for none. */
  running(kind: ImageKind, upTo = 5): number {
    const region = kind === "firmware" ? this.flash.slots[this.flash.running] : this.flash.mod;
    for (let v = 1; v <= upTo; v++) {
      const p = payload(kind, v);
      let same = true;
      for (let i = 0; i < p.length && same; i++) same = region[i] === p[i];
      if (same) return v;
    }
    return 0;
  }

  /**
   * Drives an update to its end as a device would: downloads (resuming), restarts when asked,
   * confirms health once up; a PowerCut anywhere is a power-on. Returns the power cuts seen.
   */
  drive(file: Uint8Array, check: () => void = () => {}, rounds = 30): number {
    let cuts = 0;
    for (let round = 0; round < rounds; round++) {
      try {
        if (this.flash.restartRequested) this.boot();
        check();
        const phase = this.updater.phase;
        if (phase === "pending") {
          this.updater.confirmHealthy();
          continue;
        }
        if (phase === "idle" || phase === "downloading") {
          const before = this.updater.installed;
          const result = this.download(file);
          if (result.status === "refused" && result.reason === "downgrade" && (before.firmware > 1 || before.mod > 0)) return cuts;
          if (result.status === "refused") throw new Error(`refused: ${result.reason} ${result.message}`);
          if (!this.flash.restartRequested) return cuts;
          continue;
        }
        if (phase === "downloaded") this.updater.activate();
      } catch (error) {
        if (!(error instanceof PowerCut)) throw error;
        cuts++;
        this.rail.cutAt = 0;
        this.boot();
      }
    }
    throw new Error("the update did not finish");
  }
}
