// TLS for the stations of `xs15118 secc`, `evcc` and `sim` on Node: the station's PKI read from a
// test PKI directory (`xs15118 pki init DIR`), and an NSS key-log file for Wireshark and
// `xs15118 pcap --keylog`. The TLS options made of that PKI (profile, credentials, anchors, the
// V2G checks after each handshake) are portable: station-secure.ts, re-exported here.

import * as fs from "node:fs";
import * as path from "node:path";
import { readTestPki } from "../pki/files";
import { TEST_PKI_PROFILES, type TestPkiEntity, type TestPkiProfile } from "../pki/test-pki";
import type { StationPki, StationPkiEntry } from "./station-secure";

export { stationTls, tlsProfileFor } from "./station-secure";
export type { StationPki, StationPkiEntry, StationRole, StationTlsOptions } from "./station-secure";

/** Reads DIR/<profile>/ as `xs15118 pki init` wrote it (the profiles present). Throws naming the file on a problem. */
export function readStationPki(dir: string): StationPki {
  const profiles = new Map<TestPkiProfile, Map<string, TestPkiEntity>>();
  for (const profile of TEST_PKI_PROFILES) if (fs.existsSync(path.join(dir, profile, "pki.json"))) profiles.set(profile, readTestPki(dir, profile));
  if (profiles.size === 0) throw new Error(`${dir}: no test PKI in it (make one with: xs15118 pki init ${dir})`);
  return stationPkiFromMemory(profiles);
}

/** The station's view of test PKIs as createTestPki or readTestPki give them (per profile). */
export function stationPkiFromMemory(profiles: ReadonlyMap<TestPkiProfile, Map<string, TestPkiEntity>>): StationPki {
  const pki: StationPki = new Map();
  for (const [profile, entities] of profiles) {
    const entries = new Map<string, StationPkiEntry>();
    for (const entity of entities.values()) {
      entries.set(entity.name, {
        der: entity.der,
        ...(entity.chain ? { chain: entity.chain.map((n) => entities.get(n)!.der), key: { scheme: entity.key.scheme, privateKey: entity.key.privateKey } } : {}),
      });
    }
    pki.set(profile, entries);
  }
  return pki;
}

/** Appends NSS key-log lines to a file (Wireshark's "(Pre)-Master-Secret log filename", `xs15118 pcap --keylog`). */
export function keyLogFile(file: string): (line: string) => void {
  fs.writeFileSync(file, "", { mode: 0o600 });
  return (line: string) => fs.appendFileSync(file, `${line}\n`);
}
