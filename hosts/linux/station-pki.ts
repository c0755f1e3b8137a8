// The station's PKI store on a Linux board: certificates, keys and roots read from a directory
// laid out as `xs15118 pki init DIR` writes it (DIR/<profile>/<name>.der, <leaf>-chain.pem,
// <leaf>.key.pem, pki.json), as the StationPki that hosts/sim/crypto/station-secure.ts turns into a
// station's TLS options. Only what TLS needs is read — the station's own leaf (a charger's SECC
// certificate, a vehicle's OEM provisioning certificate) and the V2G and OEM roots — and only
// the profiles mbedTLS can use: iso2 (P-256) and iso20
// (P-521); mbedTLS 3.6 has no Ed448, so iso20-ed448 is left out (the README says what the
// firmware does instead). The leaves' chains and keys stay PEM: the engine parses them.

import type { StationPki, StationPkiEntry, StationPkiProfile } from "../sim/crypto/station-secure";
import type { SignatureScheme } from "../../modules/pki-store/crypto";

// Frozen: the ESP32 build preloads this module (hosts/esp32/station-pki.ts reads the same
// layout from NVS), and a preloaded module's top-level objects must be frozen (xsl warns).
export const STATION_PKI_PROFILES: readonly StationPkiProfile[] = Object.freeze(["iso2", "iso20"] as const);
// The leaf (of the ones pki.json lists) a station of one role presents (station-secure.ts): the charger its SECC certificate
// (ISO 15118-2 §7.7.4: the SECC is authenticated), the vehicle its OEM provisioning certificate
// (ISO 15118-20's TLS 1.3 client certificate). A board of one role then needs, and is
// provisioned with, only its own private key, never the other role's.
const ROLE_LEAVES = Object.freeze({ charger: Object.freeze(["secc"]), vehicle: Object.freeze(["oem-prov"]) });
const ROOTS = Object.freeze(["v2g-root", "oem-root"]);

/**
 * Reads the PKI under `dir` with the host's file reader (undefined: no such file). Throws naming
 * what is missing. Of the leaves, only the one `role` presents (ROLE_LEAVES).
 */
export function readStationPki(dir: string, readFile: (path: string) => ArrayBuffer | undefined, role: "charger" | "vehicle"): StationPki {
  const pki: StationPki = new Map();
  for (const profile of STATION_PKI_PROFILES) {
    const folder = `${dir}/${profile}`;
    const summaryFile = readFile(`${folder}/pki.json`);
    if (summaryFile === undefined) continue;
    const summary = JSON.parse(asciiText(new Uint8Array(summaryFile))) as { scheme: SignatureScheme; leaves: Record<string, { chain: string; key: string }> };
    const entries = new Map<string, StationPkiEntry>();
    const need = (file: string): Uint8Array => {
      const bytes = readFile(`${folder}/${file}`);
      if (bytes === undefined) throw new Error(`${folder}/${file} is missing`);
      return new Uint8Array(bytes);
    };
    for (const name of ROOTS) entries.set(name, { der: need(`${name}.der`) });
    for (const name of ROLE_LEAVES[role]) {
      const leaf = summary.leaves[name];
      if (leaf === undefined) continue;
      // The chain file holds leaf, Sub-CA 2 and Sub-CA 1 in PEM (what the peer is sent); the key is PKCS#8 PEM.
      entries.set(name, { der: need(`${name}.der`), chain: [need(leaf.chain)], key: { scheme: summary.scheme, privateKey: need(leaf.key) } });
    }
    pki.set(profile, entries);
  }
  if (pki.size === 0) throw new Error(`${dir}: no iso2 or iso20 PKI in it (make one with: xs15118 pki init ${dir})`);
  return pki;
}

/** pki.json is ASCII; decoded in slices (the runtime's stack holds only a few hundred arguments). */
function asciiText(bytes: Uint8Array): string {
  let text = "";
  for (let at = 0; at < bytes.length; at += 128) text += String.fromCharCode.apply(null, Array.from(bytes.subarray(at, at + 128)));
  return text;
}
