// SLAC on the EVSE side (ISO 15118-3 §A.9, the responder): answers CM_SLAC_PARM.REQ, measures
// the EV's sounds through its modem's CM_ATTEN_PROFILE.IND, reports them in CM_ATTEN_CHAR.IND,
// and on CM_SLAC_MATCH.REQ hands the EV this session's NMK/NID; reports "matched" once its
// modem sees the EV in the logical network.
//
// Several EVs can be heard at once (neighbouring charge points share the medium): a session is
// kept per EV MAC until one EV asks to match; the others are dropped then.

import type { Clock, Millis, TimerHandle } from "../common/clock";
import { Millis as ms } from "../common/clock";
import { silentLogger, type Logger } from "../common/log";
import { bytesEqual, toHex } from "../common/bytes";
import { ImplementationError } from "../common/errors";
import { MmeChannel, type LinkSpec } from "./channel";
import { ModemControl, type ModemOptions } from "./modem";
import { MAC_BROADCAST, isType, type HomePlugFrame } from "./frame";
import { newNetworkKey } from "./keys";
import { C_EV_match_MNBC, C_EV_match_retry, C_conn_max_match, NUM_GROUPS, TT_EVSE_SLAC_init, TT_EVSE_match_MNBC, TT_EVSE_match_session, TT_match_join, TT_match_response, TT_match_sequence, T_conn_resume, T_step_EF } from "./timing";

export type SlacEvseState = "idle" | "modem-reset" | "waiting" | "joining" | "matched" | "link-down" | "failed";

export type SlacEvseFailReason =
  | "slac-init-timeout" // no EV started SLAC within TT_EVSE_SLAC_init
  | "join-timeout" // matched, but the EV never appeared in the network (TT_match_join)
  | "set-key-failed" // the local modem did not confirm CM_SET_KEY
  | "modem-reset-failed"
  | "link-error";

/** Phase of one EV's session. */
export type SlacEvseSessionPhase = "wait-start-atten" | "sounding" | "wait-atten-rsp" | "wait-match" | "validating";

export interface SlacMatchInfo {
  nmk: Uint8Array;
  nid: Uint8Array;
  evMac: Uint8Array;
  evseMac: Uint8Array;
  runId: Uint8Array;
}

export interface SlacEvseOptions extends ModemOptions {
  /** The host's EthernetLink to the modem: `{io: LinkClass, ...linkOptions}`. */
  link: LinkSpec;
  clock: Clock;
  /** Host random source: `count` random bytes (NMK, nonces). */
  random(count: number): Uint8Array;
  logger?: Logger;
  /** 17-byte EVSE ID for CM_SLAC_MATCH.CNF (zeros by default). */
  evseId?: Uint8Array;
  /** TT_EVSE_SLAC_init (20–50 s); default 50 s. */
  slacInitTimeout?: Millis;
  /**
   * Fast fallback for vehicles without a modem: when no CM_SLAC_PARM.REQ came within this time,
   * `onFallback` tells the charger it may start basic (PWM-only) charging; SLAC stays possible
   * until `slacInitTimeout`.
   */
  fallbackTimeout?: Millis;
  /**
   * A new CM_SLAC_PARM.REQ from a known EV (a car that restarted SLAC: a new RunID, or its old
   * one once past the parameter exchange) restarts its session instead of being ignored. Default true.
   */
  restartOnNewRunId?: boolean;
  /**
   * Wake-up of a sleeping EV: when TT_EVSE_SLAC_init expires, ask the charger (`onWakeUp`) for
   * a state E/F pulse of T_step_EF and wait TT_EVSE_SLAC_init again, this many times, before
   * failing. Default 0.
   */
  wakeUps?: number;
  /** Reset the modem (VS_RS_DEV) on every start. Default false. */
  resetModemOnStart?: boolean;
  /** Take part in CM_VALIDATE (BCB toggles counted through `bcbToggle()`); otherwise answer "not required". Default false. */
  validate?: boolean;
  /** TT_EVSE_match_MNBC; default 600 ms (the value CM_SLAC_PARM.CNF announces is derived from it). */
  soundingTimeout?: Millis;
  /**
   * dB added to the measured average attenuation before it is reported (calibration of the
   * charger's own coupling path; EVerest reports −10 dB in later captures). Default 0.
   */
  attenuationOffset?: number;
  /** TT_match_join: from CM_SLAC_MATCH.CNF until the modem reports the link; default 12 s. */
  joinTimeout?: Millis;

  onState?(state: SlacEvseState): void;
  /** The EV is in this EVSE's network: start SDP. */
  onMatched?(info: SlacMatchInfo): void;
  onFailed?(reason: SlacEvseFailReason): void;
  onFallback?(): void;
  /** Pulse the control pilot to state E/F for `duration` (T_step_EF) to wake the EV up. */
  onWakeUp?(duration: Millis): void;
  /** Once matched, the modem lost the EV (link supervision); SLAC waits T_conn_resume for it. */
  onLinkDown?(): void;
  /** The link came back within T_conn_resume. */
  onLinkUp?(): void;
  /** The link stayed down for T_conn_resume: the session is over; waiting for SLAC again. */
  onLinkLost?(): void;
  /** An EV restarted SLAC (new RunID) while a session with it existed. */
  onRestart?(evMac: Uint8Array): void;
  /** Frames of other ethertypes on the same link (IPv6 after matching). */
  onFrame?(frame: Uint8Array): void;
}

interface Session {
  evMac: Uint8Array;
  runId: Uint8Array;
  phase: SlacEvseSessionPhase;
  timer: TimerHandle | undefined;
  numSounds: number;
  sounds: number;
  aagSum: number[];
  numGroups: number;
  retries: number;
  toggles: number;
  validateTimer: number;
  attenChar?: Uint8Array;
}

export class SlacEvse {
  #o: SlacEvseOptions;
  #clock: Clock;
  #logger: Logger;
  #channel: MmeChannel;
  #modem: ModemControl;
  #state: SlacEvseState = "idle";
  #sessions: Session[] = [];
  #key: { nmk: Uint8Array; nid: Uint8Array } | undefined;
  #keyReady = false;
  #deferredMatch: HomePlugFrame | undefined;
  #matched: SlacMatchInfo | undefined;
  #initTimer: TimerHandle | undefined;
  #fallbackTimer: TimerHandle | undefined;
  #resumeTimer: TimerHandle | undefined;
  #closed = false;
  /** Matches that did not lead to a link, this plug-in (C_conn_max_match). */
  #failedJoins = 0;
  #wakeUpsLeft = 0;

  constructor(options: SlacEvseOptions) {
    this.#o = options;
    this.#clock = options.clock;
    this.#logger = options.logger ?? silentLogger;
    if (options.evseId && options.evseId.length !== 17) throw new ImplementationError("evseId is 17 bytes");
    this.#channel = new MmeChannel(
      options.link,
      {
        onMessage: (m) => this.#onMessage(m),
        onOtherFrame: (f) => this.#o.onFrame?.(f),
        onLinkError: (e) => {
          this.#logger.log("error", "slac.evse", `link error: ${e.message}`);
          this.#fail("link-error");
        },
      },
      this.#logger,
      "slac.evse",
    );
    this.#modem = new ModemControl(this.#channel, this.#clock, this.#logger, "slac.evse", options.random, options);
  }

  get state(): SlacEvseState {
    return this.#state;
  }

  get mac(): Uint8Array {
    return this.#channel.mac;
  }

  /** The match of the current session, once matched. */
  get match(): SlacMatchInfo | undefined {
    return this.#matched;
  }

  /** Phases of the sessions in progress, by EV MAC (hex). For diagnostics and tests. */
  get sessions(): Record<string, SlacEvseSessionPhase> {
    const out: Record<string, SlacEvseSessionPhase> = {};
    for (const s of this.#sessions) out[toHex(s.evMac)] = s.phase;
    return out;
  }

  /** The firmware version the modem reported (after a reset), if any. */
  get modemVersion(): string | undefined {
    return this.#modem.version;
  }

  /**
   * An EV is plugged in (CP state B): set a fresh random NMK on the local modem (after a modem
   * reset if configured) and wait for the EV's CM_SLAC_PARM.REQ.
   */
  start(): void {
    if (this.#closed) throw new ImplementationError("start() after close()");
    this.#reset();
    this.#key = newNetworkKey(this.#o.random);
    this.#keyReady = false;
    this.#failedJoins = 0;
    this.#wakeUpsLeft = this.#o.wakeUps ?? 0;
    this.#armInit();
    if (this.#o.fallbackTimeout !== undefined) {
      this.#fallbackTimer = this.#clock.set(() => {
        this.#fallbackTimer = undefined;
        this.#logger.log("info", "slac.evse", "no CM_SLAC_PARM.REQ yet: fast fallback");
        this.#o.onFallback?.();
      }, this.#o.fallbackTimeout);
    }
    if (this.#o.resetModemOnStart) {
      this.#setState("modem-reset");
      this.#modem.reset((ok) => {
        if (!ok) return this.#fail("modem-reset-failed");
        this.#setState("waiting");
        this.#setKey();
      });
    } else {
      this.#setState("waiting");
      this.#setKey();
    }
  }

  /** The EV left (CP state A) or the charger stops SLAC: back to idle, no callbacks pending. */
  stop(): void {
    this.#reset();
    this.#setState("idle");
  }

  /** Resets the local modem now (VS_RS_DEV); `done(ok)` when it is back. Stops any session. */
  resetModem(done?: (ok: boolean) => void): void {
    this.#reset();
    this.#setState("modem-reset");
    this.#modem.reset((ok) => {
      this.#setState(ok ? "idle" : "failed");
      done?.(ok);
    });
  }

  /** Validation (CM_VALIDATE): the control pilot saw one BCB toggle of the EV. */
  bcbToggle(): void {
    for (const s of this.#sessions) if (s.phase === "validating") s.toggles++;
  }

  /** Sends a raw frame on the link (e.g. IPv6 once matched). */
  sendFrame(frame: Uint8Array): void {
    this.#channel.sendFrame(frame);
  }

  close(): void {
    if (this.#closed) return;
    this.#reset();
    this.#closed = true;
    this.#channel.close();
  }

  // -------------------------------------------------------------------------------------------

  #reset(): void {
    for (const s of this.#sessions) this.#clock.clear(s.timer);
    this.#sessions = [];
    this.#clock.clear(this.#initTimer);
    this.#clock.clear(this.#fallbackTimer);
    this.#clock.clear(this.#resumeTimer);
    this.#initTimer = this.#fallbackTimer = this.#resumeTimer = undefined;
    this.#modem.cancel();
    this.#matched = undefined;
    this.#deferredMatch = undefined;
  }

  /** TT_EVSE_SLAC_init: waiting for an EV to start SLAC; on expiry wake it up or give up. */
  #armInit(): void {
    this.#clock.clear(this.#initTimer);
    this.#initTimer = this.#clock.set(() => {
      this.#initTimer = undefined;
      if (this.#wakeUpsLeft > 0) {
        this.#wakeUpsLeft--;
        this.#logger.log("info", "slac.evse", "no SLAC from the EV: E/F wake-up pulse");
        this.#o.onWakeUp?.(T_step_EF);
        this.#armInit();
        return;
      }
      this.#fail("slac-init-timeout");
    }, this.#o.slacInitTimeout ?? TT_EVSE_SLAC_init);
  }

  #setKey(): void {
    const key = this.#key!;
    this.#modem.setKey(key.nmk, key.nid, (ok) => {
      if (!ok) return this.#fail("set-key-failed");
      this.#keyReady = true;
      this.#modem.nid = key.nid;
      const deferred = this.#deferredMatch;
      this.#deferredMatch = undefined;
      if (deferred) this.#onMessage(deferred);
    });
  }

  #setState(state: SlacEvseState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#logger.log("debug", "slac.evse", `state ${state}`);
    this.#o.onState?.(state);
  }

  #fail(reason: SlacEvseFailReason): void {
    if (this.#closed) return;
    this.#logger.log("warn", "slac.evse", `SLAC failed: ${reason}`);
    this.#reset();
    this.#setState("failed");
    this.#o.onFailed?.(reason);
  }

  #session(mac: Uint8Array): Session | undefined {
    for (const s of this.#sessions) if (bytesEqual(s.evMac, mac)) return s;
    return undefined;
  }

  #drop(s: Session, why: string): void {
    this.#clock.clear(s.timer);
    const i = this.#sessions.indexOf(s);
    if (i >= 0) this.#sessions.splice(i, 1);
    this.#logger.log("debug", "slac.evse", `session with ${toHex(s.evMac)} ends: ${why}`);
    if (this.#sessions.length === 0 && this.#state === "waiting" && this.#initTimer === undefined) {
      // Give a car that gave up the whole TT_EVSE_SLAC_init again to retry.
      this.#armInit();
    }
  }

  #arm(s: Session, delay: Millis, onTimeout: () => void): void {
    this.#clock.clear(s.timer);
    s.timer = this.#clock.set(() => {
      s.timer = undefined;
      onTimeout();
    }, delay);
  }

  #onMessage(m: HomePlugFrame): void {
    if (this.#modem.handle(m)) return;
    if (this.#state === "idle" || this.#state === "failed" || this.#state === "modem-reset") return;
    const src = m.header.src;
    if (isType(m, "CM_SLAC_PARM.REQ")) return this.#onParm(m.fields.runId, src, m.fields.applicationType, m.fields.securityType);
    if (isType(m, "CM_ATTEN_PROFILE.IND")) return this.#onProfile(m.fields.pevMac, m.fields.aag);
    const s = this.#session(src);
    if (!s) return;
    if (isType(m, "CM_START_ATTEN_CHAR.IND")) {
      if (!bytesEqual(m.fields.runId, s.runId)) return;
      if (s.phase === "wait-start-atten") {
        // The first of the (three) indications opens the sounding window TT_EVSE_match_MNBC.
        s.phase = "sounding";
        s.numSounds = m.fields.numSounds;
        this.#arm(s, this.#o.soundingTimeout ?? TT_EVSE_match_MNBC, () => this.#sendAttenChar(s));
      }
      return;
    }
    if (isType(m, "CM_MNBC_SOUND.IND")) {
      // The host sees the sounds too; the attenuation comes with CM_ATTEN_PROFILE.IND.
      if (s.phase === "wait-start-atten" && bytesEqual(m.fields.runId, s.runId)) {
        s.phase = "sounding";
        // Without the start indication the count is unknown (some cars count cnt upwards).
        s.numSounds = C_EV_match_MNBC;
        this.#arm(s, this.#o.soundingTimeout ?? TT_EVSE_match_MNBC, () => this.#sendAttenChar(s));
      }
      return;
    }
    if (isType(m, "CM_ATTEN_CHAR.RSP")) {
      if (s.phase !== "wait-atten-rsp" || !bytesEqual(m.fields.runId, s.runId)) return;
      s.phase = "wait-match";
      this.#arm(s, TT_EVSE_match_session, () => this.#drop(s, "no CM_SLAC_MATCH.REQ (TT_EVSE_match_session)"));
      return;
    }
    if (isType(m, "CM_VALIDATE.REQ")) return this.#onValidate(s, m.fields.timer);
    if (isType(m, "CM_SLAC_MATCH.REQ")) {
      if (!bytesEqual(m.fields.runId, s.runId)) return;
      // ISO 15118-3 Table A.7: PEV MAC is the requesting EV host's MAC, EVSE MAC this EVSE's.
      // A request naming another EV or another EVSE is a spoof or a confused car: it gets no
      // NMK. (All 120 CM_SLAC_MATCH.REQ in ../shared/captures fill both fields so.)
      if (!bytesEqual(m.fields.pevMac, src) || !bytesEqual(m.fields.evseMac, this.#channel.mac)) {
        this.#logger.log("warn", "slac.evse", `CM_SLAC_MATCH.REQ from ${toHex(src)} names PEV ${toHex(m.fields.pevMac)}, EVSE ${toHex(m.fields.evseMac)}: refused`);
        return;
      }
      if (s.phase !== "wait-match" && s.phase !== "validating" && s.phase !== "wait-atten-rsp") return;
      if (!this.#keyReady) {
        this.#deferredMatch = m;
        return;
      }
      return this.#onMatch(s, m.fields.pevId);
    }
  }

  #onParm(runId: Uint8Array, evMac: Uint8Array, applicationType: number, securityType: number): void {
    if (applicationType !== 0 || securityType !== 0) {
      this.#logger.log("info", "slac.evse", `CM_SLAC_PARM.REQ with application ${applicationType}, security ${securityType}: ignored`);
      return;
    }
    const known = this.#session(evMac);
    if (this.#state === "joining" || this.#state === "matched" || this.#state === "link-down") {
      const match = this.#matched!;
      if (!bytesEqual(match.evMac, evMac)) {
        // Another EV: a neighbour's car, or ours under a new MAC (a VW ID.3 in the captures
        // changes it between two SLAC runs). Answer it beside the current match; only if it then
        // asks this EVSE to match (it hears us loudest) does it take the match over.
        if (known && bytesEqual(known.runId, runId) && known.phase === "wait-start-atten") {
          this.#sendParmCnf(known);
          return;
        }
        if (known) this.#drop(known, "restarted");
        this.#newSession(evMac, runId);
        return;
      }
      // After CM_SLAC_MATCH the car never repeats a request: even with its old RunID (a Tesla
      // sends "TESLA EV" every time) this is a restart.
      if (this.#o.restartOnNewRunId === false) return;
      // The car restarted SLAC after matching: a new session, same NMK (the modem keeps it).
      this.#logger.log("info", "slac.evse", "EV restarted SLAC after matching");
      this.#clock.clear(this.#resumeTimer);
      this.#resumeTimer = undefined;
      this.#modem.cancel();
      this.#matched = undefined;
      if (known) this.#drop(known, "restarted");
      this.#setState("waiting");
      this.#o.onRestart?.(evMac);
    } else if (known) {
      if (bytesEqual(known.runId, runId) && known.phase === "wait-start-atten") {
        // A repeated request (our confirmation was lost): confirm again.
        this.#sendParmCnf(known);
        return;
      }
      // A new RunID, or the same one once the car has moved past the parameter exchange (some
      // cars reuse their RunID): the car started SLAC over.
      if (this.#o.restartOnNewRunId === false) return;
      this.#logger.log("info", "slac.evse", `EV ${toHex(evMac)} restarted SLAC (new RunID)`);
      this.#drop(known, "restarted");
      this.#o.onRestart?.(evMac);
    }
    this.#clock.clear(this.#initTimer);
    this.#initTimer = undefined;
    this.#clock.clear(this.#fallbackTimer);
    this.#fallbackTimer = undefined;
    this.#newSession(evMac, runId);
  }

  #newSession(evMac: Uint8Array, runId: Uint8Array): void {
    const s: Session = {
      evMac: evMac.slice(),
      runId: runId.slice(),
      phase: "wait-start-atten",
      timer: undefined,
      numSounds: C_EV_match_MNBC,
      sounds: 0,
      aagSum: [],
      numGroups: 0,
      retries: 0,
      toggles: 0,
      validateTimer: 0,
    };
    this.#sessions.push(s);
    this.#sendParmCnf(s);
  }

  #sendParmCnf(s: Session): void {
    const window = this.#o.soundingTimeout ?? TT_EVSE_match_MNBC;
    this.#channel.send({
      type: "CM_SLAC_PARM.CNF",
      dst: s.evMac,
      fields: {
        msoundTarget: new Uint8Array(MAC_BROADCAST),
        numSounds: C_EV_match_MNBC,
        timeOut: Math.round(window / 100),
        respType: 1,
        forwardingSta: s.evMac,
        applicationType: 0,
        securityType: 0,
        runId: s.runId,
      },
    });
    this.#arm(s, TT_match_sequence, () => this.#drop(s, "no CM_START_ATTEN_CHAR.IND (TT_match_sequence)"));
  }

  #onProfile(pevMac: Uint8Array, aag: Uint8Array): void {
    const s = this.#session(pevMac);
    if (!s || (s.phase !== "sounding" && s.phase !== "wait-start-atten")) return;
    if (s.numGroups === 0) {
      s.numGroups = aag.length;
      for (let i = 0; i < aag.length; i++) s.aagSum.push(0);
    }
    const n = Math.min(s.numGroups, aag.length);
    for (let i = 0; i < n; i++) s.aagSum[i] += aag[i];
    s.sounds++;
    if (s.phase === "sounding" && s.sounds >= s.numSounds) this.#sendAttenChar(s);
  }

  #sendAttenChar(s: Session): void {
    if (s.phase !== "sounding" && s.phase !== "wait-atten-rsp") return;
    if (!s.attenChar) {
      // Average attenuation per group over the sounds received, truncated to whole dB as the
      // field chargers in the captures do, plus the configured calibration offset.
      const groups = s.numGroups || NUM_GROUPS;
      const aag = new Uint8Array(groups);
      const offset = this.#o.attenuationOffset ?? 0;
      for (let i = 0; i < groups && s.sounds > 0; i++) aag[i] = Math.max(0, Math.min(255, Math.floor(s.aagSum[i] / s.sounds) + offset));
      s.attenChar = aag;
      s.retries = 0;
    }
    s.phase = "wait-atten-rsp";
    this.#channel.send({
      type: "CM_ATTEN_CHAR.IND",
      dst: s.evMac,
      fields: {
        applicationType: 0,
        securityType: 0,
        sourceAddress: s.evMac,
        runId: s.runId,
        sourceId: new Uint8Array(17),
        respId: new Uint8Array(17),
        numSounds: s.sounds,
        numGroups: s.attenChar.length,
        aag: s.attenChar,
      },
    });
    this.#arm(s, TT_match_response, () => {
      if (s.retries < C_EV_match_retry) {
        s.retries++;
        this.#sendAttenChar(s);
      } else {
        this.#drop(s, "no CM_ATTEN_CHAR.RSP");
      }
    });
  }

  #onValidate(s: Session, timer: number): void {
    if (s.phase !== "wait-match" && s.phase !== "validating" && s.phase !== "wait-atten-rsp") return;
    const reply = (toggleNum: number, res: number): void =>
      this.#channel.send({ type: "CM_VALIDATE.CNF", dst: s.evMac, fields: { signalType: 0, toggleNum, result: res } });
    if (!this.#o.validate) {
      reply(0, 4); // not required
      return;
    }
    if (s.phase !== "validating") {
      // First request (result "ready", timer 0): ready to count toggles.
      s.phase = "validating";
      s.toggles = 0;
      reply(0, 1);
      this.#arm(s, TT_EVSE_match_session, () => this.#drop(s, "validation timed out"));
      return;
    }
    // Second request: count BCB toggles during `timer` × 100 ms (plus TT_match_response slack).
    s.toggles = 0;
    this.#arm(s, ms(timer * 100 + TT_match_response), () => {
      const ok = s.toggles >= 1 && s.toggles <= 3;
      reply(s.toggles, ok ? 2 : 3);
      s.phase = "wait-match";
      this.#arm(s, TT_EVSE_match_session, () => this.#drop(s, "no CM_SLAC_MATCH.REQ after validation"));
    });
  }

  /** The EV did not show up in the network: let it retry, up to C_conn_max_match matches. */
  #joinFailed(): void {
    this.#failedJoins++;
    if (this.#failedJoins >= C_conn_max_match) return this.#fail("join-timeout");
    this.#logger.log("info", "slac.evse", `EV did not join (${this.#failedJoins}); waiting for it to retry`);
    for (const s of this.#sessions) this.#clock.clear(s.timer);
    this.#sessions = [];
    this.#matched = undefined;
    this.#setState("waiting");
    this.#armInit();
  }

  #onMatch(s: Session, pevId: Uint8Array): void {
    const key = this.#key!;
    this.#channel.send({
      type: "CM_SLAC_MATCH.CNF",
      dst: s.evMac,
      fields: {
        applicationType: 0,
        securityType: 0,
        mvfLength: 0x56,
        pevId,
        pevMac: s.evMac,
        evseId: this.#o.evseId ?? new Uint8Array(17),
        evseMac: this.#channel.mac,
        runId: s.runId,
        reserved: new Uint8Array(8),
        nid: key.nid,
        reserved2: 0,
        nmk: key.nmk,
      },
    });
    if (this.#matched && bytesEqual(this.#matched.runId, s.runId) && bytesEqual(this.#matched.evMac, s.evMac)) return; // a repeated request
    if (this.#matched) {
      this.#logger.log("info", "slac.evse", `EV ${toHex(s.evMac)} takes the match over from ${toHex(this.#matched.evMac)}`);
      this.#clock.clear(this.#resumeTimer);
      this.#resumeTimer = undefined;
    }
    // This EV chose us: forget the others, then wait for it to join (TT_match_join).
    for (const other of this.#sessions) if (other !== s) this.#clock.clear(other.timer);
    this.#clock.clear(s.timer);
    s.phase = "wait-match";
    this.#sessions = [s];
    this.#matched = { nmk: key.nmk, nid: key.nid, evMac: s.evMac, evseMac: this.#channel.mac, runId: s.runId };
    this.#setState("joining");
    this.#modem.waitForLink(this.#o.joinTimeout ?? TT_match_join, (ok) => {
      if (!ok) return this.#joinFailed();
      this.#setState("matched");
      this.#o.onMatched?.(this.#matched!);
      this.#modem.monitorLink((up) => this.#onLinkChange(up));
    });
  }

  /** Link supervision after matching (ISO 15118-3 connection coordination, T_conn_resume). */
  #onLinkChange(up: boolean): void {
    if (up) {
      this.#clock.clear(this.#resumeTimer);
      this.#resumeTimer = undefined;
      if (this.#state !== "link-down") return;
      this.#logger.log("info", "slac.evse", "link back");
      this.#setState("matched");
      this.#o.onLinkUp?.();
      return;
    }
    if (this.#state !== "matched") return;
    this.#logger.log("warn", "slac.evse", "link down");
    this.#setState("link-down");
    this.#o.onLinkDown?.();
    this.#resumeTimer = this.#clock.set(() => {
      this.#resumeTimer = undefined;
      this.#logger.log("warn", "slac.evse", "link lost (T_conn_resume): waiting for SLAC again");
      this.#modem.cancel();
      for (const s of this.#sessions) this.#clock.clear(s.timer);
      this.#sessions = [];
      this.#matched = undefined;
      this.#setState("waiting");
      this.#armInit();
      this.#o.onLinkLost?.();
    }, T_conn_resume);
  }
}
