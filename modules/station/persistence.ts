// What a charger keeps across a restart (a power cut, a watchdog reset, a firmware update),
// on the storage host interface (PkiStorage: NVS or a flash partition on the ESP32, files on the
// Node host, memory in tests), each as an AtomicRecord (two slots, sequence number, CRC-32: a
// power cut at any write leaves the previous or the new state, never a torn one):
//
//  - PersistentSessionStore: the paused sessions (ISO 15118-2 SessionStopReq ChargingSession=
//    Pause, ISO 15118-20 SessionStopReq Pause), so a vehicle that comes back after the charger
//    restarted resumes its session with its SessionID (OK_OldSessionJoined) instead of a new one.
//  - EnergyLedger: the meter register and the energy of the session under way (or paused), so
//    the energy of a session survives a restart (for the receipt, the CSMS's transaction).
//
// Binary records (no JSON): written a few times per session, read once at boot.

import type { Clock, Millis } from "../common/clock";
import type { WallClock } from "../common/wall-clock";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import { bytesEqual } from "../common/bytes";
import type { PkiStorage } from "../pki-store/storage";
import type { PausedSession, SessionStore } from "../statemachine/charger-interfaces";
import { AtomicRecord } from "./atomic-record";

const PROTOCOLS = Object.freeze(["din", "iso2", "iso20"] as const);
/** A charging point keeps at most this many paused sessions (the oldest goes first). */
const MAX_PAUSED = 8;

/** Appends fields to a growing byte buffer (records are small; written a few times per session). */
class RecordWriter {
  #bytes = new Uint8Array(256);
  #length = 0;
  #room(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n));
    bigger.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bigger;
  }
  u8(v: number): void {
    this.#room(1);
    this.#bytes[this.#length++] = v & 0xff;
  }
  u16(v: number): void {
    this.u8(v >> 8);
    this.u8(v);
  }
  f64(v: number): void {
    this.#room(8);
    new DataView(this.#bytes.buffer).setFloat64(this.#length, v);
    this.#length += 8;
  }
  bytes(v: Uint8Array): void {
    this.u8(v.length);
    this.#room(v.length);
    this.#bytes.set(v, this.#length);
    this.#length += v.length;
  }
  /** ASCII text (enumeration values), or absent (length 255). */
  text(v: string | undefined): void {
    if (v === undefined) return this.u8(255);
    this.u8(v.length);
    for (let i = 0; i < v.length; i++) this.u8(v.charCodeAt(i));
  }
  done(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

class RecordReader {
  readonly #b: Uint8Array;
  #at = 0;
  constructor(bytes: Uint8Array) {
    this.#b = bytes;
  }
  #need(n: number): void {
    if (this.#at + n > this.#b.length) throw new RangeError("record ends early");
  }
  u8(): number {
    this.#need(1);
    return this.#b[this.#at++];
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  f64(): number {
    this.#need(8);
    const v = new DataView(this.#b.buffer, this.#b.byteOffset).getFloat64(this.#at);
    this.#at += 8;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.u8();
    this.#need(n);
    this.#at += n;
    return this.#b.slice(this.#at - n, this.#at);
  }
  text(): string | undefined {
    const n = this.u8();
    if (n === 255) return undefined;
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.u8());
    return s;
  }
}

export interface PersistenceOptions {
  storage: PkiStorage;
  /** The storage name of the record (its slots are NAME.0 and NAME.1); one per charging point. */
  name: string;
  clock: Clock;
  /** The date, when known: a pause's age is carried over a restart by it (else it counts from the boot). */
  wallClock?: WallClock;
  logger?: Logger;
}

/**
 * The SessionStore of a charging point, kept on storage. With `maxAge`, a pause older than that
 * is forgotten (the EV then gets a new session), also across restarts when the date is known.
 */
export class PersistentSessionStore implements SessionStore {
  readonly #record: AtomicRecord;
  readonly #o: PersistenceOptions;
  readonly #log: Logger;
  readonly #maxAge: number;
  readonly #sessions: PausedSession[] = [];

  constructor(options: PersistenceOptions & { maxAge?: Millis }) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#maxAge = options.maxAge ?? Infinity;
    this.#record = new AtomicRecord(options.storage, options.name);
    this.#load();
  }

  find(sessionId: Uint8Array): PausedSession | undefined {
    for (const s of this.#sessions) {
      if (!bytesEqual(s.sessionId, sessionId)) continue;
      return this.#o.clock.now() - s.pausedAt > this.#maxAge ? undefined : s;
    }
    return undefined;
  }

  save(paused: PausedSession): void {
    this.#drop(paused.sessionId);
    this.#sessions.push(paused);
    while (this.#sessions.length > MAX_PAUSED) this.#sessions.shift();
    this.#persist();
  }

  remove(sessionId: Uint8Array): void {
    if (this.#drop(sessionId)) this.#persist();
  }

  /** Paused sessions held (expired ones included until replaced). */
  get size(): number {
    return this.#sessions.length;
  }

  #drop(sessionId: Uint8Array): boolean {
    let dropped = false;
    for (let i = this.#sessions.length - 1; i >= 0; i--) {
      if (bytesEqual(this.#sessions[i].sessionId, sessionId)) {
        this.#sessions.splice(i, 1);
        dropped = true;
      }
    }
    return dropped;
  }

  #persist(): void {
    const w = new RecordWriter();
    const unixNow = this.#o.wallClock?.now();
    const now = this.#o.clock.now();
    w.u8(this.#sessions.length);
    for (const s of this.#sessions) {
      w.u8(PROTOCOLS.indexOf(s.protocol));
      w.bytes(s.sessionId);
      w.bytes(s.evccId);
      w.text(s.paymentOption);
      w.text(s.energyMode);
      w.u8(s.saScheduleTupleId);
      // The date of the pause when known (NaN otherwise): monotonic times mean nothing after a reboot.
      w.f64(unixNow === undefined ? NaN : unixNow - (now - s.pausedAt));
      // Flags: bit 0 authorized; bit 1 an ISO 15118-20 service follows (ServiceID and
      // ParameterSetID, two bytes each), which holds for the whole service session [V2G20-1844].
      // Records written before bit 1 existed read the same.
      const service = s.iso20Service;
      w.u8((s.authorized === true ? 1 : 0) | (service !== undefined ? 2 : 0));
      if (service !== undefined) {
        w.u16(service.serviceId);
        w.u16(service.parameterSetId);
      }
    }
    try {
      this.#record.save(w.done());
    } catch (error) {
      // The storage failed: the pause still holds in memory until the next restart.
      this.#log.log("error", "station", `paused sessions not stored: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  #load(): void {
    let payload: Uint8Array | undefined;
    try {
      payload = this.#record.load();
    } catch (error) {
      this.#log.log("error", "station", `paused sessions not readable: ${(error as Error)?.message ?? String(error)}`);
      return;
    }
    if (payload === undefined) return;
    const now = this.#o.clock.now();
    const unixNow = this.#o.wallClock?.now();
    try {
      const r = new RecordReader(payload);
      const count = r.u8();
      for (let i = 0; i < count; i++) {
        const protocol = PROTOCOLS[r.u8()];
        const sessionId = r.bytes();
        const evccId = r.bytes();
        const paymentOption = r.text();
        const energyMode = r.text();
        const saScheduleTupleId = r.u8();
        const pausedUnix = r.f64();
        const flags = r.u8();
        const authorized = (flags & 1) !== 0;
        const iso20Service = (flags & 2) !== 0 ? { serviceId: r.u16(), parameterSetId: r.u16() } : undefined;
        if (protocol === undefined) continue;
        // The age over the restart from the dates; without them the pause counts from the boot.
        const age = unixNow !== undefined && !Number.isNaN(pausedUnix) ? Math.max(0, unixNow - pausedUnix) : 0;
        this.#sessions.push({ protocol, sessionId, evccId, paymentOption, energyMode, saScheduleTupleId, pausedAt: (now - age) as Millis, ...(authorized ? { authorized } : {}), ...(iso20Service ? { iso20Service } : {}) });
      }
      this.#log.log("info", "station", `${this.#sessions.length} paused session(s) restored`);
    } catch (error) {
      // CRC-valid but not ours to read (another version): start empty rather than half-read.
      this.#sessions.length = 0;
      this.#log.log("error", "station", `paused sessions record unreadable: ${(error as Error).message}`);
    }
  }
}

/** The ledger's state: the meter register, and the session under way or paused. */
export interface EnergyLedgerState {
  /** The charger's register, Wh (all sessions). */
  readonly totalWh: number;
  /** The session the energy is counted for (empty: none). */
  readonly sessionId: Uint8Array;
  /** Its energy so far, Wh (a paused session keeps it; a resumed one adds to it). */
  readonly sessionWh: number;
  /** Whether that session has ended (a terminated session's energy stays until the next one starts). */
  readonly ended: boolean;
}

/**
 * The charger's energy counters across restarts. Fed with the meter's readings (register
 * deltas, so a meter that restarts at 0 with the charger costs nothing); stored at each session
 * start and end and every `checkpointWh` in between: a power cut loses at most that much of the
 * running session's count (the meter itself keeps the legal register; this is the session's share).
 */
export class EnergyLedger {
  readonly #record: AtomicRecord;
  readonly #o: PersistenceOptions;
  readonly #log: Logger;
  readonly #step: number;
  #totalWh = 0;
  #sessionId: Uint8Array = new Uint8Array(0);
  #sessionWh = 0;
  #ended = true;
  #lastReading: number | undefined;
  #storedWh = 0;

  constructor(options: PersistenceOptions & { checkpointWh?: number }) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#step = options.checkpointWh ?? 10;
    this.#record = new AtomicRecord(options.storage, options.name);
    this.#load();
  }

  get state(): EnergyLedgerState {
    return { totalWh: this.#totalWh, sessionId: this.#sessionId, sessionWh: this.#sessionWh, ended: this.#ended };
  }

  /** A session starts, or a paused one resumes (same SessionID: its energy goes on from where it stood). */
  sessionStarted(sessionId: Uint8Array, meterWh: number): void {
    if (!bytesEqual(sessionId, this.#sessionId)) this.#sessionWh = 0;
    this.#sessionId = sessionId.slice();
    this.#ended = false;
    this.#lastReading = meterWh;
    this.#store();
  }

  /** A meter reading (Wh, the meter's register); stored when the count moved `checkpointWh` since the last store. */
  reading(meterWh: number): void {
    if (!Number.isFinite(meterWh)) return;
    const last = this.#lastReading;
    this.#lastReading = meterWh;
    if (last === undefined || meterWh <= last) return; // the first reading, or a meter restarted at 0
    const delta = meterWh - last;
    this.#totalWh += delta;
    if (!this.#ended) this.#sessionWh += delta;
    if (this.#totalWh - this.#storedWh >= this.#step) this.#store();
  }

  /** The session stopped (terminated or paused: a paused one resumes with sessionStarted and the same ID). */
  sessionStopped(meterWh: number): void {
    this.reading(meterWh);
    this.#ended = true;
    this.#store();
  }

  #store(): void {
    const w = new RecordWriter();
    w.f64(this.#totalWh);
    w.bytes(this.#sessionId);
    w.f64(this.#sessionWh);
    w.u8(this.#ended ? 1 : 0);
    try {
      this.#record.save(w.done());
      this.#storedWh = this.#totalWh;
    } catch (error) {
      this.#log.log("error", "station", `energy ledger not stored: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  #load(): void {
    let payload: Uint8Array | undefined;
    try {
      payload = this.#record.load();
    } catch (error) {
      this.#log.log("error", "station", `energy ledger not readable: ${(error as Error)?.message ?? String(error)}`);
      return;
    }
    if (payload === undefined) return;
    try {
      const r = new RecordReader(payload);
      const totalWh = r.f64();
      const sessionId = r.bytes();
      const sessionWh = r.f64();
      const ended = r.u8() === 1;
      this.#totalWh = totalWh;
      this.#sessionId = sessionId;
      this.#sessionWh = sessionWh;
      this.#ended = ended;
      this.#storedWh = totalWh;
      this.#log.log("info", "station", `energy ledger restored: register ${totalWh.toFixed(2)} Wh, last session ${sessionWh.toFixed(2)} Wh${ended ? "" : " (under way when the charger stopped)"}`);
    } catch (error) {
      this.#log.log("error", "station", `energy ledger record unreadable: ${(error as Error).message}`);
    }
  }
}

/** What a charging point keeps across restarts: its paused sessions and its energy ledger. */
export interface ChargerPersistence {
  readonly store: PersistentSessionStore;
  readonly ledger: EnergyLedger;
}

/**
 * The records of one charging point on `storage`: `NAME/paused` and `NAME/energy` (each as two
 * slots, `.0` and `.1`; NAME defaults to "secc", so the longest key, "secc/energy.0", fits the
 * ESP32's 15-character NVS keys). A host without storage passes memory (MemoryPkiStorage): the
 * same bounded store (at most 8 pauses), lost at a restart.
 */
export function chargerPersistence(options: Omit<PersistenceOptions, "name"> & { name?: string; maxAge?: Millis; checkpointWh?: number }): ChargerPersistence {
  const name = options.name ?? "secc";
  return {
    store: new PersistentSessionStore({ ...options, name: `${name}/paused` }),
    ledger: new EnergyLedger({ ...options, name: `${name}/energy` }),
  };
}
