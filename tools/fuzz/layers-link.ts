// Fuzzed layers below the session (portable): HomePlug/SLAC frames and both SLAC state machines,
// SDP datagrams with the server and the client, V2GTP framing and reassembly on a connection.

import { ManualClock, Millis } from "../../modules/common/index";
import { SlacDecodeError, SlacEv, SlacEvse, decodeHomePlugFrame, encodeHomePlugFrame } from "../../modules/slac/index";
import {
  PayloadType,
  SdpClient,
  SdpServer,
  V2gtpConnection,
  V2gtpError,
  decodeSdpRequest,
  decodeSdpResponse,
  encodeSdpRequest,
  encodeSdpResponse,
  frame,
  writeHeader,
} from "../../modules/v2gtp/index";
import type { Datagram, UdpSocketOptions } from "../../modules/common/io";
import { FakeLink, mac } from "../../tests/slac/support/sim";
import { FakeStream } from "../../tests/v2gtp/fake-io";
import { concatBytes } from "../../modules/common/bytes";
import { mutateBytes } from "./mutators";
import { byteSource, int, pick, randomBytes, type Rnd } from "./random";
import type { FuzzLayer, Count } from "./runner";

const EV_MAC = mac(0x50, 0x0e);
const EVSE_MAC = mac(0x10, 0x0a);
const MODEM_MAC = mac(0x99);

/** Frames each side received in one clean EV ↔ EVSE match (consistent MACs, RunID, NMK). */
interface SlacRecording {
  toEvse: Uint8Array[];
  toEv: Uint8Array[];
}

function setKeyCnf(to: Uint8Array): Uint8Array {
  return encodeHomePlugFrame({ type: "CM_SET_KEY.CNF", dst: to, src: MODEM_MAC, fields: { result: 0, myNonce: 0, yourNonce: 0, pid: 4, prn: 0, pmn: 0, ccoCapability: 0 } });
}

function attenProfile(to: Uint8Array, from: Uint8Array): Uint8Array {
  return encodeHomePlugFrame({ type: "CM_ATTEN_PROFILE.IND", dst: to, src: MODEM_MAC, fields: { pevMac: from, numGroups: 58, reserved: 0, aag: new Uint8Array(58).fill(21) } });
}

/** One match on a lossless wire, each host's modem stubbed; seeded so a replay meets the same NMK. */
function recordMatch(): SlacRecording {
  const clock = new ManualClock();
  const evseLink = new FakeLink(EVSE_MAC);
  const evLink = new FakeLink(EV_MAC);
  const rec: SlacRecording = { toEvse: [], toEv: [] };
  const deliver = (link: FakeLink, bytes: Uint8Array): void => {
    (link === evseLink ? rec.toEvse : rec.toEv).push(bytes.slice());
    link.inject(bytes);
  };
  const wire = (from: FakeLink, to: FakeLink) => (bytes: Uint8Array) => {
    const m = decodeHomePlugFrame(bytes);
    if (m.type === "CM_SET_KEY.REQ") {
      clock.set(() => deliver(from, setKeyCnf(from.mac)), Millis(1));
      return;
    }
    clock.set(() => {
      deliver(to, bytes);
      if (m.type === "CM_MNBC_SOUND.IND") deliver(to, attenProfile(to.mac, from.mac));
    }, Millis(1));
  };
  evseLink.onWrite = wire(evseLink, evLink);
  evLink.onWrite = wire(evLink, evseLink);
  const evse = new SlacEvse({ link: { io: evseLink.io }, clock, random: byteSource(() => 0.25), linkCheck: "none" });
  const ev = new SlacEv({ link: { io: evLink.io }, clock, random: byteSource(() => 0.75), linkCheck: "none" });
  evse.start();
  clock.advance(5);
  ev.start();
  clock.advance(5000);
  if (ev.state !== "matched" || evse.state !== "matched") throw new Error(`the recorded SLAC match failed: EV ${ev.state}, EVSE ${evse.state}`);
  return rec;
}

/**
 * A perturbed replay of `frames`: each frame dropped, repeated, mutated or joined by a frame of
 * the other direction, with the clock moved between frames (now and then far: the timeouts).
 */
function perturbed(frames: Uint8Array[], others: Uint8Array[], rnd: Rnd): { bytes: Uint8Array; wait: number }[] {
  const out: { bytes: Uint8Array; wait: number }[] = [];
  const wait = (): number => (int(rnd, 20) === 0 ? int(rnd, 60000) : int(rnd, 60));
  for (const f of frames) {
    const roll = int(rnd, 20);
    if (roll === 0) continue;
    const bytes = roll < 5 ? mutateBytes(f, rnd, pick(rnd, others), int(rnd, 2) === 0 ? 14 : 0) : f;
    out.push({ bytes, wait: wait() });
    if (roll === 5) out.push({ bytes, wait: wait() });
    if (roll === 6) out.push({ bytes: pick(rnd, others), wait: wait() });
  }
  return out;
}

function concat(list: { bytes: Uint8Array }[]): Uint8Array {
  let n = 0;
  for (const x of list) n += x.bytes.length + 2;
  const out = new Uint8Array(n);
  let at = 0;
  for (const x of list) {
    out[at] = x.bytes.length >> 8;
    out[at + 1] = x.bytes.length & 0xff;
    out.set(x.bytes, at + 2);
    at += x.bytes.length + 2;
  }
  return out;
}

export const SLAC_FRAME: FuzzLayer<Uint8Array[]> = {
  name: "slac-frame",
  about: "HomePlug GP management frames (every SLAC type, CM_SET_KEY, VS_*) mutated into decodeHomePlugFrame",
  prepare: () => {
    const r = recordMatch();
    return [...r.toEvse, ...r.toEv];
  },
  run(seeds, rnd, count: Count) {
    const bytes = mutateBytes(pick(rnd, seeds), rnd, pick(rnd, seeds), int(rnd, 4) === 0 ? 0 : 14);
    try {
      count(decodeHomePlugFrame(bytes).type);
    } catch (error) {
      if (!(error instanceof SlacDecodeError)) throw error;
      count(`SlacDecodeError ${error.reason}`);
    }
    return bytes;
  },
};

function slacMachineLayer(side: "evse" | "ev"): FuzzLayer<SlacRecording> {
  return {
    name: `slac-${side}`,
    about: `a fresh SLAC ${side === "evse" ? "EVSE" : "EV"} state machine (ManualClock) fed a perturbed replay of a real match: frames dropped, repeated, mutated, from the wrong side, timers run out`,
    prepare: recordMatch,
    run(rec, rnd, count: Count) {
      const clock = new ManualClock();
      const link = new FakeLink(side === "evse" ? EVSE_MAC : EV_MAC);
      link.onWrite = (bytes) => {
        // The host's own modem confirms every CM_SET_KEY.REQ (as the real one does).
        if (bytes.length > 16 && bytes[15] === 0x08 && bytes[16] === 0x60) clock.set(() => link.inject(setKeyCnf(link.mac)), Millis(1));
      };
      const common = { link: { io: link.io }, clock, linkCheck: "none" as const };
      const machine = side === "evse" ? new SlacEvse({ ...common, random: byteSource(() => 0.25) }) : new SlacEv({ ...common, random: byteSource(() => 0.75) });
      const mine = side === "evse" ? rec.toEvse : rec.toEv;
      const frames = perturbed(mine, side === "evse" ? rec.toEv : rec.toEvse, rnd);
      machine.start();
      for (const f of frames) {
        clock.advance(f.wait);
        link.inject(f.bytes);
      }
      clock.advance(int(rnd, 2) === 0 ? 100 : 70000);
      count(machine.state);
      machine.close();
      return concat(frames);
    },
  };
}

export const SLAC_EVSE = slacMachineLayer("evse");
export const SLAC_EV = slacMachineLayer("ev");

// ---- SDP ------------------------------------------------------------------------------------

/** A UDP socket whose datagrams the fuzzer hands in and whose writes it counts. */
class OneUdp {
  static last: OneUdp | undefined;
  readonly options: UdpSocketOptions;
  inbox: Datagram[] = [];
  sent = 0;
  port = 15118;
  constructor(options: UdpSocketOptions) {
    this.options = options;
    OneUdp.last = this;
  }
  deliver(data: Uint8Array): void {
    this.inbox.push({ data, address: "fe80::2", port: 49152 });
    this.options.onReadable?.(this.inbox.length);
  }
  read(): Datagram | undefined {
    return this.inbox.shift();
  }
  write(): void {
    this.sent++;
  }
  close(): void {}
}

interface SdpState {
  seeds: Uint8Array[];
  server: SdpServer;
  serverSocket: OneUdp;
}

export const SDP: FuzzLayer<SdpState> = {
  name: "sdp",
  about: "SDP request and response datagrams mutated into both decoders, an SdpServer and a fresh SdpClient",
  prepare() {
    const seeds = [
      encodeSdpRequest({ security: "none", transport: "tcp" }),
      encodeSdpRequest({ security: "tls", transport: "tcp" }),
      encodeSdpResponse({ address: "fe80::1", port: 50000, security: "none", transport: "tcp" }),
      encodeSdpResponse({ address: "fe80::1234:5678:9abc:def0", port: 15119, security: "tls", transport: "tcp" }),
      frame(PayloadType.SDP_REQUEST_WIRELESS, new Uint8Array(2)),
    ];
    const server = new SdpServer({ udp: OneUdp as never, address: "fe80::1", tcpPort: 50000, tlsPort: 50001, port: 0 });
    return { seeds, server, serverSocket: OneUdp.last! };
  },
  run(state, rnd, count: Count) {
    const bytes = mutateBytes(pick(rnd, state.seeds), rnd, pick(rnd, state.seeds), int(rnd, 2) === 0 ? 0 : 8);
    const what = int(rnd, 3);
    if (what === 0) {
      const before = state.serverSocket.sent;
      state.serverSocket.deliver(bytes);
      count(state.serverSocket.sent > before ? "server answered" : "server dropped");
    } else if (what === 1) {
      const clock = new ManualClock();
      let result = "client waiting";
      const client = new SdpClient({
        udp: OneUdp as never,
        clock,
        security: "none",
        maxAttempts: 1,
        destination: { address: "::1", port: 15118 },
        onDiscovered: (r) => (result = `client discovered ${r.security}`),
        onFailed: (e) => (result = `client ${e.reason}`),
      });
      client.start();
      OneUdp.last!.deliver(bytes);
      clock.advance(300);
      client.close();
      count(result);
    } else {
      for (const decodeOne of [decodeSdpRequest, decodeSdpResponse]) {
        try {
          decodeOne(bytes);
          count(`${decodeOne.name} ok`);
        } catch (error) {
          if (!(error instanceof V2gtpError)) throw error;
          count(`${decodeOne.name} V2gtpError ${error.reason}`);
        }
      }
    }
    return bytes;
  },
};

// ---- V2GTP ----------------------------------------------------------------------------------

/** A stream of 1–6 V2GTP messages (good, bad version, unknown type, huge or odd lengths), in random chunks. */
function v2gtpStream(rnd: Rnd): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let n = 1 + int(rnd, 6); n > 0; n--) {
    const payload = randomBytes(rnd, pick(rnd, [0, 1, 7, 40, 300]));
    const type = pick(rnd, [0x8001, 0x8001, 0x8002, 0x8004, 0x9000, 0x9001, 0x0000, 0xffff, int(rnd, 0x10000)]);
    const m = new Uint8Array(8 + payload.length);
    writeHeader(m, 0, type, payload.length);
    m.set(payload, 8);
    const roll = int(rnd, 10);
    if (roll === 0) m[0] = int(rnd, 256); // version
    else if (roll === 1) m[1] = int(rnd, 256); // inverse version
    else if (roll === 2) m[4 + int(rnd, 4)] = int(rnd, 256); // length
    else if (roll === 3) writeHeader(m, 0, type, pick(rnd, [0xffffffff, 0x80000000, 8193, 65536, payload.length + 1]));
    parts.push(roll === 4 ? mutateBytes(m, rnd, m) : m);
  }
  return concatBytes(parts);
}

export const V2GTP: FuzzLayer<null> = {
  name: "v2gtp",
  about: "V2GTP byte streams (good and bad headers, oversize and huge lengths, truncation) in random chunks into a V2gtpConnection and its reassembler",
  prepare: () => null,
  run(_state, rnd, count: Count) {
    const stream = v2gtpStream(rnd);
    let socket: FakeStream | undefined;
    let messages = 0;
    let closed = "open";
    const conn = new V2gtpConnection({
      open: (callbacks) => (socket = new FakeStream(callbacks)),
      onMessage: () => messages++,
      onClose: (reason) => (closed = `closed ${reason}`),
      closeOnHeaderError: int(rnd, 2) === 0,
    });
    for (let at = 0; at < stream.length && !socket!.closed; ) {
      const n = 1 + int(rnd, int(rnd, 4) === 0 ? 4 : 400);
      socket!.peerWrite(stream.subarray(at, at + n));
      at += n;
    }
    count(`${closed}, ${messages > 0 ? "messages" : "no message"}`);
    conn.close();
    return stream;
  },
};
