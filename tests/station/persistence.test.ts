import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import type { Millis } from "../../modules/common/index";
import { MemoryPkiStorage } from "../../modules/pki-store/storage";
import type { PkiStorage } from "../../modules/pki-store/storage";
import { AtomicRecord, crc32 } from "../../modules/station/atomic-record";
import { EnergyLedger, PersistentSessionStore } from "../../modules/station/persistence";
import type { PausedSession } from "../../modules/statemachine/index";
import { DC_CONFIG, EVCCID, ScriptedEv } from "../statemachine/secc/support";
import { DC20, EVCCID as EVCCID20, iso20Ev, setUpTo } from "../statemachine/iso20/support";

/** The power goes at the `cutAt`-th write: that write leaves `torn` bytes of its blob (0: nothing), every later access fails. */
class PowerCutStorage implements PkiStorage {
  readonly inner: PkiStorage;
  #writes = 0;
  #dead = false;
  constructor(inner: PkiStorage, readonly cutAt = Infinity, readonly torn: (length: number) => number = () => 0) {
    this.inner = inner;
  }
  get writes(): number {
    return this.#writes;
  }
  read(name: string): Uint8Array | undefined {
    if (this.#dead) throw new Error("power cut");
    return this.inner.read(name);
  }
  write(name: string, data: Uint8Array): void {
    if (this.#dead) throw new Error("power cut");
    if (++this.#writes === this.cutAt) {
      this.#dead = true;
      const keep = this.torn(data.length);
      if (keep > 0) this.inner.write(name, data.slice(0, keep)); // a torn slot (raw flash without the rename)
      throw new Error("power cut");
    }
    this.inner.write(name, data);
  }
  remove(name: string): void {
    if (this.#dead) throw new Error("power cut");
    this.inner.remove(name);
  }
  list(prefix: string): string[] {
    return this.inner.list(prefix);
  }
}

const hex = (b: Uint8Array | undefined) => (b === undefined ? "-" : Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""));

describe("AtomicRecord: two slots, sequence number, CRC-32", () => {
  test("CRC-32 is the IEEE one (check value of '123456789')", () => {
    assert.equal(crc32(Uint8Array.from("123456789", (c) => c.charCodeAt(0))), 0xcbf43926);
  });

  test("the latest record survives a restart; a torn or flipped slot falls back to the one before", () => {
    const storage = new MemoryPkiStorage();
    const record = new AtomicRecord(storage, "r");
    assert.equal(record.load(), undefined);
    for (let i = 1; i <= 5; i++) record.save(Uint8Array.of(i, i, i));
    assert.deepEqual(new AtomicRecord(storage, "r").load(), Uint8Array.of(5, 5, 5));
    // Slot 0 holds the 5th (odd writes go to slot 0): damage it, the 4th is what remains.
    const slot = storage.read("r.0")!;
    slot[13] ^= 0x40;
    storage.write("r.0", slot);
    assert.deepEqual(new AtomicRecord(storage, "r").load(), Uint8Array.of(4, 4, 4));
    storage.write("r.1", storage.read("r.1")!.slice(0, 9));
    assert.equal(new AtomicRecord(storage, "r").load(), undefined, "both slots damaged: nothing, not garbage");
  });

  test("a power cut at every write of 12, torn at every length: the record is the one before or the one being written", () => {
    const payloads = Array.from({ length: 12 }, (_, i) => Uint8Array.from({ length: 5 + ((i * 7) % 11) }, (_, k) => (i * 31 + k) & 0xff));
    for (let cut = 1; cut <= payloads.length; cut++) {
      for (const tornAt of [0, 1, 4, 11, 12, 15, -1]) {
        const inner = new MemoryPkiStorage();
        const storage = new PowerCutStorage(inner, cut, (n) => (tornAt < 0 ? n - 1 : Math.min(tornAt, n)));
        const record = new AtomicRecord(storage, "r");
        record.load();
        try {
          for (const p of payloads) record.save(p);
        } catch {
          // the power is gone
        }
        const after = new AtomicRecord(inner, "r").load();
        const before = cut >= 2 ? payloads[cut - 2] : undefined;
        assert.equal(hex(after), hex(before), `cut at write ${cut}, ${tornAt} bytes written`);
      }
    }
  });
});

const PAUSED: PausedSession = Object.freeze({ protocol: "iso2", sessionId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), evccId: EVCCID, paymentOption: "ExternalPayment", energyMode: "DC_extended", saScheduleTupleId: 1, pausedAt: 5000 as Millis, authorized: true });

describe("paused sessions survive a restart of the charger (PersistentSessionStore)", () => {
  test("ISO 15118-2: SessionStop(Pause), the charger restarts, the EV's SessionSetupReq with its SessionID → OK_OldSessionJoined", () => {
    const storage = new MemoryPkiStorage();
    const clock = new ManualClock({ start: 1000 });
    const before = new ScriptedEv(DC_CONFIG, { protocol: "iso2", clock, store: new PersistentSessionStore({ storage, name: "evse1/paused", clock }) });
    before.send("SessionSetupReq", { EVCCID });
    assert.equal(before.send("SessionStopReq", { ChargingSession: "Pause" }).ResponseCode, "OK");
    // Restart: new clock from 0, new store on the same storage.
    const rebooted = new ManualClock();
    const store = new PersistentSessionStore({ storage, name: "evse1/paused", clock: rebooted });
    assert.equal(store.size, 1);
    const after = new ScriptedEv(DC_CONFIG, { protocol: "iso2", clock: rebooted, store });
    assert.equal(after.send("SessionSetupReq", { EVCCID }, before.sessionId).ResponseCode, "OK_OldSessionJoined");
    assert.deepEqual(after.sessionId, before.sessionId);
    assert.equal(new PersistentSessionStore({ storage, name: "evse1/paused", clock: rebooted }).size, 0, "a resumed session leaves the stored record too");
  });

  test("ISO 15118-20: SessionStop(Pause), restart, SessionSetupReq with the SessionID → OK_OldSessionJoined", () => {
    const storage = new MemoryPkiStorage();
    const clock = new ManualClock({ start: 1000 });
    const ev = iso20Ev(DC20, { clock, store: new PersistentSessionStore({ storage, name: "evse1/paused", clock }) });
    setUpTo(ev, 2, 1);
    ev.ok("SessionStopReq", { ChargingSession: "Pause" });
    assert.equal(ev.stopReason(), "ev-pause");
    const rebooted = new ManualClock({ start: 1000 });
    const again = iso20Ev(DC20, { clock: rebooted, store: new PersistentSessionStore({ storage, name: "evse1/paused", clock: rebooted }), resume: ev.sessionId });
    again.ok("SessionSetupReq", { EVCCID: EVCCID20 }, "OK_OldSessionJoined");
    assert.deepEqual(again.sessionId, ev.sessionId);
  });

  test("the pause's age crosses the restart by the date: past maxAge the EV gets a new session", () => {
    const storage = new MemoryPkiStorage();
    let unix = 1_767_225_600_000;
    const wallClock = { now: () => unix, unixSeconds: () => BigInt(Math.floor(unix / 1000)), source: "ntp" as const };
    const clock = new ManualClock({ start: 5000 });
    new PersistentSessionStore({ storage, name: "p", clock, wallClock }).save(PAUSED);
    unix += 3_600_000; // down for an hour
    const rebooted = new ManualClock();
    assert.equal(new PersistentSessionStore({ storage, name: "p", clock: rebooted, wallClock, maxAge: 7_200_000 as Millis }).find(PAUSED.sessionId)?.authorized, true);
    assert.equal(new PersistentSessionStore({ storage, name: "p", clock: rebooted, wallClock, maxAge: 1_800_000 as Millis }).find(PAUSED.sessionId), undefined);
  });

  test("ISO 15118-20: the selected service and parameter set cross the restart with the pause [V2G20-1844]", () => {
    const storage = new MemoryPkiStorage();
    const clock = new ManualClock({ start: 1000 });
    const paused: PausedSession = { ...PAUSED, protocol: "iso20", iso20Service: { serviceId: 6, parameterSetId: 513 } };
    new PersistentSessionStore({ storage, name: "p", clock }).save(paused);
    new PersistentSessionStore({ storage, name: "p", clock }).save({ ...PAUSED, sessionId: Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9), authorized: false });
    const rebooted = new PersistentSessionStore({ storage, name: "p", clock: new ManualClock() });
    assert.deepEqual(rebooted.find(paused.sessionId)?.iso20Service, { serviceId: 6, parameterSetId: 513 });
    assert.equal(rebooted.find(paused.sessionId)?.authorized, true);
    const other = rebooted.find(Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9));
    assert.ok(other, "the record after it still reads");
    assert.equal(other.iso20Service, undefined);
    assert.equal(other.authorized, undefined);
  });

  test("a storage that fails: the pause holds in memory, an error is logged, the session is not disturbed", () => {
    const logs: string[] = [];
    const storage = new PowerCutStorage(new MemoryPkiStorage(), 1);
    const store = new PersistentSessionStore({ storage, name: "p", clock: new ManualClock(), logger: { log: (_l, s, m) => logs.push(`${s}: ${m}`) } });
    store.save(PAUSED);
    assert.ok(store.find(PAUSED.sessionId));
    assert.match(logs.join("\n"), /station: paused sessions not stored: power cut/);
  });
});

describe("energy counters survive a restart (EnergyLedger)", () => {
  test("the session's energy and the register carry over; a resumed session adds to its energy", () => {
    const storage = new MemoryPkiStorage();
    const clock = new ManualClock();
    const ledger = new EnergyLedger({ storage, name: "evse1/energy", clock, checkpointWh: 10 });
    ledger.sessionStarted(PAUSED.sessionId, 1000);
    for (let wh = 1000; wh <= 1250; wh += 5) ledger.reading(wh);
    ledger.sessionStopped(1253); // paused
    const rebooted = new EnergyLedger({ storage, name: "evse1/energy", clock: new ManualClock() });
    assert.deepEqual({ ...rebooted.state, sessionId: hex(rebooted.state.sessionId) }, { totalWh: 253, sessionId: hex(PAUSED.sessionId), sessionWh: 253, ended: true });
    // The meter restarted at 0 with the charger: deltas from its new register.
    rebooted.sessionStarted(PAUSED.sessionId, 0);
    rebooted.reading(40);
    rebooted.sessionStopped(47);
    assert.equal(rebooted.state.sessionWh, 300);
    assert.equal(rebooted.state.totalWh, 300);
    const third = new EnergyLedger({ storage, name: "evse1/energy", clock: new ManualClock() });
    third.sessionStarted(Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9), 47);
    assert.equal(third.state.sessionWh, 0, "a new session starts at 0");
    assert.equal(third.state.totalWh, 300);
  });

  test("a power cut in the loop loses at most the checkpoint step of the session's count", () => {
    const inner = new MemoryPkiStorage();
    const storage = new PowerCutStorage(inner, 5);
    const ledger = new EnergyLedger({ storage, name: "e", clock: new ManualClock(), checkpointWh: 10 });
    ledger.sessionStarted(PAUSED.sessionId, 0);
    let metered = 0;
    for (let wh = 0; wh <= 100; wh += 3) {
      ledger.reading(wh);
      metered = wh;
    }
    const after = new EnergyLedger({ storage: inner, name: "e", clock: new ManualClock() }).state;
    assert.equal(after.ended, false, "cut during the session: it shows as not ended");
    assert.ok(after.sessionWh <= metered && after.sessionWh >= 20 && after.sessionWh < 40, `kept ${after.sessionWh} Wh of ${metered}`);
  });

  test("a power cut at every write step of a session with pause and resume: store and ledger are each the state before or after that write", () => {
    // The scenario, with a snapshot of what storage holds after each write.
    function scenario(storage: PkiStorage, snapshot?: () => void): void {
      const clock = new ManualClock({ start: 1000 });
      const store = new PersistentSessionStore({ storage, name: "paused", clock });
      const ledger = new EnergyLedger({ storage, name: "energy", clock, checkpointWh: 25 });
      const step = (f: () => void) => {
        f();
        snapshot?.();
      };
      step(() => ledger.sessionStarted(PAUSED.sessionId, 0));
      for (let wh = 0; wh <= 120; wh += 10) step(() => ledger.reading(wh));
      step(() => store.save(PAUSED));
      step(() => ledger.sessionStopped(124));
      step(() => store.save({ ...PAUSED, sessionId: Uint8Array.of(7, 7, 7, 7, 7, 7, 7, 7) }));
      step(() => store.remove(PAUSED.sessionId));
      step(() => ledger.sessionStarted(PAUSED.sessionId, 124));
      for (let wh = 124; wh <= 200; wh += 10) step(() => ledger.reading(wh));
      step(() => ledger.sessionStopped(205));
    }
    const view = (storage: PkiStorage): string => {
      const clock = new ManualClock();
      const store = new PersistentSessionStore({ storage, name: "paused", clock });
      const ledger = new EnergyLedger({ storage, name: "energy", clock }).state;
      return `paused ${store.size} ${hex(store.find(PAUSED.sessionId)?.sessionId)} | energy ${ledger.totalWh} ${ledger.sessionWh} ${ledger.ended}`;
    };
    // Reference run: the states storage passes through, one per write.
    const reference = new PowerCutStorage(new MemoryPkiStorage());
    const states = [view(new MemoryPkiStorage())];
    let writes = 0;
    scenario(reference, () => {
      if (reference.writes === writes) return;
      writes = reference.writes;
      states.push(view(reference.inner));
    });
    assert.ok(writes >= 10, `${writes} writes`);
    for (let cut = 1; cut <= writes; cut++) {
      for (const torn of [0, 7, -1]) {
        const inner = new MemoryPkiStorage();
        try {
          scenario(new PowerCutStorage(inner, cut, (n) => (torn < 0 ? n - 1 : torn)));
        } catch {
          // the power is gone
        }
        assert.equal(view(inner), states[cut - 1], `cut at write ${cut} (${torn} bytes of it written)`);
      }
    }
  });
});
