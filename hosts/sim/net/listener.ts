// Node implementation of the core's Listener (ECMA-419 shape): accepts TCP connections on IPv6
// and hands them out as NodeTcpSocket through read(callbacks).
//
// AcceptQueue is what every Node listener of the host shares (this one and the TLS listeners of
// hosts/sim/crypto/tls.ts): the queue of accepted connections behind onReadable(count), and an
// IPv6 net.Server bound with `ready` and `port`.

import * as net from "node:net";
import type { IoCallbacks, Listener, ListenerOptions, StreamSocket } from "../../../modules/common/io";
import { NodeTcpSocket } from "./tcp";

/** Accepted connections waiting for read(): onReadable(count) after each; destroyed at close. */
export class AcceptQueue<T extends { destroy(): unknown }> {
  readonly #onReadable: ((count: number) => void) | undefined;
  readonly #pending: T[] = [];
  #closed = false;

  constructor(onReadable: ((count: number) => void) | undefined) {
    this.#onReadable = onReadable;
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(connection: T): void {
    if (this.#closed) {
      connection.destroy();
      return;
    }
    this.#pending.push(connection);
    this.#onReadable?.(this.#pending.length);
  }

  shift(): T | undefined {
    return this.#pending.shift();
  }

  /** Destroys what waits; returns false when already closed. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    for (const connection of this.#pending.splice(0)) connection.destroy();
    return true;
  }
}

/** A net.Server listening on IPv6 for a listener: its errors end it (onError once), `ready` resolves when bound. */
export function listenIpv6(server: net.Server, options: ListenerOptions, queue: AcceptQueue<{ destroy(): unknown }>): Promise<void> {
  server.on("error", (error) => {
    if (queue.closed) return;
    queue.close();
    server.close();
    options.onError?.(error);
  });
  const ready = new Promise<void>((resolve) => server.once("listening", () => resolve()));
  server.listen({ port: options.port, host: options.address ?? "::", ipv6Only: true });
  return ready;
}

/** The port a server is bound to (`fallback` until bound). */
export function boundPort(server: net.Server, fallback: number): number {
  const address = server.address();
  return address && typeof address === "object" ? address.port : fallback;
}

export class NodeListener implements Listener {
  readonly #server: net.Server;
  readonly #options: ListenerOptions;
  readonly #queue: AcceptQueue<net.Socket>;
  /** Resolves once the port is bound (Node binds asynchronously; `port` is 0 until then with port 0). */
  readonly ready: Promise<void>;

  constructor(options: ListenerOptions) {
    this.#options = options;
    this.#queue = new AcceptQueue(options.onReadable);
    const server = net.createServer({ noDelay: true, pauseOnConnect: false });
    this.#server = server;
    server.on("connection", (socket) => this.#queue.push(socket));
    this.ready = listenIpv6(server, options, this.#queue);
  }

  get port(): number {
    return boundPort(this.#server, this.#options.port);
  }

  /** Accepts one waiting connection with the given callbacks; undefined when none waits. */
  read(callbacks: IoCallbacks): StreamSocket | undefined {
    const socket = this.#queue.shift();
    return socket ? new NodeTcpSocket({ ...callbacks, from: socket }) : undefined;
  }

  close(): void {
    if (this.#queue.close()) this.#server.close();
  }
}
