import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseStationConfig, STATION_DEFAULTS, STATION_SETTINGS } from "../../modules/station/index";

describe("parseStationConfig", () => {
  test("given no sources, then the defaults: a DC charger with the common ESP32 + QCA7000 pins", () => {
    const { config, problems } = parseStationConfig([]);
    assert.deepEqual(problems, []);
    assert.equal(config.role, "charger");
    assert.deepEqual(config.protocols, ["iso2", "din"]);
    assert.deepEqual(config.transfer, ["dc"]);
    assert.deepEqual(Array.from(config.mac), [2, 0, 0, 0, 0x0a, 1]);
    assert.equal(config.qcaSelect, 5);
    assert.equal(config.pilotOut, 25);
  });

  test("the manifest's values, then the board's preferences, override the defaults in that order", () => {
    const { config, problems } = parseStationConfig([
      { name: "manifest", values: { role: "secc", maxCurrent: 200, protocols: ["din"], file: { root: "/" } } },
      { name: "preference", values: { role: "vehicle", mac: "02:00:00:00:0e:07", protocols: "iso2,din", qcaHz: "4000000", pilotEnable: "none" } },
    ]);
    assert.deepEqual(problems, []);
    assert.equal(config.role, "vehicle");
    assert.equal(config.maxCurrent, 200);
    assert.deepEqual(config.protocols, ["iso2", "din"]);
    assert.deepEqual(Array.from(config.mac), [2, 0, 0, 0, 0x0e, 7]);
    assert.equal(config.qcaHz, 4_000_000);
    assert.equal(config.pilotEnable, undefined);
  });

  test("a bad value is reported with its source and key, and the previous value kept (the board still boots)", () => {
    const { config, problems } = parseStationConfig([
      { name: "preference", values: { role: "scooter", maxCurrent: 5000, mac: "ff:ff:ff:ff:ff:ff", qcaHz: 50_000_000, transfer: "dc,wireless", evseId: "" } },
    ]);
    assert.equal(config.role, "charger");
    assert.equal(config.maxCurrent, STATION_DEFAULTS.maxCurrent);
    assert.deepEqual(Array.from(config.mac), [2, 0, 0, 0, 0x0a, 1]);
    assert.equal(problems.length, 6);
    assert.match(problems[0], /^preference: role is one of charger, vehicle \(got scooter\)/);
    assert.ok(problems.some((p) => /mac needs a station MAC address/.test(p)), "a group address is refused");
    assert.ok(problems.some((p) => /qcaHz needs a number in 100000\.\.12000000/.test(p)));
  });

  test("AC with DIN 70121 only is reported (DIN is DC only)", () => {
    const { problems } = parseStationConfig([{ name: "manifest", values: { protocols: "din", transfer: "ac" } }]);
    assert.deepEqual(problems, ["DIN 70121 is DC only: AC needs iso2 among the protocols"]);
  });

  test("the vehicle's PP pin: none by default (a floating input would read as plugs coming and going); a preference sets it, \"none\" clears it", () => {
    assert.equal(parseStationConfig([]).config.ppPin, undefined);
    assert.equal(parseStationConfig([{ name: "preference", values: { ppPin: "36" } }]).config.ppPin, 36);
    assert.equal(parseStationConfig([{ name: "manifest", values: { ppPin: 36 } }, { name: "preference", values: { ppPin: "none" } }]).config.ppPin, undefined);
  });

  test("every setting's key fits an ESP32 NVS key (15 bytes), so each can be a preference", () => {
    for (const key of Object.keys(STATION_SETTINGS)) assert.ok(key.length <= 15, key);
  });

  test("each parse returns its own MAC bytes", () => {
    const a = parseStationConfig([]).config;
    a.mac[5] = 99;
    assert.equal(parseStationConfig([]).config.mac[5], 1);
  });
});
