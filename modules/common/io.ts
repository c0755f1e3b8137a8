// Host interfaces of the core, shaped like ECMA-419 (embedded:io) classes.
//
// Each is a class the host provides; the core receives the constructor in an options bag
// ({io: Udp, ...}) and builds instances itself, as Moddable's ntp.js does. Shape:
//  - the constructor takes an options object including the callbacks below;
//  - read() returns undefined when nothing is waiting;
//  - write() throws only when the output is full (wait for onWritable);
//  - close() is idempotent, and no callback runs after it.

/** Callbacks common to every IO class (ECMA-419 §9). */
export interface IoCallbacks {
  /** `count` bytes (or datagrams/frames, per class) are ready to read. */
  onReadable?(count: number): void;
  /** `count` bytes can be written without blocking. */
  onWritable?(count: number): void;
  /** The IO instance failed; it is unusable afterwards. */
  onError?(error: Error): void;
}

export interface Io {
  close(): void;
}

/** A connected byte stream: TCP, or TLS over TCP. */
export interface StreamSocket extends Io {
  read(): ArrayBuffer | undefined;
  /** Copies `data` out before returning (ECMA-419): the caller may reuse its buffer at once. */
  write(data: ArrayBuffer | ArrayBufferView): void;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
}

export interface StreamSocketOptions extends IoCallbacks {
  /** IPv6 literal, with a zone ("fe80::1%eth0") where link-local. */
  address: string;
  port: number;
}

export type StreamSocketClass = new (options: StreamSocketOptions) => StreamSocket;

/** A TCP listener: onReadable(count) says `count` connections wait; read() accepts one. */
export interface Listener extends Io {
  read(options: IoCallbacks): StreamSocket | undefined;
  readonly port: number;
}

export interface ListenerOptions extends Omit<IoCallbacks, "onWritable"> {
  address?: string;
  /** 0 picks a free port; see `port` on the instance. */
  port: number;
}

export type ListenerClass = new (options: ListenerOptions) => Listener;

/** A datagram read from a UDP socket: the payload and where it came from. */
export interface Datagram {
  data: Uint8Array;
  address: string;
  port: number;
}

/** A UDP socket, optionally joined to multicast groups (SDP uses ff02::1 on one interface). */
export interface UdpSocket extends Io {
  read(): Datagram | undefined;
  /** Copies `data` out before returning (the caller may reuse its buffer). */
  write(data: Uint8Array, address: string, port: number): void;
  /** The bound local port, once known (after binding port 0); hosts may omit it. */
  readonly port?: number;
}

export interface UdpSocketOptions extends IoCallbacks {
  port?: number;
  address?: string;
  /** Multicast groups to join; the interface is taken from the group's zone ("ff02::1%eth0"). */
  multicast?: string[];
}

export type UdpSocketClass = new (options: UdpSocketOptions) => UdpSocket;

/** Raw Ethernet frames (destination MAC first), as SLAC needs for ethertype 0x88E1. */
export interface EthernetLink extends Io {
  read(): Uint8Array | undefined;
  write(frame: Uint8Array): void;
  /** This station's MAC address (6 bytes). */
  readonly mac: Uint8Array;
}

export type EthernetLinkOptions = IoCallbacks;
