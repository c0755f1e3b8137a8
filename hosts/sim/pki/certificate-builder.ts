// Builds X.509 v3 certificates for the test PKI: the TBSCertificate in DER (der-writer.ts),
// signed through the CryptoHost (node:crypto). The parser under test (modules/pki-store/x509.ts)
// and OpenSSL (`openssl verify`, in the tests) read what this writes.

import { type CryptoHost, type SignatureScheme } from "../../../modules/pki-store/index";
import { ecdsaSignatureToDer } from "../../../simulation/pki/der-writer";
import { KeyUsage, Oid } from "../../../modules/pki-store/x509";
import * as der from "./der-writer";

export interface NameSpec {
  commonName: string;
  organization?: string;
  country?: string;
  domainComponent?: string;
}

export interface SigningKey {
  scheme: SignatureScheme;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface CertificateSpec {
  subject: NameSpec;
  subjectKey: { scheme: SignatureScheme; publicKey: Uint8Array };
  serial: Uint8Array;
  notBefore: number;
  notAfter: number;
  /** A CA certificate, with its pathLenConstraint (undefined: none). */
  ca?: { pathLength?: number };
  /** KeyUsage bits (x509.ts KeyUsage). */
  keyUsage: number;
}

export interface Issuer {
  name: Uint8Array; // the issuer's subject Name, DER
  key: SigningKey;
  keyId: Uint8Array;
}

const ALGORITHM: Record<SignatureScheme, Uint8Array> = {
  // RFC 5758 §3.2 and RFC 8410 §3: no parameters for ecdsa-with-SHA* and Ed448.
  "ECDSA-P256-SHA256": der.sequence(der.oid(Oid.ECDSA_SHA256)),
  "ECDSA-P521-SHA512": der.sequence(der.oid(Oid.ECDSA_SHA512)),
  Ed448: der.sequence(der.oid(Oid.ED448)),
};

/** Name in the order the V2G profiles show it (CN, O, C, DC), one attribute per RDN. */
export function encodeName(name: NameSpec): Uint8Array {
  const rdn = (type: string, value: Uint8Array) => der.set(der.sequence(der.oid(type), value));
  const parts = [rdn(Oid.COMMON_NAME, der.utf8String(name.commonName))];
  if (name.organization) parts.push(rdn(Oid.ORGANIZATION, der.utf8String(name.organization)));
  if (name.country) parts.push(rdn(Oid.COUNTRY, der.printableString(name.country)));
  // RFC 4519 §2.4: domainComponent is an IA5String.
  if (name.domainComponent) parts.push(rdn(Oid.DOMAIN_COMPONENT, der.ia5String(name.domainComponent)));
  return der.sequence(...parts);
}

export function encodePublicKey(scheme: SignatureScheme, publicKey: Uint8Array): Uint8Array {
  const algorithm =
    scheme === "Ed448"
      ? der.sequence(der.oid(Oid.ED448))
      : der.sequence(der.oid(Oid.EC_PUBLIC_KEY), der.oid(scheme === "ECDSA-P256-SHA256" ? Oid.PRIME256V1 : Oid.SECP521R1));
  return der.sequence(algorithm, der.bitString(publicKey));
}

/** RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 over the subjectPublicKey bits. */
export function keyIdentifier(crypto: CryptoHost, publicKey: Uint8Array): Uint8Array {
  return crypto.digest("SHA-256", publicKey).subarray(0, 20);
}

function keyUsageExtension(mask: number): Uint8Array {
  // The BIT STRING is as short as its highest set bit allows (X.690 §11.2.2).
  let highest = 0;
  for (let bit = 0; bit < 9; bit++) if (mask & (1 << bit)) highest = bit;
  const octets = highest >= 8 ? 2 : 1;
  const bytes = new Uint8Array(octets);
  for (let bit = 0; bit <= highest; bit++) if (mask & (1 << bit)) bytes[bit >> 3] |= 0x80 >> (bit & 7);
  const unused = octets * 8 - 1 - highest;
  return der.tlv(0x03, Uint8Array.from([unused, ...bytes]));
}

function extension(type: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? der.sequence(der.oid(type), der.booleanTrue(), der.octetString(value)) : der.sequence(der.oid(type), der.octetString(value));
}

/** The certificate, DER. `issuer` undefined: self-signed with `selfKey`. */
export function buildCertificate(crypto: CryptoHost, spec: CertificateSpec, issuer: Issuer): Uint8Array {
  const subjectKeyId = keyIdentifier(crypto, spec.subjectKey.publicKey);
  const basic = spec.ca
    ? der.sequence(der.booleanTrue(), ...(spec.ca.pathLength !== undefined ? [der.unsignedInteger(spec.ca.pathLength)] : []))
    : der.sequence();
  const extensions = [
    // RFC 5280 §4.2.1.9 and the V2G profiles: basicConstraints and keyUsage critical.
    extension(Oid.BASIC_CONSTRAINTS, true, basic),
    extension(Oid.KEY_USAGE, true, keyUsageExtension(spec.keyUsage)),
    extension(Oid.SUBJECT_KEY_IDENTIFIER, false, der.octetString(subjectKeyId)),
    extension(Oid.AUTHORITY_KEY_IDENTIFIER, false, der.sequence(der.tlv(0x80, issuer.keyId))),
  ];
  const tbs = der.sequence(
    der.explicit(0, der.unsignedInteger(2)), // v3
    der.unsignedInteger(spec.serial),
    ALGORITHM[issuer.key.scheme],
    issuer.name,
    der.sequence(der.time(spec.notBefore), der.time(spec.notAfter)),
    encodeName(spec.subject),
    encodePublicKey(spec.subjectKey.scheme, spec.subjectKey.publicKey),
    der.explicit(3, der.sequence(...extensions)),
  );
  return signed(crypto, issuer.key, tbs);
}

/**
 * SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING } followed by `rest`: the signed
 * shape X.509 (RFC 5280 §4.1) and the BasicOCSPResponse (RFC 6960 §4.2.1) share.
 */
export function signed(crypto: CryptoHost, key: SigningKey, tbs: Uint8Array, ...rest: Uint8Array[]): Uint8Array {
  const raw = crypto.sign(key.scheme, key.privateKey, tbs);
  const signature = key.scheme === "Ed448" ? raw : ecdsaSignatureToDer(raw);
  return der.sequence(tbs, ALGORITHM[key.scheme], der.bitString(signature), ...rest);
}

export { KeyUsage };
