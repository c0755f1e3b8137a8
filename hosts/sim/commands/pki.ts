// `xs15118 pki init DIR [--profile iso2,iso20,iso20-ed448]`: a complete test PKI
// (hosts/sim/pki/test-pki.ts) written as PEM and DER (hosts/sim/pki/files.ts).
// `xs15118 pki nvs DIR --role R [--set k=v …] --csv OUT [--bin OUT]`: that layout and the
// station's settings as an ESP32 NVS partition (hosts/sim/pki/nvs-image.ts).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { CliIo, Command } from "../cli";
import { NodeCrypto } from "../crypto/node-crypto";
import { createTestPki, TEST_PKI_PROFILES, type TestPkiProfile } from "../pki/test-pki";
import { writeTestPki } from "../pki/files";
import { NvsImageError, nvsCsv, nvsPartition, nvsPartitionGen, pkiRows, settingsRows } from "../pki/nvs-image";
import { EXIT, EXIT_STATUS_HELP, UsageError, parseOptions, stringOption, usageError, type ParsedOptions } from "./options";

/** The board's flash map (hosts/esp32/README.md, "The bootloader and the flash map"): where the nvs partition is. */
const PARTITIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../esp32/sdkconfig/partitions.csv");

const USAGE = [
  "usage: xs15118 pki init DIR [--profile LIST]",
  "       xs15118 pki nvs DIR --role charger|vehicle [--profile LIST] [--set KEY=VALUE ...] --csv OUT.csv [--bin OUT.bin]",
  "",
  "Creates a test PKI as ISO 15118 lays it out, one folder per profile (default: all):",
  "  iso2         ECDSA secp256r1 / SHA-256 (ISO 15118-2)",
  "  iso20        ECDSA secp521r1 / SHA-512 (ISO 15118-20)",
  "  iso20-ed448  Ed448 (ISO 15118-20)",
  "Each holds V2G root → CPO Sub-CA 1 → Sub-CA 2 → SECC leaf (DC=CPO), V2G root → CPS Sub-CA 1 →",
  "Sub-CA 2 → CPS leaf, OEM root → OEM Sub-CA 1 → Sub-CA 2 → provisioning certificate, MO root →",
  "MO Sub-CA 1 → Sub-CA 2 → contract certificate (CN = eMAID): <name>.pem/.der, <name>.key.pem",
  "(PKCS#8, unencrypted), <leaf>-chain.pem and pki.json. Check with",
  "  openssl verify -CAfile DIR/iso2/v2g-root.pem -untrusted DIR/iso2/secc-chain.pem DIR/iso2/secc.pem",
  "",
  "pki nvs: what an ESP32 board with setting tls on reads, as the CSV of ESP-IDF's",
  "nvs_partition_gen.py (hosts/esp32/README.md, \"TLS on the board\"). DIR has the layout of pki init",
  "(for a real charger: the CPO's SECC chain and key in it). Namespace xs15118-pki: one file row per",
  "blob the board reads for --role (its own leaf only), under the board's NVS keys; namespace",
  "xs15118: role, tls on, and each --set (a station setting, checked as the board checks it).",
  "Refused with the reason: a missing file, a key that does not fit 15 characters, a blob over",
  "4000 bytes, a key file not belonging to its certificate, an unknown setting or a bad value.",
  "  --role R            charger (SECC leaf) or vehicle (OEM provisioning leaf, V2G root)",
  "  --profile LIST      the PKI profiles to put in (default: iso2 and iso20, as far as DIR has them;",
  "                      the board's station runs DIN and ISO 15118-2, so iso2 alone saves NVS)",
  "  --set KEY=VALUE     a station setting (repeatable), e.g. --set protocols=iso2 --set evseId=DE*ABC*E1",
  "  --csv FILE          where the CSV goes (its file rows name DIR's files by absolute path)",
  "  --bin FILE          also the partition image, by nvs_partition_gen.py generate (found via",
  "                      $IDF_PATH or $XS15118_ESP_IDF_SRC), sized as the nvs partition of",
  "                      hosts/esp32/sdkconfig/partitions.csv; prints the esptool line to flash it",
  "",
  EXIT_STATUS_HELP,
].join("\n");

const OPTIONS = [
  { name: "--profile", value: "LIST", synonyms: ["--profiles"] },
  { name: "--role", value: "charger|vehicle" },
  { name: "--set", value: "KEY=VALUE", repeatable: true },
  { name: "--csv", value: "FILE" },
  { name: "--bin", value: "FILE" },
];
const ACTION_OPTIONS: Record<"init" | "nvs", readonly string[]> = { init: ["--profile"], nvs: ["--role", "--profile", "--set", "--csv", "--bin"] };

const command: Command = {
  summary: "create a test PKI (V2G, CPO, CPS, OEM, MO hierarchies) for ISO 15118-2 and -20; put a station's PKI and settings into an ESP32 NVS image",
  usage: USAGE,
  run(args, io) {
    let dir: string;
    let profiles: TestPkiProfile[];
    try {
      const parsed = parseOptions("pki", args, OPTIONS, { positionals: 2, positionalName: "init DIR, or nvs DIR" });
      const [action, target] = parsed.positionals;
      if (action !== "init" && action !== "nvs") throw new UsageError("pki", action === undefined ? "expected: pki init DIR, or pki nvs DIR" : `unknown action '${action}' (init, nvs)`);
      if (target === undefined) throw new UsageError("pki", `expected a directory: pki ${action} DIR`);
      const foreign = [...parsed.values.keys()].find((name) => !ACTION_OPTIONS[action].includes(name));
      if (foreign !== undefined) throw new UsageError("pki", `${foreign} is not an option of pki ${action} (${ACTION_OPTIONS[action].join(", ")})`);
      if (action === "nvs") {
        for (const w of parsed.warnings) io.err(w);
        return nvs(target, parsed, io);
      }
      dir = target;
      const list = parsed.values.get("--profile");
      profiles = typeof list === "string" ? (list.split(",").map((p) => p.trim()) as TestPkiProfile[]) : [...TEST_PKI_PROFILES];
      const unknown = profiles.find((p) => TEST_PKI_PROFILES.indexOf(p) < 0);
      if (unknown !== undefined) throw new UsageError("pki", `unknown profile '${unknown}' (${TEST_PKI_PROFILES.join(", ")})`);
      for (const w of parsed.warnings) io.err(w);
    } catch (error) {
      if (error instanceof UsageError) return usageError(io, error);
      throw error;
    }
    const crypto = new NodeCrypto();
    const now = Math.floor(Date.now() / 1000);
    try {
      for (const profile of profiles) {
        const files = writeTestPki(dir, profile, createTestPki({ crypto, profile, now }));
        io.out(`${profile}: ${files.length} files in ${dir}/${profile}`);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "ENOTDIR" || code === "EEXIST" || code === "EROFS") {
        io.err(`xs15118 pki: cannot write to ${dir}: ${(error as Error).message}`);
        return EXIT.environment;
      }
      throw error;
    }
    return EXIT.ok;
  },
};

/** `pki nvs`: the CSV (and with --bin the image) for a board of one role; see USAGE. */
function nvs(dir: string, parsed: ParsedOptions, io: CliIo): number {
  const role = stringOption(parsed, "--role");
  if (role !== "charger" && role !== "vehicle") throw new UsageError("pki", role === undefined ? "pki nvs needs --role charger or --role vehicle" : `--role is charger or vehicle (got ${role})`);
  const csvFile = stringOption(parsed, "--csv");
  if (csvFile === undefined) throw new UsageError("pki", "pki nvs needs --csv FILE (where nvs_partition_gen.py's CSV goes)");
  const binFile = stringOption(parsed, "--bin");
  let text: string;
  let partition: { offset: number; size: number };
  let blobs: { key: string; bytes: number }[];
  try {
    const profiles = stringOption(parsed, "--profile")?.split(",").map((p) => p.trim());
    const files = pkiRows(dir, role, profiles);
    const settings = settingsRows(role, parsed.lists.get("--set") ?? []);
    partition = nvsPartition(PARTITIONS);
    text = nvsCsv([...files, ...settings.rows], `xs15118 pki nvs ${dir} --role ${role}: the station's PKI (namespace xs15118-pki) and settings (namespace xs15118)\nfor ESP-IDF's nvs_partition_gen.py generate; the nvs partition is ${partition.size} bytes at 0x${partition.offset.toString(16)}`);
    blobs = files.map((row) => ({ key: row.key, bytes: row.bytes ?? 0 }));
    io.out(`${role}: ${files.length} PKI blobs (${blobs.reduce((sum, b) => sum + b.bytes, 0)} bytes, largest ${Math.max(...blobs.map((b) => b.bytes))}), ${settings.rows.length} settings (${settings.rows.map((r) => `${r.key}=${r.value}`).join(" ")})`);
  } catch (error) {
    if (error instanceof NvsImageError) {
      io.err(`xs15118 pki nvs: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
  try {
    fs.writeFileSync(csvFile, text);
  } catch (error) {
    io.err(`xs15118 pki nvs: cannot write ${csvFile}: ${(error as Error).message}`);
    return EXIT.environment;
  }
  io.out(`wrote ${csvFile}`);
  if (binFile === undefined) return EXIT.ok;
  const generator = nvsPartitionGen(process.env);
  if ("missing" in generator) {
    io.err(`xs15118 pki nvs: no nvs_partition_gen.py for --bin: ${generator.missing}. The CSV is written: ${csvFile}`);
    return EXIT.environment;
  }
  const run = spawnSync("python3", [generator.script, "generate", csvFile, binFile, `0x${partition.size.toString(16)}`], { encoding: "utf8" });
  // The generator reports a bad row on stdout and exits non-zero, or -- as ESP-IDF v6.0's wrapper
  // around the esp-idf-nvs-partition-gen package -- fails to import it.
  if (run.status !== 0 || !fs.existsSync(binFile)) {
    const said = `${run.stdout ?? ""}${run.stderr ?? ""}`.trim();
    const noPackage = /No module named esp_idf_nvs_partition_gen/.test(said);
    io.err(`xs15118 pki nvs: ${generator.script} failed${run.error ? ` (${run.error.message})` : ""}: ${noPackage ? "python3 has no esp_idf_nvs_partition_gen: run it in ESP-IDF's Python environment (. $IDF_PATH/export.sh) or pip install esp-idf-nvs-partition-gen" : said}. The CSV is written: ${csvFile}`);
    return EXIT.environment;
  }
  io.out(`wrote ${binFile} (${fs.statSync(binFile).size} bytes, the nvs partition at 0x${partition.offset.toString(16)}); flash it with`);
  io.out(`  esptool.py --chip esp32 --port PORT write-flash 0x${partition.offset.toString(16)} ${binFile}`);
  return EXIT.ok;
}

export default command;
