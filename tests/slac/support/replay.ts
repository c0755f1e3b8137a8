// Replays the EV side of real SLAC exchanges (captures in ../shared) against our EVSE state
// machine and pairs our answers with the real charger's.
//
// One replay per session the real charger answered (a CM_SLAC_PARM.CNF from it): a fresh
// SlacEvse with the charger's MAC is started 100 ms before the EV's CM_SLAC_PARM.REQ; the EV's
// frames and the charger modem's CM_ATTEN_PROFILE.IND are injected at their capture times
// (ManualClock); a stub modem answers CM_SET_KEY and the link-status polls.

import { ManualClock, Millis, toHex, bytesEqual } from "../../../modules/common/index";
import { SlacEvse, decodeHomePlugFrame, encodeHomePlugFrame, isType, type HomePlugFrame } from "../../../modules/slac/index";
import { FakeLink, seededRandom } from "./sim";
import { slacFrames } from "./captures";

export interface TimedFrame {
  time: number;
  number: number;
  message: HomePlugFrame;
  data: Uint8Array;
}

export interface ReplaySession {
  capture: string;
  evseMac: Uint8Array;
  evMac: Uint8Array;
  runId: Uint8Array;
  vlan?: number;
  start: number;
  end: number;
  /** The real charger's answers, in order. */
  real: TimedFrame[];
  /** Ours, in order. */
  ours: TimedFrame[];
  /** Our EVSE's final state. */
  state: string;
  /** CM_ATTEN_PROFILE.IND frames about this EV injected (sounds the charger's modem heard). */
  profiles: number;
}

export function decodeCapture(capture: string): TimedFrame[] {
  const out: TimedFrame[] = [];
  for (const f of slacFrames(capture)) {
    try {
      out.push({ time: f.time, number: f.number, message: decodeHomePlugFrame(f.data), data: f.data });
    } catch {
      // every frame decodes (frame.test.ts); a bad one would simply not be replayed
    }
  }
  return out;
}

const EV_TO_EVSE = ["CM_SLAC_PARM.REQ", "CM_START_ATTEN_CHAR.IND", "CM_MNBC_SOUND.IND", "CM_ATTEN_CHAR.RSP", "CM_VALIDATE.REQ", "CM_SLAC_MATCH.REQ"];
const EVSE_OUT = ["CM_SLAC_PARM.CNF", "CM_ATTEN_CHAR.IND", "CM_VALIDATE.CNF", "CM_SLAC_MATCH.CNF"];

/** Sessions of a capture that a charger answered (CM_SLAC_PARM.CNF), replayed. */
export function replayCapture(capture: string, frames = decodeCapture(capture)): ReplaySession[] {
  const sessions: ReplaySession[] = [];
  for (let i = 0; i < frames.length; i++) {
    const cnf = frames[i].message;
    if (!isType(cnf, "CM_SLAC_PARM.CNF")) continue;
    const evseMac = cnf.header.src;
    const runId = cnf.fields.runId;
    const vlan = cnf.header.vlan;
    // Only the first confirmation of a session (a repeated PARM.REQ gets a repeated CNF).
    if (sessions.some((s) => bytesEqual(s.evseMac, evseMac) && bytesEqual(s.runId, runId) && s.vlan === vlan)) continue;
    // The EV's request that opened it: the first of the burst of (repeated) requests before the
    // confirmation. Some cars reuse one RunID for every session (a Tesla sends "TESLA EV").
    let reqIndex = -1;
    for (let j = i - 1; j >= 0; j--) {
      const m = frames[j].message;
      if (!isType(m, "CM_SLAC_PARM.REQ") || !bytesEqual(m.fields.runId, runId) || m.header.vlan !== vlan) continue;
      if (reqIndex >= 0 && frames[reqIndex].time - frames[j].time > 2000) break;
      if (reqIndex < 0 && frames[i].time - frames[j].time > 2000) break;
      reqIndex = j;
    }
    if (reqIndex < 0) continue;
    const evMac = frames[reqIndex].message.header.src;
    const start = frames[reqIndex].time;
    // The session ends with the charger's CM_SLAC_MATCH.CNF, the EV's next RunID, or after 15 s.
    let end = start + 15000;
    for (let j = reqIndex + 1; j < frames.length; j++) {
      const f = frames[j];
      if (f.time > end) break;
      const m = f.message;
      if (m.header.vlan !== vlan) continue;
      if (isType(m, "CM_SLAC_MATCH.CNF") && bytesEqual(m.header.src, evseMac) && bytesEqual(m.fields.runId, runId)) {
        end = f.time + 50;
        break;
      }
      if (isType(m, "CM_SLAC_PARM.REQ") && bytesEqual(m.header.src, evMac) && !bytesEqual(m.fields.runId, runId)) {
        end = f.time - 1;
        break;
      }
    }
    sessions.push(runSession(capture, frames, reqIndex, { evseMac, evMac, runId, vlan, start, end }));
  }
  return sessions;
}

function runSession(
  capture: string,
  frames: TimedFrame[],
  from: number,
  s: { evseMac: Uint8Array; evMac: Uint8Array; runId: Uint8Array; vlan?: number; start: number; end: number },
): ReplaySession {
  const clock = new ManualClock({ start: Math.floor(s.start) - 100 });
  const link = new FakeLink(s.evseMac);
  const ours: TimedFrame[] = [];
  const modem = new Uint8Array([0x00, 0xb0, 0x52, 0x00, 0x00, 0x02]);
  link.onWrite = (data) => {
    const message = decodeHomePlugFrame(data);
    ours.push({ time: clock.now(), number: 0, message, data });
    // The stub modem: confirms keys at once, reports the link up (the EV joined in reality).
    if (isType(message, "CM_SET_KEY.REQ")) {
      clock.set(() => link.inject(encodeHomePlugFrame({ type: "CM_SET_KEY.CNF", dst: s.evseMac, src: modem, fields: { result: 0, myNonce: 1, yourNonce: message.fields.myNonce, pid: 4, prn: 0, pmn: 0, ccoCapability: 0 } })), Millis(1));
    } else if (message.type === "VS_PL_LNK_STATUS.REQ") {
      clock.set(() => link.inject(encodeHomePlugFrame({ type: "VS_PL_LNK_STATUS.CNF", dst: s.evseMac, src: modem, fields: { status: 0, linkStatus: 1 } })), Millis(1));
    }
  };
  const evse = new SlacEvse({ link: { io: link.io }, clock, random: seededRandom(0x15118) });
  evse.start();
  const real: TimedFrame[] = [];
  let profiles = 0;
  for (let j = from; j < frames.length && frames[j].time <= s.end; j++) {
    const f = frames[j];
    const m = f.message;
    if (m.header.vlan !== s.vlan) continue;
    if (bytesEqual(m.header.src, s.evseMac)) {
      if (EVSE_OUT.indexOf(m.type) >= 0 && bytesEqual(m.header.dst, s.evMac)) real.push(f);
      continue;
    }
    const dst = m.header.dst;
    const forUs = (dst[0] & 1) === 1 || bytesEqual(dst, s.evseMac);
    if (!forUs) continue;
    if (EV_TO_EVSE.indexOf(m.type) < 0 && m.type !== "CM_ATTEN_PROFILE.IND") continue;
    if (isType(m, "CM_ATTEN_PROFILE.IND") && bytesEqual(m.fields.pevMac, s.evMac) && !real.some((r) => r.message.type === "CM_ATTEN_CHAR.IND")) profiles++;
    clock.advance(Math.max(0, f.time - clock.now()));
    link.inject(f.data);
  }
  clock.advance(Math.max(0, s.end - clock.now()) + 1000);
  const out = ours.filter((f) => EVSE_OUT.indexOf(f.message.type) >= 0);
  const state = evse.state;
  evse.close();
  return { capture, evseMac: s.evseMac, evMac: s.evMac, runId: s.runId, vlan: s.vlan, start: s.start, end: s.end, real, ours: out, state, profiles };
}

export function first(frames: TimedFrame[], type: string): TimedFrame | undefined {
  for (const f of frames) if (f.message.type === type) return f;
  return undefined;
}

export const hex = toHex;

export interface ContinuousReplay {
  capture: string;
  evseMac: Uint8Array;
  /** RunIDs the real charger confirmed a match for. */
  realMatches: string[];
  /** RunIDs we confirmed a match for. */
  ourMatches: string[];
  /** How often our EVSE reported matched. */
  matchedEvents: number;
  restarts: number;
}

/**
 * One EVSE instance over a whole capture (one charger, no VLANs): restarted where the real
 * charger re-keyed its modem (its CM_SET_KEY.REQ marks a new plug-in or a reset), otherwise
 * left to its own timers — repeated requests, cars restarting SLAC, long pauses.
 */
export function replayContinuously(capture: string, frames = decodeCapture(capture)): ContinuousReplay | undefined {
  const chargers = new Set<string>();
  for (const f of frames) if (f.message.type === "CM_SLAC_PARM.CNF") chargers.add(toHex(f.message.header.src) + "/" + String(f.message.header.vlan));
  if (chargers.size !== 1) return undefined;
  const first = frames.find((f) => f.message.type === "CM_SLAC_PARM.CNF")!;
  if (first.message.header.vlan !== undefined) return undefined;
  const evseMac = first.message.header.src;
  const clock = new ManualClock({ start: Math.floor(frames[0].time) - 100 });
  const link = new FakeLink(evseMac);
  const ourMatches: string[] = [];
  let matchedEvents = 0;
  let restarts = 0;
  const modem = new Uint8Array([0x00, 0xb0, 0x52, 0x00, 0x00, 0x02]);
  link.onWrite = (data) => {
    const message = decodeHomePlugFrame(data);
    if (isType(message, "CM_SLAC_MATCH.CNF")) ourMatches.push(toHex(message.fields.runId));
    if (isType(message, "CM_SET_KEY.REQ")) {
      clock.set(() => link.inject(encodeHomePlugFrame({ type: "CM_SET_KEY.CNF", dst: evseMac, src: modem, fields: { result: 0, myNonce: 1, yourNonce: message.fields.myNonce, pid: 4, prn: 0, pmn: 0, ccoCapability: 0 } })), Millis(1));
    } else if (message.type === "VS_PL_LNK_STATUS.REQ") {
      clock.set(() => link.inject(encodeHomePlugFrame({ type: "VS_PL_LNK_STATUS.CNF", dst: evseMac, src: modem, fields: { status: 0, linkStatus: 1 } })), Millis(1));
    }
  };
  const evse = new SlacEvse({ link: { io: link.io }, clock, random: seededRandom(0x3115), onMatched: () => matchedEvents++, onRestart: () => restarts++, slacInitTimeout: Millis(3_600_000) });
  evse.start();
  const realMatches: string[] = [];
  let lastStart = clock.now();
  for (const f of frames) {
    const m = f.message;
    clock.advance(Math.max(0, f.time - clock.now()));
    if (bytesEqual(m.header.src, evseMac)) {
      if (isType(m, "CM_SLAC_MATCH.CNF")) realMatches.push(toHex(m.fields.runId));
      if (m.type === "CM_SET_KEY.REQ" && clock.now() - lastStart > 1000) {
        evse.start();
        lastStart = clock.now();
      }
      continue;
    }
    const dst = m.header.dst;
    if ((dst[0] & 1) === 0 && !bytesEqual(dst, evseMac)) continue;
    if (EV_TO_EVSE.indexOf(m.type) < 0 && m.type !== "CM_ATTEN_PROFILE.IND") continue;
    link.inject(f.data);
  }
  clock.advance(15000);
  evse.close();
  return { capture, evseMac, realMatches, ourMatches, matchedEvents, restarts };
}
