// Configuration changes from the field: accepted only when signed by an update key of the
// trust store, for this board, with a sequence number above the last one applied (no replay of
// an older change), and never while a charging session runs — a change that arrives during a
// session waits until the station is idle. The session's own PKI writes (a contract
// certificate installed by CertificateInstallation/Update, ISO 15118-2 §8.4.3.11) do not pass
// here: they go to the PKI store directly, as part of that session.

import type { Clock, Millis, TimerHandle } from "../common/clock";
import { Seconds } from "../common/clock";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import type { PkiStorage } from "../pki-store/storage";
import { AtomicRecord } from "../station/atomic-record";
import type { SessionActivity } from "./flash";
import { parseConfigRecord, readU32, writeU32 } from "./image";
import type { ConfigRecord } from "./image";
import type { TrustRefusal, TrustStore } from "./trust";

export type ConfigRefusal = TrustRefusal | "wrong-board" | "stale-record";

export type ConfigResult = { status: "applied" } | { status: "deferred" } | { status: "refused"; reason: ConfigRefusal; message: string };

export interface ConfigGateOptions {
  board: string;
  trust: TrustStore;
  storage: PkiStorage;
  clock: Clock;
  activity: SessionActivity;
  /** Writes the settings (`name=value` lines) where the station reads them (preferences on the ESP32). */
  apply(payload: Uint8Array): void;
  /** How often a deferred change looks again whether the session ended (default 30 s). */
  idleRetry?: Millis;
  logger?: Logger;
}

export class ConfigGate {
  readonly #o: ConfigGateOptions;
  readonly #log: Logger;
  readonly #record: AtomicRecord;
  #sequence = 0;
  #deferred: ConfigRecord | undefined;
  #timer: TimerHandle | undefined;

  constructor(options: ConfigGateOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#record = new AtomicRecord(options.storage, "ota-config");
    const saved = this.#record.load();
    if (saved !== undefined && saved.length === 4) this.#sequence = readU32(saved, 0);
  }

  /** Sequence number of the last change applied. */
  get sequence(): number {
    return this.#sequence;
  }

  /** A change waits for the session to end. */
  get pending(): boolean {
    return this.#deferred !== undefined;
  }

  /** A signed configuration record from the field. Peer data: never throws. */
  offer(bytes: Uint8Array): ConfigResult {
    let record: ConfigRecord;
    try {
      record = parseConfigRecord(bytes);
    } catch (error) {
      return this.#refuse("malformed", (error as Error).message);
    }
    if (record.board !== this.#o.board) return this.#refuse("wrong-board", `change for ${record.board}, this is ${this.#o.board}`);
    const trust = this.#o.trust.check(record.signerKeyId, record.signed, record.signature);
    if (trust !== undefined) return this.#refuse(trust, `configuration change ${record.sequence}`);
    if (record.sequence <= this.#sequence) return this.#refuse("stale-record", `configuration change ${record.sequence}, applied already ${this.#sequence}`);
    if (this.#deferred !== undefined && record.sequence <= this.#deferred.sequence) {
      return this.#refuse("stale-record", `configuration change ${record.sequence}, ${this.#deferred.sequence} waits already`);
    }
    this.#deferred = record;
    return this.#tryApply();
  }

  close(): void {
    this.#o.clock.clear(this.#timer);
    this.#timer = undefined;
  }

  #tryApply(): ConfigResult {
    const record = this.#deferred!;
    if (this.#o.activity.sessionActive()) {
      this.#log.log("info", "config", `configuration change ${record.sequence} deferred until the charging session ends`);
      this.#o.clock.clear(this.#timer);
      this.#timer = this.#o.clock.set(() => {
        this.#timer = undefined;
        if (this.#deferred) this.#tryApply();
      }, this.#o.idleRetry ?? Seconds(30));
      return { status: "deferred" };
    }
    this.#deferred = undefined;
    this.#o.apply(record.payload);
    this.#sequence = record.sequence;
    const b = new Uint8Array(4);
    writeU32(b, 0, record.sequence);
    this.#record.save(b);
    this.#log.log("info", "config", `configuration change ${record.sequence} applied (${record.payload.length} bytes)`);
    return { status: "applied" };
  }

  #refuse(reason: ConfigRefusal, message: string): ConfigResult {
    this.#log.log("warn", "config", `configuration change refused (${reason}): ${message}`);
    return { status: "refused", reason, message };
  }
}
