// A complete test PKI as ISO 15118 lays it out (ISO 15118-2 Annex F, ISO 15118-20 Annex: the
// V2G, OEM, MO and CPS hierarchies, each root → Sub-CA 1 → Sub-CA 2 → leaf), for one of three
// key profiles: "iso2" (ECDSA secp256r1 with SHA-256), "iso20" (ECDSA secp521r1 with SHA-512),
// "iso20-ed448" (Ed448).
//
// Profile values where public sources state them:
//  - V2G root valid 40 years (Hubject's V2G PKI: "A V2G Root CA is always valid for 40 years",
//    support.hubject.com, Publications and Repository Responsibilities).
//  - CA certificates: basicConstraints critical cA with pathLenConstraint (Sub-CA 1: 1, Sub-CA 2:
//    0), keyUsage critical keyCertSign + cRLSign; Sub-CA 2 valid 1–2 years, SECC leaf 2–3 months,
//    contract 4 weeks–2 years; SECC leaf DC=CPO, keyUsage critical digitalSignature +
//    keyAgreement; contract DC=MO with the eMAID as CN (RISE V2G's ISO 15118-2 certificate
//    scripts and configurations, which state these as the standard's limits).
//  - Contract certificate keyUsage digitalSignature + nonRepudiation, 2 years (Entrust PKIaaS
//    V2G profiles, "v2g-user-identity"); SECC 1 year there, we keep the shorter 60 days.
//  - Key identifiers: RFC 7093 §2 (leftmost 160 bits of SHA-256), as Entrust's profile states.
// Where they are silent (OEM and MO roots, the CPS leaf's lifetime), the values are the ones
// the RISE V2G scripts use.

import type { CryptoHost, SignatureScheme } from "../../../modules/pki-store/index";
import { buildCertificate, encodeName, keyIdentifier, KeyUsage, type NameSpec, type SigningKey } from "./certificate-builder";

export type TestPkiProfile = "iso2" | "iso20" | "iso20-ed448";

export const TEST_PKI_PROFILES: readonly TestPkiProfile[] = ["iso2", "iso20", "iso20-ed448"];

export const PROFILE_SCHEME: Record<TestPkiProfile, SignatureScheme> = {
  iso2: "ECDSA-P256-SHA256",
  iso20: "ECDSA-P521-SHA512",
  "iso20-ed448": "Ed448",
};

/** The identities the leaves carry. */
export const TEST_IDENTITIES = Object.freeze({
  /** ISO 15118-20 SECC ID syntax: country, operator, "S", ≥ 32 characters of controller ID. */
  seccId: "DEXS1S00000000000000000000000000000001",
  /** eMAID: country, provider, instance (ISO 15118-2 identifier syntax, no check digit). */
  emaid: "DE-XS1-C12345678",
  /** PCID of the OEM provisioning certificate (17 characters plus an optional check digit). */
  pcid: "XSOEM000000000001",
});

const DAY = 86_400;
const YEAR = 365 * DAY;

export interface TestPkiEntity {
  /** File stem: "secc", "cpo-sub-ca-2", … */
  name: string;
  der: Uint8Array;
  key: SigningKey;
  /** The entity's chain for sending, leaf first, without the root (leaves only). */
  chain?: string[];
}

interface EntitySpec {
  name: string;
  subject: NameSpec;
  issuer?: string; // undefined: self-signed root
  lifetime: number;
  pathLength?: number; // CA with this pathLenConstraint; "leaf" when keyUsage has no keyCertSign
  ca: boolean;
  keyUsage: number;
}

const CA_USAGE = KeyUsage.keyCertSign | KeyUsage.cRLSign;
const O = "xs15118 test PKI";

function hierarchy(): EntitySpec[] {
  const ca = (name: string, cn: string, dc: string, issuer: string | undefined, lifetime: number, pathLength: number | undefined): EntitySpec => ({
    name,
    subject: { commonName: cn, organization: O, country: "DE", domainComponent: dc },
    issuer,
    lifetime,
    pathLength,
    ca: true,
    keyUsage: CA_USAGE,
  });
  const leaf = (name: string, cn: string, dc: string, issuer: string, lifetime: number, keyUsage: number): EntitySpec => ({
    name,
    subject: { commonName: cn, organization: O, country: "DE", domainComponent: dc },
    issuer,
    lifetime,
    ca: false,
    keyUsage,
  });
  return [
    ca("v2g-root", "xs15118 V2G Root CA", "V2G", undefined, 40 * YEAR, 2),
    ca("cpo-sub-ca-1", "xs15118 CPO Sub-CA 1", "V2G", "v2g-root", 4 * YEAR, 1),
    ca("cpo-sub-ca-2", "xs15118 CPO Sub-CA 2", "V2G", "cpo-sub-ca-1", YEAR, 0),
    leaf("secc", TEST_IDENTITIES.seccId, "CPO", "cpo-sub-ca-2", 60 * DAY, KeyUsage.digitalSignature | KeyUsage.keyAgreement),
    ca("cps-sub-ca-1", "xs15118 CPS Sub-CA 1", "V2G", "v2g-root", 4 * YEAR, 1),
    ca("cps-sub-ca-2", "xs15118 CPS Sub-CA 2", "V2G", "cps-sub-ca-1", 2 * YEAR, 0),
    leaf("cps-leaf", "xs15118 CPS Leaf", "CPS", "cps-sub-ca-2", 90 * DAY, KeyUsage.digitalSignature),
    ca("oem-root", "xs15118 OEM Root CA", "OEM", undefined, 10 * YEAR, 2),
    ca("oem-sub-ca-1", "xs15118 OEM Sub-CA 1", "OEM", "oem-root", 4 * YEAR, 1),
    ca("oem-sub-ca-2", "xs15118 OEM Sub-CA 2", "OEM", "oem-sub-ca-1", 4 * YEAR, 0),
    leaf("oem-prov", TEST_IDENTITIES.pcid, "OEM", "oem-sub-ca-2", 4 * YEAR, KeyUsage.digitalSignature | KeyUsage.keyAgreement),
    ca("mo-root", "xs15118 MO Root CA", "MO", undefined, 10 * YEAR, 2),
    ca("mo-sub-ca-1", "xs15118 MO Sub-CA 1", "MO", "mo-root", 4 * YEAR, 1),
    ca("mo-sub-ca-2", "xs15118 MO Sub-CA 2", "MO", "mo-sub-ca-1", 4 * YEAR, 0),
    leaf("contract", TEST_IDENTITIES.emaid, "MO", "mo-sub-ca-2", 2 * YEAR, KeyUsage.digitalSignature | KeyUsage.nonRepudiation),
  ];
}

/** The roots (trust anchors) of the test PKI. */
export const TEST_PKI_ROOTS = Object.freeze(["v2g-root", "oem-root", "mo-root"]);

export interface TestPkiOptions {
  crypto: CryptoHost;
  profile: TestPkiProfile;
  /** Issue time, seconds since 1970; certificates are valid from one hour before. */
  now: number;
  /** Overrides for tests: a lifetime (seconds) or start per entity name. */
  lifetimes?: Record<string, number>;
  notBefore?: Record<string, number>;
  /** Build only these entities and their issuers (tests in XS, where each key costs). */
  only?: readonly string[];
}

/** Builds every certificate and key of one profile, in memory. */
export function createTestPki(options: TestPkiOptions): Map<string, TestPkiEntity> {
  const { crypto, profile, now } = options;
  const scheme = PROFILE_SCHEME[profile];
  const entities = new Map<string, TestPkiEntity>();
  const names = new Map<string, Uint8Array>();
  const specs = hierarchy();
  const wanted = new Set<string>();
  for (const name of options.only ?? specs.map((s) => s.name)) {
    for (let spec = specs.find((s) => s.name === name); spec; spec = specs.find((s) => s.name === spec!.issuer)) wanted.add(spec.name);
  }
  for (const spec of specs) {
    if (!wanted.has(spec.name)) continue;
    const key = { scheme, ...crypto.generateSigningKey(scheme) };
    const subjectName = encodeName(spec.subject);
    const issuerEntity = spec.issuer ? entities.get(spec.issuer)! : undefined;
    const issuerKey = issuerEntity ? issuerEntity.key : key;
    const serial = crypto.randomBytes(8);
    serial[0] &= 0x7f; // positive, RFC 5280 §4.1.2.2
    serial[0] |= 0x01; // never zero
    const notBefore = options.notBefore?.[spec.name] ?? now - 3600;
    const der = buildCertificate(
      crypto,
      {
        subject: spec.subject,
        subjectKey: key,
        serial,
        notBefore,
        notAfter: notBefore + (options.lifetimes?.[spec.name] ?? spec.lifetime),
        ca: spec.ca ? { pathLength: spec.pathLength } : undefined,
        keyUsage: spec.keyUsage,
      },
      { name: issuerEntity ? names.get(spec.issuer!)! : subjectName, key: issuerKey, keyId: keyIdentifier(crypto, issuerKey.publicKey) },
    );
    names.set(spec.name, subjectName);
    const entity: TestPkiEntity = { name: spec.name, der, key };
    if (!spec.ca) {
      const chain = [spec.name];
      for (let up = spec.issuer; up && specs.find((s) => s.name === up)!.issuer; up = specs.find((s) => s.name === up)!.issuer) chain.push(up);
      entity.chain = chain;
    }
    entities.set(spec.name, entity);
  }
  return entities;
}
