// hosts/linux/wire-modem.ts: the simulated modem behind a raw-frame interface answers the
// station's local requests itself (nothing on a veth answers CM_SET_KEY), turns each sound heard
// from the wire into a CM_ATTEN_PROFILE.IND (ISO 15118-3 A.9.2), reports the link up only after
// a key was set and a CM_SLAC_MATCH crossed, and passes every other frame unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/manual-clock";
import type { EthernetLink, EthernetLinkOptions } from "../../modules/common/io";
import type { EthernetLinkClass } from "../../modules/slac/channel";
import { MAC_BROADCAST, MAC_LOCAL_MODEM, decodeHomePlugFrame, encodeHomePlugFrame } from "../../modules/slac/frame";
import { wireModem } from "../../hosts/linux/wire-modem";

const HOST = Uint8Array.of(2, 0, 0, 0, 0, 0x10);
const PEER = Uint8Array.of(2, 0, 0, 0, 0, 0x20);

/** A raw link whose wire is two arrays: what the station sent, and what to deliver to it. */
function fakeWire() {
  const sent: Uint8Array[] = [];
  let deliver: (frame: Uint8Array) => void = () => undefined;
  class Wire implements EthernetLink {
    readonly mac = HOST;
    readonly #queue: Uint8Array[] = [];
    constructor(options: EthernetLinkOptions) {
      deliver = (frame) => {
        this.#queue.push(frame);
        options.onReadable?.(this.#queue.length);
      };
    }
    read(): Uint8Array | undefined {
      return this.#queue.shift();
    }
    write(frame: Uint8Array): void {
      sent.push(frame);
    }
    close(): void {}
  }
  return { Wire: Wire as unknown as EthernetLinkClass, sent, deliver: (f: Uint8Array) => deliver(f) };
}

function station() {
  const clock = new ManualClock();
  const wire = fakeWire();
  const Link = wireModem({ clock, wire: wire.Wire, attenuation: 30 });
  const received: string[] = [];
  const frames: Uint8Array[] = [];
  const link: EthernetLink = new Link({
    onReadable: () => {
      for (let f = link.read(); f; f = link.read()) {
        frames.push(f);
        received.push(decodeHomePlugFrame(f).type);
      }
    },
  });
  return { clock, wire, link, received, frames };
}

const setKey = (nmk: number) =>
  encodeHomePlugFrame({ type: "CM_SET_KEY.REQ", dst: Uint8Array.from(MAC_LOCAL_MODEM), src: HOST, fields: { keyType: 1, myNonce: 7, yourNonce: 0, pid: 4, prn: 0, pmn: 0, ccoCapability: 0, nid: new Uint8Array(7), newEks: 1, newKey: new Uint8Array(16).fill(nmk) } });
const linkStatus = () => encodeHomePlugFrame({ type: "VS_PL_LNK_STATUS.REQ", dst: Uint8Array.from(MAC_LOCAL_MODEM), src: HOST, fields: {} });

test("CM_SET_KEY is confirmed locally and never reaches the wire", () => {
  const s = station();
  s.link.write(setKey(5));
  s.clock.advance(2);
  assert.deepEqual(s.received, ["CM_SET_KEY.CNF"]);
  assert.equal(s.wire.sent.length, 0);
  const cnf = decodeHomePlugFrame(s.frames[0]);
  assert.equal((cnf.fields as { yourNonce: number }).yourNonce, 7);
});

test("a sound from the wire reaches the station with the attenuation profile a modem would add", () => {
  const s = station();
  s.wire.deliver(encodeHomePlugFrame({ type: "CM_MNBC_SOUND.IND", dst: Uint8Array.from(MAC_BROADCAST), src: PEER, fields: { applicationType: 0, securityType: 0, senderId: new Uint8Array(17), cnt: 9, runId: new Uint8Array(8), reserved: new Uint8Array(8), rnd: new Uint8Array(16) } }));
  assert.deepEqual(s.received, ["CM_MNBC_SOUND.IND", "CM_ATTEN_PROFILE.IND"]);
  const profile = decodeHomePlugFrame(s.frames[1]).fields as { pevMac: Uint8Array; aag: Uint8Array };
  assert.deepEqual([...profile.pevMac], [...PEER]);
  const mean = profile.aag.reduce((a, b) => a + b, 0) / profile.aag.length;
  assert.ok(Math.abs(mean - 30) < 1, `mean attenuation ${mean}`);
});

test("SLAC messages pass both ways unchanged; the link is up only after a key and a match", () => {
  const s = station();
  const parm = encodeHomePlugFrame({ type: "CM_SLAC_PARM.REQ", dst: Uint8Array.from(MAC_BROADCAST), src: HOST, fields: { applicationType: 0, securityType: 0, runId: new Uint8Array(8) } });
  s.link.write(parm);
  assert.deepEqual(s.wire.sent, [parm]);
  s.link.write(linkStatus());
  s.clock.advance(2);
  assert.equal((decodeHomePlugFrame(s.frames.at(-1)!).fields as { linkStatus: number }).linkStatus, 0);
  s.link.write(setKey(9));
  s.wire.deliver(
    encodeHomePlugFrame({
      type: "CM_SLAC_MATCH.CNF",
      dst: HOST,
      src: PEER,
      fields: { applicationType: 0, securityType: 0, mvfLength: 0x56, pevId: new Uint8Array(17), pevMac: HOST, evseId: new Uint8Array(17), evseMac: PEER, runId: new Uint8Array(8), reserved: new Uint8Array(8), nid: new Uint8Array(7), reserved2: 0, nmk: new Uint8Array(16).fill(9) },
    }),
  );
  s.link.write(linkStatus());
  s.clock.advance(2);
  assert.equal((decodeHomePlugFrame(s.frames.at(-1)!).fields as { linkStatus: number }).linkStatus, 1);
});
