// What a charger's and a vehicle's assembly share (charger-assembly.ts, vehicle-assembly.ts):
// the host's IPv6 stack opened on the matched link and the service on it, and the host's TLS
// classes bound to the station's PKI. Role-neutral, so a single-role image carries it and only
// its own role's assembly.

import type { Clock } from "../common/clock";
import type { ListenerClass, ListenerOptions, StreamSocketClass, StreamSocketOptions, UdpSocketClass } from "../common/io";
import type { TlsListenerClass, TlsSecureOptions, TlsSocketClass } from "../pki-store/tls";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import type { WallClock } from "../common/wall-clock";
import type { LinkSpec } from "../slac/index";
import type { LinkOptions } from "./link-options";

/** EtherType of IPv6 (RFC 2464): the frames the matched powerline link carries besides HomePlug. */
export const ETHERTYPE_IPV6 = 0x86dd;

/** A host's IPv6 stack on the matched link, with ECMA-419-shaped socket classes. */
export interface HostIpStack {
  Udp: UdpSocketClass;
  Listener: ListenerClass;
  Tcp: StreamSocketClass;
  /** The stack's link-local address (a "%zone" suffix is allowed and dropped where announced). */
  address: string;
  /** The interface (zone) name for ff02::1 and link-local addresses. */
  interface?: string;
  close?(): void;
}

/** Opens the host's IPv6 stack over `link` (the modem's spec with the IPv6 EtherType). */
export type OpenHostIp = (link: LinkSpec) => HostIpStack;

export interface AssemblyCommon {
  clock: Clock;
  /** The date (EVSETimeStamp, the -20 header); absent or unset: no trusted time. */
  wall?: WallClock;
  random(count: number): Uint8Array;
  logger?: Logger;
  /** The host's link to its powerline modem (QCA7000 over SPI, a simulated modem). */
  modem: LinkSpec;
  /** The host's IPv6 stack over the matched link; absent: the host has none yet (no session). */
  ip?: OpenHostIp;
  /**
   * Why the IP side may not open although the host has one (TLS asked for but not to be had:
   * no engine in the build, no PKI): logged at every match, and no session starts.
   */
  ipRefused?: string;
  /** A line of trace in words (the firmware logs these). */
  onTrace?(text: string): void;
  onSlacStarted?(): void;
  onSlacFailed?(reason: string): void;
  /** The link went down (unplugged, SLAC gave up): the session has been stopped. */
  onLinkDown?(reason: string): void;
}

/**
 * The IP side of one station while its link is up: the host's stack and the service on it.
 * Shared by both roles: opened at SLAC's match, stopped when the link goes down or at close.
 */
export class IpSide<Service extends { close(): void; linkDown?(reason: string): void }> {
  readonly #o: AssemblyCommon;
  readonly #log: Logger;
  readonly #role: string;
  ip: HostIpStack | undefined;
  service: Service | undefined;

  constructor(o: AssemblyCommon, role: string) {
    this.#o = o;
    this.#log = o.logger ?? silentLogger;
    this.#role = role;
  }

  /** The link's data-link options common to both roles (the host's hooks, and this side's up/down). */
  linkOptions(): LinkOptions {
    const o = this.#o;
    return {
      clock: o.clock,
      random: o.random,
      logger: o.logger,
      modem: o.modem,
      onTrace: o.onTrace,
      onSlacStarted: o.onSlacStarted,
      onSlacFailed: o.onSlacFailed,
      onLinkDown: (reason) => {
        if (this.service) this.#log.log("info", "station", `link down (${reason}): the session stops`);
        this.service?.linkDown?.(reason);
        this.stop();
        o.onLinkDown?.(reason);
      },
    };
  }

  /** The host's IPv6 stack on the matched link, if the host has one and something to serve on it. */
  open(session: unknown): HostIpStack | undefined {
    const o = this.#o;
    if (this.ip !== undefined || this.service !== undefined) {
      // A new match while the last link's IP side still runs: it must not stay on the modem
      // (it would answer, and reset, the new connection's packets).
      this.#log.log("warn", "station", "link up again before the last one went down: its session stops");
      this.service?.linkDown?.("re-matched");
      this.stop();
    }
    if (!o.ip) {
      this.#log.log("warn", "station", `link up, but this host has no IP link yet: no V2G session (the ${this.#role} keeps power off)`);
      return undefined;
    }
    if (o.ipRefused !== undefined) {
      this.#log.log("error", "station", `link up, but ${o.ipRefused}: no V2G session (the ${this.#role} keeps power off)`);
      return undefined;
    }
    if (!session) {
      this.#log.log("warn", "station", `link up, but no ${this.#role} hardware was given: no V2G session`);
      return undefined;
    }
    this.ip = o.ip({ ...o.modem, ethertype: ETHERTYPE_IPV6 });
    return this.ip;
  }

  stop(): void {
    this.service?.close();
    this.service = undefined;
    this.ip?.close?.();
    this.ip = undefined;
  }
}

/** A host's TLS classes (hosts/native-tls on mbedTLS, node:tls on Node) and a station's `secure` options from its PKI. */
export interface StationTls {
  Tls: TlsSocketClass;
  TlsListener: TlsListenerClass;
  secure: TlsSecureOptions;
}

/**
 * The host's TLS classes with the station's `secure` options bound, shaped as the plain TCP
 * classes the services open: with them in the IP stack (and the services' `tls`), SDP offers or
 * asks for Security 0x00 and V2GTP runs inside TLS. Every host goes through here (the firmware's
 * startStation, hosts/linux/bench-station.ts). `onRefused`: a vehicle's handshake the charger
 * refused; that connection alone is closed and the charger serves on.
 */
export function boundTls(t: StationTls, onRefused: (reason: string) => void): { Tcp: StreamSocketClass; Listener: ListenerClass } {
  const { Tls, TlsListener, secure } = t;
  class Tcp extends Tls {
    constructor(options: StreamSocketOptions) {
      super({ ...options, secure });
    }
  }
  class Listener extends TlsListener {
    constructor(options: ListenerOptions) {
      super({ ...options, secure, onHandshakeFailed: onRefused });
    }
  }
  return { Tcp: Tcp as unknown as StreamSocketClass, Listener: Listener as unknown as ListenerClass };
}
