// Attacks on SLAC (issue 16 item 4): a second EV answering SLAC for an EVSE that is already
// matched, spoofed CM_SLAC_MATCH.REQ to the EVSE and spoofed CM_SLAC_MATCH.CNF to the EV. None
// of them may obtain this EVSE's NMK or move a car into another network. (A second car that
// completes the whole exchange naming itself does take the match over: that is how a car that
// restarts SLAC under a new MAC is served, see tests/slac/evse.test.ts; the V2G session itself
// stays bound to its SessionID, see tests/statemachine/secc/charging-point.test.ts.)

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Millis, toHex } from "../../modules/common/index";
import { SlacEv, SlacEvse, decodeHomePlugFrame, encodeHomePlugFrame, isType, MAC_BROADCAST } from "../../modules/slac/index";
import { FakeLink, mac, seededRandom } from "./support/sim";

const EVSE = mac(0x10, 0x0a);
const EV = mac(0x50, 0x0e);
const ATTACKER = mac(0x66, 0x0e);
const ROGUE_EVSE = mac(0x67, 0x0a);
const MODEM = mac(0x99);
const ATTACK_RUN = new Uint8Array(8).fill(0x66);

/** An EVSE and an EV on a lossless wire, each host's modem stubbed (keys confirmed, link up). */
function pair(hooks: { toEv?: (frame: Uint8Array, deliver: () => void) => void } = {}) {
  const clock = new ManualClock({ start: 1000 });
  const evseLink = new FakeLink(EVSE);
  const evLink = new FakeLink(EV);
  const setKeys: { host: string; nmk: string }[] = [];
  const wire = (from: FakeLink, to: FakeLink) => (frame: Uint8Array) => {
    const m = decodeHomePlugFrame(frame);
    if (isType(m, "CM_SET_KEY.REQ")) {
      setKeys.push({ host: from === evLink ? "ev" : "evse", nmk: toHex(m.fields.newKey) });
      clock.set(() => from.inject(encodeHomePlugFrame({ type: "CM_SET_KEY.CNF", dst: from.mac, src: MODEM, fields: { result: 0, myNonce: 0, yourNonce: 0, pid: 4, prn: 0, pmn: 0, ccoCapability: 0 } })), Millis(1));
      return;
    }
    clock.set(() => {
      const deliver = (): void => to.inject(frame);
      if (to === evLink && hooks.toEv) hooks.toEv(frame, deliver);
      else deliver();
      if (m.type === "CM_MNBC_SOUND.IND") to.inject(encodeHomePlugFrame({ type: "CM_ATTEN_PROFILE.IND", dst: to.mac, src: MODEM, fields: { pevMac: from.mac, numGroups: 58, reserved: 0, aag: new Uint8Array(58).fill(20) } }));
    }, Millis(1));
  };
  evseLink.onWrite = wire(evseLink, evLink);
  evLink.onWrite = wire(evLink, evseLink);
  const evse = new SlacEvse({ link: { io: evseLink.io }, clock, random: seededRandom(1), linkCheck: "none" });
  const ev = new SlacEv({ link: { io: evLink.io }, clock, random: seededRandom(2), linkCheck: "none" });
  /** Frames the EVSE sent of `type` to `dst`. */
  const evseSent = (type: string, dst: Uint8Array): number =>
    evseLink.sent.filter((f) => {
      const m = decodeHomePlugFrame(f);
      return m.type === type && toHex(m.header.dst) === toHex(dst);
    }).length;
  return { clock, evseLink, evLink, evse, ev, setKeys, evseSent };
}

/** What an attacking host sends to the EVSE (from `src`, which it may spoof). */
function attackerFrames(evseLink: FakeLink, src: Uint8Array) {
  const send = (type: string, fields: Record<string, unknown>, dst: ArrayLike<number> = EVSE): void => evseLink.inject(encodeHomePlugFrame({ type, dst, src, fields } as never));
  return {
    parm: (run = ATTACK_RUN) => send("CM_SLAC_PARM.REQ", { applicationType: 0, securityType: 0, runId: run }, MAC_BROADCAST),
    sound: (run = ATTACK_RUN) => {
      send("CM_START_ATTEN_CHAR.IND", { applicationType: 0, securityType: 0, numSounds: 10, timeOut: 6, respType: 1, forwardingSta: src, runId: run }, MAC_BROADCAST);
      for (let i = 0; i < 10; i++) send("CM_ATTEN_PROFILE.IND", { pevMac: src, numGroups: 58, reserved: 0, aag: new Uint8Array(58).fill(10) }, MAC_BROADCAST);
      send("CM_ATTEN_CHAR.RSP", { applicationType: 0, securityType: 0, sourceAddress: src, runId: run, sourceId: new Uint8Array(17), respId: new Uint8Array(17), result: 0 });
    },
    match: (fields: { run?: Uint8Array; pevMac?: Uint8Array; evseMac?: Uint8Array } = {}) =>
      send("CM_SLAC_MATCH.REQ", {
        applicationType: 0,
        securityType: 0,
        mvfLength: 0x3e,
        pevId: new Uint8Array(17),
        pevMac: fields.pevMac ?? src,
        evseId: new Uint8Array(17),
        evseMac: fields.evseMac ?? EVSE,
        runId: fields.run ?? ATTACK_RUN,
        reserved: new Uint8Array(8),
      }),
  };
}

describe("SLAC attacks refused", () => {
  test("a second EV answering SLAC for a matched EVSE gets no CM_SLAC_MATCH.CNF (no NMK) without the whole exchange naming itself; the match stays with the first EV", () => {
    const p = pair();
    p.evse.start();
    p.clock.advance(5);
    p.ev.start();
    p.clock.advance(5000);
    assert.equal(p.evse.state, "matched");
    const nmk = toHex(p.evse.match!.nmk);
    const a = attackerFrames(p.evseLink, ATTACKER);

    a.match(); // no session at all
    a.parm();
    a.match(); // parameters exchanged, no sounding: too early
    p.clock.advance(50);
    a.sound();
    a.match({ run: new Uint8Array(8) }); // another RunID
    a.match({ pevMac: EV }); // names the matched EV as the PEV
    a.match({ evseMac: ROGUE_EVSE }); // a request meant for another EVSE
    p.clock.advance(100);
    assert.equal(p.evseSent("CM_SLAC_MATCH.CNF", ATTACKER), 0, "the attacker got the NMK");

    // The victim's MAC spoofed, with the attacker's RunID: no session of the victim has that RunID.
    const spoof = attackerFrames(p.evseLink, EV);
    const cnfsToEv = p.evseSent("CM_SLAC_MATCH.CNF", EV);
    spoof.match({ run: ATTACK_RUN });
    p.clock.advance(100);
    assert.equal(p.evseSent("CM_SLAC_MATCH.CNF", EV), cnfsToEv);

    p.clock.advance(60000); // every half-open session of the attacker lapses
    assert.equal(p.evse.state, "matched");
    assert.equal(toHex(p.evse.match!.evMac), toHex(EV));
    assert.equal(toHex(p.evse.match!.nmk), nmk);
    assert.deepEqual(Object.keys(p.evse.sessions), [toHex(EV)]);
  });

  test("regression: a CM_SLAC_MATCH.REQ naming another PEV or another EVSE than its sender and receiver was answered with the NMK", () => {
    for (const wrong of [{ pevMac: EV }, { evseMac: ROGUE_EVSE }]) {
      const p = pair();
      p.evse.start();
      p.clock.advance(5);
      const a = attackerFrames(p.evseLink, ATTACKER);
      a.parm();
      a.sound();
      p.clock.advance(10);
      a.match(wrong);
      p.clock.advance(10);
      assert.equal(p.evseSent("CM_SLAC_MATCH.CNF", ATTACKER), 0, JSON.stringify(Object.keys(wrong)));
      assert.equal(p.evse.state, "waiting");
      a.match(); // the same exchange, fields filled as ISO 15118-3 Table A.7 says: answered
      p.clock.advance(10);
      assert.equal(p.evseSent("CM_SLAC_MATCH.CNF", ATTACKER), 1);
    }
  });

  test("a spoofed CM_SLAC_MATCH.CNF (from an EVSE the EV did not choose, or with another RunID) does not move the EV into the spoofer's network", () => {
    const rogueNmk = new Uint8Array(16).fill(0x66);
    let injected = 0;
    const p = pair({
      toEv: (frame, deliver) => {
        const m = decodeHomePlugFrame(frame);
        if (isType(m, "CM_SLAC_MATCH.CNF")) {
          // Just before the real confirmation: one from a rogue EVSE with the right RunID, one
          // claiming the real EVSE's MAC with another RunID.
          const fields = { ...m.fields, nmk: rogueNmk, evseMac: ROGUE_EVSE };
          p.evLink.inject(encodeHomePlugFrame({ type: "CM_SLAC_MATCH.CNF", dst: EV, src: ROGUE_EVSE, fields }));
          p.evLink.inject(encodeHomePlugFrame({ type: "CM_SLAC_MATCH.CNF", dst: EV, src: EVSE, fields: { ...fields, runId: new Uint8Array(8) } }));
          injected += 2;
        }
        deliver();
      },
    });
    p.evse.start();
    p.clock.advance(5);
    p.ev.start();
    p.clock.advance(5000);
    assert.ok(injected >= 2);
    assert.equal(p.ev.state, "matched");
    assert.deepEqual(p.ev.match!.nmk, p.evse.match!.nmk);
    // The EV's modem got a fresh key of its own at start (leaving any old network), then the
    // real EVSE's NMK; never the spoofer's.
    const evKeys = p.setKeys.filter((k) => k.host === "ev").map((k) => k.nmk);
    assert.equal(evKeys.indexOf(toHex(rogueNmk)), -1);
    assert.equal(evKeys[evKeys.length - 1], toHex(p.evse.match!.nmk));
  });
});
