// The station's PKI on the ESP32: the files `xs15118 pki init DIR` writes (DIR/<profile>/pki.json,
// <name>.der, <leaf>-chain.pem, <leaf>.key.pem), each one NVS blob in the namespace
// `xs15118-pki`, read with the Linux host's reader (hosts/linux/station-pki.ts) so both boards
// take the same layout, and turned into the station's TLS options (hosts/sim/crypto/station-secure.ts).
//
// NVS keys are at most 15 characters, and "iso20/oem-prov-chain.pem" is 24: a file's key is its
// path under DIR shortened by fixed rules (pkiPreferenceKey): the profile folder "iso2"/"iso20"
// becomes "2"/"20", "-chain.pem" ".c", ".key.pem" ".k", ".der" nothing, "pki.json" "pki" —
// e.g. 20/oem-prov.c. hosts/esp32/README.md ("TLS on the board") says how to provision them (an NVS
// image that `xs15118 pki nvs` makes, hosts/sim/pki/nvs-image.ts, or Preference.set over the console).

import { readStationPki } from "../linux/station-pki";
import { stationTls } from "../sim/crypto/station-secure";
import type { BoardTls, StationConfig } from "../../modules/station/index";
import type { CryptoHost } from "../../modules/pki-store/crypto";
import type { PkiStorage } from "../../modules/pki-store/storage";
import type { WallClock } from "../../modules/common/wall-clock";

/** The NVS namespace of the station's PKI (≤ 15 characters). */
export const PKI_DOMAIN = "xs15118-pki";

/** The folder readStationPki is given; its files' paths start with it. */
const ROOT = "pki";
const NVS_KEY_MAX = 15;
const PROFILE_KEYS: Readonly<Record<string, string>> = Object.freeze({ iso2: "2", iso20: "20" });
const SUFFIXES: readonly (readonly [string, string])[] = Object.freeze([Object.freeze(["-chain.pem", ".c"] as const), Object.freeze([".key.pem", ".k"] as const), Object.freeze([".der", ""] as const)]);

/**
 * The NVS key of one file of the `xs15118 pki init` layout, from its path under the PKI folder
 * ("iso2/secc-chain.pem" → "2/secc.c"); undefined for a file the board does not keep (another
 * profile, a .pem copy of a certificate, or a name that would not fit 15 characters).
 */
export function pkiPreferenceKey(path: string): string | undefined {
  const slash = path.indexOf("/");
  const profile = PROFILE_KEYS[path.slice(0, slash)];
  if (slash < 0 || profile === undefined) return undefined;
  const file = path.slice(slash + 1);
  let name: string | undefined = file === "pki.json" ? "pki" : undefined;
  for (const [suffix, short] of SUFFIXES) if (name === undefined && file.endsWith(suffix)) name = file.slice(0, -suffix.length) + short;
  const key = name === undefined ? undefined : `${profile}/${name}`;
  return key !== undefined && key.length <= NVS_KEY_MAX ? key : undefined;
}

/** The board's TLS: `over` the engine's classes, the PKI read from `storage` (NVS) when the station starts. */
export function boardTls(o: { storage: PkiStorage; crypto: CryptoHost; wall: WallClock; over: BoardTls["over"] }): BoardTls {
  return {
    over: o.over,
    store: `NVS ${PKI_DOMAIN}`,
    secure: (config: StationConfig) =>
      stationTls({
        role: config.role === "charger" ? "secc" : "evcc",
        protocols: config.protocols,
        pki: readBoardPki(o.storage, config.role),
        crypto: o.crypto,
        // Seconds since 1970 from the board's wall clock; without trusted time the V2G chain
        // checks run without validity periods (PkiStore: datesChecked false, a warning).
        now: () => {
          const ms = o.wall.now();
          return ms === undefined ? undefined : Math.floor(ms / 1000);
        },
      }),
  };
}

/**
 * The station's PKI from the board's storage, in the layout of `xs15118 pki init`, for the
 * board's `role` (its own leaf only: readStationPki); throws naming the NVS key that is missing.
 * `xs15118 pki nvs` writes what this reads.
 */
export function readBoardPki(storage: PkiStorage, role: "charger" | "vehicle"): ReturnType<typeof readStationPki> {
  if (storage.read("2/pki") === undefined && storage.read("20/pki") === undefined) {
    throw new Error(`no PKI in it (neither 2/pki nor 20/pki): provision the files of \`xs15118 pki init DIR\` (hosts/esp32/README.md, "TLS on the board")`);
  }
  let missing = "";
  try {
    return readStationPki(ROOT, (path) => {
      const key = pkiPreferenceKey(path.slice(ROOT.length + 1));
      const bytes = key === undefined ? undefined : storage.read(key);
      if (bytes === undefined) missing = key ?? path;
      else return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
      return undefined;
    }, role);
  } catch (error) {
    throw new Error(`${(error as Error).message}${missing ? ` (NVS key ${missing})` : ""}`);
  }
}
