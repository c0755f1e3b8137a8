// The over-the-air updater: takes a signed image as a byte stream (from the host's HTTPS
// download client), checks its header before writing anything, streams the payload into the
// inactive slot, verifies the slot, activates it only while no charging session runs, and
// rolls back when the new image does not confirm itself healthy in time.
//
// Every step is persisted in an AtomicRecord (two slots, CRC: a power cut while saving leaves the
// previous step or the new one), so a power cut anywhere leaves a device that boots the old or
// the new image and knows which:
//   idle → downloading(written) → downloaded → [mod: installing(copied)] → activated → pending → idle
// Firmware: the bootloader's rollback (ESP-IDF CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE) starts the
// new slot in "pending verify"; restarted again before markValid(), it goes back to the old one.
// Mods: the runtime loads the mod from one region, so the new mod is downloaded into a staging
// region, copied over the running one at activation (restartable, the staging copy unchanged), and
// a bad mod is rolled back by erasing the mod region (the firmware runs without a mod) and asking
// for the previous mod again, pinned to its digest (README.md, "Mods").

import type { Clock, Millis, TimerHandle } from "../common/clock";
import { Seconds } from "../common/clock";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import { bytesEqual, toHex } from "../common/bytes";
import { Sha256 } from "../common/sha256";
import type { PkiStorage } from "../pki-store/storage";
import { AtomicRecord } from "../station/atomic-record";
import type { BootControl, SessionActivity, UpdateFlash, UpdateRegion, UpdateWriter } from "./flash";
import { IMAGE_HEADER_SIZE, IMAGE_SIGNED_SIZE, parseImageHeader, readU32, writeU32 } from "./image";
import type { ImageHeader, ImageKind } from "./image";
import type { TrustRefusal, TrustStore } from "./trust";

export type UpdateRefusal =
  | TrustRefusal
  | "wrong-board"
  | "kind-not-supported"
  | "downgrade"
  | "security-counter"
  | "too-large"
  | "rolled-back-before"
  | "digest-mismatch"
  | "no-update-in-progress";

export type UpdatePhase = "idle" | "downloading" | "downloaded" | "installing" | "activated" | "pending";
const PHASES: readonly UpdatePhase[] = Object.freeze(["idle", "downloading", "downloaded", "installing", "activated", "pending"]);

export type ReceiveResult =
  | { status: "more" }
  | { status: "refused"; reason: UpdateRefusal; message: string }
  | { status: "verified" }
  | { status: "deferred" }
  | { status: "restarting" };

/** An incremental SHA-256 (the slot is hashed in 4 KiB pieces: a firmware does not fit in RAM). */
export interface IncrementalHash {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
}

export interface UpdaterOptions {
  board: string;
  trust: TrustStore;
  storage: PkiStorage;
  flash: UpdateFlash;
  boot: BootControl;
  clock: Clock;
  activity: SessionActivity;
  /** The version of the firmware built into this image (the floor before any update). */
  firmwareVersion: number;
  /** Which kinds this device takes (default both). */
  kinds?: readonly ImageKind[];
  /** The self-test the new image must pass before it is confirmed (default: passes). */
  selfTest?: () => boolean;
  /** Time the new image has to confirm itself healthy (default 10 minutes). */
  healthTimeout?: Millis;
  /** How often a deferred activation looks again whether the session ended (default 30 s). */
  idleRetry?: Millis;
  /**
   * SHA-256 for the slot's verification. Default: the core's portable one, about 4.6 s per MiB
   * in desktop XS — on the ESP32 pass the platform's native digest (Moddable's `crypt` Digest
   * over mbedTLS / the SHA hardware), or verifying a 1.5 MB firmware takes minutes.
   */
  sha256?: () => IncrementalHash;
  /** Download progress is saved every this many bytes (default 64 KiB: flash wear vs bytes re-fetched). */
  progressInterval?: number;
  /** Restarts of an unconfirmed image before it is rolled back (default 1: the first boot only). */
  maxPendingBoots?: number;
  /** Attempts at one version that rolled back before it is refused (default 2). */
  maxAttempts?: number;
  logger?: Logger;
}

/** What the device runs and remembers, as persisted (see #encode for the layout). */
interface UpdateState {
  phase: UpdatePhase;
  header: ImageHeader | undefined;
  /** Payload bytes written (downloading) or copied (installing). */
  progress: number;
  firmwareVersion: number;
  firmwareCounter: number;
  modVersion: number;
  modCounter: number;
  modLength: number;
  modDigest: Uint8Array;
  pendingBoots: number;
  rejectedKind: number;
  rejectedVersion: number;
  rejectedCount: number;
  /** A mod was rolled back: the previous one (modVersion/modDigest) is wanted again. */
  restoreMod: boolean;
  /** The app slot a firmware update was written to (the one not running then). */
  targetSlot: number;
  /** The payload bytes written between the last two progress saves, and their SHA-256 (checked on resume). */
  windowStart: number;
  windowDigest: Uint8Array;
}

const READ_CHUNK = 4096;
const STATE_SIZE = 1 + IMAGE_HEADER_SIZE + 4 + 4 * 5 + 32 + 1 + 1 + 4 + 1 + 1 + 1 + 4 + 32;

export class Updater {
  readonly #o: UpdaterOptions;
  readonly #log: Logger;
  readonly #record: AtomicRecord;
  readonly #state: UpdateState;
  readonly #buffer = new Uint8Array(READ_CHUNK);
  readonly #headerBytes = new Uint8Array(IMAGE_HEADER_SIZE);
  #headerFill = 0;
  #writer: UpdateWriter | undefined;
  #savedAt = 0;
  /** SHA-256 of the payload written since the last progress save. */
  #window: IncrementalHash;
  #timer: TimerHandle | undefined;

  constructor(options: UpdaterOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#record = new AtomicRecord(options.storage, "ota-state");
    this.#window = this.#hash();
    const saved = this.#record.load();
    const decoded = saved === undefined ? undefined : this.#decode(saved);
    if (saved !== undefined && decoded === undefined) this.#log.log("error", "ota", "stored update state unreadable: starting from the running firmware");
    this.#state = decoded ?? {
      phase: "idle",
      header: undefined,
      progress: 0,
      firmwareVersion: options.firmwareVersion,
      firmwareCounter: 0,
      modVersion: 0,
      modCounter: 0,
      modLength: 0,
      modDigest: new Uint8Array(32),
      pendingBoots: 0,
      rejectedKind: 0,
      rejectedVersion: 0,
      rejectedCount: 0,
      restoreMod: false,
      targetSlot: 0,
      windowStart: 0,
      windowDigest: new Uint8Array(32),
    };
    // A firmware built with a higher version than the state knows was flashed by cable.
    if (this.#state.firmwareVersion < options.firmwareVersion) this.#state.firmwareVersion = options.firmwareVersion;
  }

  get phase(): UpdatePhase {
    return this.#state.phase;
  }

  /** The confirmed versions, and the mod the device wants back after a rollback. */
  get installed(): { firmware: number; mod: number; modDigest: Uint8Array | undefined; restoreMod: boolean } {
    const s = this.#state;
    return { firmware: s.firmwareVersion, mod: s.modVersion, modDigest: s.modVersion ? s.modDigest.slice() : undefined, restoreMod: s.restoreMod };
  }

  /** The image being handled (downloaded, activated or pending), if any. */
  get header(): ImageHeader | undefined {
    return this.#state.header;
  }

  /**
   * Call once at start-up. Continues what a restart interrupted: an unconfirmed image starts its
   * health timer (or is rolled back), a mod copy is finished, a verified image waits for idle.
   */
  boot(): void {
    const s = this.#state;
    const h = s.header;
    const firmware = h?.kind === "firmware";
    if (firmware && (s.phase === "downloaded" || s.phase === "activated" || s.phase === "pending")) {
      if (this.#o.boot.runningPendingVerify()) {
        // Also "downloaded": the power failed after the boot slot was switched, before the save.
        this.#enterPending();
        return;
      }
      if (s.phase === "pending" && this.#o.boot.runningSlot() === s.targetSlot) {
        // markValid() went through, the power failed before the state said so.
        this.#confirmed(h!);
        return;
      }
      if (s.phase !== "downloaded") {
        // The bootloader went back to the old firmware: the new one restarted before it was confirmed.
        this.#log.log("error", "ota", `firmware ${h!.version} was not confirmed before a restart: the bootloader rolled back to ${s.firmwareVersion}`);
        this.#rejected(h!);
        this.#setIdle();
        return;
      }
    }
    if (s.phase === "installing") {
      this.#log.log("info", "ota", `finishing the mod copy interrupted at ${s.progress} bytes`);
      this.#install();
      return;
    }
    if (!firmware && (s.phase === "activated" || s.phase === "pending")) {
      this.#enterPending();
      return;
    }
    if (s.phase === "downloaded") this.activate();
    else if (s.phase === "downloading") this.#log.log("info", "ota", `download of ${h!.kind} ${h!.version} interrupted at ${s.progress} of ${h!.length} bytes`);
  }

  /**
   * Where the host's download resumes: the byte of the image file to request (HTTP Range), 0 for
   * the whole file. Call before each transfer.
   */
  downloadFrom(): number {
    const s = this.#state;
    this.#headerFill = 0;
    if (s.phase !== "downloading") return 0;
    // A transfer cut while this updater runs (no restart between): it resumes from the last
    // save, as after a restart, since only the save's window digest vouches for the slot.
    // The writer of the cut transfer is dropped: a host that cannot resume (embedded:update)
    // must open, hence erase, the region again.
    if (this.#writer !== undefined) {
      s.progress = this.#savedAt;
      this.#writer.cancel();
      this.#writer = undefined;
    }
    if (!this.#o.flash.resumable || s.progress === 0) {
      this.#setIdle();
      return 0;
    }
    // What was written before the last save landed whole (the save came after it); the window
    // written last before it is read back and checked anyway, so that a slot that lost bytes is
    // found now rather than after the whole download.
    if (s.windowStart < s.progress && !bytesEqual(this.#hashRegion(this.#downloadRegion(s.header!), s.windowStart, s.progress), s.windowDigest)) {
      this.#log.log("warn", "ota", `the slot does not hold the bytes ${s.windowStart}..${s.progress} saved before the restart: the download starts again`);
      this.#setIdle();
      return 0;
    }
    this.#writer = undefined;
    this.#window = this.#hash();
    this.#savedAt = s.progress;
    return IMAGE_HEADER_SIZE + s.progress;
  }

  /** The next bytes of the image file, in order from downloadFrom(). Peer data: never throws. */
  receive(chunk: Uint8Array): ReceiveResult {
    const s = this.#state;
    let at = 0;
    if (s.phase === "idle") {
      const take = Math.min(IMAGE_HEADER_SIZE - this.#headerFill, chunk.length);
      this.#headerBytes.set(chunk.subarray(0, take), this.#headerFill);
      this.#headerFill += take;
      at = take;
      if (this.#headerFill < IMAGE_HEADER_SIZE) return { status: "more" };
      const refusal = this.#accept();
      if (refusal) return refusal;
    }
    if (s.phase !== "downloading") return this.#refuse("no-update-in-progress", `${chunk.length - at} bytes for an update in phase ${s.phase}`);
    const h = s.header!;
    if (this.#writer === undefined) this.#writer = this.#o.flash.open({ region: this.#downloadRegion(h), byteLength: h.length, resume: s.progress > 0 });
    const take = Math.min(chunk.length - at, h.length - s.progress);
    if (take > 0) {
      const piece = chunk.subarray(at, at + take);
      this.#writer.write(piece, s.progress);
      this.#window.update(piece);
      s.progress += take;
    }
    if (s.progress < h.length) {
      if (s.progress - this.#savedAt >= (this.#o.progressInterval ?? 65536)) this.#save();
      return { status: "more" };
    }
    this.#writer.complete();
    this.#writer = undefined;
    if (!this.#verify(this.#downloadRegion(h), h)) {
      this.#setIdle();
      return this.#refuse("digest-mismatch", `${h.kind} ${h.version}: the written slot does not match the signed digest; the download starts again`);
    }
    s.phase = "downloaded";
    this.#save();
    this.#log.log("info", "ota", `${h.kind} ${h.version} written and verified (${h.length} bytes)`);
    return this.activate();
  }

  /** Gives up the download in progress (the slot is left as it is, never activated). */
  cancel(): void {
    this.#writer?.cancel();
    this.#writer = undefined;
    if (this.#state.phase === "downloading" || this.#state.phase === "downloaded") this.#setIdle();
  }

  /**
   * Activates a verified image unless a charging session runs (then it looks again every
   * idleRetry): a firmware restarts into the new slot, a mod is copied into place and the device
   * restarts.
   */
  activate(): ReceiveResult {
    const s = this.#state;
    if (s.phase !== "downloaded") return this.#refuse("no-update-in-progress", `activation in phase ${s.phase}`);
    if (this.#o.activity.sessionActive()) {
      if (this.#timer === undefined) this.#log.log("info", "ota", `${s.header!.kind} ${s.header!.version} verified: activation deferred until the charging session ends`);
      this.#schedule(this.#o.idleRetry ?? Seconds(30), () => this.activate());
      return { status: "deferred" };
    }
    const h = s.header!;
    if (h.kind === "firmware") {
      this.#o.flash.setBootToUpdate();
      s.phase = "activated";
      this.#save();
      this.#log.log("info", "ota", `firmware ${h.version} activated: restarting into it`);
      this.#o.boot.restart();
      return { status: "restarting" };
    }
    s.phase = "installing";
    s.progress = 0;
    this.#save();
    return this.#install();
  }

  /**
   * The new image reports itself healthy: the session layer is up (the V2G server listens or
   * the vehicle's SDP answered) — the host calls this then; the self-test hook runs here.
   */
  confirmHealthy(): boolean {
    const s = this.#state;
    if (s.phase !== "pending") return false;
    const h = s.header!;
    if (!(this.#o.selfTest?.() ?? true)) {
      this.#log.log("error", "ota", `${h.kind} ${h.version}: self-test failed`);
      this.#rollback("self-test failed");
      return false;
    }
    this.#o.clock.clear(this.#timer);
    this.#timer = undefined;
    if (h.kind === "firmware") this.#o.boot.markValid();
    this.#confirmed(h);
    return true;
  }

  #confirmed(h: ImageHeader): void {
    const s = this.#state;
    if (h.kind === "firmware") {
      s.firmwareVersion = h.version;
      if (h.securityCounter > s.firmwareCounter) s.firmwareCounter = h.securityCounter;
    } else {
      s.modVersion = h.version;
      s.modLength = h.length;
      s.modDigest = h.digest.slice();
      if (h.securityCounter > s.modCounter) s.modCounter = h.securityCounter;
      s.restoreMod = false;
    }
    this.#log.log("info", "ota", `${h.kind} ${h.version} confirmed healthy`);
    this.#setIdle();
  }

  /** Stops the timers (the device is shutting down). */
  close(): void {
    this.#o.clock.clear(this.#timer);
    this.#timer = undefined;
  }

  #accept(): ReceiveResult | undefined {
    const s = this.#state;
    let h: ImageHeader;
    try {
      h = parseImageHeader(this.#headerBytes);
    } catch (error) {
      return this.#refuse("malformed", (error as Error).message);
    }
    const what = `${h.kind} ${h.version} for ${h.board}`;
    if (h.board !== this.#o.board) return this.#refuse("wrong-board", `${what}: this is ${this.#o.board}`);
    if ((this.#o.kinds ?? ["firmware", "mod"]).indexOf(h.kind) < 0) return this.#refuse("kind-not-supported", what);
    const trust = this.#o.trust.check(h.keyId, h.bytes.subarray(0, IMAGE_SIGNED_SIZE), h.signature, h.version);
    if (trust !== undefined) return this.#refuse(trust, `${what} signed by key ${toHex(h.keyId)}`);
    const firmware = h.kind === "firmware";
    const current = firmware ? s.firmwareVersion : s.modVersion;
    // The mod rolled back may come back at its own version, byte for byte the one confirmed before.
    const restore = !firmware && s.restoreMod && h.version === s.modVersion && bytesEqual(h.digest, s.modDigest);
    if (!restore && h.version <= current) return this.#refuse("downgrade", `${what}: version ${current} runs`);
    if (h.version < this.#o.trust.versionFloor) return this.#refuse("downgrade", `${what}: the update keys accept versions from ${this.#o.trust.versionFloor}`);
    if (h.securityCounter < (firmware ? s.firmwareCounter : s.modCounter)) return this.#refuse("security-counter", `${what}: security counter ${h.securityCounter} below ${firmware ? s.firmwareCounter : s.modCounter}`);
    if (h.length > this.#o.flash.size(this.#downloadRegion(h)) || (!firmware && h.length > this.#o.flash.size("mod"))) return this.#refuse("too-large", `${what}: ${h.length} bytes`);
    if (s.rejectedKind === (firmware ? 1 : 2) && s.rejectedVersion === h.version && s.rejectedCount >= (this.#o.maxAttempts ?? 2)) {
      return this.#refuse("rolled-back-before", `${what}: rolled back ${s.rejectedCount} times`);
    }
    s.phase = "downloading";
    s.header = h;
    s.targetSlot = firmware ? 1 - this.#o.boot.runningSlot() : 0;
    s.windowStart = 0;
    this.#window = this.#hash();
    s.progress = 0;
    this.#writer = undefined;
    this.#save();
    this.#log.log("info", "ota", `${what} accepted (key ${toHex(h.keyId)}${restore ? ", restoring the previous mod" : ""}): writing ${h.length} bytes`);
    return undefined;
  }

  #downloadRegion(h: ImageHeader): UpdateRegion {
    return h.kind === "firmware" ? "firmware" : "mod-staging";
  }

  /** SHA-256 over the region as written, read back in the reused buffer. */
  #verify(region: UpdateRegion, h: ImageHeader): boolean {
    return bytesEqual(this.#hashRegion(region, 0, h.length), h.digest);
  }

  #hash(): IncrementalHash {
    return this.#o.sha256 ? this.#o.sha256() : new Sha256();
  }

  #hashRegion(region: UpdateRegion, from: number, to: number): Uint8Array {
    const hash = this.#hash();
    for (let at = from; at < to; at += READ_CHUNK) {
      const piece = Math.min(READ_CHUNK, to - at);
      const view = piece === READ_CHUNK ? this.#buffer : this.#buffer.subarray(0, piece);
      this.#o.flash.read(region, at, view);
      hash.update(view);
    }
    return hash.digest();
  }

  /** Copies the staged mod over the running one (restartable: staging stays as it was), then restarts. */
  #install(): ReceiveResult {
    const s = this.#state;
    const h = s.header!;
    const flash = this.#o.flash;
    const writer = flash.open({ region: "mod", byteLength: h.length, resume: s.progress > 0 && flash.resumable });
    if (!flash.resumable) s.progress = 0;
    let savedAt = s.progress;
    while (s.progress < h.length) {
      const piece = Math.min(READ_CHUNK, h.length - s.progress);
      const view = this.#buffer.subarray(0, piece);
      flash.read("mod-staging", s.progress, view);
      writer.write(view, s.progress);
      s.progress += piece;
      if (s.progress - savedAt >= (this.#o.progressInterval ?? 65536)) {
        this.#save();
        savedAt = s.progress;
      }
    }
    writer.complete();
    if (!this.#verify("mod", h)) {
      // The staged copy was verified: a mismatch here is a flash fault. Run without a mod.
      flash.erase("mod");
      this.#log.log("error", "ota", `mod ${h.version}: the copy in the mod region does not verify; running without a mod`);
      this.#setIdle();
      return this.#refuse("digest-mismatch", "mod region after the copy");
    }
    s.phase = "activated";
    s.pendingBoots = 0;
    this.#save();
    this.#log.log("info", "ota", `mod ${h.version} installed: restarting into it`);
    this.#o.boot.restart();
    return { status: "restarting" };
  }

  #enterPending(): void {
    const s = this.#state;
    const h = s.header!;
    s.phase = "pending";
    s.pendingBoots++;
    this.#save();
    if (s.pendingBoots > (this.#o.maxPendingBoots ?? 1)) {
      this.#log.log("error", "ota", `${h.kind} ${h.version} restarted ${s.pendingBoots - 1} time(s) without confirming itself`);
      this.#rollback("restarted before it was confirmed");
      return;
    }
    const timeout = this.#o.healthTimeout ?? Seconds(600);
    this.#log.log("info", "ota", `${h.kind} ${h.version} runs unconfirmed: it has ${timeout / 1000} s to bring the session layer up and pass its self-test`);
    this.#schedule(timeout, () => this.#healthTimeout());
  }

  #healthTimeout(): void {
    if (this.#state.phase !== "pending") return;
    if (this.#o.activity.sessionActive()) {
      this.#schedule(this.#o.idleRetry ?? Seconds(30), () => this.#healthTimeout());
      return;
    }
    this.#log.log("error", "ota", `${this.#state.header!.kind} ${this.#state.header!.version} did not confirm itself healthy in time`);
    this.#rollback("health not confirmed in time");
  }

  #rollback(why: string): void {
    const s = this.#state;
    const h = s.header!;
    this.#o.clock.clear(this.#timer);
    this.#timer = undefined;
    this.#rejected(h);
    if (h.kind === "firmware") {
      this.#setIdle();
      this.#log.log("error", "ota", `rolling back firmware ${h.version} (${why}) to ${s.firmwareVersion}`);
      this.#o.boot.rollback();
      return;
    }
    this.#o.flash.erase("mod");
    s.restoreMod = s.modVersion > 0;
    this.#setIdle();
    this.#log.log("error", "ota", `rolling back mod ${h.version} (${why}): running without a mod${s.restoreMod ? `, mod ${s.modVersion} to be downloaded again` : ""}`);
    this.#o.boot.restart();
  }

  #rejected(h: ImageHeader): void {
    const s = this.#state;
    const kind = h.kind === "firmware" ? 1 : 2;
    if (s.rejectedKind === kind && s.rejectedVersion === h.version) s.rejectedCount++;
    else {
      s.rejectedKind = kind;
      s.rejectedVersion = h.version;
      s.rejectedCount = 1;
    }
  }

  #schedule(delay: Millis, callback: () => void): void {
    this.#o.clock.clear(this.#timer);
    this.#timer = this.#o.clock.set(() => {
      this.#timer = undefined;
      callback();
    }, delay);
  }

  #setIdle(): void {
    const s = this.#state;
    s.phase = "idle";
    s.header = undefined;
    s.progress = 0;
    s.pendingBoots = 0;
    this.#save();
  }

  #refuse(reason: UpdateRefusal, message: string): ReceiveResult {
    this.#log.log("warn", "ota", `update refused (${reason}): ${message}`);
    return { status: "refused", reason, message };
  }

  // phase u8 | header 148 (zero when none) | u32 progress | u32 firmwareVersion | u32 firmwareCounter |
  // u32 modVersion | u32 modCounter | u32 modLength | modDigest 32 | u8 pendingBoots | u8 rejectedKind |
  // u32 rejectedVersion | u8 rejectedCount | u8 restoreMod | u8 targetSlot | u32 windowStart | windowDigest 32
  #save(): void {
    const s = this.#state;
    if (s.phase === "downloading" && s.progress > this.#savedAt) {
      s.windowStart = this.#savedAt;
      s.windowDigest = this.#window.digest();
      this.#window = this.#hash();
    }
    const b = new Uint8Array(STATE_SIZE);
    b[0] = PHASES.indexOf(s.phase);
    if (s.header) b.set(s.header.bytes, 1);
    let at = 1 + IMAGE_HEADER_SIZE;
    for (const v of [s.progress, s.firmwareVersion, s.firmwareCounter, s.modVersion, s.modCounter, s.modLength]) {
      writeU32(b, at, v);
      at += 4;
    }
    b.set(s.modDigest, at);
    at += 32;
    b[at++] = Math.min(s.pendingBoots, 255);
    b[at++] = s.rejectedKind;
    writeU32(b, at, s.rejectedVersion);
    at += 4;
    b[at++] = Math.min(s.rejectedCount, 255);
    b[at++] = s.restoreMod ? 1 : 0;
    b[at++] = s.targetSlot;
    writeU32(b, at, s.windowStart);
    b.set(s.windowDigest, at + 4);
    this.#record.save(b);
    this.#savedAt = s.progress;
  }

  #decode(b: Uint8Array): UpdateState | undefined {
    if (b.length !== STATE_SIZE || b[0] >= PHASES.length) return undefined;
    const phase = PHASES[b[0]];
    let header: ImageHeader | undefined;
    if (phase !== "idle") {
      try {
        header = parseImageHeader(b.subarray(1, 1 + IMAGE_HEADER_SIZE));
      } catch {
        return undefined;
      }
    }
    const at = 1 + IMAGE_HEADER_SIZE;
    const u = (i: number) => readU32(b, at + 4 * i);
    const tail = at + 24 + 32;
    return {
      phase,
      header,
      progress: u(0),
      firmwareVersion: u(1),
      firmwareCounter: u(2),
      modVersion: u(3),
      modCounter: u(4),
      modLength: u(5),
      modDigest: b.slice(at + 24, at + 56),
      pendingBoots: b[tail],
      rejectedKind: b[tail + 1],
      rejectedVersion: readU32(b, tail + 2),
      rejectedCount: b[tail + 6],
      restoreMod: b[tail + 7] === 1,
      targetSlot: b[tail + 8],
      windowStart: readU32(b, tail + 9),
      windowDigest: b.slice(tail + 13, tail + 45),
    };
  }
}
