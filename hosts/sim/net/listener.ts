// Node implementation of the core's Listener (ECMA-419 shape): accepts TCP connections on IPv6
// and hands them out as NodeTcpSocket through read(callbacks).

import * as net from "node:net";
import type { IoCallbacks, Listener, ListenerOptions, StreamSocket } from "../../../modules/common/io";
import { NodeTcpSocket } from "./tcp";

export class NodeListener implements Listener {
  readonly #server: net.Server;
  readonly #options: ListenerOptions;
  readonly #pending: net.Socket[] = [];
  #closed = false;
  /** Resolves once the port is bound (Node binds asynchronously; `port` is 0 until then with port 0). */
  readonly ready: Promise<void>;

  constructor(options: ListenerOptions) {
    this.#options = options;
    const server = net.createServer({ noDelay: true, pauseOnConnect: false });
    this.#server = server;
    server.on("connection", (socket) => {
      if (this.#closed) {
        socket.destroy();
        return;
      }
      this.#pending.push(socket);
      this.#options.onReadable?.(this.#pending.length);
    });
    server.on("error", (error) => {
      if (this.#closed) return;
      this.close();
      this.#options.onError?.(error);
    });
    this.ready = new Promise((resolve) => server.once("listening", () => resolve()));
    server.listen({ port: options.port, host: options.address ?? "::", ipv6Only: true });
  }

  get port(): number {
    const address = this.#server.address();
    return address && typeof address === "object" ? address.port : this.#options.port;
  }

  /** Accepts one waiting connection with the given callbacks; undefined when none waits. */
  read(callbacks: IoCallbacks): StreamSocket | undefined {
    const socket = this.#pending.shift();
    return socket ? new NodeTcpSocket({ ...callbacks, from: socket }) : undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#pending.splice(0)) s.destroy();
    this.#server.close();
  }
}
