// Signed messages (xmldsig over EXI fragments, ISO 15118-2 §7.9.2.4): the signatures inside the
// ISO-2 Plug & Charge sessions of ../shared/captures/dsV2Gshark (RiseV2G EVCC and SECC, an
// independent implementation) verify with the certificates that travel in the same session;
// changing one byte of a signed element or of the signature makes them fail; what we sign
// verifies (P-256, P-521, Ed448) and every malformed signature gets its own reason.

import { test } from "node:test";
import assert from "node:assert/strict";
import { NobleCrypto } from "../../hosts/portable-crypto/index";
import { seededEntropy } from "../support/seeded-entropy";
import { decode, type Iso2 } from "../../modules/exi/index";
import {
  fragmentsWithId,
  parseCertificate,
  signFragments,
  SignatureError,
  verifySignature,
  XMLDSIG_ALGORITHMS,
  type SignatureFailure,
  type SignatureScheme,
  type SignedFragment,
} from "../../modules/pki-store/index";
import { readSharedTsv, sharedSkip } from "../support/shared";

const crypto = new NobleCrypto({ entropy: seededEntropy(13) });

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

function failureOf(run: () => void): SignatureFailure | "ok" {
  try {
    run();
    return "ok";
  } catch (error) {
    if (error instanceof SignatureError) return error.reason;
    throw error;
  }
}

interface CapturedSigned {
  capture: string;
  name: string;
  message: Iso2.V2G_MessageType;
  signer: Uint8Array;
}

/**
 * The signed messages of the PnC captures with their signer's certificate, taken from the same
 * session: the contract certificate (PaymentDetailsReq, CertificateUpdateReq) for
 * AuthorizationReq, MeteringReceiptReq and CertificateUpdateReq; the OEM provisioning
 * certificate for CertificateInstallationReq; the CPS leaf (SAProvisioningCertificateChain) for
 * CertificateInstallation/UpdateRes.
 */
function capturedSigned(): CapturedSigned[] {
  const found: CapturedSigned[] = [];
  let contract: Uint8Array | undefined;
  let oem: Uint8Array | undefined;
  let cps: Uint8Array | undefined;
  for (const row of readSharedTsv("vectors/real/iso2.tsv")) {
    if (!row[2].startsWith("dsV2Gshark/ISO-2_") || row[2].indexOf("PnC") < 0) continue;
    const message = (decode("iso2", hexBytes(row[1])) as { V2G_Message: Iso2.V2G_MessageType }).V2G_Message;
    const body = message.Body as unknown as Record<string, Record<string, unknown>>;
    const name = Object.keys(body)[0];
    const content = body[name] as any;
    if (name === "PaymentDetailsReq" || name === "CertificateUpdateReq") contract = content.ContractSignatureCertChain.Certificate;
    if (name === "CertificateInstallationReq") oem = content.OEMProvisioningCert;
    if (name === "CertificateInstallationRes" || name === "CertificateUpdateRes") cps = content.SAProvisioningCertificateChain.Certificate;
    if (!message.Header.Signature || fragmentsWithId(message.Body).length === 0) continue;
    const signer = name.endsWith("Res") ? cps : name === "CertificateInstallationReq" ? oem : contract;
    found.push({ capture: row[2], name, message, signer: signer! });
  }
  return found;
}

function verifyCaptured(c: CapturedSigned, body: object = c.message.Body, signature = c.message.Header.Signature): void {
  verifySignature({ crypto, schema: "iso2", signature, scheme: "ECDSA-P256-SHA256", publicKey: parseCertificate(c.signer).publicKey, fragments: fragmentsWithId(body) });
}

test("xmldsig: every signature in the ISO-2 PnC captures verifies with the session's certificates", { skip: sharedSkip() }, () => {
  const signed = capturedSigned();
  const names = signed.map((s) => s.name).sort();
  // 4 sessions: Contract+MeteringReceipt, CertInstallation, CertUpdate, Contract.
  assert.deepEqual(names, [
    "AuthorizationReq",
    "AuthorizationReq",
    "AuthorizationReq",
    "AuthorizationReq",
    "CertificateInstallationReq",
    "CertificateInstallationRes",
    "CertificateUpdateReq",
    "CertificateUpdateRes",
    "MeteringReceiptReq",
    "MeteringReceiptReq",
  ]);
  for (const s of signed) assert.doesNotThrow(() => verifyCaptured(s), `${s.name} in ${s.capture}`);
  // CertificateInstallationRes signs four elements (V2G2-…: chain, encrypted key, DH key, eMAID).
  const installation = signed.filter((s) => s.name === "CertificateInstallationRes")[0];
  assert.deepEqual(fragmentsWithId(installation.message.Body).map((f) => Object.keys(f.fragment)[0]), ["ContractSignatureCertChain", "ContractSignatureEncryptedPrivateKey", "DHpublickey", "eMAID"]);
});

test("xmldsig: one changed byte in a captured signed element or signature fails", { skip: sharedSkip() }, () => {
  const signed = capturedSigned();
  const auth = signed.filter((s) => s.name === "AuthorizationReq")[0];
  const req = auth.message.Body.AuthorizationReq!;
  const challenge = Uint8Array.from(req.GenChallenge!);
  challenge[0] ^= 1;
  assert.equal(failureOf(() => verifyCaptured(auth, { AuthorizationReq: { ...req, GenChallenge: challenge } })), "signature-digest");
  const sig = auth.message.Header.Signature!;
  const value = Uint8Array.from(sig.SignatureValue.$value);
  value[40] ^= 0x80;
  assert.equal(failureOf(() => verifyCaptured(auth, undefined, { ...sig, SignatureValue: { $value: value } })), "signature-value");
  // The digest in SignedInfo changed (and the element with it): the SignatureValue no longer fits.
  const digest = Uint8Array.from(sig.SignedInfo.Reference[0].DigestValue);
  digest[0] ^= 1;
  const info = { ...sig.SignedInfo, Reference: [{ ...sig.SignedInfo.Reference[0], DigestValue: digest }] };
  assert.equal(failureOf(() => verifyCaptured(auth, undefined, { ...sig, SignedInfo: info })), "signature-digest");
  // Another session's certificate: the signature is not the signer's.
  const other = signed.filter((s) => s.name === "CertificateInstallationReq")[0];
  assert.equal(failureOf(() => verifyCaptured({ ...auth, signer: other.signer })), "signature-value");
  // The CPS signature over the installation response: change the eMAID.
  const res = signed.filter((s) => s.name === "CertificateInstallationRes")[0];
  const body = res.message.Body.CertificateInstallationRes!;
  assert.equal(failureOf(() => verifyCaptured(res, { CertificateInstallationRes: { ...body, eMAID: { ...body.eMAID, $value: "DEXYZC00000001" } } })), "signature-digest");
});

test("xmldsig: RiseV2G's stale header signatures on unsigned messages name no element", { skip: sharedSkip() }, () => {
  // The EVCC of the MeteringReceipt capture repeats its last Signature in ChargingStatusReq and
  // PowerDeliveryReq headers: the Reference (#id1) names nothing in those bodies.
  let stale = 0;
  for (const row of readSharedTsv("vectors/real/iso2.tsv")) {
    if (row[2].indexOf("PnC_TLS_Contract_MeteringReceipt") < 0) continue;
    const message = (decode("iso2", hexBytes(row[1])) as { V2G_Message: Iso2.V2G_MessageType }).V2G_Message;
    if (!message.Header.Signature || message.Body.ChargingStatusReq === undefined) continue;
    stale++;
    const key = crypto.generateSigningKey("ECDSA-P256-SHA256").publicKey;
    assert.equal(failureOf(() => verifySignature({ crypto, schema: "iso2", signature: message.Header.Signature, scheme: "ECDSA-P256-SHA256", publicKey: key, fragments: fragmentsWithId(message.Body) })), "signature-reference");
  }
  assert.ok(stale > 0);
});

function authorizationFragment(id: string, challenge: Uint8Array): SignedFragment {
  return { id, fragment: { AuthorizationReq: { Id: id, GenChallenge: challenge } } };
}

for (const scheme of ["ECDSA-P256-SHA256", "ECDSA-P521-SHA512", "Ed448"] as SignatureScheme[]) {
  test(`xmldsig: ${scheme} sign and verify, with the scheme's URIs`, () => {
    const key = crypto.generateSigningKey(scheme);
    const fragment = authorizationFragment("ID1", crypto.randomBytes(16));
    const signature = signFragments({ crypto, schema: "iso2", scheme, privateKey: key.privateKey, fragments: [fragment] });
    assert.equal(signature.SignedInfo.SignatureMethod.Algorithm, XMLDSIG_ALGORITHMS[scheme].signatureMethod);
    assert.equal(signature.SignedInfo.Reference[0].DigestMethod.Algorithm, XMLDSIG_ALGORITHMS[scheme].digestMethod);
    assert.equal(signature.SignedInfo.Reference[0].URI, "#ID1");
    assert.equal(signature.SignedInfo.Reference[0].DigestValue.length, XMLDSIG_ALGORITHMS[scheme].digestLength);
    const verify = (over = signature, fragments = [fragment], publicKey = key.publicKey, as = scheme) => failureOf(() => verifySignature({ crypto, schema: "iso2", signature: over, scheme: as, publicKey, fragments }));
    assert.equal(verify(), "ok");
    // A replayed signature over another challenge (the SECC's new GenChallenge) does not fit.
    assert.equal(verify(signature, [authorizationFragment("ID1", crypto.randomBytes(16))]), "signature-digest");
    assert.equal(verify(signature, [fragment], crypto.generateSigningKey(scheme).publicKey), "signature-value");
    const other: SignatureScheme = scheme === "ECDSA-P256-SHA256" ? "ECDSA-P521-SHA512" : "ECDSA-P256-SHA256";
    assert.equal(verify(signature, [fragment], crypto.generateSigningKey(other).publicKey, other), "signature-algorithm");
  });
}

test("xmldsig: malformed signatures, each with its reason", () => {
  const scheme: SignatureScheme = "ECDSA-P256-SHA256";
  const key = crypto.generateSigningKey(scheme);
  const a = authorizationFragment("ID1", crypto.randomBytes(16));
  const b: SignedFragment = { id: "ID2", fragment: { MeteringReceiptReq: { Id: "ID2", SessionID: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), MeterInfo: { MeterID: "M1" } } } };
  const signature = signFragments({ crypto, schema: "iso2", scheme, privateKey: key.privateKey, fragments: [a] });
  const both = signFragments({ crypto, schema: "iso2", scheme, privateKey: key.privateKey, fragments: [a, b] });
  const verify = (over: any, fragments = [a]) => failureOf(() => verifySignature({ crypto, schema: "iso2", signature: over, scheme, publicKey: key.publicKey, fragments }));
  const info = signature.SignedInfo;
  const ref = info.Reference[0];
  assert.equal(verify(both, [a, b]), "ok");
  assert.equal(verify(undefined), "signature-missing");
  // The receiver relies on b, but the signature covers a alone.
  assert.equal(verify(signature, [a, b]), "signature-missing");
  // A reference to an element the receiver did not look up.
  assert.equal(verify(both, [a]), "signature-reference");
  assert.equal(verify({ ...signature, SignedInfo: { ...info, Reference: [ref, ref] } }), "signature-reference");
  assert.equal(verify({ ...signature, SignedInfo: { ...info, Reference: [{ ...ref, URI: "ID1" }] } }), "signature-reference");
  assert.equal(verify({ ...signature, SignedInfo: { ...info, CanonicalizationMethod: { Algorithm: "http://www.w3.org/2001/10/xml-exc-c14n#" } } }), "signature-algorithm");
  assert.equal(verify({ ...signature, SignedInfo: { ...info, SignatureMethod: { Algorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" } } }), "signature-algorithm");
  assert.equal(verify({ ...signature, SignedInfo: { ...info, Reference: [{ ...ref, DigestMethod: { Algorithm: "http://www.w3.org/2000/09/xmldsig#sha1" } }] } }), "signature-algorithm");
  assert.equal(verify({ ...signature, SignedInfo: { ...info, Reference: [{ ...ref, Transforms: undefined }] } }), "signature-algorithm");
  assert.equal(verify({ ...signature, SignedInfo: { ...info, Reference: [{ ...ref, Transforms: { Transform: [ref.Transforms!.Transform[0], ref.Transforms!.Transform[0]] } }] } }), "signature-algorithm");
  assert.equal(verify({ ...signature, SignatureValue: { $value: signature.SignatureValue.$value.subarray(0, 63) } }), "signature-value");
  // An element that cannot be EXI-encoded (not the schema's) is a signature failure, not a crash.
  assert.equal(verify(signature, [{ id: "ID1", fragment: { AuthorizationReq: { Id: "ID1", Bogus: 1 } } }]), "signature-encoding");
});
