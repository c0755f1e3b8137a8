// ISO 15118-20 charger interfaces through ChargerBinding: a bidirectional AC inverter follows the
// signed target of each AC_ChargeLoopRes, and the site energy manager's setpoints steer a
// Dynamic session (V2G/V2H: negative = the EV feeds the site); it hears the EV's needs.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ChargerBinding } from "../../../modules/statemachine/index";
import type { AcInverter, AcLimits, ControlSink, EnergyManager, EvNeeds } from "../../../modules/statemachine/index";
import { fromRational } from "../../../modules/statemachine/iso20/rational";
import { AC20, iso20Ev, r, setUpTo } from "./support";

class FakeInverter implements AcInverter {
  closed = false;
  presentCurrent = 0;
  presentActivePower = 0;
  targets: number[] = [];
  onEvent?: ControlSink;
  limits(): Readonly<AcLimits> {
    return AC20.ac!;
  }
  close(): void {
    this.closed = true;
    this.onEvent?.({ kind: "contactors-closed" });
  }
  open(): void {
    this.closed = false;
  }
  setActivePower(watts: number): void {
    this.targets.push(watts);
    this.presentActivePower = watts;
  }
}

class FakeEms implements EnergyManager {
  needs: EvNeeds[] = [];
  stopped = 0;
  onEvent?: ControlSink;
  evNeeds(needs: EvNeeds): void {
    this.needs.push(needs);
  }
  sessionStopped(): void {
    this.stopped++;
  }
  setpoint(watts: number): void {
    this.onEvent?.({ kind: "power-setpoint", watts });
  }
}

describe("ISO 15118-20 charger interfaces", () => {
  test("AC_BPT Dynamic: the energy manager's setpoint reaches the EV and the inverter, both directions", () => {
    const inverter = new FakeInverter();
    const ems = new FakeEms();
    const binding = new ChargerBinding({ inverter, energyManager: ems });
    const ev = iso20Ev(AC20, binding.sessionOptions());
    binding.attach(ev.secc);
    setUpTo(ev, 5, 2); // AC_BPT, Dynamic
    ev.ok("AC_ChargeParameterDiscoveryReq", {
      BPT_AC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(11, 3), EVMinimumChargePower: r(0), EVMaximumDischargePower: r(7, 3), EVMinimumDischargePower: r(0) },
    });
    ev.ok("ScheduleExchangeReq", {
      MaximumSupportingPoints: 24,
      Dynamic_SEReqControlMode: { DepartureTime: 7200, MinimumSOC: 30, TargetSOC: 80, EVTargetEnergyRequest: r(20, 3), EVMaximumEnergyRequest: r(30, 3), EVMinimumEnergyRequest: r(-5, 3) },
    });
    assert.deepEqual(ems.needs, [{ targetEnergy: 20_000, maxEnergy: 30_000, minEnergy: -5_000, departureTime: 7200, minimumSoc: 30, targetSoc: 80 }]);
    ev.ok("PowerDeliveryReq", {
      EVProcessing: "Finished",
      ChargeProgress: "Start",
      EVPowerProfile: { TimeAnchor: 0n, Dynamic_EVPPTControlMode: {}, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(11, 3) }] } },
      BPT_ChannelSelection: "Discharge",
    });
    assert.equal(inverter.closed, true);
    const loop = {
      MeterInfoRequested: false,
      BPT_Dynamic_AC_CLReqControlMode: {
        EVTargetEnergyRequest: r(20, 3),
        EVMaximumEnergyRequest: r(30, 3),
        EVMinimumEnergyRequest: r(-5, 3),
        EVMaximumChargePower: r(11, 3),
        EVMinimumChargePower: r(0),
        EVPresentActivePower: r(0),
        EVPresentReactivePower: r(0),
        EVMaximumDischargePower: r(7, 3),
        EVMinimumDischargePower: r(0),
      },
    };
    ems.setpoint(-4_000); // the house needs 4 kW: V2H
    assert.equal(fromRational(ev.ok("AC_ChargeLoopReq", loop).BPT_Dynamic_AC_CLResControlMode.EVSETargetActivePower), -4_000);
    ems.setpoint(-9_000); // more than the charger may take back (7 kW): limited
    assert.equal(fromRational(ev.ok("AC_ChargeLoopReq", loop).BPT_Dynamic_AC_CLResControlMode.EVSETargetActivePower), -7_000);
    ems.setpoint(6_000); // PV surplus: charge
    assert.equal(fromRational(ev.ok("AC_ChargeLoopReq", loop).BPT_Dynamic_AC_CLResControlMode.EVSETargetActivePower), 6_000);
    assert.deepEqual(inverter.targets, [-4_000, -7_000, 6_000]);
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Stop" });
    ev.ok("SessionStopReq", { ChargingSession: "Terminate" });
    assert.equal(inverter.closed, false);
    assert.equal(ems.stopped, 1);
  });
});
