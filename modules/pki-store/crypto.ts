// The cryptography host interface: what Plug & Charge, the PKI store and the signed messages
// need from the platform. The core never implements cryptography itself (project rule: audited
// libraries or the platform only); each host passes one `CryptoHost` in:
//  - hosts/sim/crypto/node-crypto.ts — node:crypto (OpenSSL);
//  - hosts/portable-crypto/ — @noble/curves, @noble/hashes, @noble/ciphers, for XS tests and any
//    engine without native cryptography;
//  - the firmware — native mbedTLS (see modules/pki-store/README.md for what it must provide).
//
// Keys travel as raw bytes, in the encodings the standards put on the wire and in certificates,
// so no host needs an ASN.1 key format:
//  - ECDSA/ECDH private key: the big-endian scalar, left-padded to the field size
//    (32 bytes for P-256, 66 for P-521); public key: the uncompressed SEC 1 point 04‖X‖Y
//    (65, 133 bytes), as in a certificate's subjectPublicKey and the ISO 15118-20 DHPublicKey.
//  - Ed448 (RFC 8032) private key 57 bytes, public 57 bytes; X448 (RFC 7748) 56 and 56.
// Signatures are raw: ECDSA r‖s, each left-padded to the field size (64 bytes for P-256,
// 132 for P-521; the form of SignatureValue in ISO 15118-2 and -20 messages), and
// the 114-byte Ed448 signature. DER-encoded ECDSA signatures (X.509) convert with der.ts.

/** Hash functions: SHA-256 (ISO 15118-2 digests), SHA-512 (-20 with P-521), SHAKE256 (-20 with Ed448). */
export type HashAlgorithm = "SHA-256" | "SHA-512" | "SHAKE256";

/**
 * Signature schemes. Each includes its hash, as the standards pair them: ECDSA on secp256r1 with
 * SHA-256 (ISO 15118-2), ECDSA on secp521r1 with SHA-512 and Ed448 (PureEdDSA, SHAKE256 inside)
 * (ISO 15118-20).
 */
export type SignatureScheme = "ECDSA-P256-SHA256" | "ECDSA-P521-SHA512" | "Ed448";

/** Key agreement: ECDH on P-256 (-2 contract key transport), P-521 and X448 (-20). */
export type KeyAgreementCurve = "P-256" | "P-521" | "X448";

import { ImplementationError } from "../common/errors";

/** Throws ImplementationError unless `bytes` is a Uint8Array of `length` bytes (API misuse, never peer data). */
export function requireLength(what: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) throw new ImplementationError(`${what} must be ${length} bytes`);
}

export interface KeyPair {
  /** Raw private key (see the file comment for the encoding). */
  privateKey: Uint8Array;
  /** Raw public key. */
  publicKey: Uint8Array;
}

/** Sizes of the raw encodings, for parsers that must check a length before calling the host. */
export const SIGNATURE_SIZES = Object.freeze({
  "ECDSA-P256-SHA256": Object.freeze({ privateKey: 32, publicKey: 65, signature: 64 }),
  "ECDSA-P521-SHA512": Object.freeze({ privateKey: 66, publicKey: 133, signature: 132 }),
  Ed448: Object.freeze({ privateKey: 57, publicKey: 57, signature: 114 }),
});

export const KEY_AGREEMENT_SIZES = Object.freeze({
  "P-256": Object.freeze({ privateKey: 32, publicKey: 65, sharedSecret: 32 }),
  "P-521": Object.freeze({ privateKey: 66, publicKey: 133, sharedSecret: 66 }),
  X448: Object.freeze({ privateKey: 56, publicKey: 56, sharedSecret: 56 }),
});

/**
 * Everything synchronous: the firmware's mbedTLS calls block too, and a P-256 operation is
 * short next to the 2–5 s message timeouts the standards allow for the signed messages
 * (ISO 15118-2 Table 109: PaymentDetails, Authorization, CertificateInstallation/Update).
 *
 * Methods throw `ImplementationError` on misuse (wrong key length, unknown scheme). Peer data
 * never throws: `verify` returns false for a malformed signature or public key, `deriveSharedSecret`
 * returns undefined for a public key not on the curve, `aes256GcmDecrypt` undefined when the tag
 * does not match.
 */
export interface CryptoHost {
  /** `outputLength` is required for SHAKE256 (bytes) and ignored otherwise. */
  digest(algorithm: HashAlgorithm, data: Uint8Array, outputLength?: number): Uint8Array;
  /** Cryptographically secure random bytes (session IDs, GenChallenge, key generation). */
  randomBytes(length: number): Uint8Array;

  generateSigningKey(scheme: SignatureScheme): KeyPair;
  /** The public key that belongs to a private key (to check a key file against its certificate). */
  signingPublicKey(scheme: SignatureScheme, privateKey: Uint8Array): Uint8Array;
  /** Signs `message` (hashed by the scheme's hash; the host does not pre-hash for Ed448). */
  sign(scheme: SignatureScheme, privateKey: Uint8Array, message: Uint8Array): Uint8Array;
  verify(scheme: SignatureScheme, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;

  generateAgreementKey(curve: KeyAgreementCurve): KeyPair;
  /** ECDH: the shared secret Z (the X coordinate for P-256/P-521, SP 800-56A), undefined for a bad peer key. */
  deriveSharedSecret(curve: KeyAgreementCurve, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | undefined;

  /**
   * AES-128-CBC without padding (`data` a multiple of 16 bytes): ISO 15118-2's contract key
   * transport encrypts the 32-byte private key in two blocks and sends the IV in front.
   */
  aes128CbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
  aes128CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;

  /** AES-256-GCM with a 16-byte tag appended to the ciphertext (ISO 15118-20 key transport). */
  aes256GcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, additionalData?: Uint8Array): Uint8Array;
  /** `data` is ciphertext‖tag; undefined when the tag does not authenticate. */
  aes256GcmDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, additionalData?: Uint8Array): Uint8Array | undefined;
}
