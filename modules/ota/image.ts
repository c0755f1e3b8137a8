// The signed update image and the vendor's signed records: byte layouts, parsing, and the
// signed part of each. Read by the updater on the device; written by `xs15118 ota pack|sign`
// (hosts/sim/commands/ota.ts) with simulation/ota/pack.ts, code the device never runs. The
// layouts are documented in modules/ota/README.md.
//
// An image is a fixed 148-byte header followed by the payload (the ESP-IDF app image, or a
// Moddable mod's .xsa archive). The header carries the payload's SHA-256, so one ECDSA
// signature over the header's first 84 bytes covers header and payload (hash-then-sign): the
// device checks the signature before it writes a byte, and the digest over the written slot
// before it activates it.
//
// ECDSA P-256 with SHA-256: the scheme of the CryptoHost (modules/pki-store/crypto.ts) that
// mbedTLS on the ESP32 verifies too (mbedtls_ecdsa_verify / psa_verify_hash on secp256r1);
// ESP-IDF's own Secure Boot v2 ECDSA option uses the same curve.

import { DecodeError } from "../common/errors";

export type OtaDecodeReason = "truncated" | "bad-magic" | "format-version" | "bad-field";

export class OtaDecodeError extends DecodeError<OtaDecodeReason> {
  constructor(reason: OtaDecodeReason, message?: string, position = -1) {
    super(reason, message, position);
    this.name = "OtaDecodeError";
  }
}

export type ImageKind = "firmware" | "mod";

export const IMAGE_FORMAT_VERSION = 1;
export const IMAGE_HEADER_SIZE = 148;
/** Bytes of the header the signature covers (everything before the signature). */
export const IMAGE_SIGNED_SIZE = 84;
export const BOARD_ID_SIZE = 24;
export const KEY_ID_SIZE = 8;
export const P256_PUBLIC_KEY_SIZE = 65;
export const P256_SIGNATURE_SIZE = 64;
export const SIGNATURE_SCHEME = "ECDSA-P256-SHA256";

export const IMAGE_MAGIC = Object.freeze([0x58, 0x35, 0x55, 0x50]); // "X5UP"
export const ROTATION_MAGIC = Object.freeze([0x58, 0x35, 0x4b, 0x52]); // "X5KR"
export const CONFIG_MAGIC = Object.freeze([0x58, 0x35, 0x43, 0x46]); // "X5CF"
export const DIGEST_SHA256 = 1;
export const SCHEME_P256 = 1;

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

function hasMagic(b: Uint8Array, magic: readonly number[]): boolean {
  for (let i = 0; i < 4; i++) if (b[i] !== magic[i]) return false;
  return true;
}

function asciiText(b: Uint8Array, at: number, size: number): string | undefined {
  let text = "";
  let end = at;
  while (end < at + size && b[end] !== 0) {
    if (b[end] < 0x21 || b[end] > 0x7e) return undefined;
    text += String.fromCharCode(b[end++]);
  }
  for (let i = end; i < at + size; i++) if (b[i] !== 0) return undefined;
  return text.length > 0 ? text : undefined;
}

export interface UnsignedImageHeader {
  kind: ImageKind;
  /** The board this image is built for ("esp32-qca7000"), at most 24 ASCII bytes. */
  board: string;
  /** Monotonically increasing per kind; the device refuses a version ≤ the one it runs. */
  version: number;
  /** Anti-rollback counter: the device refuses an image below the highest it has confirmed. */
  securityCounter: number;
  /** Payload bytes following the header. */
  length: number;
  /** SHA-256 of the payload. */
  digest: Uint8Array;
}

export interface ImageHeader extends UnsignedImageHeader {
  /** The signing key's id: the first 8 bytes of the SHA-256 of its public key (04‖X‖Y). */
  keyId: Uint8Array;
  signature: Uint8Array;
  /** The header as received (the signed part is its first IMAGE_SIGNED_SIZE bytes). */
  bytes: Uint8Array;
}

/** Parses the 148-byte header. Throws OtaDecodeError for anything malformed (never for a bad signature: that is the trust store's). */
export function parseImageHeader(b: Uint8Array): ImageHeader {
  if (b.length < IMAGE_HEADER_SIZE) throw new OtaDecodeError("truncated", `image header needs ${IMAGE_HEADER_SIZE} bytes, got ${b.length}`);
  if (!hasMagic(b, IMAGE_MAGIC)) throw new OtaDecodeError("bad-magic", "not an xs15118 update image", 0);
  if (b[4] !== IMAGE_FORMAT_VERSION) throw new OtaDecodeError("format-version", `image format ${b[4]} (this firmware reads ${IMAGE_FORMAT_VERSION})`, 4);
  const kind: ImageKind | undefined = b[5] === 1 ? "firmware" : b[5] === 2 ? "mod" : undefined;
  if (kind === undefined) throw new OtaDecodeError("bad-field", `image kind ${b[5]}`, 5);
  if (b[6] !== DIGEST_SHA256) throw new OtaDecodeError("bad-field", `digest algorithm ${b[6]}`, 6);
  if (b[7] !== SCHEME_P256) throw new OtaDecodeError("bad-field", `signature scheme ${b[7]}`, 7);
  const board = asciiText(b, 20, BOARD_ID_SIZE);
  if (board === undefined) throw new OtaDecodeError("bad-field", "board id", 20);
  const bytes = b.slice(0, IMAGE_HEADER_SIZE);
  return {
    kind,
    board,
    version: readU32(b, 8),
    securityCounter: readU32(b, 12),
    length: readU32(b, 16),
    keyId: bytes.slice(44, 52),
    digest: bytes.slice(52, 84),
    signature: bytes.slice(84, 148),
    bytes,
  };
}

/**
 * A key-rotation or revocation record, signed by a key the device trusts now:
 *   "X5KR" | format 1 | scheme 1 | flags | revokedCount n | u32 sequence | u32 minVersion |
 *   new key (65, zero when flags bit 1) | n × revoked key id (8) | signer key id (8) | signature (64)
 * flags bit 0: the signer is revoked by this record (it retires itself); bit 1: no new key
 * (a revocation alone). The signature covers everything before it.
 */
export interface RotationRecord {
  sequence: number;
  /** Images signed by the new key are accepted only from this version on (and it raises the version floor). */
  minVersion: number;
  newKey: Uint8Array | undefined;
  retireSigner: boolean;
  revoked: Uint8Array[];
  signerKeyId: Uint8Array;
  signature: Uint8Array;
  signed: Uint8Array;
}

export interface UnsignedRotation {
  sequence: number;
  minVersion: number;
  newKey?: Uint8Array;
  retireSigner?: boolean;
  revoked?: readonly Uint8Array[];
}

export const ROTATION_FIXED = 16 + P256_PUBLIC_KEY_SIZE;

export function parseRotationRecord(b: Uint8Array): RotationRecord {
  if (b.length < ROTATION_FIXED + KEY_ID_SIZE + P256_SIGNATURE_SIZE) throw new OtaDecodeError("truncated", "key record too short");
  if (!hasMagic(b, ROTATION_MAGIC)) throw new OtaDecodeError("bad-magic", "not an xs15118 key record", 0);
  if (b[4] !== 1) throw new OtaDecodeError("format-version", `key record format ${b[4]}`, 4);
  if (b[5] !== SCHEME_P256) throw new OtaDecodeError("bad-field", `signature scheme ${b[5]}`, 5);
  if ((b[6] & ~3) !== 0) throw new OtaDecodeError("bad-field", `flags ${b[6]}`, 6);
  const n = b[7];
  const signedLength = ROTATION_FIXED + KEY_ID_SIZE * n + KEY_ID_SIZE;
  if (b.length !== signedLength + P256_SIGNATURE_SIZE) throw new OtaDecodeError("bad-field", `key record of ${b.length} bytes for ${n} revoked keys`);
  const revoked: Uint8Array[] = [];
  for (let i = 0; i < n; i++) revoked.push(b.slice(ROTATION_FIXED + KEY_ID_SIZE * i, ROTATION_FIXED + KEY_ID_SIZE * (i + 1)));
  const noKey = (b[6] & 2) !== 0;
  if (!noKey && b[16] !== 0x04) throw new OtaDecodeError("bad-field", "new key is not an uncompressed P-256 point", 16);
  return {
    sequence: readU32(b, 8),
    minVersion: readU32(b, 12),
    newKey: noKey ? undefined : b.slice(16, 16 + P256_PUBLIC_KEY_SIZE),
    retireSigner: (b[6] & 1) !== 0,
    revoked,
    signerKeyId: b.slice(signedLength - KEY_ID_SIZE, signedLength),
    signature: b.slice(signedLength),
    signed: b.slice(0, signedLength),
  };
}

/**
 * A configuration change, signed by an update key:
 *   "X5CF" | format 1 | scheme 1 | 0 | 0 | u32 sequence | board (24) | u32 length | payload |
 *   signer key id (8) | signature (64)
 * The payload is the station's settings as `name=value` lines (modules/station/config.ts).
 */
export interface ConfigRecord {
  sequence: number;
  board: string;
  payload: Uint8Array;
  signerKeyId: Uint8Array;
  signature: Uint8Array;
  signed: Uint8Array;
}

export const CONFIG_FIXED = 40;

export function parseConfigRecord(b: Uint8Array): ConfigRecord {
  if (b.length < CONFIG_FIXED + KEY_ID_SIZE + P256_SIGNATURE_SIZE) throw new OtaDecodeError("truncated", "configuration record too short");
  if (!hasMagic(b, CONFIG_MAGIC)) throw new OtaDecodeError("bad-magic", "not an xs15118 configuration record", 0);
  if (b[4] !== 1) throw new OtaDecodeError("format-version", `configuration record format ${b[4]}`, 4);
  if (b[5] !== SCHEME_P256) throw new OtaDecodeError("bad-field", `signature scheme ${b[5]}`, 5);
  const length = readU32(b, 36);
  const signedLength = CONFIG_FIXED + length + KEY_ID_SIZE;
  if (b.length !== signedLength + P256_SIGNATURE_SIZE) throw new OtaDecodeError("bad-field", `configuration record of ${b.length} bytes for a ${length}-byte payload`);
  const board = asciiText(b, 12, BOARD_ID_SIZE);
  if (board === undefined) throw new OtaDecodeError("bad-field", "board id", 12);
  return {
    sequence: readU32(b, 8),
    board,
    payload: b.slice(CONFIG_FIXED, CONFIG_FIXED + length),
    signerKeyId: b.slice(CONFIG_FIXED + length, signedLength),
    signature: b.slice(signedLength),
    signed: b.slice(0, signedLength),
  };
}
