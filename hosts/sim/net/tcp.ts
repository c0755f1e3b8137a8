// Node implementation of the core's StreamSocket (ECMA-419 TCP shape) on IPv6: connects to
// "fe80::1%eth0" or "::1", or wraps a socket accepted by NodeListener.

import * as net from "node:net";
import type { IoCallbacks, StreamSocket, StreamSocketOptions } from "../../../modules/common/io";
import { withZoneName } from "./probe";

/** What onWritable reports: Node buffers without limit, so this is a nominal window. */
const WRITE_WINDOW = 64 * 1024;

export type NodeTcpSocketOptions = StreamSocketOptions | (IoCallbacks & { from: net.Socket });

export class NodeTcpSocket implements StreamSocket {
  readonly #socket: net.Socket;
  readonly #callbacks: IoCallbacks;
  #inbox: Buffer[] = [];
  #buffered = 0;
  #closed = false;

  constructor(options: NodeTcpSocketOptions) {
    this.#callbacks = options;
    if ("from" in options) {
      this.#socket = options.from;
      // accepted: connected already; tell the owner it may write, after it has its handle
      queueMicrotask(() => this.#writable());
    } else {
      this.#socket = net.connect({ host: withZoneName(options.address), port: options.port, family: 6 });
      this.#socket.once("connect", () => this.#writable());
    }
    const socket = this.#socket;
    socket.setNoDelay(true); // V2G messages are small and some have 25 ms deadlines
    socket.on("data", (chunk: Buffer) => {
      if (this.#closed) return;
      this.#inbox.push(chunk);
      this.#buffered += chunk.length;
      this.#callbacks.onReadable?.(this.#buffered);
    });
    socket.on("drain", () => this.#writable());
    socket.on("end", () => this.#fail(new Error("connection closed by peer")));
    socket.on("error", (error) => this.#fail(error));
    socket.on("close", () => this.#fail(new Error("connection closed")));
  }

  get remoteAddress(): string | undefined {
    return this.#socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#socket.remotePort;
  }

  /** Everything received so far, as one buffer; undefined when nothing waits. */
  read(): ArrayBuffer | undefined {
    if (this.#buffered === 0) return undefined;
    const all = this.#inbox.length === 1 ? this.#inbox[0] : Buffer.concat(this.#inbox, this.#buffered);
    this.#inbox = [];
    this.#buffered = 0;
    return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  }

  /** Throws when closed, or when the output is full (ECMA-419): wait for onWritable, then retry. */
  write(data: ArrayBuffer | ArrayBufferView): void {
    if (this.#closed) throw new Error("TCP socket closed");
    if (this.#socket.writableNeedDrain) throw new RangeError("TCP output full: wait for onWritable");
    const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    this.#socket.write(Buffer.from(view)); // Buffer.from copies
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox = [];
    this.#buffered = 0;
    this.#socket.end();
    // do not wait for the peer's FIN: the core has no use for a half-closed socket
    this.#socket.destroySoon();
  }

  #writable(): void {
    if (!this.#closed) this.#callbacks.onWritable?.(WRITE_WINDOW);
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    this.#callbacks.onError?.(error);
  }
}
