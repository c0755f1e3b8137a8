// The simulated bidirectional power stages and the site around them (simulation/charger,
// simulation/site): a DC module and an AC inverter that carry energy both ways with a slew
// rate and an efficiency (losses booked apart), and deterministic house load, PV and price
// profiles behind the site energy manager. Virtual time only.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Millis } from "../../modules/common/index";
import { EnergyAccount, SimAcInverter, SimDcPowerModule } from "../../simulation/charger/index";
import { SimSiteEnergyManager, houseLoad, priceSignal, pvProfile } from "../../simulation/site/index";

const DC_LIMITS = { maxVoltage: 500, maxCurrent: 125, maxPower: 50_000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5 };

/** A battery at the DC output: 400 V open-circuit, 0.1 Ω; books what flows. */
function battery() {
  const b = { wh: 0, limits: { charge: 200, discharge: 200 } };
  return {
    b,
    load: {
      voltageAt: (current: number) => 400 + 0.1 * current,
      absorb: (power: number, ms: number) => (b.wh += (power * ms) / 3_600_000),
      currentLimits: () => b.limits,
    },
  };
}

describe("simulated bidirectional DC module", () => {
  test("a negative target takes current from the EV at the slew rate, within its discharge limits; losses booked apart", () => {
    const clock = new ManualClock();
    const module = new SimDcPowerModule({ clock, limits: DC_LIMITS, discharge: { maxPower: 11_000, maxCurrent: 30 }, efficiency: 0.95 });
    const { b, load } = battery();
    module.setLoad(load);
    module.setTarget(450, -50); // more than its 30 A
    clock.advance(100);
    assert.ok(module.presentCurrent <= -9 && module.presentCurrent >= -11, `100 A/s slew: ${module.presentCurrent} A after 100 ms`);
    clock.advance(1000);
    assert.equal(module.presentCurrent, -27.7, "11 kW at ~397 V is the discharge power limit (27.7 A), below its 30 A");
    assert.ok(module.presentPower < -10_900 && module.presentPower >= -11_000);
    assert.equal(module.dischargeLimits().maxPower, 11_000);
    clock.advance(3_600_000 - 1100);
    const e = module.energy;
    assert.ok(e.dischargedWh > 10_300 && e.dischargedWh < 10_500, `${e.dischargedWh} Wh fed to the grid side in an hour (11 kW × 0.95)`);
    assert.equal(e.chargedWh, 0);
    // Battery side = charged·η − discharged/η; losses are the difference.
    assert.ok(Math.abs(b.wh - (e.chargedWh * 0.95 - e.dischargedWh / 0.95)) < 0.5, `${b.wh} vs ${e.evSideWh}`);
    assert.ok(Math.abs(e.lossesWh - (-b.wh - e.dischargedWh)) < 0.5);
  });

  test("the BMS's discharge limit (0 at its minimum SoC) stops the current; a unidirectional module never discharges", () => {
    const clock = new ManualClock();
    const module = new SimDcPowerModule({ clock, limits: DC_LIMITS, discharge: { maxPower: 11_000, maxCurrent: 30 } });
    const { b, load } = battery();
    module.setLoad(load);
    module.setTarget(450, -20);
    clock.advance(1000);
    assert.equal(module.presentCurrent, -20);
    b.limits = { charge: 200, discharge: 0 };
    clock.advance(300);
    assert.equal(module.presentCurrent, 0, "ramped to 0 within 0.2 s at 100 A/s");
    const plain = new SimDcPowerModule({ clock, limits: DC_LIMITS });
    plain.setLoad(battery().load);
    plain.setTarget(450, -20);
    clock.advance(1000);
    assert.equal(plain.presentCurrent, 0);
    assert.equal(plain.dischargeLimits().maxPower, 0);
  });
});

describe("simulated bidirectional AC inverter", () => {
  function inverter(clock: ManualClock) {
    const inv = new SimAcInverter({ clock, limits: { nominalVoltage: 230, maxCurrent: 16, phases: 3 }, discharge: { maxPower: 7_000 }, efficiency: 0.9, slew: 5 });
    const seen = { battery: 0, limit: Infinity };
    inv.setLoad({ limit: (p) => (p < 0 ? Math.max(p, -seen.limit) : p), absorb: (power, ms) => (seen.battery += (power * ms) / 3_600_000) });
    return { inv, seen };
  }

  test("the active power follows a signed target at its slew rate once the contactor is closed; open, nothing flows", () => {
    const clock = new ManualClock();
    const { inv, seen } = inverter(clock);
    inv.setActivePower(-5_000);
    clock.advance(50);
    assert.equal(inv.presentActivePower, 0, "the contactor is still open");
    inv.close();
    clock.advance(200); // contactor 100 ms, then 5 W/ms
    assert.ok(inv.presentActivePower < 0 && inv.presentActivePower > -1_000, `${inv.presentActivePower} W`);
    clock.advance(1_000);
    assert.equal(inv.presentActivePower, -5_000);
    assert.ok(inv.presentCurrent < -7.2 && inv.presentCurrent > -7.3, "−5 kW on 3 × 230 V: −7.25 A per phase");
    inv.setActivePower(-20_000);
    assert.equal(inv.target, -7_000, "within its discharge limit");
    seen.limit = 2_000; // the EV gives at most 2 kW
    clock.advance(2_000);
    assert.equal(inv.presentActivePower, -2_000);
    inv.setActivePower(11_000);
    clock.advance(5_000);
    assert.equal(inv.presentActivePower, 11_000);
    inv.open();
    clock.advance(300);
    assert.equal(inv.presentActivePower, 0);
    const e = inv.energy;
    assert.ok(e.chargedWh > 0 && e.dischargedWh > 0);
    assert.ok(Math.abs(seen.battery - (e.chargedWh * 0.9 - e.dischargedWh / 0.9)) < 0.01, `${seen.battery} Wh at the battery`);
  });
});

describe("energy account", () => {
  test("battery side = charged·η − discharged/η; losses the rest", () => {
    const a = new EnergyAccount(0.8);
    a.add(8_000, 3_600_000); // 8 kWh into the EV: 10 kWh from the grid
    a.add(-4_000, 3_600_000); // 4 kWh out of the EV: 3.2 kWh to the grid
    assert.equal(a.chargedWh, 10_000);
    assert.ok(Math.abs(a.dischargedWh - 3_200) < 1e-9);
    assert.equal(a.evSideWh, 4_000);
    assert.ok(Math.abs(a.lossesWh - 2_800) < 1e-9);
    assert.throws(() => new EnergyAccount(1.2), RangeError);
  });
});

describe("site profiles and energy manager", () => {
  test("profiles are deterministic, seeded, and shaped by the time of day", () => {
    const a = houseLoad({ seed: 7 });
    const b = houseLoad({ seed: 7 });
    const c = houseLoad({ seed: 8 });
    let differs = false;
    for (let t = 0; t < 86_400; t += 900) {
      assert.equal(a(t), b(t));
      if (a(t) !== c(t)) differs = true;
      assert.ok(a(t) > 0);
    }
    assert.ok(differs, "another seed, another day");
    assert.ok(a(19 * 3600) > 2 * a(3 * 3600), "the evening peak");
    const pv = pvProfile();
    assert.equal(pv(3 * 3600), 0);
    assert.equal(pv(22 * 3600), 0);
    assert.ok(pv(13 * 3600) > 2_500);
    const price = priceSignal();
    assert.ok(price(18 * 3600) > 0.45 && price(12 * 3600) < 0.35 && price(2 * 3600) < 0.25);
  });

  test("v2g exports at the price peak and charges before it; v2h balances PV − house load; v2l takes the fixed load", () => {
    const clock = new ManualClock();
    const v2g = new SimSiteEnergyManager({ clock, use: "v2g", startOfDay: 16.9 * 3600, importLimit: 7_000, exportLimit: 5_000 });
    assert.deepEqual([v2g.request().setpoint, v2g.request().use], [7_000, "charge"]);
    clock.advance(Millis(10 * 60_000)); // 17:04
    assert.deepEqual([v2g.request().setpoint, v2g.request().use, v2g.request().exportLimit], [-5_000, "v2g", 5_000]);
    const h = new SimSiteEnergyManager({ clock: new ManualClock(), use: "v2h", startOfDay: 18 * 3600 });
    assert.equal(h.request().setpoint, h.pvW() - h.houseLoadW());
    assert.equal(h.request().importLimit, undefined, "grid down: no grid limits");
    const l = new SimSiteEnergyManager({ clock, use: "v2l", startOfDay: 0, fixedLoad: 2_500 });
    assert.equal(l.request().setpoint, -2_500);
  });
});
