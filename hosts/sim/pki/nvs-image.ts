// What `xs15118 pki nvs` puts into an ESP32's NVS partition: the station's PKI (a directory laid out
// as `xs15118 pki init DIR` writes it) in the namespace the board reads it from, and the station's
// settings in the namespace main.ts reads them from, as the CSV that ESP-IDF's nvs_partition_gen.py
// turns into a partition image.
//
// Which files go in, and under which keys, is the board's own answer: the board's loader
// (hosts/linux/station-pki.ts readStationPki, as hosts/esp32/station-pki.ts readBoardPki calls
// it) is run over DIR with a reader that records what it asks for, and each path is keyed with
// the board's pkiPreferenceKey. So the image holds exactly what that role's board reads.

import * as fs from "node:fs";
import * as nodeCrypto from "node:crypto";
import * as path from "node:path";
import { readStationPki, STATION_PKI_PROFILES } from "../../linux/station-pki";
import { PKI_DOMAIN, pkiPreferenceKey } from "../../esp32/station-pki";
import { parseStationConfig, STATION_PREFERENCE_DOMAIN, STATION_SETTINGS } from "../../../modules/station/index";
import type { StationConfig, StationRole } from "../../../modules/station/index";

/**
 * The largest value the board's Preference module takes: "On ESP32, the `Preference` class is
 * backed by the ESP-IDF's NVS Library which limits key/domain names to 15 characters and values
 * to 4000 bytes" (Moddable SDK, documentation/files/files.md, "Preference"; NVS's own limit for
 * strings, and for blobs in its version-1 layout).
 */
export const PREFERENCE_VALUE_MAX = 4000;
/** NVS keys and namespaces: NVS_KEY_NAME_MAX_SIZE 16 with the terminating NUL. */
export const NVS_KEY_MAX = 15;

/** One row of nvs_partition_gen.py's CSV (key,type,encoding,value). */
export interface NvsRow {
  namespace: string;
  key: string;
  type: "file" | "data";
  /** file: "binary" (the file's bytes, an NVS blob); data: "string" or "i32" (what Preference.get reads back as a string or a number). */
  encoding: "binary" | "string" | "i32";
  /** file: its absolute path; data: the value as text. */
  value: string;
  /** file: its size in bytes. */
  bytes?: number;
}

/** A refusal: the image would not give the board what it needs. `message` says which file, key or setting, and why. */
export class NvsImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NvsImageError";
  }
}

/**
 * The PKI rows for a board of `role`: the files its loader reads from `dir`, each under its NVS
 * key, checked. `profiles` (default: all the board reads, iso2 and iso20) leaves the others out:
 * the loader skips a profile without pki.json.
 */
export function pkiRows(dir: string, role: StationRole, profiles?: readonly string[]): NvsRow[] {
  const unread = profiles?.find((profile) => STATION_PKI_PROFILES.indexOf(profile as "iso2") < 0);
  if (unread !== undefined) throw new NvsImageError(`--profile ${unread}: the board reads the profiles ${STATION_PKI_PROFILES.join(", ")}`);
  const root = path.resolve(dir);
  const absent = profiles?.find((profile) => !fs.existsSync(path.join(root, profile, "pki.json")));
  if (absent !== undefined) throw new NvsImageError(`${dir}: --profile ${absent}, but there is no ${absent}/pki.json`);
  const rows: NvsRow[] = [];
  let pki: ReturnType<typeof readStationPki>;
  try {
    pki = readStationPki(root, (file) => {
      const left = profiles !== undefined && profiles.indexOf(path.basename(path.dirname(file))) < 0;
      if (left || !fs.existsSync(file)) return undefined;
      const bytes = fs.readFileSync(file);
      const relative = path.relative(root, file).split(path.sep).join("/");
      const key = pkiPreferenceKey(relative);
      if (key === undefined) throw new NvsImageError(`${relative} has no NVS key on the board (its name, shortened by pkiPreferenceKey, is over ${NVS_KEY_MAX} characters, or it is not a .der, -chain.pem, .key.pem or pki.json file): rename it in pki.json and DIR`);
      if (bytes.length > PREFERENCE_VALUE_MAX) throw new NvsImageError(`${relative} is ${bytes.length} bytes: the board's Preference takes at most ${PREFERENCE_VALUE_MAX} bytes a value (Moddable SDK, documentation/files/files.md)`);
      if (file.indexOf(",") >= 0 || file.indexOf('"') >= 0) throw new NvsImageError(`${file}: a path with a comma or a quote cannot be named in nvs_partition_gen.py's CSV`);
      rows.push({ namespace: PKI_DOMAIN, key, type: "file", encoding: "binary", value: file, bytes: bytes.length });
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    }, role);
  } catch (error) {
    if (error instanceof NvsImageError) throw error;
    // The loader names files by their path under the root: "DIR: iso2/secc.key.pem is missing".
    const message = (error as Error).message;
    throw new NvsImageError(message.startsWith(`${root}/`) ? `${dir}: ${message.slice(root.length + 1)}` : message.split(root).join(dir));
  }
  for (const [profile, entries] of pki) {
    for (const [name, entry] of entries) {
      if (!entry.key || !entry.chain) continue;
      checkKeyPair(`${profile}/${name}`, entry.der, entry.chain[0], entry.key.privateKey);
    }
  }
  return rows;
}

/**
 * The leaf's key file belongs to its certificate, and its chain file starts with that certificate
 * (what TLS sends): node:crypto's X509Certificate.checkPrivateKey, so that a CPO's files mixed up
 * are refused here rather than by the board's first handshake.
 */
function checkKeyPair(leaf: string, der: Uint8Array, chainPem: Uint8Array, keyPem: Uint8Array): void {
  let certificate: nodeCrypto.X509Certificate;
  let key: nodeCrypto.KeyObject;
  try {
    certificate = new nodeCrypto.X509Certificate(der);
  } catch (error) {
    throw new NvsImageError(`${leaf}.der is not a certificate: ${(error as Error).message}`);
  }
  try {
    key = nodeCrypto.createPrivateKey(Buffer.from(keyPem));
  } catch (error) {
    throw new NvsImageError(`${leaf}.key.pem is not a private key in PEM: ${(error as Error).message}`);
  }
  if (!certificate.checkPrivateKey(key)) throw new NvsImageError(`${leaf}.key.pem is not the private key of ${leaf}.der`);
  let first: nodeCrypto.X509Certificate;
  try {
    first = new nodeCrypto.X509Certificate(Buffer.from(chainPem));
  } catch (error) {
    throw new NvsImageError(`${leaf}-chain.pem holds no PEM certificate: ${(error as Error).message}`);
  }
  if (!first.raw.equals(certificate.raw)) throw new NvsImageError(`${leaf}-chain.pem does not start with ${leaf}.der (the leaf comes first, then its Sub-CAs)`);
}

/**
 * The settings rows: `role`, `tls on`, then each `key=value` of `sets`, checked by the station's
 * own parser (parseStationConfig; a value it would reject at boot is refused here with its
 * reason). Each is written as main.ts reads it back with Preference.get: an integer setting as
 * i32 (a number), anything else as a string (parseStationConfig takes numbers as text too; a
 * fractional number stays text, since Moddable's preference stores integers only).
 */
export function settingsRows(role: StationRole, sets: readonly string[]): { rows: NvsRow[]; config: StationConfig } {
  const values = new Map<string, string>([
    ["role", role],
    ["tls", "on"],
  ]);
  for (const set of sets) {
    const eq = set.indexOf("=");
    const key = eq > 0 ? set.slice(0, eq) : "";
    if (key === "") throw new NvsImageError(`--set ${set}: expected key=value`);
    if (!Object.prototype.hasOwnProperty.call(STATION_SETTINGS, key)) throw new NvsImageError(`--set ${set}: unknown setting '${key}' (the settings: ${Object.keys(STATION_SETTINGS).join(", ")})`);
    const value = set.slice(eq + 1);
    if (key === "role" && value !== role) throw new NvsImageError(`--set ${set}: the role is --role ${role} (the PKI is that role's)`);
    values.set(key, value);
  }
  const { config, problems } = parseStationConfig([{ name: "--set", values: Object.fromEntries(values) }]);
  if (problems.length > 0) throw new NvsImageError(`${problems[0].replace(/; kept the previous value$/, "")}${problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1).join("; ")})` : ""}`);
  const rows: NvsRow[] = [];
  for (const [key, value] of values) {
    const integer = typeof config[key as keyof StationConfig] === "number" && /^\s*-?\d+\s*$/.test(value) && Math.abs(Number(value)) <= 0x7fffffff;
    if (key.length > NVS_KEY_MAX) throw new NvsImageError(`setting ${key}: an NVS key has at most ${NVS_KEY_MAX} characters`);
    if (value.length > PREFERENCE_VALUE_MAX) throw new NvsImageError(`setting ${key}: ${value.length} characters; the board's Preference takes at most ${PREFERENCE_VALUE_MAX}`);
    rows.push({ namespace: STATION_PREFERENCE_DOMAIN, key, type: "data", encoding: integer ? "i32" : "string", value: integer ? String(Number(value)) : value });
  }
  return { rows, config };
}

/** The CSV nvs_partition_gen.py reads: its header, then each namespace's row before its entries. */
export function nvsCsv(rows: readonly NvsRow[], comment: string): string {
  const lines = [...comment.split("\n").map((line) => `# ${line}`), "key,type,encoding,value"];
  let namespace: string | undefined;
  for (const row of rows) {
    if (row.namespace !== namespace) {
      namespace = row.namespace;
      lines.push(`${csvField(namespace)},namespace,,`);
    }
    lines.push([row.key, row.type, row.encoding, row.value].map(csvField).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** A CSV field as Python's csv module reads it: quoted where it holds a comma, a quote or outer spaces. */
function csvField(text: string): string {
  return /[",\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The `nvs` partition of a partition table CSV (ESP-IDF's format: name, type, subtype, offset, size, flags). */
export function nvsPartition(tableFile: string): { offset: number; size: number } {
  for (const line of fs.readFileSync(tableFile, "utf8").split("\n")) {
    const fields = line.split("#")[0].split(",").map((f) => f.trim());
    if (fields[0] !== "nvs") continue;
    const offset = sizeValue(fields[3]);
    const size = sizeValue(fields[4]);
    if (offset === undefined || size === undefined) throw new NvsImageError(`${tableFile}: the nvs partition needs an explicit offset and size (got '${fields[3]}', '${fields[4]}')`);
    return { offset, size };
  }
  throw new NvsImageError(`${tableFile}: no partition named nvs`);
}

/** gen_esp32part.py's numbers: decimal or 0x hex, with an optional K or M suffix. */
function sizeValue(text: string | undefined): number | undefined {
  const match = /^(0x[0-9a-f]+|\d+)([km]?)$/i.exec(text ?? "");
  if (!match) return undefined;
  const scale = match[2].toLowerCase() === "k" ? 1024 : match[2].toLowerCase() === "m" ? 1024 * 1024 : 1;
  return Number(match[1]) * scale;
}

/** ESP-IDF's nvs_partition_gen.py from $IDF_PATH or $XS15118_ESP_IDF_SRC, or what to set to have it. */
export function nvsPartitionGen(env: Readonly<Record<string, string | undefined>>): { script: string } | { missing: string } {
  const relative = "components/nvs_flash/nvs_partition_generator/nvs_partition_gen.py";
  const tried: string[] = [];
  for (const name of ["IDF_PATH", "XS15118_ESP_IDF_SRC"]) {
    const root = env[name];
    if (!root) continue;
    const script = path.join(root, relative);
    if (fs.existsSync(script)) return { script };
    tried.push(`$${name}/${relative} (${script}) does not exist`);
  }
  return {
    missing: `${tried.length > 0 ? `${tried.join("; ")}: ` : ""}set IDF_PATH to an ESP-IDF tree (\`. $IDF_PATH/export.sh\` also gives its Python the generator's package) or XS15118_ESP_IDF_SRC to ESP-IDF's sources, with esp-idf-nvs-partition-gen installed for python3 (pip install esp-idf-nvs-partition-gen)`,
  };
}
