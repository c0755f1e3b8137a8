// Replays the charger side of real SLAC exchanges against our EV state machine: our SlacEv
// (with the car's MAC, and the car's RunID from its random source) gets every real charger's
// CM_SLAC_PARM.CNF, CM_ATTEN_CHAR.IND and CM_SLAC_MATCH.CNF in answer to its own requests,
// with the real answer delays; then we compare what it chose and sent with what the car did.

import { ManualClock, Millis, bytesEqual, toHex } from "../../../modules/common/index";
import { SlacEv, decodeHomePlugFrame, encodeHomePlugFrame, isType, type HomePlugFrame } from "../../../modules/slac/index";
import { FakeLink, seededRandom } from "./sim";
import type { TimedFrame } from "./replay";

export interface EvReplay {
  capture: string;
  evMac: Uint8Array;
  runId: Uint8Array;
  /** The car's frames of the session (first of each type). */
  car: Record<string, HomePlugFrame>;
  /** Our EV's frames (first of each type). */
  ours: Record<string, HomePlugFrame>;
  /** Every CM_SLAC_MATCH.REQ destination, the car's and ours. */
  carChose: string;
  weChose: string;
  /** EVSEs that answered. */
  evses: number;
  state: string;
  /** The NMK our EV gave its modem after matching. */
  nmkSet?: Uint8Array;
  /** The NMK the real charger handed out. */
  nmkReal?: Uint8Array;
}

/** Sessions in which a car sent CM_SLAC_MATCH.REQ after a charger's CM_ATTEN_CHAR.IND. */
export function replayEvSessions(capture: string, frames: TimedFrame[]): EvReplay[] {
  const out: EvReplay[] = [];
  const done = new Set<string>();
  for (let i = 0; i < frames.length; i++) {
    const req = frames[i].message;
    if (!isType(req, "CM_SLAC_MATCH.REQ")) continue;
    const key = toHex(req.header.src) + toHex(req.fields.runId);
    if (done.has(key)) continue;
    done.add(key);
    const runId = req.fields.runId;
    const evMac = req.header.src;
    // Everything of this session (any VLAN: a mirrored port shows the car's frames twice).
    const session = frames.filter((f) => {
      const m = f.message;
      const run = (m.fields as { runId?: Uint8Array }).runId;
      return run !== undefined && bytesEqual(run, runId) && (bytesEqual(m.header.src, evMac) || bytesEqual(m.header.dst, evMac));
    });
    const firstOf = (type: string, from?: Uint8Array): TimedFrame | undefined => session.find((f) => f.message.type === type && (!from || bytesEqual(f.message.header.src, from)));
    const parmReq = firstOf("CM_SLAC_PARM.REQ", evMac);
    const attenInds = uniqueBySource(session.filter((f) => f.message.type === "CM_ATTEN_CHAR.IND"));
    if (!parmReq || attenInds.length === 0) continue;
    const parmCnfs = uniqueBySource(session.filter((f) => f.message.type === "CM_SLAC_PARM.CNF"));
    const matchCnfs = uniqueBySource(session.filter((f) => f.message.type === "CM_SLAC_MATCH.CNF"));
    const lastSound = session.filter((f) => f.message.type === "CM_MNBC_SOUND.IND" && bytesEqual(f.message.header.src, evMac)).pop();
    const car: Record<string, HomePlugFrame> = {};
    for (const f of session) if (bytesEqual(f.message.header.src, evMac) && !car[f.message.type]) car[f.message.type] = f.message;
    out.push(run(capture, evMac, runId, parmReq.time, parmCnfs, attenInds, matchCnfs, lastSound?.time, car, toHex(req.header.dst)));
  }
  return out;
}

function uniqueBySource(frames: TimedFrame[]): TimedFrame[] {
  const seen = new Set<string>();
  return frames.filter((f) => {
    const k = toHex(f.message.header.src);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function run(
  capture: string,
  evMac: Uint8Array,
  runId: Uint8Array,
  tReq: number,
  parmCnfs: TimedFrame[],
  attenInds: TimedFrame[],
  matchCnfs: TimedFrame[],
  tLastSound: number | undefined,
  car: Record<string, HomePlugFrame>,
  carChose: string,
): EvReplay {
  const clock = new ManualClock();
  const link = new FakeLink(evMac);
  const ours: Record<string, HomePlugFrame> = {};
  const chose: string[] = [];
  let nmkSet: Uint8Array | undefined;
  let keys = 0;
  const later = (delay: number, frame: Uint8Array): void => void clock.set(() => link.inject(frame), Millis(Math.max(1, Math.min(150, Math.round(delay)))));
  link.onWrite = (frame) => {
    const m = decodeHomePlugFrame(frame);
    if (!ours[m.type]) ours[m.type] = m;
    if (isType(m, "CM_SET_KEY.REQ")) {
      if (++keys > 1) nmkSet = m.fields.newKey;
      later(1, encodeHomePlugFrame({ type: "CM_SET_KEY.CNF", dst: evMac, src: new Uint8Array([0, 0xb0, 0x52, 0, 0, 9]), fields: { result: 0, myNonce: 0, yourNonce: 0, pid: 4, prn: 0, pmn: 0, ccoCapability: 0 } }));
    } else if (m.type === "VS_PL_LNK_STATUS.REQ") {
      later(1, encodeHomePlugFrame({ type: "VS_PL_LNK_STATUS.CNF", dst: evMac, src: new Uint8Array([0, 0xb0, 0x52, 0, 0, 9]), fields: { status: 0, linkStatus: 1 } }));
    } else if (m.type === "CM_SLAC_PARM.REQ") {
      for (const c of parmCnfs) later(c.time - tReq, c.data);
    } else if (isType(m, "CM_MNBC_SOUND.IND") && m.fields.cnt === 0) {
      for (const a of attenInds) later(tLastSound !== undefined ? a.time - tLastSound : 5, a.data);
    } else if (isType(m, "CM_SLAC_MATCH.REQ")) {
      chose.push(toHex(m.header.dst));
      for (const c of matchCnfs) if (bytesEqual(c.message.header.src, m.header.dst)) later(1, c.data);
    }
  };
  // The car's RunID comes from the random source, as our EV draws it.
  const rnd = seededRandom(7);
  let runIds = 0;
  const random = (n: number): Uint8Array => (n === 8 && runIds++ === 0 ? runId.slice() : rnd(n));
  const ev = new SlacEv({ link: { io: link.io }, clock, random, maxAttempts: 1 });
  ev.start();
  clock.advance(20000);
  const realMatch = matchCnfs.find((c) => toHex(c.message.header.src) === carChose)?.message;
  return {
    capture,
    evMac,
    runId,
    car,
    ours,
    carChose,
    weChose: chose[0] ?? "",
    evses: attenInds.length,
    state: ev.state,
    nmkSet,
    nmkReal: realMatch && isType(realMatch, "CM_SLAC_MATCH.CNF") ? realMatch.fields.nmk : undefined,
  };
}
