// ISO 15118-2 contract key transport (§7.9.2.4, V2G2-818): how the contract
// certificate's private key reaches the vehicle in CertificateInstallationRes and
// CertificateUpdateRes.
//
// The sender (the secondary actor behind the SECC: MO / CPS) makes an ephemeral ECDH key pair on
// secp256r1 and agrees Z with the vehicle's static key — the OEM provisioning certificate's key
// for an installation, the old contract certificate's key for an update. The session key is the
// NIST SP 800-56A concatenation KDF over Z with SHA-256, 128 bits, OtherInfo = AlgorithmID 0x01 ‖
// PartyUInfo 0x55 ‖ PartyVInfo 0x56 (V2G2-818). The 32-byte private key is encrypted with
// AES-128-CBC under a random IV (two blocks, no padding), the IV sent in the 16 most significant
// bytes: ContractSignatureEncryptedPrivateKey = IV ‖ ciphertext (48 bytes),
// DHpublickey = the ephemeral public key, uncompressed (65 bytes). The sending side is the
// backend's (simulation/pki/backend.ts): the charger and the vehicle only pass on and open it.

import { bytesEqual } from "../common/bytes";
import { DecodeError, ImplementationError } from "../common/errors";
import { KEY_AGREEMENT_SIZES, type CryptoHost } from "./crypto";

/** OtherInfo of V2G2-818: AlgorithmID 0x01, PartyUInfo "U" (0x55), PartyVInfo "V" (0x56). */
export function iso2KdfOtherInfo(): Uint8Array {
  return Uint8Array.of(0x01, 0x55, 0x56); // a fresh copy: a module-level typed array cannot be frozen for preload
}

const AES_BLOCK = 16;
const ISO2_SESSION_KEY_BYTES = 16;
const ISO2_PRIVATE_KEY_BYTES = 32;
/** ContractSignatureEncryptedPrivateKey: IV (16) ‖ two ciphertext blocks (32). */
export const ISO2_ENCRYPTED_KEY_BYTES = AES_BLOCK + ISO2_PRIVATE_KEY_BYTES;

/**
 * Why a received contract key was refused (the vehicle then keeps its old contract, or none,
 * and ends the session; -2 has no response code from the EV).
 *  - key-transport-length: DHpublickey or the encrypted key has the wrong size;
 *  - key-transport-point: DHpublickey is not a point on secp256r1;
 *  - key-transport-key: what decrypts is not the private key of the contract certificate that
 *    came with it (wrong key, tampered ciphertext or IV, or a key for someone else);
 *  - key-transport-tag (ISO 15118-20): the AES-GCM tag does not authenticate ciphertext, IV and
 *    the additional data (tampered, another vehicle's PCID, another certificate's SKI) [V2G20-2504];
 *  - key-transport-curve (ISO 15118-20): the ECDHCurve and the encrypted-key element do not go
 *    together, or the curve is one this side does not process.
 */
export type KeyTransportFailure = "key-transport-length" | "key-transport-point" | "key-transport-key" | "key-transport-tag" | "key-transport-curve";

export class KeyTransportError extends DecodeError<KeyTransportFailure> {
  constructor(reason: KeyTransportFailure, message?: string) {
    super(reason, message);
    this.name = "KeyTransportError";
  }
}

/**
 * The SP 800-56A (rev. 1, §5.8.1; SP 800-56C rev. 2 §4.1 option 1) single-step concatenation
 * KDF: K(i) = H(counter_i (32-bit big-endian, from 1) ‖ Z ‖ OtherInfo), output the first
 * `length` bytes of K(1) ‖ K(2) ‖ …  H is SHA-256 for ISO 15118-2, SHA-512 for our reading of
 * ISO 15118-20 (key-transport-iso20.ts).
 */
export function concatKdf(crypto: CryptoHost, hash: "SHA-256" | "SHA-512", z: Uint8Array, otherInfo: Uint8Array, length: number): Uint8Array {
  const hashBytes = hash === "SHA-256" ? 32 : 64;
  if (!(length > 0 && length <= hashBytes * 255)) throw new ImplementationError(`KDF output length ${length} out of range`);
  const out = new Uint8Array(length);
  const input = new Uint8Array(4 + z.length + otherInfo.length);
  input.set(z, 4);
  input.set(otherInfo, 4 + z.length);
  for (let counter = 1, at = 0; at < length; counter++, at += hashBytes) {
    input[0] = counter >>> 24;
    input[1] = (counter >>> 16) & 0xff;
    input[2] = (counter >>> 8) & 0xff;
    input[3] = counter & 0xff;
    const block = crypto.digest(hash, input);
    out.set(block.subarray(0, Math.min(hashBytes, length - at)), at);
  }
  return out;
}

/** concatKdf with SHA-256 (ISO 15118-2, V2G2-818). */
export function concatKdfSha256(crypto: CryptoHost, z: Uint8Array, otherInfo: Uint8Array, length: number): Uint8Array {
  return concatKdf(crypto, "SHA-256", z, otherInfo, length);
}

/** The AES-128 session key of V2G2-818 from the ECDH shared secret Z. */
export function iso2SessionKey(crypto: CryptoHost, z: Uint8Array): Uint8Array {
  return concatKdfSha256(crypto, z, iso2KdfOtherInfo(), ISO2_SESSION_KEY_BYTES);
}

export interface Iso2EncryptedContractKey {
  /** DHpublickey: the sender's ephemeral P-256 public key (65 bytes, 04‖X‖Y). */
  dhPublicKey: Uint8Array;
  /** ContractSignatureEncryptedPrivateKey: IV ‖ AES-128-CBC(private key) (48 bytes). */
  encryptedPrivateKey: Uint8Array;
}

/**
 * Vehicle side: recovers the contract private key with the vehicle's static private key
 * (`vehiclePrivateKey`, the OEM provisioning or old contract key). When `contractPublicKey` (the
 * new contract certificate's key) is given, the result must belong to it (the vehicle installs
 * no key that does not fit its certificate), else KeyTransportError("key-transport-key").
 */
export function decryptContractKeyIso2(
  crypto: CryptoHost,
  vehiclePrivateKey: Uint8Array,
  received: Iso2EncryptedContractKey,
  contractPublicKey?: Uint8Array,
): Uint8Array {
  if (received.dhPublicKey.length !== KEY_AGREEMENT_SIZES["P-256"].publicKey) throw new KeyTransportError("key-transport-length", `DHpublickey of ${received.dhPublicKey.length} bytes, expected 65`);
  if (received.encryptedPrivateKey.length !== ISO2_ENCRYPTED_KEY_BYTES) throw new KeyTransportError("key-transport-length", `encrypted private key of ${received.encryptedPrivateKey.length} bytes, expected ${ISO2_ENCRYPTED_KEY_BYTES}`);
  const z = crypto.deriveSharedSecret("P-256", vehiclePrivateKey, received.dhPublicKey);
  if (!z) throw new KeyTransportError("key-transport-point", "DHpublickey is not a point on secp256r1");
  const iv = received.encryptedPrivateKey.subarray(0, AES_BLOCK);
  const privateKey = crypto.aes128CbcDecrypt(iso2SessionKey(crypto, z), iv, received.encryptedPrivateKey.subarray(AES_BLOCK));
  if (contractPublicKey !== undefined) {
    let derived: Uint8Array | undefined;
    try {
      derived = crypto.signingPublicKey("ECDSA-P256-SHA256", privateKey);
    } catch {
      derived = undefined; // zero or ≥ n: not a key at all
    }
    if (!derived || !bytesEqual(derived, contractPublicKey)) throw new KeyTransportError("key-transport-key", "the decrypted key does not belong to the contract certificate");
  }
  return privateKey;
}
