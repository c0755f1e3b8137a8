import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Millis } from "../../modules/common/index";
import { SlacEv, SlacEvse, SlacDecodeError, decodeHomePlugFrame, encodeHomePlugFrame, MAC_BROADCAST } from "../../modules/slac/index";
import { FakeLink, mac, seededRandom } from "./support/sim";

const EV = mac(0x50, 0x0e);
const EVSE = mac(0x10, 0x0a);

/** Valid frames of every SLAC type, as mutation seeds. */
function seeds(): Uint8Array[] {
  const run = new Uint8Array(8).fill(1);
  const id = new Uint8Array(17);
  const aag = new Uint8Array(58).fill(30);
  return [
    encodeHomePlugFrame({ type: "CM_SLAC_PARM.REQ", dst: MAC_BROADCAST, src: EV, fields: { applicationType: 0, securityType: 0, runId: run } }),
    encodeHomePlugFrame({ type: "CM_START_ATTEN_CHAR.IND", dst: MAC_BROADCAST, src: EV, fields: { applicationType: 0, securityType: 0, numSounds: 10, timeOut: 6, respType: 1, forwardingSta: EV, runId: run } }),
    encodeHomePlugFrame({ type: "CM_ATTEN_PROFILE.IND", dst: EVSE, src: mac(0x11), fields: { pevMac: EV, numGroups: 58, reserved: 0, aag } }),
    encodeHomePlugFrame({ type: "CM_ATTEN_CHAR.IND", dst: EV, src: EVSE, fields: { applicationType: 0, securityType: 0, sourceAddress: EV, runId: run, sourceId: id, respId: id, numSounds: 10, numGroups: 58, aag } }),
    encodeHomePlugFrame({ type: "CM_SLAC_MATCH.REQ", dst: EVSE, src: EV, fields: { applicationType: 0, securityType: 0, mvfLength: 0x3e, pevId: id, pevMac: EV, evseId: id, evseMac: EVSE, runId: run, reserved: new Uint8Array(8) } }),
    encodeHomePlugFrame({ type: "VS_NW_INFO.CNF", dst: EVSE, src: mac(0x11), fields: { networks: [{ nid: new Uint8Array(7), snid: 1, tei: 1, role: 0, ccoMac: EVSE, ccoTei: 1, stations: [{ mac: EV, tei: 2, bda: EV, avgTx: 1, avgRx: 1 }] }] } }),
    encodeHomePlugFrame({ type: "VS_SW_VER.CNF", dst: EVSE, src: mac(0x11), fields: { status: 0, deviceId: 0x20, version: "QCA7000" } }),
  ];
}

function mutate(frame: Uint8Array, rnd: (n: number) => Uint8Array): Uint8Array {
  const r = rnd(4);
  const out = frame.slice(0, r[0] % 3 === 0 ? r[1] % (frame.length + 1) : frame.length);
  const flips = 1 + (r[2] % 6);
  for (let i = 0; i < flips && out.length > 0; i++) {
    const at = rnd(2);
    // Keep the ethertype most of the time so the message layer is exercised.
    const pos = 12 + (((at[0] << 8) | at[1]) % Math.max(1, out.length - 12));
    if (pos === 12 || pos === 13) continue;
    out[pos] ^= 1 << (r[3] % 8);
    out[pos] = rnd(1)[0];
  }
  return out;
}

describe("peer data never crashes SLAC", () => {
  test("mutated frames: the decoder returns a message or throws SlacDecodeError, nothing else", () => {
    const rnd = seededRandom(0xbeef);
    let errors = 0;
    for (const seed of seeds()) {
      for (let i = 0; i < 400; i++) {
        const f = mutate(seed, rnd);
        try {
          decodeHomePlugFrame(f);
        } catch (e) {
          assert.ok(e instanceof SlacDecodeError, String(e));
          errors++;
        }
      }
    }
    assert.ok(errors > 0);
  });

  test("mutated frames thrown at a running EVSE and EV change nothing fatal; both still match afterwards", () => {
    const rnd = seededRandom(0xfeed);
    const clock = new ManualClock();
    const evseLink = new FakeLink(EVSE);
    const evLink = new FakeLink(EV);
    const evse = new SlacEvse({ link: { io: evseLink.io }, clock, random: seededRandom(1), linkCheck: "none" });
    const ev = new SlacEv({ link: { io: evLink.io }, clock, random: seededRandom(2), linkCheck: "none" });
    // A lossless wire between the two hosts; each host's own modem confirms keys.
    const wire = (from: FakeLink, to: FakeLink) => (frame: Uint8Array) => {
      const m = decodeHomePlugFrame(frame);
      if (m.type === "CM_SET_KEY.REQ") {
        clock.set(() => from.inject(encodeHomePlugFrame({ type: "CM_SET_KEY.CNF", dst: from.mac, src: mac(0x99), fields: { result: 0, myNonce: 0, yourNonce: 0, pid: 4, prn: 0, pmn: 0, ccoCapability: 0 } })), Millis(1));
        return;
      }
      clock.set(() => {
        to.inject(frame);
        if (m.type === "CM_MNBC_SOUND.IND") to.inject(encodeHomePlugFrame({ type: "CM_ATTEN_PROFILE.IND", dst: to.mac, src: mac(0x98), fields: { pevMac: from.mac, numGroups: 58, reserved: 0, aag: new Uint8Array(58).fill(21) } }));
      }, Millis(1));
    };
    evseLink.onWrite = wire(evseLink, evLink);
    evLink.onWrite = wire(evLink, evseLink);
    evse.start();
    clock.advance(5);
    for (const seed of seeds()) {
      for (let i = 0; i < 100; i++) {
        evseLink.inject(mutate(seed, rnd));
        evLink.inject(mutate(seed, rnd));
      }
    }
    clock.advance(30000); // let any session the garbage opened lapse
    ev.start();
    clock.advance(5000);
    assert.equal(ev.state, "matched");
    assert.equal(evse.state, "matched");
  });
});
