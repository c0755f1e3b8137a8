// Stand-ins for the ESP32's network below JavaScript, for tests/station/esp32-main.test.ts:
//  - FakeNetwork: the host functions of hosts/native-net/sockets.js (descriptors, non-blocking
//    UDP with ff02::1, TCP listen/connect/accept) for several hosts on one link, in memory. A
//    host whose link is down (the board's lwIP netif before setLinkUp(true)) sends and receives
//    nothing, as lwIP drops what a netif with its link down would carry.
//  - framePair: two ends of a wire for raw 0x88E1 frames (the powerline between two modems),
//    delivered on the next timer turn, never inside write().
// Everything is delivered on the stand-ins' timers (esp32-board-mocks.ts), so it runs in bench time.

import type { EthernetLink, EthernetLinkOptions } from "../../../modules/common/io";
import type { EthernetLinkClass } from "../../../modules/slac/channel";
// The host functions' types from their declarations (net.ts itself needs Moddable's "timer").
import type * as sockets from "../../../hosts/native-net/sockets";

export type SocketNatives = typeof sockets;

type Later = (callback: () => void) => void;

interface Host {
  name: string;
  address: string;
  linkUp(): boolean;
}

interface UdpEnd {
  kind: "udp";
  host: Host;
  port: number;
  groups: string[];
  inbox: { data: ArrayBuffer; address: string; port: number }[];
}

interface TcpEnd {
  kind: "tcp";
  host: Host;
  port: number;
  peer?: TcpEnd;
  inbox: ArrayBuffer[];
  ended: boolean;
  refused: boolean;
}

interface ListenerEnd {
  kind: "listener";
  host: Host;
  port: number;
  waiting: { fd: number; address: string; port: number }[];
}

type End = UdpEnd | TcpEnd | ListenerEnd;

/** The bytes as an ArrayBuffer of their own (the caller may reuse its buffer). */
function copyOf(data: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  return view.slice().buffer as ArrayBuffer;
}

function split(address: string): { host: string; zone: string } {
  const i = address.indexOf("%");
  return i < 0 ? { host: address, zone: "" } : { host: address.slice(0, i), zone: address.slice(i + 1) };
}

export class FakeNetwork {
  readonly #hosts: Host[] = [];
  readonly #ends = new Map<number, End>();
  #nextFd = 54; // lwIP's descriptors start above the VFS's (LWIP_SOCKET_OFFSET)
  #nextPort = 49152;
  /** Datagrams and connections a host with its link down could not carry. */
  dropped = 0;
  /** Every UDP datagram sent, for the test to look at: [from host, to address, port, the sender's link up]. */
  readonly datagrams: [string, string, number, boolean][] = [];

  /** The host functions of sockets.js for one host on the link. */
  host(name: string, address: string, linkUp: () => boolean = () => true): SocketNatives {
    const host: Host = { name, address, linkUp };
    this.#hosts.push(host);
    const end = (fd: number): End => {
      const e = this.#ends.get(fd);
      if (!e || e.host !== host) throw new RangeError("closed");
      return e;
    };
    const add = (e: End): number => {
      const fd = this.#nextFd++;
      this.#ends.set(fd, e);
      return fd;
    };
    return {
      udpOpen: (port, _interfaceName, group) => add({ kind: "udp", host, port: port || this.#nextPort++, groups: group ? [group] : [], inbox: [] }),
      udpReceive: (fd) => (end(fd) as UdpEnd).inbox.shift(),
      udpSend: (fd, data, address, port) => {
        const from = end(fd) as UdpEnd;
        const to = split(address);
        this.datagrams.push([name, address, port, host.linkUp()]);
        const bytes = copyOf(data);
        for (const e of this.#ends.values()) {
          if (e.kind !== "udp" || e.host === host || e.port !== port) continue;
          if (to.host.startsWith("ff02") ? !e.groups.includes(to.host) : e.host.address !== to.host) continue;
          if (!host.linkUp() || !e.host.linkUp()) {
            this.dropped++;
            continue;
          }
          e.inbox.push({ data: bytes.slice(0), address: `${host.address}%${e.host.name}`, port: from.port });
        }
      },
      tcpListen: (_address, port) => add({ kind: "listener", host, port: port || this.#nextPort++, waiting: [] }),
      tcpAccept: (fd) => (end(fd) as ListenerEnd).waiting.shift(),
      tcpConnect: (address, port) => {
        const client: TcpEnd = { kind: "tcp", host, port: this.#nextPort++, inbox: [], ended: false, refused: false };
        const fd = add(client);
        const target = split(address).host;
        const listener = [...this.#ends.values()].find((e): e is ListenerEnd => e.kind === "listener" && e.host.address === target && e.port === port);
        if (!listener || !host.linkUp() || !listener.host.linkUp()) {
          if (listener) this.dropped++;
          client.refused = true;
          return fd;
        }
        const server: TcpEnd = { kind: "tcp", host: listener.host, port, inbox: [], ended: false, refused: false, peer: client };
        client.peer = server;
        listener.waiting.push({ fd: add(server), address: `${host.address}%${listener.host.name}`, port: client.port });
        return fd;
      },
      tcpConnected: (fd) => {
        const e = end(fd) as TcpEnd;
        if (e.refused) throw new Error("TCP connect: Connection refused");
        return true;
      },
      localPort: (fd) => end(fd).port,
      receive: (fd) => {
        const e = end(fd) as TcpEnd;
        const data = e.inbox.shift();
        if (data) return data;
        return e.ended ? null : undefined;
      },
      send: (fd, data) => {
        const e = end(fd) as TcpEnd;
        const bytes = copyOf(data);
        if (!e.peer || e.peer.ended) throw new Error("send: Broken pipe");
        if (!host.linkUp() || !e.peer.host.linkUp()) {
          this.dropped++;
          return 0; // held back, as a TCP stack retransmits once the link is there
        }
        e.peer.inbox.push(bytes);
        return bytes.byteLength;
      },
      close: (fd) => {
        const e = this.#ends.get(fd);
        if (!e || e.host !== host) return;
        this.#ends.delete(fd);
        if (e.kind === "tcp" && e.peer) e.peer.ended = true;
      },
    };
  }

  /** Descriptors still open on a host. */
  open(name: string): number {
    return [...this.#ends.values()].filter((e) => e.host.name === name).length;
  }
}

/** Two ends of a wire for raw frames: what one end writes, the other reads on a later turn. */
export function framePair(later: Later): [EthernetLinkClass, EthernetLinkClass] {
  const inboxes: Uint8Array[][] = [[], []];
  const readers: ((count: number) => void)[] = [() => {}, () => {}];
  const end = (side: 0 | 1): EthernetLinkClass => {
    class WireEnd implements EthernetLink {
      // Far apart: a wire-modem takes its own MAC as the wire's + 1.
      readonly mac = Uint8Array.of(2, 0, 0, 0, 0x77, 0x10 * (side + 1));
      constructor(options: EthernetLinkOptions) {
        readers[side] = (count) => options.onReadable?.(count);
      }
      read(): Uint8Array | undefined {
        return inboxes[side].shift();
      }
      write(frame: Uint8Array): void {
        const other = side === 0 ? 1 : 0;
        inboxes[other].push(frame.slice());
        later(() => inboxes[other].length > 0 && readers[other](inboxes[other].length));
      }
      close(): void {
        readers[side] = () => {};
      }
    }
    return WireEnd as unknown as EthernetLinkClass;
  };
  return [end(0), end(1)];
}
