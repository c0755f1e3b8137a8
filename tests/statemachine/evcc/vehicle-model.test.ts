import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import { EvccSession } from "../../../modules/statemachine/evcc/index";
import { BatteryModel, OnBoardCharger, SimVehicle } from "../../../simulation/vehicle/index";
import { setup, runToEnd } from "./harness";

describe("simulated battery", () => {
  test("open-circuit voltage rises with SoC (96 s NMC pack ≈ 317–401 V); terminal voltage adds I·R", () => {
    const b = new BatteryModel({ capacityKWh: 60, soc: 50 });
    let last = 0;
    for (let soc = 0; soc <= 100; soc += 5) {
      const v = b.ocv(soc);
      assert.ok(v > last, `OCV(${soc}) = ${v}`);
      last = v;
    }
    assert.ok(Math.abs(b.ocv(0) - 316.8) < 0.1 && Math.abs(b.ocv(100) - 401.3) < 0.1);
    assert.ok(Math.abs(b.terminalVoltage(100) - (b.ocv() + 100 * 0.08)) < 1e-9);
  });

  test("allowed current: CC limit below the taper, tapering above 80 %, zero when full", () => {
    const low = new BatteryModel({ capacityKWh: 60, soc: 30, maxCurrent: 200, maxPower: 150_000 });
    assert.equal(low.allowedCurrent(), 200);
    const powerLimited = new BatteryModel({ capacityKWh: 60, soc: 30, maxCurrent: 200, maxPower: 50_000 });
    assert.ok(powerLimited.allowedCurrent() < 140 && powerLimited.allowedCurrent() > 120);
    const taper = [82, 90, 98].map((soc) => new BatteryModel({ capacityKWh: 60, soc, maxCurrent: 200, maxPower: 150_000 }).allowedCurrent());
    assert.ok(taper[0] > taper[1] && taper[1] > taper[2] && taper[2] > 0, taper.join(" > "));
    assert.equal(new BatteryModel({ capacityKWh: 60, soc: 100 }).allowedCurrent(), 0);
  });

  test("charging 100 A for one hour into 60 kWh adds ≈ OCV·100 A·1 h of energy to the SoC", () => {
    const b = new BatteryModel({ capacityKWh: 60, soc: 20 });
    const ocv = b.ocv();
    for (let i = 0; i < 3600; i++) b.apply(100, 1000);
    assert.ok(Math.abs(b.chargeAh - 100) < 1e-6);
    assert.ok(b.storedWh > ocv * 100 && b.storedWh < 400 * 100);
    assert.ok(Math.abs(b.soc - (20 + (b.storedWh / 60_000) * 100)) < 1e-6);
    assert.ok(b.terminalWh - b.storedWh > 790 && b.terminalWh - b.storedWh < 810, "I²R losses: 100² × 0.08 Ω × 1 h = 800 Wh");
  });
});

describe("simulated on-board charger and vehicle", () => {
  test("AC current: min(OBC, EVSE), 0 below the 6 A minimum; DC power = I × V × phases × efficiency", () => {
    const obc = new OnBoardCharger({ phases: 3, maxCurrent: 16 });
    assert.equal(obc.acCurrent(32), 16);
    assert.equal(obc.acCurrent(10), 10);
    assert.equal(obc.acCurrent(5), 0);
    assert.ok(Math.abs(obc.dcPower(16) - 16 * 230 * 3 * 0.92) < 1e-9);
  });

  test("SimVehicle integrates on the clock: DC while contactors are closed, AC while the pilot is C and power is on", () => {
    const clock = new ManualClock();
    let live = false;
    const ev = new SimVehicle({ clock, battery: { capacityKWh: 10, soc: 50 }, targetSoc: 90, acPowerAvailable: () => live });
    ev.onEvseValues({ presentCurrent: 100, presentVoltage: 380 });
    clock.advance(60_000);
    assert.equal(ev.soc(), 50, "contactors open: no current");
    ev.setContactors(true);
    clock.advance(36_000);
    ev.setContactors(false);
    assert.ok(Math.abs(ev.battery.chargeAh - 1) < 1e-9, "100 A for 36 s = 1 Ah");
    const soc = ev.soc();
    ev.onEvseValues({ maxCurrent: 16, nominalVoltage: 230 });
    ev.setPilotState("C");
    clock.advance(60_000);
    assert.equal(ev.soc(), soc, "no AC power yet");
    live = true;
    ev.update();
    const dcWh = ev.inletWh;
    clock.advance(3_600_000 / 10);
    ev.update();
    // 6 minutes at 3 × 16 A × 230 V = 1104 Wh from the grid.
    assert.ok(Math.abs(ev.inletWh - dcWh - 1104) < 1, `AC inlet ${ev.inletWh - dcWh} Wh`);
  });

  test("EVSEMaxCurrent lowered in ChargingStatusRes → the on-board charger draws less", () => {
    const run = setup({
      protocol: "iso2",
      mode: "AC_three_phase_core",
      vehicle: { targetSoc: 100 },
      overrides: {
        ChargingStatusReq: (_r, n, secc) => ({
          ResponseCode: "OK",
          EVSEID: "DE*ABC*E123456",
          SAScheduleTupleID: 1,
          EVSEMaxCurrent: secc.pv(n > 5 ? 8 : 16, "A"),
          AC_EVSEStatus: secc.acStatus(),
        }),
      },
    });
    run.session.start();
    run.clock.advance(2_000);
    assert.equal(run.vehicle.acCurrent(), 16);
    run.clock.advance(5_000);
    assert.equal(run.vehicle.acCurrent(), 8);
    run.session.stop();
    run.clock.runAll();
    assert.equal(run.outcome()?.reason, "user-stop");
  });

  test("a DC session with a bigger pack: the CurrentDemand target tapers as the SoC passes 80 %", () => {
    const run = setup({ protocol: "din", mode: "DC_extended", vehicle: { battery: { capacityKWh: 5, soc: 76, maxCurrent: 125 }, targetSoc: 90 } });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "charging-complete");
    const targets = run.trace.filter((e) => e.direction === "tx" && e.name === "CurrentDemandReq").map((e) => [e.values.soc as number, e.values.targetCurrent as number]);
    const before = targets.find(([soc]) => soc < 79)![1];
    const after = targets.filter(([soc]) => soc > 88).pop()![1];
    assert.ok(before > after * 1.5, `target ${before} A at <79 %, ${after} A at >88 %`);
  });

  test("an EVCCID longer than the schema allows is a programming error", () => {
    const clock = new ManualClock();
    const ev = new SimVehicle({ clock, battery: { capacityKWh: 10, soc: 50 } });
    assert.throws(() => new EvccSession({ config: { protocol: "iso2", energyTransferMode: "DC_extended", evccId: new Uint8Array(7) }, bms: ev, clock, callbacks: { send() {} } }), /EVCCID/);
    assert.throws(() => new EvccSession({ config: { protocol: "din", energyTransferMode: "AC_three_phase_core", evccId: new Uint8Array(6) }, bms: ev, clock, callbacks: { send() {} } }), /DC charging only/);
  });
});
