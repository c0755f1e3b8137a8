// The portable CryptoHost (hosts/portable-crypto, @noble/*) against published known answers,
// on Node and inside XS: FIPS 180-4 / FIPS 202 hashes, SP 800-38A AES-CBC, the GCM
// specification's test cases, RFC 6979 ECDSA, RFC 8032 Ed448, RFC 7748 X448.

import { test } from "node:test";
import assert from "node:assert/strict";
import { NobleCrypto } from "../../hosts/portable-crypto/index";
import { fromHex, toHex } from "../../modules/common/bytes";
import { sha256 } from "../../modules/common/sha256";
import type { SignatureScheme, KeyAgreementCurve } from "../../modules/pki-store/index";

const hex = (text: string) => fromHex(text.replace(/\s+/g, ""))!;
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** Deterministic test entropy (SHA-256 of a counter): XS has no getRandomValues. */
function testEntropy(seed: number): (length: number) => Uint8Array {
  let counter = seed * 1_000_000;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 32) out.set(sha256(ascii(`entropy ${counter++}`)).subarray(0, Math.min(32, length - i)), i);
    return out;
  };
}

const crypto = new NobleCrypto({ entropy: testEntropy(1) });

test("hashes: SHA-256, SHA-512 of 'abc' (FIPS 180-4 examples), SHAKE256 of the empty string (FIPS 202)", () => {
  assert.equal(toHex(crypto.digest("SHA-256", ascii("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(
    toHex(crypto.digest("SHA-512", ascii("abc"))),
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  );
  assert.equal(toHex(crypto.digest("SHAKE256", new Uint8Array(0), 32)), "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f");
  assert.throws(() => crypto.digest("SHAKE256", new Uint8Array(0)), /output length/);
});

test("AES-128-CBC: SP 800-38A F.2.1/F.2.2, two blocks, no padding", () => {
  const key = hex("2b7e151628aed2a6abf7158809cf4f3c");
  const iv = hex("000102030405060708090a0b0c0d0e0f");
  const plain = hex("6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51");
  const cipher = crypto.aes128CbcEncrypt(key, iv, plain);
  assert.equal(toHex(cipher), "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2");
  assert.deepEqual(crypto.aes128CbcDecrypt(key, iv, cipher), plain);
  assert.throws(() => crypto.aes128CbcEncrypt(key, iv, new Uint8Array(17)), /whole blocks/);
});

test("AES-256-GCM: the GCM specification's test case 14; a flipped bit or other AAD fails", () => {
  const key = new Uint8Array(32);
  const iv = new Uint8Array(12);
  const sealed = crypto.aes256GcmEncrypt(key, iv, new Uint8Array(16));
  assert.equal(toHex(sealed), "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
  assert.deepEqual(crypto.aes256GcmDecrypt(key, iv, sealed), new Uint8Array(16));
  const tampered = sealed.slice();
  tampered[3] ^= 1;
  assert.equal(crypto.aes256GcmDecrypt(key, iv, tampered), undefined);
  const withAad = crypto.aes256GcmEncrypt(key, iv, new Uint8Array(5), ascii("header"));
  assert.deepEqual(crypto.aes256GcmDecrypt(key, iv, withAad, ascii("header")), new Uint8Array(5));
  assert.equal(crypto.aes256GcmDecrypt(key, iv, withAad, ascii("Header")), undefined);
  assert.equal(crypto.aes256GcmDecrypt(key, iv, new Uint8Array(8)), undefined);
});

test("ECDSA P-256 with SHA-256: RFC 6979 A.2.5 'sample' (deterministic k) and its public key", () => {
  const d = hex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
  const q = hex(
    "04 60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6 7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299",
  );
  assert.deepEqual(crypto.signingPublicKey("ECDSA-P256-SHA256", d), q);
  const signature = crypto.sign("ECDSA-P256-SHA256", d, ascii("sample"));
  assert.equal(
    toHex(signature),
    "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
  );
  assert.equal(crypto.verify("ECDSA-P256-SHA256", q, ascii("sample"), signature), true);
  assert.equal(crypto.verify("ECDSA-P256-SHA256", q, ascii("samplf"), signature), false);
});

test("Ed448: RFC 8032 §7.4 'blank' vector", () => {
  const secret = hex("6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b");
  const publicKey = hex("5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180");
  assert.deepEqual(crypto.signingPublicKey("Ed448", secret), publicKey);
  const signature = crypto.sign("Ed448", secret, new Uint8Array(0));
  assert.equal(
    toHex(signature),
    "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600",
  );
  assert.equal(crypto.verify("Ed448", publicKey, new Uint8Array(0), signature), true);
  assert.equal(crypto.verify("Ed448", publicKey, new Uint8Array(1), signature), false);
});

test("X448: RFC 7748 §6.2 Alice and Bob", () => {
  const alice = hex("9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b");
  const bobPublic = hex("3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609");
  assert.equal(
    toHex(crypto.deriveSharedSecret("X448", alice, bobPublic)!),
    "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d",
  );
  // A low-order point (all zeros) yields the all-zero secret: refused, not returned.
  assert.equal(crypto.deriveSharedSecret("X448", alice, new Uint8Array(56)), undefined);
});

test("every scheme: generated keys sign and verify; a flipped signature bit, another key or a malformed key fail", () => {
  for (const scheme of ["ECDSA-P256-SHA256", "ECDSA-P521-SHA512", "Ed448"] as SignatureScheme[]) {
    const pair = crypto.generateSigningKey(scheme);
    const other = crypto.generateSigningKey(scheme);
    assert.deepEqual(crypto.signingPublicKey(scheme, pair.privateKey), pair.publicKey, scheme);
    const message = ascii(`GenChallenge for ${scheme}`);
    const signature = crypto.sign(scheme, pair.privateKey, message);
    assert.equal(crypto.verify(scheme, pair.publicKey, message, signature), true, scheme);
    const flipped = signature.slice();
    flipped[flipped.length - 1] ^= 0x01;
    assert.equal(crypto.verify(scheme, pair.publicKey, message, flipped), false, scheme);
    assert.equal(crypto.verify(scheme, other.publicKey, message, signature), false, scheme);
    assert.equal(crypto.verify(scheme, pair.publicKey.subarray(1), message, signature), false, scheme);
    const offCurve = pair.publicKey.slice();
    offCurve[offCurve.length - 1] ^= 0x01;
    assert.equal(crypto.verify(scheme, offCurve, message, signature), false, scheme);
    assert.throws(() => crypto.sign(scheme, pair.privateKey.subarray(1), message), /private key must be/);
  }
});

test("every key agreement: both sides derive the same secret; a point off the curve is refused", () => {
  for (const curve of ["P-256", "P-521", "X448"] as KeyAgreementCurve[]) {
    const a = crypto.generateAgreementKey(curve);
    const b = crypto.generateAgreementKey(curve);
    const ab = crypto.deriveSharedSecret(curve, a.privateKey, b.publicKey)!;
    assert.deepEqual(ab, crypto.deriveSharedSecret(curve, b.privateKey, a.publicKey), curve);
    assert.equal(ab.length, { "P-256": 32, "P-521": 66, X448: 56 }[curve], curve);
    assert.equal(crypto.deriveSharedSecret(curve, a.privateKey, b.publicKey.subarray(1)), undefined, curve);
    if (curve !== "X448") {
      const offCurve = b.publicKey.slice();
      offCurve[offCurve.length - 1] ^= 0x01;
      assert.equal(crypto.deriveSharedSecret(curve, a.privateKey, offCurve), undefined, curve);
    }
  }
});

test("without an entropy source, randomness is refused (not silently weak)", () => {
  const none = new NobleCrypto({ entropy: undefined });
  const hasPlatform = typeof (globalThis as { crypto?: unknown }).crypto === "object";
  if (hasPlatform) assert.equal(none.randomBytes(8).length, 8);
  else assert.throws(() => none.randomBytes(8), /no entropy source/);
});
