// The Moddable Linux build's network on a named interface: raw Ethernet frames of one ethertype
// (EthernetLink, for SLAC; AF_PACKET through netio.c, Linux only) beside the IPv6 socket classes
// the ESP32 shares (hosts/native-net/net.ts: UDP on ff02::1 for SDP, TCP for V2GTP), all polled
// by one timer of the runtime.

import * as netio from "./netio";
import * as sockets from "../native-net/sockets";
import { Poller, fail, socketClasses } from "../native-net/net";
import type { Polled, SocketClasses } from "../native-net/net";
import type { EthernetLink, IoCallbacks } from "../../modules/common/io";
import type { EthernetLinkClass } from "../../modules/slac/channel";

/** The socket classes of one interface ("eth0", or the qcaspi driver's interface). */
export interface LinuxNet extends SocketClasses {
  readonly interface: string;
  /** Raw frames of `ethertype` (option, default 0x88E1) on the interface. */
  readonly RawLink: EthernetLinkClass;
  /** The interface's IPv6 link-local address, without zone. */
  linkLocal(): string;
}

export function linuxNet(interfaceName: string): LinuxNet {
  const poller = new Poller();

  class RawLink implements EthernetLink, Polled {
    readonly #fd: number;
    readonly #o: IoCallbacks;
    readonly #queue: Uint8Array[] = [];
    readonly mac: Uint8Array;
    #closed = false;

    constructor(options: IoCallbacks & { ethertype?: number }) {
      this.#o = options;
      this.#fd = netio.rawOpen(interfaceName, options.ethertype ?? 0x88e1);
      this.mac = new Uint8Array(netio.interfaceMac(interfaceName));
      poller.add(this);
    }

    poll(): void {
      try {
        for (let frame = sockets.receive(this.#fd); frame; frame = sockets.receive(this.#fd)) this.#queue.push(new Uint8Array(frame));
      } catch (error) {
        this.close();
        fail(this.#o, error);
        return;
      }
      if (this.#queue.length > 0) this.#o.onReadable?.(this.#queue.length);
    }

    read(): Uint8Array | undefined {
      return this.#queue.shift();
    }

    write(frame: Uint8Array): void {
      if (this.#closed) throw new Error("closed");
      // Ethernet's minimum frame is 60 bytes before the FCS; the kernel does not pad on AF_PACKET.
      const padded = frame.length >= 60 ? frame : padTo60(frame);
      if (sockets.send(this.#fd, padded) !== padded.length) throw new Error("raw link: output full");
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      poller.remove(this);
      sockets.close(this.#fd);
    }
  }

  return Object.freeze({
    interface: interfaceName,
    RawLink: RawLink as unknown as EthernetLinkClass,
    ...socketClasses(interfaceName, poller),
    linkLocal: () => netio.linkLocal(interfaceName),
  });
}

function padTo60(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(60);
  out.set(frame);
  return out;
}
