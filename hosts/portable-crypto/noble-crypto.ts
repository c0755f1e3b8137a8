// CryptoHost on audited pure-JavaScript libraries (@noble/curves, @noble/hashes, @noble/ciphers,
// by Paul Miller, independently audited): for the tests inside XS and for any engine without
// native cryptography. It lives outside modules/ because the portable core takes no packages;
// the firmware uses native mbedTLS instead, except where mbedTLS has no algorithm (Ed448, X448),
// where this file, bundled into the firmware, is the fallback.
//
// Randomness: noble reads crypto.getRandomValues, which XS (xsnap, Moddable) lacks. The host
// passes its entropy source in; without one, randomBytes and key generation throw. Signing
// needs none: ECDSA here is deterministic (RFC 6979) and EdDSA is deterministic by definition.

import { p256, p521 } from "@noble/curves/nist.js";
import { ed448, x448 } from "@noble/curves/ed448.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { shake256 } from "@noble/hashes/sha3.js";
import { cbc, gcm } from "@noble/ciphers/aes.js";
import { ImplementationError } from "../../modules/common/errors";
import {
  KEY_AGREEMENT_SIZES,
  SIGNATURE_SIZES,
  requireLength,
  type CryptoHost,
  type HashAlgorithm,
  type KeyAgreementCurve,
  type KeyPair,
  type SignatureScheme,
} from "../../modules/pki-store/crypto";

export type EntropySource = (length: number) => Uint8Array;

/** The platform's getRandomValues where the engine has one (Node, browsers), else undefined. */
export function platformEntropy(): EntropySource | undefined {
  const crypto = (globalThis as { crypto?: { getRandomValues?(array: Uint8Array): Uint8Array } }).crypto;
  if (typeof crypto?.getRandomValues !== "function") return undefined;
  return (length) => crypto.getRandomValues!(new Uint8Array(length));
}

function checkAesKey(key: Uint8Array, length: number, iv: Uint8Array, ivLength: number): void {
  requireLength("AES key", key, length);
  requireLength("AES IV", iv, ivLength);
}

/** ISO 15118-20 uses a 12-byte GCM IV; other lengths are a caller's error here (and in mbedTLS use). */
const GCM_IV_LENGTH = 12;

export class NobleCrypto implements CryptoHost {
  readonly #entropy: EntropySource | undefined;

  constructor(options: { entropy?: EntropySource } = {}) {
    this.#entropy = options.entropy ?? platformEntropy();
  }

  digest(algorithm: HashAlgorithm, data: Uint8Array, outputLength?: number): Uint8Array {
    switch (algorithm) {
      case "SHA-256":
        return sha256(data);
      case "SHA-512":
        return sha512(data);
      case "SHAKE256":
        if (!(typeof outputLength === "number" && outputLength > 0)) throw new ImplementationError("SHAKE256 needs an output length");
        return shake256(data, { dkLen: outputLength });
      default:
        throw new ImplementationError(`unknown hash ${String(algorithm)}`);
    }
  }

  randomBytes(length: number): Uint8Array {
    if (!this.#entropy) throw new ImplementationError("no entropy source: pass one to NobleCrypto");
    const bytes = this.#entropy(length);
    if (bytes.length !== length) throw new ImplementationError("the entropy source returned the wrong length");
    return bytes;
  }

  generateSigningKey(scheme: SignatureScheme): KeyPair {
    // The seed is reduced into the key range by the library (FIPS 186-5 A.2.1 for the NIST curves).
    const generator = scheme === "Ed448" ? ed448 : this.#curve(scheme);
    const privateKey = generator.utils.randomSecretKey(this.randomBytes(generator.lengths.seed!));
    return { privateKey, publicKey: this.signingPublicKey(scheme, privateKey) };
  }

  signingPublicKey(scheme: SignatureScheme, privateKey: Uint8Array): Uint8Array {
    requireLength(`${scheme} private key`, privateKey, SIGNATURE_SIZES[scheme].privateKey);
    return scheme === "Ed448" ? ed448.getPublicKey(privateKey) : this.#curve(scheme).getPublicKey(privateKey, false);
  }

  sign(scheme: SignatureScheme, privateKey: Uint8Array, message: Uint8Array): Uint8Array {
    requireLength(`${scheme} private key`, privateKey, SIGNATURE_SIZES[scheme].privateKey);
    if (scheme === "Ed448") return ed448.sign(message, privateKey);
    // prehash: the curve's hash (SHA-256 for P-256, SHA-512 for P-521) over the message; low-S
    // off, since neither standard nor OpenSSL normalises S.
    return this.#curve(scheme).sign(message, privateKey, { prehash: true, lowS: false });
  }

  verify(scheme: SignatureScheme, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const sizes = SIGNATURE_SIZES[scheme];
    if (!sizes) throw new ImplementationError(`unknown signature scheme ${String(scheme)}`);
    if (publicKey.length !== sizes.publicKey || signature.length !== sizes.signature) return false;
    try {
      if (scheme === "Ed448") return ed448.verify(signature, message, publicKey);
      return this.#curve(scheme).verify(signature, message, publicKey, { prehash: true, lowS: false });
    } catch {
      return false; // a point not on the curve, r or s out of range
    }
  }

  generateAgreementKey(curve: KeyAgreementCurve): KeyPair {
    if (curve === "X448") {
      // Any 56 bytes are an X448 private key: the scalar is clamped when used (RFC 7748 §5).
      const privateKey = this.randomBytes(56);
      return { privateKey, publicKey: x448.getPublicKey(privateKey) };
    }
    const ecdh = curve === "P-256" ? p256 : p521;
    const privateKey = ecdh.utils.randomSecretKey(this.randomBytes(ecdh.lengths.seed!));
    return { privateKey, publicKey: ecdh.getPublicKey(privateKey, false) };
  }

  deriveSharedSecret(curve: KeyAgreementCurve, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | undefined {
    const sizes = KEY_AGREEMENT_SIZES[curve];
    if (!sizes) throw new ImplementationError(`unknown key agreement curve ${String(curve)}`);
    requireLength(`${curve} private key`, privateKey, sizes.privateKey);
    if (peerPublicKey.length !== sizes.publicKey) return undefined;
    try {
      // X448 rejects the all-zero result (a low-order peer point), as RFC 7748 §6.2 allows.
      if (curve === "X448") return x448.getSharedSecret(privateKey, peerPublicKey);
      // The compressed shared point is 02/03‖X; Z is X (SP 800-56A §5.7.1.2).
      return (curve === "P-256" ? p256 : p521).getSharedSecret(privateKey, peerPublicKey, true).subarray(1);
    } catch {
      return undefined;
    }
  }

  aes128CbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    checkAesKey(key, 16, iv, 16);
    if (data.length % 16 !== 0) throw new ImplementationError("AES-CBC data must be whole blocks (no padding)");
    return cbc(key, iv, { disablePadding: true }).encrypt(data);
  }

  aes128CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    checkAesKey(key, 16, iv, 16);
    if (data.length % 16 !== 0) throw new ImplementationError("AES-CBC data must be whole blocks (no padding)");
    return cbc(key, iv, { disablePadding: true }).decrypt(data);
  }

  aes256GcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, additionalData?: Uint8Array): Uint8Array {
    checkAesKey(key, 32, iv, GCM_IV_LENGTH);
    return gcm(key, iv, additionalData).encrypt(plaintext);
  }

  aes256GcmDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, additionalData?: Uint8Array): Uint8Array | undefined {
    checkAesKey(key, 32, iv, GCM_IV_LENGTH);
    if (data.length < 16) return undefined;
    try {
      return gcm(key, iv, additionalData).decrypt(data);
    } catch {
      return undefined; // the tag did not authenticate
    }
  }

  #curve(scheme: SignatureScheme): typeof p256 {
    if (scheme === "ECDSA-P256-SHA256") return p256;
    if (scheme === "ECDSA-P521-SHA512") return p521;
    throw new ImplementationError(`unknown signature scheme ${String(scheme)}`);
  }
}
