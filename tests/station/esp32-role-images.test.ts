// @node-only — the single-role firmware images' mains (hosts/esp32/charger/main.ts,
// hosts/esp32/vehicle/main.ts) on the ESP32 stand-ins: each starts its own role, and refuses
// the other with a log line that says why, its updates still running.

import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { bundleOnStandIns, type StandInBundles } from "./support/esp32-bundles";

const CHARGER = "hosts/esp32/charger/main.ts";
const VEHICLE = "hosts/esp32/vehicle/main.ts";

let bundles: StandInBundles | undefined;
let mocks: any;
const traced: string[] = [];

before(async () => {
  bundles = await bundleOnStandIns([CHARGER, VEHICLE]);
  mocks = bundles.mocks;
  (globalThis as any).trace = (text: string) => traced.push(text.trimEnd());
});
after(() => bundles?.remove());

beforeEach(() => {
  bundles!.reset();
  traced.length = 0;
});

const boot = (entry: string): Promise<void> => bundles!.boot(entry);
const made = (kind: string): any[] => bundles!.made(kind);

describe("the single-role images on the ESP32 stand-ins", () => {
  test("the charger-only image starts a charger: +12 V, then 5 % PWM and SLAC once a vehicle is there", async () => {
    mocks.scope().config = { role: "charger" };
    await boot(CHARGER);
    assert.ok(traced.some((l) => /info main: xs15118 .* starting as charger \(charger-only image\)/.test(l)), traced.join("\n"));
    assert.equal(mocks.bench.pins.get(25), 1, "state A: a constant +12 V on the generator pin");
    mocks.bench.high = 9; // IEC 61851-1 state B
    mocks.run(1000);
    assert.deepEqual(mocks.bench.pwmWrites.at(-1), [25, 51], "5 % of 1024");
    assert.ok(traced.some((l) => /SLAC started/.test(l)), traced.join("\n"));
  });

  test("the vehicle-only image starts a vehicle: S2 on its pin, SLAC on the charger's 5 %", async () => {
    mocks.scope().config = { role: "vehicle" };
    await boot(VEHICLE);
    assert.ok(traced.some((l) => /starting as vehicle \(vehicle-only image\)/.test(l)), traced.join("\n"));
    assert.deepEqual(made("PWM"), [], "a vehicle drives no pilot PWM");
    assert.ok(made("Digital").some((o: any) => o.mode === "output"), "the S2 switch");
    mocks.bench.high = 9;
    mocks.bench.duty = 5;
    mocks.run(1500);
    assert.ok(traced.some((l) => /digital communication; SLAC started/.test(l)), traced.join("\n"));
  });

  for (const [entry, image, asked] of [[CHARGER, "charger", "vehicle"], [VEHICLE, "vehicle", "charger"]] as const) {
    test(`the ${image}-only image on a board set up as a ${asked} (preference role): no station, the reason in the log, updates still on`, async () => {
      mocks.scope().config = { role: image };
      mocks.scope().preferences.set("xs15118/role", asked);
      await boot(entry);
      const log = traced.join("\n");
      assert.ok(new RegExp(`error main: this is the ${image}-only image, which carries no ${asked} code, but the setting role is ${asked}: no station runs \\(set role ${image}, or install the ${asked} or the two-role image\\)`).test(log), log);
      assert.deepEqual(made("PWM"), [], "no pilot generator");
      assert.deepEqual(made("Analog"), [], "no pilot input opened");
      assert.ok(!/ station: /.test(log), "no station built");
      assert.ok(/ota: /.test(log), "the updater still starts (it is how the right image gets there)");
      mocks.bench.high = 9;
      mocks.bench.duty = 5;
      mocks.run(1500);
      assert.ok(!traced.some((l) => /SLAC started/.test(l)));
    });
  }
});
