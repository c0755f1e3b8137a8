// ISO 15118-20 contract key transport (§7.9.2.5.2, EVCC without TPM 2.0): how the contract
// certificate's private key reaches the vehicle in CertificateInstallationRes
// (SignedInstallationData: ECDHCurve, DHPublicKey, SECP521_EncryptedPrivateKey or
// X448_EncryptedPrivateKey).
//
// The sender (the SA / eMSP behind the SECC) makes an ephemeral key pair on the curve of the
// vehicle's OEM provisioning certificate and agrees Z with the vehicle's static key
// (ephemeral-static ECDH, 7.9.2.5.4; [V2G20-2487]/[V2G20-2488] name the curve in ECDHCurve,
// [V2G20-2489] puts the ephemeral public key uncompressed in DHPublicKey, [V2G20-2495] without
// filler for X448). The session key encrypts the private key with AES-256-GCM (NIST SP 800-38D):
//  - IV: 96 random bits [V2G20-2497]; tag: 128 bits [V2G20-2494];
//  - plaintext: the 521-bit key extended with 7 leading zero bits to 66 bytes, big-endian
//    [V2G20-2497]/[V2G20-2498]; or the 56-byte X448 key [V2G20-2500];
//  - additional data: the PCID of the CertificateInstallationReq (capital letters and digits, no
//    separators) followed by the contract certificate's SKI as a capital hexadecimal string
//    [V2G20-2492];
//  - on the wire: IV (12) ‖ ciphertext (66 | 56) ‖ tag (16) = 94 | 84 bytes [V2G20-2499]/[V2G20-2502]
//    (the XSD lengths of secp521_EncryptedPrivateKeyType and x448_EncryptedPrivateKeyType).
// The receiver refuses the response when the tag fails [V2G20-2504], when the top 7 bits of the
// decrypted P-521 key are not zero [V2G20-2678], and when the key is not below the group order
// or not the key of the contract certificate [V2G20-2507]/[V2G20-2510].
//
// UNCONFIRMED: the session-key derivation of 7.9.2.5.4. The public excerpts of ISO 15118-20
// available here describe the ephemeral-static exchange but not the KDF's parameters. This
// implementation takes the reading closest to ISO 15118-2 (V2G2-818): the NIST SP 800-56C
// one-step (concatenation) KDF with the -20 P-521 profile's hash, SHA-512, a 256-bit output for
// AES-256, and -2's OtherInfo 01 55 56 (AlgorithmID, PartyUInfo "U", PartyVInfo "V"). It is
// isolated in `iso20SessionKey` so that a confirmed clause changes one function. Everything else
// above (layout, IV, tag, AAD, checks) follows the requirement texts cited.
//
// The sending side is the backend's (simulation/pki/backend.ts); the vehicle opens it here.
//
// All cryptography through the CryptoHost (no interface change: the X448 public key of a
// private key is X448(k, 5), RFC 7748 §6.2).

import { bytesEqual } from "../common/bytes";
import { KEY_AGREEMENT_SIZES, type CryptoHost, type KeyAgreementCurve } from "./crypto";
import { concatKdf, KeyTransportError } from "./key-transport";

/** ECDHCurve of SignedInstallationData (ecdhCurveType). */
export type Iso20EcdhCurve = "SECP521" | "X448";

const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const SESSION_KEY_BYTES = 32;

/** The contract private key's size, the encrypted element's size and the key-agreement curve, per ECDHCurve. */
export const ISO20_KEY_TRANSPORT = Object.freeze({
  SECP521: Object.freeze({ agreement: "P-521" as KeyAgreementCurve, privateKey: 66, encrypted: GCM_IV_BYTES + 66 + GCM_TAG_BYTES, element: "SECP521_EncryptedPrivateKey" as const }),
  X448: Object.freeze({ agreement: "X448" as KeyAgreementCurve, privateKey: 56, encrypted: GCM_IV_BYTES + 56 + GCM_TAG_BYTES, element: "X448_EncryptedPrivateKey" as const }),
});

/**
 * The session key from the ECDH shared secret Z (7.9.2.5.4). UNCONFIRMED against the text of
 * ISO 15118-20 (see the file comment): SP 800-56C one-step KDF, SHA-512, 32 bytes, OtherInfo
 * 01 55 56 as ISO 15118-2's V2G2-818.
 */
export function iso20SessionKey(crypto: CryptoHost, z: Uint8Array): Uint8Array {
  return concatKdf(crypto, "SHA-512", z, Uint8Array.of(0x01, 0x55, 0x56), SESSION_KEY_BYTES);
}

/** What the additional data binds: the vehicle's PCID and the new contract certificate's SKI. */
export interface Iso20KeyTransportBinding {
  /** The PCID of the CertificateInstallationReq (the OEM provisioning certificate's CN). */
  readonly pcid: string;
  /** The contract certificate's subjectKeyIdentifier. */
  readonly contractSki: Uint8Array;
}

const HEX_DIGITS = "0123456789ABCDEF";

/**
 * [V2G20-2492] AAD = PCID (capital letters and digits, separators removed; 18 bytes with its
 * check digit) ‖ SKI of the contract certificate as a capital hexadecimal string (16 characters
 * in the text, i.e. an 8-byte SKI; a longer SKI, e.g. RFC 7093's 20 bytes, gives a longer string).
 */
export function iso20KeyTransportAad(binding: Iso20KeyTransportBinding): Uint8Array {
  const pcid = binding.pcid.replace(/[-\s]/g, "").toUpperCase();
  const out = new Uint8Array(pcid.length + 2 * binding.contractSki.length);
  for (let i = 0; i < pcid.length; i++) {
    const c = pcid.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a))) throw new KeyTransportError("key-transport-key", `PCID "${binding.pcid}" is not letters and digits`);
    out[i] = c;
  }
  for (let i = 0, at = pcid.length; i < binding.contractSki.length; i++, at += 2) {
    out[at] = HEX_DIGITS.charCodeAt(binding.contractSki[i] >> 4);
    out[at + 1] = HEX_DIGITS.charCodeAt(binding.contractSki[i] & 15);
  }
  return out;
}

export interface Iso20EncryptedContractKey {
  readonly ecdhCurve: Iso20EcdhCurve;
  /** DHPublicKey: the sender's ephemeral public key (P-521 04‖X‖Y, 133 bytes; X448 56 bytes). */
  readonly dhPublicKey: Uint8Array;
  /** IV ‖ ciphertext ‖ tag (94 bytes SECP521, 84 bytes X448). */
  readonly encryptedPrivateKey: Uint8Array;
}

/** The X448 public key of a private key: X448(k, 5) (RFC 7748 §6.2, the base point's u = 5). */
function x448PublicKey(crypto: CryptoHost, privateKey: Uint8Array): Uint8Array | undefined {
  const base = new Uint8Array(56);
  base[0] = 5;
  return crypto.deriveSharedSecret("X448", privateKey, base);
}

/**
 * Vehicle side: recovers the contract private key with the vehicle's static private key (the
 * OEM provisioning key). `contractPublicKey` (the new contract certificate's key; for X448 the
 * 56-byte X448 key) is what the result must belong to [V2G20-2507]/[V2G20-2510]. Throws
 * KeyTransportError: key-transport-length, -curve, -point, -tag, -key.
 */
export function decryptContractKeyIso20(
  crypto: CryptoHost,
  vehiclePrivateKey: Uint8Array,
  received: Iso20EncryptedContractKey,
  binding: Iso20KeyTransportBinding,
  contractPublicKey?: Uint8Array,
): Uint8Array {
  const spec = (ISO20_KEY_TRANSPORT as Record<string, (typeof ISO20_KEY_TRANSPORT)[Iso20EcdhCurve] | undefined>)[received.ecdhCurve];
  if (spec === undefined) throw new KeyTransportError("key-transport-curve", `ECDHCurve ${String(received.ecdhCurve)}`);
  const pointBytes = KEY_AGREEMENT_SIZES[spec.agreement].publicKey;
  let dhPublicKey = received.dhPublicKey;
  // X448: [V2G20-2495] sends the 56 bytes without filler, while [V2G20-2489] NOTE 7 counts 57
  // (the 0x04 of NOTE 6 in front); accept both. (The XSD's dhPublicKeyType says length 133 for
  // either curve: an X448 DHPublicKey only passes an encoder that does not check that facet.)
  if (received.ecdhCurve === "X448" && dhPublicKey.length === pointBytes + 1 && dhPublicKey[0] === 0x04) dhPublicKey = dhPublicKey.subarray(1);
  if (dhPublicKey.length !== pointBytes) throw new KeyTransportError("key-transport-length", `DHPublicKey of ${received.dhPublicKey.length} bytes, expected ${pointBytes} for ${received.ecdhCurve}`);
  if (received.encryptedPrivateKey.length !== spec.encrypted) throw new KeyTransportError("key-transport-length", `${spec.element} of ${received.encryptedPrivateKey.length} bytes, expected ${spec.encrypted}`);
  const z = crypto.deriveSharedSecret(spec.agreement, vehiclePrivateKey, dhPublicKey);
  if (!z) throw new KeyTransportError("key-transport-point", `DHPublicKey is not a ${spec.agreement} public key`);
  const key = iso20SessionKey(crypto, z);
  z.fill(0);
  const iv = received.encryptedPrivateKey.subarray(0, GCM_IV_BYTES);
  const privateKey = crypto.aes256GcmDecrypt(key, iv, received.encryptedPrivateKey.subarray(GCM_IV_BYTES), iso20KeyTransportAad(binding));
  key.fill(0);
  if (privateKey === undefined) throw new KeyTransportError("key-transport-tag", "the AES-GCM tag does not authenticate the encrypted key (tampered, or for another PCID or certificate)");
  if (received.ecdhCurve === "SECP521" && (privateKey[0] & 0xfe) !== 0) throw new KeyTransportError("key-transport-key", "the decrypted P-521 key does not start with 7 zero bits [V2G20-2678]");
  if (contractPublicKey !== undefined) {
    let derived: Uint8Array | undefined;
    try {
      derived = received.ecdhCurve === "SECP521" ? crypto.signingPublicKey("ECDSA-P521-SHA512", privateKey) : x448PublicKey(crypto, privateKey);
    } catch {
      derived = undefined; // zero or not below the group order: not a key [V2G20-2507]
    }
    if (!derived || !bytesEqual(derived, contractPublicKey)) throw new KeyTransportError("key-transport-key", "the decrypted key does not belong to the contract certificate");
  }
  return privateKey;
}
