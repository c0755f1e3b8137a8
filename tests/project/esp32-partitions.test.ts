// @node-only — the ESP32's flash map and bootloader options for updates with rollback
// (hosts/esp32/sdkconfig/partitions.csv and sdkconfig.defaults; issue 18 item 5), read the way
// ESP-IDF's gen_esp32part.py reads a partition table, and checked against what the updater
// (hosts/esp32/ota/update-flash.ts) and the Moddable SDK look partitions up by. With $MODDABLE,
// mcconfig writes the esp32 makefile (no build) and the test reads what it hands to ESP-IDF; with
// $XS15118_ESP_IDF_SRC and python3, ESP-IDF's own gen_esp32part.py makes the binary table.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ESP_IDF_SRC } from "../support/esp-idf";

const ROOT = process.cwd();
const SDKCONFIG_DIR = path.join(ROOT, "hosts/esp32/sdkconfig");
const TABLE_FILE = path.join(SDKCONFIG_DIR, "partitions.csv");
const SDKCONFIG_FILE = path.join(SDKCONFIG_DIR, "sdkconfig.defaults");

// gen_esp32part.py (ESP-IDF v6.0): the table sits at CONFIG_PARTITION_TABLE_OFFSET and takes one
// 4 KiB sector; partitions follow it. App partitions start on 64 KiB boundaries, others on 4 KiB;
// an app's size is a multiple of 4 KiB (without Secure Boot v1). A name is the binary entry's
// 16-byte label field. otadata is exactly 0x2000.
const TABLE_OFFSET = 0x8000;
const TABLE_SIZE = 0x1000;
const APP = 0x00;
const DATA = 0x01;
const TYPES: Record<string, number> = { app: APP, data: DATA };
const SUBTYPES: Record<number, Record<string, number>> = {
  [APP]: { factory: 0x00, test: 0x20, ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`ota_${i}`, 0x10 + i])) },
  [DATA]: { ota: 0x00, phy: 0x01, nvs: 0x02, coredump: 0x03, nvs_keys: 0x04, efuse: 0x05, undefined: 0x06, esphttpd: 0x80, fat: 0x81, spiffs: 0x82, littlefs: 0x83 },
};
const OTADATA_SIZE = 0x2000;
const NAME_BYTES = 16;

interface Partition {
  name: string;
  type: number;
  subtype: number;
  offset: number;
  size: number;
  line: number;
}

/** gen_esp32part.py's parse_int: decimal or 0x, a k/m suffix, or a keyword. */
function parseNumber(text: string, keywords: Record<string, number> = {}): number {
  const suffix = /^(.*)([km])$/i.exec(text);
  if (suffix) return parseNumber(suffix[1], keywords) * (suffix[2].toLowerCase() === "k" ? 1024 : 1024 * 1024);
  if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) return Number(text);
  const value = keywords[text.toLowerCase()];
  if (value === undefined) throw new Error(`'${text}' is not a number or a known keyword`);
  return value;
}

const alignmentOf = (type: number) => (type === APP ? 0x10000 : 0x1000);

/** Parses and verifies a partition table CSV as gen_esp32part.py does; throws on what it refuses. */
function parseTable(csv: string, flashSize: number): Partition[] {
  const table: Partition[] = [];
  let lastEnd = TABLE_OFFSET + TABLE_SIZE;
  csv.split(/\r?\n/).forEach((raw, index) => {
    const text = raw.trim();
    if (text === "" || text.startsWith("#")) return;
    const fields = `${text},,,,`.split(",").map((f) => f.trim());
    const line = index + 1;
    const type = parseNumber(fields[1], TYPES);
    if (fields[2] === "" && type === APP) throw new Error(`line ${line}: an app partition needs a subtype`);
    const subtype = fields[2] === "" ? SUBTYPES[DATA].undefined : parseNumber(fields[2], SUBTYPES[type] ?? {});
    if (fields[4] === "") throw new Error(`line ${line}: no size`);
    const size = parseNumber(fields[4]);
    let offset: number;
    if (fields[3] === "") {
      const align = alignmentOf(type);
      offset = Math.ceil(lastEnd / align) * align;
    } else {
      offset = parseNumber(fields[3]);
      if (offset < lastEnd) throw new Error(`line ${line}: partitions overlap: offset 0x${offset.toString(16)}, previous end 0x${lastEnd.toString(16)}`);
    }
    table.push({ name: fields[0], type, subtype, offset, size, line });
    lastEnd = offset + size;
  });
  for (const p of table) {
    if (p.offset % alignmentOf(p.type) !== 0) throw new Error(`${p.name}: offset 0x${p.offset.toString(16)} is not aligned to 0x${alignmentOf(p.type).toString(16)}`);
    if (p.type === APP && p.size % 0x1000 !== 0) throw new Error(`${p.name}: size 0x${p.size.toString(16)} is not aligned to 0x1000`);
    if (Buffer.byteLength(p.name) > NAME_BYTES) throw new Error(`${p.name}: a name has at most ${NAME_BYTES} bytes`);
  }
  const names = table.map((p) => p.name);
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length > 0) throw new Error(`partition names must be unique: ${repeated.join(", ")}`);
  const sorted = [...table].sort((a, b) => a.offset - b.offset);
  sorted.forEach((p, i) => {
    if (i > 0 && p.offset < sorted[i - 1].offset + sorted[i - 1].size) throw new Error(`${p.name} overlaps ${sorted[i - 1].name}`);
  });
  const otadata = table.filter((p) => p.type === DATA && p.subtype === SUBTYPES[DATA].ota);
  if (otadata.length > 1) throw new Error("more than one otadata partition");
  if (otadata.length === 1 && otadata[0].size !== OTADATA_SIZE) throw new Error("otadata must be 0x2000");
  const end = Math.max(...table.map((p) => p.offset + p.size));
  if (end > flashSize) throw new Error(`the table ends at 0x${end.toString(16)}, beyond the ${flashSize / 0x100000} MB flash`);
  return table;
}

/** The CONFIG_ lines of an sdkconfig.defaults ("n" for `# … is not set`). */
function readSdkconfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const unset = /^# (CONFIG_\w+) is not set/.exec(line);
    if (unset) values.set(unset[1], "n");
    const set = /^(CONFIG_\w+)=(.*)$/.exec(line.trim());
    if (set) values.set(set[1], set[2]);
  }
  return values;
}

/** The flash size the sdkconfig selects (CONFIG_ESPTOOLPY_FLASHSIZE_<n>MB=y). */
function flashSizeOf(config: Map<string, string>): number {
  const chosen = [...config].filter(([name, value]) => /^CONFIG_ESPTOOLPY_FLASHSIZE_\d+MB$/.test(name) && value === "y");
  assert.equal(chosen.length, 1, `one flash size is chosen: ${chosen.map(([n]) => n).join(", ")}`);
  return Number(/(\d+)MB$/.exec(chosen[0][0])![1]) * 0x100000;
}

/** The partitions update-flash.ts opens, by region (its PATHS table). */
function updaterPaths(): Record<string, string> {
  const source = fs.readFileSync(path.join(ROOT, "hosts/esp32/ota/update-flash.ts"), "utf8");
  const table = /const PATHS[^=]*=\s*Object\.freeze\(\{([^}]*)\}\)/.exec(source);
  assert.ok(table, "update-flash.ts has its PATHS table");
  return Object.fromEntries([...table[1].matchAll(/"?([\w-]+)"?\s*:\s*"([^"]+)"/g)].map((m) => [m[1], m[2]]));
}

// What the Moddable SDK 8.2.3 looks partitions up by (modules/io/flash/esp32/flash-esp32.c,
// xs_flashstorage_open; xs/platforms/esp/xsHost.c for the mod loader): "xs" is the partition of
// type 0x40, subtype 1, whatever its name; "nextota" is esp_ota_get_next_update_partition; any
// other path is a data partition of that name, of any subtype.
const MOD_TYPE = 0x40;
const MOD_SUBTYPE = 1;

const config = readSdkconfig(fs.readFileSync(SDKCONFIG_FILE, "utf8"));
const flashSize = flashSizeOf(config);
const table = parseTable(fs.readFileSync(TABLE_FILE, "utf8"), flashSize);
const byName = (name: string) => table.find((p) => p.name === name);

test("the partition table is valid as gen_esp32part.py reads it and fits the configured flash", () => {
  assert.equal(flashSize, 8 * 0x100000, "8 MB: two slots of this firmware do not fit 4 MB (partitions.csv)");
  for (const p of table) assert.ok(p.offset >= TABLE_OFFSET + TABLE_SIZE, `${p.name} lies after the partition table`);
  assert.equal(byName("nvs")?.subtype, SUBTYPES[DATA].nvs, "the preferences' NVS partition is named nvs");
  assert.deepEqual([byName("nvs")?.offset, byName("nvs")?.size], [0x9000, 0x6000], "nvs where the SDK's own table has it");
});

test("the checker refuses what gen_esp32part.py refuses", () => {
  const good = "nvs, data, nvs, 0x9000, 0x6000,\nota_0, app, ota_0, 0x10000, 0x100000,\n";
  assert.equal(parseTable(good, 0x400000).length, 2);
  assert.throws(() => parseTable("ota_0, app, ota_0, 0x18000, 0x100000,\n", 0x400000), /not aligned to 0x10000/);
  assert.throws(() => parseTable("nvs, data, nvs, 0x9000, 0x8000,\nphy, data, phy, 0xf000, 0x1000,\n", 0x400000), /overlap/);
  assert.throws(() => parseTable("nvs, data, nvs, 0x8000, 0x6000,\n", 0x400000), /overlap/);
  assert.throws(() => parseTable("a-name-of-17-byte, data, nvs, 0x9000, 0x6000,\n", 0x400000), /at most 16 bytes/);
  assert.throws(() => parseTable("ota_0, app, ota_0, 0x10000, 0x400000,\n", 0x400000), /beyond the 4 MB flash/);
  assert.throws(() => parseTable("otadata, data, ota, 0x9000, 0x1000,\n", 0x400000), /0x2000/);
  assert.throws(() => parseTable("ota_0, app, ota_0, 0x10000, 0x100800,\n", 0x400000), /size 0x100800/);
  // Offsets left out are filled in after the previous partition, aligned for the type.
  const filled = parseTable("nvs, data, nvs, , 0x6000,\nota_0, app, ota_0, , 1M,\n", 0x400000);
  assert.deepEqual(filled.map((p) => p.offset), [0x9000, 0x10000]);
});

test("two equal app slots and otadata, no factory app: what embedded:update and the rollback need", () => {
  const apps = table.filter((p) => p.type === APP);
  assert.deepEqual(apps.map((p) => p.name), ["ota_0", "ota_1"]);
  assert.deepEqual(apps.map((p) => p.subtype), [SUBTYPES[APP].ota_0, SUBTYPES[APP].ota_1]);
  assert.equal(apps[0].size, apps[1].size, "either slot takes the same image");
  const otadata = table.filter((p) => p.type === DATA && p.subtype === SUBTYPES[DATA].ota);
  assert.equal(otadata.length, 1);
  assert.equal(otadata[0].size, OTADATA_SIZE);
  // The firmware's estimate (partitions.csv): the JavaScript preload measured on the RP2350's
  // release link map (hosts/rp2350/README.md: 973,248 + 598,417 + 247,440 + ~30,600 B) and at most
  // ~1.15 MB of native code (XS, the SDK's C, ESP-IDF, lwIP, mbedTLS, Wi-Fi), not measured here.
  const estimate = 1_849_705 + 1_150_000;
  assert.ok(apps[0].size >= estimate, `a slot of ${apps[0].size} B holds the ${estimate} B estimate`);
});

test("the mod partitions are where the SDK and update-flash.ts look for them, and of one size", () => {
  const paths = updaterPaths();
  assert.deepEqual(paths, { firmware: "nextota", mod: "xs", "mod-staging": "xs-staging" });
  const mods = table.filter((p) => p.type === MOD_TYPE && p.subtype === MOD_SUBTYPE);
  assert.deepEqual(mods.map((p) => p.name), ["xs"], "exactly one partition the mod loader finds (type 0x40, subtype 1)");
  const staging = byName(paths["mod-staging"]);
  assert.ok(staging, `a partition named ${paths["mod-staging"]}`);
  assert.equal(staging.type, DATA, "embedded:storage/flash opens a named path as a data partition");
  assert.notEqual(staging.subtype, SUBTYPES[DATA].ota, "not a kind ESP-IDF itself uses");
  assert.equal(staging.size, mods[0].size, "a mod that fits the staging partition fits xs");
  // mcconfig (tools/mcmanifest.js) carves its own 256 KB `xs` out of a factory app for XS_MODS
  // unless the table names one `xs` of type data or 0x40: it does, and has no factory.
  assert.equal(table.filter((p) => p.type === APP && p.subtype === SUBTYPES[APP].factory).length, 0);
});

test("the bootloader is built with app rollback, image checks at boot, and no eFuse anti-rollback", () => {
  assert.equal(config.get("CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE"), "y");
  assert.equal(config.get("CONFIG_BOOTLOADER_APP_ANTI_ROLLBACK"), "n");
  assert.equal(config.get("CONFIG_BOOTLOADER_SKIP_VALIDATE_ALWAYS"), "n");
  assert.equal(config.get("CONFIG_PARTITION_TABLE_CUSTOM"), "y");
  assert.equal(Number(config.get("CONFIG_PARTITION_TABLE_OFFSET")), TABLE_OFFSET);
  // The sdkconfig folder is the board's (manifest.json); the flash map comes with the updates'
  // manifest, which the esp32 build includes (a "./" path there is relative to its own folder).
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "manifest.json"), "utf8"));
  assert.equal(path.resolve(ROOT, manifest.platforms.esp32.build.SDKCONFIGPATH), SDKCONFIG_DIR);
  assert.ok(manifest.platforms.esp32.include.includes("./hosts/esp32/ota/manifest.json"));
  const ota = path.join(ROOT, "hosts/esp32/ota");
  const otaManifest = JSON.parse(fs.readFileSync(path.join(ota, "manifest.json"), "utf8"));
  assert.equal(path.resolve(ota, otaManifest.build.PARTITIONS_FILE), TABLE_FILE);
});

const MODDABLE = process.env.MODDABLE ?? "";
const sdkSkip = !MODDABLE ? "$MODDABLE is not set: no Moddable SDK" : spawnSync("which", ["mcconfig"]).status !== 0 ? "mcconfig is not on the PATH" : false;

test("the Moddable SDK looks the partitions up as the table expects", { skip: sdkSkip }, () => {
  const flash = fs.readFileSync(path.join(MODDABLE, "modules/io/flash/esp32/flash-esp32.c"), "utf8");
  assert.match(flash, /strcmp\(partitionName, "xs"\)\)\s*flash\.partition = esp_partition_find_first\(0x40, 1,/);
  assert.match(flash, /strcmp\(partitionName, "nextota"\)\)\s*flash\.partition = esp_ota_get_next_update_partition\(NULL\)/);
  assert.match(flash, /esp_partition_find_first\(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_ANY, partitionName\)/);
  const host = fs.readFileSync(path.join(MODDABLE, "xs/platforms/esp/xsHost.c"), "utf8");
  assert.match(host, /gPartition = esp_partition_find_first\(0x40, 1,\s*NULL\)/, "the mod loader maps type 0x40, subtype 1");
});

test("mcconfig hands the table and the bootloader options to the ESP-IDF project", { skip: sdkSkip, timeout: 5 * 60_000 }, (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-esp32-partitions-"));
  t.after(() => fs.rmSync(out, { recursive: true, force: true }));
  const configured = spawnSync("mcconfig", ["-d", "-p", "esp32", "-o", out, "./manifest.json"], { encoding: "utf8", cwd: ROOT });
  assert.equal(configured.status, 0, configured.stdout + configured.stderr);
  const buildDir = path.join(out, "tmp/esp32/debug", path.basename(ROOT));
  const makefile = fs.readFileSync(path.join(buildDir, "makefile"), "utf8");
  // ESP-IDF reads CONFIG_PARTITION_TABLE_CUSTOM_FILENAME (default "partitions.csv") in the project
  // folder, PROJ_DIR = $(TMP_DIR)/xsProj-esp32, which mcconfig writes from PARTITIONS_FILE.
  // The manifest's build variable comes first; mcconfig's own assignment after it is the one make keeps.
  const assigned = [...makefile.matchAll(/^PARTITIONS_FILE = (.*)$/gm)].map((m) => path.normalize(m[1]));
  assert.deepEqual(assigned, [TABLE_FILE, path.join(buildDir, "xsProj-esp32", "partitions.csv")]);
  assert.equal(fs.readFileSync(assigned[1], "utf8"), fs.readFileSync(TABLE_FILE, "utf8"), "copied unchanged: no factory to split, xs present");
  const merged = readSdkconfig(fs.readFileSync(path.join(buildDir, "xsProj-esp32", "sdkconfig.mc"), "utf8"));
  assert.equal(merged.get("CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE"), "y");
  assert.equal(merged.get("CONFIG_PARTITION_TABLE_CUSTOM"), "y");
  assert.equal(merged.get("CONFIG_PARTITION_TABLE_CUSTOM_FILENAME"), undefined, "left at ESP-IDF's default, partitions.csv");
  assert.equal(flashSizeOf(merged), flashSize, "the SDK's 4 MB choice is overridden");
  assert.notEqual(merged.get("CONFIG_BOOTLOADER_SKIP_VALIDATE_ALWAYS"), "y", "the SDK's skip of the boot-time image check is undone");
});

const GEN = path.join(ESP_IDF_SRC, "components/partition_table/gen_esp32part.py");
const idfSkip = !ESP_IDF_SRC
  ? "$XS15118_ESP_IDF_SRC is not set: no ESP-IDF sources (hosts/esp32/README.md, \"Compiling against ESP-IDF\")"
  : !fs.existsSync(GEN)
    ? `no ${GEN}`
    : spawnSync("python3", ["--version"]).status !== 0
      ? "no python3"
      : false;

test("ESP-IDF's gen_esp32part.py makes the binary table, entry for entry the same", { skip: idfSkip }, (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-esp32-partitions-"));
  t.after(() => fs.rmSync(out, { recursive: true, force: true }));
  const bin = path.join(out, "partition-table.bin");
  // As ESP-IDF's partition_table/CMakeLists.txt calls it for this sdkconfig (the SDK's
  // "# CONFIG_PARTITION_TABLE_MD5 is not set"; the ESP32's bootloader at 0x1000).
  const args = [GEN, "-q", "--flash-size", `${flashSize / 0x100000}MB`, "--offset", `0x${TABLE_OFFSET.toString(16)}`, "--primary-bootloader-offset", "0x1000", "--disable-md5sum", TABLE_FILE, bin];
  const made = spawnSync("python3", args, { encoding: "utf8" });
  assert.equal(made.status, 0, made.stderr);
  const data = fs.readFileSync(bin);
  const entries: Omit<Partition, "line">[] = [];
  for (let at = 0; at + 32 <= data.length && data[at] === 0xaa && data[at + 1] === 0x50; at += 32) {
    const label = data.subarray(at + 12, at + 28);
    const end = label.indexOf(0);
    entries.push({ name: label.subarray(0, end < 0 ? 16 : end).toString("ascii"), type: data[at + 2], subtype: data[at + 3], offset: data.readUInt32LE(at + 4), size: data.readUInt32LE(at + 8) });
  }
  assert.deepEqual(entries, table.map(({ line: _line, ...p }) => p));
  // The same table on the SDK's 4 MB flash is refused.
  const small = spawnSync("python3", [...args.slice(0, 2), "--flash-size", "4MB", ...args.slice(4, -1), path.join(out, "4mb.bin")], { encoding: "utf8" });
  assert.notEqual(small.status, 0);
  assert.match(small.stderr, /does not fit in configured flash size 4MB/);
});
