// The vendor's update trust anchor: the public keys whose signatures the device accepts on
// update images and configuration changes. It is its own anchor, apart from the V2G, OEM and
// MO roots of ISO 15118 (those say who may charge; this says who may change the firmware).
//
// The factory puts one or more P-256 public keys into the firmware (the online signing key and,
// recommended, an offline recovery key). After that the set changes only through key records
// signed by a key trusted at that moment (image.ts RotationRecord): a rotation adds a key (and
// may retire its signer), a revocation removes keys by id. Each record carries a sequence
// number above the stored one, so an old record cannot be replayed to bring a revoked key back,
// and the revoked list is changed only by such a newer record. A record that would leave no key
// is refused (the device would never take an update again). The state is kept in an
// AtomicRecord: a power cut while saving leaves the previous set or the new one.

import type { CryptoHost } from "../pki-store/crypto";

/**
 * What checking updates needs of the CryptoHost: SHA-256 and ECDSA P-256 verification. A device
 * without the whole CryptoHost (the ESP32 firmware: mbedTLS through hosts/esp32/ota) gives these.
 */
export type UpdateCrypto = Pick<CryptoHost, "digest" | "verify">;
import type { PkiStorage } from "../pki-store/storage";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import { bytesEqual, toHex } from "../common/bytes";
import { ImplementationError } from "../common/errors";
import { AtomicRecord } from "../station/atomic-record";
import { KEY_ID_SIZE, P256_PUBLIC_KEY_SIZE, P256_SIGNATURE_SIZE, SIGNATURE_SCHEME, parseRotationRecord, readU32, writeU32 } from "./image";
import type { RotationRecord } from "./image";

export type TrustRefusal = "unknown-key" | "revoked-key" | "bad-signature" | "below-key-min-version" | "stale-record" | "no-key-left" | "malformed";

export interface TrustedKey {
  id: Uint8Array;
  publicKey: Uint8Array;
  /** The lowest image version this key may sign (0 for the factory keys). */
  minVersion: number;
}

export interface TrustStoreOptions {
  crypto: UpdateCrypto;
  storage: PkiStorage;
  /** The factory anchor: P-256 public keys (04‖X‖Y), used until a key record was applied. */
  anchor: readonly Uint8Array[];
  logger?: Logger;
  /** Storage name of the trust state (default "ota-trust"). */
  name?: string;
}

/** The key id: the first 8 bytes of SHA-256 over the public key (04‖X‖Y). */
export function updateKeyId(crypto: UpdateCrypto, publicKey: Uint8Array): Uint8Array {
  return crypto.digest("SHA-256", publicKey).slice(0, KEY_ID_SIZE);
}

export class TrustStore {
  readonly #o: TrustStoreOptions;
  readonly #log: Logger;
  readonly #record: AtomicRecord;
  #sequence = 0;
  #floor = 0;
  #keys: TrustedKey[] = [];
  #revoked: Uint8Array[] = [];

  constructor(options: TrustStoreOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#record = new AtomicRecord(options.storage, options.name ?? "ota-trust");
    if (options.anchor.length === 0) throw new ImplementationError("the update trust anchor needs at least one key");
    for (const key of options.anchor) {
      if (key.length !== P256_PUBLIC_KEY_SIZE || key[0] !== 4) throw new ImplementationError("anchor keys are 65-byte uncompressed P-256 points");
      this.#keys.push({ id: updateKeyId(options.crypto, key), publicKey: key.slice(), minVersion: 0 });
    }
    const saved = this.#record.load();
    if (saved !== undefined && !this.#decode(saved)) this.#log.log("error", "ota", "stored update trust state unreadable: the factory anchor applies");
  }

  /** Sequence number of the last key record applied (0: the factory anchor). */
  get sequence(): number {
    return this.#sequence;
  }

  /** The highest minVersion of the key records applied: no image below it is accepted. */
  get versionFloor(): number {
    return this.#floor;
  }

  get keys(): readonly TrustedKey[] {
    return this.#keys;
  }

  get revoked(): readonly Uint8Array[] {
    return this.#revoked;
  }

  isRevoked(id: Uint8Array): boolean {
    for (const r of this.#revoked) if (bytesEqual(r, id)) return true;
    return false;
  }

  #find(id: Uint8Array): TrustedKey | undefined {
    for (const k of this.#keys) if (bytesEqual(k.id, id)) return k;
    return undefined;
  }

  /**
   * Checks `signature` over `signed` by the key `keyId`; `version` is the image version for the
   * key's minVersion (undefined for records that are not images). Returns why it is refused, or
   * undefined when it verifies.
   */
  check(keyId: Uint8Array, signed: Uint8Array, signature: Uint8Array, version?: number): TrustRefusal | undefined {
    if (this.isRevoked(keyId)) return "revoked-key";
    const key = this.#find(keyId);
    if (key === undefined) return "unknown-key";
    if (version !== undefined && version < key.minVersion) return "below-key-min-version";
    if (signature.length !== P256_SIGNATURE_SIZE) return "bad-signature";
    return this.#o.crypto.verify(SIGNATURE_SCHEME, key.publicKey, signed, signature) ? undefined : "bad-signature";
  }

  /** Applies a signed key record (rotation or revocation). Peer data: never throws. */
  apply(bytes: Uint8Array): { ok: true } | { ok: false; reason: TrustRefusal; message: string } {
    let record: RotationRecord;
    try {
      record = parseRotationRecord(bytes);
    } catch (error) {
      return this.#refuse("malformed", (error as Error).message);
    }
    const refusal = this.check(record.signerKeyId, record.signed, record.signature);
    if (refusal !== undefined) return this.#refuse(refusal, `key record signed by ${toHex(record.signerKeyId)}`);
    if (record.sequence <= this.#sequence) return this.#refuse("stale-record", `key record ${record.sequence}, applied already ${this.#sequence}`);
    const revoked = this.#revoked.slice();
    const add = (id: Uint8Array) => {
      for (const r of revoked) if (bytesEqual(r, id)) return;
      revoked.push(id);
    };
    for (const id of record.revoked) add(id);
    if (record.retireSigner) add(record.signerKeyId);
    const keys: TrustedKey[] = [];
    for (const k of this.#keys) {
      let gone = false;
      for (const r of revoked) if (bytesEqual(r, k.id)) gone = true;
      if (!gone) keys.push(k);
    }
    if (record.newKey !== undefined) {
      const id = updateKeyId(this.#o.crypto, record.newKey);
      let gone = false;
      for (const r of revoked) if (bytesEqual(r, id)) gone = true;
      if (gone) return this.#refuse("revoked-key", `new key ${toHex(id)} is revoked`);
      if (this.#find(id) === undefined) keys.push({ id, publicKey: record.newKey, minVersion: record.minVersion });
    }
    if (keys.length === 0) return this.#refuse("no-key-left", "the record would leave no update key");
    this.#keys = keys;
    this.#revoked = revoked;
    this.#sequence = record.sequence;
    if (record.minVersion > this.#floor) this.#floor = record.minVersion;
    this.#record.save(this.#encode());
    this.#log.log("info", "ota", `key record ${record.sequence} applied: ${keys.length} update key(s), ${revoked.length} revoked, version floor ${this.#floor}`);
    return { ok: true };
  }

  #refuse(reason: TrustRefusal, message: string): { ok: false; reason: TrustRefusal; message: string } {
    this.#log.log("warn", "ota", `key record refused (${reason}): ${message}`);
    return { ok: false, reason, message };
  }

  // u32 sequence | u32 floor | u8 keys | keys × (65 key | u32 minVersion) | u8 revoked | revoked × 8
  #encode(): Uint8Array {
    const b = new Uint8Array(10 + this.#keys.length * 69 + this.#revoked.length * KEY_ID_SIZE);
    writeU32(b, 0, this.#sequence);
    writeU32(b, 4, this.#floor);
    let at = 8;
    b[at++] = this.#keys.length;
    for (const k of this.#keys) {
      b.set(k.publicKey, at);
      writeU32(b, at + 65, k.minVersion);
      at += 69;
    }
    b[at++] = this.#revoked.length;
    for (const r of this.#revoked) {
      b.set(r, at);
      at += KEY_ID_SIZE;
    }
    return b;
  }

  #decode(b: Uint8Array): boolean {
    if (b.length < 10) return false;
    const nKeys = b[8];
    const at = 9 + nKeys * 69;
    if (b.length < at + 1 || b.length !== at + 1 + b[at] * KEY_ID_SIZE) return false;
    const keys: TrustedKey[] = [];
    for (let i = 0; i < nKeys; i++) {
      const publicKey = b.slice(9 + i * 69, 9 + i * 69 + 65);
      keys.push({ id: updateKeyId(this.#o.crypto, publicKey), publicKey, minVersion: readU32(b, 9 + i * 69 + 65) });
    }
    const revoked: Uint8Array[] = [];
    for (let i = 0; i < b[at]; i++) revoked.push(b.slice(at + 1 + i * KEY_ID_SIZE, at + 1 + (i + 1) * KEY_ID_SIZE));
    this.#sequence = readU32(b, 0);
    this.#floor = readU32(b, 4);
    this.#keys = keys;
    this.#revoked = revoked;
    return true;
  }
}
