// @node-only — spawns openssl and uses node:crypto.
// ISO 15118-20 contract key transport against OpenSSL, both curves, both our crypto hosts:
// `openssl pkeyutl -derive` computes the ECDH secret (P-521, X448) of what we send, `openssl kdf
// SSKDF` (SHA-512, our unconfirmed reading of 7.9.2.5.4) the session key, and OpenSSL's
// AES-256-GCM (node:crypto) opens IV ‖ ciphertext ‖ tag with the PCID+SKI additional data; the
// other way, a transport OpenSSL made (its ephemeral key, its KDF, its GCM) opens with ours.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NobleCrypto } from "../../hosts/portable-crypto/index";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { toHex } from "../../modules/common/bytes";
import { decryptContractKeyIso20, iso20KeyTransportAad, type CryptoHost, type Iso20EcdhCurve } from "../../modules/pki-store/index";
import { encryptContractKeyIso20 } from "../../simulation/pki/backend";
import { seededEntropy } from "../support/seeded-entropy";

const binding = { pcid: "XSOEM000000000001", contractSki: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20) };
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** A KeyObject for a raw key of ours (P-521: scalar / 04‖X‖Y via JWK; X448: RFC 8410 prefixes). */
function keyObject(curve: Iso20EcdhCurve, publicKey: Uint8Array, privateKey?: Uint8Array): KeyObject {
  if (curve === "X448") {
    return privateKey
      ? createPrivateKey({ key: Buffer.concat([Buffer.from("3046020100300506032b656f043a0438", "hex"), privateKey]), format: "der", type: "pkcs8" })
      : createPublicKey({ key: Buffer.concat([Buffer.from("3042300506032b656f033900", "hex"), publicKey]), format: "der", type: "spki" });
  }
  const jwk = { kty: "EC", crv: "P-521", x: b64url(publicKey.subarray(1, 67)), y: b64url(publicKey.subarray(67, 133)) };
  return privateKey ? createPrivateKey({ key: { ...jwk, d: b64url(privateKey) }, format: "jwk" }) : createPublicKey({ key: jwk, format: "jwk" });
}

function pem(key: KeyObject): string {
  return key.type === "private" ? (key.export({ type: "pkcs8", format: "pem" }) as string) : (key.export({ type: "spki", format: "pem" }) as string);
}

function sskdf(z: Buffer): Buffer {
  const out = execFileSync("openssl", ["kdf", "-keylen", "32", "-kdfopt", "digest:SHA512", "-kdfopt", `hexkey:${z.toString("hex")}`, "-kdfopt", "hexinfo:015556", "SSKDF"], { encoding: "utf8" });
  return Buffer.from(out.trim().replace(/:/g, ""), "hex");
}

function derive(dir: string, own: KeyObject, peer: KeyObject): Buffer {
  writeFileSync(join(dir, "own.pem"), pem(own));
  writeFileSync(join(dir, "peer.pem"), pem(peer));
  execFileSync("openssl", ["pkeyutl", "-derive", "-inkey", join(dir, "own.pem"), "-peerkey", join(dir, "peer.pem"), "-out", join(dir, "z.bin")]);
  return readFileSync(join(dir, "z.bin"));
}

function keyPair(crypto: CryptoHost, curve: Iso20EcdhCurve) {
  return curve === "SECP521" ? crypto.generateSigningKey("ECDSA-P521-SHA512") : crypto.generateAgreementKey("X448");
}

const hosts: [string, CryptoHost][] = [
  ["noble", new NobleCrypto({ entropy: seededEntropy(520) })],
  ["node", new NodeCrypto()],
];

for (const [name, crypto] of hosts) {
  for (const curve of ["SECP521", "X448"] as const) {
    test(`-20 key transport (${name}, ${curve}): OpenSSL derives, runs the KDF and opens the AES-256-GCM of what we send`, () => {
      const dir = mkdtempSync(join(tmpdir(), "xs15118-kt20-"));
      try {
        const vehicle = keyPair(crypto, curve);
        const contract = keyPair(crypto, curve);
        const sent = encryptContractKeyIso20(crypto, curve, vehicle.publicKey, contract.privateKey, binding);
        const z = derive(dir, keyObject(curve, vehicle.publicKey, vehicle.privateKey), keyObject(curve, sent.dhPublicKey));
        const decipher = createDecipheriv("aes-256-gcm", sskdf(z), sent.encryptedPrivateKey.subarray(0, 12));
        decipher.setAAD(iso20KeyTransportAad(binding));
        decipher.setAuthTag(sent.encryptedPrivateKey.subarray(sent.encryptedPrivateKey.length - 16));
        const plain = Buffer.concat([decipher.update(sent.encryptedPrivateKey.subarray(12, sent.encryptedPrivateKey.length - 16)), decipher.final()]);
        assert.equal(plain.toString("hex"), toHex(contract.privateKey));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test(`-20 key transport (${name}, ${curve}): we open a transport OpenSSL made (its ephemeral key, KDF and GCM)`, () => {
      const dir = mkdtempSync(join(tmpdir(), "xs15118-kt20-"));
      try {
        const vehicle = keyPair(crypto, curve);
        const contract = keyPair(crypto, curve);
        writeFileSync(join(dir, "eph.pem"), execFileSync("openssl", curve === "X448" ? ["genpkey", "-algorithm", "X448"] : ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp521r1"]));
        const ephemeral = createPrivateKey(readFileSync(join(dir, "eph.pem")));
        const spki = createPublicKey(ephemeral).export({ type: "spki", format: "der" });
        // The raw public key is the tail of the SPKI (the uncompressed point or the 56 X448 bytes).
        const dhPublicKey = new Uint8Array(spki.subarray(spki.length - (curve === "X448" ? 56 : 133)));
        const z = derive(dir, ephemeral, keyObject(curve, vehicle.publicKey));
        const iv = Buffer.from(crypto.randomBytes(12));
        const cipher = createCipheriv("aes-256-gcm", sskdf(z), iv);
        cipher.setAAD(iso20KeyTransportAad(binding));
        const sealed = Buffer.concat([iv, cipher.update(contract.privateKey), cipher.final(), cipher.getAuthTag()]);
        const key = decryptContractKeyIso20(crypto, vehicle.privateKey, { ecdhCurve: curve, dhPublicKey, encryptedPrivateKey: new Uint8Array(sealed) }, binding, contract.publicKey);
        assert.equal(toHex(key), toHex(contract.privateKey));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}
