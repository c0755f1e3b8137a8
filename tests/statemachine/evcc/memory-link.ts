// Test support: a pair of in-memory ECMA-419-shaped stream sockets on a ManualClock (bytes
// arrive after `latency` ms), so an EvccConnection can talk V2GTP to a test charger.

import type { Clock, IoCallbacks, Millis, StreamSocket } from "../../../modules/common/index";

class PairedStream implements StreamSocket {
  peer: PairedStream | undefined;
  #inbox: Uint8Array[] = [];
  #callbacks: IoCallbacks = {};
  closed = false;
  readonly remoteAddress = "fe80::2%eth0";
  readonly remotePort = 15118;

  constructor(
    readonly clock: Clock,
    readonly latency: number,
  ) {}

  attach(callbacks: IoCallbacks): this {
    this.#callbacks = callbacks;
    return this;
  }

  deliver(bytes: Uint8Array): void {
    if (this.closed) return;
    this.#inbox.push(bytes);
    this.#callbacks.onReadable?.(bytes.length);
  }

  read(): ArrayBuffer | undefined {
    const next = this.#inbox.shift();
    return next === undefined ? undefined : (next.buffer.slice(next.byteOffset, next.byteOffset + next.byteLength) as ArrayBuffer);
  }

  write(data: ArrayBuffer | ArrayBufferView): void {
    if (this.closed) throw new Error("closed");
    const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    const copy = view.slice();
    const peer = this.peer;
    this.clock.set(() => peer?.deliver(copy), this.latency as Millis);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer;
    // The peer notices the close like a TCP FIN: an error callback on its side.
    this.clock.set(() => peer?.remoteClosed(), this.latency as Millis);
  }

  remoteClosed(): void {
    if (this.closed) return;
    this.#callbacks.onError?.(new Error("peer closed the connection"));
  }
}

/** Two connected ends: `open` functions for V2gtpConnection (vehicle side `a`, charger side `b`). */
export function streamPair(clock: Clock, latency = 1): {
  a: (callbacks: Required<IoCallbacks>) => StreamSocket;
  b: (callbacks: Required<IoCallbacks>) => StreamSocket;
  ends: [PairedStream, PairedStream];
} {
  const a = new PairedStream(clock, latency);
  const b = new PairedStream(clock, latency);
  a.peer = b;
  b.peer = a;
  return { a: (cb) => a.attach(cb), b: (cb) => b.attach(cb), ends: [a, b] };
}
