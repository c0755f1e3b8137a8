// @node-only — uses the simulated charger hardware in simulation/charger.
//
// A complete simulated DC session: SeccSession + ChargerBinding + simulated power module,
// meter and authorization, against a scripted EV with a simple battery, all on ManualClock
// with realistic timings (100 ms between requests, 3 s isolation check, slew-limited ramps).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Millis } from "../../../modules/common/index";
import { ChargerBinding, SeccSession } from "../../../modules/statemachine/index";
import type { SeccConfig, V2gDocument } from "../../../modules/statemachine/index";
import { SimAcSupply, SimAuthorizer, SimDcPowerModule, SimMeter } from "../../../simulation/charger/index";
import { EVCCID, dcEvStatus, doc, encodes, pv } from "./support";

const LIMITS = { maxVoltage: 500, maxCurrent: 125, maxPower: 50000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 2, currentRegulationTolerance: 1 };
const CONFIG: SeccConfig = { evseId: "DE*XS1*E0003", energyModes: ["DC_extended"], dc: LIMITS, meterId: "SIM-METER-3" };

/** A battery: 350 V open circuit, 0.1 Ω, 40 kWh. */
class Battery {
  soc = 30;
  voltageAt(current: number): number {
    return 350 + this.soc * 0.5 + current * 0.1;
  }
  absorb(power: number, ms: number): void {
    this.soc += ((power * ms) / 3_600_000 / 40_000) * 100;
  }
}

describe("SECC with simulated charger hardware", () => {
  test("ISO-2 DC: isolation check in simulated seconds, pre-charge ramp, current ramp, energy metered", () => {
    const clock = new ManualClock();
    const dc = new SimDcPowerModule({ clock, limits: LIMITS, isolationCheckTime: Millis(3000) });
    const meter = new SimMeter({ clock, meterId: "SIM-METER-3", power: () => dc.presentVoltage * dc.presentCurrent });
    const auth = new SimAuthorizer({ clock, delay: Millis(1500) });
    const charger = new ChargerBinding({ dc, meter, auth });
    const session = new SeccSession({ config: CONFIG, clock, protocol: "iso2", ...charger.sessionOptions() });
    charger.attach(session);
    const battery = new Battery();
    let sessionId: Uint8Array = new Uint8Array(1);
    const send = (name: string, content: object = {}): Record<string, any> => {
      clock.advance(100); // the EV's request comes 100 ms after the previous answer
      const out = session.request(doc(sessionId, name, content));
      encodes("iso2", out.response!);
      const body = (out.response as V2gDocument).V2G_Message.Body as Record<string, any>;
      return body[name.replace(/Req$/, "Res")];
    };
    const status = () => dcEvStatus(Math.round(battery.soc));

    send("SessionSetupReq", { EVCCID });
    sessionId = session.context!.sessionId;
    send("ServiceDiscoveryReq");
    send("PaymentServiceSelectionReq", { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } });
    let polls = 0;
    while (send("AuthorizationReq").EVSEProcessing !== "Finished") polls++;
    assert.ok(polls >= 10 && polls <= 20, `authorization took ${polls} polls of 100 ms`);
    assert.deepEqual(auth.requests, ["007dfa075e4a"]);
    send("ChargeParameterDiscoveryReq", {
      RequestedEnergyTransferMode: "DC_extended",
      DC_EVChargeParameter: { DC_EVStatus: status(), EVMaximumCurrentLimit: pv(200, "A"), EVMaximumVoltageLimit: pv(420, "V") },
    });
    const t0 = clock.now();
    let cc: Record<string, any>;
    do cc = send("CableCheckReq", { DC_EVStatus: status() });
    while (cc.EVSEProcessing !== "Finished");
    const isolationMs = clock.now() - t0;
    assert.ok(isolationMs >= 3000 && isolationMs < 3500, `isolation check took ${isolationMs} ms`);
    assert.equal(cc.DC_EVSEStatus.EVSEIsolationStatus, "Valid");

    const target = battery.voltageAt(0);
    let pre: Record<string, any>;
    let steps = 0;
    do {
      pre = send("PreChargeReq", { DC_EVStatus: status(), EVTargetVoltage: pv(Math.round(target), "V"), EVTargetCurrent: pv(2, "A") });
      steps++;
    } while (Math.abs(pre.EVSEPresentVoltage.Value * Math.pow(10, pre.EVSEPresentVoltage.Multiplier) - target) > 5);
    assert.ok(steps >= 4, `pre-charge reached ${target} V in ${steps} steps: the output ramps`);
    dc.setLoad(battery); // the EV closes its contactors
    assert.equal(send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 }).ResponseCode, "OK");

    const currents: number[] = [];
    for (let i = 0; i < 100; i++) {
      const cd = send("CurrentDemandReq", {
        DC_EVStatus: status(),
        EVTargetCurrent: pv(150, "A"),
        ChargingComplete: false,
        EVTargetVoltage: pv(420, "V"),
      });
      assert.equal(cd.ResponseCode, "OK");
      currents.push(cd.EVSEPresentCurrent.Value * Math.pow(10, cd.EVSEPresentCurrent.Multiplier));
    }
    assert.ok(currents[0] < 30, `current starts low (${currents[0]} A), ramping at 100 A/s`);
    assert.equal(currents[currents.length - 1], 125, `the current settles at the 125 A limit: ${currents.slice(-5)}`);
    assert.ok(meter.energyWh > 100, `energy metered: ${meter.energyWh} Wh`);
    assert.ok(battery.soc > 30);

    send("PowerDeliveryReq", { ChargeProgress: "Stop", SAScheduleTupleID: 1 });
    dc.setLoad(undefined); // contactors open at the EV
    let weld: Record<string, any>;
    do weld = send("WeldingDetectionReq", { DC_EVStatus: status() });
    while (weld.EVSEPresentVoltage.Value > 20);
    assert.equal(send("SessionStopReq", { ChargingSession: "Terminate" }).ResponseCode, "OK");
    clock.advance(5000);
    assert.equal(dc.contactorsClosed, false);
    assert.equal(session.stopReason, "ev-terminate");
  });

  test("an isolation fault from the monitor ends the session at CableCheck with FAILED", () => {
    const clock = new ManualClock();
    const dc = new SimDcPowerModule({ clock, limits: LIMITS, isolation: "Fault" });
    const charger = new ChargerBinding({ dc });
    const session = new SeccSession({ config: CONFIG, clock, protocol: "din", ...charger.sessionOptions() });
    charger.attach(session);
    const req = (name: string, content: object = {}) => {
      clock.advance(100);
      const out = session.request(doc(session.context!.sessionId.length ? session.context!.sessionId : new Uint8Array(1), name, content));
      return ((out.response as V2gDocument).V2G_Message.Body as Record<string, any>)[name.replace(/Req$/, "Res")];
    };
    req("SessionSetupReq", { EVCCID });
    req("ServiceDiscoveryReq");
    req("ServicePaymentSelectionReq", { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } });
    assert.equal(req("ContractAuthenticationReq").EVSEProcessing, "Ongoing");
    assert.equal(req("ContractAuthenticationReq").EVSEProcessing, "Finished", "no authorizer: free vend");
    req("ChargeParameterDiscoveryReq", { EVRequestedEnergyTransferType: "DC_extended", DC_EVChargeParameter: { DC_EVStatus: dcEvStatus(), EVMaximumCurrentLimit: pv(100, "A"), EVMaximumVoltageLimit: pv(400, "V") } });
    let res: Record<string, any>;
    do res = req("CableCheckReq", { DC_EVStatus: dcEvStatus() });
    while (res.EVSEProcessing === "Ongoing");
    assert.equal(res.ResponseCode, "FAILED");
    assert.equal(session.stopReason, "failed-response");
  });

  test("AC supply: the contactor closes after PowerDelivery Start and the EV's draw is limited", () => {
    const clock = new ManualClock();
    const ac = new SimAcSupply({ clock, limits: { nominalVoltage: 230, maxCurrent: 16, phases: 3 } });
    const charger = new ChargerBinding({ ac });
    const events: string[] = [];
    charger.attach({ control: (e) => events.push(e.kind) });
    charger.feedback.startCharging!("ac");
    assert.equal(ac.closed, false);
    clock.advance(100);
    assert.equal(ac.closed, true);
    ac.setDraw(32);
    assert.equal(ac.presentCurrent, 16);
    assert.equal(ac.power, 16 * 230 * 3);
    charger.feedback.stopCharging!("ac");
    clock.advance(100);
    assert.deepEqual(events, ["contactors-closed", "contactors-opened"]);
  });

  test("DC power module: voltage slews at 0.5 V/ms, the isolation check reports after its time, then discharges", () => {
    const clock = new ManualClock();
    const events: string[] = [];
    const dc = new SimDcPowerModule({ clock, limits: LIMITS, isolationCheckTime: Millis(2000), onEvent: (e) => events.push(e.kind) });
    dc.startIsolationCheck(450);
    clock.advance(100);
    assert.equal(dc.presentVoltage, 50, "100 ms at 0.5 V/ms");
    assert.deepEqual(events, ["contactors-closed"]);
    clock.advance(1900);
    assert.deepEqual(events, ["contactors-closed", "cable-check-finished"]);
    assert.equal(dc.presentVoltage, 450);
    clock.advance(300);
    assert.equal(dc.presentVoltage, 0, "discharged at 2 V/ms");
    dc.setTarget(380, 2);
    clock.advance(400);
    assert.equal(dc.presentVoltage, 200, "pre-charge ramp");
    dc.stop();
    clock.advance(1000);
    assert.equal(dc.contactorsClosed, false);
    assert.equal(events[events.length - 1], "contactors-opened");
    assert.equal(clock.pending, 0, "no ticking once everything is still");
  });

  test("meter: integrates power over simulated time", () => {
    const clock = new ManualClock();
    let power = 36_000;
    const meter = new SimMeter({ clock, power: () => power, startWh: 100 });
    meter.sample();
    clock.advance(60_000);
    assert.equal(Math.round(meter.energyWh), 700, "36 kW for a minute is 600 Wh");
    power = 0;
    clock.advance(60_000);
    // While power flows the meter samples itself every second: a cut counts half the last power
    // over that second at most, not over the whole gap to the next read (30 s: 300 Wh too many).
    assert.equal(Math.round(meter.energyWh), 705, "trapezoid over the last second: 36 kW × 0.5 s");
  });

  test("authorizer: allow-list decides after the delay; never answers when told so", () => {
    const clock = new ManualClock();
    const answers: boolean[] = [];
    const auth = new SimAuthorizer({ clock, delay: Millis(500), allow: ["007dfa075e4a"], onEvent: (e) => e.kind === "authorized" && answers.push(e.accepted) });
    auth.authorize(EVCCID);
    auth.authorize(new Uint8Array([1, 2, 3, 4, 5, 6]));
    clock.advance(500);
    assert.deepEqual(answers, [false], "the second request replaces the first");
    auth.authorize(EVCCID);
    clock.advance(500);
    assert.deepEqual(answers, [false, true]);
  });
});
