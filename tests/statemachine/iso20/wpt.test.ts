// ISO 15118-20 wireless power transfer (service WPT 3, namespace :-20:WPT, payload type 0x8006),
// both roles: the SECC at object level with every message through the EXI codec (the WPT
// messages in the iso20-wpt schema, vendor containers passed through untouched), and
// EvccConnection ⇄ SeccConnection in memory with a car driving onto the simulated pad; the
// faults end with the response codes and teardown of modules/statemachine/iso20/wpt-secc.ts.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import type { Millis } from "../../../modules/common/index";
import { EvccConnection } from "../../../modules/statemachine/evcc/index";
import type { EvccConnectionOutcome, EvccTraceEntry } from "../../../modules/statemachine/evcc/index";
import { ChargerBinding, SeccConnection } from "../../../modules/statemachine/index";
import type { SeccConfig } from "../../../modules/statemachine/index";
import { fromRational } from "../../../modules/statemachine/iso20/rational";
import { SimWirelessPad, SimWptReceiver } from "../../../simulation/wpt/pad";
import type { SimWirelessPadOptions, SimWptReceiverOptions } from "../../../simulation/wpt/pad";
import { SimVehicle } from "../../../simulation/vehicle/index";
import { vehicleWithDevices } from "../../../simulation/session/direct-iso20";
import { streamPair } from "../evcc/memory-link";
import { authorizeAndSelect, sentOrder, tapped, wireMessages } from "./acdp-support";
import type { WireRecord } from "./acdp-support";
import { iso20Ev, r, setUpTo, UNIX } from "./support";

/** An 11 kW wireless charger: no DC or AC outlet, the schedule's power from the pad's rating. */
const WPT20: SeccConfig = {
  evseId: "DE*XS1*E0003",
  energyModes: ["AC_three_phase_core"],
  protocols: ["iso20"],
  schedulePower: 11_000,
  meterId: "SIM-METER-3",
  iso20: { services: ["wpt"] },
};

const VENDOR_EV = [Uint8Array.of(0xee, 0x01, 0x02)];

const SETUP_MANUAL = {
  EVProcessing: "Finished",
  EVDeviceFinePositioningMethodList: { WPT_FinePositioningMethod: ["Manual"] },
  EVDevicePairingMethodList: { WPT_PairingMethod: ["LF_TxPrimaryDevice"] },
  EVDeviceAlignmentCheckMethodList: { WPT_AlignmentCheckMethod: ["PowerCheck"] },
  NaturalOffset: 0,
};
const VENDOR_PAD = [Uint8Array.of(0xad, 0x00, 0xff, 0x10), Uint8Array.of()];

describe("ISO 15118-20 WPT: SECC at object level", () => {
  test("-20 §8.6.4.5.3.4 order: check-in, fine positioning, pairing, then authorization and services (WPT 3), charge parameters, schedule, alignment check, loop; vendor containers pass untouched both ways", () => {
    const fromEv: { message: string; containers: readonly Uint8Array[] }[] = [];
    const power: number[] = [];
    const ev = iso20Ev(WPT20, { feedback: { wptVendorData: (message, containers) => fromEv.push({ message, containers }), wptPad: (command, watts) => power.push(command === "alignment" ? -1 : watts) } });
    ev.control({ kind: "wpt-pad", state: { offsetX: 120, offsetY: 2, idCode: 0xc0de, vendorData: VENDOR_PAD } });
    ev.ok("SessionSetupReq", { EVCCID: "WPTCAR01" }, "OK_NewSessionEstablished");
    assert.equal(ev.secc.state, "VehicleCheckIn", "positioning before authorization ([V2G20-5042])");
    ev.ok("VehicleCheckInReq", { EVCheckInStatus: "CheckIn", ParkingMethod: "Manual" });
    const setup = ev.ok("WPT_FinePositioningSetupReq", {
      EVProcessing: "Finished",
      EVDeviceFinePositioningMethodList: { WPT_FinePositioningMethod: ["LF_TxPrimaryDevice"] },
      EVDevicePairingMethodList: { WPT_PairingMethod: ["LF_TxPrimaryDevice"] },
      EVDeviceAlignmentCheckMethodList: { WPT_AlignmentCheckMethod: ["PowerCheck"] },
      NaturalOffset: 0,
      VendorSpecificDataContainer: VENDOR_EV,
    });
    assert.deepEqual(setup.VendorSpecificDataContainer, VENDOR_PAD, "the pad's containers reach the EV untouched");
    assert.deepEqual(fromEv[0], { message: "WPT_FinePositioningSetupReq", containers: VENDOR_EV }, "the EV's containers reach the pad untouched");
    assert.equal(ev.ok("WPT_FinePositioningReq", { EVProcessing: "Ongoing", EVResultCode: "EVResultUnknown" }).EVSEProcessing, "Ongoing");
    ev.control({ kind: "wpt-pad", state: { offsetX: 3, observedIdCode: 0x5eed } });
    assert.equal(ev.ok("WPT_FinePositioningReq", { EVProcessing: "Finished", EVResultCode: "EVResultSuccess" }).EVSEProcessing, "Finished");
    assert.equal(ev.ok("WPT_PairingReq", { EVProcessing: "Ongoing", EVResultCode: "EVResultUnknown" }).EVSEProcessing, "Ongoing");
    const paired = ev.ok("WPT_PairingReq", { EVProcessing: "Finished", ObservedIDCode: 0xc0de, EVResultCode: "EVResultSuccess" });
    assert.equal(paired.EVSEProcessing, "Finished");
    assert.equal(paired.ObservedIDCode, 0x5eed);
    assert.equal(ev.secc.state, "AuthorizationSetup", "[V2G20-5032]");
    assert.equal(authorizeAndSelect(ev, 3).detail.ServiceID, 3);
    const cpd = ev.ok("WPT_ChargeParameterDiscoveryReq", { EVPCMaxReceivablePower: r(11, 3), SDMaxGroundClearence: 180, SDMinGroundClearence: 120, EVPCNaturalFrequency: r(85, 3), EVPCDeviceLocalControl: false });
    assert.equal(cpd.PDInputPowerClass, "MF-WPT3");
    assert.equal(fromRational(cpd.SDMaxOutputPower), 11_000);
    assert.deepEqual(cpd.SDManufacturerSpecificDataContainer, VENDOR_PAD);
    const se = ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: { DepartureTime: 7200 } });
    assert.equal(ev.secc.state, "WptAlignmentCheck", "the alignment check after the schedule ([V2G20-5045])");
    assert.equal(ev.ok("WPT_AlignmentCheckReq", { EVProcessing: "Ongoing", EVResultCode: "EVResultUnknown" }).EVSEProcessing, "Ongoing");
    assert.deepEqual(power, [-1], "the pad was told to run its alignment check");
    ev.control({ kind: "wpt-pad", state: { alignment: "ok" } });
    assert.equal(ev.ok("WPT_AlignmentCheckReq", { EVProcessing: "Finished", EVResultCode: "EVResultSuccess" }).EVSEProcessing, "Finished");
    assert.equal(ev.secc.state, "PowerDelivery", "then PowerDelivery ([V2G20-5036])");
    assert.equal(fromRational(se.Scheduled_SEResControlMode.ScheduleTuple[0].ChargingSchedule.PowerSchedule.PowerScheduleEntries.PowerScheduleEntry[0].Power), 11_000);
    ev.ok("PowerDeliveryReq", {
      EVProcessing: "Finished",
      ChargeProgress: "Start",
      EVPowerProfile: { TimeAnchor: 0n, Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: 1 }, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(11, 3) }] } },
    });
    const loop = ev.ok("WPT_ChargeLoopReq", {
      DisplayParameters: { PresentSOC: 50 },
      MeterInfoRequested: false,
      EVPCPowerRequest: r(15, 3),
      EVPCPowerOutput: r(0),
      EVPCChargeDiagnostics: "EVPCNoIssue",
      ManufacturerSpecificDataContainer: VENDOR_EV,
    });
    assert.equal(fromRational(loop.EVPCPowerRequest), 11_000, "15 kW asked, the pad's 11 kW given");
    assert.equal(loop.SPCChargeDiagnostics, "SPCNoIssue");
    assert.deepEqual(loop.ManufacturerSpecificDataContainer, VENDOR_PAD);
    assert.equal(power[power.length - 1], 11_000);
    assert.deepEqual(fromEv[fromEv.length - 1], { message: "WPT_ChargeLoopReq", containers: VENDOR_EV });
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Stop" });
    assert.equal(ev.ok("VehicleCheckOutReq", { EVCheckOutStatus: "Completed", CheckOutTime: 0n }).EVSECheckOutStatus, "Completed");
    ev.ok("SessionStopReq", { ChargingSession: "Terminate" });
    assert.equal(ev.stopReason(), "ev-terminate");
  });

  test("pairing codes disagree (the EV observed another pad) → WPT_PairingRes FAILED; the SECC takes the EV's SessionStopReq ([V2G20-5067]), the session ends as that failure", () => {
    const ev = iso20Ev(WPT20);
    ev.control({ kind: "wpt-pad", state: { offsetX: 0, offsetY: 0, idCode: 0xc0de } });
    ev.ok("SessionSetupReq", { EVCCID: "WPTCAR01" }, "OK_NewSessionEstablished");
    ev.ok("WPT_FinePositioningSetupReq", SETUP_MANUAL);
    ev.ok("WPT_FinePositioningReq", { EVProcessing: "Finished", EVResultCode: "EVResultSuccess" });
    assert.equal(ev.send("WPT_PairingReq", { EVProcessing: "Finished", ObservedIDCode: 0xbad, EVResultCode: "EVResultSuccess" }).ResponseCode, "FAILED");
    assert.equal(ev.stopReason(), undefined, "still open for the EV's SessionStopReq");
    assert.equal(ev.secc.state, "SessionStop");
    ev.ok("SessionStopReq", { ChargingSession: "Terminate" });
    assert.equal(ev.stopReason(), "failed-response");
  });

  test("a ground clearance the pad cannot serve → FAILED_WrongChargeParameter; WPT messages in a DC session → FAILED_SequenceError", () => {
    const ev = iso20Ev(WPT20);
    ev.control({ kind: "wpt-pad", state: { offsetX: 0, offsetY: 0, alignment: "ok", idCode: 0x77 } });
    ev.ok("SessionSetupReq", { EVCCID: "WPTCAR01" }, "OK_NewSessionEstablished");
    ev.ok("WPT_FinePositioningSetupReq", SETUP_MANUAL);
    ev.ok("WPT_FinePositioningReq", { EVProcessing: "Finished", EVResultCode: "EVResultSuccess" });
    ev.ok("WPT_PairingReq", { EVProcessing: "Finished", ObservedIDCode: 0x77, EVResultCode: "EVResultSuccess" });
    authorizeAndSelect(ev, 3);
    ev.ok("WPT_ChargeParameterDiscoveryReq", { EVPCMaxReceivablePower: r(11, 3), SDMaxGroundClearence: 400, SDMinGroundClearence: 300, EVPCNaturalFrequency: r(85, 3), EVPCDeviceLocalControl: false }, "FAILED_WrongChargeParameter");
    const dc = iso20Ev({ ...WPT20, dc: { maxVoltage: 500, maxCurrent: 100, maxPower: 50_000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5 }, iso20: { services: ["dc"] } });
    setUpTo(dc, 2);
    dc.ok("WPT_FinePositioningReq", { EVProcessing: "Ongoing", EVResultCode: "EVResultUnknown" }, "FAILED_SequenceError");
  });
});

function wptStack(options: { receiver?: Partial<SimWptReceiverOptions>; pad?: Partial<SimWirelessPadOptions>; targetSoc?: number; split?: boolean }) {
  const clock = new ManualClock({ start: 1_000 });
  const link = streamPair(clock, 3);
  const wire: WireRecord[] = [];
  const vehicle = new SimVehicle({ clock, battery: { capacityKWh: 40, soc: 50, maxCurrent: 125 }, targetSoc: options.targetSoc ?? 52 });
  const receiver = new SimWptReceiver({ clock, vehicle, ...options.receiver });
  receiver.vendorToSend = VENDOR_EV;
  // split: as in two processes, the pad knows the car only from the LF data it sends (simulation/wpt/pad.ts).
  const pad = new SimWirelessPad({ clock, ...(options.split ? {} : { receiver }), ...options.pad });
  pad.state.vendorData = VENDOR_PAD;
  const binding = new ChargerBinding({ wpt: pad });
  const secc = new SeccConnection({ open: tapped(link.b, "evse", wire), config: WPT20, clock, unixTime: () => UNIX, ...binding.sessionOptions() });
  binding.attach(secc.session);
  pad.report();
  const bms = vehicleWithDevices(vehicle, { wptReceiver: receiver });
  const trace: EvccTraceEntry[] = [];
  let outcome: EvccConnectionOutcome | undefined;
  new EvccConnection({
    open: tapped(link.a, "ev", wire),
    session: { energyTransferMode: "AC_three_phase_core", evccId: Uint8Array.of(2, 0, 0, 0, 0, 0x0b), iso20: { transfer: "wpt", controlMode: "scheduled" } },
    bms,
    clock,
    unixTime: () => UNIX,
    onTrace: (e) => trace.push(e),
    onStop: (o) => (outcome = o),
  });
  const run = (): EvccConnectionOutcome | undefined => {
    for (let i = 0; i < 7200 && outcome === undefined; i++) clock.advance(1000);
    clock.advance(6000);
    return outcome;
  };
  return { clock, secc, vehicle, receiver, pad, trace, wire, run };
}

describe("ISO 15118-20 WPT: EvccConnection ⇄ SeccConnection with the simulated pad", () => {
  test("the car drives onto the pad, fine-positions, pairs, passes the alignment check, charges to the target SoC, checks out", () => {
    const s = wptStack({});
    const soc0 = s.vehicle.battery.soc;
    const outcome = s.run();
    assert.equal(outcome?.reason, "charging-complete", `${outcome?.reason}: ${outcome?.detail} (${outcome?.step})`);
    assert.equal(outcome?.orderly, true);
    assert.equal(outcome?.protocol, "iso20");
    assert.equal(s.secc.session.stopReason, "ev-terminate");
    assert.ok(s.vehicle.battery.soc >= 52 && s.vehicle.battery.soc > soc0, `SoC ${s.vehicle.battery.soc}`);
    assert.equal(s.pad.state.powerTransmitted, 0, "the pad is off");
    assert.ok(s.pad.vendorReceived.some((v) => v.message === "WPT_ChargeLoopReq" && v.containers[0][0] === 0xee), "vehicle → pad vendor data");
    assert.ok(s.receiver.vendorReceived.some((v) => v.message === "WPT_ChargeLoopRes" && v.containers[0][0] === 0xad), "pad → vehicle vendor data");
    // On the wire: the WPT messages in payload type 0x8006, each message's EXI round-trips byte for byte.
    const messages = wireMessages(s.wire);
    assert.deepEqual(messages.filter((m) => !m.same), []);
    assert.deepEqual([...new Set(messages.filter((m) => m.name.indexOf("WPT_") === 0).map((m) => m.type))], [0x8006]);
    assert.deepEqual(sentOrder(s.trace).slice(1), [
      "SessionSetupReq",
      "VehicleCheckInReq",
      "WPT_FinePositioningSetupReq",
      "WPT_FinePositioningReq",
      "WPT_PairingReq",
      "AuthorizationSetupReq",
      "AuthorizationReq",
      "ServiceDiscoveryReq",
      "ServiceDetailReq",
      "ServiceSelectionReq",
      "WPT_ChargeParameterDiscoveryReq",
      "ScheduleExchangeReq",
      "WPT_AlignmentCheckReq",
      "PowerDeliveryReq",
      "WPT_ChargeLoopReq",
      "PowerDeliveryReq",
      "VehicleCheckOutReq",
      "SessionStopReq",
    ]);
  });

  test("split models (the pad locates the car by its LF measurements, as between two processes): it charges; the LF data passes untouched both ways", () => {
    const s = wptStack({ split: true });
    const padLf: string[] = [];
    const seen = s.pad.onLfData.bind(s.pad);
    s.pad.onLfData = (message, data) => {
      padLf.push(message);
      seen(message, data);
    };
    const soc0 = s.vehicle.battery.soc;
    const outcome = s.run();
    assert.equal(outcome?.reason, "charging-complete", `${outcome?.reason}: ${outcome?.detail} (${outcome?.step})`);
    assert.ok(s.vehicle.battery.soc >= 52 && s.vehicle.battery.soc > soc0, `SoC ${s.vehicle.battery.soc}`);
    assert.ok(Math.abs(s.pad.state.offsetX) <= 2 && Math.abs(s.pad.state.offsetY - 3) <= 2, `the pad placed the car at (${s.pad.state.offsetX}, ${s.pad.state.offsetY}), it stands at (0, 3)`);
    assert.ok(padLf.length >= 4 && padLf.every((m) => m === "WPT_FinePositioningReq"), "the car's RSSI packages reached the pad");
    assert.equal(s.receiver.lfReceived[0].message, "WPT_FinePositioningSetupRes", "the pad's transmitter layout reached the car");
    assert.equal((s.receiver.lfReceived[0].data as any).LF_TransmitterSetupData.NumberOfTransmitters, 4);
    const messages = wireMessages(s.wire);
    assert.deepEqual(messages.filter((m) => !m.same), [], "every message with LF data round-trips byte for byte");
  });

  test("split models: a car 25 cm to the side is placed there by LF and never fine-positions", () => {
    const s = wptStack({ split: true, receiver: { lateralOffset: 25 } });
    const outcome = s.run();
    assert.equal(outcome?.reason, "timeout-ongoing", `${outcome?.reason}: ${outcome?.detail}`);
    assert.ok(Math.abs(s.pad.state.offsetY - 25) <= 2, `pad sees y=${s.pad.state.offsetY}`);
    assert.equal(s.pad.state.inputPower, 0);
  });

  test("fault: the car stops 25 cm to the side → it never fine-positions and ends with SessionStop; no power", () => {
    const s = wptStack({ receiver: { lateralOffset: 25 } });
    const outcome = s.run();
    assert.equal(outcome?.reason, "timeout-ongoing", `${outcome?.reason}: ${outcome?.detail}`);
    assert.equal(outcome?.orderly, true);
    assert.equal(s.pad.state.inputPower, 0);
  });

  test("fault: the receiver observed a neighbouring pad's code → WPT_PairingRes FAILED, then the car's SessionStopReq ([V2G20-5067])", () => {
    const s = wptStack({ receiver: { observesCode: 0xbeef } });
    const outcome = s.run();
    assert.equal(outcome?.reason, "response-code", `${outcome?.reason}: ${outcome?.detail}`);
    assert.match(outcome?.detail ?? "", /WPT_PairingRes: FAILED/);
    assert.equal(outcome?.step, "SessionStop");
    assert.equal(outcome?.orderly, true);
    assert.deepEqual(sentOrder(s.trace).slice(-2), ["WPT_PairingReq", "SessionStopReq"]);
    assert.equal(s.secc.session.stopReason, "failed-response");
  });

  test("fault: weak coupling → WPT_AlignmentCheckRes FAILED, then the car's SessionStopReq ([V2G20-5067]); the pad is off", () => {
    const s = wptStack({ pad: { weakCoupling: true } });
    const outcome = s.run();
    assert.equal(outcome?.step, "SessionStop", `${outcome?.reason}: ${outcome?.detail}`);
    assert.match(outcome?.detail ?? "", /WPT_AlignmentCheckRes: FAILED/);
    assert.deepEqual(sentOrder(s.trace).slice(-2), ["WPT_AlignmentCheckReq", "SessionStopReq"]);
    assert.equal(s.secc.session.stopReason, "failed-response");
    assert.equal(s.pad.state.powerTransmitted, 0);
  });

  test("the car rocks off the pad under load → WPT_ChargeLoopRes WARNING_WPT, power off; the car checks the alignment again, PowerDelivery(Start), charges on ([V2G20-5058], [V2G20-5036])", () => {
    const s = wptStack({ pad: { slipAfter: 30_000 as Millis } });
    const outcome = s.run();
    assert.equal(outcome?.reason, "charging-complete", `${outcome?.reason}: ${outcome?.detail} (${outcome?.step})`);
    assert.equal(s.secc.session.stopReason, "ev-terminate");
    const rx = s.trace.filter((e) => e.direction === "rx").map((e) => e.name);
    const order = sentOrder(s.trace);
    const firstLoop = order.indexOf("WPT_ChargeLoopReq");
    assert.deepEqual(order.slice(firstLoop, firstLoop + 5), ["WPT_ChargeLoopReq", "WPT_AlignmentCheckReq", "PowerDeliveryReq", "WPT_ChargeLoopReq", "PowerDeliveryReq"]);
    assert.ok(rx.includes("WPT_ChargeLoopRes"));
    const messages = wireMessages(s.wire);
    assert.deepEqual(messages.filter((m) => !m.same), []);
  });

  test("fault: a foreign object on the pad under load → power off, EVSENotification Terminate, the car winds down in order", () => {
    const s = wptStack({ pad: { fodAfter: 60_000 as Millis }, targetSoc: 80 });
    const outcome = s.run();
    assert.equal(outcome?.reason, "evse-stop", `${outcome?.reason}: ${outcome?.detail}`);
    assert.equal(outcome?.orderly, true);
    assert.equal(s.pad.state.diagnostics, "SPCFODDetected");
    assert.equal(s.pad.state.powerTransmitted, 0);
    assert.equal(s.secc.session.stopReason, "ev-terminate");
  });
});
