// Certificate chain validation for the V2G PKIs (RFC 5280 §6.1, narrowed to the ISO 15118
// profiles): signatures up to a trust anchor, validity against the wall clock, basicConstraints,
// keyUsage, path length, unknown critical extensions, revocation (a host callback: OCSP lives in
// the backend), the leaf's domain component (DC=CPO for an SECC certificate — field reports show
// chargers that skip it) and the eMAID against a contract certificate's CN.
//
// A failure is a `ChainFailure` kind; `iso2ResponseCode` / `iso20ResponseCode` map it to the
// response code each standard's message schema defines (ISO 15118-2 responseCodeType:
// FAILED_CertChainError, FAILED_CertificateExpired, FAILED_CertificateRevoked,
// FAILED_NoCertificateAvailable; ISO 15118-20 responseCodeType: WARNING_CertificateExpired,
// WARNING_CertificateNotYetValid, WARNING_CertificateRevoked, WARNING_CertificateValidationError,
// WARNING_NoCertificateAvailable).

import { bytesEqual } from "../common/bytes";
import type { CryptoHost } from "./crypto";
import { CertificateError, KeyUsage, Oid, nameText, nameValue, parseCertificate, type Certificate } from "./x509";

export type ChainFailure =
  | "no-certificate" // nothing to validate
  | "malformed" // a certificate does not parse or is outside the profiles
  | "untrusted" // no trust anchor issued the top of the chain
  | "signature" // a certificate's signature does not verify with its issuer's key
  | "expired"
  | "not-yet-valid"
  | "revoked"
  | "constraints" // basicConstraints, keyUsage, path length, unknown critical extension, too long
  | "domain" // the leaf's DC is not the one its role requires
  | "emaid"; // the contract certificate is for another eMAID

export type Iso2CertificateCode =
  | "FAILED_CertChainError"
  | "FAILED_CertificateExpired"
  | "FAILED_CertificateRevoked"
  | "FAILED_NoCertificateAvailable";

export type Iso20CertificateCode =
  | "WARNING_CertificateExpired"
  | "WARNING_CertificateNotYetValid"
  | "WARNING_CertificateRevoked"
  | "WARNING_CertificateValidationError"
  | "WARNING_NoCertificateAvailable";

/** ISO 15118-2 has no "not yet valid" code: such a chain is a chain error. */
export function iso2ResponseCode(failure: ChainFailure): Iso2CertificateCode {
  switch (failure) {
    case "no-certificate":
      return "FAILED_NoCertificateAvailable";
    case "expired":
      return "FAILED_CertificateExpired";
    case "revoked":
      return "FAILED_CertificateRevoked";
    default:
      return "FAILED_CertChainError";
  }
}

export function iso20ResponseCode(failure: ChainFailure): Iso20CertificateCode {
  switch (failure) {
    case "no-certificate":
      return "WARNING_NoCertificateAvailable";
    case "expired":
      return "WARNING_CertificateExpired";
    case "not-yet-valid":
      return "WARNING_CertificateNotYetValid";
    case "revoked":
      return "WARNING_CertificateRevoked";
    default:
      return "WARNING_CertificateValidationError";
  }
}

export type ChainResult =
  | {
      ok: true;
      leaf: Certificate;
      path: Certificate[];
      anchor: Certificate;
      /** False when no trusted time was known: everything but the validity periods was checked. */
      datesChecked: boolean;
    }
  | { ok: false; failure: ChainFailure; detail: string };

export interface ChainExpectations {
  /** The DC the leaf's subject must carry: "CPO" for an SECC certificate, "MO" for a contract, "OEM", "CPS". */
  leafDomainComponent?: string;
  /** KeyUsage bits the leaf must have (e.g. digitalSignature). */
  leafKeyUsage?: number;
  /** The eMAID the leaf (a contract certificate) must be for: compared with its CN. */
  emaid?: string;
  /** Revocation status (OCSP or a list, kept by the host); revoked when it returns true. */
  isRevoked?(certificate: Certificate, issuer: Certificate): boolean;
}

export interface ChainValidationOptions extends ChainExpectations {
  crypto: CryptoHost;
  /** Trust anchors (parsed root certificates). */
  anchors: readonly Certificate[];
  /**
   * Now, in seconds since 1970 (UTC), from the wall clock (modules/common/wall-clock.ts).
   * Undefined while no trusted time is known: signatures, constraints, revocation, DC and eMAID
   * are checked as always, the validity periods are not, and the result says so
   * (`datesChecked: false`) for the caller to log. Refusing every chain instead would leave a
   * charger that boots without a date unable to serve Plug & Charge at all, and a certificate
   * check cannot itself be the source of the date.
   */
  now: number | undefined;
}

/**
 * The longest chain below a root: leaf and two Sub-CAs (ISO 15118-2 Annex F and -20 limit the
 * V2G, MO, OEM and CPS hierarchies to at most two Sub-CA levels).
 */
export const MAX_CHAIN_BELOW_ROOT = 3;

/**
 * eMAID comparison: the eMAID syntax (ISO 15118-2, identifiers) allows an optional "-" between its parts
 * and is case-insensitive; compare what remains.
 */
export function sameEmaid(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/-/g, "").toUpperCase();
  return norm(a) === norm(b);
}

function fail(failure: ChainFailure, detail: string): ChainResult {
  return { ok: false, failure, detail };
}

function issuedBy(child: Certificate, issuer: Certificate, crypto: CryptoHost): boolean {
  return bytesEqual(child.issuerDer, issuer.subjectDer) && child.signatureScheme === issuer.keyScheme && crypto.verify(issuer.keyScheme, issuer.publicKey, child.tbs, child.signature);
}

/** Parses DER certificates (leaf first), reporting the first that fails as "malformed". */
export function parseChain(chain: readonly Uint8Array[]): Certificate[] | ChainResult {
  const parsed: Certificate[] = [];
  for (let i = 0; i < chain.length; i++) {
    try {
      parsed.push(parseCertificate(chain[i]));
    } catch (error) {
      if (error instanceof CertificateError) return fail("malformed", `certificate ${i}: ${error.message}`);
      throw error;
    }
  }
  return parsed;
}

/** Validates a chain given leaf first (the root may be included or left out). */
export function validateChain(chain: readonly Uint8Array[], options: ChainValidationOptions): ChainResult {
  if (chain.length === 0) return fail("no-certificate", "the chain is empty");
  const parsed = parseChain(chain);
  if (!Array.isArray(parsed)) return parsed;
  const path = parsed.slice();
  // A root sent along is dropped: trust comes from the anchors only.
  const top = path[path.length - 1];
  if (path.length > 1 && options.anchors.some((a) => bytesEqual(a.der, top.der))) path.pop();
  if (path.length > MAX_CHAIN_BELOW_ROOT) return fail("constraints", `${path.length} certificates below the root, at most ${MAX_CHAIN_BELOW_ROOT} allowed`);

  // Each certificate is issued by the next one; the last by an anchor.
  for (let i = 0; i + 1 < path.length; i++) {
    if (!bytesEqual(path[i].issuerDer, path[i + 1].subjectDer)) return fail("malformed", `certificate ${i} (${nameText(path[i].subject)}) is not issued by the next one in the chain`);
  }
  const last = path[path.length - 1];
  const anchor = options.anchors.find((a) => bytesEqual(last.issuerDer, a.subjectDer) && issuedBy(last, a, options.crypto));
  if (!anchor) {
    const named = options.anchors.some((a) => bytesEqual(last.issuerDer, a.subjectDer));
    return named ? fail("signature", `the signature of ${nameText(last.subject)} does not verify with its root's key`) : fail("untrusted", `no trust anchor for issuer ${nameText(last.issuer)}`);
  }
  for (let i = path.length - 2; i >= 0; i--) {
    if (!issuedBy(path[i], path[i + 1], options.crypto)) return fail("signature", `the signature of ${nameText(path[i].subject)} does not verify with ${nameText(path[i + 1].subject)}'s key`);
  }

  // Constraints: the anchor and every certificate above the leaf must be CAs allowed to sign
  // certificates, with room in their path length for the CAs below them (RFC 5280 §4.2.1.9).
  const issuers = [...path.slice(1), anchor];
  for (let k = 0; k < issuers.length; k++) {
    const ca = issuers[k];
    if (!ca.isCa) return fail("constraints", `${nameText(ca.subject)} is not a CA (basicConstraints)`);
    if (ca.keyUsage !== undefined && !(ca.keyUsage & KeyUsage.keyCertSign)) return fail("constraints", `${nameText(ca.subject)} may not sign certificates (keyUsage)`);
    const casBelow = k; // intermediate CAs between this one and the leaf
    if (ca.pathLength !== undefined && casBelow > ca.pathLength) return fail("constraints", `${nameText(ca.subject)} allows ${ca.pathLength} Sub-CAs below it, the chain has ${casBelow}`);
  }
  const leaf = path[0];
  if (leaf.isCa) return fail("constraints", `the leaf ${nameText(leaf.subject)} is a CA certificate`);
  for (const certificate of [...path, anchor]) {
    if (certificate.unknownCriticalExtension) return fail("constraints", `${nameText(certificate.subject)} has the unknown critical extension ${certificate.unknownCriticalExtension}`);
  }
  if (options.leafKeyUsage !== undefined && ((leaf.keyUsage ?? 0) & options.leafKeyUsage) !== options.leafKeyUsage) {
    return fail("constraints", `the leaf's keyUsage lacks what its role needs`);
  }

  // Validity against the clock, the anchor included (an expired root ends the hierarchy).
  const now = options.now;
  if (now !== undefined) {
    for (const certificate of [anchor, ...issuers.slice(0, -1).reverse(), leaf]) {
      if (now > certificate.notAfter) return fail("expired", `${nameText(certificate.subject)} expired`);
      if (now < certificate.notBefore) return fail("not-yet-valid", `${nameText(certificate.subject)} is not valid yet`);
    }
  }

  if (options.isRevoked) {
    for (let i = 0; i < path.length; i++) {
      if (options.isRevoked(path[i], i + 1 < path.length ? path[i + 1] : anchor)) return fail("revoked", `${nameText(path[i].subject)} is revoked`);
    }
  }

  if (options.leafDomainComponent !== undefined) {
    const dc = nameValue(leaf.subject, Oid.DOMAIN_COMPONENT);
    if (dc === undefined || dc.toUpperCase() !== options.leafDomainComponent.toUpperCase()) {
      return fail("domain", `the leaf's DC is ${dc ?? "absent"}, ${options.leafDomainComponent} required`);
    }
  }
  if (options.emaid !== undefined) {
    const cn = nameValue(leaf.subject, Oid.COMMON_NAME);
    if (cn === undefined || !sameEmaid(cn, options.emaid)) return fail("emaid", `the contract certificate is for ${cn ?? "no eMAID"}, not ${options.emaid}`);
  }
  return { ok: true, leaf, path, anchor, datesChecked: now !== undefined };
}
