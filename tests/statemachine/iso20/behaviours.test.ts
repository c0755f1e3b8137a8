// ISO 15118-20 behaviours both sides act on (the timers are in ./timers.test.ts): the EVSE
// notifications Terminate, ScheduleRenegotiation, Pause (and resumption by SessionID),
// ServiceRenegotiation; the EV's own renegotiations and pause; the -20 teardown.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import { createExiCodec } from "../../../modules/exi/index";
import { MemorySessionStore, SeccConnection } from "../../../modules/statemachine/index";
import { buildSapRequest, V2gtpConnection } from "../../../modules/v2gtp/index";
import { streamPair } from "../evcc/memory-link";
import { DC20, EVCCID, iso20Ev, UNIX } from "./support";
import { run, stack } from "./stack-support";

describe("ISO 15118-20 EVSE notifications, both sides", () => {
  test("Terminate: the EV winds down (PowerDelivery Stop, WeldingDetection, SessionStop)", () => {
    const s = stack({ transfer: "dc", mode: "scheduled", targetSoc: 90 });
    while (s.evcc.session?.step !== "ChargeLoop") s.clock.advance(100);
    s.clock.advance(2_000);
    s.secc.session.control({ kind: "stop-charging" });
    const outcome = run(s);
    assert.equal(outcome?.reason, "evse-stop");
    assert.equal(outcome?.orderly, true);
    assert.equal(s.secc.session.stopReason, "ev-terminate");
  });

  test("ScheduleRenegotiation: PowerDelivery(ScheduleRenegotiation) → ScheduleExchange → PowerDelivery(Start) → the loop again", () => {
    const s = stack({ transfer: "dc", mode: "dynamic" });
    while (s.evcc.session?.step !== "ChargeLoop") s.clock.advance(100);
    s.clock.advance(1_000);
    s.secc.session.control({ kind: "renegotiate" });
    const outcome = run(s);
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    const exchanges = s.trace.filter((e) => e.direction === "tx" && e.name === "ScheduleExchangeReq").length;
    assert.equal(exchanges, 2);
    assert.equal(s.trace.filter((e) => e.direction === "tx" && e.name === "DC_CableCheckReq").length > 0, true);
    const progress = s.trace.filter((e) => e.direction === "tx" && e.name === "PowerDeliveryReq").map((e) => e.values.progress);
    assert.deepEqual(progress, ["Start", "ScheduleRenegotiation", "Start", "Stop"]);
  });

  test("Pause: the EV pauses the session (SessionStop Pause) and resumes it by SessionID on a new connection", () => {
    const store = new MemorySessionStore();
    const clock = new ManualClock({ start: 1_000 });
    const s = stack({ transfer: "ac", mode: "scheduled", store, clock, targetSoc: 90 });
    while (s.evcc.session?.step !== "ChargeLoop") s.clock.advance(100);
    s.secc.session.control({ kind: "evse-notification", notification: "Pause" });
    const paused = run(s);
    assert.equal(paused?.reason, "paused");
    assert.equal(paused?.paused, true);
    assert.equal(s.secc.session.stopReason, "ev-pause");
    assert.equal(store.size, 1);
    const again = stack({ transfer: "ac", mode: "scheduled", store, clock, resumeSessionId: paused!.sessionId });
    const resumed = run(again);
    assert.equal(resumed?.reason, "charging-complete", resumed?.detail);
    assert.equal(again.evcc.session?.facts.resumed, true);
    assert.deepEqual(resumed?.sessionId, paused?.sessionId);
  });
});

describe("ISO 15118-20: EV-initiated ScheduleRenegotiation, teardown, sign-convention log", () => {
  test("evcc.renegotiate() while charging: PowerDelivery(ScheduleRenegotiation) → ScheduleExchange → PowerDelivery(Start)", () => {
    const s = stack({ transfer: "ac", mode: "scheduled" });
    while (s.evcc.session?.step !== "ChargeLoop") s.clock.advance(100);
    s.clock.advance(1_000);
    s.evcc.renegotiate();
    const outcome = run(s);
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    const progress = s.trace.filter((e) => e.direction === "tx" && e.name === "PowerDeliveryReq").map((e) => e.values.progress);
    assert.deepEqual(progress, ["Start", "ScheduleRenegotiation", "Start", "Stop"]);
  });

  test("after SessionStopRes the SECC leaves the close to the EV for 5 s, then closes itself", () => {
    const clock = new ManualClock({ start: 1_000 });
    const link = streamPair(clock, 1);
    const secc = new SeccConnection({ open: link.b, config: DC20, clock, unixTime: () => UNIX });
    const codec = createExiCodec();
    const received: object[] = [];
    const ev = new V2gtpConnection({
      open: link.a,
      onMessage: (m) => received.push(codec.decode(m.schema ?? (received.length === 0 ? "apphand" : "iso20-cm"), m.payload)),
    });
    ev.send("apphand", codec.encode("apphand", buildSapRequest(["iso20-dc"])));
    clock.advance(10);
    ev.selectProtocol("iso20-dc");
    let id = new Uint8Array(8);
    const send = (name: string, content: object) => {
      ev.send("iso20-cm", codec.encode("iso20-cm", { [name]: { Header: { SessionID: id, TimeStamp: UNIX }, ...content } }));
      clock.advance(10);
      const last = received[received.length - 1] as Record<string, any>;
      return last[Object.keys(last)[0]];
    };
    id = send("SessionSetupReq", { EVCCID }).Header.SessionID;
    assert.equal(send("SessionStopReq", { ChargingSession: "Terminate" }).ResponseCode, "OK");
    assert.equal(secc.session.stopReason, "ev-terminate");
    clock.advance(4_900);
    assert.equal(secc.closed, false);
    clock.advance(200);
    assert.equal(secc.closed, true);
  });

  test("the SECC logs which sign the EV gives its discharge limits", () => {
    const lines: string[] = [];
    const ev = iso20Ev(DC20, { logger: { log: (_level, _source, message) => lines.push(message) } });
    ev.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
    ev.ok("AuthorizationSetupReq");
    ev.control({ kind: "authorized", accepted: true });
    ev.ok("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} });
    ev.ok("ServiceDiscoveryReq");
    ev.ok("ServiceSelectionReq", { SelectedEnergyTransferService: { ServiceID: 6, ParameterSetID: 1 } });
    const r = (Value: number, Exponent = 0) => ({ Exponent, Value });
    ev.ok("DC_ChargeParameterDiscoveryReq", {
      BPT_DC_CPDReqEnergyTransferMode: {
        EVMaximumChargePower: r(50, 3),
        EVMinimumChargePower: r(0),
        EVMaximumChargeCurrent: r(125),
        EVMinimumChargeCurrent: r(0),
        EVMaximumVoltage: r(450),
        EVMinimumVoltage: r(300),
        EVMaximumDischargePower: r(-10, 3),
        EVMinimumDischargePower: r(0),
        EVMaximumDischargeCurrent: r(-25),
        EVMinimumDischargeCurrent: r(0),
      },
    });
    assert.ok(lines.some((l) => l === "EV sends discharge limits negative"), lines.join("\n"));
  });
});

describe("ISO 15118-20: ServiceRenegotiation asked by the charger", () => {
  test("PowerDelivery(Stop) → WeldingDetection → SessionStop(ServiceRenegotiation) → ServiceDiscovery … → charging again in the same session", () => {
    const s = stack({ transfer: "dc", mode: "scheduled" });
    while (s.evcc.session?.step !== "ChargeLoop") s.clock.advance(100);
    s.clock.advance(1_000);
    s.secc.session.control({ kind: "evse-notification", notification: "ServiceRenegotiation" });
    const outcome = run(s);
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    const sent = s.trace.filter((e) => e.direction === "tx").map((e) => e.name);
    assert.equal(sent.filter((n) => n === "ServiceDiscoveryReq").length, 2);
    assert.equal(sent.filter((n) => n === "SessionSetupReq").length, 1);
    assert.equal(sent.filter((n) => n === "SessionStopReq").length, 2);
    const progress = s.trace.filter((e) => e.direction === "tx" && e.name === "PowerDeliveryReq").map((e) => e.values.progress);
    assert.deepEqual(progress, ["Start", "Stop", "Start", "Stop"]);
    assert.equal(s.secc.session.stopReason, "ev-terminate");
  });
});

describe("ISO 15118-20 Scheduled: the offered schedule runs out", () => {
  test("the SECC asks ScheduleRenegotiation when the schedule's duration has passed; the EV renegotiates and goes on", () => {
    const s = stack({ transfer: "ac", mode: "scheduled", secc: { scheduleDuration: 60 }, targetSoc: 44 });
    const outcome = run(s);
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    const progress = s.trace.filter((e) => e.direction === "tx" && e.name === "PowerDeliveryReq").map((e) => e.values.progress);
    assert.ok(progress.filter((p) => p === "ScheduleRenegotiation").length >= 2, progress.join(","));
    assert.equal(progress[progress.length - 1], "Stop");
  });
});

describe("ISO 15118-20: the EV pauses", () => {
  test("evcc.pause() while charging: PowerDelivery(Stop), WeldingDetection, SessionStop(Pause); the SECC keeps the session for resumption", () => {
    const store = new MemorySessionStore();
    const s = stack({ transfer: "dc", mode: "dynamic", store, targetSoc: 90 });
    while (s.evcc.session?.step !== "ChargeLoop") s.clock.advance(100);
    s.evcc.pause();
    const outcome = run(s);
    assert.equal(outcome?.reason, "paused");
    assert.equal(outcome?.paused, true);
    assert.equal(s.secc.session.stopReason, "ev-pause");
    assert.equal(store.size, 1);
    const sent = s.trace.filter((e) => e.direction === "tx").map((e) => e.name);
    const tail = sent.slice(sent.lastIndexOf("DC_ChargeLoopReq") + 1).filter((name, i, list) => i === 0 || name !== list[i - 1]);
    assert.deepEqual(tail, ["PowerDeliveryReq", "DC_WeldingDetectionReq", "SessionStopReq"]);
  });
});

describe("ISO 15118-20: the EV renegotiates its service", () => {
  test("renegotiateService() while charging: PowerDelivery(Stop) → SessionStop(ServiceRenegotiation) → ServiceDiscovery … → charging again", () => {
    // DC: the simulated AC vehicle does not draw again after its pilot went to B (a sim limitation).
    const s = stack({ transfer: "dc", mode: "scheduled" });
    while (s.evcc.session?.step !== "ChargeLoop") s.clock.advance(100);
    s.clock.advance(1_000);
    s.evcc.renegotiateService();
    const outcome = run(s);
    assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
    const sent = s.trace.filter((e) => e.direction === "tx").map((e) => e.name);
    assert.equal(sent.filter((n) => n === "ServiceDiscoveryReq").length, 2);
    assert.equal(sent.filter((n) => n === "SessionStopReq").length, 2);
    assert.equal(s.secc.session.stopReason, "ev-terminate");
  });
});
