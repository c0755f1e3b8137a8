// ISO 15118-20 megawatt charging (MCS 8, MCS_BPT 9, as EVerest libiso15118 numbers them; see
// modules/statemachine/iso20/services.ts): the service and its parameter set, 3,000 A and
// 1,250 V (and 3.75 MW) in every limit and loop message through the EXI codec without overflow
// of RationalNumber, the limit faults, and a truck charging from an MCS charger in memory (no
// SLAC, no PWM pilot: the IP link exists from the start).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createExiCodec } from "../../../modules/exi/index";
import type { SeccConfig } from "../../../modules/statemachine/index";
import { fromRational, rational } from "../../../modules/statemachine/iso20/rational";
import { MCS_CONNECTOR } from "../../../modules/statemachine/iso20/services";
import { readParameterSet } from "../../../modules/statemachine/iso20/services";
import { DC20, iso20Ev, r, setUpTo, UNIX } from "./support";
import { acdpStack, runAcdp, sentOrder, wireMessages } from "./acdp-support";

const AMPS = 3000;
const VOLTS = 1250;
const WATTS = 3_750_000;

const MCS20: SeccConfig = {
  ...DC20,
  dc: { maxVoltage: VOLTS, maxCurrent: AMPS, maxPower: WATTS, minVoltage: 200, minCurrent: 0, peakCurrentRipple: 20 },
  iso20: { services: ["mcs", "mcs_bpt"], discharge: { maxPower: WATTS, maxCurrent: AMPS } },
};

/** A long-haul truck: 1,000 V class pack (280 cells), 3,000 A and 3.75 MW allowed. */
const TRUCK_CPD = {
  EVMaximumChargePower: rational(WATTS),
  EVMinimumChargePower: rational(0),
  EVMaximumChargeCurrent: rational(AMPS),
  EVMinimumChargeCurrent: rational(0),
  EVMaximumVoltage: rational(VOLTS),
  EVMinimumVoltage: rational(800),
};

const codec = createExiCodec();
function roundTrip(schema: "iso20-dc" | "iso20-cm", doc: object): any {
  return codec.decode(schema, codec.encode(schema, doc));
}
const HEADER = { SessionID: new Uint8Array(8).fill(7), TimeStamp: UNIX };

describe("ISO 15118-20 MCS: RationalNumber at megawatt ratings", () => {
  test("3000 A, 1250 V, 3.75 MW (and just below, and negative for discharge) survive rational() and the EXI codec in every DC limit and loop message", () => {
    const values = [AMPS, -AMPS, 2999.9, VOLTS, 1249.9, WATTS, -WATTS, 0.1];
    for (const v of values) {
      const x = rational(v);
      assert.ok(x.Value >= -32768 && x.Value <= 32767, `${v}: Value ${x.Value} is a short`);
      assert.ok(Math.abs(fromRational(x) - v) <= Math.abs(v) * 1e-4, `${v} → ${fromRational(x)}`);
    }
    const limits = { EVSEMaximumChargePower: rational(WATTS), EVSEMaximumChargeCurrent: rational(AMPS), EVSEMaximumVoltage: rational(VOLTS) };
    const bptLimits = { ...limits, EVSEMaximumDischargePower: rational(WATTS), EVSEMinimumDischargePower: rational(0), EVSEMaximumDischargeCurrent: rational(AMPS), EVSEMinimumVoltage: rational(200) };
    const docs: [string, object][] = [
      ["DC_ChargeParameterDiscoveryReq", { Header: HEADER, DC_CPDReqEnergyTransferMode: TRUCK_CPD }],
      [
        "DC_ChargeParameterDiscoveryReq",
        { Header: HEADER, BPT_DC_CPDReqEnergyTransferMode: { ...TRUCK_CPD, EVMaximumDischargePower: rational(WATTS), EVMinimumDischargePower: rational(0), EVMaximumDischargeCurrent: rational(AMPS), EVMinimumDischargeCurrent: rational(0) } },
      ],
      [
        "DC_ChargeParameterDiscoveryRes",
        {
          Header: HEADER,
          ResponseCode: "OK",
          DC_CPDResEnergyTransferMode: { EVSEMaximumChargePower: rational(WATTS), EVSEMinimumChargePower: rational(0), EVSEMaximumChargeCurrent: rational(AMPS), EVSEMinimumChargeCurrent: rational(0), EVSEMaximumVoltage: rational(VOLTS), EVSEMinimumVoltage: rational(200) },
        },
      ],
      ["DC_PreChargeReq", { Header: HEADER, EVProcessing: "Ongoing", EVPresentVoltage: rational(VOLTS), EVTargetVoltage: rational(VOLTS) }],
      ["DC_PreChargeRes", { Header: HEADER, ResponseCode: "OK", EVSEPresentVoltage: rational(VOLTS) }],
      [
        "DC_ChargeLoopReq",
        { Header: HEADER, MeterInfoRequested: false, EVPresentVoltage: rational(VOLTS), Scheduled_DC_CLReqControlMode: { EVTargetCurrent: rational(AMPS), EVTargetVoltage: rational(VOLTS), EVMaximumChargePower: rational(WATTS), EVMaximumChargeCurrent: rational(AMPS), EVMaximumVoltage: rational(VOLTS) } },
      ],
      [
        "DC_ChargeLoopReq",
        {
          Header: HEADER,
          MeterInfoRequested: false,
          EVPresentVoltage: rational(VOLTS),
          BPT_Scheduled_DC_CLReqControlMode: { EVTargetCurrent: rational(-AMPS), EVTargetVoltage: rational(VOLTS), EVMaximumChargePower: rational(WATTS), EVMaximumChargeCurrent: rational(AMPS), EVMaximumVoltage: rational(VOLTS), EVMaximumDischargePower: rational(WATTS), EVMaximumDischargeCurrent: rational(AMPS) },
        },
      ],
      [
        "DC_ChargeLoopReq",
        {
          Header: HEADER,
          MeterInfoRequested: false,
          EVPresentVoltage: rational(VOLTS),
          BPT_Dynamic_DC_CLReqControlMode: {
            EVTargetEnergyRequest: rational(600_000),
            EVMaximumEnergyRequest: rational(600_000),
            EVMinimumEnergyRequest: rational(-300_000),
            EVMaximumChargePower: rational(WATTS),
            EVMinimumChargePower: rational(0),
            EVMaximumChargeCurrent: rational(AMPS),
            EVMaximumVoltage: rational(VOLTS),
            EVMinimumVoltage: rational(800),
            EVMaximumDischargePower: rational(WATTS),
            EVMinimumDischargePower: rational(0),
            EVMaximumDischargeCurrent: rational(AMPS),
          },
        },
      ],
      [
        "DC_ChargeLoopRes",
        { Header: HEADER, ResponseCode: "OK", EVSEPresentCurrent: rational(AMPS), EVSEPresentVoltage: rational(VOLTS), EVSEPowerLimitAchieved: true, EVSECurrentLimitAchieved: true, EVSEVoltageLimitAchieved: true, Scheduled_DC_CLResControlMode: limits },
      ],
      [
        "DC_ChargeLoopRes",
        { Header: HEADER, ResponseCode: "OK", EVSEPresentCurrent: rational(-AMPS), EVSEPresentVoltage: rational(VOLTS), EVSEPowerLimitAchieved: false, EVSECurrentLimitAchieved: true, EVSEVoltageLimitAchieved: false, BPT_Scheduled_DC_CLResControlMode: bptLimits },
      ],
      ["DC_WeldingDetectionRes", { Header: HEADER, ResponseCode: "OK", EVSEPresentVoltage: rational(VOLTS) }],
    ];
    for (const [name, content] of docs) {
      const back = roundTrip("iso20-dc", { [name]: content })[name];
      assert.deepEqual(back, content, name);
    }
    // The schedule and the EV's power profile at 3.75 MW (CommonMessages).
    const se = { Header: HEADER, ResponseCode: "OK", EVSEProcessing: "Finished", Scheduled_SEResControlMode: { ScheduleTuple: [{ ScheduleTupleID: 1, ChargingSchedule: { PowerSchedule: { TimeAnchor: UNIX, PowerScheduleEntries: { PowerScheduleEntry: [{ Duration: 3600, Power: rational(WATTS) }] } } } }] } };
    assert.deepEqual(roundTrip("iso20-cm", { ScheduleExchangeRes: se }).ScheduleExchangeRes, se);
    const pd = { Header: HEADER, EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: { TimeAnchor: 0n, Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: 1 }, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: rational(WATTS) }] } } };
    assert.deepEqual(roundTrip("iso20-cm", { PowerDeliveryReq: pd }).PowerDeliveryReq, pd);
  });
});

describe("ISO 15118-20 MCS: SECC at object level", () => {
  test("ServiceDiscovery lists MCS (8) and MCS_BPT (9); the parameter set names the MCS connector; the charger's megawatt limits reach the EV exactly", () => {
    const ev = iso20Ev(MCS20);
    const detail = setUpTo(ev, 8);
    const set = readParameterSet("mcs", detail.ServiceParameterList.ParameterSet[0]);
    assert.equal(set.connector, MCS_CONNECTOR.mcs);
    const cpd = ev.ok("DC_ChargeParameterDiscoveryReq", { DC_CPDReqEnergyTransferMode: TRUCK_CPD }).DC_CPDResEnergyTransferMode;
    assert.equal(fromRational(cpd.EVSEMaximumChargeCurrent), AMPS);
    assert.equal(fromRational(cpd.EVSEMaximumVoltage), VOLTS);
    assert.equal(fromRational(cpd.EVSEMaximumChargePower), WATTS);
    const se = ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: { DepartureTime: 2700 } });
    assert.equal(fromRational(se.Scheduled_SEResControlMode.ScheduleTuple[0].ChargingSchedule.PowerSchedule.PowerScheduleEntries.PowerScheduleEntry[0].Power), WATTS);
  });

  test("MCS_BPT: its parameter set carries the connector configured (rMCS), the control mode and the BPT channel and generator mode", () => {
    const ev = iso20Ev({ ...MCS20, iso20: { ...MCS20.iso20, connector: MCS_CONNECTOR.rmcs, controlModes: ["dynamic"], bpt: { channel: "separated" } } });
    const set = readParameterSet("mcs_bpt", setUpTo(ev, 9).ServiceParameterList.ParameterSet[0]);
    assert.equal(set.connector, MCS_CONNECTOR.rmcs);
    assert.equal(set.controlMode, "dynamic");
    assert.equal(set.bpt?.channel, "separated");
    assert.equal(set.bpt?.generatorMode, "grid-following");
  });

  test("limits exceeded: the truck's voltage range above the charger's → FAILED_WrongChargeParameter", () => {
    const ev = iso20Ev(MCS20);
    setUpTo(ev, 8);
    ev.ok("DC_ChargeParameterDiscoveryReq", { DC_CPDReqEnergyTransferMode: { ...TRUCK_CPD, EVMaximumVoltage: r(1500), EVMinimumVoltage: r(1300) } }, "FAILED_WrongChargeParameter");
    assert.equal(ev.stopReason(), "failed-response");
  });

  test("limits exceeded in the loop: 3500 A asked → held at 3000 A with EVSECurrentLimitAchieved; 1270 V present (over 1250 V) → DC_ChargeLoopRes FAILED, output stopped, session ends", () => {
    const stops: string[] = [];
    const targets: number[] = [];
    const ev = iso20Ev(MCS20, { feedback: { stopCharging: (mode) => stops.push(mode), dcTarget: (_v, current) => targets.push(current) } });
    setUpTo(ev, 8);
    ev.ok("DC_ChargeParameterDiscoveryReq", { DC_CPDReqEnergyTransferMode: TRUCK_CPD });
    ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: { DepartureTime: 2700 } });
    ev.ok("DC_CableCheckReq");
    ev.control({ kind: "cable-check-finished", isolation: "Valid" });
    ev.ok("DC_CableCheckReq");
    ev.ok("DC_PreChargeReq", { EVProcessing: "Finished", EVPresentVoltage: r(1000), EVTargetVoltage: r(1000) });
    ev.ok("PowerDeliveryReq", {
      EVProcessing: "Finished",
      ChargeProgress: "Start",
      EVPowerProfile: { TimeAnchor: 0n, Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: 1 }, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 2700, Power: rational(WATTS) }] } },
    });
    const loop = (present: number, current: number) => ({
      DisplayParameters: { PresentSOC: 30 },
      MeterInfoRequested: false,
      EVPresentVoltage: rational(present),
      Scheduled_DC_CLReqControlMode: { EVTargetCurrent: rational(current), EVTargetVoltage: rational(1200) },
    });
    ev.control({ kind: "present-values", voltage: 1100, current: AMPS });
    const held = ev.ok("DC_ChargeLoopReq", loop(1100, 3500));
    assert.equal(held.EVSECurrentLimitAchieved, true);
    assert.equal(fromRational(held.EVSEPresentCurrent), AMPS);
    const over = ev.send("DC_ChargeLoopReq", loop(1270, 2000));
    assert.equal(over.ResponseCode, "FAILED");
    assert.equal(ev.stopReason(), "failed-response");
    assert.deepEqual(stops, ["dc"]);
  });
});

describe("ISO 15118-20 MCS: a truck charges from an MCS charger (EvccConnection ⇄ SeccConnection in memory)", () => {
  for (const transfer of ["mcs", "mcs_bpt"] as const) {
    test(`${transfer}: the whole DC sequence under service ${transfer === "mcs" ? 8 : 9}, over 2,500 A at the peak, to the target SoC`, () => {
      const s = acdpStack({
        transfer,
        secc: MCS20,
        battery: { capacityKWh: 600, soc: 30, cellsInSeries: 280, maxCurrent: AMPS, maxPower: WATTS, internalResistance: 0.01 },
        targetSoc: 33,
      });
      let peak = 0;
      const outcome = runAcdp(s, 3600, () => (peak = Math.max(peak, s.dc.presentCurrent)));
      assert.equal(outcome?.reason, "charging-complete", `${outcome?.reason}: ${outcome?.detail} (${outcome?.step})`);
      assert.equal(outcome?.orderly, true);
      assert.ok(peak > 2500 && peak <= AMPS, `peak ${peak} A`);
      assert.ok(s.vehicle.battery.soc >= 33, `SoC ${s.vehicle.battery.soc}`);
      const order = sentOrder(s.trace);
      assert.ok(order.indexOf("DC_ChargeLoopReq") > order.indexOf("PowerDeliveryReq"));
      assert.equal(order.indexOf("VehicleCheckInReq"), -1, "MCS takes no ACDP detours");
      const messages = wireMessages(s.wire);
      assert.deepEqual(messages.filter((m) => !m.same), [], "every message's EXI round-trips byte for byte");
      assert.ok(messages.some((m) => m.name === "DC_ChargeLoopRes" && m.type === 0x8004));
    });
  }
});
