// @node-only — `xs15118 pki nvs`: the CSV for ESP-IDF's nvs_partition_gen.py that puts a station's
// PKI (the layout writeTestPki, i.e. `xs15118 pki init`, writes) and its settings into an ESP32's
// NVS, for each role; and its refusals (a missing file, a blob over Moddable's 4000-byte limit, a
// key that does not fit NVS, a key file of another certificate, an unknown setting or a bad value).
// The image itself, read back into the board's loader: tests/esp32/nvs-provisioning.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { createTestPki } from "../../hosts/sim/pki/test-pki";
import { writeTestPki } from "../../hosts/sim/pki/files";
import { bufferIo } from "../support/cli-io";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-pki-nvs-"));
test.after(() => fs.rmSync(work, { recursive: true, force: true }));

const crypto = new NodeCrypto();
const now = Math.floor(Date.now() / 1000);
const entities = { iso2: createTestPki({ crypto, profile: "iso2", now }), iso20: createTestPki({ crypto, profile: "iso20", now }) };

/** A fresh copy of the test PKI (iso2 and iso20) as `xs15118 pki init` lays it out. */
function pkiDir(name: string): string {
  const dir = path.join(work, name);
  writeTestPki(dir, "iso2", entities.iso2);
  writeTestPki(dir, "iso20", entities.iso20);
  return dir;
}

async function nvs(dir: string, ...args: string[]): Promise<{ status: number; out: string; err: string; csv?: string }> {
  const csv = path.join(work, `${path.basename(dir)}-${args.join("_").replace(/[^a-z0-9]+/gi, "-")}.csv`);
  const io = bufferIo();
  const status = await main(["pki", "nvs", dir, ...args, "--csv", csv], io);
  return { status, out: io.stdout.join("\n"), err: io.stderr.join("\n"), csv: fs.existsSync(csv) ? fs.readFileSync(csv, "utf8") : undefined };
}

/** The CSV's rows (comments dropped), each as [key, type, encoding, value]. */
function rows(csv: string): string[][] {
  return csv
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/));
}

const PKI_KEYS = {
  charger: ["pki", "v2g-root", "oem-root", "secc", "secc.c", "secc.k"],
  vehicle: ["pki", "v2g-root", "oem-root", "oem-prov", "oem-prov.c", "oem-prov.k"],
};

for (const role of ["charger", "vehicle"] as const) {
  test(`pki nvs --role ${role}: one file row per blob the ${role} board reads, under its NVS keys, then the settings`, async () => {
    const dir = pkiDir(`pki-${role}`);
    const run = await nvs(dir, "--role", role);
    assert.equal(run.status, 0, run.err);
    const table = rows(run.csv!);
    assert.deepEqual(table[0], ["key", "type", "encoding", "value"]);
    assert.deepEqual(table[1], ["xs15118-pki", "namespace", "", ""]);
    const files = table.filter((r) => r[1] === "file");
    const expected = ["iso2", "iso20"].flatMap((profile) => PKI_KEYS[role].map((name) => `${profile === "iso2" ? "2" : "20"}/${name}`));
    assert.deepEqual(files.map((r) => r[0]), expected);
    for (const [key, , encoding, file] of files) {
      assert.equal(encoding, "binary", key);
      assert.ok(path.isAbsolute(file) && file.startsWith(dir), file);
      assert.ok(key.length <= 15, key);
    }
    // The other role's private key never goes into this board's NVS.
    const other = role === "charger" ? "oem-prov.k" : "secc.k";
    assert.ok(!files.some((r) => r[0].endsWith(`/${other}`)), files.map((r) => r[0]).join(" "));
    // Each file row names the file the board's key stands for (pkiPreferenceKey's rules).
    const byKey = new Map(files.map((r) => [r[0], path.relative(dir, r[3])]));
    assert.equal(byKey.get("2/pki"), path.join("iso2", "pki.json"));
    assert.equal(byKey.get(`20/${PKI_KEYS[role][4]}`), path.join("iso20", `${PKI_KEYS[role][3]}-chain.pem`));
    assert.equal(byKey.get(`2/${PKI_KEYS[role][5]}`), path.join("iso2", `${PKI_KEYS[role][3]}.key.pem`));
    const at = table.findIndex((r) => r[0] === "xs15118");
    assert.deepEqual(table[at], ["xs15118", "namespace", "", ""]);
    assert.deepEqual(table.slice(at + 1), [
      ["role", "data", "string", role],
      ["tls", "data", "string", "on"],
    ]);
    assert.equal(table.length, 2 + files.length + 1 + 2);
    assert.match(run.out, new RegExp(`${role}: 12 PKI blobs \\(\\d+ bytes, largest \\d+\\), 2 settings`));
  });
}

test("pki nvs --profile iso2: only the ISO 15118-2 blobs (what the board's station uses); a profile the board does not read, or DIR lacks, is refused", async () => {
  const dir = pkiDir("pki-profile");
  let run = await nvs(dir, "--role", "charger", "--profile", "iso2");
  assert.equal(run.status, 0, run.err);
  assert.deepEqual(
    rows(run.csv!).filter((r) => r[1] === "file").map((r) => r[0]),
    PKI_KEYS.charger.map((name) => `2/${name}`),
  );
  run = await nvs(dir, "--role", "charger", "--profile", "iso2,iso20-ed448");
  assert.equal(run.status, 1);
  assert.equal(run.err, "xs15118 pki nvs: --profile iso20-ed448: the board reads the profiles iso2, iso20");
  fs.rmSync(path.join(dir, "iso20"), { recursive: true });
  run = await nvs(dir, "--role", "charger", "--profile", "iso20");
  assert.equal(run.status, 1);
  assert.equal(run.err, `xs15118 pki nvs: ${dir}: --profile iso20, but there is no iso20/pki.json`);
});

test("pki nvs --set: integer settings as i32 (Preference.get gives a number), the rest as strings; a list quoted for the CSV", async () => {
  const dir = pkiDir("pki-set");
  const run = await nvs(dir, "--role", "charger", "--set", "port=15118", "--set", "protocols=iso2,din", "--set", "evseId=DE*XS1*E0042", "--set", "maxCurrent=12.5", "--set", "ppPin=none", "--set", "tls=off");
  assert.equal(run.status, 0, run.err);
  const settings = rows(run.csv!).slice(rows(run.csv!).findIndex((r) => r[0] === "xs15118") + 1);
  assert.deepEqual(settings, [
    ["role", "data", "string", "charger"],
    ["tls", "data", "string", "off"],
    ["port", "data", "i32", "15118"],
    ["protocols", "data", "string", '"iso2,din"'],
    ["evseId", "data", "string", "DE*XS1*E0042"],
    // Moddable's preference stores integers only; parseStationConfig reads the number from the text.
    ["maxCurrent", "data", "string", "12.5"],
    ["ppPin", "data", "string", "none"],
  ]);
});

test("pki nvs refuses, naming what is wrong, and writes no CSV: a missing file, a blob over 4000 bytes, a name with no NVS key, a foreign key file", async () => {
  const missing = pkiDir("pki-missing");
  fs.rmSync(path.join(missing, "iso2", "secc.key.pem"));
  let run = await nvs(missing, "--role", "charger");
  assert.equal(run.status, 1);
  assert.equal(run.csv, undefined);
  assert.match(run.err, /^xs15118 pki nvs: .*pki-missing: iso2\/secc\.key\.pem is missing$/);
  // The vehicle does not read the SECC's key: the same directory is complete for it.
  assert.equal((await nvs(missing, "--role", "vehicle")).status, 0);

  const oversized = pkiDir("pki-oversized");
  const chain = path.join(oversized, "iso2", "secc-chain.pem");
  // Three more P-256 certificates in the chain (two fit: 5 certificates are ~3,900 bytes of PEM).
  for (const name of ["cpo-sub-ca-1", "cpo-sub-ca-2", "v2g-root"]) fs.appendFileSync(chain, fs.readFileSync(path.join(oversized, "iso2", `${name}.pem`)));
  const size = fs.statSync(chain).size;
  assert.ok(size > 4000, String(size));
  run = await nvs(oversized, "--role", "charger");
  assert.equal(run.status, 1);
  assert.equal(run.err, `xs15118 pki nvs: iso2/secc-chain.pem is ${size} bytes: the board's Preference takes at most 4000 bytes a value (Moddable SDK, documentation/files/files.md)`);

  const renamed = pkiDir("pki-renamed");
  const summaryFile = path.join(renamed, "iso2", "pki.json");
  const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
  summary.leaves.secc.chain = "charging-station-cpo-chain.pem"; // key 2/charging-station-cpo.c: 24 characters
  fs.writeFileSync(summaryFile, JSON.stringify(summary));
  fs.copyFileSync(path.join(renamed, "iso2", "secc-chain.pem"), path.join(renamed, "iso2", "charging-station-cpo-chain.pem"));
  run = await nvs(renamed, "--role", "charger");
  assert.equal(run.status, 1);
  assert.match(run.err, /^xs15118 pki nvs: iso2\/charging-station-cpo-chain\.pem has no NVS key on the board \(its name, shortened by pkiPreferenceKey, is over 15 characters/);

  const swapped = pkiDir("pki-swapped");
  fs.copyFileSync(path.join(swapped, "iso2", "oem-prov.key.pem"), path.join(swapped, "iso2", "secc.key.pem"));
  run = await nvs(swapped, "--role", "charger");
  assert.equal(run.status, 1);
  assert.equal(run.err, "xs15118 pki nvs: iso2/secc.key.pem is not the private key of iso2/secc.der");
  fs.writeFileSync(path.join(swapped, "iso2", "secc.key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  run = await nvs(swapped, "--role", "charger");
  assert.equal(run.status, 1);
  assert.match(run.err, /^xs15118 pki nvs: iso2\/secc\.key\.pem is not a private key in PEM: /);

  run = await nvs(path.join(work, "no-such-dir"), "--role", "charger");
  assert.equal(run.status, 1);
  assert.match(run.err, /no iso2 or iso20 PKI in it \(make one with: xs15118 pki init /);
});

test("pki nvs refuses an unknown setting, a bad value and a second role with the station's own reasons", async () => {
  const dir = pkiDir("pki-settings");
  let run = await nvs(dir, "--role", "charger", "--set", "maxAmps=200");
  assert.equal(run.status, 1);
  assert.match(run.err, /^xs15118 pki nvs: --set maxAmps=200: unknown setting 'maxAmps' \(the settings: role, protocols, transfer, mac, evseId, port, tls, maxVoltage, maxCurrent, /);
  run = await nvs(dir, "--role", "charger", "--set", "maxCurrent=lots");
  assert.equal(run.status, 1);
  assert.equal(run.err, "xs15118 pki nvs: --set: maxCurrent needs a number in 1..1000 (got lots)");
  run = await nvs(dir, "--role", "charger", "--set", "tls=yes");
  assert.equal(run.err, "xs15118 pki nvs: --set: tls is one of off, on (got yes)");
  run = await nvs(dir, "--role", "charger", "--set", "minVoltage=600");
  assert.equal(run.err, "xs15118 pki nvs: minVoltage 600 is above maxVoltage 500");
  run = await nvs(dir, "--role", "charger", "--set", "role=vehicle");
  assert.equal(run.err, "xs15118 pki nvs: --set role=vehicle: the role is --role charger (the PKI is that role's)");
  run = await nvs(dir, "--role", "charger", "--set", "novalue");
  assert.equal(run.err, "xs15118 pki nvs: --set novalue: expected key=value");
  assert.equal(run.csv, undefined);
});

test("pki nvs: usage errors exit 2; --bin without ESP-IDF says what to set, after writing the CSV", async () => {
  const dir = pkiDir("pki-usage");
  assert.equal((await nvs(dir)).status, 2);
  assert.equal((await nvs(dir, "--role", "bus")).status, 2);
  const io = bufferIo();
  assert.equal(await main(["pki", "nvs", dir, "--role", "charger"], io), 2);
  assert.match(io.stderr.join("\n"), /pki nvs needs --csv FILE/);
  assert.equal((await nvs(dir, "--role", "charger", "--bogus")).status, 2);
  assert.equal(await main(["pki", "init", dir, "--role", "charger"], bufferIo()), 2);

  const saved = { IDF_PATH: process.env.IDF_PATH, XS15118_ESP_IDF_SRC: process.env.XS15118_ESP_IDF_SRC };
  delete process.env.IDF_PATH;
  delete process.env.XS15118_ESP_IDF_SRC;
  try {
    const run = await nvs(dir, "--role", "charger", "--bin", path.join(work, "never.bin"));
    assert.equal(run.status, 3);
    assert.ok(run.csv !== undefined, "the CSV is written before the generator is looked for");
    assert.match(run.err, /no nvs_partition_gen\.py for --bin: set IDF_PATH to an ESP-IDF tree .* or XS15118_ESP_IDF_SRC to ESP-IDF's sources/);
    assert.ok(!fs.existsSync(path.join(work, "never.bin")));
  } finally {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
});
