// A simulated device for the updater's tests on Node and in XS (and the desktop simulator): two
// app slots with an ESP-IDF-like bootloader (otadata: boot slot, per-slot state new →
// pending-verify → valid, aborted when restarted unconfirmed), a mod region and its staging
// region, NOR flash semantics (erase to 0xFF, a write can only clear bits), and a PowerRail that
// cuts the power at a chosen operation: the interrupted flash or storage write is torn (half of
// it lands) and PowerCut is thrown, as the firmware would stop there.

import { MemoryPkiStorage } from "../../modules/pki-store/storage";
import type { PkiStorage } from "../../modules/pki-store/storage";
import type { BootControl, UpdateFlash, UpdateRegion, UpdateWriter } from "../../modules/ota/flash";

export class PowerCut extends Error {
  constructor(what: string) {
    super(`power cut during ${what}`);
    this.name = "PowerCut";
  }
}

/** Counts the persistent operations; the one numbered `cutAt` (1-based) is cut. */
export class PowerRail {
  operations = 0;
  cutAt = 0;

  /** Throws PowerCut (after `tear`) when this operation is the one cut. */
  step(what: string, tear?: () => void): void {
    this.operations++;
    if (this.operations === this.cutAt) {
      tear?.();
      throw new PowerCut(what);
    }
  }
}

/** A PkiStorage on the rail: a cut write leaves half of the new bytes. */
export class RailStorage implements PkiStorage {
  readonly inner = new MemoryPkiStorage();
  readonly #rail: PowerRail;

  constructor(rail: PowerRail) {
    this.#rail = rail;
  }

  read(name: string): Uint8Array | undefined {
    return this.inner.read(name);
  }

  write(name: string, data: Uint8Array): void {
    this.#rail.step(`storage write ${name}`, () => this.inner.write(name, data.subarray(0, data.length >> 1)));
    this.inner.write(name, data);
  }

  remove(name: string): void {
    this.#rail.step(`storage remove ${name}`);
    this.inner.remove(name);
  }

  list(prefix: string): string[] {
    return this.inner.list(prefix);
  }
}

type SlotState = "valid" | "new" | "pending-verify" | "aborted" | "invalid";

export class SimulatedFlash implements UpdateFlash, BootControl {
  readonly resumable: boolean;
  readonly slots: [Uint8Array, Uint8Array];
  readonly states: [SlotState, SlotState] = ["valid", "invalid"];
  readonly mod: Uint8Array;
  readonly staging: Uint8Array;
  /** The slot the bootloader starts next (otadata). */
  bootSlot = 0;
  running = 0;
  /** Set by restart()/rollback(): the device would restart now. */
  restartRequested: "restart" | "rollback" | undefined;
  readonly #rail: PowerRail;

  constructor(options: { slotSize: number; modSize: number; rail: PowerRail; resumable?: boolean; firmware?: Uint8Array }) {
    this.resumable = options.resumable ?? true;
    this.slots = [new Uint8Array(options.slotSize).fill(0xff), new Uint8Array(options.slotSize).fill(0xff)];
    if (options.firmware) this.slots[0].set(options.firmware);
    this.mod = new Uint8Array(options.modSize).fill(0xff);
    this.staging = new Uint8Array(options.modSize).fill(0xff);
    this.#rail = options.rail;
  }

  /** The bootloader after a reset: an unconfirmed slot restarted is aborted, a new one becomes pending. */
  powerOn(): void {
    this.restartRequested = undefined;
    let slot = this.bootSlot;
    if (this.states[slot] === "pending-verify") this.states[slot] = "aborted";
    if (this.states[slot] !== "new" && this.states[slot] !== "valid") slot = 1 - slot;
    if (this.states[slot] === "new") this.states[slot] = "pending-verify";
    this.bootSlot = slot;
    this.running = slot;
  }

  #region(region: UpdateRegion): Uint8Array {
    if (region === "firmware") return this.slots[1 - this.running];
    return region === "mod" ? this.mod : this.staging;
  }

  size(region: UpdateRegion): number {
    return this.#region(region).length;
  }

  open(options: { region: UpdateRegion; byteLength: number; resume: boolean }): UpdateWriter {
    const target = this.#region(options.region);
    if (options.byteLength > target.length) throw new RangeError("invalid byteLength");
    if (!options.resume) this.#rail.step(`erase ${options.region}`, () => target.fill(0xff, 0, target.length >> 1));
    if (!options.resume) target.fill(0xff);
    if (options.region === "firmware") this.states[1 - this.running] = "invalid";
    const rail = this.#rail;
    let open = true;
    return {
      write(buffer: Uint8Array, byteOffset: number): void {
        if (!open) throw new Error("already complete");
        if (byteOffset + buffer.length > target.length) throw new RangeError("write beyond the region");
        const land = (count: number) => {
          for (let i = 0; i < count; i++) target[byteOffset + i] &= buffer[i]; // NOR: bits only clear
        };
        rail.step(`write ${options.region} at ${byteOffset}`, () => land(buffer.length >> 1));
        land(buffer.length);
      },
      complete(): void {
        open = false;
      },
      cancel(): void {
        open = false;
      },
    };
  }

  read(region: UpdateRegion, offset: number, into: Uint8Array): void {
    into.set(this.#region(region).subarray(offset, offset + into.length));
  }

  erase(region: UpdateRegion): void {
    const target = this.#region(region);
    this.#rail.step(`erase ${region}`, () => target.fill(0xff, 0, target.length >> 1));
    target.fill(0xff);
  }

  setBootToUpdate(): void {
    const slot = 1 - this.running;
    this.#rail.step("otadata write");
    this.bootSlot = slot;
    this.states[slot] = "new";
  }

  runningSlot(): number {
    return this.running;
  }

  runningPendingVerify(): boolean {
    return this.states[this.running] === "pending-verify";
  }

  markValid(): void {
    this.#rail.step("otadata write");
    this.states[this.running] = "valid";
  }

  rollback(): void {
    this.#rail.step("otadata write");
    this.states[this.running] = "invalid";
    this.bootSlot = 1 - this.running;
    this.restartRequested = "rollback";
  }

  restart(): void {
    this.restartRequested = "restart";
  }
}
