// @node-only — the Node CryptoHost (node:crypto) against the portable one (@noble/*) and the
// OpenSSL command line: signatures made by one verify with the others, ECDH secrets agree,
// hashes and ciphers give the same bytes. Independent implementations agreeing is the check
// that the raw key and signature encodings of modules/pki-store/crypto.ts are understood alike.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as nodeCrypto from "node:crypto";
import { NodeCrypto, nistPrivateKeyObject, nistPublicKeyObject, okpPrivateKeyObject, okpPublicKeyObject } from "../../hosts/sim/crypto/node-crypto";
import { NobleCrypto } from "../../hosts/portable-crypto/index";
import { ecdsaSignatureFromDer, type CryptoHost, type KeyAgreementCurve, type SignatureScheme } from "../../modules/pki-store/index";
import { ecdsaSignatureToDer } from "../../simulation/pki/der-writer";

const node = new NodeCrypto();
const noble = new NobleCrypto();
const SCHEMES: SignatureScheme[] = ["ECDSA-P256-SHA256", "ECDSA-P521-SHA512", "Ed448"];
const CURVES: KeyAgreementCurve[] = ["P-256", "P-521", "X448"];
const FIELD = { "ECDSA-P256-SHA256": 32, "ECDSA-P521-SHA512": 66 } as const;
const opensslSkip = spawnSync("openssl", ["version"]).status === 0 ? false : "the openssl command is not installed";

test("hashes agree (SHA-256, SHA-512, SHAKE256 at 64 and 114 bytes)", () => {
  const data = node.randomBytes(1000);
  for (const [algorithm, length] of [["SHA-256"], ["SHA-512"], ["SHAKE256", 64], ["SHAKE256", 114]] as const) {
    assert.deepEqual(node.digest(algorithm, data, length), noble.digest(algorithm, data, length), `${algorithm} ${length ?? ""}`);
  }
});

test("AES-128-CBC and AES-256-GCM agree; each decrypts the other's output", () => {
  const key16 = node.randomBytes(16);
  const iv16 = node.randomBytes(16);
  const data = node.randomBytes(32);
  assert.deepEqual(node.aes128CbcEncrypt(key16, iv16, data), noble.aes128CbcEncrypt(key16, iv16, data));
  assert.deepEqual(noble.aes128CbcDecrypt(key16, iv16, node.aes128CbcEncrypt(key16, iv16, data)), data);
  const key32 = node.randomBytes(32);
  const iv12 = node.randomBytes(12);
  const aad = node.randomBytes(20);
  const sealed = node.aes256GcmEncrypt(key32, iv12, data, aad);
  assert.deepEqual(sealed, noble.aes256GcmEncrypt(key32, iv12, data, aad));
  assert.deepEqual(noble.aes256GcmDecrypt(key32, iv12, sealed, aad), data);
  sealed[0] ^= 1;
  assert.equal(node.aes256GcmDecrypt(key32, iv12, sealed, aad), undefined);
  assert.equal(noble.aes256GcmDecrypt(key32, iv12, sealed, aad), undefined);
});

test("signatures: each implementation's keys and signatures verify with the other; tampering fails both", () => {
  const message = node.randomBytes(200);
  for (const scheme of SCHEMES) {
    for (const [signer, checker] of [[node, noble], [noble, node]] as [CryptoHost, CryptoHost][]) {
      const pair = signer.generateSigningKey(scheme);
      assert.deepEqual(checker.signingPublicKey(scheme, pair.privateKey), pair.publicKey, `${scheme}: public key`);
      const signature = signer.sign(scheme, pair.privateKey, message);
      assert.equal(checker.verify(scheme, pair.publicKey, message, signature), true, `${scheme}: verify`);
      const tampered = message.slice();
      tampered[7] ^= 0x80;
      assert.equal(checker.verify(scheme, pair.publicKey, tampered, signature), false, `${scheme}: tampered`);
      assert.equal(signer.verify(scheme, pair.publicKey, tampered, signature), false, `${scheme}: tampered, signer`);
    }
  }
});

test("ECDH: a Node key and a noble key derive the same secret on every curve", () => {
  for (const curve of CURVES) {
    const a = node.generateAgreementKey(curve);
    const b = noble.generateAgreementKey(curve);
    const ab = node.deriveSharedSecret(curve, a.privateKey, b.publicKey);
    assert.ok(ab, curve);
    assert.deepEqual(noble.deriveSharedSecret(curve, b.privateKey, a.publicKey), ab, curve);
    assert.equal(node.deriveSharedSecret(curve, a.privateKey, new Uint8Array(b.publicKey.length)), undefined, `${curve}: zero point`);
  }
});

test("ECDSA DER ⇄ raw: node:crypto's DER signatures convert to the raw form both verify", () => {
  for (const scheme of ["ECDSA-P256-SHA256", "ECDSA-P521-SHA512"] as const) {
    const pair = node.generateSigningKey(scheme);
    const message = node.randomBytes(50);
    const curve = scheme === "ECDSA-P256-SHA256" ? "P-256" : "P-521";
    const der = nodeCrypto.sign(curve === "P-256" ? "sha256" : "sha512", message, nistPrivateKeyObject(curve, pair.privateKey));
    const raw = ecdsaSignatureFromDer(der, FIELD[scheme]);
    assert.equal(noble.verify(scheme, pair.publicKey, message, raw), true, scheme);
    assert.deepEqual(Buffer.from(ecdsaSignatureToDer(raw)), der, scheme);
  }
});

function pem(key: nodeCrypto.KeyObject): string {
  return key.export({ format: "pem", type: key.type === "private" ? "pkcs8" : "spki" }).toString();
}

function withDir<T>(run: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-crypto-"));
  try {
    return run(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function keyObjects(scheme: SignatureScheme, privateKey: Uint8Array, publicKey: Uint8Array) {
  if (scheme === "Ed448") return { priv: okpPrivateKeyObject("Ed448", privateKey), pub: okpPublicKeyObject("Ed448", publicKey) };
  const curve = scheme === "ECDSA-P256-SHA256" ? "P-256" : "P-521";
  return { priv: nistPrivateKeyObject(curve, privateKey), pub: nistPublicKeyObject(curve, publicKey) };
}

test("OpenSSL CLI verifies our signatures (noble and Node), and we verify OpenSSL's", { skip: opensslSkip }, () => {
  withDir((dir) => {
    const message = node.randomBytes(300);
    const messageFile = path.join(dir, "message.bin");
    fs.writeFileSync(messageFile, message);
    for (const scheme of SCHEMES) {
      for (const signer of [node, noble]) {
        const pair = signer.generateSigningKey(scheme);
        const { priv, pub } = keyObjects(scheme, pair.privateKey, pair.publicKey);
        fs.writeFileSync(path.join(dir, "pub.pem"), pem(pub));
        fs.writeFileSync(path.join(dir, "priv.pem"), pem(priv));
        const raw = signer.sign(scheme, pair.privateKey, message);
        // OpenSSL wants ECDSA signatures in DER; Ed448 signatures are raw in both.
        fs.writeFileSync(path.join(dir, "sig.bin"), scheme === "Ed448" ? raw : ecdsaSignatureToDer(raw));
        const args =
          scheme === "Ed448"
            ? ["pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", "pub.pem", "-in", "message.bin", "-sigfile", "sig.bin"]
            : ["dgst", scheme === "ECDSA-P256-SHA256" ? "-sha256" : "-sha512", "-verify", "pub.pem", "-signature", "sig.bin", "message.bin"];
        const verified = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
        assert.equal(verified.status, 0, `${scheme} by ${signer.constructor.name}: ${verified.stdout}${verified.stderr}`);

        // And the other way: OpenSSL signs with the same key.
        const signArgs =
          scheme === "Ed448"
            ? ["pkeyutl", "-sign", "-rawin", "-inkey", "priv.pem", "-in", "message.bin", "-out", "ossl.sig"]
            : ["dgst", scheme === "ECDSA-P256-SHA256" ? "-sha256" : "-sha512", "-sign", "priv.pem", "-out", "ossl.sig", "message.bin"];
        execFileSync("openssl", signArgs, { cwd: dir, stdio: "pipe" });
        const ossl = new Uint8Array(fs.readFileSync(path.join(dir, "ossl.sig")));
        const opensslRaw = scheme === "Ed448" ? ossl : ecdsaSignatureFromDer(ossl, FIELD[scheme]);
        assert.equal(signer.verify(scheme, pair.publicKey, message, opensslRaw), true, `OpenSSL's ${scheme} signature`);
      }
    }
  });
});

test("OpenSSL CLI derives the same ECDH secret as our implementations (P-256, P-521, X448)", { skip: opensslSkip }, () => {
  withDir((dir) => {
    for (const curve of CURVES) {
      const ours = noble.generateAgreementKey(curve);
      const peer = node.generateAgreementKey(curve);
      const objects =
        curve === "X448"
          ? { priv: okpPrivateKeyObject("X448", ours.privateKey), peer: okpPublicKeyObject("X448", peer.publicKey) }
          : { priv: nistPrivateKeyObject(curve, ours.privateKey), peer: nistPublicKeyObject(curve, peer.publicKey) };
      fs.writeFileSync(path.join(dir, "priv.pem"), pem(objects.priv));
      fs.writeFileSync(path.join(dir, "peer.pem"), pem(objects.peer));
      const secret = execFileSync("openssl", ["pkeyutl", "-derive", "-inkey", "priv.pem", "-peerkey", "peer.pem"], { cwd: dir });
      assert.deepEqual(new Uint8Array(secret), noble.deriveSharedSecret(curve, ours.privateKey, peer.publicKey), curve);
      assert.deepEqual(new Uint8Array(secret), node.deriveSharedSecret(curve, peer.privateKey, ours.publicKey), curve);
    }
  });
});
