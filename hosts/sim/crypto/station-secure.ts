// The TLS options of a station from its PKI — profile, credentials, trust anchors and the V2G
// checks after each handshake (PkiStore.validate) — for `xs15118 secc`, `evcc`, `sim` (through
// station-tls.ts, which reads the PKI directory on Node) and the Moddable Linux build
// (hosts/linux/station-pki.ts, which reads it through the native module). Portable: no node:
// imports, the crypto host is given.
//
//   charger: its SECC leaf per standard (iso2/secc: P-256 for TLS 1.2; iso20/secc: P-521,
//            iso20-ed448/secc: Ed448 for TLS 1.3), and the OEM roots the vehicles' TLS 1.3
//            certificates must lead to (ISO 15118-20 mutual authentication);
//   vehicle: the V2G roots the SECC's chain must lead to, and for TLS 1.3 its OEM provisioning
//            certificate as client certificate (iso20/oem-prov).
// The profile follows the protocols: -2 only → "iso2" (TLS 1.2), -20 only → "iso20" (TLS 1.3),
// both → "iso2+iso20" (the charger splits by ClientHello, the vehicle offers both versions and
// SAP then decides by the version negotiated).

import { MemoryPkiStorage, PkiStore } from "../../../modules/pki-store/index";
import type { ChainPurpose, CryptoHost, TlsCredentials, TlsPrivateKey, TlsProfile, TlsSecureOptions, TlsSessionInfo } from "../../../modules/pki-store/index";

/** The key profiles of a test PKI (hosts/sim/pki/test-pki.ts TestPkiProfile). */
export type StationPkiProfile = "iso2" | "iso20" | "iso20-ed448";

export type StationRole = "secc" | "evcc";

/** Which TLS profile a station runs for the protocols it offers. */
export function tlsProfileFor(protocols: readonly string[]): TlsProfile {
  const iso20 = protocols.indexOf("iso20") >= 0;
  const older = protocols.some((p) => p !== "iso20");
  return iso20 && older ? "iso2+iso20" : iso20 ? "iso20" : "iso2";
}

/** One certificate of a station's PKI: DER, and for a leaf its chain (leaf first, no root) and key. */
export interface StationPkiEntry {
  der: Uint8Array;
  chain?: Uint8Array[];
  key?: TlsPrivateKey;
}

/** The parts of a test PKI a station uses: per key profile, certificates by name ("v2g-root", "secc", …). */
export type StationPki = Map<StationPkiProfile, Map<string, StationPkiEntry>>;

function credentialsOf(pki: StationPki, profile: StationPkiProfile, leaf: string): TlsCredentials | undefined {
  const entry = pki.get(profile)?.get(leaf);
  return entry?.chain && entry.key ? { chain: entry.chain, key: entry.key } : undefined;
}

function rootsOf(pki: StationPki, profiles: readonly StationPkiProfile[], root: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const profile of profiles) {
    const der = pki.get(profile)?.get(root)?.der;
    if (der) out.push(der);
  }
  return out;
}

export interface StationTlsOptions {
  role: StationRole;
  protocols: readonly string[];
  pki: StationPki;
  crypto: CryptoHost;
  /** Seconds since 1970 for the V2G chain checks (the simulation's virtual wall clock, or now); undefined: no trusted time yet (a board's wall clock), the checks then skip validity periods. */
  now: () => number | undefined;
  onKeyLog?(line: string): void;
}

/**
 * The `secure` options of a station: profile, credentials and anchors from the PKI, and the V2G
 * checks of the peer's chain (PkiStore.validate): the vehicle checks the SECC chain (V2G root,
 * DC=CPO), the charger checks a TLS 1.3 vehicle's OEM chain. Throws when the PKI lacks a part.
 */
export function stationTls(o: StationTlsOptions): TlsSecureOptions {
  const profile = tlsProfileFor(o.protocols);
  const iso2 = profile !== "iso20";
  const iso20 = profile !== "iso2";
  const iso20Profiles: StationPkiProfile[] = ["iso20", "iso20-ed448"];
  const credentials: TlsCredentials[] = [];
  const need = (what: string, c: TlsCredentials | undefined): void => {
    if (c === undefined) throw new Error(`the PKI has no ${what} (xs15118 pki init makes it)`);
    credentials.push(c);
  };
  const store = new PkiStore({ storage: new MemoryPkiStorage(), crypto: o.crypto, now: o.now });
  let trustAnchors: Uint8Array[];
  let purpose: ChainPurpose;
  if (o.role === "secc") {
    if (iso2) need("ISO 15118-2 SECC certificate (iso2/secc)", credentialsOf(o.pki, "iso2", "secc"));
    if (iso20) {
      need("ISO 15118-20 SECC certificate (iso20/secc)", credentialsOf(o.pki, "iso20", "secc"));
      const ed448 = credentialsOf(o.pki, "iso20-ed448", "secc");
      if (ed448) credentials.push(ed448);
    }
    trustAnchors = iso20 ? rootsOf(o.pki, iso20Profiles, "oem-root") : [];
    for (const root of trustAnchors) store.addTrustAnchor("oem", root);
    purpose = "oem-provisioning";
  } else {
    // The vehicle's TLS 1.3 client certificate: its OEM provisioning certificate (P-521).
    if (iso20) need("ISO 15118-20 vehicle certificate (iso20/oem-prov)", credentialsOf(o.pki, "iso20", "oem-prov"));
    trustAnchors = rootsOf(o.pki, iso2 ? ["iso2", ...iso20Profiles] : iso20Profiles, "v2g-root");
    if (trustAnchors.length === 0) throw new Error("the PKI has no V2G root (xs15118 pki init makes it)");
    for (const root of trustAnchors) store.addTrustAnchor("v2g", root);
    purpose = "secc";
  }
  return {
    profile,
    credentials: credentials.length > 0 ? credentials : undefined,
    trustAnchors,
    onKeyLog: o.onKeyLog,
    checkPeer: (session: TlsSessionInfo) => {
      // A TLS 1.2 vehicle presents no certificate (ISO 15118-2: server authentication only).
      if (o.role === "secc" && session.peerChain.length === 0 && session.protocol === "TLSv1.2") return undefined;
      const result = store.validate(session.peerChain, purpose);
      return result.ok ? undefined : `${o.role === "secc" ? "vehicle" : "SECC"} certificate chain: ${result.failure}${result.detail ? ` (${result.detail})` : ""}`;
    },
  };
}

