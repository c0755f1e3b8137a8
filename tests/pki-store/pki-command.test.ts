// @node-only — `xs15118 pki init`: OpenSSL accepts every chain of every profile (openssl verify
// -x509_strict), our parser and store accept the files, the key files belong to their
// certificates; and certificates OpenSSL itself made (an independent encoder) parse and validate.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { readRawPrivateKey } from "../../hosts/sim/pki/files";
import { TEST_PKI_PROFILES } from "../../hosts/sim/pki/test-pki";
import { MemoryPkiStorage, PkiStore, parseCertificate, pemCertificates, validateChain, KeyUsage } from "../../modules/pki-store/index";
import { bufferIo } from "../support/cli-io";

const opensslSkip = spawnSync("openssl", ["version"]).status === 0 ? false : "the openssl command is not installed";
const LEAVES = [
  ["secc", "v2g-root", "secc"],
  ["cps-leaf", "v2g-root", "cps"],
  ["oem-prov", "oem-root", "oem-provisioning"],
  ["contract", "mo-root", "contract"],
] as const;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-pki-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("pki init writes every profile; OpenSSL verifies each leaf's chain to its root", { skip: opensslSkip }, async () => {
  const io = bufferIo();
  assert.equal(await main(["pki", "init", dir], io), 0, io.stderr.join("\n"));
  for (const profile of TEST_PKI_PROFILES) {
    const folder = path.join(dir, profile);
    for (const [leaf, root] of LEAVES) {
      const result = spawnSync("openssl", ["verify", "-x509_strict", "-CAfile", `${root}.pem`, "-untrusted", `${leaf}-chain.pem`, `${leaf}.pem`], { cwd: folder, encoding: "utf8" });
      assert.equal(result.status, 0, `${profile}/${leaf}: ${result.stdout}${result.stderr}`);
    }
    // And refuses a chain against the wrong root.
    const wrong = spawnSync("openssl", ["verify", "-CAfile", "oem-root.pem", "-untrusted", "secc-chain.pem", "secc.pem"], { cwd: folder, encoding: "utf8" });
    assert.notEqual(wrong.status, 0, profile);
  }
});

test("our store validates the files pki init wrote, and the keys belong to their certificates", { skip: opensslSkip }, () => {
  const crypto = new NodeCrypto();
  for (const profile of TEST_PKI_PROFILES) {
    const folder = path.join(dir, profile);
    const store = new PkiStore({ storage: new MemoryPkiStorage(), crypto, now: () => Date.now() / 1000 });
    store.addTrustAnchor("v2g", new Uint8Array(fs.readFileSync(path.join(folder, "v2g-root.der"))));
    store.addTrustAnchor("oem", new Uint8Array(fs.readFileSync(path.join(folder, "oem-root.der"))));
    store.addTrustAnchor("mo", new Uint8Array(fs.readFileSync(path.join(folder, "mo-root.der"))));
    for (const [leaf, , purpose] of LEAVES) {
      const chain = pemCertificates(fs.readFileSync(path.join(folder, `${leaf}-chain.pem`), "utf8"));
      const result = store.validate(chain, purpose);
      assert.ok(result.ok, `${profile}/${leaf}: ${result.ok ? "" : result.detail}`);
      const key = readRawPrivateKey(path.join(folder, `${leaf}.key.pem`));
      assert.deepEqual(crypto.signingPublicKey(key.scheme, key.privateKey), parseCertificate(chain[0]).publicKey, `${profile}/${leaf} key`);
      assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(folder, `${leaf}.der`))), chain[0]);
    }
    const summary = JSON.parse(fs.readFileSync(path.join(folder, "pki.json"), "utf8"));
    assert.equal(summary.profile, profile);
  }
});

test("pki: usage errors exit 2, an unwritable directory exits 3", async () => {
  const io = bufferIo();
  assert.equal(await main(["pki"], io), 2);
  assert.equal(await main(["pki", "make", dir], bufferIo()), 2);
  assert.equal(await main(["pki", "init", dir, "--profile", "iso3"], bufferIo()), 2);
  const file = path.join(dir, "a-file");
  fs.writeFileSync(file, "");
  assert.equal(await main(["pki", "init", path.join(file, "sub"), "--profile", "iso2"], bufferIo()), 3);
});

test("certificates made by OpenSSL (an independent encoder) parse and validate: P-256, P-521, Ed448", { skip: opensslSkip }, () => {
  const crypto = new NodeCrypto();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-ossl-"));
  try {
    for (const [keyArgs, digest, scheme] of [
      [["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"], "-sha256", "ECDSA-P256-SHA256"],
      [["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp521r1"], "-sha512", "ECDSA-P521-SHA512"],
      [["-newkey", "ed448"], undefined, "Ed448"],
    ] as const) {
      const run = (args: string[]) => execFileSync("openssl", args, { cwd: work, stdio: "pipe" });
      run(["req", "-x509", ...keyArgs, ...(digest ? [digest] : []), "-nodes", "-keyout", "root.key", "-out", "root.pem", "-days", "3650", "-subj", "/CN=OpenSSL Root/O=Test/C=DE/DC=V2G",
        "-addext", "basicConstraints=critical,CA:TRUE,pathlen:1", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
      run(["req", "-new", ...keyArgs, "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=OpenSSL Leaf/O=Test/C=DE/DC=CPO"]);
      fs.writeFileSync(path.join(work, "ext.cnf"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
      run(["x509", "-req", "-in", "leaf.csr", "-CA", "root.pem", "-CAkey", "root.key", ...(digest ? [digest] : []), "-days", "60", "-extfile", "ext.cnf", "-set_serial", "4660", "-out", "leaf.pem"]);
      const root = parseCertificate(pemCertificates(fs.readFileSync(path.join(work, "root.pem"), "utf8"))[0]);
      const leafDer = pemCertificates(fs.readFileSync(path.join(work, "leaf.pem"), "utf8"))[0];
      const leaf = parseCertificate(leafDer);
      assert.equal(leaf.signatureScheme, scheme);
      assert.equal(leaf.keyUsage, KeyUsage.digitalSignature | KeyUsage.keyAgreement);
      assert.equal(root.pathLength, 1);
      const result = validateChain([leafDer], { crypto, anchors: [root], now: Date.now() / 1000, leafDomainComponent: "CPO", leafKeyUsage: KeyUsage.digitalSignature });
      assert.ok(result.ok, `${scheme}: ${result.ok ? "" : result.detail}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
