import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Millis, toHex } from "../../modules/common/index";
import { SlacEv, encodeHomePlugFrame, decodeHomePlugFrame, deriveNid, isType, type HomePlugFrame, type SlacEvOptions } from "../../modules/slac/index";
import { FakeLink, mac, seededRandom } from "./support/sim";

const EV = mac(0x50, 0x0e);
const EVSE_A = mac(0x10, 0x0a);
const EVSE_B = mac(0x12, 0x0a);
const MODEM = mac(0x51, 0x0e);

function rig(options: Partial<SlacEvOptions> = {}, linkUp = true) {
  const clock = new ManualClock();
  const link = new FakeLink(EV);
  const out: { t: number; m: HomePlugFrame }[] = [];
  const events: string[] = [];
  link.onWrite = (frame) => {
    const m = decodeHomePlugFrame(frame);
    out.push({ t: clock.now(), m });
    const reply = (f: Uint8Array): void => void clock.set(() => link.inject(f), Millis(1));
    if (isType(m, "CM_SET_KEY.REQ")) reply(encodeHomePlugFrame({ type: "CM_SET_KEY.CNF", dst: EV, src: MODEM, fields: { result: 0, myNonce: 0, yourNonce: m.fields.myNonce, pid: 4, prn: 0, pmn: 0, ccoCapability: 0 } }));
    if (m.type === "VS_PL_LNK_STATUS.REQ") reply(encodeHomePlugFrame({ type: "VS_PL_LNK_STATUS.CNF", dst: EV, src: MODEM, fields: { status: 0, linkStatus: linkUp ? 1 : 0 } }));
  };
  const slac = new SlacEv({
    link: { io: link.io },
    clock,
    random: seededRandom(2),
    onState: (s) => events.push(`state:${s}`),
    onMatched: () => events.push("matched"),
    onFailed: (r) => events.push(`failed:${r}`),
    ...options,
  });
  const sent = (type: string) => out.filter((o) => o.m.type === type);
  const runId = (): Uint8Array => {
    const p = sent("CM_SLAC_PARM.REQ");
    const m = p[p.length - 1].m;
    return isType(m, "CM_SLAC_PARM.REQ") ? m.fields.runId : new Uint8Array(8);
  };
  const send = (type: string, fields: Record<string, unknown>, src: Uint8Array): void => link.inject(encodeHomePlugFrame({ type, dst: EV, src, fields } as never));
  const parmCnf = (src: Uint8Array): void =>
    send("CM_SLAC_PARM.CNF", { msoundTarget: new Uint8Array(6).fill(0xff), numSounds: 10, timeOut: 6, respType: 1, forwardingSta: EV, applicationType: 0, securityType: 0, runId: runId() }, src);
  const attenInd = (src: Uint8Array, dB: number): void =>
    send(
      "CM_ATTEN_CHAR.IND",
      { applicationType: 0, securityType: 0, sourceAddress: EV, runId: runId(), sourceId: new Uint8Array(17), respId: new Uint8Array(17), numSounds: 10, numGroups: 58, aag: new Uint8Array(58).fill(dB) },
      src,
    );
  const nmk = new Uint8Array(16).fill(0x42);
  const matchCnf = (src: Uint8Array): void =>
    send(
      "CM_SLAC_MATCH.CNF",
      { applicationType: 0, securityType: 0, mvfLength: 0x56, pevId: new Uint8Array(17), pevMac: EV, evseId: new Uint8Array(17), evseMac: src, runId: runId(), reserved: new Uint8Array(8), nid: deriveNid(nmk), reserved2: 0, nmk },
      src,
    );
  return { clock, link, slac, out, events, sent, runId, parmCnf, attenInd, matchCnf, nmk };
}

describe("SlacEv", () => {
  test("no EVSE answers: CM_SLAC_PARM.REQ 1 + C_EV_match_retry times per attempt, C_conn_max_match attempts, new RunID each", () => {
    const r = rig();
    r.slac.start();
    r.clock.advance(10000);
    const reqs = r.sent("CM_SLAC_PARM.REQ");
    assert.equal(reqs.length, 9);
    assert.equal(reqs[1].t - reqs[0].t, 200);
    const runs = new Set(reqs.map((q) => (isType(q.m, "CM_SLAC_PARM.REQ") ? toHex(q.m.fields.runId) : "")));
    assert.equal(runs.size, 3);
    assert.equal(r.slac.state, "failed");
    assert.equal(r.events[r.events.length - 1], "failed:no-parm-cnf");
  });

  test("after CM_SLAC_PARM.CNF: 3 × CM_START_ATTEN_CHAR.IND then 10 × CM_MNBC_SOUND.IND (cnt 9..0) at TP_EV_batch_msg_interval", () => {
    const r = rig();
    r.slac.start();
    r.clock.advance(2);
    r.parmCnf(EVSE_A);
    r.clock.advance(500);
    const starts = r.sent("CM_START_ATTEN_CHAR.IND");
    const sounds = r.sent("CM_MNBC_SOUND.IND");
    assert.equal(starts.length, 3);
    assert.equal(sounds.length, 10);
    const s0 = starts[0].m;
    assert.ok(isType(s0, "CM_START_ATTEN_CHAR.IND"));
    assert.equal(s0.fields.numSounds, 10);
    assert.equal(s0.fields.timeOut, 6);
    assert.equal(s0.fields.respType, 1);
    assert.equal(toHex(s0.fields.forwardingSta), toHex(EV));
    assert.equal(toHex(s0.header.dst), "ffffffffffff");
    assert.deepEqual(sounds.map((s) => (isType(s.m, "CM_MNBC_SOUND.IND") ? s.m.fields.cnt : -1)), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    assert.equal(sounds[0].t - starts[2].t, 20);
    assert.equal(sounds[9].t - sounds[8].t, 20);
  });

  test("CM_ATTEN_CHAR.IND from two EVSEs: each acknowledged, the lower mean attenuation wins at TT_EV_atten_results", () => {
    const r = rig();
    r.slac.start();
    r.clock.advance(2);
    r.parmCnf(EVSE_A);
    r.parmCnf(EVSE_B);
    r.clock.advance(300);
    const soundingStart = r.sent("CM_START_ATTEN_CHAR.IND")[0].t;
    r.attenInd(EVSE_A, 40);
    r.attenInd(EVSE_B, 18);
    r.attenInd(EVSE_B, 18); // a repeat (our response got lost) is acknowledged again
    assert.equal(r.sent("CM_ATTEN_CHAR.RSP").length, 3);
    r.clock.advance(1100);
    const match = r.sent("CM_SLAC_MATCH.REQ")[0];
    assert.equal(match.t, soundingStart + 1200);
    assert.ok(isType(match.m, "CM_SLAC_MATCH.REQ"));
    assert.equal(toHex(match.m.header.dst), toHex(EVSE_B));
    assert.equal(match.m.fields.mvfLength, 0x3e);
    assert.equal(toHex(match.m.fields.evseMac), toHex(EVSE_B));
    assert.deepEqual(r.slac.candidates.map((c) => c.attenuation), [40, 18]);
  });

  test("CM_SLAC_MATCH.CNF: the EVSE's NMK/NID go to the local modem, link polled, then matched", () => {
    const r = rig();
    r.slac.start();
    r.clock.advance(2);
    r.parmCnf(EVSE_A);
    r.clock.advance(300);
    r.attenInd(EVSE_A, 20);
    r.clock.advance(1200);
    r.matchCnf(EVSE_A);
    r.clock.advance(10);
    const keys = r.sent("CM_SET_KEY.REQ");
    assert.equal(keys.length, 2, "a random key at start, the EVSE's after matching");
    const k = keys[1].m;
    assert.ok(isType(k, "CM_SET_KEY.REQ"));
    assert.deepEqual(k.fields.newKey, r.nmk);
    assert.deepEqual(k.fields.nid, deriveNid(r.nmk));
    assert.equal(r.slac.state, "matched");
    assert.equal(toHex(r.slac.match!.evseMac), toHex(EVSE_A));
  });

  test("no CM_SLAC_MATCH.CNF: the request is repeated twice, then a new attempt starts", () => {
    const r = rig({ maxAttempts: 1 });
    r.slac.start();
    r.clock.advance(2);
    r.parmCnf(EVSE_A);
    r.clock.advance(300);
    r.attenInd(EVSE_A, 20);
    r.clock.advance(3000);
    assert.equal(r.sent("CM_SLAC_MATCH.REQ").length, 3);
    assert.equal(r.events[r.events.length - 1], "failed:no-match-cnf");
  });

  test("maxAttenuation: an EVSE heard only faintly (a neighbour) is not matched", () => {
    const r = rig({ maxAttenuation: 35, maxAttempts: 1 });
    r.slac.start();
    r.clock.advance(2);
    r.parmCnf(EVSE_A);
    r.clock.advance(300);
    r.attenInd(EVSE_A, 50);
    r.clock.advance(1500);
    assert.equal(r.sent("CM_SLAC_MATCH.REQ").length, 0);
    assert.equal(r.events[r.events.length - 1], "failed:no-atten-char");
  });

  test("validation: VALIDATE.REQ first; 'not required' goes straight to matching", () => {
    const r = rig({ validate: true });
    r.slac.start();
    r.clock.advance(2);
    r.parmCnf(EVSE_A);
    r.clock.advance(300);
    r.attenInd(EVSE_A, 20);
    r.clock.advance(1200);
    assert.equal(r.slac.state, "validating");
    r.link.inject(encodeHomePlugFrame({ type: "CM_VALIDATE.CNF", dst: EV, src: EVSE_A, fields: { signalType: 0, toggleNum: 0, result: 4 } }));
    assert.equal(r.slac.state, "match");
    assert.equal(r.sent("CM_SLAC_MATCH.REQ").length, 1);
  });

  test("the joined network never shows: join-timeout, a new attempt with a new RunID", () => {
    const r = rig({ maxAttempts: 2 }, false);
    r.slac.start();
    r.clock.advance(2);
    r.parmCnf(EVSE_A);
    r.clock.advance(300);
    r.attenInd(EVSE_A, 20);
    r.clock.advance(1200);
    r.matchCnf(EVSE_A);
    r.clock.advance(12100);
    assert.equal(r.sent("CM_SLAC_PARM.REQ").length, 2);
    assert.equal(r.slac.state, "parm");
  });
});
