// @node-only — `xs15118 pki nvs DIR --bin`: the NVS partition image ESP-IDF's own nvs_partition_gen.py
// makes from the command's CSV, read back with ESP-IDF's nvs_tool.py, gives the board what it
// reads at boot: its PKI loader (hosts/esp32/station-pki.ts readBoardPki, over a stand-in of the
// board's Preference holding the image's entries) gets a complete PKI for the role, which the
// station's TLS accepts, and main.ts's settings parse to the role, tls on and the --set values.
// Needs $XS15118_ESP_IDF_SRC and the generator's Python package (skips saying which is missing).
// A whole board session over TLS from such an image: tests/station/esp32-main.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { stationTls } from "../../hosts/sim/crypto/station-secure";
import { createTestPki } from "../../hosts/sim/pki/test-pki";
import { writeTestPki } from "../../hosts/sim/pki/files";
import { PKI_DOMAIN, readBoardPki } from "../../hosts/esp32/station-pki";
import { MemoryPkiStorage } from "../../modules/pki-store/storage";
import { parseStationConfig, STATION_PREFERENCE_DOMAIN, STATION_SETTINGS } from "../../modules/station/index";
import { nvsToolsSkip, readNvsImage } from "../support/esp-idf";
import { bufferIo } from "../support/cli-io";

const skip = nvsToolsSkip();

for (const role of ["charger", "vehicle"] as const) {
  test(`pki nvs --bin, read back with nvs_tool.py: the ${role} board's PKI loader gets a complete PKI and main.ts's settings parse as given`, { skip }, async (t) => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-nvs-image-"));
    t.after(() => fs.rmSync(work, { recursive: true, force: true }));
    const crypto = new NodeCrypto();
    const now = Math.floor(Date.now() / 1000);
    const dir = path.join(work, "pki");
    const written = [...writeTestPki(dir, "iso2", createTestPki({ crypto, profile: "iso2", now })), ...writeTestPki(dir, "iso20", createTestPki({ crypto, profile: "iso20", now }))];
    const image = path.join(work, "nvs.bin");
    const io = bufferIo();
    const started = Date.now();
    const status = await main(["pki", "nvs", dir, "--role", role, "--set", "port=15118", "--set", "protocols=iso2", "--set", "evseId=DE*XS1*E0042", "--csv", path.join(work, "nvs.csv"), "--bin", image], io);
    const generated = Date.now() - started;
    assert.equal(status, 0, io.stderr.join("\n"));
    assert.equal(fs.statSync(image).size, 0x6000, "the nvs partition's size (hosts/esp32/sdkconfig/partitions.csv)");
    assert.match(io.stdout.join("\n"), /esptool\.py --chip esp32 --port PORT write-flash 0x9000 .*nvs\.bin/);
    const nvs = readNvsImage(image);

    // The PKI, as the board reads it: the stand-in holds exactly the image's xs15118-pki blobs.
    const storage = new MemoryPkiStorage();
    const blobs: [string, number][] = [];
    for (const [name, value] of nvs) {
      if (!name.startsWith(`${PKI_DOMAIN}/`)) continue;
      assert.ok(value instanceof ArrayBuffer, `${name} is a blob`);
      storage.write(name.slice(PKI_DOMAIN.length + 1), new Uint8Array(value));
      blobs.push([name.slice(PKI_DOMAIN.length + 1), value.byteLength]);
    }
    const pki = readBoardPki(storage, role);
    assert.deepEqual([...pki.keys()], ["iso2", "iso20"]);
    const leaf = role === "charger" ? "secc" : "oem-prov";
    for (const profile of ["iso2", "iso20"] as const) {
      const entries = pki.get(profile)!;
      assert.deepEqual([...entries.keys()].sort(), ["oem-root", leaf, "v2g-root"].sort(), profile);
      // Byte for byte the files of DIR.
      const key = entries.get(leaf)!.key!.privateKey;
      assert.deepEqual(Buffer.from(key), fs.readFileSync(written.find((f) => f.endsWith(path.join(profile, `${leaf}.key.pem`)))!), `${profile}/${leaf}.key.pem`);
    }
    // Complete for the station's TLS (it throws naming what a role lacks).
    const secure = stationTls({ role: role === "charger" ? "secc" : "evcc", protocols: ["iso2"], pki, crypto, now: () => now });
    assert.ok(secure);
    if (role === "charger") assert.ok(!blobs.some(([k]) => k.endsWith("oem-prov.k")), "a charger's NVS holds no vehicle key");
    else assert.ok(!blobs.some(([k]) => k.endsWith("secc.k")), "a vehicle's NVS holds no SECC key");

    // The settings, as main.ts reads them: Preference.get of each setting, blobs ignored.
    const values: Record<string, unknown> = {};
    for (const key of Object.keys(STATION_SETTINGS)) {
      const value = nvs.get(`${STATION_PREFERENCE_DOMAIN}/${key}`);
      if (value !== undefined && !(value instanceof ArrayBuffer)) values[key] = value;
    }
    assert.deepEqual(values, { role, protocols: "iso2", evseId: "DE*XS1*E0042", port: 15118, tls: "on" });
    const { config, problems } = parseStationConfig([{ name: "preference", values }]);
    assert.deepEqual(problems, []);
    assert.equal(config.role, role);
    assert.equal(config.tls, "on");
    assert.equal(config.port, 15118);
    assert.deepEqual(config.protocols, ["iso2"]);
    const largest = blobs.reduce((a, b) => (b[1] > a[1] ? b : a));
    t.diagnostic(`${role}: ${blobs.length} blobs, ${blobs.reduce((s, b) => s + b[1], 0)} bytes, largest ${largest[0]} ${largest[1]} bytes; CSV to image ${generated} ms`);
  });
}
