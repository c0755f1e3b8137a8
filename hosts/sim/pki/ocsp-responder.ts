// The simulated backend's OCSP responder (RFC 6960): answers a CertID (what OCPP 2.0.1
// GetCertificateStatus carries) with an OCSPResponse whose BasicOCSPResponse the issuing CA of
// the test PKI signs itself (§4.2.2.2, the first of the three allowed signers). Portable: the XS
// tests use it too. The charger checks the answer with modules/pki-store/ocsp.ts; OpenSSL
// (`openssl ocsp -respin`) reads it in tests/sim/ocsp-openssl.test.ts.

import { bytesEqual, toHex } from "../../../modules/common/bytes";
import { OcspOid, parseCertificate, sameCertId, type Certificate, type CryptoHost, type OcspCertId } from "../../../modules/pki-store/index";
import { signed, type SigningKey } from "./certificate-builder";
import * as der from "./der-writer";

/** How long a "good" or "revoked" answer stays current (nextUpdate − thisUpdate). */
const VALIDITY = 86_400;

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** GeneralizedTime YYYYMMDDHHMMSSZ: RFC 6960 uses it for every time, whatever the year (RFC 5280 §4.1.2.5.2 form). */
function generalizedTime(secondsSince1970: number): Uint8Array {
  const d = new Date(secondsSince1970 * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return der.tlv(0x18, ascii(`${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`));
}

/** An OCSPResponse without responseBytes: malformedRequest 1, internalError 2, tryLater 3, unauthorized 6. */
export function ocspErrorResponse(status: 1 | 2 | 3 | 5 | 6): Uint8Array {
  return der.sequence(der.tlv(0x0a, Uint8Array.of(status)));
}

export interface OcspAnswer {
  certId: OcspCertId;
  status: { good: true } | { revokedAt: number } | { unknown: true };
  /** Unix seconds: producedAt and thisUpdate. */
  now: number;
  /** The signer (the issuing CA, or a delegated responder) and its certificate. */
  signer: { certificate: Certificate; key: SigningKey };
  /** Put the signer's certificate in `certs` (a delegated responder must, §4.2.2.2). */
  includeSigner?: boolean;
}

/** A successful OCSPResponse with one SingleResponse (RFC 6960 §4.2.1). */
export function ocspResponse(crypto: CryptoHost, answer: OcspAnswer): Uint8Array {
  const { certId, status, now, signer } = answer;
  const certIdDer = der.sequence(
    der.sequence(der.oid(OcspOid.SHA256), der.tlv(0x05, new Uint8Array(0))),
    der.octetString(certId.issuerNameHash),
    der.octetString(certId.issuerKeyHash),
    der.unsignedInteger(certId.serialNumber),
  );
  const certStatus =
    "good" in status ? der.tlv(0x80, new Uint8Array(0)) : "revokedAt" in status ? der.tlv(0xa1, generalizedTime(status.revokedAt)) : der.tlv(0x82, new Uint8Array(0));
  const single = der.sequence(certIdDer, certStatus, generalizedTime(now), der.explicit(0, generalizedTime(now + VALIDITY)));
  const tbs = der.sequence(
    der.explicit(1, signer.certificate.subjectDer), // responderID byName
    generalizedTime(now),
    der.sequence(single),
  );
  const certs = answer.includeSigner ? [der.explicit(0, der.sequence(signer.certificate.der))] : [];
  const basic = signed(crypto, signer.key, tbs, ...certs);
  const responseBytes = der.sequence(der.oid(OcspOid.BASIC), der.octetString(basic));
  return der.sequence(der.tlv(0x0a, Uint8Array.of(0)), der.explicit(0, responseBytes));
}

/**
 * A responder for a set of CAs: finds the CA a CertID names (issuerNameHash and issuerKeyHash
 * over its subject and key) and answers from `revoked` (issuer subject hex / serial hex → time).
 * A CertID of a CA it does not serve gets "unauthorized" (§2.3).
 */
export class TestOcspResponder {
  readonly #crypto: CryptoHost;
  readonly #cas: { certificate: Certificate; key: SigningKey; nameHash: Uint8Array; keyHash: Uint8Array }[] = [];
  readonly #revoked = new Map<string, number>();

  constructor(crypto: CryptoHost, cas: readonly { der: Uint8Array; key: SigningKey }[]) {
    this.#crypto = crypto;
    for (const ca of cas) {
      const certificate = parseCertificate(ca.der);
      this.#cas.push({ certificate, key: ca.key, nameHash: crypto.digest("SHA-256", certificate.subjectDer), keyHash: crypto.digest("SHA-256", certificate.publicKey) });
    }
  }

  revoke(certificate: Certificate, at: number): void {
    this.#revoked.set(revocationKey(certificate.issuerDer, certificate.serial), at);
  }

  /** Whether this responder answers for certificates `issuer` issued (it is one of its CAs). */
  servesIssuer(issuer: Certificate): boolean {
    return this.#cas.some((ca) => bytesEqual(ca.certificate.subjectDer, issuer.subjectDer) && bytesEqual(ca.certificate.publicKey, issuer.publicKey));
  }

  isRevoked(certificate: Certificate): boolean {
    return this.#revoked.has(revocationKey(certificate.issuerDer, certificate.serial));
  }

  /** The OCSPResponse DER for `certId` at `now`. */
  respond(certId: OcspCertId, now: number): Uint8Array {
    const ca = this.#cas.find((c) => sameCertId({ issuerNameHash: c.nameHash, issuerKeyHash: c.keyHash, serialNumber: certId.serialNumber }, certId));
    if (!ca) return ocspErrorResponse(6);
    const revokedAt = this.#revoked.get(revocationKey(ca.certificate.subjectDer, certId.serialNumber));
    return ocspResponse(this.#crypto, { certId, status: revokedAt === undefined ? { good: true } : { revokedAt }, now, signer: ca });
  }
}

function revocationKey(issuerDer: Uint8Array, serial: Uint8Array): string {
  return `${toHex(issuerDer)}/${toHex(serial)}`;
}
