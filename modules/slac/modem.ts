// Host → local modem operations both SLAC roles need: set the NMK (CM_SET_KEY), reset the modem
// (Qualcomm VS_RS_DEV), and check that the modem has joined a logical network before the link
// is reported ready (VS_PL_LNK_STATUS or VS_NW_INFO polling).

import type { Clock, Millis, TimerHandle } from "../common/clock";
import { Millis as ms } from "../common/clock";
import type { Logger } from "../common/log";
import { bytesEqual } from "../common/bytes";
import { MAC_LOCAL_MODEM, isType, type HomePlugFrame } from "./frame";
import { TP_link_ready_notification } from "./timing";
import type { MmeChannel } from "./channel";

/** How the link-status check asks the modem: Qualcomm VS_PL_LNK_STATUS, VS_NW_INFO, or not at all. */
export type LinkCheck = "pl-lnk-status" | "nw-info" | "none";

export interface ModemOptions {
  /** Answer timeout of one modem request (modems answer in a few ms). */
  modemTimeout?: Millis;
  /** Repetitions of an unanswered modem request. */
  modemRetries?: number;
  linkCheck?: LinkCheck;
  /** Interval of link-status polls while joining; default TP_link_ready_notification (200 ms), so "matched" follows the link within it. */
  linkPollInterval?: Millis;
  /** After VS_RS_DEV, how long the modem may take to boot (polled with VS_SW_VER). */
  modemBootTimeout?: Millis;
  /** Once matched, poll the link this often (0: no supervision). Default 1 s. */
  linkMonitorInterval?: Millis;
}

type Pending = { kind: "set-key" | "reset" | "boot" | "link"; done: (ok: boolean) => void };
type Monitor = { up: boolean; missed: number; interval: Millis; onChange: (up: boolean) => void };

/** Polls left unanswered before a monitored link counts as down. */
const MONITOR_MISSES = 3;

export class ModemControl {
  #channel: MmeChannel;
  #clock: Clock;
  #logger: Logger;
  #source: string;
  #random: (n: number) => Uint8Array;
  #options: Required<ModemOptions>;
  #pending: Pending | undefined;
  #timer: TimerHandle | undefined;
  #deadline: TimerHandle | undefined;
  #nonce = 0;
  #monitor: Monitor | undefined;
  #nid: Uint8Array | undefined;
  /** Firmware version reported by VS_SW_VER.CNF, once seen. */
  version: string | undefined;

  constructor(channel: MmeChannel, clock: Clock, logger: Logger, source: string, random: (n: number) => Uint8Array, options: ModemOptions) {
    this.#channel = channel;
    this.#clock = clock;
    this.#logger = logger;
    this.#source = source;
    this.#random = random;
    this.#options = {
      modemTimeout: options.modemTimeout ?? ms(500),
      modemRetries: options.modemRetries ?? 2,
      linkCheck: options.linkCheck ?? "pl-lnk-status",
      linkPollInterval: options.linkPollInterval ?? TP_link_ready_notification,
      modemBootTimeout: options.modemBootTimeout ?? ms(5000),
      linkMonitorInterval: options.linkMonitorInterval ?? ms(1000),
    };
  }

  get busy(): boolean {
    return this.#pending !== undefined;
  }

  /** CM_SET_KEY.REQ with `nmk`/`nid`; `done(true)` on the modem's CNF. */
  setKey(nmk: Uint8Array, nid: Uint8Array, done: (ok: boolean) => void): void {
    this.cancel();
    const r = this.#random(4);
    this.#nonce = (r[0] | (r[1] << 8) | (r[2] << 16) | (r[3] << 24)) >>> 0;
    this.#nid = nid;
    this.#pending = { kind: "set-key", done };
    this.#request(this.#options.modemRetries, () =>
      this.#channel.send({
        type: "CM_SET_KEY.REQ",
        dst: MAC_LOCAL_MODEM,
        fields: { keyType: 1, myNonce: this.#nonce, yourNonce: 0, pid: 4, prn: 0, pmn: 0, ccoCapability: 0, nid, newEks: 1, newKey: nmk },
      }),
    );
  }

  /** VS_RS_DEV.REQ, then VS_SW_VER.REQ polls until the modem answers again. */
  reset(done: (ok: boolean) => void): void {
    this.cancel();
    this.#pending = { kind: "reset", done };
    this.#request(this.#options.modemRetries, () => this.#channel.send({ type: "VS_RS_DEV.REQ", dst: MAC_LOCAL_MODEM, fields: {} }));
  }

  /** Polls the link status until the modem is in a network with a peer; false after `timeout`. */
  waitForLink(timeout: Millis, done: (ok: boolean) => void): void {
    this.cancel();
    if (this.#options.linkCheck === "none") {
      this.#pending = { kind: "link", done };
      this.#timer = this.#clock.set(() => this.#finish(true), ms(0));
      return;
    }
    this.#pending = { kind: "link", done };
    this.#deadline = this.#clock.set(() => this.#finish(false), timeout);
    this.#pollLink();
  }

  /**
   * Link supervision once matched: polls every `interval`; `onChange(false)` when the modem
   * reports no peer (or leaves MONITOR_MISSES polls unanswered), `onChange(true)` when it is back.
   */
  monitorLink(onChange: (up: boolean) => void): void {
    this.cancel();
    const interval = this.#options.linkMonitorInterval;
    if (this.#options.linkCheck === "none" || interval <= 0) return;
    this.#monitor = { up: true, missed: 0, interval, onChange };
    this.#timer = this.#clock.set(() => this.#monitorPoll(), interval);
  }

  cancel(): void {
    this.#clock.clear(this.#timer);
    this.#clock.clear(this.#deadline);
    this.#timer = this.#deadline = undefined;
    this.#pending = undefined;
    this.#monitor = undefined;
  }

  #monitorPoll(): void {
    const m = this.#monitor;
    if (!m) return;
    if (++m.missed > MONITOR_MISSES) this.#linkState(false);
    this.#sendLinkPoll();
    this.#timer = this.#clock.set(() => this.#monitorPoll(), m.interval);
  }

  #linkState(up: boolean): void {
    const m = this.#monitor;
    if (!m || m.up === up) return;
    m.up = up;
    m.onChange(up);
  }

  /** Consumes the modem's answers; returns true when the message was one. */
  handle(message: HomePlugFrame): boolean {
    const p = this.#pending;
    if (isType(message, "CM_SET_KEY.CNF")) {
      if (p?.kind !== "set-key") return true;
      // Qualcomm firmware reports result 0x01 although the key is set; log, do not fail.
      if (message.fields.result !== 0) this.#logger.log("debug", this.#source, `CM_SET_KEY.CNF result ${message.fields.result}`);
      this.#finish(true);
      return true;
    }
    if (isType(message, "VS_RS_DEV.CNF")) {
      if (p?.kind !== "reset") return true;
      if (message.fields.status !== 0) {
        this.#finish(false);
        return true;
      }
      this.#clock.clear(this.#timer);
      this.#pending = { kind: "boot", done: p.done };
      this.#deadline = this.#clock.set(() => this.#finish(false), this.#options.modemBootTimeout);
      this.#pollBoot();
      return true;
    }
    if (isType(message, "VS_SW_VER.CNF")) {
      this.version = message.fields.version;
      if (p?.kind === "boot") this.#finish(true);
      return true;
    }
    if (isType(message, "VS_PL_LNK_STATUS.CNF") || isType(message, "VS_NW_INFO.CNF")) {
      let up: boolean;
      if (isType(message, "VS_PL_LNK_STATUS.CNF")) {
        up = message.fields.status === 0 && message.fields.linkStatus === 1;
      } else {
        const nid = this.#nid;
        up = message.fields.networks.some((n) => n.stations.length > 0 && (nid === undefined || bytesEqual(n.nid, nid)));
      }
      if (p?.kind === "link" && up) this.#finish(true);
      if (this.#monitor) {
        this.#monitor.missed = 0;
        this.#linkState(up);
      }
      return true;
    }
    return false;
  }

  /** The NID last given to the modem (the link check looks for it in VS_NW_INFO). */
  set nid(nid: Uint8Array | undefined) {
    this.#nid = nid;
  }

  #request(retries: number, send: () => void): void {
    send();
    this.#timer = this.#clock.set(() => {
      if (retries > 0) this.#request(retries - 1, send);
      else this.#finish(false);
    }, this.#options.modemTimeout);
  }

  #pollBoot(): void {
    this.#channel.send({ type: "VS_SW_VER.REQ", dst: MAC_LOCAL_MODEM, fields: {} });
    this.#timer = this.#clock.set(() => this.#pollBoot(), ms(200));
  }

  #sendLinkPoll(): void {
    // MMV 1: the request form of the AR7x00/QCA7000 generation (the answer's MMV says its layout).
    if (this.#options.linkCheck === "nw-info") this.#channel.send({ type: "VS_NW_INFO.REQ", dst: MAC_LOCAL_MODEM, mmv: 1, fields: {} });
    else this.#channel.send({ type: "VS_PL_LNK_STATUS.REQ", dst: MAC_LOCAL_MODEM, fields: {} });
  }

  #pollLink(): void {
    this.#sendLinkPoll();
    this.#timer = this.#clock.set(() => this.#pollLink(), this.#options.linkPollInterval);
  }

  #finish(ok: boolean): void {
    const p = this.#pending;
    this.cancel();
    if (p) p.done(ok);
  }
}
