// In-memory ECMA-419-shaped UDP and stream sockets for the v2gtp tests (portable: Node and XS).
// Delivery is queued and happens on pump(), so no callback runs inside the caller's write().

import type { Datagram, IoCallbacks, StreamSocket, UdpSocket, UdpSocketClass, UdpSocketOptions } from "../../modules/common/io";
import { splitZone } from "../../modules/v2gtp/index";

interface Bound {
  socket: FakeUdp;
  port: number;
  groups: string[];
  local: string;
}

/** A link: every socket on it sees multicast to groups it joined and unicast to its address. */
export class FakeUdpNetwork {
  readonly sockets: Bound[] = [];
  readonly sent: { data: Uint8Array; from: string; fromPort: number; to: string; port: number }[] = [];
  #queue: (() => void)[] = [];
  #nextPort = 50000;
  /** Address the next socket gets as its own (and as the source of what it sends). */
  nextLocalAddress = "fe80::1%eth0";

  /** The UdpSocketClass to hand to SdpServer/SdpClient. */
  readonly Udp: UdpSocketClass;

  constructor() {
    const network = this;
    this.Udp = class extends FakeUdp {
      constructor(options: UdpSocketOptions) {
        super(network, options);
      }
    };
  }

  bind(socket: FakeUdp, options: UdpSocketOptions): Bound {
    const port = options.port ? options.port : this.#nextPort++;
    const bound = { socket, port, groups: (options.multicast ?? []).map((g) => g.toLowerCase()), local: this.nextLocalAddress };
    this.sockets.push(bound);
    return bound;
  }

  unbind(socket: FakeUdp): void {
    const i = this.sockets.findIndex((b) => b.socket === socket);
    if (i >= 0) this.sockets.splice(i, 1);
  }

  send(from: Bound, data: Uint8Array, address: string, port: number): void {
    const copy = data.slice();
    this.sent.push({ data: copy, from: from.local, fromPort: from.port, to: address, port });
    this.#queue.push(() => {
      const to = address.toLowerCase();
      for (const b of this.sockets.slice()) {
        if (b.port !== port) continue;
        const hit = b.groups.indexOf(to) >= 0 || splitZone(b.local).address === splitZone(to).address;
        if (hit) b.socket.deliver({ data: copy.slice(), address: from.local, port: from.port });
      }
    });
  }

  /** Delivers everything queued (and what that causes); returns the number of deliveries. */
  pump(): number {
    let n = 0;
    while (this.#queue.length > 0) {
      this.#queue.shift()!();
      n++;
    }
    return n;
  }
}

export class FakeUdp implements UdpSocket {
  readonly #network: FakeUdpNetwork;
  readonly #bound: Bound;
  readonly #options: UdpSocketOptions;
  readonly #inbox: Datagram[] = [];
  closed = false;

  constructor(network: FakeUdpNetwork, options: UdpSocketOptions) {
    this.#network = network;
    this.#options = options;
    this.#bound = network.bind(this, options);
  }

  get port(): number {
    return this.#bound.port;
  }

  get multicast(): string[] {
    return this.#bound.groups;
  }

  deliver(d: Datagram): void {
    if (this.closed) return;
    this.#inbox.push(d);
    this.#options.onReadable?.(this.#inbox.length);
  }

  read(): Datagram | undefined {
    return this.#inbox.shift();
  }

  write(data: Uint8Array, address: string, port: number): void {
    if (this.closed) throw new Error("closed");
    this.#network.send(this.#bound, data, address, port);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#network.unbind(this);
  }
}

/** One end of an in-memory stream; `peerWrite` feeds it, `written` records what it sent. */
export class FakeStream implements StreamSocket {
  readonly written: Uint8Array[] = [];
  readonly callbacks: IoCallbacks;
  #inbox: Uint8Array[] = [];
  closed = false;
  /** When true, write() throws as an ECMA-419 socket does when its output is full. */
  full = false;
  readonly remoteAddress = "fe80::2%eth0";
  readonly remotePort = 49152;

  constructor(callbacks: IoCallbacks) {
    this.callbacks = callbacks;
  }

  /** Bytes from the peer, as one read() chunk. */
  peerWrite(bytes: Uint8Array): void {
    this.#inbox.push(bytes.slice());
    this.callbacks.onReadable?.(bytes.length);
  }

  read(): ArrayBuffer | undefined {
    const next = this.#inbox.shift();
    if (!next) return undefined;
    return next.buffer.slice(next.byteOffset, next.byteOffset + next.byteLength) as ArrayBuffer;
  }

  write(data: ArrayBuffer | ArrayBufferView): void {
    if (this.closed) throw new Error("closed");
    if (this.full) throw new Error("full");
    const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    this.written.push(view.slice());
  }

  close(): void {
    this.closed = true;
  }

  /** All bytes written so far, concatenated. */
  output(): Uint8Array {
    const out = new Uint8Array(this.written.reduce((n, w) => n + w.length, 0));
    let o = 0;
    for (const w of this.written) {
      out.set(w, o);
      o += w.length;
    }
    return out;
  }
}
