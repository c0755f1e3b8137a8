// X.509 v3 certificates (RFC 5280 §4) as ISO 15118-2 Annex F and ISO 15118-20 profile them:
// ECDSA on secp256r1 with SHA-256, on secp521r1 with SHA-512, or Ed448; names with CN, O, C
// and DC; the extensions basicConstraints, keyUsage, subject/authority key identifiers (others
// are kept as seen, and a critical one we do not know makes the certificate unusable, RFC 5280
// §4.2). Parsing only; signatures are checked by chain.ts through the CryptoHost.

import { DecodeError } from "../common/errors";
import type { SignatureScheme } from "./crypto";
import { DerError, DerReader, DerTag, derBitStringBytes, derOid, derSmallInteger, derUnsignedInteger, ecdsaSignatureFromDer, type DerElement } from "./der";

export type CertificateErrorReason = "certificate-malformed" | "certificate-unsupported";

export class CertificateError extends DecodeError<CertificateErrorReason> {
  constructor(reason: CertificateErrorReason, message: string, position = -1) {
    super(reason, message, position);
    this.name = "CertificateError";
  }
}

export const Oid = Object.freeze({
  EC_PUBLIC_KEY: "1.2.840.10045.2.1",
  PRIME256V1: "1.2.840.10045.3.1.7",
  SECP521R1: "1.3.132.0.35",
  ED448: "1.3.101.113",
  ECDSA_SHA256: "1.2.840.10045.4.3.2",
  ECDSA_SHA512: "1.2.840.10045.4.3.4",
  COMMON_NAME: "2.5.4.3",
  COUNTRY: "2.5.4.6",
  ORGANIZATION: "2.5.4.10",
  ORGANIZATIONAL_UNIT: "2.5.4.11",
  DOMAIN_COMPONENT: "0.9.2342.19200300.100.1.25",
  SUBJECT_KEY_IDENTIFIER: "2.5.29.14",
  KEY_USAGE: "2.5.29.15",
  SUBJECT_ALT_NAME: "2.5.29.17",
  BASIC_CONSTRAINTS: "2.5.29.19",
  CRL_DISTRIBUTION_POINTS: "2.5.29.31",
  CERTIFICATE_POLICIES: "2.5.29.32",
  AUTHORITY_KEY_IDENTIFIER: "2.5.29.35",
  EXTENDED_KEY_USAGE: "2.5.29.37",
  AUTHORITY_INFO_ACCESS: "1.3.6.1.5.5.7.1.1",
});

/** KeyUsage bits (RFC 5280 §4.2.1.3), as a bit mask: bit n of the BIT STRING → 1 << n. */
export const KeyUsage = Object.freeze({
  digitalSignature: 1 << 0,
  nonRepudiation: 1 << 1,
  keyEncipherment: 1 << 2,
  dataEncipherment: 1 << 3,
  keyAgreement: 1 << 4,
  keyCertSign: 1 << 5,
  cRLSign: 1 << 6,
  encipherOnly: 1 << 7,
  decipherOnly: 1 << 8,
});

/** Extensions the validation understands; a critical extension outside this list is refused. */
const KNOWN_EXTENSIONS: readonly string[] = Object.freeze([
  Oid.SUBJECT_KEY_IDENTIFIER,
  Oid.KEY_USAGE,
  Oid.SUBJECT_ALT_NAME,
  Oid.BASIC_CONSTRAINTS,
  Oid.CRL_DISTRIBUTION_POINTS,
  Oid.CERTIFICATE_POLICIES,
  Oid.AUTHORITY_KEY_IDENTIFIER,
  Oid.EXTENDED_KEY_USAGE,
  Oid.AUTHORITY_INFO_ACCESS,
]);

export interface NameAttribute {
  oid: string;
  value: string;
}

export interface Extension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING's content. */
  value: Uint8Array;
}

export interface Certificate {
  /** The whole certificate, DER. */
  der: Uint8Array;
  /** The signed part (tbsCertificate), DER: what the issuer's signature covers. */
  tbs: Uint8Array;
  version: number;
  /** Serial number magnitude, big-endian. */
  serial: Uint8Array;
  /** Issuer and subject Name, DER (compared bytewise: RFC 5280 §7.1's simple comparison, as the V2G PKI issues). */
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  issuer: NameAttribute[];
  subject: NameAttribute[];
  /** Validity in seconds since 1970 (UTC). */
  notBefore: number;
  notAfter: number;
  /** The subject key's scheme and raw public key (crypto.ts encodings). */
  keyScheme: SignatureScheme;
  publicKey: Uint8Array;
  /** The scheme the issuer signed with, and the raw signature (ECDSA r‖s). */
  signatureScheme: SignatureScheme;
  signature: Uint8Array;
  extensions: Extension[];
  /** basicConstraints: absent means an end entity. */
  isCa: boolean;
  pathLength: number | undefined;
  /** keyUsage mask (KeyUsage), undefined when the extension is absent. */
  keyUsage: number | undefined;
  subjectKeyId: Uint8Array | undefined;
  authorityKeyId: Uint8Array | undefined;
  /** An extension marked critical that this parser does not know (the certificate must be refused). */
  unknownCriticalExtension: string | undefined;
}

/** The first value of an attribute in a parsed Name (CN, DC, …). */
export function nameValue(name: NameAttribute[], oid: string): string | undefined {
  for (const attribute of name) if (attribute.oid === oid) return attribute.value;
  return undefined;
}

/** "CN=…, O=…" for log lines. */
export function nameText(name: NameAttribute[]): string {
  const short: Record<string, string> = {
    [Oid.COMMON_NAME]: "CN",
    [Oid.COUNTRY]: "C",
    [Oid.ORGANIZATION]: "O",
    [Oid.ORGANIZATIONAL_UNIT]: "OU",
    [Oid.DOMAIN_COMPONENT]: "DC",
  };
  return name.map((a) => `${short[a.oid] ?? a.oid}=${a.value}`).join(", ");
}

function malformed(message: string, at: number): CertificateError {
  return new CertificateError("certificate-malformed", message, at);
}

/** Strict UTF-8 (RFC 3629) to a string: overlong forms, surrogates and truncation refused. */
function utf8(bytes: Uint8Array, at: number): string {
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let cp: number;
    let extra: number;
    if (b < 0x80) [cp, extra] = [b, 0];
    else if (b >= 0xc2 && b < 0xe0) [cp, extra] = [b & 0x1f, 1];
    else if (b >= 0xe0 && b < 0xf0) [cp, extra] = [b & 0x0f, 2];
    else if (b >= 0xf0 && b < 0xf5) [cp, extra] = [b & 0x07, 3];
    else throw malformed("invalid UTF-8 in a name", at + i);
    if (i + extra >= bytes.length) throw malformed("truncated UTF-8 in a name", at + i);
    for (let k = 1; k <= extra; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) throw malformed("invalid UTF-8 in a name", at + i + k);
      cp = (cp << 6) | (c & 0x3f);
    }
    if ((extra === 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) || (extra === 3 && (cp < 0x10000 || cp > 0x10ffff))) {
      throw malformed("invalid UTF-8 in a name", at + i);
    }
    out += String.fromCodePoint(cp);
    i += extra + 1;
  }
  return out;
}

function directoryString(element: DerElement): string {
  switch (element.tag) {
    case DerTag.UTF8_STRING:
      return utf8(element.content, element.contentStart);
    case DerTag.PRINTABLE_STRING:
    case DerTag.IA5_STRING: {
      let out = "";
      for (let i = 0; i < element.content.length; i++) {
        if (element.content[i] > 0x7e) throw malformed("non-ASCII byte in an ASCII string", element.contentStart + i);
        out += String.fromCharCode(element.content[i]);
      }
      return out;
    }
    default:
      throw new CertificateError("certificate-unsupported", `name attribute string type 0x${element.tag.toString(16)}`, element.start);
  }
}

function parseName(bytes: Uint8Array, element: DerElement): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  const rdns = DerReader.inside(element, bytes);
  while (!rdns.done) {
    const set = DerReader.inside(rdns.next(DerTag.SET), bytes);
    while (!set.done) {
      const pair = DerReader.inside(set.next(DerTag.SEQUENCE), bytes);
      const oid = derOid(pair.next(DerTag.OID));
      const value = directoryString(pair.next());
      pair.finish();
      attributes.push({ oid, value });
    }
  }
  return attributes;
}

function digits(content: Uint8Array, from: number, count: number, at: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = content[i] - 0x30;
    if (d < 0 || d > 9) throw malformed("non-digit in a time", at + i);
    value = value * 10 + d;
  }
  return value;
}

/** UTCTime (YYMMDDHHMMSSZ, years 1950–2049) or GeneralizedTime (YYYYMMDDHHMMSSZ), RFC 5280 §4.1.2.5. */
export function parseTime(element: DerElement): number {
  const c = element.content;
  const at = element.contentStart;
  let year: number;
  let p: number;
  if (element.tag === DerTag.UTC_TIME && c.length === 13) {
    const yy = digits(c, 0, 2, at);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    p = 2;
  } else if (element.tag === DerTag.GENERALIZED_TIME && c.length === 15) {
    year = digits(c, 0, 4, at);
    p = 4;
  } else throw malformed("a time must be UTCTime or GeneralizedTime in seconds with Z", element.start);
  if (c[c.length - 1] !== 0x5a) throw malformed("a time must end in Z", element.start);
  const month = digits(c, p, 2, at);
  const day = digits(c, p + 2, 2, at);
  const hour = digits(c, p + 4, 2, at);
  const minute = digits(c, p + 6, 2, at);
  const second = digits(c, p + 8, 2, at);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) throw malformed("time out of range", element.start);
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
}

export function parseAlgorithm(bytes: Uint8Array, element: DerElement): { oid: string; parameter: DerElement | undefined } {
  const reader = DerReader.inside(element, bytes);
  const oid = derOid(reader.next(DerTag.OID));
  const parameter = reader.done ? undefined : reader.next();
  reader.finish();
  return { oid, parameter };
}

export function signatureSchemeOfOid(oid: string, at: number): SignatureScheme {
  if (oid === Oid.ECDSA_SHA256) return "ECDSA-P256-SHA256";
  if (oid === Oid.ECDSA_SHA512) return "ECDSA-P521-SHA512";
  if (oid === Oid.ED448) return "Ed448";
  throw new CertificateError("certificate-unsupported", `signature algorithm ${oid} (the V2G profiles use ecdsa-with-SHA256, ecdsa-with-SHA512, Ed448)`, at);
}

function parsePublicKey(bytes: Uint8Array, element: DerElement): { keyScheme: SignatureScheme; publicKey: Uint8Array } {
  const reader = DerReader.inside(element, bytes);
  const algorithmElement = reader.next(DerTag.SEQUENCE);
  const { oid, parameter } = parseAlgorithm(bytes, algorithmElement);
  const key = derBitStringBytes(reader.next(DerTag.BIT_STRING));
  reader.finish();
  let keyScheme: SignatureScheme;
  if (oid === Oid.ED448) {
    if (parameter) throw malformed("Ed448 keys have no parameters (RFC 8410 §3)", algorithmElement.start);
    keyScheme = "Ed448";
    if (key.length !== 57) throw malformed("an Ed448 public key is 57 bytes", element.start);
  } else if (oid === Oid.EC_PUBLIC_KEY && parameter?.tag === DerTag.OID) {
    const curve = derOid(parameter);
    if (curve === Oid.PRIME256V1) keyScheme = "ECDSA-P256-SHA256";
    else if (curve === Oid.SECP521R1) keyScheme = "ECDSA-P521-SHA512";
    else throw new CertificateError("certificate-unsupported", `curve ${curve}`, parameter.start);
    const expected = keyScheme === "ECDSA-P256-SHA256" ? 65 : 133;
    // Uncompressed points only: RFC 5480 §2.2 makes them mandatory to support, and the V2G PKIs issue them.
    if (key.length !== expected || key[0] !== 0x04) throw new CertificateError("certificate-unsupported", "EC public key not an uncompressed point", element.start);
  } else throw new CertificateError("certificate-unsupported", `public key algorithm ${oid}`, algorithmElement.start);
  return { keyScheme, publicKey: key };
}

function parseKeyUsage(extension: Extension, at: number): number {
  const element = new DerReader(extension.value).next(DerTag.BIT_STRING);
  const c = element.content;
  if (c.length === 0 || c[0] > 7 || (c.length === 1 && c[0] !== 0)) throw malformed("malformed keyUsage", at);
  let mask = 0;
  for (let i = 1; i < c.length && i <= 2; i++) {
    for (let bit = 0; bit < 8; bit++) if (c[i] & (0x80 >> bit)) mask |= 1 << ((i - 1) * 8 + bit);
  }
  return mask;
}

/** Parses one DER certificate. Throws CertificateError (or DerError) for anything malformed or outside the profiles. */
export function parseCertificate(der: Uint8Array): Certificate {
  try {
    return parse(der);
  } catch (error) {
    if (error instanceof DerError) throw new CertificateError("certificate-malformed", error.message, error.position);
    throw error;
  }
}

function parse(der: Uint8Array): Certificate {
  const top = new DerReader(der);
  const certificate = top.next(DerTag.SEQUENCE);
  top.finish();
  const outer = DerReader.inside(certificate, der);
  const tbsElement = outer.next(DerTag.SEQUENCE);
  const outerAlgorithm = parseAlgorithm(der, outer.next(DerTag.SEQUENCE));
  const signatureBits = derBitStringBytes(outer.next(DerTag.BIT_STRING));
  outer.finish();

  const tbs = DerReader.inside(tbsElement, der);
  let version = 1;
  const versionWrapper = tbs.optional(0xa0);
  if (versionWrapper) {
    const inner = DerReader.inside(versionWrapper, der);
    version = derSmallInteger(inner.next(DerTag.INTEGER)) + 1;
    inner.finish();
  }
  if (version !== 3) throw new CertificateError("certificate-unsupported", `X.509 version ${version} (the profiles require v3)`, tbsElement.start);
  const serial = derUnsignedInteger(tbs.next(DerTag.INTEGER));
  const innerAlgorithmElement = tbs.next(DerTag.SEQUENCE);
  const innerAlgorithm = parseAlgorithm(der, innerAlgorithmElement);
  // RFC 5280 §4.1.1.2: the two algorithm fields must be the same.
  if (innerAlgorithm.oid !== outerAlgorithm.oid) throw malformed("signature algorithm differs inside and outside the signed part", innerAlgorithmElement.start);
  const signatureScheme = signatureSchemeOfOid(outerAlgorithm.oid, innerAlgorithmElement.start);
  if (innerAlgorithm.parameter || outerAlgorithm.parameter) throw malformed("ECDSA and Ed448 signature algorithms have no parameters", innerAlgorithmElement.start);
  const issuerElement = tbs.next(DerTag.SEQUENCE);
  const validity = DerReader.inside(tbs.next(DerTag.SEQUENCE), der);
  const notBefore = parseTime(validity.next());
  const notAfter = parseTime(validity.next());
  validity.finish();
  const subjectElement = tbs.next(DerTag.SEQUENCE);
  const { keyScheme, publicKey } = parsePublicKey(der, tbs.next(DerTag.SEQUENCE));
  tbs.optional(0x81); // issuerUniqueID, not used by the profiles
  tbs.optional(0x82); // subjectUniqueID
  const extensions: Extension[] = [];
  const extensionsWrapper = tbs.optional(0xa3);
  tbs.finish();
  if (extensionsWrapper) {
    const wrapper = DerReader.inside(extensionsWrapper, der);
    const list = DerReader.inside(wrapper.next(DerTag.SEQUENCE), der);
    wrapper.finish();
    while (!list.done) {
      const item = DerReader.inside(list.next(DerTag.SEQUENCE), der);
      const oid = derOid(item.next(DerTag.OID));
      const criticalElement = item.optional(DerTag.BOOLEAN);
      // DER: BOOLEAN TRUE is 0xFF, and a DEFAULT FALSE is never encoded (X.690 §11.1, §11.5).
      if (criticalElement && (criticalElement.content.length !== 1 || criticalElement.content[0] !== 0xff)) throw malformed("critical flag not DER TRUE", criticalElement.start);
      const value = item.next(DerTag.OCTET_STRING).content;
      item.finish();
      if (extensions.some((e) => e.oid === oid)) throw malformed(`extension ${oid} twice (RFC 5280 §4.2)`, list.position);
      extensions.push({ oid, critical: criticalElement !== undefined, value });
    }
  }

  let isCa = false;
  let pathLength: number | undefined;
  let keyUsage: number | undefined;
  let subjectKeyId: Uint8Array | undefined;
  let authorityKeyId: Uint8Array | undefined;
  let unknownCriticalExtension: string | undefined;
  for (const extension of extensions) {
    switch (extension.oid) {
      case Oid.BASIC_CONSTRAINTS: {
        const reader = new DerReader(extension.value);
        const constraints = DerReader.inside(reader.next(DerTag.SEQUENCE), extension.value);
        reader.finish();
        const ca = constraints.optional(DerTag.BOOLEAN);
        if (ca && (ca.content.length !== 1 || ca.content[0] !== 0xff)) throw malformed("basicConstraints cA not DER TRUE", certificate.start);
        isCa = ca !== undefined;
        const length = constraints.optional(DerTag.INTEGER);
        if (length) pathLength = derSmallInteger(length);
        constraints.finish();
        break;
      }
      case Oid.KEY_USAGE:
        keyUsage = parseKeyUsage(extension, certificate.start);
        break;
      case Oid.SUBJECT_KEY_IDENTIFIER:
        subjectKeyId = new DerReader(extension.value).next(DerTag.OCTET_STRING).content;
        break;
      case Oid.AUTHORITY_KEY_IDENTIFIER: {
        const reader = new DerReader(extension.value);
        const sequence = DerReader.inside(reader.next(DerTag.SEQUENCE), extension.value);
        authorityKeyId = sequence.optional(0x80)?.content;
        break;
      }
      default:
        if (extension.critical && KNOWN_EXTENSIONS.indexOf(extension.oid) < 0) unknownCriticalExtension = extension.oid;
    }
  }

  const signature =
    signatureScheme === "Ed448"
      ? signatureBits
      : ecdsaSignatureFromDer(signatureBits, signatureScheme === "ECDSA-P256-SHA256" ? 32 : 66);
  return {
    der: der.subarray(certificate.start, certificate.end),
    tbs: der.subarray(tbsElement.start, tbsElement.end),
    version,
    serial,
    issuerDer: der.subarray(issuerElement.start, issuerElement.end),
    subjectDer: der.subarray(subjectElement.start, subjectElement.end),
    issuer: parseName(der, issuerElement),
    subject: parseName(der, subjectElement),
    notBefore,
    notAfter,
    keyScheme,
    publicKey,
    signatureScheme,
    signature,
    extensions,
    isCa,
    pathLength,
    keyUsage,
    subjectKeyId,
    authorityKeyId,
    unknownCriticalExtension,
  };
}

/** PEM (RFC 7468) "CERTIFICATE" blocks → DER, in order. Base64 decoded here (the core has no atob). */
export function pemCertificates(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const pattern = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (const match of text.matchAll(pattern)) out.push(base64Decode(match[1]));
  return out;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function base64Decode(text: string): Uint8Array {
  const clean = text.replace(/[\s=]+/g, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let n = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = BASE64.indexOf(clean[i]);
    if (v < 0) throw new CertificateError("certificate-malformed", `invalid base64 character '${clean[i]}'`, i);
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}
