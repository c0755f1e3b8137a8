// @node-only — spawns openssl and uses node:crypto.
// ISO 15118-2 contract key transport and the xmldsig SignatureValue, checked against OpenSSL:
// our encryption (portable and node:crypto hosts) is decrypted by `openssl pkeyutl -derive`
// (ECDH), `openssl kdf SSKDF` (the concatenation KDF) and `openssl enc -aes-128-cbc -nopad`;
// `openssl dgst -verify` accepts our signatures over the EXI SignedInfo.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NobleCrypto } from "../../hosts/portable-crypto/index";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { toHex } from "../../modules/common/bytes";
import { decryptContractKeyIso2, signedInfoBytes, signFragments, type CryptoHost } from "../../modules/pki-store/index";
import { ecdsaSignatureToDer } from "../../simulation/pki/der-writer";
import { encryptContractKeyIso2 } from "../../simulation/pki/backend";
import { seededEntropy } from "../support/seeded-entropy";

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function jwk(publicKey: Uint8Array, privateKey?: Uint8Array): { kty: string; crv: string; x: string; y: string; d?: string } {
  const key = { kty: "EC", crv: "P-256", x: b64url(publicKey.subarray(1, 33)), y: b64url(publicKey.subarray(33, 65)) };
  return privateKey ? { ...key, d: b64url(privateKey) } : key;
}

function openssl(args: string[]): string {
  return execFileSync("openssl", args, { encoding: "utf8" }).trim();
}

const hosts: [string, CryptoHost][] = [
  ["noble", new NobleCrypto({ entropy: seededEntropy(5) })],
  ["node", new NodeCrypto()],
];

for (const [name, crypto] of hosts) {
  test(`key transport (${name}): OpenSSL decrypts what we encrypt, with the V2G2-818 KDF`, () => {
    const dir = mkdtempSync(join(tmpdir(), "xs15118-kt-"));
    try {
      const vehicle = crypto.generateSigningKey("ECDSA-P256-SHA256");
      const contract = crypto.generateSigningKey("ECDSA-P256-SHA256");
      const sent = encryptContractKeyIso2(crypto, vehicle.publicKey, contract.privateKey);
      writeFileSync(join(dir, "vehicle.pem"), createPrivateKey({ key: jwk(vehicle.publicKey, vehicle.privateKey), format: "jwk" }).export({ type: "pkcs8", format: "pem" }));
      writeFileSync(join(dir, "dh.pem"), createPublicKey({ key: jwk(sent.dhPublicKey), format: "jwk" }).export({ type: "spki", format: "pem" }));
      execFileSync("openssl", ["pkeyutl", "-derive", "-inkey", join(dir, "vehicle.pem"), "-peerkey", join(dir, "dh.pem"), "-out", join(dir, "z.bin")]);
      const z = readFileSync(join(dir, "z.bin")).toString("hex");
      const key = openssl(["kdf", "-keylen", "16", "-kdfopt", "digest:SHA256", "-kdfopt", `hexkey:${z}`, "-kdfopt", "hexinfo:015556", "SSKDF"]).replace(/:/g, "");
      writeFileSync(join(dir, "ct.bin"), sent.encryptedPrivateKey.subarray(16));
      const plain = execFileSync("openssl", ["enc", "-d", "-aes-128-cbc", "-nopad", "-K", key, "-iv", toHex(sent.encryptedPrivateKey.subarray(0, 16)), "-in", join(dir, "ct.bin")]);
      assert.equal(toHex(new Uint8Array(plain)), toHex(contract.privateKey));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("key transport: node:crypto and the portable host open each other's transport", () => {
  const [noble, node] = [hosts[0][1], hosts[1][1]];
  const vehicle = node.generateSigningKey("ECDSA-P256-SHA256");
  const contract = noble.generateSigningKey("ECDSA-P256-SHA256");
  assert.deepEqual(decryptContractKeyIso2(noble, vehicle.privateKey, encryptContractKeyIso2(node, vehicle.publicKey, contract.privateKey), contract.publicKey), contract.privateKey);
  assert.deepEqual(decryptContractKeyIso2(node, vehicle.privateKey, encryptContractKeyIso2(noble, vehicle.publicKey, contract.privateKey), contract.publicKey), contract.privateKey);
});

test("xmldsig: OpenSSL verifies the SignatureValue we make over the EXI SignedInfo (P-256 and P-521)", () => {
  const dir = mkdtempSync(join(tmpdir(), "xs15118-sig-"));
  try {
    for (const [scheme, curve, digest] of [["ECDSA-P256-SHA256", "P-256", "-sha256"], ["ECDSA-P521-SHA512", "P-521", "-sha512"]] as const) {
      const crypto = hosts[0][1];
      const key = crypto.generateSigningKey(scheme);
      const signature = signFragments({ crypto, schema: "iso2", scheme, privateKey: key.privateKey, fragments: [{ id: "ID1", fragment: { AuthorizationReq: { Id: "ID1", GenChallenge: crypto.randomBytes(16) } } }] });
      const half = (key.publicKey.length - 1) / 2;
      const pub = createPublicKey({ key: { kty: "EC", crv: curve, x: b64url(key.publicKey.subarray(1, 1 + half)), y: b64url(key.publicKey.subarray(1 + half)) }, format: "jwk" });
      writeFileSync(join(dir, "pub.pem"), pub.export({ type: "spki", format: "pem" }));
      writeFileSync(join(dir, "signed-info.exi"), signedInfoBytes(signature.SignedInfo));
      writeFileSync(join(dir, "sig.der"), ecdsaSignatureToDer(signature.SignatureValue.$value));
      const out = openssl(["dgst", digest, "-verify", join(dir, "pub.pem"), "-signature", join(dir, "sig.der"), join(dir, "signed-info.exi")]);
      assert.equal(out, "Verified OK", scheme);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
