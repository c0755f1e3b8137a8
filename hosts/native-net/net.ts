// The ECMA-419-shaped socket classes over the host functions of sockets-xs.c (v2g-sockets.c:
// POSIX sockets on the Moddable Linux build, lwIP's on the ESP32), shared by both hosts
// (modules/common/io.ts): IPv6 UDP joined to ff02::1 on the station's interface (SDP), TCP client
// and listener with link-local scope ids (V2GTP). One timer of the runtime polls every open
// descriptor (non-blocking reads) and calls onReadable / onWritable: no thread, no callback from C.

import Timer from "timer";
import { close, localPort, receive, send, tcpAccept, tcpConnect, tcpConnected, tcpListen, udpOpen, udpReceive, udpSend } from "./sockets";
import type * as sockets from "./sockets";
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

/** Poll period: SLAC's tightest timer is TP_EV_batch_msg_interval (20–50 ms, ISO 15118-3 Table A.1). */
const POLL_MS = 2;
/** Unsent TCP bytes a socket may hold before write() refuses (ECMA-419: write throws when full). */
const TCP_PENDING_LIMIT = 65536;

export interface Polled {
  poll(): void;
}

/** One timer for every open descriptor of a station. */
export class Poller {
  readonly #open: Polled[] = [];
  #timer: Timer | undefined;

  add(item: Polled): void {
    this.#open.push(item);
    this.#timer ??= Timer.repeat(() => {
      for (const each of this.#open.slice()) each.poll();
    }, POLL_MS);
  }

  remove(item: Polled): void {
    const i = this.#open.indexOf(item);
    if (i >= 0) this.#open.splice(i, 1);
    if (this.#open.length === 0 && this.#timer !== undefined) {
      Timer.clear(this.#timer);
      this.#timer = undefined;
    }
  }
}

export function fail(o: IoCallbacks, error: unknown): void {
  o.onError?.(error instanceof Error ? error : new Error(String(error)));
}

/** The socket classes of one interface ("eth0", the qcaspi driver's on a Linux board, lwIP's "qc…" for the ESP32's QCA7000). */
export interface SocketClasses {
  readonly Udp: UdpSocketClass;
  readonly Tcp: StreamSocketClass;
  readonly Listener: ListenerClass;
}

/** The host functions the classes run on (sockets.js; a test gives stand-ins). */
export type SocketNatives = typeof sockets;

// A frozen constant, not the module namespace: a preloaded function may close over constants only
// (xsl warns "no const" for a namespace import).
const SOCKETS: SocketNatives = Object.freeze({ close, localPort, receive, send, tcpAccept, tcpConnect, tcpConnected, tcpListen, udpOpen, udpReceive, udpSend });

/**
 * `poller`: the timer the host's other descriptors share (hosts/linux's raw link); a new one by
 * default. `natives`: the host functions (sockets.js by default).
 */
export function socketClasses(interfaceName: string, poller: Poller = new Poller(), natives: SocketNatives = SOCKETS): SocketClasses {
  class Udp implements UdpSocket, Polled {
    readonly #fd: number;
    readonly #o: IoCallbacks;
    readonly #queue: Datagram[] = [];
    readonly port: number;
    #closed = false;

    constructor(options: UdpSocketOptions) {
      this.#o = options;
      // The group's zone names the interface (io.ts); SDP joins ff02::1 on the station's link only.
      const group = options.multicast?.[0];
      const zone = group?.split("%")[1];
      this.#fd = natives.udpOpen(options.port ?? 0, zone ?? interfaceName, group?.split("%")[0]);
      this.port = natives.localPort(this.#fd);
      poller.add(this);
    }

    poll(): void {
      try {
        for (let d = natives.udpReceive(this.#fd); d; d = natives.udpReceive(this.#fd)) this.#queue.push({ data: new Uint8Array(d.data), address: d.address, port: d.port });
      } catch (error) {
        this.close();
        fail(this.#o, error);
        return;
      }
      if (this.#queue.length > 0) this.#o.onReadable?.(this.#queue.length);
    }

    read(): Datagram | undefined {
      return this.#queue.shift();
    }

    write(data: Uint8Array, address: string, port: number): void {
      if (this.#closed) throw new Error("closed");
      // A link-local or multicast peer without a zone is reached on the station's interface.
      const scoped = address.indexOf("%") < 0 && /^f[ef]/i.test(address) ? `${address}%${interfaceName}` : address;
      natives.udpSend(this.#fd, data, scoped, port);
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      poller.remove(this);
      natives.close(this.#fd);
    }
  }

  class Tcp implements StreamSocket, Polled {
    readonly #fd: number;
    readonly #o: IoCallbacks;
    readonly #queue: ArrayBuffer[] = [];
    readonly #pending: Uint8Array[] = [];
    #pendingBytes = 0;
    #connected: boolean;
    #closed = false;
    readonly remoteAddress: string;
    readonly remotePort: number;

    constructor(options: StreamSocketOptions | (IoCallbacks & { accepted: { fd: number; address: string; port: number } })) {
      this.#o = options;
      if ("accepted" in options) {
        this.#fd = options.accepted.fd;
        this.remoteAddress = options.accepted.address;
        this.remotePort = options.accepted.port;
        this.#connected = true;
        // A new connection can be written at once (ECMA-419: the first onWritable says so).
        Timer.set(() => this.#closed || this.#o.onWritable?.(TCP_PENDING_LIMIT));
      } else {
        const scoped = options.address.indexOf("%") < 0 && /^fe80/i.test(options.address) ? `${options.address}%${interfaceName}` : options.address;
        this.#fd = natives.tcpConnect(scoped, options.port);
        this.remoteAddress = options.address;
        this.remotePort = options.port;
        this.#connected = false;
      }
      poller.add(this);
    }

    poll(): void {
      try {
        if (!this.#connected) {
          if (!natives.tcpConnected(this.#fd)) return;
          this.#connected = true;
          this.#o.onWritable?.(TCP_PENDING_LIMIT);
        }
        this.#flush();
        let ended = false;
        for (;;) {
          const data = natives.receive(this.#fd);
          if (data === null) ended = true;
          if (!data) break;
          this.#queue.push(data);
        }
        if (this.#queue.length > 0) this.#o.onReadable?.(this.#queue.reduce((n, b) => n + b.byteLength, 0));
        if (ended && !this.#closed) {
          this.close();
          fail(this.#o, new Error("connection closed by the peer"));
        }
      } catch (error) {
        this.close();
        fail(this.#o, error);
      }
    }

    #flush(): void {
      let wasFull = this.#pendingBytes > 0;
      while (this.#pending.length > 0) {
        const head = this.#pending[0];
        const sent = natives.send(this.#fd, head);
        this.#pendingBytes -= sent;
        if (sent < head.length) {
          this.#pending[0] = head.subarray(sent);
          return;
        }
        this.#pending.shift();
      }
      if (wasFull) this.#o.onWritable?.(TCP_PENDING_LIMIT);
      wasFull = false;
    }

    read(): ArrayBuffer | undefined {
      return this.#queue.shift();
    }

    write(data: ArrayBuffer | ArrayBufferView): void {
      if (this.#closed) throw new Error("closed");
      const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
      if (this.#pendingBytes + bytes.length > TCP_PENDING_LIMIT) throw new Error("output full");
      // Copied out (io.ts: the caller may reuse its buffer at once), sent as far as the socket takes it.
      this.#pending.push(bytes.slice());
      this.#pendingBytes += bytes.length;
      if (this.#connected) this.#flush();
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      poller.remove(this);
      natives.close(this.#fd);
    }
  }

  class TcpListener implements Listener, Polled {
    readonly #fd: number;
    readonly #o: Omit<IoCallbacks, "onWritable">;
    readonly #waiting: { fd: number; address: string; port: number }[] = [];
    readonly port: number;
    #closed = false;

    constructor(options: ListenerOptions) {
      this.#o = options;
      this.#fd = natives.tcpListen(options.address, options.port);
      this.port = natives.localPort(this.#fd);
      poller.add(this);
    }

    poll(): void {
      try {
        for (let a = natives.tcpAccept(this.#fd); a; a = natives.tcpAccept(this.#fd)) this.#waiting.push(a);
      } catch (error) {
        this.close();
        fail(this.#o, error);
        return;
      }
      if (this.#waiting.length > 0) this.#o.onReadable?.(this.#waiting.length);
    }

    read(options: IoCallbacks): StreamSocket | undefined {
      const accepted = this.#waiting.shift();
      return accepted ? new Tcp({ ...options, accepted }) : undefined;
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      poller.remove(this);
      natives.close(this.#fd);
      for (const a of this.#waiting.splice(0)) natives.close(a.fd);
    }
  }

  return Object.freeze({
    Udp: Udp as unknown as UdpSocketClass,
    Tcp: Tcp as unknown as StreamSocketClass,
    Listener: TcpListener as unknown as ListenerClass,
  });
}
