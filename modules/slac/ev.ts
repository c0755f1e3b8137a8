// SLAC on the EV side (ISO 15118-3 §A.9, the initiator): CM_SLAC_PARM.REQ, start-atten-char
// and sounding, collecting CM_ATTEN_CHAR.IND from every EVSE that heard us, choosing the one
// with the lowest average attenuation, CM_SLAC_MATCH with it, then CM_SET_KEY with its NMK and
// a link-status check before reporting "matched".

import type { Clock, Millis, TimerHandle } from "../common/clock";
import { silentLogger, type Logger } from "../common/log";
import { bytesEqual, toHex } from "../common/bytes";
import { ImplementationError } from "../common/errors";
import { MmeChannel, type LinkSpec } from "./channel";
import { ModemControl, type ModemOptions } from "./modem";
import { MAC_BROADCAST, isType, type HomePlugFrame } from "./frame";
import { newNetworkKey } from "./keys";
import { C_EV_match_MNBC, C_EV_match_retry, C_EV_start_atten_char_inds, C_conn_max_match, SLAC_TIMEOUT_FIELD, TP_EV_batch_msg_interval, TT_EV_atten_results, TT_match_join, TT_match_response, T_conn_resume } from "./timing";

export type SlacEvState = "idle" | "modem-reset" | "set-key" | "parm" | "sounding" | "validating" | "match" | "joining" | "matched" | "link-down" | "failed";

export type SlacEvFailReason =
  | "no-parm-cnf" // no EVSE answered CM_SLAC_PARM.REQ
  | "no-atten-char" // no EVSE reported attenuation
  | "no-match-cnf" // the chosen EVSE did not confirm CM_SLAC_MATCH
  | "join-timeout"
  | "set-key-failed"
  | "modem-reset-failed"
  | "link-error";

export interface SlacEvCandidate {
  evseMac: Uint8Array;
  /** Mean of the per-group average attenuations the EVSE reported, dB. */
  attenuation: number;
  numSounds: number;
}

export interface SlacEvMatchInfo {
  nmk: Uint8Array;
  nid: Uint8Array;
  evMac: Uint8Array;
  evseMac: Uint8Array;
  runId: Uint8Array;
  attenuation: number;
}

export interface SlacEvOptions extends ModemOptions {
  link: LinkSpec;
  clock: Clock;
  random(count: number): Uint8Array;
  logger?: Logger;
  /** 17-byte PEV ID for CM_SLAC_MATCH.REQ (zeros by default). */
  evId?: Uint8Array;
  /** Whole matching attempts (C_conn_max_match, 3). */
  maxAttempts?: number;
  /** Ignore EVSEs whose mean attenuation is above this (dB); default: no limit. */
  maxAttenuation?: number;
  /** Interval between batch messages (TP_EV_batch_msg_interval, 20–50 ms). */
  batchInterval?: Millis;
  resetModemOnStart?: boolean;
  /** Run CM_VALIDATE with the chosen EVSE before matching. Default false. */
  validate?: boolean;
  /** Asked to toggle the BCB `count` times within `window` (validation). */
  onToggleRequest?(count: number, window: Millis): void;
  joinTimeout?: Millis;

  onState?(state: SlacEvState): void;
  onMatched?(info: SlacEvMatchInfo): void;
  onFailed?(reason: SlacEvFailReason): void;
  /** Once matched, the modem lost the EVSE (link supervision); waiting T_conn_resume. */
  onLinkDown?(): void;
  onLinkUp?(): void;
  /** The link stayed down for T_conn_resume: SLAC starts over. */
  onLinkLost?(): void;
  /** Every CM_ATTEN_CHAR.IND received, for diagnostics. */
  onCandidate?(candidate: SlacEvCandidate): void;
  onFrame?(frame: Uint8Array): void;
}

export class SlacEv {
  #o: SlacEvOptions;
  #clock: Clock;
  #logger: Logger;
  #channel: MmeChannel;
  #modem: ModemControl;
  #state: SlacEvState = "idle";
  #attempt = 0;
  #runId = new Uint8Array(8);
  #timer: TimerHandle | undefined;
  #batchTimer: TimerHandle | undefined;
  #retries = 0;
  #parmCnfs: Uint8Array[] = [];
  #candidates: SlacEvCandidate[] = [];
  #chosen: SlacEvCandidate | undefined;
  #matched: SlacEvMatchInfo | undefined;
  #validateStep = 0;
  #resumeTimer: TimerHandle | undefined;
  #closed = false;

  constructor(options: SlacEvOptions) {
    this.#o = options;
    this.#clock = options.clock;
    this.#logger = options.logger ?? silentLogger;
    if (options.evId && options.evId.length !== 17) throw new ImplementationError("evId is 17 bytes");
    this.#channel = new MmeChannel(
      options.link,
      {
        onMessage: (m) => this.#onMessage(m),
        onOtherFrame: (f) => this.#o.onFrame?.(f),
        onLinkError: (e) => {
          this.#logger.log("error", "slac.ev", `link error: ${e.message}`);
          this.#fail("link-error");
        },
      },
      this.#logger,
      "slac.ev",
    );
    this.#modem = new ModemControl(this.#channel, this.#clock, this.#logger, "slac.ev", options.random, options);
  }

  get state(): SlacEvState {
    return this.#state;
  }

  get mac(): Uint8Array {
    return this.#channel.mac;
  }

  get match(): SlacEvMatchInfo | undefined {
    return this.#matched;
  }

  /** The CM_ATTEN_CHAR.IND results of the last sounding. */
  get candidates(): readonly SlacEvCandidate[] {
    return this.#candidates;
  }

  /** Plugged in (state B): leave any old network (random NMK), then run SLAC. */
  start(): void {
    if (this.#closed) throw new ImplementationError("start() after close()");
    this.#cancel();
    this.#attempt = 0;
    this.#matched = undefined;
    const key = newNetworkKey(this.#o.random);
    const setKey = (): void => {
      this.#setState("set-key");
      this.#modem.setKey(key.nmk, key.nid, (ok) => (ok ? this.#nextAttempt() : this.#fail("set-key-failed")));
    };
    if (this.#o.resetModemOnStart) {
      this.#setState("modem-reset");
      this.#modem.reset((ok) => (ok ? setKey() : this.#fail("modem-reset-failed")));
    } else {
      setKey();
    }
  }

  stop(): void {
    this.#cancel();
    this.#matched = undefined;
    this.#setState("idle");
  }

  sendFrame(frame: Uint8Array): void {
    this.#channel.sendFrame(frame);
  }

  close(): void {
    if (this.#closed) return;
    this.#cancel();
    this.#closed = true;
    this.#channel.close();
  }

  // -------------------------------------------------------------------------------------------

  #cancel(): void {
    this.#clock.clear(this.#timer);
    this.#clock.clear(this.#batchTimer);
    this.#clock.clear(this.#resumeTimer);
    this.#timer = this.#batchTimer = this.#resumeTimer = undefined;
    this.#modem.cancel();
  }

  #setState(state: SlacEvState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#logger.log("debug", "slac.ev", `state ${state}`);
    this.#o.onState?.(state);
  }

  #fail(reason: SlacEvFailReason): void {
    if (this.#closed) return;
    this.#logger.log("warn", "slac.ev", `SLAC failed: ${reason}`);
    this.#cancel();
    this.#setState("failed");
    this.#o.onFailed?.(reason);
  }

  /** A matching attempt failed: start over (new RunID) until C_conn_max_match attempts are used. */
  #attemptFailed(reason: SlacEvFailReason): void {
    this.#logger.log("info", "slac.ev", `attempt ${this.#attempt} failed: ${reason}`);
    if (this.#attempt >= (this.#o.maxAttempts ?? C_conn_max_match)) return this.#fail(reason);
    this.#nextAttempt();
  }

  #nextAttempt(): void {
    this.#cancel();
    this.#attempt++;
    this.#runId = this.#o.random(8).slice();
    this.#parmCnfs = [];
    this.#candidates = [];
    this.#chosen = undefined;
    this.#retries = 0;
    this.#setState("parm");
    this.#sendParm();
  }

  #sendParm(): void {
    this.#channel.send({ type: "CM_SLAC_PARM.REQ", dst: MAC_BROADCAST, fields: { applicationType: 0, securityType: 0, runId: this.#runId } });
    // Wait the whole TT_match_response: every EVSE that hears us answers.
    this.#timer = this.#clock.set(() => {
      if (this.#parmCnfs.length > 0) return this.#startSounding();
      if (this.#retries++ < C_EV_match_retry) return this.#sendParm();
      this.#attemptFailed("no-parm-cnf");
    }, TT_match_response);
  }

  #startSounding(): void {
    this.#setState("sounding");
    const interval = this.#o.batchInterval ?? TP_EV_batch_msg_interval;
    const total = C_EV_start_atten_char_inds + C_EV_match_MNBC;
    let sent = 0;
    const step = (): void => {
      if (sent < C_EV_start_atten_char_inds) {
        this.#channel.send({
          type: "CM_START_ATTEN_CHAR.IND",
          dst: MAC_BROADCAST,
          fields: { applicationType: 0, securityType: 0, numSounds: C_EV_match_MNBC, timeOut: SLAC_TIMEOUT_FIELD, respType: 1, forwardingSta: this.#channel.mac, runId: this.#runId },
        });
      } else {
        const cnt = total - 1 - sent; // counts down to 0 on the last sound
        this.#channel.send({
          type: "CM_MNBC_SOUND.IND",
          dst: MAC_BROADCAST,
          fields: { applicationType: 0, securityType: 0, senderId: new Uint8Array(17), cnt, runId: this.#runId, reserved: new Uint8Array(8), rnd: this.#o.random(16).slice() },
        });
      }
      sent++;
      if (sent < total) this.#batchTimer = this.#clock.set(step, interval);
    };
    step();
    this.#timer = this.#clock.set(() => this.#choose(), TT_EV_atten_results);
  }

  #choose(): void {
    this.#clock.clear(this.#batchTimer);
    const limit = this.#o.maxAttenuation;
    const usable = this.#candidates.filter((c) => c.numSounds > 0 && (limit === undefined || c.attenuation <= limit));
    if (usable.length === 0) return this.#attemptFailed("no-atten-char");
    // The EVSE we are plugged into hears us loudest: lowest mean attenuation wins.
    let best = usable[0];
    for (const c of usable) if (c.attenuation < best.attenuation) best = c;
    this.#chosen = best;
    this.#logger.log("info", "slac.ev", `chose EVSE ${toHex(best.evseMac)} at ${best.attenuation.toFixed(1)} dB of ${usable.length}`);
    this.#retries = 0;
    if (this.#o.validate) {
      this.#validateStep = 0;
      this.#setState("validating");
      this.#sendValidate(0, 1);
    } else {
      this.#setState("match");
      this.#sendMatch();
    }
  }

  #sendValidate(timer: number, result: number): void {
    const evse = this.#chosen!.evseMac;
    this.#channel.send({ type: "CM_VALIDATE.REQ", dst: evse, fields: { signalType: 0, timer, result } });
    this.#clock.clear(this.#timer);
    const wait = timer === 0 ? TT_match_response : ((timer * 100 + 2 * TT_match_response) as Millis);
    this.#timer = this.#clock.set(() => {
      if (this.#retries++ < C_EV_match_retry) return this.#sendValidate(timer, result);
      this.#setState("match");
      this.#retries = 0;
      this.#sendMatch(); // validation is optional: go on without it
    }, wait);
  }

  #sendMatch(): void {
    const evse = this.#chosen!.evseMac;
    this.#channel.send({
      type: "CM_SLAC_MATCH.REQ",
      dst: evse,
      fields: {
        applicationType: 0,
        securityType: 0,
        mvfLength: 0x3e,
        pevId: this.#o.evId ?? new Uint8Array(17),
        pevMac: this.#channel.mac,
        evseId: new Uint8Array(17),
        evseMac: evse,
        runId: this.#runId,
        reserved: new Uint8Array(8),
      },
    });
    this.#clock.clear(this.#timer);
    this.#timer = this.#clock.set(() => {
      if (this.#retries++ < C_EV_match_retry) return this.#sendMatch();
      this.#attemptFailed("no-match-cnf");
    }, TT_match_response);
  }

  /** Link supervision after matching (T_conn_resume), as on the EVSE side. */
  #onLinkChange(up: boolean): void {
    if (up) {
      this.#clock.clear(this.#resumeTimer);
      this.#resumeTimer = undefined;
      if (this.#state !== "link-down") return;
      this.#setState("matched");
      this.#o.onLinkUp?.();
      return;
    }
    if (this.#state !== "matched") return;
    this.#logger.log("warn", "slac.ev", "link down");
    this.#setState("link-down");
    this.#o.onLinkDown?.();
    this.#resumeTimer = this.#clock.set(() => {
      this.#resumeTimer = undefined;
      this.#logger.log("warn", "slac.ev", "link lost (T_conn_resume): SLAC starts over");
      this.#matched = undefined;
      this.#o.onLinkLost?.();
      this.#attempt = 0;
      this.#nextAttempt();
    }, T_conn_resume);
  }

  #onMessage(m: HomePlugFrame): void {
    if (this.#modem.handle(m)) return;
    if (isType(m, "CM_SLAC_PARM.CNF")) {
      if (this.#state !== "parm" || !bytesEqual(m.fields.runId, this.#runId)) return;
      if (!this.#parmCnfs.some((mac) => bytesEqual(mac, m.header.src))) this.#parmCnfs.push(m.header.src);
      return;
    }
    if (isType(m, "CM_ATTEN_CHAR.IND")) {
      if (!bytesEqual(m.fields.runId, this.#runId)) return;
      if (this.#state !== "sounding" && this.#state !== "match" && this.#state !== "validating") return;
      // Always acknowledge (the EVSE repeats the indication until it gets the response).
      this.#channel.send({
        type: "CM_ATTEN_CHAR.RSP",
        dst: m.header.src,
        fields: { applicationType: 0, securityType: 0, sourceAddress: this.#channel.mac, runId: this.#runId, sourceId: m.fields.sourceId, respId: m.fields.respId, result: 0 },
      });
      if (this.#state !== "sounding" || this.#candidates.some((c) => bytesEqual(c.evseMac, m.header.src))) return;
      const aag = m.fields.aag;
      let sum = 0;
      for (let i = 0; i < aag.length; i++) sum += aag[i];
      const candidate = { evseMac: m.header.src.slice(), attenuation: aag.length > 0 ? sum / aag.length : 255, numSounds: m.fields.numSounds };
      this.#candidates.push(candidate);
      this.#o.onCandidate?.(candidate);
      return;
    }
    if (isType(m, "CM_VALIDATE.CNF")) {
      if (this.#state !== "validating" || !this.#chosen || !bytesEqual(m.header.src, this.#chosen.evseMac)) return;
      this.#retries = 0;
      const r = m.fields.result;
      if (r === 1 && this.#validateStep === 0) {
        // Ready: toggle the BCB (1–3 times) within the announced window, then ask for the count.
        this.#validateStep = 1;
        const window = 10; // × 100 ms
        this.#o.onToggleRequest?.(1, (window * 100) as Millis);
        this.#sendValidate(window, 1);
        return;
      }
      if (r === 3) {
        // Failure: the toggles were seen elsewhere; this EVSE is not ours.
        this.#candidates = this.#candidates.filter((c) => c !== this.#chosen);
        return this.#attemptFailed("no-match-cnf");
      }
      this.#setState("match");
      this.#sendMatch();
      return;
    }
    if (isType(m, "CM_SLAC_MATCH.CNF")) {
      if (this.#state !== "match" || !bytesEqual(m.fields.runId, this.#runId)) return;
      if (!this.#chosen || !bytesEqual(m.header.src, this.#chosen.evseMac)) return;
      this.#clock.clear(this.#timer);
      const { nmk, nid } = m.fields;
      const info: SlacEvMatchInfo = { nmk, nid, evMac: this.#channel.mac, evseMac: m.fields.evseMac, runId: this.#runId, attenuation: this.#chosen.attenuation };
      this.#setState("joining");
      this.#modem.setKey(nmk, nid, (ok) => {
        if (!ok) return this.#fail("set-key-failed");
        this.#modem.nid = nid;
        this.#modem.waitForLink(this.#o.joinTimeout ?? TT_match_join, (up) => {
          if (!up) return this.#attemptFailed("join-timeout");
          this.#matched = info;
          this.#setState("matched");
          this.#o.onMatched?.(info);
          this.#modem.monitorLink((ok) => this.#onLinkChange(ok));
        });
      });
    }
  }
}
