// The project's simulated powerline modem, put behind a real raw-frame interface (a veth, a
// plain Ethernet port): what a station's SLAC expects from its local QCA7000 that nothing on such
// a link provides. Portable (no Node, no Moddable imports): the Moddable Linux build and the Node
// peer of the tests use it alike.
//
//  - requests to the local modem (CM_SET_KEY.REQ, VS_SW_VER, VS_RS_DEV, VS_PL_LNK_STATUS) are
//    answered here and never reach the wire;
//  - a CM_MNBC_SOUND.IND heard from the wire is handed to the station followed by the
//    CM_ATTEN_PROFILE.IND a modem would derive from it (ISO 15118-3 A.9.2), at a fixed
//    attenuation (a veth has no powerline to measure);
//  - every other frame passes unchanged both ways (the SLAC messages between the stations).
// The link is reported up (VS_PL_LNK_STATUS) once the station has set a key and a CM_SLAC_MATCH
// has crossed: the AVLN a real modem pair would form. IPv6 does not pass through here: on Linux
// the kernel's stack carries it on the same interface.

import type { Clock, Millis } from "../../modules/common/clock";
import type { EthernetLink, EthernetLinkOptions } from "../../modules/common/io";
import type { EthernetLinkClass } from "../../modules/slac/channel";
import { isHomePlugFrame } from "../../modules/slac/channel";
import { MAC_LOCAL_MODEM, decodeHomePlugFrame, encodeHomePlugFrame, isType } from "../../modules/slac/frame";
import type { HomePlugFrame } from "../../modules/slac/frame";
import { NUM_GROUPS } from "../../modules/slac/timing";

export interface WireModemOptions {
  clock: Clock;
  /** The raw-frame class of the interface (ethertype 0x88E1). */
  wire: EthernetLinkClass;
  /** Options of the raw link besides the callbacks (e.g. its ethertype). */
  wireOptions?: Record<string, unknown>;
  /** Attenuation reported for each sound, dB (default 20: a short cable). */
  attenuation?: number;
  /** Called with a line for each local request answered (the log says what the modem did). */
  onLocal?(what: string): void;
}

const VERSION = "xs15118-wire-modem (simulated QCA7000 behind a raw interface)";

function sameMac(a: Uint8Array, b: readonly number[] | Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The EthernetLink class a station's SLAC opens (`modem: { io: wireModem(...) }`). */
export function wireModem(options: WireModemOptions): EthernetLinkClass {
  const clock = options.clock;
  const attenuation = options.attenuation ?? 20;

  class WireModemLink implements EthernetLink {
    readonly #wire: EthernetLink;
    readonly #o: EthernetLinkOptions;
    readonly #queue: Uint8Array[] = [];
    readonly #modemMac: Uint8Array;
    #keySet = false;
    #matched = false;
    #closed = false;

    constructor(o: EthernetLinkOptions & Record<string, unknown>) {
      this.#o = o;
      this.#wire = new options.wire({
        ...options.wireOptions,
        onReadable: () => this.#fromWire(),
        onWritable: (n: number) => this.#o.onWritable?.(n),
        onError: (e: Error) => this.#o.onError?.(e),
      });
      // The modem's own MAC: the host's with the last byte + 1, as on the simulated powerline.
      this.#modemMac = this.#wire.mac.slice();
      this.#modemMac[5] = (this.#modemMac[5] + 1) & 0xff;
    }

    get mac(): Uint8Array {
      return this.#wire.mac;
    }

    read(): Uint8Array | undefined {
      return this.#queue.shift();
    }

    write(frame: Uint8Array): void {
      if (this.#closed) throw new Error("closed");
      if (isHomePlugFrame(frame)) {
        const m = this.#decode(frame);
        if (m === undefined) return;
        if (sameMac(m.header.dst, MAC_LOCAL_MODEM) || sameMac(m.header.dst, this.#modemMac) || m.type === "CM_SET_KEY.REQ") return this.#local(m);
        if (m.type === "CM_SLAC_MATCH.CNF") this.#matched = true;
      }
      this.#wire.write(frame);
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      this.#queue.length = 0;
      this.#wire.close();
    }

    #decode(frame: Uint8Array): HomePlugFrame | undefined {
      try {
        return decodeHomePlugFrame(frame);
      } catch {
        return undefined; // not ours to judge: the station's SLAC logs malformed frames itself
      }
    }

    #toHost(frame: Uint8Array): void {
      this.#queue.push(frame);
      this.#o.onReadable?.(this.#queue.length);
    }

    #fromWire(): void {
      for (let frame = this.#wire.read(); frame !== undefined && !this.#closed; frame = this.#wire.read()) {
        const m = isHomePlugFrame(frame) ? this.#decode(frame) : undefined;
        if (m !== undefined && m.type === "CM_SLAC_MATCH.CNF") this.#matched = true;
        this.#toHost(frame);
        if (m !== undefined && isType(m, "CM_MNBC_SOUND.IND")) this.#toHost(this.#profile(m.header.src));
      }
    }

    /** CM_ATTEN_PROFILE.IND for one sound from `from` (a little rise with frequency, mean `attenuation`). */
    #profile(from: Uint8Array): Uint8Array {
      const aag = new Uint8Array(NUM_GROUPS);
      for (let i = 0; i < NUM_GROUPS; i++) aag[i] = Math.max(0, Math.min(255, Math.round(attenuation + (i - (NUM_GROUPS - 1) / 2) / 10)));
      return encodeHomePlugFrame({ type: "CM_ATTEN_PROFILE.IND", dst: this.mac, src: this.#modemMac, fields: { pevMac: from, numGroups: NUM_GROUPS, reserved: 0, aag } });
    }

    #reply(frame: Uint8Array): void {
      clock.set(() => this.#closed || this.#toHost(frame), 1 as Millis);
    }

    #local(m: HomePlugFrame): void {
      const dst = this.mac;
      const src = this.#modemMac;
      if (isType(m, "CM_SET_KEY.REQ")) {
        this.#keySet = true;
        options.onLocal?.("CM_SET_KEY.REQ: key set, confirmed");
        this.#reply(encodeHomePlugFrame({ type: "CM_SET_KEY.CNF", dst, src, fields: { result: 0, myNonce: 0x5a5a5a5a, yourNonce: m.fields.myNonce, pid: m.fields.pid, prn: m.fields.prn, pmn: 0xff, ccoCapability: 0 } }));
      } else if (m.type === "VS_SW_VER.REQ") {
        this.#reply(encodeHomePlugFrame({ type: "VS_SW_VER.CNF", dst, src, fields: { status: 0, deviceId: 0x20, version: VERSION } }));
      } else if (m.type === "VS_RS_DEV.REQ") {
        options.onLocal?.("VS_RS_DEV.REQ: reset");
        this.#reply(encodeHomePlugFrame({ type: "VS_RS_DEV.CNF", dst, src, fields: { status: 0 } }));
      } else if (m.type === "VS_PL_LNK_STATUS.REQ") {
        const up = this.#keySet && this.#matched;
        this.#reply(encodeHomePlugFrame({ type: "VS_PL_LNK_STATUS.CNF", dst, src, fields: { status: 0, linkStatus: up ? 1 : 0 } }));
      } else options.onLocal?.(`${m.type}: not emulated, no answer`);
    }
  }
  return WireModemLink as unknown as EthernetLinkClass;
}
