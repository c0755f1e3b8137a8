// ISO 15118-20 BPT through the charger's interfaces, read every loop: the site energy manager's
// request (EnergyManager.request: setpoint, grid import/export limits) and the bidirectional
// stage's discharge capability (BidirectionalStage.dischargeLimits) are sampled before each
// request, so a Dynamic loop response follows them without any event; the EV's own limits and
// energy requests bound the direction (a 0 discharge limit at its minimum SoC means none).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ChargerBinding } from "../../../modules/statemachine/index";
import type { AcInverter, AcLimits, BidirectionalDcModule, ControlSink, DcLimits, DischargeLimits, EnergyManager, IsolationLevel, SiteRequest } from "../../../modules/statemachine/index";
import { setpointWithin } from "../../../modules/statemachine/secc/charger-binding";
import { fromRational } from "../../../modules/statemachine/iso20/rational";
import { AC20, DC20, iso20Ev, r, setUpTo } from "./support";

class PolledEms implements EnergyManager {
  site: SiteRequest = {};
  asked = 0;
  onEvent?: ControlSink;
  request(): SiteRequest {
    this.asked++;
    return this.site;
  }
}

class Inverter implements AcInverter {
  closed = false;
  presentCurrent = 0;
  presentActivePower = 0;
  discharge: DischargeLimits = { maxPower: 7_000 };
  targets: number[] = [];
  onEvent?: ControlSink;
  limits(): Readonly<AcLimits> {
    return AC20.ac!;
  }
  dischargeLimits(): Readonly<DischargeLimits> {
    return this.discharge;
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.closed = false;
  }
  setActivePower(watts: number): void {
    this.targets.push(watts);
  }
}

class DcModule implements BidirectionalDcModule {
  presentVoltage = 400;
  presentCurrent = 0;
  presentPower = 0;
  contactorsClosed = true;
  isolation: IsolationLevel = "Valid";
  targets: { voltage: number; current: number }[] = [];
  onEvent?: ControlSink;
  limits(): Readonly<DcLimits> {
    return DC20.dc!;
  }
  dischargeLimits(): Readonly<DischargeLimits> {
    return { maxPower: 20_000, maxCurrent: 30 };
  }
  startIsolationCheck(): void {
    this.onEvent?.({ kind: "cable-check-finished", isolation: "Valid" });
  }
  setTarget(voltage: number, current: number): void {
    this.targets.push({ voltage, current });
  }
  stop(): void {}
}

const AC_LOOP = (evDischarge: number, minEnergy = -5_000, maxEnergy = 30_000) => ({
  MeterInfoRequested: false,
  BPT_Dynamic_AC_CLReqControlMode: {
    EVTargetEnergyRequest: r(20, 3),
    EVMaximumEnergyRequest: r(maxEnergy),
    EVMinimumEnergyRequest: r(minEnergy),
    EVMaximumChargePower: r(11, 3),
    EVMinimumChargePower: r(0),
    EVPresentActivePower: r(0),
    EVPresentReactivePower: r(0),
    EVMaximumDischargePower: r(evDischarge),
    EVMinimumDischargePower: r(0),
  },
});

function acBptDynamic(inverter: Inverter, ems: PolledEms) {
  const binding = new ChargerBinding({ inverter, energyManager: ems });
  const ev = iso20Ev(AC20, binding.sessionOptions());
  binding.attach(ev.secc);
  setUpTo(ev, 5, 2); // AC_BPT, Dynamic
  const cpd = ev.ok("AC_ChargeParameterDiscoveryReq", {
    BPT_AC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(11, 3), EVMinimumChargePower: r(0), EVMaximumDischargePower: r(7, 3), EVMinimumDischargePower: r(0) },
  });
  ev.ok("ScheduleExchangeReq", {
    MaximumSupportingPoints: 24,
    Dynamic_SEReqControlMode: { DepartureTime: 7200, EVTargetEnergyRequest: r(20, 3), EVMaximumEnergyRequest: r(30, 3), EVMinimumEnergyRequest: r(-5, 3) },
  });
  ev.ok("PowerDeliveryReq", {
    EVProcessing: "Finished",
    ChargeProgress: "Start",
    EVPowerProfile: { TimeAnchor: 0n, Dynamic_EVPPTControlMode: {}, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(11, 3) }] } },
    BPT_ChannelSelection: "Discharge",
  });
  const target = (loop: object): number => fromRational(ev.ok("AC_ChargeLoopReq", loop).BPT_Dynamic_AC_CLResControlMode.EVSETargetActivePower);
  return { ev, cpd, target };
}

describe("ISO 15118-20 BPT: interfaces read every loop", () => {
  test("AC_BPT Dynamic: the energy manager's request and the inverter's discharge capability are read before each loop, no events", () => {
    const inverter = new Inverter();
    const ems = new PolledEms();
    inverter.discharge = { maxPower: 6_000 };
    const { cpd, target } = acBptDynamic(inverter, ems);
    // ChargeParameterDiscovery already announced the stage's capability, not the configured 7 kW.
    assert.equal(fromRational(cpd.BPT_AC_CPDResEnergyTransferMode.EVSEMaximumDischargePower), 6_000);
    const before = ems.asked;
    ems.site = { setpoint: -4_000, use: "v2h" };
    assert.equal(target(AC_LOOP(7_000)), -4_000);
    ems.site = { setpoint: -9_000, exportLimit: 5_000, use: "v2g" }; // the grid connection takes at most 5 kW back
    assert.equal(target(AC_LOOP(7_000)), -5_000);
    ems.site = { setpoint: -9_000, use: "v2g" };
    inverter.discharge = { maxPower: 3_000 }; // the inverter derates
    assert.equal(target(AC_LOOP(7_000)), -3_000);
    ems.site = { setpoint: 9_000, importLimit: 4_000, use: "charge" };
    assert.equal(target(AC_LOOP(7_000)), 4_000);
    ems.site = { importLimit: 2_500 }; // no setpoint: as much as the grid connection allows
    assert.equal(target(AC_LOOP(7_000)), 2_500);
    assert.ok(ems.asked - before >= 5, `asked ${ems.asked - before} times for 5 loops`);
    assert.deepEqual(inverter.targets.slice(-5), [-4_000, -5_000, -3_000, 4_000, 2_500]);
  });

  test("the EV's limits bound the direction: 0 discharge power (its minimum SoC) or no energy offered means no discharge; nothing more wanted means no charge", () => {
    const ems = new PolledEms();
    const { target } = acBptDynamic(new Inverter(), ems);
    ems.site = { setpoint: -6_000, use: "v2l" };
    assert.equal(target(AC_LOOP(5_000)), -5_000);
    // The EV is at its minimum SoC: EVMaximumDischargePower 0. (The charger's own 7 kW used to stand in for a 0.)
    assert.equal(target(AC_LOOP(0)), 0);
    // EVMinimumEnergyRequest ≥ 0: the EV offers no energy.
    assert.equal(target(AC_LOOP(5_000, 0)), 0);
    ems.site = { setpoint: 6_000, use: "charge" };
    assert.equal(target(AC_LOOP(5_000, -2_000, 0)), 0, "EVMaximumEnergyRequest 0: the EV takes no more");
    assert.equal(target(AC_LOOP(5_000, -2_000, 1_000)), 6_000);
  });

  test("DC_BPT Dynamic: a discharge setpoint becomes a negative target current for the module, within its discharge current", () => {
    const dc = new DcModule();
    const ems = new PolledEms();
    const binding = new ChargerBinding({ dc, energyManager: ems });
    const ev = iso20Ev(DC20, binding.sessionOptions());
    binding.attach(ev.secc);
    setUpTo(ev, 6, 2); // DC_BPT, Dynamic
    const cpd = ev.ok("DC_ChargeParameterDiscoveryReq", {
      BPT_DC_CPDReqEnergyTransferMode: {
        EVMaximumChargePower: r(50, 3),
        EVMinimumChargePower: r(0),
        EVMaximumChargeCurrent: r(125),
        EVMinimumChargeCurrent: r(0),
        EVMaximumVoltage: r(420),
        EVMinimumVoltage: r(300),
        EVMaximumDischargePower: r(20, 3),
        EVMinimumDischargePower: r(0),
        EVMaximumDischargeCurrent: r(60),
        EVMinimumDischargeCurrent: r(0),
      },
    });
    assert.equal(fromRational(cpd.BPT_DC_CPDResEnergyTransferMode.EVSEMaximumDischargePower), 20_000, "the module's capability");
    ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 24, Dynamic_SEReqControlMode: { DepartureTime: 3600, EVTargetEnergyRequest: r(5, 3), EVMaximumEnergyRequest: r(5, 3), EVMinimumEnergyRequest: r(-5, 3) } });
    ev.ok("DC_CableCheckReq");
    ev.ok("DC_CableCheckReq");
    ev.ok("DC_PreChargeReq", { EVProcessing: "Finished", EVPresentVoltage: r(400), EVTargetVoltage: r(400) });
    ev.ok("PowerDeliveryReq", {
      EVProcessing: "Finished",
      ChargeProgress: "Start",
      EVPowerProfile: { TimeAnchor: 0n, Dynamic_EVPPTControlMode: {}, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(-8, 3) }] } },
      BPT_ChannelSelection: "Discharge",
    });
    const loop = {
      MeterInfoRequested: false,
      EVPresentVoltage: r(400),
      BPT_Dynamic_DC_CLReqControlMode: {
        EVTargetEnergyRequest: r(5, 3),
        EVMaximumEnergyRequest: r(5, 3),
        EVMinimumEnergyRequest: r(-5, 3),
        EVMaximumChargePower: r(50, 3),
        EVMinimumChargePower: r(0),
        EVMaximumChargeCurrent: r(125),
        EVMaximumVoltage: r(420),
        EVMinimumVoltage: r(300),
        EVMaximumDischargePower: r(20, 3),
        EVMinimumDischargePower: r(0),
        EVMaximumDischargeCurrent: r(60),
      },
    };
    ems.site = { setpoint: -8_000, use: "v2g" };
    const res = ev.ok("DC_ChargeLoopReq", loop).BPT_Dynamic_DC_CLResControlMode;
    assert.equal(fromRational(res.EVSEMaximumDischargePower), 8_000, "a magnitude (bpt.ts)");
    assert.equal(fromRational(res.EVSEMaximumChargePower), 0);
    assert.equal(dc.targets[dc.targets.length - 1].current, -20, "8 kW at 400 V out of the EV: −20 A");
    ems.site = { setpoint: -18_000, use: "v2g" };
    ev.ok("DC_ChargeLoopReq", loop);
    assert.equal(dc.targets[dc.targets.length - 1].current, -30, "−45 A wanted, the module takes at most 30 A");
  });

  test("setpointWithin: the site's setpoint inside its grid limits", () => {
    assert.equal(setpointWithin({ setpoint: -9_000, exportLimit: 4_000 }), -4_000);
    assert.equal(setpointWithin({ setpoint: 9_000, importLimit: 4_000 }), 4_000);
    assert.equal(setpointWithin({ setpoint: -2_000, exportLimit: 4_000, importLimit: 1_000 }), -2_000);
    assert.equal(setpointWithin({ importLimit: 3_000 }), 3_000);
    assert.equal(setpointWithin({}), undefined);
  });
});
