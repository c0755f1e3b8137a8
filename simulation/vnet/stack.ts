// A small IPv6 stack for the simulated charging session: UDP and TCP over Ethernet frames,
// exposing the core's ECMA-419-shaped host interfaces (UdpSocket, StreamSocket, Listener).
//
// Why not the host's sockets: the simulation runs in virtual time (a whole charging session
// in a second of CPU), over the simulated powerline, and every frame it sends is written to
// the session's pcapng. Real sockets would bind it to wall-clock time and the host's network.
//
// Scope, on a lossless simulated medium: link-local IPv6 with the interface identifier from
// the MAC (RFC 4291 Appendix A, modified EUI-64), the MAC of a unicast neighbour derived back
// from its interface identifier (no Neighbour Discovery), multicast ff02::1 to 33:33:00:00:00:01
// (RFC 2464 §7); TCP with handshake, MSS segmentation, cumulative ACKs and FIN teardown, but
// no retransmission, windowing or congestion control (nothing is ever lost). Portable code:
// no Node imports, so it also runs inside XS.

import type { Clock, Millis } from "../../modules/common/clock";
import type {
  Datagram,
  IoCallbacks,
  Listener,
  ListenerClass,
  ListenerOptions,
  StreamSocket,
  StreamSocketClass,
  StreamSocketOptions,
  UdpSocket,
  UdpSocketClass,
  UdpSocketOptions,
} from "../../modules/common/io";
import { asBytes } from "../../modules/common/bytes";
import { formatIpv6, parseIpv6, splitZone } from "../../modules/v2gtp/ipv6";
import {
  ethernetFrame,
  IPPROTO_TCP,
  IPPROTO_UDP,
  ipv6Packet,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  tcpSegment,
  udpDatagram,
} from "../pcap/write";

const ETHERTYPE_IPV6 = 0x86dd;
const TCP_MSS = 1220; // fits a 1280-byte IPv6 minimum MTU: 1280 − 40 (IPv6) − 20 (TCP)
const EPHEMERAL_FIRST = 49152; // IANA dynamic range, RFC 6335 §6

/** What the stack sends frames through: a station's Ethernet link (modem). */
export interface FrameSink {
  readonly mac: Uint8Array;
  write(frame: Uint8Array): void;
}

export interface VirtualIpStackOptions {
  link: FrameSink;
  clock: Clock;
  /** Interface name used as the zone of link-local addresses ("fe80::…%veth-ev"). */
  name: string;
  /** Latency added to every received frame before the stack handles it (default 0.1 ms). */
  latency?: number;
}

/** Modified EUI-64 link-local address of a MAC (RFC 4291 Appendix A). */
export function linkLocalOf(mac: Uint8Array): Uint8Array {
  const a = new Uint8Array(16);
  a[0] = 0xfe;
  a[1] = 0x80;
  a[8] = mac[0] ^ 0x02;
  a[9] = mac[1];
  a[10] = mac[2];
  a[11] = 0xff;
  a[12] = 0xfe;
  a[13] = mac[3];
  a[14] = mac[4];
  a[15] = mac[5];
  return a;
}

/** Destination MAC of an IPv6 address on our link (multicast mapping or EUI-64 inverse). */
export function macFor(ip: Uint8Array): Uint8Array {
  if (ip[0] === 0xff) return Uint8Array.of(0x33, 0x33, ip[12], ip[13], ip[14], ip[15]);
  return Uint8Array.of(ip[8] ^ 0x02, ip[9], ip[10], ip[13], ip[14], ip[15]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function parseAddress(text: string): Uint8Array {
  const bytes = parseIpv6(splitZone(text).address);
  if (!bytes) throw new RangeError(`not an IPv6 address: ${text}`);
  return bytes;
}

type TcpState = "syn-sent" | "syn-received" | "established" | "fin-wait" | "close-wait" | "last-ack" | "closed";

class Connection implements StreamSocket {
  readonly #stack: VirtualIpStack;
  readonly localPort: number;
  readonly remoteIp: Uint8Array;
  readonly remotePort: number;
  state: TcpState;
  sendNext: number;
  receiveNext = 0;
  #callbacks: IoCallbacks = {};
  #incoming: Uint8Array[] = [];
  #incomingBytes = 0;
  #closedByPeer = false;
  #silenced = false;
  onEstablished?: (connection: Connection) => void;

  constructor(stack: VirtualIpStack, localPort: number, remoteIp: Uint8Array, remotePort: number, state: TcpState, isn: number) {
    this.#stack = stack;
    this.localPort = localPort;
    this.remoteIp = remoteIp;
    this.remotePort = remotePort;
    this.state = state;
    this.sendNext = isn;
  }

  get remoteAddress(): string {
    return formatIpv6(this.remoteIp, this.#stack.name);
  }

  setCallbacks(callbacks: IoCallbacks): void {
    this.#callbacks = callbacks;
    if (this.#incomingBytes > 0) this.#defer(() => this.#callbacks.onReadable?.(this.#incomingBytes));
    if (this.state === "established") this.#defer(() => this.#callbacks.onWritable?.(TCP_MSS * 16));
  }

  read(): ArrayBuffer | undefined {
    const chunk = this.#incoming.shift();
    if (!chunk) return undefined;
    this.#incomingBytes -= chunk.length;
    return (chunk.buffer as ArrayBuffer).slice(chunk.byteOffset, chunk.byteOffset + chunk.length) as ArrayBuffer;
  }

  write(data: ArrayBuffer | ArrayBufferView): void {
    if (this.state !== "established" && this.state !== "close-wait") throw new Error(`write on a ${this.state} TCP connection`);
    const bytes = asBytes(data);
    for (let o = 0; o < bytes.length; o += TCP_MSS) {
      const chunk = bytes.slice(o, Math.min(o + TCP_MSS, bytes.length));
      this.#stack.sendTcp(this, TCP_PSH | TCP_ACK, chunk);
      this.sendNext = (this.sendNext + chunk.length) >>> 0;
    }
  }

  close(): void {
    if (this.#silenced) return;
    this.#silenced = true;
    if (this.state === "established" || this.state === "close-wait" || this.state === "syn-received") {
      this.#stack.sendTcp(this, TCP_FIN | TCP_ACK, new Uint8Array(0));
      this.sendNext = (this.sendNext + 1) >>> 0;
      // After the peer's FIN, ours waits for its ACK (LAST-ACK, RFC 9293 §3.3.2).
      this.state = this.state === "close-wait" ? "last-ack" : "fin-wait";
    } else this.state = "closed";
    if (this.state === "closed") this.#stack.forget(this);
  }

  /** A segment for this connection arrived. */
  segment(flags: number, seq: number, payload: Uint8Array): void {
    if (flags & TCP_RST) {
      // A reset answering our SYN: nothing listens there (RFC 9293 §3.10.7.3). Reported with the
      // code Node's sockets use, so the session layer tells a refusal from a lost link.
      const refused = this.state === "syn-sent";
      this.state = "closed";
      this.#stack.forget(this);
      this.#fail(refused ? Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" }) : new Error("connection reset by peer"));
      return;
    }
    if (this.state === "last-ack") {
      if (flags & TCP_ACK) {
        this.state = "closed";
        this.#stack.forget(this);
      }
      return;
    }
    if (this.state === "syn-sent") {
      if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
        this.receiveNext = (seq + 1) >>> 0;
        this.state = "established";
        this.#stack.sendTcp(this, TCP_ACK, new Uint8Array(0));
        this.#defer(() => this.#callbacks.onWritable?.(TCP_MSS * 16));
      }
      return;
    }
    if (this.state === "syn-received") {
      if (flags & TCP_ACK) {
        this.state = "established";
        this.onEstablished?.(this);
      } else return;
    }
    if (payload.length > 0 && seq === this.receiveNext) {
      this.receiveNext = (this.receiveNext + payload.length) >>> 0;
      this.#incoming.push(payload.slice());
      this.#incomingBytes += payload.length;
      this.#stack.sendTcp(this, TCP_ACK, new Uint8Array(0));
      this.#defer(() => {
        if (this.#incomingBytes > 0) this.#callbacks.onReadable?.(this.#incomingBytes);
      });
    }
    if (flags & TCP_FIN) {
      this.receiveNext = (this.receiveNext + 1) >>> 0;
      this.#stack.sendTcp(this, TCP_ACK, new Uint8Array(0));
      if (this.state === "fin-wait") {
        this.state = "closed";
        this.#stack.forget(this);
      } else {
        this.state = "close-wait";
        this.#closedByPeer = true;
        // ECMA-419 sockets report the peer's close through onError, after pending data.
        this.#defer(() => this.#fail(new Error("connection closed by peer")));
      }
    }
  }

  #fail(error: Error): void {
    if (this.#silenced) return;
    this.#callbacks.onError?.(error);
  }

  #defer(fn: () => void): void {
    this.#stack.clock.set(() => {
      if (!this.#silenced) fn();
    }, 0 as Millis);
  }

  get closedByPeer(): boolean {
    return this.#closedByPeer;
  }
}

export class VirtualIpStack {
  readonly name: string;
  readonly clock: Clock;
  readonly mac: Uint8Array;
  /** This station's link-local address (16 bytes). */
  readonly ip: Uint8Array;
  readonly #link: FrameSink;
  readonly #latency: number;
  readonly #udp = new Map<number, VirtualUdp[]>();
  readonly #listeners = new Map<number, VirtualListener>();
  readonly #connections = new Map<string, Connection>();
  #nextPort = EPHEMERAL_FIRST;
  #nextIsn = 0x10000;

  /** ECMA-419-shaped classes bound to this stack, for the core's `{io: …}` options. */
  readonly Udp: UdpSocketClass;
  readonly Tcp: StreamSocketClass;
  readonly Listener: ListenerClass;

  constructor(options: VirtualIpStackOptions) {
    this.name = options.name;
    this.clock = options.clock;
    this.#link = options.link;
    this.mac = options.link.mac;
    this.ip = linkLocalOf(this.mac);
    this.#latency = options.latency ?? 0.1;
    const stack = this;
    this.Udp = class extends VirtualUdp {
      constructor(o: UdpSocketOptions) {
        super(stack, o);
      }
    };
    this.Tcp = class extends VirtualTcp {
      constructor(o: StreamSocketOptions) {
        super(stack, o);
      }
    };
    this.Listener = class extends VirtualListener {
      constructor(o: ListenerOptions) {
        super(stack, o);
      }
    };
  }

  /** Our address as text, with the interface as zone. */
  get address(): string {
    return formatIpv6(this.ip, this.name);
  }

  /** Give the stack an Ethernet frame received on its link; non-IPv6 frames are ignored. */
  receive(frame: Uint8Array): void {
    if (frame.length < 14 + 40 || ((frame[12] << 8) | frame[13]) !== ETHERTYPE_IPV6) return;
    const copy = frame.slice();
    this.clock.set(() => this.#handle(copy), this.#latency as Millis);
  }

  #handle(frame: Uint8Array): void {
    const ip = frame.subarray(14);
    if (ip[0] >> 4 !== 6) return;
    const payloadLength = (ip[4] << 8) | ip[5];
    const next = ip[6];
    const src = ip.subarray(8, 24);
    const dst = ip.subarray(24, 40);
    if (!(dst[0] === 0xff || sameBytes(dst, this.ip))) return;
    const body = ip.subarray(40, 40 + payloadLength);
    if (next === IPPROTO_UDP && body.length >= 8) {
      const srcPort = (body[0] << 8) | body[1];
      const dstPort = (body[2] << 8) | body[3];
      const data = body.subarray(8, (body[4] << 8) | body[5]);
      for (const socket of this.#udp.get(dstPort) ?? []) socket.deliver({ data: data.slice(), address: formatIpv6(src, this.name), port: srcPort });
    } else if (next === IPPROTO_TCP && body.length >= 20) this.#tcp(src.slice(), body);
  }

  #tcp(src: Uint8Array, body: Uint8Array): void {
    const srcPort = (body[0] << 8) | body[1];
    const dstPort = (body[2] << 8) | body[3];
    const seq = ((body[4] << 24) | (body[5] << 16) | (body[6] << 8) | body[7]) >>> 0;
    const ackNumber = ((body[8] << 24) | (body[9] << 16) | (body[10] << 8) | body[11]) >>> 0;
    const flags = body[13];
    const payload = body.subarray((body[12] >> 4) * 4);
    const key = `${formatIpv6(src)}|${srcPort}|${dstPort}`;
    const existing = this.#connections.get(key);
    if (existing) {
      existing.segment(flags, seq, payload);
      return;
    }
    const listener = this.#listeners.get(dstPort);
    if (listener && flags & TCP_SYN && !(flags & TCP_ACK)) {
      const connection = new Connection(this, dstPort, src, srcPort, "syn-received", this.#isn());
      connection.receiveNext = (seq + 1) >>> 0;
      this.#connections.set(key, connection);
      connection.onEstablished = (c) => listener.enqueue(c);
      this.sendTcp(connection, TCP_SYN | TCP_ACK, new Uint8Array(0), true);
      connection.sendNext = (connection.sendNext + 1) >>> 0;
      return;
    }
    if (!(flags & TCP_RST)) {
      // Nobody listens: answer with a reset (RFC 9293 §3.10.7.1): its sequence number is the
      // segment's acknowledgment number when it has one.
      const rstSeq = flags & TCP_ACK ? ackNumber : 0;
      const tcp = tcpSegment(this.ip, src, { srcPort: dstPort, dstPort: srcPort, seq: rstSeq, ack: (seq + payload.length + (flags & TCP_SYN ? 1 : 0)) >>> 0, flags: TCP_RST | TCP_ACK, payload: new Uint8Array(0) });
      this.#send(src, IPPROTO_TCP, tcp);
    }
  }

  #isn(): number {
    this.#nextIsn = (this.#nextIsn + 0x10000) >>> 0;
    return this.#nextIsn;
  }

  ephemeralPort(): number {
    const port = this.#nextPort;
    this.#nextPort = port >= 65535 ? EPHEMERAL_FIRST : port + 1;
    return port;
  }

  connect(socket: VirtualTcp, options: StreamSocketOptions): Connection {
    const remote = parseAddress(options.address);
    const connection = new Connection(this, this.ephemeralPort(), remote, options.port, "syn-sent", this.#isn());
    this.#connections.set(`${formatIpv6(remote)}|${options.port}|${connection.localPort}`, connection);
    connection.setCallbacks(socket.callbacks);
    this.sendTcp(connection, TCP_SYN, new Uint8Array(0), true);
    connection.sendNext = (connection.sendNext + 1) >>> 0;
    return connection;
  }

  forget(connection: Connection): void {
    this.#connections.delete(`${formatIpv6(connection.remoteIp)}|${connection.remotePort}|${connection.localPort}`);
  }

  sendTcp(c: Connection, flags: number, payload: Uint8Array, withMss = false): void {
    const tcp = tcpSegment(this.ip, c.remoteIp, {
      srcPort: c.localPort,
      dstPort: c.remotePort,
      seq: c.sendNext,
      ack: flags & TCP_ACK ? c.receiveNext : 0,
      flags,
      payload,
      ...(withMss ? { options: Uint8Array.of(2, 4, TCP_MSS >> 8, TCP_MSS & 0xff) } : {}),
    });
    this.#send(c.remoteIp, IPPROTO_TCP, tcp);
  }

  sendUdp(srcPort: number, dst: Uint8Array, dstPort: number, data: Uint8Array): void {
    this.#send(dst, IPPROTO_UDP, udpDatagram(this.ip, dst, srcPort, dstPort, data));
  }

  #send(dst: Uint8Array, protocol: number, transport: Uint8Array): void {
    // Hop limit 255 for link-local traffic, as SDP implementations send it.
    const packet = ipv6Packet(this.ip, dst, protocol, transport, 255);
    this.#link.write(ethernetFrame({ dst: macFor(dst), src: this.mac, ethertype: ETHERTYPE_IPV6, payload: packet }));
  }

  bindUdp(port: number, socket: VirtualUdp): void {
    const list = this.#udp.get(port) ?? [];
    list.push(socket);
    this.#udp.set(port, list);
  }

  unbindUdp(port: number, socket: VirtualUdp): void {
    const list = (this.#udp.get(port) ?? []).filter((s) => s !== socket);
    if (list.length > 0) this.#udp.set(port, list);
    else this.#udp.delete(port);
  }

  listen(port: number, listener: VirtualListener): void {
    if (this.#listeners.has(port)) throw new Error(`port ${port} is already listening`);
    this.#listeners.set(port, listener);
  }

  unlisten(port: number): void {
    this.#listeners.delete(port);
  }
}

class VirtualUdp implements UdpSocket {
  readonly #stack: VirtualIpStack;
  readonly #options: UdpSocketOptions;
  readonly port: number;
  readonly #queue: Datagram[] = [];
  #closed = false;

  constructor(stack: VirtualIpStack, options: UdpSocketOptions) {
    this.#stack = stack;
    this.#options = options;
    this.port = options.port && options.port > 0 ? options.port : stack.ephemeralPort();
    stack.bindUdp(this.port, this);
  }

  deliver(datagram: Datagram): void {
    if (this.#closed) return;
    this.#queue.push(datagram);
    this.#options.onReadable?.(this.#queue.length);
  }

  read(): Datagram | undefined {
    return this.#queue.shift();
  }

  write(data: Uint8Array, address: string, port: number): void {
    if (this.#closed) throw new Error("write on a closed UDP socket");
    this.#stack.sendUdp(this.port, parseAddress(address), port, data);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stack.unbindUdp(this.port, this);
  }
}

class VirtualTcp implements StreamSocket {
  readonly callbacks: IoCallbacks;
  readonly #connection: Connection;

  constructor(stack: VirtualIpStack, options: StreamSocketOptions) {
    this.callbacks = { onReadable: options.onReadable, onWritable: options.onWritable, onError: options.onError };
    this.#connection = stack.connect(this, options);
  }

  get remoteAddress(): string {
    return this.#connection.remoteAddress;
  }

  get remotePort(): number {
    return this.#connection.remotePort;
  }

  read(): ArrayBuffer | undefined {
    return this.#connection.read();
  }

  write(data: ArrayBuffer | ArrayBufferView): void {
    this.#connection.write(data);
  }

  close(): void {
    this.#connection.close();
  }
}

class VirtualListener implements Listener {
  readonly port: number;
  readonly #stack: VirtualIpStack;
  readonly #options: ListenerOptions;
  readonly #accepted: Connection[] = [];
  #closed = false;

  constructor(stack: VirtualIpStack, options: ListenerOptions) {
    this.#stack = stack;
    this.#options = options;
    this.port = options.port > 0 ? options.port : stack.ephemeralPort();
    stack.listen(this.port, this);
  }

  enqueue(connection: Connection): void {
    if (this.#closed) return;
    this.#accepted.push(connection);
    this.#options.onReadable?.(this.#accepted.length);
  }

  read(callbacks: IoCallbacks): StreamSocket | undefined {
    const connection = this.#accepted.shift();
    if (!connection) return undefined;
    connection.setCallbacks(callbacks);
    return connection;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stack.unlisten(this.port);
  }
}
