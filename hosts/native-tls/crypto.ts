// The PKI store's CryptoHost (modules/pki-store/crypto.ts) on mbedTLS, as far as a station's TLS
// needs it: PkiStore.validate's digests and ECDSA signature checks of the peer's chain after each
// handshake (the V2G checks of checkPeer). Signing, key agreement and AES (Plug & Charge's signed
// messages and key transport) are not bound yet: they throw ImplementationError with that reason.
// Ed448 and SHAKE256 are not in mbedTLS 3.6 at all.

import { tlsDigest, tlsVerify } from "./tls-native";
import { ImplementationError } from "../../modules/common/errors";
import type { CryptoHost, HashAlgorithm, KeyPair, SignatureScheme } from "../../modules/pki-store/crypto";

function notBound(what: string): never {
  throw new ImplementationError(`${what}: not in the firmware's mbedTLS binding (hosts/native-tls) yet`);
}

export class MbedtlsCrypto implements CryptoHost {
  readonly #entropy: (count: number) => Uint8Array;

  /** `entropy`: the platform's random source (getrandom on Linux, the RNG on a board). */
  constructor(entropy: (count: number) => Uint8Array) {
    this.#entropy = entropy;
  }

  digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
    if (algorithm === "SHAKE256") throw new ImplementationError("SHAKE256: mbedTLS 3.6 has none (Ed448 PKI)");
    return new Uint8Array(tlsDigest(algorithm === "SHA-256" ? 1 : 2, data));
  }

  randomBytes(length: number): Uint8Array {
    return this.#entropy(length);
  }

  verify(scheme: SignatureScheme, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (scheme === "Ed448") throw new ImplementationError("Ed448: mbedTLS 3.6 has no EdDSA");
    return tlsVerify(scheme === "ECDSA-P256-SHA256" ? 1 : 2, publicKey, message, signature);
  }

  generateSigningKey(): KeyPair {
    return notBound("generateSigningKey");
  }

  signingPublicKey(): Uint8Array {
    return notBound("signingPublicKey");
  }

  sign(): Uint8Array {
    return notBound("sign");
  }

  generateAgreementKey(): KeyPair {
    return notBound("generateAgreementKey");
  }

  deriveSharedSecret(): Uint8Array | undefined {
    return notBound("deriveSharedSecret");
  }

  aes128CbcEncrypt(): Uint8Array {
    return notBound("aes128CbcEncrypt");
  }

  aes128CbcDecrypt(): Uint8Array {
    return notBound("aes128CbcDecrypt");
  }

  aes256GcmEncrypt(): Uint8Array {
    return notBound("aes256GcmEncrypt");
  }

  aes256GcmDecrypt(): Uint8Array | undefined {
    return notBound("aes256GcmDecrypt");
  }
}
