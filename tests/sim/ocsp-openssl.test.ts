// @node-only — OCSP against OpenSSL, files only (no responder port): the simulated backend's
// responses on a test PKI written in the `xs15118 pki init` layout verify with
// `openssl ocsp -respin` as good or revoked (P-256 and P-521 CAs); responses `openssl ocsp`
// makes as a responder (-index -reqin -respout), signed by the issuing CA or by a delegated
// responder with id-kp-OCSPSigning, pass our check (modules/pki-store/ocsp.ts); a delegated
// responder without that purpose, and tampered responses, are refused by both.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { SimulatedPncBackend } from "../../hosts/sim/pki/contract-provisioning";
import { pem, readTestPki, writeTestPki } from "../../hosts/sim/pki/files";
import { createTestPki, type TestPkiProfile } from "../../hosts/sim/pki/test-pki";
import { checkOcspResponse, ocspCertId, parseCertificate, type Certificate } from "../../modules/pki-store/index";

const opensslSkip = spawnSync("openssl", ["version"]).status === 0 ? false : "the openssl command is not installed";
const crypto = new NodeCrypto();
// OpenSSL checks thisUpdate/nextUpdate and the certificates against the real clock.
const NOW = Math.floor(Date.now() / 1000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-ocsp-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): { status: number | null; out: string } {
  const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

interface Setup {
  profileDir: string;
  backend: SimulatedPncBackend;
  contract: Certificate;
  issuer: Certificate;
}

const setups = new Map<TestPkiProfile, Setup>();
/** The test PKI written as `xs15118 pki init` does, read back, and a backend on it; CAfile = MO Sub-CA 1 + MO root. */
function setup(profile: TestPkiProfile): Setup {
  const known = setups.get(profile);
  if (known) return known;
  writeTestPki(dir, profile, createTestPki({ crypto, profile, now: NOW }));
  const profileDir = path.join(dir, profile);
  const pki = readTestPki(dir, profile);
  fs.writeFileSync(path.join(profileDir, "mo-cafile.pem"), pem("CERTIFICATE", pki.get("mo-sub-ca-1")!.der) + pem("CERTIFICATE", pki.get("mo-root")!.der));
  const made = {
    profileDir,
    backend: new SimulatedPncBackend({ crypto, pki, now: () => NOW }),
    contract: parseCertificate(pki.get("contract")!.der),
    issuer: parseCertificate(pki.get("mo-sub-ca-2")!.der),
  };
  setups.set(profile, made);
  return made;
}

/** `openssl ocsp -respin` on our response for the contract: verified, and the status it read. */
function opensslReads(s: Setup, response: Uint8Array, name: string): { verified: boolean; out: string } {
  const file = path.join(s.profileDir, `${name}.der`);
  fs.writeFileSync(file, response);
  const p = (f: string) => path.join(s.profileDir, f);
  const run = openssl(["ocsp", "-respin", file, "-issuer", p("mo-sub-ca-2.pem"), "-CAfile", p("mo-cafile.pem"), "-sha256", "-cert", p("contract.pem"), "-no_nonce", "-resp_text"]);
  return { verified: /Response verify OK/.test(run.out), out: run.out };
}

for (const profile of ["iso2", "iso20"] as const) {
  test(`${profile}: OpenSSL verifies the backend's responses, good and then revoked`, { skip: opensslSkip }, () => {
    const s = setup(profile);
    const id = ocspCertId(crypto, s.contract, s.issuer);
    const good = opensslReads(s, s.backend.ocspResponse(id), "good");
    assert.ok(good.verified, good.out);
    assert.match(good.out, /contract\.pem: good/);
    assert.match(good.out, /Hash Algorithm: sha256/);
    s.backend.revoke(s.contract.der);
    const revoked = opensslReads(s, s.backend.ocspResponse(id), "revoked");
    assert.ok(revoked.verified, revoked.out);
    assert.match(revoked.out, /contract\.pem: revoked/);
    // One bit of the signature flipped: OpenSSL refuses it too.
    const tampered = s.backend.ocspResponse(id);
    tampered[tampered.length - 2] ^= 0x01;
    const refused = opensslReads(s, tampered, "tampered");
    assert.equal(refused.verified, false, refused.out);
  });
}

/** OpenSSL as the responder: a SHA-256 request for the contract, answered from an index file. */
function opensslResponse(s: Setup, revoked: boolean, signer: { cert: string; key: string }, extra: string[] = []): Uint8Array {
  const p = (f: string) => path.join(s.profileDir, f);
  const serial = Buffer.from(s.contract.serial).toString("hex").toUpperCase();
  const expiry = "491231235959Z";
  // ca(1) index: status, expiry, revocation date, serial, file, subject.
  const line = revoked ? `R\t${expiry}\t240101000000Z,keyCompromise\t${serial}\tunknown\t/CN=contract\n` : `V\t${expiry}\t\t${serial}\tunknown\t/CN=contract\n`;
  fs.writeFileSync(p("index.txt"), line);
  const request = openssl(["ocsp", "-issuer", p("mo-sub-ca-2.pem"), "-sha256", "-cert", p("contract.pem"), "-no_nonce", "-reqout", p("req.der")]);
  assert.equal(request.status, 0, request.out);
  const respond = openssl(["ocsp", "-index", p("index.txt"), "-CA", p("mo-sub-ca-2.pem"), "-rsigner", signer.cert, "-rkey", signer.key, "-reqin", p("req.der"), "-respout", p("resp.der"), "-ndays", "1", "-rmd", "sha256", ...extra]);
  assert.equal(respond.status, 0, respond.out);
  return new Uint8Array(fs.readFileSync(p("resp.der")));
}

/** A responder certificate OpenSSL issues from MO Sub-CA 2, with the extensions given. */
function delegatedResponder(s: Setup, name: string, extensions: string): { cert: string; key: string } {
  const p = (f: string) => path.join(s.profileDir, f);
  fs.writeFileSync(p(`${name}.ext`), extensions);
  const request = openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p(`${name}.key.pem`), "-subj", `/CN=${name}`, "-out", p(`${name}.csr`)]);
  assert.equal(request.status, 0, request.out);
  const issue = openssl(["x509", "-req", "-in", p(`${name}.csr`), "-CA", p("mo-sub-ca-2.pem"), "-CAkey", p("mo-sub-ca-2.key.pem"), "-days", "2", "-sha256", "-extfile", p(`${name}.ext`), "-out", p(`${name}.pem`)]);
  assert.equal(issue.status, 0, issue.out);
  return { cert: p(`${name}.pem`), key: p(`${name}.key.pem`) };
}

test("responses OpenSSL makes as a responder pass our check: CA-signed good and revoked, a delegated responder", { skip: opensslSkip }, () => {
  const s = setup("iso2");
  const p = (f: string) => path.join(s.profileDir, f);
  // The real clock: OpenSSL dates its responses and the responder certificates it issues now.
  const check = (response: Uint8Array) => checkOcspResponse({ crypto, response, certificate: s.contract, issuer: s.issuer, now: Math.floor(Date.now() / 1000) });
  const ca = { cert: p("mo-sub-ca-2.pem"), key: p("mo-sub-ca-2.key.pem") };
  const good = check(opensslResponse(s, false, ca));
  assert.equal(good.ok && good.status, "good", JSON.stringify(good));
  const revoked = check(opensslResponse(s, true, ca));
  assert.equal(revoked.ok && revoked.status, "revoked", JSON.stringify(revoked));
  assert.equal(revoked.ok && revoked.revocationTime, Date.UTC(2024, 0, 1) / 1000);

  const delegated = delegatedResponder(s, "ocsp-responder", "extendedKeyUsage=critical,OCSPSigning\nkeyUsage=critical,digitalSignature\n");
  const viaDelegate = check(opensslResponse(s, false, delegated));
  assert.equal(viaDelegate.ok && viaDelegate.status, "good", JSON.stringify(viaDelegate));

  // The same certificate without id-kp-OCSPSigning may not answer for its CA (RFC 6960 §4.2.2.2).
  const plain = delegatedResponder(s, "not-a-responder", "keyUsage=critical,digitalSignature\n");
  const refused = check(opensslResponse(s, false, plain));
  assert.equal(!refused.ok && refused.failure, "responder", JSON.stringify(refused));

  // Tampered: a bit of OpenSSL's signature flipped (without the certs field, which OpenSSL
  // otherwise appends and which the signature does not cover, the signature ends the response).
  const tampered = opensslResponse(s, false, ca, ["-resp_no_certs"]);
  assert.equal(check(tampered).ok, true);
  tampered[tampered.length - 2] ^= 0x01;
  const tamperedResult = check(tampered);
  assert.equal(!tamperedResult.ok && tamperedResult.failure, "signature");
});
