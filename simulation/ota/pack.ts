// Making signed images and records: what `xs15118 ota pack|sign` runs on Node, and what the
// tests run in XS too. The device only reads them (modules/ota/image.ts has the layouts and the
// parsers), so the writing side lives here, out of the firmware. The signature comes from the
// CryptoHost (never computed here).

import type { CryptoHost } from "../../modules/pki-store/crypto";
import { concatBytes } from "../../modules/common/bytes";
import { ImplementationError } from "../../modules/common/errors";
import { sha256 } from "../../modules/common/sha256";
import {
  BOARD_ID_SIZE,
  CONFIG_FIXED,
  CONFIG_MAGIC,
  DIGEST_SHA256,
  IMAGE_FORMAT_VERSION,
  IMAGE_HEADER_SIZE,
  IMAGE_MAGIC,
  IMAGE_SIGNED_SIZE,
  KEY_ID_SIZE,
  P256_PUBLIC_KEY_SIZE,
  P256_SIGNATURE_SIZE,
  ROTATION_FIXED,
  ROTATION_MAGIC,
  SCHEME_P256,
  SIGNATURE_SCHEME,
  updateKeyId,
  writeU32,
} from "../../modules/ota/index";
import type { ImageKind, UnsignedImageHeader, UnsignedRotation } from "../../modules/ota/index";

const KIND_CODES = Object.freeze({ firmware: 1, mod: 2 });

function requireU32(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new ImplementationError(`${what} must be an integer in 0..2^32-1`);
}

function asciiBytes(what: string, text: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  if (text.length === 0 || text.length > size) throw new ImplementationError(`${what} must be 1..${size} characters`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) throw new ImplementationError(`${what} must be printable ASCII without spaces`);
    out[i] = c;
  }
  return out;
}


/** The header's signed part (84 bytes) for `ota pack`: the key id goes in here, the signature after. */
export function encodeSignedHeader(h: UnsignedImageHeader, keyId: Uint8Array): Uint8Array {
  requireU32("version", h.version);
  requireU32("securityCounter", h.securityCounter);
  requireU32("length", h.length);
  if (h.digest.length !== 32 || keyId.length !== KEY_ID_SIZE) throw new ImplementationError("digest 32 bytes, key id 8 bytes");
  const b = new Uint8Array(IMAGE_SIGNED_SIZE);
  b.set(IMAGE_MAGIC, 0);
  b[4] = IMAGE_FORMAT_VERSION;
  b[5] = KIND_CODES[h.kind];
  b[6] = DIGEST_SHA256;
  b[7] = SCHEME_P256;
  writeU32(b, 8, h.version);
  writeU32(b, 12, h.securityCounter);
  writeU32(b, 16, h.length);
  b.set(asciiBytes("board", h.board, BOARD_ID_SIZE), 20);
  b.set(keyId, 44);
  b.set(h.digest, 52);
  return b;
}


export function encodeRotationSigned(r: UnsignedRotation, signerKeyId: Uint8Array): Uint8Array {
  requireU32("sequence", r.sequence);
  requireU32("minVersion", r.minVersion);
  const revoked = r.revoked ?? [];
  if (revoked.length > 255) throw new ImplementationError("at most 255 revoked keys per record");
  const b = new Uint8Array(ROTATION_FIXED + KEY_ID_SIZE * revoked.length + KEY_ID_SIZE);
  b.set(ROTATION_MAGIC, 0);
  b[4] = 1;
  b[5] = SCHEME_P256;
  b[6] = (r.retireSigner ? 1 : 0) | (r.newKey ? 0 : 2);
  b[7] = revoked.length;
  writeU32(b, 8, r.sequence);
  writeU32(b, 12, r.minVersion);
  if (r.newKey) {
    if (r.newKey.length !== P256_PUBLIC_KEY_SIZE) throw new ImplementationError("new key: 65-byte P-256 point");
    b.set(r.newKey, 16);
  }
  for (let i = 0; i < revoked.length; i++) b.set(revoked[i], ROTATION_FIXED + KEY_ID_SIZE * i);
  b.set(signerKeyId, b.length - KEY_ID_SIZE);
  return b;
}


export function encodeConfigSigned(sequence: number, board: string, payload: Uint8Array, signerKeyId: Uint8Array): Uint8Array {
  requireU32("sequence", sequence);
  const b = new Uint8Array(CONFIG_FIXED + payload.length + KEY_ID_SIZE);
  b.set(CONFIG_MAGIC, 0);
  b[4] = 1;
  b[5] = SCHEME_P256;
  writeU32(b, 8, sequence);
  b.set(asciiBytes("board", board, BOARD_ID_SIZE), 12);
  writeU32(b, 36, payload.length);
  b.set(payload, CONFIG_FIXED);
  b.set(signerKeyId, CONFIG_FIXED + payload.length);
  return b;
}


/** An update signing key: raw P-256 private scalar (32 bytes) and public point (65). */
export interface UpdateSigner {
  crypto: CryptoHost;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface PackOptions {
  kind: ImageKind;
  board: string;
  version: number;
  securityCounter?: number;
}

/** The unsigned image: header with the payload's digest and the key id, signature zero. */
export function packImage(options: PackOptions, payload: Uint8Array, keyId: Uint8Array): Uint8Array {
  const signed = encodeSignedHeader(
    { kind: options.kind, board: options.board, version: options.version, securityCounter: options.securityCounter ?? 0, length: payload.length, digest: sha256(payload) },
    keyId,
  );
  return concatBytes([signed, new Uint8Array(P256_SIGNATURE_SIZE), payload]);
}

/** Signs a packed image in place of its zero signature (the key id in the header must be the signer's). */
export function signImage(image: Uint8Array, signer: UpdateSigner): Uint8Array {
  const out = image.slice();
  const signedPart = out.subarray(0, IMAGE_HEADER_SIZE - P256_SIGNATURE_SIZE);
  signedPart.set(updateKeyId(signer.crypto, signer.publicKey), 44);
  out.set(signer.crypto.sign(SIGNATURE_SCHEME, signer.privateKey, signedPart), IMAGE_HEADER_SIZE - P256_SIGNATURE_SIZE);
  return out;
}

/** Pack and sign in one step. */
export function makeImage(options: PackOptions, payload: Uint8Array, signer: UpdateSigner): Uint8Array {
  return signImage(packImage(options, payload, updateKeyId(signer.crypto, signer.publicKey)), signer);
}

/** A key record (rotation and/or revocation) signed by `signer`, a key the devices trust now. */
export function makeRotation(record: UnsignedRotation, signer: UpdateSigner): Uint8Array {
  const signed = encodeRotationSigned(record, updateKeyId(signer.crypto, signer.publicKey));
  return concatBytes([signed, signer.crypto.sign(SIGNATURE_SCHEME, signer.privateKey, signed)]);
}

/** A configuration change for `board` (settings as `name=value` lines), signed. */
export function makeConfigChange(sequence: number, board: string, payload: Uint8Array, signer: UpdateSigner): Uint8Array {
  const signed = encodeConfigSigned(sequence, board, payload, updateKeyId(signer.crypto, signer.publicKey));
  return concatBytes([signed, signer.crypto.sign(SIGNATURE_SCHEME, signer.privateKey, signed)]);
}
