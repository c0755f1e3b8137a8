import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Millis, toHex, bytesEqual } from "../../modules/common/index";
import { SlacEvse, encodeHomePlugFrame, decodeHomePlugFrame, deriveNid, isType, MAC_BROADCAST, type HomePlugFrame, type SlacEvseOptions } from "../../modules/slac/index";
import { FakeLink, mac, seededRandom } from "./support/sim";

const EVSE = mac(0x10, 0x0a);
const EV = mac(0x50, 0x0e);
const OTHER_EV = mac(0x52, 0x0e);
const MODEM = mac(0x11, 0x0a);
const RUN = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

type Stub = { keys: boolean; link: boolean; nwInfo?: boolean };

function rig(options: Partial<SlacEvseOptions> = {}, stub: Stub = { keys: true, link: true }) {
  const clock = new ManualClock({ start: 1000 });
  const link = new FakeLink(EVSE);
  const out: { t: number; m: HomePlugFrame }[] = [];
  const events: string[] = [];
  link.onWrite = (frame) => {
    const m = decodeHomePlugFrame(frame);
    out.push({ t: clock.now(), m });
    const reply = (f: Uint8Array): void => void clock.set(() => link.inject(f), Millis(1));
    if (isType(m, "CM_SET_KEY.REQ") && stub.keys) {
      reply(encodeHomePlugFrame({ type: "CM_SET_KEY.CNF", dst: EVSE, src: MODEM, fields: { result: 1, myNonce: 0, yourNonce: m.fields.myNonce, pid: 4, prn: 0, pmn: 0, ccoCapability: 0 } }));
    }
    if (m.type === "VS_PL_LNK_STATUS.REQ") reply(encodeHomePlugFrame({ type: "VS_PL_LNK_STATUS.CNF", dst: EVSE, src: MODEM, fields: { status: 0, linkStatus: stub.link ? 1 : 0 } }));
    if (m.type === "VS_NW_INFO.REQ" && stub.nwInfo) {
      reply(encodeHomePlugFrame({ type: "VS_NW_INFO.CNF", dst: EVSE, src: MODEM, fields: { networks: [{ nid: slac.match!.nid, snid: 1, tei: 1, role: 2, ccoMac: MODEM, ccoTei: 1, stations: [{ mac: EV, tei: 2, bda: EV, avgTx: 9, avgRx: 9 }] }] } }));
    }
  };
  const slac: SlacEvse = new SlacEvse({
    link: { io: link.io },
    clock,
    random: seededRandom(1),
    onState: (s) => events.push(`state:${s}`),
    onMatched: () => events.push("matched"),
    onFailed: (r) => events.push(`failed:${r}`),
    onRestart: () => events.push("restart"),
    ...options,
  });
  const send = (type: string, fields: Record<string, unknown>, src = EV, dst: ArrayLike<number> = EVSE): void =>
    link.inject(encodeHomePlugFrame({ type, dst, src, fields } as never));
  const sent = (type: string) => out.filter((o) => o.m.type === type);
  const parm = (run = RUN, src = EV): void => send("CM_SLAC_PARM.REQ", { applicationType: 0, securityType: 0, runId: run }, src, MAC_BROADCAST);
  const startAtten = (run = RUN, src = EV): void =>
    send("CM_START_ATTEN_CHAR.IND", { applicationType: 0, securityType: 0, numSounds: 10, timeOut: 6, respType: 1, forwardingSta: src, runId: run }, src, MAC_BROADCAST);
  const profile = (value: number, pev = EV): void =>
    send("CM_ATTEN_PROFILE.IND", { pevMac: pev, numGroups: 58, reserved: 0, aag: new Uint8Array(58).fill(value) }, MODEM, MAC_BROADCAST);
  const attenRsp = (run = RUN): void =>
    send("CM_ATTEN_CHAR.RSP", { applicationType: 0, securityType: 0, sourceAddress: EV, runId: run, sourceId: new Uint8Array(17), respId: new Uint8Array(17), result: 0 });
  const matchReq = (run = RUN, pevId = new Uint8Array(17).fill(0x31)): void =>
    send("CM_SLAC_MATCH.REQ", { applicationType: 0, securityType: 0, mvfLength: 0x3e, pevId, pevMac: EV, evseId: new Uint8Array(17), evseMac: EVSE, runId: run, reserved: new Uint8Array(8) });
  return { clock, link, slac, out, events, send, sent, parm, startAtten, profile, attenRsp, matchReq };
}

describe("SlacEvse", () => {
  test("start: a random NMK goes to the local modem (CM_SET_KEY.REQ, NID derived), then it waits", () => {
    const r = rig();
    r.slac.start();
    const req = r.sent("CM_SET_KEY.REQ")[0].m;
    assert.ok(isType(req, "CM_SET_KEY.REQ"));
    assert.deepEqual(toHex(req.header.dst), "00b052000001");
    assert.equal(req.fields.keyType, 1);
    assert.equal(req.fields.pid, 4);
    assert.equal(req.fields.newEks, 1);
    assert.deepEqual(req.fields.nid, deriveNid(req.fields.newKey));
    assert.equal(r.slac.state, "waiting");
  });

  test("CM_SLAC_PARM.REQ → CM_SLAC_PARM.CNF with the fields ISO 15118-3 fixes", () => {
    const r = rig();
    r.slac.start();
    r.clock.advance(10);
    r.parm();
    const cnf = r.sent("CM_SLAC_PARM.CNF");
    assert.equal(cnf.length, 1);
    const m = cnf[0].m;
    assert.ok(isType(m, "CM_SLAC_PARM.CNF"));
    assert.equal(toHex(m.header.dst), toHex(EV));
    assert.equal(toHex(m.fields.msoundTarget), "ffffffffffff");
    assert.equal(m.fields.numSounds, 10);
    assert.equal(m.fields.timeOut, 6);
    assert.equal(m.fields.respType, 1);
    assert.equal(toHex(m.fields.forwardingSta), toHex(EV));
    assert.deepEqual(m.fields.runId, RUN);
  });

  test("a repeated CM_SLAC_PARM.REQ (same RunID) is confirmed again, one session", () => {
    const r = rig();
    r.slac.start();
    r.parm();
    r.clock.advance(200);
    r.parm();
    assert.equal(r.sent("CM_SLAC_PARM.CNF").length, 2);
    assert.deepEqual(Object.keys(r.slac.sessions), [toHex(EV)]);
  });

  test("no CM_START_ATTEN_CHAR.IND within TT_match_sequence (400 ms): the session is dropped", () => {
    const r = rig();
    r.slac.start();
    r.parm();
    r.clock.advance(399);
    assert.equal(r.slac.sessions[toHex(EV)], "wait-start-atten");
    r.clock.advance(2);
    assert.deepEqual(r.slac.sessions, {});
    assert.equal(r.slac.state, "waiting");
  });

  test("sounding window TT_EVSE_match_MNBC (600 ms): the average of the sounds heard, truncated, goes out when it closes", () => {
    const r = rig();
    r.slac.start();
    r.parm();
    r.clock.advance(100);
    const t0 = r.clock.now();
    r.startAtten();
    r.clock.advance(20);
    r.startAtten(); // repeats do not restart the window
    for (const v of [20, 21, 21, 23]) {
      r.clock.advance(20);
      r.profile(v);
    }
    r.profile(99, OTHER_EV); // another EV's sound does not count
    r.clock.advance(1000);
    const ind = r.sent("CM_ATTEN_CHAR.IND")[0];
    assert.equal(ind.t, t0 + 600);
    assert.ok(isType(ind.m, "CM_ATTEN_CHAR.IND"));
    assert.equal(ind.m.fields.numSounds, 4);
    assert.equal(ind.m.fields.numGroups, 58);
    assert.equal(ind.m.fields.aag[0], 21); // (20+21+21+23)/4 = 21.25
    assert.equal(toHex(ind.m.fields.sourceAddress), toHex(EV));
  });

  test("all announced sounds heard: CM_ATTEN_CHAR.IND goes out at once; offset option applied", () => {
    const r = rig({ attenuationOffset: -10 });
    r.slac.start();
    r.parm();
    r.startAtten();
    for (let i = 0; i < 10; i++) r.profile(30);
    const ind = r.sent("CM_ATTEN_CHAR.IND");
    assert.equal(ind.length, 1);
    assert.ok(isType(ind[0].m, "CM_ATTEN_CHAR.IND"));
    assert.equal(ind[0].m.fields.aag[10], 20);
  });

  test("no CM_ATTEN_CHAR.RSP: the indication is repeated C_EV_match_retry (2) times at TT_match_response, then dropped", () => {
    const r = rig();
    r.slac.start();
    r.parm();
    r.startAtten();
    for (let i = 0; i < 10; i++) r.profile(30);
    r.clock.advance(1000);
    const inds = r.sent("CM_ATTEN_CHAR.IND");
    assert.equal(inds.length, 3);
    assert.equal(inds[1].t - inds[0].t, 200);
    assert.equal(inds[2].t - inds[1].t, 200);
    assert.deepEqual(r.slac.sessions, {});
  });

  test("match: CM_SLAC_MATCH.CNF carries the session NMK and its NID; matched once the link status says so", () => {
    const r = rig();
    r.slac.start();
    r.clock.advance(5);
    r.parm();
    r.startAtten();
    for (let i = 0; i < 10; i++) r.profile(30);
    r.attenRsp();
    r.clock.advance(300);
    r.matchReq(new Uint8Array(8)); // wrong RunID: ignored
    assert.equal(r.sent("CM_SLAC_MATCH.CNF").length, 0);
    r.matchReq();
    const cnf = r.sent("CM_SLAC_MATCH.CNF")[0].m;
    assert.ok(isType(cnf, "CM_SLAC_MATCH.CNF"));
    assert.equal(cnf.fields.mvfLength, 0x56);
    assert.equal(toHex(cnf.fields.pevId), "31".repeat(17));
    assert.equal(toHex(cnf.fields.evseMac), toHex(EVSE));
    assert.deepEqual(cnf.fields.nid, deriveNid(cnf.fields.nmk));
    const key = r.sent("CM_SET_KEY.REQ")[0].m;
    assert.ok(isType(key, "CM_SET_KEY.REQ"));
    assert.deepEqual(cnf.fields.nmk, key.fields.newKey);
    assert.equal(r.slac.state, "joining");
    r.clock.advance(5);
    assert.equal(r.slac.state, "matched");
    assert.ok(r.events.indexOf("matched") > 0);
    assert.ok(r.sent("VS_PL_LNK_STATUS.REQ").length >= 1);
  });

  test("link never comes up: polled every 200 ms, back to waiting after TT_match_join, failed after C_conn_max_match", () => {
    const r = rig({}, { keys: true, link: false });
    r.slac.start();
    r.clock.advance(5);
    for (let attempt = 0; attempt < 3; attempt++) {
      const run = new Uint8Array(8).fill(attempt + 1);
      r.parm(run);
      r.startAtten(run);
      for (let i = 0; i < 10; i++) r.profile(30);
      r.attenRsp(run);
      r.matchReq(run);
      assert.equal(r.slac.state, "joining");
      r.clock.advance(12000);
      assert.equal(r.slac.state, attempt < 2 ? "waiting" : "failed");
    }
    assert.ok(r.sent("VS_PL_LNK_STATUS.REQ").length >= 3 * 59);
    assert.equal(r.events[r.events.length - 1], "failed:join-timeout");
  });

  test("link check through VS_NW_INFO (modems without VS_PL_LNK_STATUS)", () => {
    const r = rig({ linkCheck: "nw-info" }, { keys: true, link: false, nwInfo: true });
    r.slac.start();
    r.parm();
    r.startAtten();
    for (let i = 0; i < 10; i++) r.profile(30);
    r.attenRsp();
    r.matchReq();
    r.clock.advance(10);
    assert.equal(r.slac.state, "matched");
    assert.equal(r.sent("VS_PL_LNK_STATUS.REQ").length, 0);
  });

  test("the modem never confirms CM_SET_KEY: failed set-key-failed after 1 + 2 retries", () => {
    const r = rig({}, { keys: false, link: true });
    r.slac.start();
    r.clock.advance(2000);
    assert.equal(r.sent("CM_SET_KEY.REQ").length, 3);
    assert.equal(r.slac.state, "failed");
    assert.deepEqual(r.events.slice(-1), ["failed:set-key-failed"]);
  });

  test("CM_SLAC_MATCH.REQ before the modem confirmed the key: the confirmation waits for it", () => {
    const r = rig({}, { keys: false, link: true });
    r.slac.start();
    r.parm();
    r.startAtten();
    for (let i = 0; i < 10; i++) r.profile(30);
    r.attenRsp();
    r.matchReq();
    assert.equal(r.sent("CM_SLAC_MATCH.CNF").length, 0);
    r.send("CM_SET_KEY.CNF", { result: 0, myNonce: 0, yourNonce: 0, pid: 4, prn: 0, pmn: 0, ccoCapability: 0 }, MODEM);
    assert.equal(r.sent("CM_SLAC_MATCH.CNF").length, 1);
  });

  test("validation off: CM_VALIDATE.REQ is answered 'not required' (4)", () => {
    const r = rig();
    r.slac.start();
    r.parm();
    r.startAtten();
    for (let i = 0; i < 10; i++) r.profile(30);
    r.attenRsp();
    r.send("CM_VALIDATE.REQ", { signalType: 0, timer: 0, result: 1 });
    const cnf = r.sent("CM_VALIDATE.CNF")[0].m;
    assert.ok(isType(cnf, "CM_VALIDATE.CNF"));
    assert.equal(cnf.fields.result, 4);
  });

  test("validation on: ready, then the BCB toggles counted in the window decide success", () => {
    const r = rig({ validate: true });
    r.slac.start();
    r.parm();
    r.startAtten();
    for (let i = 0; i < 10; i++) r.profile(30);
    r.attenRsp();
    r.send("CM_VALIDATE.REQ", { signalType: 0, timer: 0, result: 1 });
    r.send("CM_VALIDATE.REQ", { signalType: 0, timer: 10, result: 1 });
    r.clock.advance(300);
    r.slac.bcbToggle();
    r.clock.advance(300);
    r.slac.bcbToggle();
    r.clock.advance(700);
    const cnfs = r.sent("CM_VALIDATE.CNF").map((o) => o.m);
    assert.equal(cnfs.length, 2);
    assert.ok(isType(cnfs[0], "CM_VALIDATE.CNF") && isType(cnfs[1], "CM_VALIDATE.CNF"));
    assert.equal(cnfs[0].fields.result, 1);
    assert.equal(cnfs[1].fields.toggleNum, 2);
    assert.equal(cnfs[1].fields.result, 2);
    r.matchReq();
    assert.equal(r.sent("CM_SLAC_MATCH.CNF").length, 1);
  });

  test("a car restarting SLAC with a new RunID mid-session: the session restarts (no failure)", () => {
    const r = rig();
    r.slac.start();
    r.parm();
    r.startAtten();
    const run2 = new Uint8Array(8).fill(9);
    r.parm(run2);
    assert.ok(r.events.indexOf("restart") >= 0);
    assert.equal(r.sent("CM_SLAC_PARM.CNF").length, 2);
    r.startAtten(run2);
    assert.equal(r.slac.sessions[toHex(EV)], "sounding");
  });

  test("restartOnNewRunId false: a new RunID from the same car is ignored", () => {
    const r = rig({ restartOnNewRunId: false });
    r.slac.start();
    r.parm();
    r.parm(new Uint8Array(8).fill(9));
    assert.equal(r.sent("CM_SLAC_PARM.CNF").length, 1);
  });

  test("two EVs heard at once get a session each; once one matches the other is dropped and ignored", () => {
    const r = rig();
    r.slac.start();
    r.clock.advance(5);
    const run2 = new Uint8Array(8).fill(7);
    r.parm();
    r.parm(run2, OTHER_EV);
    assert.equal(Object.keys(r.slac.sessions).length, 2);
    r.startAtten();
    r.startAtten(run2, OTHER_EV);
    for (let i = 0; i < 10; i++) {
      r.profile(20);
      r.profile(45, OTHER_EV);
    }
    assert.equal(r.sent("CM_ATTEN_CHAR.IND").length, 2);
    r.attenRsp();
    r.matchReq();
    assert.deepEqual(Object.keys(r.slac.sessions), [toHex(EV)]);
    r.clock.advance(10);
    assert.equal(r.slac.state, "matched");
    // Another car's request while matched is answered beside the match (a neighbour's car, or
    // ours under a new MAC); the match stays until that car asks this EVSE to match.
    const run3 = new Uint8Array(8).fill(3);
    r.parm(run3, OTHER_EV);
    assert.equal(r.sent("CM_SLAC_PARM.CNF").length, 3);
    assert.equal(r.slac.state, "matched");
    assert.equal(toHex(r.slac.match!.evMac), toHex(EV));
    r.clock.advance(1000); // the neighbour's car goes elsewhere: its session lapses
    assert.equal(toHex(r.slac.match!.evMac), toHex(EV));
    assert.equal(r.slac.state, "matched");
  });

  test("a car that comes back under a new MAC (VW ID.3 in the captures) takes the match over, same NMK", () => {
    const r = rig();
    r.slac.start();
    r.clock.advance(5);
    r.parm();
    r.startAtten();
    for (let i = 0; i < 10; i++) r.profile(20);
    r.attenRsp();
    r.matchReq();
    r.clock.advance(10);
    const first = r.slac.match!;
    const run2 = new Uint8Array(8).fill(5);
    r.parm(run2, OTHER_EV);
    r.startAtten(run2, OTHER_EV);
    for (let i = 0; i < 10; i++) r.profile(20, OTHER_EV);
    r.send("CM_ATTEN_CHAR.RSP", { applicationType: 0, securityType: 0, sourceAddress: OTHER_EV, runId: run2, sourceId: new Uint8Array(17), respId: new Uint8Array(17), result: 0 }, OTHER_EV);
    r.send("CM_SLAC_MATCH.REQ", { applicationType: 0, securityType: 0, mvfLength: 0x3e, pevId: new Uint8Array(17), pevMac: OTHER_EV, evseId: new Uint8Array(17), evseMac: EVSE, runId: run2, reserved: new Uint8Array(8) }, OTHER_EV);
    r.clock.advance(10);
    assert.equal(r.slac.state, "matched");
    assert.equal(toHex(r.slac.match!.evMac), toHex(OTHER_EV));
    assert.deepEqual(r.slac.match!.nmk, first.nmk);
    assert.equal(r.events.filter((e) => e === "matched").length, 2);
  });

  test("CM_SLAC_PARM.REQ with a security type other than 0 is ignored", () => {
    const r = rig();
    r.slac.start();
    r.send("CM_SLAC_PARM.REQ", { applicationType: 0, securityType: 1, runId: RUN }, EV, MAC_BROADCAST);
    assert.equal(r.sent("CM_SLAC_PARM.CNF").length, 0);
  });

  test("a full link queues frames until onWritable; stop() silences timers; close() closes the link", () => {
    const r = rig();
    r.slac.start();
    r.link.full = true;
    r.parm();
    assert.equal(r.sent("CM_SLAC_PARM.CNF").length, 0);
    r.link.writable();
    assert.equal(r.sent("CM_SLAC_PARM.CNF").length, 1);
    r.slac.stop();
    const n = r.out.length;
    r.clock.advance(60000);
    assert.equal(r.out.length, n);
    assert.equal(r.slac.state, "idle");
    r.slac.close();
    r.slac.close();
    assert.ok(r.link.closed);
    assert.throws(() => r.slac.start());
  });

  test("before start() (idle) SLAC frames are ignored", () => {
    const r = rig();
    r.parm();
    assert.equal(r.out.length, 0);
    assert.ok(bytesEqual(r.slac.mac, EVSE));
  });

  test("wake-up: TT_EVSE_SLAC_init expires → an E/F pulse of T_step_EF is requested, then the wait starts over", () => {
    const pulses: number[] = [];
    const r = rig({ wakeUps: 2, slacInitTimeout: Millis(20000), onWakeUp: (d) => pulses.push(d) });
    r.slac.start();
    r.clock.advance(45000);
    assert.deepEqual(pulses, [4000, 4000]);
    assert.equal(r.slac.state, "waiting");
    r.clock.advance(20000);
    assert.equal(r.slac.state, "failed");
    assert.equal(r.events[r.events.length - 1], "failed:slac-init-timeout");
  });

  test("sounds without a start indication open the window too (count unknown: wait for 10 or the timeout)", () => {
    const r = rig();
    r.slac.start();
    r.parm();
    r.send("CM_MNBC_SOUND.IND", { applicationType: 0, securityType: 0, senderId: new Uint8Array(17), cnt: 0, runId: RUN, reserved: new Uint8Array(8), rnd: new Uint8Array(16) }, EV, MAC_BROADCAST);
    r.profile(25);
    assert.equal(r.sent("CM_ATTEN_CHAR.IND").length, 0);
    r.clock.advance(600);
    assert.equal(r.sent("CM_ATTEN_CHAR.IND").length, 1);
  });
});
