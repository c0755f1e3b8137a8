// OCSP (RFC 6960, modules/pki-store/ocsp.ts) on the test PKI with the portable crypto, so it runs
// inside XS too: the simulated backend's responses (hosts/sim/pki/ocsp-responder.ts) are checked
// good and revoked, and the contract chain check goes through them; tampered, foreign, stale and
// malformed responses are refused with their reason. OpenSSL's side: tests/sim/ocsp-openssl.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { NobleCrypto } from "../../hosts/portable-crypto/index";
import { SimulatedPncBackend } from "../../hosts/sim/pki/contract-provisioning";
import { ocspErrorResponse, ocspResponse } from "../../hosts/sim/pki/ocsp-responder";
import { createTestPki, type TestPkiEntity } from "../../hosts/sim/pki/test-pki";
import { checkOcspResponse, ocppOcspRequestData, ocspCertId, OcspError, parseCertificate, parseOcspResponse, validateChain, type Certificate } from "../../modules/pki-store/index";
import { seededEntropy } from "../support/seeded-entropy";

const NOW = Date.UTC(2026, 5, 1) / 1000;
const crypto = new NobleCrypto({ entropy: seededEntropy(6960) });

let shared: { pki: Map<string, TestPkiEntity>; backend: SimulatedPncBackend; contract: Certificate; subCa2: Certificate; subCa1: Certificate; root: Certificate } | undefined;
/** The contract chain (leaf, MO Sub-CA 2, Sub-CA 1, MO root) and a backend on it, built once: keys cost in XS. */
function setup(): NonNullable<typeof shared> {
  if (shared) return shared;
  const pki = createTestPki({ crypto, profile: "iso2", now: NOW, only: ["contract"] });
  const backend = new SimulatedPncBackend({ crypto, pki, now: () => NOW });
  const cert = (name: string) => parseCertificate(pki.get(name)!.der);
  shared = { pki, backend, contract: cert("contract"), subCa2: cert("mo-sub-ca-2"), subCa1: cert("mo-sub-ca-1"), root: cert("mo-root") };
  return shared;
}

test("the CertID is SHA-256 over the issuer's name and key, with the serial; OCPP's request data is its hex", () => {
  const { contract, subCa2 } = setup();
  const id = ocspCertId(crypto, contract, subCa2);
  assert.deepEqual(id.issuerNameHash, crypto.digest("SHA-256", subCa2.subjectDer));
  assert.deepEqual(id.issuerKeyHash, crypto.digest("SHA-256", subCa2.publicKey));
  assert.deepEqual(id.serialNumber, contract.serial);
  const data = ocppOcspRequestData(id, "http://ocsp.test");
  assert.equal(data.hashAlgorithm, "SHA256");
  assert.equal(data.issuerNameHash.length, 64);
});

test("the backend's answer for a good contract parses and verifies as good, signed by the issuing CA", () => {
  const { backend, contract, subCa2 } = setup();
  const response = backend.ocspResponse(ocspCertId(crypto, contract, subCa2));
  const parsed = parseOcspResponse(response);
  assert.equal(parsed.status, "successful");
  assert.deepEqual(parsed.basic!.responderName, subCa2.subjectDer);
  assert.equal(parsed.basic!.responses.length, 1);
  assert.equal(parsed.basic!.producedAt, NOW);
  const result = checkOcspResponse({ crypto, response, certificate: contract, issuer: subCa2, now: NOW });
  assert.deepEqual(result, { ok: true, status: "good", thisUpdate: NOW, nextUpdate: NOW + 86_400, revocationTime: undefined });
});

test("the contract chain check asks OCSP: good passes, a revoked contract fails as revoked", () => {
  const { pki, contract, root, subCa2 } = setup();
  const backend = new SimulatedPncBackend({ crypto, pki, now: () => NOW });
  const chain = pki.get("contract")!.chain!.map((name) => pki.get(name)!.der);
  const options = { crypto, anchors: [root], now: NOW, isRevoked: backend.isRevoked };
  assert.equal(validateChain(chain, options).ok, true);
  backend.revoke(contract.der);
  const response = backend.ocspResponse(ocspCertId(crypto, contract, subCa2));
  const result = checkOcspResponse({ crypto, response, certificate: contract, issuer: subCa2, now: NOW });
  assert.deepEqual(result, { ok: true, status: "revoked", thisUpdate: NOW, nextUpdate: NOW + 86_400, revocationTime: NOW });
  const refused = validateChain(chain, options);
  assert.equal(refused.ok, false);
  assert.equal(!refused.ok && refused.failure, "revoked");
});

test("a tampered response is refused: every sampled byte flipped fails (malformed, signature or CertID)", () => {
  const { backend, contract, subCa2 } = setup();
  const response = backend.ocspResponse(ocspCertId(crypto, contract, subCa2));
  // A stride over the whole response (each check is an ECDSA verify: XS pays for every one).
  for (let i = 0; i < response.length; i += 11) {
    const tampered = response.slice();
    tampered[i] ^= 0x01;
    const result = checkOcspResponse({ crypto, response: tampered, certificate: contract, issuer: subCa2, now: NOW });
    assert.equal(result.ok, false, `byte ${i} flipped was accepted`);
  }
  // The last byte lies in the signature's s: the signature check itself must refuse.
  const tampered = response.slice();
  tampered[tampered.length - 1] ^= 0x80;
  const result = checkOcspResponse({ crypto, response: tampered, certificate: contract, issuer: subCa2, now: NOW });
  assert.equal(!result.ok && result.failure, "signature");
});

test("a response signed by another CA, or for another certificate, is refused", () => {
  const { pki, contract, subCa2, subCa1 } = setup();
  const id = ocspCertId(crypto, contract, subCa2);
  const subCa1Entity = pki.get("mo-sub-ca-1")!;
  // Sub-CA 1 is not the contract's issuer and holds no delegation from Sub-CA 2.
  const foreign = ocspResponse(crypto, { certId: id, status: { good: true }, now: NOW, signer: { certificate: subCa1, key: subCa1Entity.key } });
  const result = checkOcspResponse({ crypto, response: foreign, certificate: contract, issuer: subCa2, now: NOW });
  assert.equal(!result.ok && result.failure, "responder");
  // The same, naming Sub-CA 2 as responder but signed with Sub-CA 1's key.
  const forged = ocspResponse(crypto, { certId: id, status: { good: true }, now: NOW, signer: { certificate: subCa2, key: subCa1Entity.key } });
  const forgedResult = checkOcspResponse({ crypto, response: forged, certificate: contract, issuer: subCa2, now: NOW });
  assert.equal(!forgedResult.ok && forgedResult.failure, "signature");
  // A genuine answer about Sub-CA 2 itself does not answer for the contract.
  const other = ocspResponse(crypto, { certId: { ...id, serialNumber: Uint8Array.of(0x42) }, status: { good: true }, now: NOW, signer: { certificate: subCa2, key: pki.get("mo-sub-ca-2")!.key } });
  const otherResult = checkOcspResponse({ crypto, response: other, certificate: contract, issuer: subCa2, now: NOW });
  assert.equal(!otherResult.ok && otherResult.failure, "no-single-response");
});

test("thisUpdate and nextUpdate are checked against the clock when it is known", () => {
  const { backend, contract, subCa2 } = setup();
  const response = backend.ocspResponse(ocspCertId(crypto, contract, subCa2));
  const at = (now: number | undefined) => checkOcspResponse({ crypto, response, certificate: contract, issuer: subCa2, now });
  const stale = at(NOW + 2 * 86_400);
  assert.equal(!stale.ok && stale.failure, "stale");
  const early = at(NOW - 3600);
  assert.equal(!early.ok && early.failure, "not-yet-valid");
  assert.equal(at(NOW - 60).ok, true, "within the clock skew");
  assert.equal(at(undefined).ok, true, "no known time: the dates are not checked");
});

test("malformed responses and error statuses: typed errors with reasons, failures from the check", () => {
  const { backend, contract, subCa2 } = setup();
  const response = backend.ocspResponse(ocspCertId(crypto, contract, subCa2));
  for (const bad of [new Uint8Array(0), response.subarray(0, response.length - 1), Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x07), Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x00)]) {
    assert.throws(() => parseOcspResponse(bad), (error: unknown) => error instanceof OcspError && error.reason === "ocsp-malformed");
    const result = checkOcspResponse({ crypto, response: bad, certificate: contract, issuer: subCa2 });
    assert.equal(!result.ok && result.failure, "malformed");
  }
  assert.deepEqual(parseOcspResponse(ocspErrorResponse(6)), { status: "unauthorized", basic: undefined });
  const unauthorized = checkOcspResponse({ crypto, response: ocspErrorResponse(6), certificate: contract, issuer: subCa2 });
  assert.equal(!unauthorized.ok && unauthorized.failure, "not-successful");
  // A CertID of a CA the backend does not serve gets "unauthorized".
  const unknown = backend.ocspResponse({ issuerNameHash: new Uint8Array(32), issuerKeyHash: new Uint8Array(32), serialNumber: Uint8Array.of(1) });
  assert.equal(parseOcspResponse(unknown).status, "unauthorized");
});
