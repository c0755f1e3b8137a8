// ISO 15118-20 contract key transport (modules/pki-store/key-transport-iso20.ts: ECDH on P-521 or
// X448, AES-256-GCM with IV ‖ ciphertext ‖ tag and the PCID+SKI additional data), on the portable
// crypto so it runs in XS too: the (unconfirmed) KDF against OpenSSL's SSKDF output, the AAD
// layout, both curves both ways, and every refusal — a changed tag, IV or ciphertext, another
// PCID or SKI, another vehicle, a key that is not the certificate's, wrong sizes and curves.

import { test } from "node:test";
import assert from "node:assert/strict";
import { NobleCrypto } from "../../hosts/portable-crypto/index";
import { toHex } from "../../modules/common/bytes";
import { decryptContractKeyIso20, ISO20_KEY_TRANSPORT, iso20KeyTransportAad, iso20SessionKey, KeyTransportError, type Iso20EncryptedContractKey, type Iso20KeyTransportBinding, type KeyTransportFailure } from "../../modules/pki-store/index";
import { encryptContractKeyIso20 } from "../../simulation/pki/backend";
import { seededEntropy } from "../support/seeded-entropy";

const crypto = new NobleCrypto({ entropy: seededEntropy(2120) });
const binding: Iso20KeyTransportBinding = { pcid: "XSOEM000000000001", contractSki: Uint8Array.of(0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71) };

function failureOf(run: () => void): KeyTransportFailure | "ok" {
  try {
    run();
    return "ok";
  } catch (error) {
    if (error instanceof KeyTransportError) return error.reason;
    throw error;
  }
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const out = bytes.slice();
  out[at] ^= 0x01;
  return out;
}

test("-20 key transport: the session key is SP 800-56C one-step with SHA-512 as OpenSSL's SSKDF computes it", () => {
  const z = new Uint8Array(66);
  for (let i = 0; i < z.length; i++) z[i] = i;
  // openssl kdf -keylen 32 -kdfopt digest:SHA512 -kdfopt hexkey:0001…41 -kdfopt hexinfo:015556 SSKDF
  assert.equal(toHex(iso20SessionKey(crypto, z)), "2d11b6904bd3f7e7dfbd351c591e497709d93720bd0c68faea30dd21e873183e");
});

test("-20 key transport: the AAD is the PCID in capitals and the SKI as a capital hex string [V2G20-2492]", () => {
  const aad = iso20KeyTransportAad({ pcid: "xsoem-000000000001", contractSki: binding.contractSki });
  assert.equal(String.fromCharCode(...aad), "XSOEM0000000000010A1B2C3D4E5F6071");
  assert.equal(aad.length, 17 + 16);
  assert.throws(() => iso20KeyTransportAad({ pcid: "XSOEM/1", contractSki: binding.contractSki }), KeyTransportError);
});

test("-20 key transport, SECP521: 94 bytes (IV 12 ‖ key 66 ‖ tag 16), 133-byte DHPublicKey, the vehicle recovers the key", () => {
  const vehicle = crypto.generateSigningKey("ECDSA-P521-SHA512"); // the OEM provisioning key
  const contract = crypto.generateSigningKey("ECDSA-P521-SHA512");
  const sent = encryptContractKeyIso20(crypto, "SECP521", vehicle.publicKey, contract.privateKey, binding);
  assert.equal(sent.ecdhCurve, "SECP521");
  assert.equal(sent.dhPublicKey.length, 133);
  assert.equal(sent.dhPublicKey[0], 4);
  assert.equal(sent.encryptedPrivateKey.length, ISO20_KEY_TRANSPORT.SECP521.encrypted);
  assert.equal(sent.encryptedPrivateKey.length, 94);
  assert.deepEqual(decryptContractKeyIso20(crypto, vehicle.privateKey, sent, binding, contract.publicKey), contract.privateKey);
  const again = encryptContractKeyIso20(crypto, "SECP521", vehicle.publicKey, contract.privateKey, binding);
  assert.notDeepEqual(again.dhPublicKey, sent.dhPublicKey, "a fresh ephemeral key each time");
  assert.notDeepEqual(again.encryptedPrivateKey.subarray(0, 12), sent.encryptedPrivateKey.subarray(0, 12), "a fresh IV each time");
});

test("-20 key transport, X448: 84 bytes (IV 12 ‖ key 56 ‖ tag 16), a 56-byte DHPublicKey without filler [V2G20-2495]", () => {
  const vehicle = crypto.generateAgreementKey("X448");
  const contract = crypto.generateAgreementKey("X448");
  const sent = encryptContractKeyIso20(crypto, "X448", vehicle.publicKey, contract.privateKey, binding);
  assert.equal(sent.dhPublicKey.length, 56);
  assert.equal(sent.encryptedPrivateKey.length, 84);
  assert.deepEqual(decryptContractKeyIso20(crypto, vehicle.privateKey, sent, binding, contract.publicKey), contract.privateKey);
  // [V2G20-2489] NOTE 7's 57 bytes (0x04 in front) are accepted too; other lengths are not.
  const prefixed = { ...sent, dhPublicKey: Uint8Array.of(4, ...sent.dhPublicKey) };
  assert.deepEqual(decryptContractKeyIso20(crypto, vehicle.privateKey, prefixed, binding, contract.publicKey), contract.privateKey);
  assert.equal(failureOf(() => decryptContractKeyIso20(crypto, vehicle.privateKey, { ...sent, dhPublicKey: Uint8Array.of(5, ...sent.dhPublicKey) }, binding)), "key-transport-length");
  const other = crypto.generateAgreementKey("X448");
  assert.equal(failureOf(() => decryptContractKeyIso20(crypto, vehicle.privateKey, sent, binding, other.publicKey)), "key-transport-key");
});

test("-20 key transport: a changed tag, IV, ciphertext, PCID or SKI, or another vehicle, fails the GCM tag [V2G20-2504]", () => {
  const vehicle = crypto.generateSigningKey("ECDSA-P521-SHA512");
  const contract = crypto.generateSigningKey("ECDSA-P521-SHA512");
  const sent = encryptContractKeyIso20(crypto, "SECP521", vehicle.publicKey, contract.privateKey, binding);
  const open = (received: Iso20EncryptedContractKey = sent, b = binding, key = vehicle.privateKey) =>
    failureOf(() => decryptContractKeyIso20(crypto, key, received, b, contract.publicKey));
  assert.equal(open(), "ok");
  assert.equal(open({ ...sent, encryptedPrivateKey: flipped(sent.encryptedPrivateKey, 93) }), "key-transport-tag", "tag");
  assert.equal(open({ ...sent, encryptedPrivateKey: flipped(sent.encryptedPrivateKey, 0) }), "key-transport-tag", "IV");
  assert.equal(open({ ...sent, encryptedPrivateKey: flipped(sent.encryptedPrivateKey, 40) }), "key-transport-tag", "ciphertext");
  assert.equal(open(sent, { ...binding, pcid: "XSOEM000000000002" }), "key-transport-tag", "another PCID");
  assert.equal(open(sent, { ...binding, contractSki: flipped(binding.contractSki, 7) }), "key-transport-tag", "another SKI");
  assert.equal(open(sent, binding, crypto.generateSigningKey("ECDSA-P521-SHA512").privateKey), "key-transport-tag", "another vehicle");
});

test("-20 key transport: a key that is not the certificate's, not 7 leading zero bits, bad sizes, points and curves are refused", () => {
  const vehicle = crypto.generateSigningKey("ECDSA-P521-SHA512");
  const contract = crypto.generateSigningKey("ECDSA-P521-SHA512");
  const other = crypto.generateSigningKey("ECDSA-P521-SHA512");
  const sent = encryptContractKeyIso20(crypto, "SECP521", vehicle.publicKey, other.privateKey, binding);
  const open = (received: Iso20EncryptedContractKey) => failureOf(() => decryptContractKeyIso20(crypto, vehicle.privateKey, received, binding, contract.publicKey));
  assert.equal(open(sent), "key-transport-key", "a valid transport of another key");
  // A sender that encrypts 66 bytes whose top bits are set: authenticated, but not a 521-bit key.
  const high = new Uint8Array(66).fill(0xff);
  const ephemeral = crypto.generateAgreementKey("P-521");
  const z = crypto.deriveSharedSecret("P-521", ephemeral.privateKey, vehicle.publicKey)!;
  const iv = crypto.randomBytes(12);
  const sealed = crypto.aes256GcmEncrypt(iso20SessionKey(crypto, z), iv, high, iso20KeyTransportAad(binding));
  const forged = { ecdhCurve: "SECP521" as const, dhPublicKey: ephemeral.publicKey, encryptedPrivateKey: new Uint8Array([...iv, ...sealed]) };
  assert.equal(open(forged), "key-transport-key", "[V2G20-2678]");
  assert.equal(open({ ...sent, encryptedPrivateKey: sent.encryptedPrivateKey.subarray(0, 93) }), "key-transport-length");
  assert.equal(open({ ...sent, dhPublicKey: sent.dhPublicKey.subarray(0, 132) }), "key-transport-length");
  assert.equal(open({ ...sent, dhPublicKey: flipped(sent.dhPublicKey, 132) }), "key-transport-point");
  assert.equal(open({ ...sent, ecdhCurve: "X448" }), "key-transport-length", "ECDHCurve X448 with a P-521 point");
  assert.equal(open({ ...sent, ecdhCurve: "SECP384" as never }), "key-transport-curve");
});
