// CryptoHost on node:crypto (OpenSSL 3): the Node host's implementation of
// modules/pki-store/crypto.ts. Raw keys are turned into KeyObjects here: NIST-curve keys
// through JWK (private keys need the public point too, computed with createECDH), Ed448 and
// X448 through their fixed PKCS#8/SPKI prefixes (RFC 8410 §7 and §10.3).

import * as crypto from "node:crypto";
import { ImplementationError } from "../../../modules/common/errors";
import {
  KEY_AGREEMENT_SIZES,
  SIGNATURE_SIZES,
  requireLength,
  type CryptoHost,
  type HashAlgorithm,
  type KeyAgreementCurve,
  type KeyPair,
  type SignatureScheme,
} from "../../../modules/pki-store/crypto";

type NistCurve = "P-256" | "P-521";
type OkpCurve = "Ed448" | "X448";

const OPENSSL_CURVE: Record<NistCurve, string> = { "P-256": "prime256v1", "P-521": "secp521r1" };
const FIELD_BYTES: Record<NistCurve, number> = { "P-256": 32, "P-521": 66 };
// RFC 8410: PrivateKeyInfo = SEQUENCE { version 0, AlgorithmIdentifier { OID }, OCTET STRING { OCTET STRING key } },
// SubjectPublicKeyInfo = SEQUENCE { AlgorithmIdentifier { OID }, BIT STRING key }.
const OKP_PRIVATE_PREFIX: Record<OkpCurve, Buffer> = {
  Ed448: Buffer.from("3047020100300506032b6571043b0439", "hex"),
  X448: Buffer.from("3046020100300506032b656f043a0438", "hex"),
};
const OKP_PUBLIC_PREFIX: Record<OkpCurve, Buffer> = {
  Ed448: Buffer.from("3043300506032b6571033a00", "hex"),
  X448: Buffer.from("3042300506032b656f033900", "hex"),
};

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const fromB64url = (text: string, length: number) => {
  const bytes = Buffer.from(text, "base64url");
  const out = new Uint8Array(length); // JWK may drop leading zeros of d; pad back to the field size
  out.set(bytes, length - bytes.length);
  return out;
};

function nistCurveOf(scheme: SignatureScheme): NistCurve {
  if (scheme === "ECDSA-P256-SHA256") return "P-256";
  if (scheme === "ECDSA-P521-SHA512") return "P-521";
  throw new ImplementationError(`not a NIST-curve scheme: ${String(scheme)}`);
}

/** Raw uncompressed public point of a NIST-curve private scalar. */
function nistPublicKey(curve: NistCurve, privateKey: Uint8Array): Uint8Array {
  const ecdh = crypto.createECDH(OPENSSL_CURVE[curve]);
  ecdh.setPrivateKey(privateKey);
  return new Uint8Array(ecdh.getPublicKey(null, "uncompressed"));
}

export function nistPrivateKeyObject(curve: NistCurve, privateKey: Uint8Array): crypto.KeyObject {
  const point = nistPublicKey(curve, privateKey);
  const n = FIELD_BYTES[curve];
  return crypto.createPrivateKey({
    format: "jwk",
    key: { kty: "EC", crv: curve, d: b64url(privateKey), x: b64url(point.subarray(1, 1 + n)), y: b64url(point.subarray(1 + n)) },
  });
}

export function nistPublicKeyObject(curve: NistCurve, publicKey: Uint8Array): crypto.KeyObject {
  const n = FIELD_BYTES[curve];
  if (publicKey.length !== 1 + 2 * n || publicKey[0] !== 0x04) throw new ImplementationError(`${curve} public key must be an uncompressed point`);
  return crypto.createPublicKey({ format: "jwk", key: { kty: "EC", crv: curve, x: b64url(publicKey.subarray(1, 1 + n)), y: b64url(publicKey.subarray(1 + n)) } });
}

export function okpPrivateKeyObject(curve: OkpCurve, privateKey: Uint8Array): crypto.KeyObject {
  return crypto.createPrivateKey({ format: "der", type: "pkcs8", key: Buffer.concat([OKP_PRIVATE_PREFIX[curve], privateKey]) });
}

export function okpPublicKeyObject(curve: OkpCurve, publicKey: Uint8Array): crypto.KeyObject {
  return crypto.createPublicKey({ format: "der", type: "spki", key: Buffer.concat([OKP_PUBLIC_PREFIX[curve], publicKey]) });
}

/** The raw KeyPair of a generated KeyObject pair. */
function rawPair(curve: NistCurve | OkpCurve, pair: crypto.KeyPairKeyObjectResult): KeyPair {
  if (curve === "Ed448" || curve === "X448") {
    const pkcs8 = pair.privateKey.export({ format: "der", type: "pkcs8" });
    const spki = pair.publicKey.export({ format: "der", type: "spki" });
    return { privateKey: new Uint8Array(pkcs8.subarray(OKP_PRIVATE_PREFIX[curve].length)), publicKey: new Uint8Array(spki.subarray(OKP_PUBLIC_PREFIX[curve].length)) };
  }
  const jwk = pair.privateKey.export({ format: "jwk" });
  const n = FIELD_BYTES[curve];
  const publicKey = new Uint8Array(1 + 2 * n);
  publicKey[0] = 0x04;
  publicKey.set(fromB64url(jwk.x!, n), 1);
  publicKey.set(fromB64url(jwk.y!, n), 1 + n);
  return { privateKey: fromB64url(jwk.d!, n), publicKey };
}

export class NodeCrypto implements CryptoHost {
  digest(algorithm: HashAlgorithm, data: Uint8Array, outputLength?: number): Uint8Array {
    switch (algorithm) {
      case "SHA-256":
        return new Uint8Array(crypto.createHash("sha256").update(data).digest());
      case "SHA-512":
        return new Uint8Array(crypto.createHash("sha512").update(data).digest());
      case "SHAKE256":
        if (!(typeof outputLength === "number" && outputLength > 0)) throw new ImplementationError("SHAKE256 needs an output length");
        return new Uint8Array(crypto.createHash("shake256", { outputLength }).update(data).digest());
      default:
        throw new ImplementationError(`unknown hash ${String(algorithm)}`);
    }
  }

  randomBytes(length: number): Uint8Array {
    return new Uint8Array(crypto.randomBytes(length));
  }

  generateSigningKey(scheme: SignatureScheme): KeyPair {
    if (scheme === "Ed448") return rawPair("Ed448", crypto.generateKeyPairSync("ed448"));
    const curve = nistCurveOf(scheme);
    return rawPair(curve, crypto.generateKeyPairSync("ec", { namedCurve: OPENSSL_CURVE[curve] }));
  }

  signingPublicKey(scheme: SignatureScheme, privateKey: Uint8Array): Uint8Array {
    requireLength(`${scheme} private key`, privateKey, SIGNATURE_SIZES[scheme].privateKey);
    if (scheme === "Ed448") {
      const spki = crypto.createPublicKey(okpPrivateKeyObject("Ed448", privateKey)).export({ format: "der", type: "spki" });
      return new Uint8Array(spki.subarray(OKP_PUBLIC_PREFIX.Ed448.length));
    }
    return nistPublicKey(nistCurveOf(scheme), privateKey);
  }

  sign(scheme: SignatureScheme, privateKey: Uint8Array, message: Uint8Array): Uint8Array {
    requireLength(`${scheme} private key`, privateKey, SIGNATURE_SIZES[scheme].privateKey);
    if (scheme === "Ed448") return new Uint8Array(crypto.sign(null, message, okpPrivateKeyObject("Ed448", privateKey)));
    const curve = nistCurveOf(scheme);
    const hash = curve === "P-256" ? "sha256" : "sha512";
    // ieee-p1363: r‖s, each padded to the field size — the form the V2G messages carry.
    return new Uint8Array(crypto.sign(hash, message, { key: nistPrivateKeyObject(curve, privateKey), dsaEncoding: "ieee-p1363" }));
  }

  verify(scheme: SignatureScheme, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const sizes = SIGNATURE_SIZES[scheme];
    if (!sizes) throw new ImplementationError(`unknown signature scheme ${String(scheme)}`);
    if (publicKey.length !== sizes.publicKey || signature.length !== sizes.signature) return false;
    try {
      if (scheme === "Ed448") return crypto.verify(null, message, okpPublicKeyObject("Ed448", publicKey), signature);
      const curve = nistCurveOf(scheme);
      const hash = curve === "P-256" ? "sha256" : "sha512";
      return crypto.verify(hash, message, { key: nistPublicKeyObject(curve, publicKey), dsaEncoding: "ieee-p1363" }, signature);
    } catch {
      return false; // a point off the curve or a malformed key
    }
  }

  generateAgreementKey(curve: KeyAgreementCurve): KeyPair {
    if (curve === "X448") return rawPair("X448", crypto.generateKeyPairSync("x448"));
    return rawPair(curve, crypto.generateKeyPairSync("ec", { namedCurve: OPENSSL_CURVE[curve] }));
  }

  deriveSharedSecret(curve: KeyAgreementCurve, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | undefined {
    const sizes = KEY_AGREEMENT_SIZES[curve];
    if (!sizes) throw new ImplementationError(`unknown key agreement curve ${String(curve)}`);
    requireLength(`${curve} private key`, privateKey, sizes.privateKey);
    if (peerPublicKey.length !== sizes.publicKey) return undefined;
    try {
      const pair =
        curve === "X448"
          ? { privateKey: okpPrivateKeyObject("X448", privateKey), publicKey: okpPublicKeyObject("X448", peerPublicKey) }
          : { privateKey: nistPrivateKeyObject(curve, privateKey), publicKey: nistPublicKeyObject(curve, peerPublicKey) };
      const secret = new Uint8Array(crypto.diffieHellman(pair));
      // RFC 7748 §6.2: an all-zero X448 result means a low-order peer point; refuse it (noble does too).
      if (curve === "X448" && secret.every((b) => b === 0)) return undefined;
      return secret;
    } catch {
      return undefined; // the peer's point is not on the curve
    }
  }

  aes128CbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    return this.#cbc(true, key, iv, data);
  }

  aes128CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    return this.#cbc(false, key, iv, data);
  }

  aes256GcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, additionalData?: Uint8Array): Uint8Array {
    requireLength("AES key", key, 32);
    requireLength("AES IV", iv, 12);
    const cipher = crypto.createCipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
    if (additionalData) cipher.setAAD(additionalData);
    return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
  }

  aes256GcmDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, additionalData?: Uint8Array): Uint8Array | undefined {
    requireLength("AES key", key, 32);
    requireLength("AES IV", iv, 12);
    if (data.length < 16) return undefined;
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
    if (additionalData) decipher.setAAD(additionalData);
    decipher.setAuthTag(data.subarray(data.length - 16));
    try {
      return new Uint8Array(Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]));
    } catch {
      return undefined; // the tag did not authenticate
    }
  }

  #cbc(encrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    requireLength("AES key", key, 16);
    requireLength("AES IV", iv, 16);
    if (data.length % 16 !== 0) throw new ImplementationError("AES-CBC data must be whole blocks (no padding)");
    const cipher = encrypt ? crypto.createCipheriv("aes-128-cbc", key, iv) : crypto.createDecipheriv("aes-128-cbc", key, iv);
    cipher.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([cipher.update(data), cipher.final()]));
  }
}
