// ISO 15118-20 timers with the manual clock, both roles: each value of ../../../modules/
// statemachine/iso20/timeouts.ts (Tables 215–217 of ISO 15118-20), what happens when it runs
// out (the SECC's teardown or FAILED answer, the EVCC's abort reason) and the log line.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import type { Logger, Millis } from "../../../modules/common/index";
import { createExiCodec } from "../../../modules/exi/index";
import { SeccConnection } from "../../../modules/statemachine/index";
import type { SeccConfig } from "../../../modules/statemachine/index";
import { iso20SchemaOfMessage } from "../../../modules/statemachine/iso20/envelope";
import { buildSapRequest, V2gtpConnection } from "../../../modules/v2gtp/index";
import { streamPair } from "../evcc/memory-link";
import { AC20, DC20, EVCCID, intoChargeLoop, iso20Ev, r, setUpTo, UNIX } from "./support";
import type { Iso20Ev } from "./support";
import { objectPair } from "./stack-support";

function logged(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: { log: (level, source, message) => lines.push(`${level} ${source} ${message}`) } };
}

describe("ISO 15118-20 SECC timers", () => {
  test("V2G_SECC_Sequence_Timeout: 60 s after a response without the next request the session stops (Table 215, [V2G20-443])", () => {
    const log = logged();
    const ev = iso20Ev(DC20, { logger: log.logger });
    ev.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
    ev.clock.advance(59_900);
    assert.equal(ev.stopReason(), undefined);
    ev.clock.advance(200);
    assert.equal(ev.stopReason(), "timeout-sequence");
    assert.ok(log.lines.includes("warn secc sequence timeout in AuthorizationSetup (60000 ms after SessionSetupRes)"), log.lines.join("\n"));
  });

  for (const dc of [true, false]) {
    const loop = dc ? "DC_ChargeLoopRes" : "AC_ChargeLoopRes";
    test(`after ${loop} the EV has 0.5 s for its next request (Table ${dc ? 217 : 216}); then the power stops and the session ends`, () => {
      const log = logged();
      const stops: string[] = [];
      const ev = iso20Ev(dc ? DC20 : AC20, { logger: log.logger, feedback: { stopCharging: (mode) => stops.push(mode) } });
      const req = intoChargeLoop(ev, dc);
      // Right after PowerDeliveryRes(Start) the Table 215 value still applies.
      ev.clock.advance(30_000);
      assert.equal(ev.stopReason(), undefined);
      for (let i = 0; i < 5; i++) {
        ev.ok(req.name, req.content); // the helper's clock moves 20 ms after each answer
        ev.clock.advance(460);
      }
      assert.equal(ev.stopReason(), undefined);
      ev.ok(req.name, req.content);
      ev.clock.advance(470);
      assert.equal(ev.stopReason(), undefined);
      ev.clock.advance(20);
      assert.equal(ev.stopReason(), "timeout-sequence");
      assert.deepEqual(stops, [dc ? "dc" : "ac"]);
      assert.ok(log.lines.includes(`warn secc loop-sequence timeout in ChargeLoop (500 ms after ${loop})`), log.lines.join("\n"));
    });
  }

  test("the loop's 0.5 s is configurable for EVs that pace slower (config.timeouts loop-sequence)", () => {
    const ev = iso20Ev({ ...DC20, timeouts: { "loop-sequence": 2_000 as Millis } });
    const req = intoChargeLoop(ev, true);
    ev.ok(req.name, req.content);
    ev.clock.advance(1_900);
    assert.equal(ev.stopReason(), undefined);
    ev.ok(req.name, req.content);
    ev.clock.advance(2_000);
    assert.equal(ev.stopReason(), "timeout-sequence");
  });

  test("leaving the loop (PowerDelivery Stop) restores the 60 s", () => {
    const ev = iso20Ev(DC20);
    const req = intoChargeLoop(ev, true);
    ev.ok(req.name, req.content);
    ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Stop" });
    ev.clock.advance(59_000);
    assert.equal(ev.stopReason(), undefined);
    ev.ok("DC_WeldingDetectionReq", { EVProcessing: "Finished" });
  });

  test("CommunicationSetup: no SessionSetupReq within 18 s of the connection ends it (the DIN/-2 value; see timeouts.ts)", () => {
    const log = logged();
    const ev = iso20Ev(DC20, { logger: log.logger });
    ev.clock.advance(17_900);
    assert.equal(ev.stopReason(), undefined);
    ev.clock.advance(200);
    assert.equal(ev.stopReason(), "timeout-communication-setup");
    assert.ok(log.lines.some((l) => l.startsWith("warn secc communication-setup timeout in SessionSetup")), log.lines.join("\n"));
  });

  test("EIM: AuthorizationRes may stay Ongoing 180 s (not the 55 s of -2); then FAILED and stop", () => {
    const log = logged();
    const ev = iso20Ev(DC20, { logger: log.logger });
    ev.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
    ev.ok("AuthorizationSetupReq");
    const auth = { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} };
    for (let t = 0; t < 170_000; t += 10_000) {
      assert.equal(ev.ok("AuthorizationReq", auth).EVSEProcessing, "Ongoing");
      ev.clock.advance(9_980);
    }
    assert.equal(ev.stopReason(), undefined);
    ev.clock.advance(11_000);
    ev.ok("AuthorizationReq", auth, "FAILED");
    assert.equal(ev.stopReason(), "timeout-ongoing");
    assert.ok(log.lines.includes("warn secc ongoing limit reached in Authorization"), log.lines.join("\n"));
  });

  function toCableCheck(config: SeccConfig = DC20): Iso20Ev {
    const ev = iso20Ev(config);
    setUpTo(ev, 2, 1);
    ev.ok("DC_ChargeParameterDiscoveryReq", {
      DC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(50, 3), EVMinimumChargePower: r(0), EVMaximumChargeCurrent: r(125), EVMinimumChargeCurrent: r(0), EVMaximumVoltage: r(450), EVMinimumVoltage: r(200) },
    });
    ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: {} });
    return ev;
  }

  test("CableCheck: an isolation check that does not finish within 38 s is answered FAILED and ends the session", () => {
    const ev = toCableCheck();
    for (let t = 0; t < 37_000; t += 1_000) {
      assert.equal(ev.ok("DC_CableCheckReq").EVSEProcessing, "Ongoing");
      ev.clock.advance(980);
    }
    ev.clock.advance(1_100);
    ev.ok("DC_CableCheckReq", {}, "FAILED");
    assert.equal(ev.stopReason(), "timeout-cable-check");
  });

  test("PreCharge: the charger allows the -20 EV its 10 s; an output still away from the target after that is FAILED", () => {
    const ev = toCableCheck();
    ev.ok("DC_CableCheckReq");
    ev.control({ kind: "cable-check-finished", isolation: "Valid" });
    assert.equal(ev.ok("DC_CableCheckReq").EVSEProcessing, "Finished");
    const pre = { EVProcessing: "Ongoing", EVPresentVoltage: r(400), EVTargetVoltage: r(400) };
    for (let t = 0; t < 9_500; t += 500) {
      ev.ok("DC_PreChargeReq", pre); // the output stays at 0 V
      ev.clock.advance(480);
    }
    assert.equal(ev.stopReason(), undefined);
    ev.clock.advance(600);
    ev.ok("DC_PreChargeReq", pre, "FAILED");
    assert.equal(ev.stopReason(), "timeout-pre-charge");
  });
});

describe("ISO 15118-20 SECC performance time", () => {
  test("a DC_ChargeLoopRes later than 0.25 s (V2G_SECC_Msg_Performance_Time, Table 217) is logged; 0.2 s is not", () => {
    const clock = new ManualClock({ start: 1_000 });
    const log = logged();
    const link = streamPair(clock, 1);
    let slow = 0;
    // The power stage takes `slow` ms to take the loop's target (a stand-in for a slow charger).
    const secc = new SeccConnection({ open: link.b, config: DC20, clock, unixTime: () => UNIX, logger: log.logger, feedback: { dcTarget: () => clock.advance(slow) } });
    secc.session.control({ kind: "authorized", accepted: true });
    const codec = createExiCodec();
    const received: Record<string, any>[] = [];
    const ev = new V2gtpConnection({ open: link.a, onMessage: (m) => received.push(codec.decode(m.schema ?? (received.length === 0 ? "apphand" : "iso20-cm"), m.payload) as Record<string, any>) });
    ev.send("apphand", codec.encode("apphand", buildSapRequest(["iso20-dc"])));
    clock.advance(10);
    ev.selectProtocol("iso20-dc");
    let id = new Uint8Array(8);
    const send = (name: string, content: object = {}): Record<string, any> => {
      const schema = iso20SchemaOfMessage(name);
      ev.send(schema, codec.encode(schema, { [name]: { Header: { SessionID: id, TimeStamp: UNIX }, ...content } }));
      clock.advance(10);
      const last = received[received.length - 1];
      return last[Object.keys(last)[0]];
    };
    id = send("SessionSetupReq", { EVCCID }).Header.SessionID;
    send("AuthorizationSetupReq");
    send("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} });
    send("ServiceDiscoveryReq");
    send("ServiceSelectionReq", { SelectedEnergyTransferService: { ServiceID: 2, ParameterSetID: 1 } });
    send("DC_ChargeParameterDiscoveryReq", {
      DC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(50, 3), EVMinimumChargePower: r(0), EVMaximumChargeCurrent: r(125), EVMinimumChargeCurrent: r(0), EVMaximumVoltage: r(450), EVMinimumVoltage: r(200) },
    });
    send("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: {} });
    send("DC_CableCheckReq");
    secc.session.control({ kind: "cable-check-finished", isolation: "Valid" });
    send("DC_CableCheckReq");
    send("DC_PreChargeReq", { EVProcessing: "Finished", EVPresentVoltage: r(400), EVTargetVoltage: r(400) });
    const profile = { TimeAnchor: 0n, Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: 1 }, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(10, 3) }] } };
    assert.equal(send("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: profile }).ResponseCode, "OK");
    const loop = { MeterInfoRequested: false, EVPresentVoltage: r(400), Scheduled_DC_CLReqControlMode: { EVTargetCurrent: r(25), EVTargetVoltage: r(410) } };
    slow = 200;
    assert.equal(send("DC_ChargeLoopReq", loop).ResponseCode, "OK");
    assert.equal(log.lines.filter((l) => l.indexOf("DC_ChargeLoopRes took") >= 0).length, 0, log.lines.join("\n"));
    slow = 300;
    send("DC_ChargeLoopReq", loop);
    assert.ok(log.lines.includes("warn secc DC_ChargeLoopRes took 300 ms (limit 250 ms)"), log.lines.join("\n"));
  });
});

describe("ISO 15118-20 EVCC timers", () => {
  // V2G_EVCC_Msg_Timeout per request (Tables 215, 216, 217): drop the first answer to each
  // request and see the EV give up after exactly that long.
  const MESSAGE_TIMEOUTS: readonly [string, number, "dc" | "ac"][] = [
    ["SessionSetupReq", 2_000, "dc"],
    ["AuthorizationSetupReq", 2_000, "dc"],
    ["AuthorizationReq", 2_000, "dc"],
    ["ServiceDiscoveryReq", 2_000, "dc"],
    ["ServiceDetailReq", 5_000, "dc"],
    ["ServiceSelectionReq", 2_000, "dc"],
    ["DC_ChargeParameterDiscoveryReq", 2_000, "dc"],
    ["ScheduleExchangeReq", 2_000, "dc"],
    ["DC_CableCheckReq", 2_000, "dc"],
    ["DC_PreChargeReq", 2_000, "dc"],
    ["PowerDeliveryReq", 2_000, "dc"], // 5 s in -2, 2 s in -20
    ["DC_ChargeLoopReq", 500, "dc"],
    ["DC_WeldingDetectionReq", 2_000, "dc"],
    ["SessionStopReq", 2_000, "dc"],
    ["AC_ChargeParameterDiscoveryReq", 2_000, "ac"],
    ["AC_ChargeLoopReq", 500, "ac"],
  ];
  for (const [request, limit, transfer] of MESSAGE_TIMEOUTS) {
    test(`${request}: the response is due within ${limit} ms`, () => {
      const p = objectPair({ transfer, drop: (name, n) => name === request && n === 1, stopAfterLoops: 3 });
      p.evcc.start();
      for (let i = 0; i < 200_000 && p.outcome() === undefined; i++) p.clock.advance(10);
      const outcome = p.outcome();
      assert.equal(outcome?.reason, "timeout-message", outcome?.detail);
      const at = p.sent.find((s) => s.name === request)!.at;
      assert.equal(p.clock.now() - at >= limit && p.clock.now() - at <= limit + 10, true, `gave up after ${p.clock.now() - at} ms`);
      assert.match(outcome!.detail!, new RegExp(`${request.replace(/Req$/, "Res")} within ${limit} ms`));
    });
  }

  test("CableCheck: the EV gives up after 40 s of Ongoing (V2G_EVCC_CableCheck_Timeout)", () => {
    const p = objectPair({ transfer: "dc", cableCheck: false, secc: { timeouts: { "cable-check": 120_000 as Millis } } });
    p.evcc.start();
    for (let i = 0; i < 100_000 && p.outcome() === undefined; i++) p.clock.advance(10);
    assert.equal(p.outcome()?.reason, "timeout-cable-check");
    const first = p.sent.find((s) => s.name === "DC_CableCheckReq")!.at;
    assert.equal(Math.round((p.clock.now() - first) / 100), 400);
  });

  test("PreCharge gives up after 10 s (-20), not the 7 s of -2", () => {
    // The output never rises: the charger's pre-charge stays at 0 V.
    const p = objectPair({ transfer: "dc", outputVoltage: 0 });
    p.evcc.start();
    while (p.evcc.step !== "PreCharge") p.clock.advance(10);
    p.clock.advance(9_500);
    assert.equal(p.outcome(), undefined);
    p.clock.advance(1_000);
    assert.equal(p.outcome()?.reason, "timeout-pre-charge");
  });

  test("EIM: the EV keeps asking while the charger says Ongoing for up to 180 s", () => {
    const p = objectPair({ transfer: "dc", authorized: false, secc: { timeouts: { ongoing: 600_000 as Millis } } });
    p.evcc.start();
    for (let i = 0; i < 20_000 && p.outcome() === undefined; i++) p.clock.advance(10);
    assert.equal(p.outcome()?.reason, "timeout-ongoing");
    const first = p.sent.find((s) => s.name === "AuthorizationReq")!.at;
    assert.equal(Math.round((p.clock.now() - first) / 100), 1800);
  });

  for (const transfer of ["dc", "ac"] as const) {
    test(`${transfer.toUpperCase()}_ChargeLoopReq follows its response within 0.25 s (V2G_EVCC_Sequence_Performance_Time), whatever interval is configured`, () => {
      const p = objectPair({ transfer, stopAfterLoops: 20 });
      p.evcc.start();
      for (let i = 0; i < 100_000 && p.outcome() === undefined; i++) p.clock.advance(10);
      assert.equal(p.outcome()?.reason, "user-stop", p.outcome()?.detail);
      assert.equal(p.outcome()?.orderly, true);
      const loops = p.sent.filter((s) => s.name === `${transfer.toUpperCase()}_ChargeLoopReq`);
      assert.ok(loops.length > 10);
      // Request to request: 10 ms for the answer, then at most 250 ms.
      for (let i = 1; i < loops.length; i++) assert.ok(loops[i].at - loops[i - 1].at <= 260, `${loops[i].at - loops[i - 1].at} ms`);
      assert.equal(p.secc.stopReason, "ev-terminate");
    });
  }
});
