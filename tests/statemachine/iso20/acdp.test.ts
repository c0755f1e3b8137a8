// ISO 15118-20 automated connection devices (DC_ACDP, DC_ACDP_BPT) and VehicleCheckIn/Out, both
// roles: the SECC at object level with every message through the EXI codec (ACDP messages in
// the iso20-acdp schema), and EvccConnection ⇄ SeccConnection in memory with a bus driving in
// under the simulated pantograph; the faults end with the response codes and teardown of
// modules/statemachine/iso20/acdp-secc.ts.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DC20, EVCCID, iso20Ev, r, setUpTo } from "./support";
import type { Iso20Ev } from "./support";
import { acdpStack, authorizeAndSelect, runAcdp, sentOrder, wireMessages } from "./acdp-support";
import { ACDP_POSITIONING_LIMIT } from "../../../modules/statemachine/iso20/acdp-secc";
import { AcdpStatusStream } from "../../../modules/statemachine/iso20/acdp-evcc";
import type { EvBms } from "../../../modules/statemachine/evcc/types";
import { ManualClock } from "../../../modules/common/index";
import type { SeccConfig } from "../../../modules/statemachine/index";

const ACDP20: SeccConfig = { ...DC20, iso20: { ...DC20.iso20, services: ["dc_acdp", "dc_acdp_bpt"] } };

/** A city bus's charge parameters (600–750 V pack, 450 kW at a depot pantograph, capped by the 100 kW test charger). */
const BUS_CPD = {
  DC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(450, 3), EVMinimumChargePower: r(0), EVMaximumChargeCurrent: r(600), EVMinimumChargeCurrent: r(0), EVMaximumVoltage: r(750), EVMinimumVoltage: r(600) },
};

/** SessionSetup of a new session: an ACDP one goes on to check-in and positioning ([V2G20-4067]). */
function newSession(ev: Iso20Ev): void {
  ev.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
}

describe("ISO 15118-20 ACDP: SECC at object level", () => {
  test("-20 §8.6.4.6.3.5 order: check-in, positioning, then authorization and services (DC_ACDP 4, DC_ACDP_BPT 7), connect, cable check … PowerDelivery(Stop), disconnect, check-out; system status from the connect on", () => {
    const ev = iso20Ev(ACDP20);
    ev.control({ kind: "acdp-device", state: { xDeviation: 300, yDeviation: 3, windowX: 20, windowY: 20 } });
    newSession(ev);
    assert.equal(ev.secc.state, "VehicleCheckIn", "positioning before authorization ([V2G20-4067])");
    ev.ok("VehicleCheckInReq", { EVCheckInStatus: "CheckIn", ParkingMethod: "Manual" });
    let pos = ev.ok("ACDP_VehiclePositioningReq", { EVMobilityStatus: true, EVPositioningSupport: true });
    assert.equal(pos.EVSEProcessing, "Ongoing");
    assert.equal(pos.EVRelativeXDeviation, 300);
    assert.equal(pos.EVInChargePosition, false);
    // In the window but still rolling: not yet.
    ev.control({ kind: "acdp-device", state: { xDeviation: 4 } });
    pos = ev.ok("ACDP_VehiclePositioningReq", { EVMobilityStatus: true, EVPositioningSupport: true });
    assert.equal(pos.EVSEProcessing, "Ongoing");
    assert.equal(pos.EVInChargePosition, true);
    pos = ev.ok("ACDP_VehiclePositioningReq", { EVMobilityStatus: false, EVPositioningSupport: true });
    assert.equal(pos.EVSEProcessing, "Finished");
    assert.equal(ev.secc.state, "AuthorizationSetup", "[V2G20-4069]");
    const { discovery, detail } = authorizeAndSelect(ev, 4);
    assert.deepEqual(discovery.EnergyTransferServiceList.Service.map((x: { ServiceID: number }) => x.ServiceID), [4, 7]);
    assert.equal(detail.ServiceID, 4);
    ev.ok("DC_ChargeParameterDiscoveryReq", BUS_CPD);
    ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: { DepartureTime: 7200 } });
    assert.equal(ev.secc.state, "AcdpConnect", "the device connects before the cable check");
    let connect = ev.ok("ACDP_ConnectReq", { EVElectricalChargingDeviceStatus: "State_A" });
    assert.equal(connect.EVSEProcessing, "Ongoing");
    ev.control({ kind: "acdp-device", state: { mechanical: "Moving" } });
    connect = ev.ok("ACDP_ConnectReq", { EVElectricalChargingDeviceStatus: "State_A" });
    assert.equal(connect.EVSEMechanicalChargingDeviceStatus, "Moving");
    assert.equal(connect.EVSEProcessing, "Ongoing");
    ev.control({ kind: "acdp-device", state: { mechanical: "EndPosition", electrical: "State_C" } });
    connect = ev.ok("ACDP_ConnectReq", { EVElectricalChargingDeviceStatus: "State_C" });
    assert.equal(connect.EVSEProcessing, "Finished");
    assert.equal(connect.EVSEElectricalChargingDeviceStatus, "State_C");
    const status = ev.ok("ACDP_SystemStatusReq", { EVTechnicalStatus: { EVReadyToCharge: true, EVImmobilizationRequest: false, EVImmobilized: true, EVSOC: 41 } });
    assert.equal(status.EVSEReadyToCharge, true);
    assert.equal(status.EVInChargePosition, true);
    assert.equal(status.EVSEMalfunction, false);
    assert.equal(ev.ok("DC_CableCheckReq").EVSEProcessing, "Ongoing");
    ev.control({ kind: "cable-check-finished", isolation: "Valid" });
    assert.equal(ev.ok("DC_CableCheckReq").EVSEProcessing, "Finished");
    ev.ok("DC_PreChargeReq", { EVProcessing: "Finished", EVPresentVoltage: r(400), EVTargetVoltage: r(400) });
    ev.ok("PowerDeliveryReq", {
      EVProcessing: "Finished",
      ChargeProgress: "Start",
      EVPowerProfile: { TimeAnchor: 0n, Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: 1 }, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(50, 3) }] } },
    });
    const loop = {
      DisplayParameters: { PresentSOC: 42 },
      MeterInfoRequested: false,
      EVPresentVoltage: r(400),
      Scheduled_DC_CLReqControlMode: { EVTargetCurrent: r(100), EVTargetVoltage: r(420) },
    };
    ev.ok("DC_ChargeLoopReq", loop);
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Stop" });
    let disconnect = ev.ok("ACDP_DisconnectReq", { EVElectricalChargingDeviceStatus: "State_A" });
    assert.equal(disconnect.EVSEProcessing, "Ongoing");
    ev.control({ kind: "acdp-device", state: { mechanical: "Home", electrical: "State_A" } });
    disconnect = ev.ok("ACDP_DisconnectReq", { EVElectricalChargingDeviceStatus: "State_A" });
    assert.equal(disconnect.EVSEProcessing, "Finished");
    assert.equal(disconnect.EVSEMechanicalChargingDeviceStatus, "Home");
    assert.equal(ev.ok("VehicleCheckOutReq", { EVCheckOutStatus: "Completed", CheckOutTime: 0n }).EVSECheckOutStatus, "Completed");
    ev.ok("SessionStopReq", { ChargingSession: "Terminate" });
    assert.equal(ev.stopReason(), "ev-terminate");
  });

  test("ACDP messages out of sequence and check-in in a plain DC session → FAILED_SequenceError", () => {
    const ev = iso20Ev(ACDP20);
    ev.control({ kind: "acdp-device", state: { xDeviation: 0, yDeviation: 0 } });
    newSession(ev);
    ev.ok("ACDP_ConnectReq", { EVElectricalChargingDeviceStatus: "State_A" }, "FAILED_SequenceError");
    const dc = iso20Ev({ ...DC20, iso20: { ...DC20.iso20, services: ["dc", "dc_acdp"] } });
    setUpTo(dc, 2);
    dc.ok("VehicleCheckInReq", { EVCheckInStatus: "CheckIn", ParkingMethod: "Manual" }, "FAILED_SequenceError");
  });

  test("no alignment within the positioning limit → ACDP_VehiclePositioningRes FAILED, session ends", () => {
    const ev = iso20Ev(ACDP20);
    ev.control({ kind: "acdp-device", state: { xDeviation: 0, yDeviation: 45 } });
    newSession(ev);
    assert.equal(ev.ok("ACDP_VehiclePositioningReq", { EVMobilityStatus: false, EVPositioningSupport: true }).EVSEProcessing, "Ongoing");
    // Each request restarts the 60 s sequence timer; the positioning limit runs from the first.
    let res = ev.send("ACDP_VehiclePositioningReq", { EVMobilityStatus: false, EVPositioningSupport: true });
    for (let waited = 0; res.EVSEProcessing === "Ongoing" && waited <= ACDP_POSITIONING_LIMIT; waited += 10_000) {
      ev.clock.advance(10_000);
      res = ev.send("ACDP_VehiclePositioningReq", { EVMobilityStatus: false, EVPositioningSupport: true });
    }
    assert.equal(res.ResponseCode, "FAILED");
    assert.equal(res.EVInChargePosition, false);
    assert.equal(ev.stopReason(), "failed-response");
  });

  test("no connection device reported → ACDP_VehiclePositioningRes FAILED", () => {
    const ev = iso20Ev(ACDP20);
    newSession(ev);
    assert.equal(ev.send("ACDP_VehiclePositioningReq", { EVMobilityStatus: false, EVPositioningSupport: false }).ResponseCode, "FAILED");
  });
});

describe("ISO 15118-20 ACDP: EvccConnection ⇄ SeccConnection with the simulated pantograph", () => {
  for (const transfer of ["dc_acdp", "dc_acdp_bpt"] as const) {
    test(`${transfer}: the bus drives in, positions, the pantograph lowers, charges to the target SoC, rises, checks out`, () => {
      const s = acdpStack({ transfer });
      const soc0 = s.vehicle.battery.soc;
      const outcome = runAcdp(s);
      assert.equal(outcome?.reason, "charging-complete", `${outcome?.reason}: ${outcome?.detail} (${outcome?.step})`);
      assert.equal(outcome?.orderly, true);
      assert.equal(outcome?.protocol, "iso20");
      assert.equal(s.secc.session.stopReason, "ev-terminate");
      assert.ok(s.vehicle.battery.soc > soc0 && s.vehicle.battery.soc >= 43, `SoC ${s.vehicle.battery.soc}`);
      assert.deepEqual(s.pantograph.commands, ["lower", "raise"]);
      assert.equal(s.pantograph.state.mechanical, "Home");
      assert.ok(s.approach.reported?.inPosition, "the vehicle was told it stands in position");
      // On the wire: SAP in 0x8001, the ACDP messages in 0x8005, each message's EXI round-trips byte for byte.
      const messages = wireMessages(s.wire);
      assert.ok(messages.length > 100, `${messages.length} messages`);
      assert.deepEqual(messages.filter((m) => !m.same), []);
      const acdp = messages.filter((m) => m.name.indexOf("ACDP_") === 0);
      assert.deepEqual([...new Set(acdp.filter((m) => m.name.indexOf("ACDP_SystemStatus") !== 0).map((m) => m.type))], [0x8005]);
      // The system status travels on its side stream (-20 Table 14), requests and answers alike.
      const status = acdp.filter((m) => m.name.indexOf("ACDP_SystemStatus") === 0);
      assert.ok(status.length >= 4, `${status.length} status messages`);
      assert.deepEqual([...new Set(status.map((m) => m.type))], [0x8103]);
      assert.equal(status.filter((m) => m.from === "ev").length, status.filter((m) => m.from === "evse").length, "every status request answered");
      assert.deepEqual(sentOrder(s.trace.filter((e) => e.name.indexOf("ACDP_SystemStatus") !== 0)).slice(1), [
        "SessionSetupReq",
        "VehicleCheckInReq",
        "ACDP_VehiclePositioningReq",
        "AuthorizationSetupReq",
        "AuthorizationReq",
        "ServiceDiscoveryReq",
        "ServiceDetailReq",
        "ServiceSelectionReq",
        "DC_ChargeParameterDiscoveryReq",
        "ScheduleExchangeReq",
        "ACDP_ConnectReq",
        "DC_CableCheckReq",
        "DC_PreChargeReq",
        "PowerDeliveryReq",
        "DC_ChargeLoopReq",
        "PowerDeliveryReq",
        "ACDP_DisconnectReq",
        "VehicleCheckOutReq",
        "SessionStopReq",
      ]);
    });
  }

  test("fault: the bus stops 45 cm off the contact window → the EV gives up positioning and ends with SessionStop; the pantograph never moves", () => {
    const s = acdpStack({ transfer: "dc_acdp", approach: { lateralOffset: 45 } });
    const outcome = runAcdp(s);
    assert.equal(outcome?.reason, "timeout-ongoing", `${outcome?.reason}: ${outcome?.detail}`);
    assert.equal(outcome?.orderly, true);
    assert.match(outcome?.detail ?? "", /contact window/);
    assert.deepEqual(s.pantograph.commands, []);
    assert.equal(s.secc.session.stopReason, "ev-terminate");
  });

  test("fault: the pantograph reaches its end position without contact → ACDP_ConnectRes FAILED, the pantograph goes home", () => {
    const s = acdpStack({ transfer: "dc_acdp", pantograph: { noContact: true } });
    const outcome = runAcdp(s);
    assert.equal(outcome?.reason, "response-code", `${outcome?.reason}: ${outcome?.detail}`);
    assert.match(outcome?.detail ?? "", /FAILED/);
    assert.equal(outcome?.step, "AcdpConnect");
    assert.equal(s.secc.session.stopReason, "failed-response");
    assert.deepEqual(s.pantograph.commands, ["lower", "raise"]);
    assert.equal(s.pantograph.state.mechanical, "Home");
    assert.equal(s.dc.presentCurrent, 0);
  });

  test("fault: contact lost under load → DC_ChargeLoopRes FAILED, the output stops, the pantograph goes home", () => {
    const s = acdpStack({ transfer: "dc_acdp", targetSoc: 80, pantograph: { loseContactAfter: 20_000 as any } });
    const outcome = runAcdp(s);
    assert.equal(outcome?.reason, "response-code", `${outcome?.reason}: ${outcome?.detail}`);
    assert.equal(outcome?.step, "ChargeLoop");
    assert.equal(s.secc.session.stopReason, "failed-response");
    assert.ok(s.meter.energyWh > 0, "it was charging");
    assert.deepEqual(s.pantograph.commands, ["lower", "raise"]);
    assert.equal(s.pantograph.state.mechanical, "Home");
    assert.equal(s.dc.presentCurrent, 0);
  });
});

describe("ISO 15118-20 ACDP: the vehicle's system status side stream (0x8103)", () => {
  function stream() {
    const clock = new ManualClock();
    const sent: object[] = [];
    const faults: string[] = [];
    const bms = { ready: () => true, soc: () => 55.5, errorCode: () => "NO_ERROR" } as unknown as EvBms;
    const s = new AcdpStatusStream({ clock, bms, send: (_name, content) => sent.push(content), onFault: (d) => faults.push(d) });
    return { clock, sent, faults, s };
  }
  const OK = { ResponseCode: "OK", EVSEEmergencyShutdown: false, EVSEMalfunction: false };

  test("runs only while the device is down: one request a second, none while one is unanswered", () => {
    const { clock, sent, faults, s } = stream();
    s.update(false);
    clock.advance(5000);
    assert.equal(sent.length, 0);
    s.update(true);
    assert.equal(sent.length, 1);
    assert.deepEqual((sent[0] as any).EVTechnicalStatus, { EVReadyToCharge: true, EVImmobilizationRequest: false, EVImmobilized: true, EVSOC: 55, EVErrorCode: "OK_NoEVError" });
    clock.advance(1000);
    assert.equal(sent.length, 1, "the first is still unanswered");
    s.onResponse(OK);
    clock.advance(1000);
    assert.equal(sent.length, 2);
    s.onResponse(OK);
    s.update(false);
    clock.advance(10_000);
    assert.equal(sent.length, 2);
    assert.deepEqual(faults, []);
  });

  test("an emergency shutdown, a malfunction or no answer within 2 s stops the charge, once", () => {
    for (const res of [{ ...OK, EVSEEmergencyShutdown: true }, { ...OK, EVSEMalfunction: true }, { ...OK, ResponseCode: "FAILED" }]) {
      const { faults, s } = stream();
      s.update(true);
      s.onResponse(res);
      s.onResponse(res);
      assert.equal(faults.length, 1, JSON.stringify(res));
    }
    const { clock, faults, s } = stream();
    s.update(true);
    clock.advance(1999);
    assert.deepEqual(faults, []);
    clock.advance(1);
    assert.deepEqual(faults, ["ACDP_SystemStatusRes not received within 2 s"]);
    s.close();
    s.update(true);
    assert.equal(s.running, false, "nothing after close ([V2G20-4056])");
  });
});
