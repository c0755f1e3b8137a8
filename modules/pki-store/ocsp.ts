// OCSP (RFC 6960) for the contract chains of Plug & Charge: the CertID a charger sends its
// operator (OCPP 2.0.1 OCSPRequestDataType: hashAlgorithm, issuerNameHash, issuerKeyHash,
// serialNumber; GetCertificateStatus and Authorize carry it) and the check of the
// BasicOCSPResponse that comes back (GetCertificateStatusResponse.ocspResult, base64 DER).
// Parsing only; hashes and signatures go through the CryptoHost, as for certificates (x509.ts).
//
// What the check accepts (RFC 6960 §3.2, §4.2.2.2): responseStatus successful, response type
// id-pkix-ocsp-basic, a SingleResponse whose CertID equals ours (SHA-256), signed by the issuing
// CA itself or by a responder certificate in `certs` that the issuing CA signed and marked with
// id-kp-OCSPSigning; thisUpdate not in the future and nextUpdate (when present) not in the past,
// with a clock skew. Not checked: the responderID byKey form (its SHA-1 key hash; the CryptoHost
// has no SHA-1, and the signature check already binds the response to the signer's key), the
// nonce (OCPP passes no nonce: GetCertificateStatus carries only the CertID), extensions
// (none the V2G PKI marks critical).

import { bytesEqual, fromHex, toHex } from "../common/bytes";
import { DecodeError } from "../common/errors";
import type { CryptoHost, SignatureScheme } from "./crypto";
import { DerError, DerReader, DerTag, derBitStringBytes, derOid, derSmallInteger, derUnsignedInteger, ecdsaSignatureFromDer } from "./der";
import { CertificateError, Oid, parseAlgorithm, parseCertificate, parseTime, signatureSchemeOfOid, type Certificate } from "./x509";

export type OcspErrorReason = "ocsp-malformed" | "ocsp-unsupported";

/** A response that does not parse: `reason` and the byte position say what and where. */
export class OcspError extends DecodeError<OcspErrorReason> {
  constructor(reason: OcspErrorReason, message: string, position = -1) {
    super(reason, message, position);
    this.name = "OcspError";
  }
}

export const OcspOid = Object.freeze({
  /** id-pkix-ocsp-basic (RFC 6960 §4.2.1). */
  BASIC: "1.3.6.1.5.5.7.48.1.1",
  /** id-kp-OCSPSigning (RFC 6960 §4.2.2.2). */
  OCSP_SIGNING: "1.3.6.1.5.5.7.3.9",
  /** id-sha256 (RFC 5754 §2.2), the hash OCPP 2.0.1 HashAlgorithmEnumType calls SHA256. */
  SHA256: "2.16.840.1.101.3.4.2.1",
});

/** A CertID (RFC 6960 §4.1.1) with SHA-256, the only hash the check accepts. */
export interface OcspCertId {
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** The serial number's magnitude, big-endian (as Certificate.serial). */
  serialNumber: Uint8Array;
}

/** RFC 6960 §4.2.1 OCSPResponseStatus (7 is unused). */
const RESPONSE_STATUS: readonly (string | undefined)[] = Object.freeze(["successful", "malformedRequest", "internalError", "tryLater", undefined, "sigRequired", "unauthorized"]);
export type OcspResponseStatus = "successful" | "malformedRequest" | "internalError" | "tryLater" | "sigRequired" | "unauthorized";
export type OcspCertStatus = "good" | "revoked" | "unknown";

export interface OcspSingleResponse {
  certId: OcspCertId;
  /** The CertID's hash algorithm OID (only SHA-256 CertIDs can match ours). */
  hashAlgorithm: string;
  status: OcspCertStatus;
  /** Unix seconds; revocationTime only for "revoked". */
  revocationTime: number | undefined;
  /** CRLReason (RFC 5280 §5.3.1) when the responder gave one. */
  revocationReason: number | undefined;
  thisUpdate: number;
  nextUpdate: number | undefined;
}

export interface BasicOcspResponse {
  /** tbsResponseData, DER: what the signature covers. */
  tbs: Uint8Array;
  /** responderID byName (Name DER) or byKey (the SHA-1 key hash); one of them is set. */
  responderName: Uint8Array | undefined;
  responderKeyHash: Uint8Array | undefined;
  producedAt: number;
  responses: OcspSingleResponse[];
  signatureScheme: SignatureScheme;
  /** Raw signature (ECDSA r‖s, as Certificate.signature). */
  signature: Uint8Array;
  /** The certs field: a delegated responder's certificate (and its chain). */
  certificates: Certificate[];
}

export interface OcspResponse {
  status: OcspResponseStatus;
  /** Present when status is "successful". */
  basic: BasicOcspResponse | undefined;
}

/** The CertID of `certificate` (RFC 6960 §4.1.1): SHA-256 of the issuer's Name DER and of its public key's BIT STRING value. */
export function ocspCertId(crypto: CryptoHost, certificate: Certificate, issuer: Certificate): OcspCertId {
  return {
    issuerNameHash: crypto.digest("SHA-256", certificate.issuerDer),
    // issuerKeyHash covers the subjectPublicKey BIT STRING's value without tag, length and
    // unused-bits octet — for EC that is the SEC 1 point, as Certificate.publicKey holds it.
    issuerKeyHash: crypto.digest("SHA-256", issuer.publicKey),
    serialNumber: certificate.serial,
  };
}

/**
 * OCPP 2.0.1 OCSPRequestDataType (hex strings, as GetCertificateStatusRequest and Authorize carry
 * them; the serial number without leading zeroes, as OCPP 2.0.1 defines the field).
 */
export function ocppOcspRequestData(certId: OcspCertId, responderURL: string): { hashAlgorithm: "SHA256"; issuerNameHash: string; issuerKeyHash: string; serialNumber: string; responderURL: string } {
  let serialNumber = toHex(certId.serialNumber);
  while (serialNumber.length > 1 && serialNumber[0] === "0") serialNumber = serialNumber.slice(1);
  return { hashAlgorithm: "SHA256", issuerNameHash: toHex(certId.issuerNameHash), issuerKeyHash: toHex(certId.issuerKeyHash), serialNumber, responderURL };
}

/** The CertID an OCPP OCSPRequestDataType names (SHA-256 only), or undefined when its hex is not. */
export function ocspCertIdFromOcpp(data: { hashAlgorithm: string; issuerNameHash: string; issuerKeyHash: string; serialNumber: string }): OcspCertId | undefined {
  // OCPP drops the serial's leading zeroes: an odd count of digits gets its zero back.
  const bytes = (text: string) => (text.length > 0 ? fromHex(text.length % 2 === 1 ? `0${text}` : text) : undefined);
  if (data.hashAlgorithm !== "SHA256") return undefined;
  const issuerNameHash = bytes(data.issuerNameHash);
  const issuerKeyHash = bytes(data.issuerKeyHash);
  const serialNumber = bytes(data.serialNumber);
  if (!issuerNameHash || !issuerKeyHash || !serialNumber || issuerNameHash.length !== 32 || issuerKeyHash.length !== 32) return undefined;
  return { issuerNameHash, issuerKeyHash, serialNumber };
}

export function sameCertId(a: OcspCertId, b: OcspCertId): boolean {
  return bytesEqual(a.issuerNameHash, b.issuerNameHash) && bytesEqual(a.issuerKeyHash, b.issuerKeyHash) && bytesEqual(a.serialNumber, b.serialNumber);
}

/** Parses an OCSPResponse (RFC 6960 §4.2.1). Throws OcspError for anything malformed or unsupported. */
export function parseOcspResponse(der: Uint8Array): OcspResponse {
  try {
    return parseResponse(der);
  } catch (error) {
    if (error instanceof DerError || error instanceof CertificateError) {
      throw new OcspError(error instanceof CertificateError && error.reason === "certificate-unsupported" ? "ocsp-unsupported" : "ocsp-malformed", error.message, error.position);
    }
    throw error;
  }
}

function malformed(message: string, at: number): OcspError {
  return new OcspError("ocsp-malformed", message, at);
}

function parseResponse(der: Uint8Array): OcspResponse {
  const outer = new DerReader(der);
  const response = DerReader.inside(outer.next(DerTag.SEQUENCE), der);
  outer.finish();
  const statusElement = response.next(0x0a); // ENUMERATED
  const statusCode = derSmallInteger(statusElement);
  const status = RESPONSE_STATUS[statusCode] as OcspResponseStatus | undefined;
  if (!status) throw malformed(`responseStatus ${statusCode} is not defined`, statusElement.start);
  const bytesElement = response.optional(0xa0);
  response.finish();
  if (status !== "successful") {
    // §4.2.1: responseBytes only with a successful status.
    if (bytesElement) throw malformed(`responseBytes with status ${status}`, bytesElement.start);
    return { status, basic: undefined };
  }
  if (!bytesElement) throw malformed("a successful response without responseBytes", statusElement.end);
  const explicit = DerReader.inside(bytesElement, der);
  const responseBytes = DerReader.inside(explicit.next(DerTag.SEQUENCE), der);
  explicit.finish();
  const typeElement = responseBytes.next(DerTag.OID);
  const type = derOid(typeElement);
  if (type !== OcspOid.BASIC) throw new OcspError("ocsp-unsupported", `response type ${type} (only id-pkix-ocsp-basic)`, typeElement.start);
  const octets = responseBytes.next(DerTag.OCTET_STRING);
  responseBytes.finish();
  return { status, basic: parseBasic(der, octets.contentStart, octets.end) };
}

function parseBasic(der: Uint8Array, start: number, end: number): BasicOcspResponse {
  const outer = new DerReader(der, start, end);
  const basic = DerReader.inside(outer.next(DerTag.SEQUENCE), der);
  outer.finish();
  const tbsElement = basic.next(DerTag.SEQUENCE);
  const algorithmElement = basic.next(DerTag.SEQUENCE);
  const algorithm = parseAlgorithm(der, algorithmElement);
  const signatureScheme = signatureSchemeOfOid(algorithm.oid, algorithmElement.start);
  const signatureBits = derBitStringBytes(basic.next(DerTag.BIT_STRING));
  const certificates: Certificate[] = [];
  const certsElement = basic.optional(0xa0);
  basic.finish();
  if (certsElement) {
    const explicit = DerReader.inside(certsElement, der);
    const list = DerReader.inside(explicit.next(DerTag.SEQUENCE), der);
    explicit.finish();
    while (!list.done) {
      const element = list.next(DerTag.SEQUENCE);
      certificates.push(parseCertificate(der.slice(element.start, element.end)));
    }
  }
  const signature = signatureScheme === "Ed448" ? signatureBits : ecdsaSignatureFromDer(signatureBits, signatureScheme === "ECDSA-P256-SHA256" ? 32 : 66);

  const tbs = DerReader.inside(tbsElement, der);
  const versionElement = tbs.optional(0xa0);
  if (versionElement) {
    const inner = DerReader.inside(versionElement, der);
    if (derSmallInteger(inner.next(DerTag.INTEGER)) !== 0) throw new OcspError("ocsp-unsupported", "ResponseData version other than v1", versionElement.start);
    inner.finish();
  }
  let responderName: Uint8Array | undefined;
  let responderKeyHash: Uint8Array | undefined;
  const responderElement = tbs.next();
  const responder = DerReader.inside(responderElement, der);
  if (responderElement.tag === 0xa1) {
    const name = responder.next(DerTag.SEQUENCE);
    responderName = der.subarray(name.start, name.end);
  } else if (responderElement.tag === 0xa2) {
    responderKeyHash = responder.next(DerTag.OCTET_STRING).content;
  } else throw malformed("responderID must be byName [1] or byKey [2]", responderElement.start);
  responder.finish();
  const producedAtElement = tbs.next(DerTag.GENERALIZED_TIME);
  const producedAt = parseTime(producedAtElement);
  const list = DerReader.inside(tbs.next(DerTag.SEQUENCE), der);
  tbs.optional(0xa1); // responseExtensions (the nonce, when there is one)
  tbs.finish();
  const responses: OcspSingleResponse[] = [];
  while (!list.done) responses.push(parseSingle(der, list.next(DerTag.SEQUENCE)));
  return { tbs: der.subarray(tbsElement.start, tbsElement.end), responderName, responderKeyHash, producedAt, responses, signatureScheme, signature, certificates };
}

function parseSingle(der: Uint8Array, element: { contentStart: number; end: number; start: number; tag: number; content: Uint8Array }): OcspSingleResponse {
  const single = DerReader.inside(element, der);
  const certIdReader = DerReader.inside(single.next(DerTag.SEQUENCE), der);
  const hashAlgorithm = parseAlgorithm(der, certIdReader.next(DerTag.SEQUENCE)).oid;
  const issuerNameHash = certIdReader.next(DerTag.OCTET_STRING).content;
  const issuerKeyHash = certIdReader.next(DerTag.OCTET_STRING).content;
  const serialNumber = derUnsignedInteger(certIdReader.next(DerTag.INTEGER));
  certIdReader.finish();
  const statusElement = single.next();
  let status: OcspCertStatus;
  let revocationTime: number | undefined;
  let revocationReason: number | undefined;
  if (statusElement.tag === 0x80 && statusElement.content.length === 0) status = "good";
  else if (statusElement.tag === 0x82 && statusElement.content.length === 0) status = "unknown";
  else if (statusElement.tag === 0xa1) {
    status = "revoked";
    const info = DerReader.inside(statusElement, der);
    revocationTime = parseTime(info.next(DerTag.GENERALIZED_TIME));
    const reasonElement = info.optional(0xa0);
    if (reasonElement) {
      const inner = DerReader.inside(reasonElement, der);
      revocationReason = derSmallInteger(inner.next(0x0a));
      inner.finish();
    }
    info.finish();
  } else throw malformed("certStatus must be good [0], revoked [1] or unknown [2]", statusElement.start);
  const thisUpdate = parseTime(single.next(DerTag.GENERALIZED_TIME));
  let nextUpdate: number | undefined;
  const nextElement = single.optional(0xa0);
  if (nextElement) {
    const inner = DerReader.inside(nextElement, der);
    nextUpdate = parseTime(inner.next(DerTag.GENERALIZED_TIME));
    inner.finish();
  }
  single.optional(0xa1); // singleExtensions
  single.finish();
  return { certId: { issuerNameHash, issuerKeyHash, serialNumber }, hashAlgorithm, status, revocationTime, revocationReason, thisUpdate, nextUpdate };
}

export type OcspCheckFailure =
  | "malformed" // the response does not parse (detail says why)
  | "not-successful" // responseStatus other than successful
  | "no-single-response" // no SingleResponse for our CertID
  | "responder" // neither the issuing CA nor a certificate it authorised for OCSP signed it
  | "signature" // the signature does not verify with the signer's key
  | "not-yet-valid" // thisUpdate lies in the future
  | "stale"; // nextUpdate has passed

export type OcspCheckResult =
  | { ok: true; status: OcspCertStatus; thisUpdate: number; nextUpdate: number | undefined; revocationTime: number | undefined }
  | { ok: false; failure: OcspCheckFailure; detail: string };

export interface OcspCheckOptions {
  crypto: CryptoHost;
  /** The OCSPResponse, DER. */
  response: Uint8Array;
  certificate: Certificate;
  issuer: Certificate;
  /** Unix seconds, when the device knows the time; thisUpdate/nextUpdate are then checked. */
  now?: number;
  /** Tolerated clock difference in seconds (default 300). */
  clockSkew?: number;
}

function fail(failure: OcspCheckFailure, detail: string): OcspCheckResult {
  return { ok: false, failure, detail };
}

function hasOcspSigning(certificate: Certificate): boolean {
  const extension = certificate.extensions.find((e) => e.oid === Oid.EXTENDED_KEY_USAGE);
  if (!extension) return false;
  try {
    const outer = new DerReader(extension.value);
    const list = DerReader.inside(outer.next(DerTag.SEQUENCE), extension.value);
    outer.finish();
    while (!list.done) if (derOid(list.next(DerTag.OID)) === OcspOid.OCSP_SIGNING) return true;
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
  }
  return false;
}

/**
 * Who may have signed (RFC 6960 §4.2.2.2): the issuing CA, or a responder certificate in `certs`
 * that the issuing CA signed with id-kp-OCSPSigning. A byName responderID narrows the choice; a
 * byKey one is not compared (SHA-1), so the signature decides. Returns the candidates or why none.
 */
function signers(basic: BasicOcspResponse, options: OcspCheckOptions): Certificate[] | string {
  const { issuer, crypto, now } = options;
  const named = (certificate: Certificate) => !basic.responderName || bytesEqual(basic.responderName, certificate.subjectDer);
  const candidates: Certificate[] = named(issuer) ? [issuer] : [];
  let refused = "";
  for (const candidate of basic.certificates) {
    if (!named(candidate) || !bytesEqual(candidate.issuerDer, issuer.subjectDer)) continue;
    if (candidate.signatureScheme !== issuer.keyScheme || !crypto.verify(issuer.keyScheme, issuer.publicKey, candidate.tbs, candidate.signature)) refused = "the responder certificate is not signed by the issuing CA";
    else if (!hasOcspSigning(candidate)) refused = "the responder certificate lacks id-kp-OCSPSigning";
    else if (candidate.unknownCriticalExtension) refused = `the responder certificate has an unknown critical extension ${candidate.unknownCriticalExtension}`;
    else if (now !== undefined && (now < candidate.notBefore || now > candidate.notAfter)) refused = "the responder certificate is outside its validity";
    else candidates.push(candidate);
  }
  if (candidates.length > 0) return candidates;
  return refused || "the response is signed neither by the issuing CA nor by a responder it authorised";
}

/**
 * Checks an OCSP response for `certificate` (issued by `issuer`). A tampered, foreign, stale or
 * malformed response is a failure, never an exception; the caller decides what a failure means
 * (for Plug & Charge the chain is refused: no good answer, no charging on the contract).
 */
export function checkOcspResponse(options: OcspCheckOptions): OcspCheckResult {
  let parsed: OcspResponse;
  try {
    parsed = parseOcspResponse(options.response);
  } catch (error) {
    if (error instanceof OcspError) return fail("malformed", `${error.reason}: ${error.message}`);
    throw error;
  }
  if (parsed.status !== "successful" || !parsed.basic) return fail("not-successful", `responseStatus ${parsed.status}`);
  const basic = parsed.basic;
  const ours = ocspCertId(options.crypto, options.certificate, options.issuer);
  const single = basic.responses.find((r) => r.hashAlgorithm === OcspOid.SHA256 && sameCertId(r.certId, ours));
  if (!single) return fail("no-single-response", "no SingleResponse with our SHA-256 CertID");
  const candidates = signers(basic, options);
  if (typeof candidates === "string") return fail("responder", candidates);
  const verifies = (signer: Certificate) => basic.signatureScheme === signer.keyScheme && options.crypto.verify(signer.keyScheme, signer.publicKey, basic.tbs, basic.signature);
  if (!candidates.some(verifies)) return fail("signature", "the response's signature verifies with neither the issuing CA's nor an authorised responder's key");
  if (options.now !== undefined) {
    const skew = options.clockSkew ?? 300;
    // §4.2.2.1: thisUpdate is when the status was known correct; nextUpdate when newer status will be.
    if (single.thisUpdate > options.now + skew) return fail("not-yet-valid", "thisUpdate lies in the future");
    if (single.nextUpdate !== undefined && single.nextUpdate < options.now - skew) return fail("stale", "nextUpdate has passed");
  }
  return { ok: true, status: single.status, thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate, revocationTime: single.revocationTime };
}

/**
 * A PkiStore `isRevoked` that asks OCSP: `ask` sends the CertID to the operator (OCPP
 * GetCertificateStatus) and returns the OCSPResponse DER, or undefined when none came.
 * Anything but a verified "good" counts as revoked: a charger cannot accept a contract whose
 * status it could not establish (the chain then fails with FAILED_CertificateRevoked).
 */
export function ocspRevocationCheck(crypto: CryptoHost, ask: (certId: OcspCertId) => Uint8Array | undefined, now?: () => number): (certificate: Certificate, issuer: Certificate) => boolean {
  return (certificate, issuer) => {
    const response = ask(ocspCertId(crypto, certificate, issuer));
    if (!response) return true;
    const result = checkOcspResponse({ crypto, response, certificate, issuer, now: now?.() });
    return !result.ok || result.status !== "good";
  };
}
