// A simulated HomePlug Green PHY powerline: modems on a shared medium with per-link attenuation.
//
// Each modem's host side is an EthernetLink (`new modem.Link({onReadable, ...})`; several
// links may be open on one modem, optionally filtered by ethertype, so SLAC and IPv6 can share
// it). The modem behaves as far as SLAC needs a local QCA7000:
//  - CM_SET_KEY.REQ → sets the NMK/NID, answers CM_SET_KEY.CNF;
//  - VS_SW_VER / VS_RS_DEV / VS_PL_LNK_STATUS / VS_NW_INFO requests are answered;
//  - CM_MNBC_SOUND.IND from a host is heard by every other modem within range, which hands its
//    host the sound and a CM_ATTEN_PROFILE.IND with the link's attenuation per carrier group;
//  - other HomePlug management frames (SLAC) cross the medium between any stations in range;
//  - modems with the same NMK form an AVLN after `joinDelay`; every other frame (IPv6 …) is
//    forwarded only between stations of the same AVLN (what SDP and V2GTP run on after SLAC).
// Portable (no Node): it runs in the XS tests too.

import type { Clock, Millis } from "../modules/common/clock";
import { Millis as ms } from "../modules/common/clock";
import type { EthernetLink, EthernetLinkOptions } from "../modules/common/io";
import { bytesEqual, toHex } from "../modules/common/bytes";
import { decodeHomePlugFrame, encodeHomePlugFrame, isType, MAC_LOCAL_MODEM, type HomePlugFrame } from "../modules/slac/frame";
import type { EthernetLinkClass } from "../modules/slac/channel";
import { isHomePlugFrame } from "../modules/slac/channel";
import { NUM_GROUPS } from "../modules/slac/timing";

export interface PowerlineOptions {
  clock: Clock;
  /** Delay of one transmission over the medium. Default 1 ms. */
  latency?: Millis;
  /** Time two modems with the same NMK need to form an AVLN. Default 500 ms. */
  joinDelay?: Millis;
  /** Links weaker than this (dB) do not carry frames. Default 90. */
  maxAttenuation?: number;
}

/**
 * Fault injection (simulation/faults): what happens to one frame on its way from `from` to
 * `to`. Undefined: delivered as usual; `drop`: lost; `delay`: delivered that much later (a
 * disturbed medium that TCP's retransmission bridges); `frame`: delivered with these bytes.
 */
export type LineInterference = (
  from: SimModem,
  to: SimModem,
  frame: Uint8Array,
  kind: "sound" | "mme" | "data",
) => { readonly drop?: boolean; readonly delay?: number; readonly frame?: Uint8Array } | undefined;

export interface SimModemOptions {
  /** The host's MAC (what the host's EthernetLink reports as `mac`). */
  hostMac: Uint8Array;
  /** The modem's own MAC; default: the host MAC with the last byte + 1. */
  modemMac?: Uint8Array;
  name?: string;
  /** Firmware version reported by VS_SW_VER.CNF. */
  version?: string;
  /** Time a VS_RS_DEV reset keeps the modem silent. Default 300 ms. */
  bootTime?: Millis;
}

interface Port {
  queue: Uint8Array[];
  options: EthernetLinkOptions & Record<string, unknown>;
  ethertype?: number;
  closed: boolean;
}

function ethertypeOf(frame: Uint8Array): number {
  let et = (frame[12] << 8) | frame[13];
  if (et === 0x8100 && frame.length >= 18) et = (frame[16] << 8) | frame[17];
  return et;
}

const isBroadcast = (mac: Uint8Array): boolean => (mac[0] & 1) === 1; // group bit: broadcast and multicast

export class SimModem {
  readonly name: string;
  readonly hostMac: Uint8Array;
  readonly modemMac: Uint8Array;
  /** The EthernetLink class of this modem's host side: `{ io: modem.Link }`. */
  readonly Link: EthernetLinkClass;
  nmk: Uint8Array;
  nid: Uint8Array = new Uint8Array(7);
  /** When the current NMK was set (AVLN formation starts then). */
  keySetAt = 0;
  /** While set, the modem neither answers its host nor the medium (tests: a dead modem). */
  silent = false;
  /** Counters for tests. */
  readonly stats = { setKeys: 0, resets: 0, sounds: 0, forwarded: 0 };
  #line: Powerline;
  #ports: Port[] = [];
  #version: string;
  #bootTime: Millis;
  #bootingUntil = -1;

  constructor(line: Powerline, options: SimModemOptions) {
    this.#line = line;
    this.hostMac = options.hostMac.slice();
    const m = options.modemMac ?? options.hostMac.slice();
    if (!options.modemMac) m[5] = (m[5] + 1) & 0xff;
    this.modemMac = m;
    this.name = options.name ?? toHex(this.hostMac);
    this.#version = options.version ?? "MAC-QCA7000-1.2.5.3207-01-20180216-CS";
    this.#bootTime = options.bootTime ?? ms(300);
    // Until its host sets one, a modem has a key no other modem shares.
    this.nmk = new Uint8Array(16);
    this.nmk.set(this.modemMac);
    this.nmk[15] = 0xa5;
    const modem = this;
    class SimHostLink implements EthernetLink {
      #port: Port;
      constructor(options: EthernetLinkOptions & Record<string, unknown>) {
        this.#port = { queue: [], options, closed: false, ethertype: typeof options.ethertype === "number" ? options.ethertype : undefined };
        modem.#ports.push(this.#port);
      }
      get mac(): Uint8Array {
        return modem.hostMac.slice();
      }
      read(): Uint8Array | undefined {
        return this.#port.queue.shift();
      }
      write(frame: Uint8Array): void {
        if (this.#port.closed) throw new Error("closed");
        modem.#fromHost(frame.slice());
      }
      close(): void {
        if (this.#port.closed) return;
        this.#port.closed = true;
        this.#port.queue.length = 0;
        const i = modem.#ports.indexOf(this.#port);
        if (i >= 0) modem.#ports.splice(i, 1);
      }
    }
    this.Link = SimHostLink as unknown as EthernetLinkClass;
  }

  get booting(): boolean {
    return this.#line.clock.now() < this.#bootingUntil;
  }

  /** Stations (host MACs) in this modem's AVLN, itself excluded. */
  peers(): SimModem[] {
    return this.#line.modems.filter((o) => o !== this && this.#line.linked(this, o));
  }

  /** Power-cycles the modem (as VS_RS_DEV does): silent for the boot time; the NMK is kept. */
  reset(): void {
    this.stats.resets++;
    this.#bootingUntil = this.#line.clock.now() + this.#bootTime;
  }

  /** Delivers a frame to the host side (every open link whose ethertype filter matches). */
  toHost(frame: Uint8Array): void {
    if (this.silent || this.booting) return;
    const et = ethertypeOf(frame);
    for (const port of this.#ports.slice()) {
      if (port.closed || (port.ethertype !== undefined && port.ethertype !== et)) continue;
      port.queue.push(frame.slice());
      port.options.onReadable?.(port.queue.length);
    }
  }

  #reply(message: Parameters<typeof encodeHomePlugFrame>[0]): void {
    const frame = encodeHomePlugFrame(message);
    this.#line.clock.set(() => this.toHost(frame), ms(1));
  }

  #fromHost(frame: Uint8Array): void {
    if (this.silent || this.booting || frame.length < 14) return;
    if (isHomePlugFrame(frame)) {
      let m: HomePlugFrame;
      try {
        m = decodeHomePlugFrame(frame);
      } catch {
        return;
      }
      const dst = m.header.dst;
      const local = bytesEqual(dst, new Uint8Array(MAC_LOCAL_MODEM)) || bytesEqual(dst, this.modemMac);
      if (local || m.type === "CM_SET_KEY.REQ") return this.#local(m);
      if (isType(m, "CM_MNBC_SOUND.IND")) this.stats.sounds++;
      this.#line.transmit(this, frame, isType(m, "CM_MNBC_SOUND.IND") ? "sound" : "mme");
      return;
    }
    this.#line.transmit(this, frame, "data");
  }

  #local(m: HomePlugFrame): void {
    const host = this.hostMac;
    const src = this.modemMac;
    if (isType(m, "CM_SET_KEY.REQ")) {
      this.stats.setKeys++;
      this.nmk = m.fields.newKey.slice();
      this.nid = m.fields.nid.slice();
      this.keySetAt = this.#line.clock.now();
      this.#reply({
        type: "CM_SET_KEY.CNF",
        dst: host,
        src,
        fields: { result: 0, myNonce: 0x5a5a5a5a, yourNonce: m.fields.myNonce, pid: m.fields.pid, prn: m.fields.prn, pmn: 0xff, ccoCapability: 0 },
      });
    } else if (m.type === "VS_SW_VER.REQ") {
      this.#reply({ type: "VS_SW_VER.CNF", dst: host, src, fields: { status: 0, deviceId: 0x20, version: this.#version } });
    } else if (m.type === "VS_RS_DEV.REQ") {
      this.#reply({ type: "VS_RS_DEV.CNF", dst: host, src, fields: { status: 0 } });
      this.#line.clock.set(() => this.reset(), ms(2));
    } else if (m.type === "VS_PL_LNK_STATUS.REQ") {
      this.#reply({ type: "VS_PL_LNK_STATUS.CNF", dst: host, src, fields: { status: 0, linkStatus: this.peers().length > 0 ? 1 : 0 } });
    } else if (m.type === "VS_NW_INFO.REQ") {
      const peers = this.peers();
      this.#reply({
        type: "VS_NW_INFO.CNF",
        dst: host,
        src,
        mmv: m.header.mmv, // answer in the layout the request asked for
        fields: {
          networks:
            peers.length === 0
              ? []
              : [{ nid: this.nid, snid: 1, tei: 1, role: 0, ccoMac: this.modemMac, ccoTei: 1, stations: peers.map((p, i) => ({ mac: p.modemMac, tei: i + 2, bda: p.hostMac, avgTx: 9, avgRx: 9 })) }],
        },
      });
    }
  }
}

export class Powerline {
  readonly clock: Clock;
  readonly modems: SimModem[] = [];
  #latency: Millis;
  #joinDelay: Millis;
  #max: number;
  #attenuation: Map<string, number> = new Map();
  /** Set by fault injection; absent on an undisturbed line. */
  interference: LineInterference | undefined;

  constructor(options: PowerlineOptions) {
    this.clock = options.clock;
    this.#latency = options.latency ?? ms(1);
    this.#joinDelay = options.joinDelay ?? ms(500);
    this.#max = options.maxAttenuation ?? 90;
  }

  addModem(options: SimModemOptions): SimModem {
    const modem = new SimModem(this, options);
    this.modems.push(modem);
    return modem;
  }

  #key(a: SimModem, b: SimModem): string {
    const x = toHex(a.modemMac);
    const y = toHex(b.modemMac);
    return x < y ? `${x}-${y}` : `${y}-${x}`;
  }

  /** Attenuation between two modems (symmetric), dB; unset pairs do not hear each other. */
  setAttenuation(a: SimModem, b: SimModem, dB: number): void {
    this.#attenuation.set(this.#key(a, b), dB);
  }

  attenuation(a: SimModem, b: SimModem): number | undefined {
    return this.#attenuation.get(this.#key(a, b));
  }

  hears(a: SimModem, b: SimModem): boolean {
    const dB = this.attenuation(a, b);
    return dB !== undefined && dB <= this.#max;
  }

  /** Same NMK, in range, and the later key set at least `joinDelay` ago. */
  linked(a: SimModem, b: SimModem): boolean {
    if (a === b || !bytesEqual(a.nmk, b.nmk) || !this.hears(a, b)) return false;
    if (a.silent || b.silent || a.booting || b.booting) return false;
    return this.clock.now() >= Math.max(a.keySetAt, b.keySetAt) + this.#joinDelay;
  }

  /** Sends a host frame from `from` over the medium. */
  transmit(from: SimModem, frame: Uint8Array, kind: "sound" | "mme" | "data"): void {
    const dst = frame.subarray(0, 6);
    for (const to of this.modems) {
      if (to === from || !this.hears(from, to)) continue;
      if (kind === "data" && !this.linked(from, to)) continue;
      if (!isBroadcast(dst) && !bytesEqual(dst, to.hostMac)) continue;
      const dB = this.attenuation(from, to)!;
      const disturbed = this.interference?.(from, to, frame, kind);
      if (disturbed?.drop) continue;
      const delivered = disturbed?.frame ?? frame;
      this.clock.set(() => {
        if (kind === "data") from.stats.forwarded++;
        to.toHost(delivered);
        if (kind === "sound") to.toHost(this.#profile(from, to, dB));
      }, (this.#latency + (disturbed?.delay ?? 0)) as Millis);
    }
  }

  /** CM_ATTEN_PROFILE.IND the receiving modem gives its host for one sound. */
  #profile(from: SimModem, to: SimModem, dB: number): Uint8Array {
    const aag = new Uint8Array(NUM_GROUPS);
    // Attenuation rises a little with frequency; the mean over the groups stays `dB`.
    for (let i = 0; i < NUM_GROUPS; i++) aag[i] = Math.max(0, Math.min(255, Math.round(dB + (i - (NUM_GROUPS - 1) / 2) / 10)));
    return encodeHomePlugFrame({ type: "CM_ATTEN_PROFILE.IND", dst: to.hostMac, src: to.modemMac, fields: { pevMac: from.hostMac, numGroups: NUM_GROUPS, reserved: 0, aag } });
  }
}
