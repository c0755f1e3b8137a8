// Making signed images and records: what `xs15118 ota pack|sign` runs on Node, and what the
// tests run in XS too. The signature comes from the CryptoHost (never computed here).

import type { CryptoHost } from "../pki-store/crypto";
import { concatBytes } from "../common/bytes";
import { sha256 } from "../common/sha256";
import { IMAGE_HEADER_SIZE, P256_SIGNATURE_SIZE, SIGNATURE_SCHEME, encodeConfigSigned, encodeRotationSigned, encodeSignedHeader } from "./image";
import type { ImageKind, UnsignedRotation } from "./image";
import { updateKeyId } from "./trust";

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
