// Node implementation of the core's UdpSocket (ECMA-419 shape) on IPv6, with link-local zones
// and multicast groups joined on an interface ("ff02::1%eth0").

import * as dgram from "node:dgram";
import type { Datagram, UdpSocket, UdpSocketOptions } from "../../../modules/common/io";
import { splitZone } from "../../../modules/v2gtp/ipv6";
import { withZoneName, zoneName } from "./probe";

export class NodeUdpSocket implements UdpSocket {
  readonly #socket: dgram.Socket;
  readonly #options: UdpSocketOptions;
  readonly #inbox: Datagram[] = [];
  #port: number | undefined;
  #closed = false;

  constructor(options: UdpSocketOptions) {
    this.#options = options;
    // reuseAddr: several SDP responders (one per simulated charger) may share port 15118
    const socket = dgram.createSocket({ type: "udp6", reuseAddr: true, ipv6Only: true });
    this.#socket = socket;
    socket.on("message", (msg, rinfo) => {
      if (this.#closed) return;
      // Node writes link-local sources with their zone ("fe80::2%eth0"), as the core expects
      this.#inbox.push({ data: new Uint8Array(msg), address: rinfo.address, port: rinfo.port });
      this.#options.onReadable?.(this.#inbox.length);
    });
    socket.on("error", (error) => this.#fail(error));
    socket.bind({ port: options.port ?? 0, address: options.address ?? "::", exclusive: false }, () => {
      if (this.#closed) return;
      try {
        this.#port = socket.address().port;
        for (const group of options.multicast ?? []) {
          const { address } = splitZone(group);
          const zone = zoneName(splitZone(group).zone);
          // the interface of an IPv6 membership is given as "::%<zone>" (a scope, no address)
          socket.addMembership(address, zone ? `::%${zone}` : undefined);
          if (zone) socket.setMulticastInterface(`::%${zone}`);
        }
      } catch (error) {
        this.#fail(error as Error);
        return;
      }
      this.#options.onWritable?.(65507);
    });
  }

  get port(): number | undefined {
    return this.#port;
  }

  read(): Datagram | undefined {
    return this.#inbox.shift();
  }

  write(data: Uint8Array, address: string, port: number): void {
    if (this.#closed) throw new Error("UDP socket closed");
    // copy: the core reuses its buffers, and dgram sends later
    this.#socket.send(Buffer.from(data), port, withZoneName(address), (error) => {
      if (error) this.#fail(error);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox.length = 0;
    try {
      this.#socket.close();
    } catch {
      // already closed by an error
    }
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.close();
    this.#options.onError?.(error);
  }
}
