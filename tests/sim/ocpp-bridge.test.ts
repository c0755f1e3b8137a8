// @node-only — OCPP 2.0.1 bridge (hosts/sim/ocpp) against the test CSMS over loopback, both with ocpp-rpc strict schema validation.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { setImmediate as turn } from "node:timers/promises";
import { ManualClock } from "../../modules/common/index";
import type { Logger } from "../../modules/common/index";
import type { OperatorAnswer } from "../../modules/statemachine/index";
import { OcppBridge, splitOcppUrl } from "../../hosts/sim/ocpp/bridge";
import type { OcppBridgeOptions } from "../../hosts/sim/ocpp/bridge";
import { ChargingProfiles } from "../../hosts/sim/ocpp/profiles";
import { TestCsms } from "../../hosts/sim/ocpp/test-csms";
import { pair } from "../statemachine/evcc/with-secc";
import type { Pair } from "../statemachine/evcc/with-secc";
import { DC20 } from "../statemachine/iso20/support";

/** Advances the manual clock in `step` ms and lets the sockets run between steps, until `done` or `limit` ms. */
async function until(clock: ManualClock, done: () => boolean, limit = 3_600_000, step = 100): Promise<void> {
  const end = clock.now() + limit;
  while (!done() && clock.now() < end) {
    clock.advance(step);
    await turn();
  }
}

/** Records warnings and errors (failed calls, schema failures) so that a test can demand none. */
function problems(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, source, message) => void (level === "warn" || level === "error" ? lines.push(`${source}: ${message}`) : undefined) };
}

async function station(options: { identity?: string; csms?: TestCsms; protocols?: ("ocpp2.0.1" | "ocpp2.1")[]; bridge?: Partial<OcppBridgeOptions> } = {}) {
  const csms = options.csms ?? new TestCsms();
  const base = await csms.listen();
  const identity = options.identity ?? "CS001";
  const clock = new ManualClock({ start: 10_000 });
  const log = problems();
  let p: Pair | undefined;
  const bridge = new OcppBridge({
    url: `${base}/ocpp/${identity}`,
    clock,
    logger: log,
    seccId: "DE*XS1*E0001",
    meter: {
      meterId: "SIM-METER-1",
      get energyWh() {
        return p?.meter.energyWh ?? 0;
      },
    },
    present: () => ({ voltage: p?.dc?.presentVoltage ?? 0, current: p?.dc?.presentCurrent ?? 0 }),
    wattsPerAmp: () => p?.dc?.presentVoltage ?? 400,
    meterInterval: 10_000 as never,
    protocols: options.protocols,
    ...options.bridge,
  });
  await bridge.connect();
  const attach = (q: Pair): Pair => (p = q);
  return { csms, bridge, clock, log, identity, attach, base };
}

describe("OCPP 2.0.1 bridge ⇄ test CSMS (loopback, strict schemas)", () => {
  test("ISO-2 DC session: boot, status, Authorize, TransactionEvents with meter values, NotifyEVChargingNeeds — all valid; a TxProfile reaches the EV as a new SAScheduleList", async () => {
    const s = await station();
    try {
      const p = s.attach(pair({ protocol: "iso2", mode: "DC_extended", clock: s.clock, backend: s.bridge, vehicle: { targetSoc: 80 } }));
      p.evcc.start();
      await until(s.clock, () => p.evcc.step === "CurrentDemand");
      assert.equal(p.evcc.step, "CurrentDemand", "authorized by the CSMS and charging");
      await until(s.clock, () => false, 20_000);
      const started = s.csms.received("TransactionEvent")[0] as { transactionInfo: { transactionId: string } };
      const transactionId = started.transactionInfo.transactionId;
      // The operator caps this EVSE at 11 kW from now on.
      const res = await s.csms.call(s.identity, "SetChargingProfile", {
        evseId: 1,
        chargingProfile: {
          id: 7,
          stackLevel: 0,
          chargingProfilePurpose: "TxProfile",
          chargingProfileKind: "Relative",
          transactionId,
          chargingSchedule: [{ id: 1, chargingRateUnit: "W", chargingSchedulePeriod: [{ startPeriod: 0, limit: 11_000 }] }],
        },
      });
      assert.deepEqual(res, { status: "Accepted" });
      await until(s.clock, () => p.evcc.ended);
      assert.equal(p.evccOutcome()?.reason, "charging-complete", p.evccOutcome()?.detail);
      await s.bridge.settled();

      // The EV renegotiated, and its new ChargingProfile keeps to the operator's 11 kW.
      const pd = p.trace.filter((e) => e.direction === "tx" && e.name === "PowerDeliveryReq").map((e) => e.values.progress);
      assert.deepEqual(pd, ["Start", "Renegotiate", "Start", "Stop"]);
      const starts = p.sent
        .map((d) => (d as { V2G_Message: { Body: { PowerDeliveryReq?: { ChargeProgress: string; ChargingProfile?: { ProfileEntry: { ChargingProfileEntryMaxPower: { Value: number; Multiplier: number } }[] } } } } }).V2G_Message.Body.PowerDeliveryReq)
        .filter((r) => r?.ChargeProgress === "Start");
      assert.equal(starts.length, 2);
      const maxOf = (r: (typeof starts)[number]): number =>
        Math.max(...r!.ChargingProfile!.ProfileEntry.map((e) => e.ChargingProfileEntryMaxPower.Value * 10 ** e.ChargingProfileEntryMaxPower.Multiplier));
      assert.ok(maxOf(starts[0]) > 11_000, `first profile ${maxOf(starts[0])} W follows the 50 kW default schedule`);
      assert.ok(maxOf(starts[1]) <= 11_000, `renegotiated profile ${maxOf(starts[1])} W`);

      // Every message the charger sent passed the server's OCPP 2.0.1 schemas, and none failed.
      assert.deepEqual(s.csms.validationFailures, []);
      assert.deepEqual(s.log.lines, []);
      const methods = new Set(s.csms.records.filter((r) => r.direction === "rx").map((r) => r.method));
      for (const m of ["BootNotification", "StatusNotification", "Authorize", "TransactionEvent", "NotifyEVChargingNeeds", "NotifyEVChargingSchedule", "SetChargingProfileResponse"]) {
        assert.ok(methods.has(m), `${m} received`);
      }
      assert.equal(s.csms.received("NotifyEVChargingNeeds").length, 2, "at each ChargeParameterDiscovery");
      const needs = s.csms.received("NotifyEVChargingNeeds")[0] as { chargingNeeds: { requestedEnergyTransfer: string; dcChargingParameters: { evMaxVoltage: number } } };
      assert.equal(needs.chargingNeeds.requestedEnergyTransfer, "DC");
      assert.ok(needs.chargingNeeds.dcChargingParameters.evMaxVoltage > 0);
      // The EV's ChargingProfile of each PowerDeliveryReq(Start) goes to the CSMS: the second within 11 kW.
      const plans = s.csms.received("NotifyEVChargingSchedule") as { chargingSchedule: { chargingRateUnit: string; chargingSchedulePeriod: { limit: number }[] } }[];
      assert.equal(plans.length, 2);
      assert.equal(plans[1].chargingSchedule.chargingRateUnit, "W");
      assert.ok(Math.max(...plans[1].chargingSchedule.chargingSchedulePeriod.map((p) => p.limit)) <= 11_000);
      const authorize = s.csms.received("Authorize")[0] as { idToken: { idToken: string; type: string } };
      assert.deepEqual(authorize.idToken, { idToken: "020000CAFE01", type: "MacAddress" });

      const events = s.csms.received("TransactionEvent") as { eventType: string; triggerReason: string; seqNo: number; meterValue: { sampledValue: { measurand: string; value: number }[] }[] }[];
      assert.equal(events[0].eventType, "Started");
      assert.equal(events[events.length - 1].eventType, "Ended");
      assert.deepEqual(events.map((e) => e.seqNo), events.map((_, i) => i));
      assert.ok(events.some((e) => e.triggerReason === "MeterValuePeriodic"));
      const register = (e: (typeof events)[number]): number => e.meterValue[0].sampledValue.find((v) => v.measurand === "Energy.Active.Import.Register")!.value;
      assert.ok(register(events[events.length - 1]) > 0);
      assert.ok(Math.abs(register(events[events.length - 1]) - p.meter.energyWh) < 1, "the last register is the meter's");
      const status = s.csms.received("StatusNotification") as { connectorStatus: string }[];
      assert.deepEqual(status.map((x) => x.connectorStatus), ["Available", "Occupied", "Available"]);
    } finally {
      await s.bridge.close();
      await s.csms.close();
    }
  });

  test("the CSMS refuses the idToken → AuthorizationRes FAILED, the session ends", async () => {
    const s = await station({ csms: new TestCsms({ accept: () => false }) });
    try {
      const p = s.attach(pair({ protocol: "iso2", mode: "DC_extended", clock: s.clock, backend: s.bridge }));
      p.evcc.start();
      await until(s.clock, () => p.evcc.ended, 120_000);
      assert.ok(p.evcc.ended);
      assert.equal(p.seccStop(), "failed-response");
      assert.ok(!p.trace.some((e) => e.name === "ChargeParameterDiscoveryReq"));
    } finally {
      await s.bridge.close();
      await s.csms.close();
    }
  });

  test("PnC calls: Authorize with certificate hash data, Get15118EVCertificate (EXI passthrough), GetCertificateStatus; ISO15118Ctrlr variables", async () => {
    const exiRes = Buffer.from([0x80, 0x98, 0x02, 0x10]).toString("base64");
    const s = await station({ csms: new TestCsms({ evCertificate: (p) => (p.action === "Install" ? exiRes : undefined) }) });
    try {
      const answers: OperatorAnswer[] = [];
      const events: unknown[] = [];
      s.bridge.onAnswer = (a) => answers.push(a);
      s.bridge.onEvent = (e) => events.push(e);
      const hash = { hashAlgorithm: "SHA256", issuerNameHash: "ab".repeat(32), issuerKeyHash: "cd".repeat(32), serialNumber: "1f2e", responderURL: "http://ocsp.example/" } as const;
      s.bridge.authorize({ kind: "pnc", emaid: "DEXS1C00000001", chain: [hash] });
      s.bridge.requestEvCertificate("Install", "iso2", Uint8Array.of(0x80, 0x98, 0x02, 0x00));
      s.bridge.requestCertificateStatus(hash);
      await s.bridge.settled();
      await turn();
      assert.deepEqual(events, [{ kind: "authorized", accepted: true }]);
      assert.deepEqual(answers[0], { kind: "contract-status", accepted: true, certificateStatus: "Accepted" });
      assert.deepEqual(answers[1], { kind: "ev-certificate", accepted: true, exiResponse: Uint8Array.of(0x80, 0x98, 0x02, 0x10) });
      assert.deepEqual(answers[2], { kind: "certificate-status", good: false, ocspResponse: undefined });
      const auth = s.csms.received("Authorize")[0] as { idToken: object; iso15118CertificateHashData: object[] };
      assert.deepEqual(auth.idToken, { idToken: "DEXS1C00000001", type: "eMAID" });
      assert.equal(auth.iso15118CertificateHashData.length, 1);
      const cert = s.csms.received("Get15118EVCertificate")[0] as { exiRequest: string; iso15118SchemaVersion: string };
      assert.equal(cert.exiRequest, Buffer.from([0x80, 0x98, 0x02, 0x00]).toString("base64"));
      assert.equal(cert.iso15118SchemaVersion, "urn:iso:15118:2:2013:MsgDef");

      const component = { name: "ISO15118Ctrlr" };
      const set = (await s.csms.call(s.identity, "SetVariables", {
        setVariableData: [
          { component, variable: { name: "PnCEnabled" }, attributeValue: "true" },
          { component, variable: { name: "SeccId" }, attributeValue: "X" },
          { component, variable: { name: "Nonsense" }, attributeValue: "1" },
        ],
      })) as { setVariableResult: { attributeStatus: string }[] };
      assert.deepEqual(set.setVariableResult.map((r) => r.attributeStatus), ["Accepted", "Rejected", "UnknownVariable"]);
      const got = (await s.csms.call(s.identity, "GetVariables", {
        getVariableData: [
          { component, variable: { name: "PnCEnabled" } },
          { component, variable: { name: "SeccId" } },
          { component: { name: "OCPPCommCtrlr" }, variable: { name: "HeartbeatInterval" } },
        ],
      })) as { getVariableResult: { attributeStatus: string; attributeValue?: string }[] };
      assert.deepEqual(got.getVariableResult.map((r) => [r.attributeStatus, r.attributeValue]), [["Accepted", "true"], ["Accepted", "DE*XS1*E0001"], ["UnknownComponent", undefined]]);
      assert.deepEqual(s.csms.validationFailures, []);
      assert.deepEqual(s.log.lines, []);
    } finally {
      await s.bridge.close();
      await s.csms.close();
    }
  });
});

describe("OCPP 2.0.1 charging profiles → ISO 15118-20 Scheduled", () => {
  test("SetChargingProfile mid-session: ScheduleRenegotiation, then a PowerSchedule within the profile; ClearChargingProfile: renegotiated back to the charger's own", async () => {
    const s = await station();
    try {
      // pair() types its protocol as the -2/DIN EVCC schemas; the EVCC session takes "iso20" with config.iso20.
      const p = s.attach(pair({ protocol: "iso20" as "iso2", mode: "DC_extended", clock: s.clock, backend: s.bridge, vehicle: { targetSoc: 95 }, secc: DC20, config: { iso20: { transfer: "dc", controlMode: "scheduled" } } as never }));
      // Every ScheduleExchangeRes's PowerSchedule as the SECC answered it (W per entry).
      const schedules: number[][] = [];
      const request = p.secc.request.bind(p.secc);
      p.secc.request = (doc) => {
        const out = request(doc);
        // -20 documents are the message element itself (no V2G_Message envelope).
        const res = (out.response as Record<string, any> | undefined)?.ScheduleExchangeRes;
        const entries = res?.Scheduled_SEResControlMode?.ScheduleTuple?.[0]?.ChargingSchedule?.PowerSchedule?.PowerScheduleEntries?.PowerScheduleEntry;
        if (entries !== undefined) schedules.push(entries.map((e: { Power: { Value: number; Exponent: number } }) => e.Power.Value * 10 ** e.Power.Exponent));
        return out;
      };
      p.evcc.start();
      await until(s.clock, () => p.trace.some((e) => e.name === "DC_ChargeLoopReq"));
      await until(s.clock, () => false, 10_000);
      assert.equal(schedules.length, 1);
      assert.ok(Math.max(...schedules[0]) > 11_000, `the charger's own schedule first: ${schedules[0]}`);
      const transactionId = (s.csms.received("TransactionEvent")[0] as { transactionInfo: { transactionId: string } }).transactionInfo.transactionId;
      const profile = { id: 9, stackLevel: 0, chargingProfilePurpose: "TxProfile", chargingProfileKind: "Relative", transactionId, chargingSchedule: [{ id: 1, chargingRateUnit: "W", chargingSchedulePeriod: [{ startPeriod: 0, limit: 11_000 }] }] };
      assert.deepEqual(await s.csms.call(s.identity, "SetChargingProfile", { evseId: 1, chargingProfile: profile }), { status: "Accepted" });
      await until(s.clock, () => schedules.length === 2, 60_000);
      assert.deepEqual(schedules[1], [11_000], "the renegotiated PowerSchedule is the profile's limit");
      assert.deepEqual(await s.csms.call(s.identity, "ClearChargingProfile", { chargingProfileId: 9 }), { status: "Accepted" });
      await until(s.clock, () => schedules.length === 3, 60_000);
      assert.deepEqual(schedules[2], schedules[0], "cleared: the charger's own schedule again");
      const progress = p.trace.filter((e) => e.direction === "tx" && e.name === "PowerDeliveryReq").map((e) => e.values.progress);
      assert.deepEqual(progress.slice(0, 5), ["Start", "ScheduleRenegotiation", "Start", "ScheduleRenegotiation", "Start"]);
      assert.deepEqual(s.csms.validationFailures, []);
      assert.deepEqual(s.log.lines, []);
    } finally {
      await s.bridge.close();
      await s.csms.close();
    }
  });
});

describe("OCPP 2.0.1 bridge: heartbeat, losing the CSMS, offline TransactionEvents", () => {
  test("Heartbeat at the BootNotificationResponse interval; the CSMS stops mid-session: back-off 1, 2, 4, 8 s, events queued with offline and seqNo, replayed in order on its return", async () => {
    const s = await station({
      csms: new TestCsms({ heartbeatInterval: 30 }),
      bridge: { retryBackOff: { waitMinimum: 1000 as never, randomRange: 0 as never }, offlineQueueLimit: 4 },
    });
    let second: TestCsms | undefined;
    try {
      // G02: three Heartbeats in 95 s at 30 s.
      await until(s.clock, () => false, 95_000, 1_000);
      await s.bridge.settled();
      assert.equal(s.csms.received("Heartbeat").length, 3);

      const p = s.attach(pair({ protocol: "iso2", mode: "DC_extended", clock: s.clock, backend: s.bridge, vehicle: { targetSoc: 95 } }));
      p.evcc.start();
      await until(s.clock, () => p.evcc.step === "CurrentDemand");
      await until(s.clock, () => false, 15_000);
      await s.bridge.settled();
      const before = s.csms.received("TransactionEvent") as { seqNo: number; offline?: boolean }[];
      assert.ok(before.length >= 3 && before.every((e) => e.offline === undefined));

      // The CSMS goes away; the station keeps charging and tries again at 1, 2, 4, 8 s (no random part here).
      const attempts: number[] = [];
      s.bridge.client.on("connecting", () => attempts.push(s.clock.now()));
      const lostAt = s.clock.now();
      await s.csms.close();
      await until(s.clock, () => attempts.length >= 4, 30_000, 10);
      assert.equal(s.bridge.online, false);
      const gaps = attempts.map((t, i) => t - (i === 0 ? lostAt : attempts[i - 1]));
      [1000, 2000, 4000, 8000].forEach((expected, i) => assert.ok(gaps[i] >= expected && gaps[i] < expected + 1000, `attempt ${i + 1} after ${gaps[i]} ms, expected ${expected}`));
      // 60 s offline at a 10 s meter interval: more updates than the queue holds (4).
      await until(s.clock, () => false, 60_000);
      assert.equal(s.bridge.queuedTransactionEvents, 4);
      assert.ok(s.bridge.droppedTransactionEvents >= 2, `dropped ${s.bridge.droppedTransactionEvents}`);

      // The CSMS is back on the same port: the station re-connects (no new BootNotification), replays, goes on.
      second = new TestCsms({ heartbeatInterval: 30 });
      await second.listen(Number(new URL(s.base).port));
      await until(s.clock, () => s.bridge.online, 120_000);
      assert.equal(s.bridge.reconnects, 1);
      await until(s.clock, () => p.evcc.ended);
      await s.bridge.settled();
      assert.equal(second.received("BootNotification").length, 0);
      const replayed = second.received("TransactionEvent") as { seqNo: number; offline?: boolean; eventType: string; triggerReason: string; transactionInfo: { transactionId: string } }[];
      const offline = replayed.filter((e) => e.offline === true);
      assert.equal(offline.length, 4, "the queue, in order, flagged offline");
      assert.ok(offline.every((e) => e.triggerReason === "MeterValuePeriodic"));
      const seq = [...before, ...replayed].map((e) => e.seqNo);
      for (let i = 1; i < seq.length; i++) assert.ok(seq[i] > seq[i - 1], `seqNo rising: ${seq.join(",")}`);
      assert.equal(seq[seq.length - 1] + 1 - seq.length, s.bridge.droppedTransactionEvents, "the gaps are the dropped updates");
      assert.equal(replayed[replayed.length - 1].eventType, "Ended");
      assert.equal(new Set(replayed.map((e) => e.transactionInfo.transactionId)).size, 1);
      assert.deepEqual((second.received("StatusNotification") as { connectorStatus: string }[]).map((x) => x.connectorStatus), ["Available"]);
      assert.deepEqual([...s.csms.validationFailures, ...second.validationFailures], []);
      await until(s.clock, () => false, 31_000, 1_000);
      await s.bridge.settled();
      assert.ok(second.received("Heartbeat").length >= 1, "heartbeats resume");
    } finally {
      await s.bridge.close();
      await s.csms.close();
      await second?.close();
    }
  });
});

describe("OCPP 2.1 over ocpp-rpc (its 2.1 schemas re-registered for strict mode)", () => {
  test("V2X: a CentralSetpoint period of -5 kW becomes the -20 power-setpoint (discharge); NotifyAllowedEnergyTransfer is accepted; every message valid", async () => {
    const s = await station({ csms: new TestCsms({ protocols: ["ocpp2.1"] }), protocols: ["ocpp2.1", "ocpp2.0.1"] });
    try {
      assert.equal(s.bridge.client.protocol, "ocpp2.1");
      const events: unknown[] = [];
      s.bridge.onEvent = (e) => events.push(e);
      const res = await s.csms.call(s.identity, "SetChargingProfile", {
        evseId: 1,
        chargingProfile: {
          id: 21,
          stackLevel: 0,
          chargingProfilePurpose: "TxDefaultProfile",
          chargingProfileKind: "Relative",
          chargingSchedule: [{ id: 1, chargingRateUnit: "W", chargingSchedulePeriod: [{ startPeriod: 0, operationMode: "CentralSetpoint", setpoint: -5000, limit: 11_000, dischargeLimit: -7000 }] }],
        },
      });
      assert.deepEqual(res, { status: "Accepted" });
      assert.deepEqual(events, [{ kind: "power-setpoint", watts: -5000 }, { kind: "schedule", steps: [{ start: 0, power: 11_000 }] }]);
      assert.deepEqual(await s.csms.call(s.identity, "NotifyAllowedEnergyTransfer", { transactionId: "t1", allowedEnergyTransfer: ["DC", "DC_BPT"] }), { status: "Accepted" });
      assert.deepEqual(s.bridge.allowedEnergyTransfer, ["DC", "DC_BPT"]);
      s.bridge.authorize({ kind: "eim", evccId: Uint8Array.of(2, 0, 0, 0xca, 0xfe, 1) });
      await s.bridge.settled();
      assert.deepEqual(s.csms.validationFailures, []);
      assert.deepEqual(s.log.lines, []);
      assert.equal(s.csms.received("BootNotification").length, 1);
    } finally {
      await s.bridge.close();
      await s.csms.close();
    }
  });
});

describe("OCPP charging profiles → PMax steps", () => {
  const period = (startPeriod: number, limit: number) => ({ startPeriod, limit });
  const profile = (id: number, purpose: "TxProfile" | "TxDefaultProfile" | "ChargingStationMaxProfile", unit: "W" | "A", periods: { startPeriod: number; limit: number }[], stackLevel = 0) => ({
    id,
    stackLevel,
    chargingProfilePurpose: purpose,
    chargingProfileKind: "Relative" as const,
    chargingSchedule: [{ id, chargingRateUnit: unit, chargingSchedulePeriod: periods }],
  });

  test("TxProfile replaces TxDefaultProfile; the station maximum caps it at every instant; A × V → W", () => {
    const p = new ChargingProfiles();
    p.set(profile(1, "TxDefaultProfile", "W", [period(0, 22_000)]), 0);
    assert.deepEqual(p.steps(0, 690), [{ start: 0, power: 22_000 }]);
    p.set(profile(2, "TxProfile", "A", [period(0, 32), period(600, 10)]), 0);
    assert.deepEqual(p.steps(0, 690), [{ start: 0, power: 22_080 }, { start: 600, power: 6_900 }]);
    p.set(profile(3, "ChargingStationMaxProfile", "W", [period(0, 20_000), period(300, 30_000)]), 0);
    assert.deepEqual(p.steps(0, 690), [{ start: 0, power: 20_000 }, { start: 300, power: 22_080 }, { start: 600, power: 6_900 }]);
    // 400 s into the transaction the schedule has moved on: steps are relative to now.
    assert.deepEqual(p.steps(400_000, 690, 0), [{ start: 0, power: 22_080 }, { start: 200, power: 6_900 }]);
    assert.equal(p.clear({ chargingProfileCriteria: { chargingProfilePurpose: "TxProfile" } }), true);
    assert.equal(p.clear({ chargingProfileId: 99 }), false);
    assert.deepEqual(p.steps(0, 690), [{ start: 0, power: 20_000 }, { start: 300, power: 22_000 }]);
  });

  test("a Recurring profile is refused (no daily recurrence in an ISO-2 SAScheduleList)", () => {
    const p = new ChargingProfiles();
    assert.equal(p.set({ ...profile(1, "TxProfile", "W", [period(0, 1000)]), chargingProfileKind: "Recurring" }, 0), false);
    assert.equal(p.steps(0, 1), undefined);
  });

  test("OCPP URL: the last path segment is the station identity", () => {
    assert.deepEqual(splitOcppUrl("ws://127.0.0.1:9000/ocpp/CS001"), { endpoint: "ws://127.0.0.1:9000/ocpp", identity: "CS001" });
    assert.deepEqual(splitOcppUrl("ws://127.0.0.1:9000/CS%2F1"), { endpoint: "ws://127.0.0.1:9000", identity: "CS/1" });
    assert.throws(() => splitOcppUrl("ws://127.0.0.1:9000"), TypeError);
    assert.throws(() => splitOcppUrl("http://x/y"), TypeError);
  });
});
