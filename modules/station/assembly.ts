// A charger or a vehicle assembled from its parts, written once for every host (the board's
// firmware, the Moddable simulator, the Node simulator):
//
//   pilot (IEC 61851-1) → SLAC (ISO 15118-3) over the modem → the matched link's IPv6 frames →
//   the host's IPv6 stack → SDP → V2GTP → the session (DIN / ISO-2 / ISO-20) → the hardware
//
// What differs between hosts comes in as host interfaces: the pilot's and the modem's IO
// classes (`{io, ...options}`, ECMA-419 shape), the IPv6 stack opened over the link (lwIP on a
// board, the virtual stack in the simulators), and the hardware the session drives (a charger's
// power stage, AC supply, meter and authorization; a vehicle's BMS, contactors and S2 switch).
// A simulator therefore supplies simulated hardware only; the assembly is the firmware's.

import type { Clock } from "../common/clock";
import type { ListenerClass, ListenerOptions, StreamSocketClass, StreamSocketOptions, UdpSocketClass } from "../common/io";
import type { TlsListenerClass, TlsSecureOptions, TlsSocketClass } from "../pki-store/tls";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import type { WallClock } from "../common/wall-clock";
import type { ChargerPilotEvent, VehiclePilotEvent } from "../cp-pwm/index";
import type { LinkSpec, SlacEvCandidate, SlacEvMatchInfo, SlacMatchInfo } from "../slac/index";
import type { SeccConfig } from "../statemachine/index";
import { ChargerDataLink, VehicleDataLink } from "./data-link";
import type { ChargerDataLinkOptions, VehicleDataLinkOptions } from "./data-link";
import { SeccService } from "./secc-service";
import type { ChargerHardware, SeccServiceOptions } from "./secc-service";
import { chargerPersistence } from "./persistence";
import type { ChargerPersistence } from "./persistence";
import type { PkiStorage } from "../pki-store/storage";
import { MemoryPkiStorage } from "../pki-store/storage";
import { EvccService } from "./evcc-service";
import type { EvccServiceOptions, VehicleHardware } from "./evcc-service";
import type { EvBms } from "../statemachine/evcc/index";

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

interface AssemblyCommon {
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

export interface ChargerAssemblyOptions extends AssemblyCommon {
  pilot: ChargerDataLinkOptions["pilot"];
  /** The pilot's wake-up level (ChargerDataLinkOptions.wakeUpLevel): "F" (default) or "E". */
  wakeUpLevel?: ChargerDataLinkOptions["wakeUpLevel"];
  /** The session's configuration and hardware (power stage, AC supply, meter, authorization,
   *  backend); without hardware (and without createService) no session can start. */
  config?: SeccConfig;
  hardware?: ChargerHardware;
  /**
   * Builds the SECC service on the link's IP stack instead of the default (a SeccService on
   * `config` and `hardware`): a host whose hardware wraps the service (the simulator's
   * ChargerStation) returns its own. The assembly starts it.
   */
  createService?(ip: HostIpStack): SeccService;
  /**
   * The host's storage (NVS on the ESP32, a directory on Node): the paused sessions and the
   * energy ledger are kept there and survive a restart of the charger. They are made once, so
   * they outlive each plug-in's service too (a vehicle that paused, slept and matched again
   * resumes). Absent: kept in memory (lost at a restart).
   */
  storage?: PkiStorage;
  /** SECC service settings and hooks: TCP port, SDP, session traces and ends. */
  service?: Pick<SeccServiceOptions, "port" | "sdp" | "sdpPort" | "tls" | "exiFast" | "onTrace" | "onSessionEnd" | "onConnectionEnd">;
  onPilotEvent?(event: ChargerPilotEvent): void;
  /** SLAC matched: the AVLN is up (called before the IP side starts). */
  onLinkUp?(info: SlacMatchInfo): void;
  /** The IP side runs: SDP answers for `address` (with zone), V2G on `port`. */
  onServing?(info: { address: string; port: number; service: SeccService }): void;
}

export interface VehicleAssemblyOptions extends AssemblyCommon {
  /** The pilot's ADC and S2 switch, and the inlet's proximity (PP) input if wired (VehicleDataLinkOptions.pilot). */
  pilot: VehicleDataLinkOptions["pilot"];
  /** Without a PP input: 0 V on the pilot this long counts as unplugged (default UNPLUGGED_AFTER_E). */
  unpluggedAfterE?: VehicleDataLinkOptions["unpluggedAfterE"];
  /** The BMS and the vehicle's hooks; absent (and no createService): no session can start. The
   *  S2 switch is the pilot's: setPilotState also drives it. */
  hardware?: VehicleHardware;
  /** EVCC service settings and hooks (EVCCID, protocols, transfer, traces, the end). */
  service?: Omit<EvccServiceOptions, "clock" | "wall" | "io" | "hardware" | "logger">;
  /**
   * Builds the EVCC service on the link's IP stack instead of the default; `pilotReady` is the
   * S2 switch (IEC 61851-1 A.2.2: closed = ready for power) for its setPilotState hook. The
   * assembly starts it.
   */
  createService?(ip: HostIpStack, pilotReady: (ready: boolean) => void): EvccService;
  onPilotEvent?(event: VehiclePilotEvent): void;
  onSlacCandidate?(candidate: SlacEvCandidate): void;
  onLinkUp?(info: SlacEvMatchInfo): void;
  /** The IP side runs (SDP discovery or the connection starts next). */
  onServing?(info: { service: EvccService }): void;
}

/**
 * The IP side of one station while its link is up: the host's stack and the service on it.
 * Shared by both roles: opened at SLAC's match, stopped when the link goes down or at close.
 */
class IpSide<Service extends { close(): void; linkDown?(reason: string): void }> {
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
  linkOptions(): Omit<ChargerDataLinkOptions & VehicleDataLinkOptions, "pilot" | "onLinkUp" | "onPilotEvent"> {
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

/** A charger: pilot and SLAC as the EVSE, then SDP responder, V2G server and session. */
export class ChargerAssembly {
  readonly link: ChargerDataLink;
  /** Paused sessions and the energy ledger, on the host's storage (or memory). */
  readonly persistence: ChargerPersistence;
  readonly #o: ChargerAssemblyOptions;
  readonly #side: IpSide<SeccService>;

  constructor(options: ChargerAssemblyOptions) {
    this.#o = options;
    this.persistence = chargerPersistence({ storage: options.storage ?? new MemoryPkiStorage(), clock: options.clock, wallClock: options.wall, logger: options.logger });
    this.#side = new IpSide(options, "charger");
    this.link = new ChargerDataLink({
      ...this.#side.linkOptions(),
      pilot: options.pilot,
      wakeUpLevel: options.wakeUpLevel,
      onPilotEvent: options.onPilotEvent,
      onLinkUp: (info) => this.#linkUp(info),
    });
  }

  /** The SECC service while the link is up. */
  get service(): SeccService | undefined {
    return this.#side.service;
  }

  /**
   * A charging session runs: a vehicle is matched on the link (from SLAC until it is unplugged)
   * or holds a V2G session. While it does, the updater (modules/ota) activates no image and no
   * configuration change is applied.
   */
  get sessionActive(): boolean {
    return this.link.linkUp || this.#side.service?.connection !== undefined;
  }

  #linkUp(info: SlacMatchInfo): void {
    const o = this.#o;
    o.onLinkUp?.(info);
    const ip = this.#side.open(o.createService ?? (o.config && o.hardware));
    if (!ip) return;
    const service = o.createService
      ? o.createService(ip)
      : new SeccService({
          ...o.service,
          clock: o.clock,
          wall: o.wall,
          io: { Udp: ip.Udp, Listener: ip.Listener, address: ip.address.split("%")[0], interface: ip.interface },
          config: o.config!,
          hardware: o.hardware!,
          random: o.random,
          persistence: this.persistence,
          logger: o.logger,
        });
    this.#side.service = service;
    service.start();
    o.onServing?.({ address: ip.address, port: service.port, service });
  }

  close(): void {
    this.#side.stop();
    this.link.close();
  }
}

/** A vehicle: pilot and SLAC as the EV, then SDP discovery, the V2G connection and session. */
export class VehicleAssembly {
  readonly link: VehicleDataLink;
  readonly #o: VehicleAssemblyOptions;
  readonly #side: IpSide<EvccService>;

  constructor(options: VehicleAssemblyOptions) {
    this.#o = options;
    this.#side = new IpSide(options, "vehicle");
    this.link = new VehicleDataLink({
      ...this.#side.linkOptions(),
      pilot: options.pilot,
      unpluggedAfterE: options.unpluggedAfterE,
      onPilotEvent: options.onPilotEvent,
      onSlacCandidate: options.onSlacCandidate,
      onLinkUp: (info) => this.#linkUp(info),
    });
  }

  /** The EVCC service while the link is up. */
  get service(): EvccService | undefined {
    return this.#side.service;
  }

  #linkUp(info: SlacEvMatchInfo): void {
    const o = this.#o;
    o.onLinkUp?.(info);
    const hardware = o.hardware;
    const ip = this.#side.open(o.createService ?? (o.service && hardware));
    if (!ip) return;
    const pilot = this.link.pilot;
    // IEC 61851-1 A.2.2: the vehicle signals "ready for power" (state C) by closing S2.
    const pilotReady = (ready: boolean): void => pilot.setReady(ready);
    let service: EvccService;
    if (o.createService) service = o.createService(ip, pilotReady);
    else {
      const hooks = hardware!.vehicle;
      const link = this.link;
      service = new EvccService({
        ...o.service!,
        clock: o.clock,
        wall: o.wall,
        io: { Udp: ip.Udp, Tcp: ip.Tcp, interface: ip.interface },
        hardware: {
          // With a PP input the cable's coded current caps the EV's AC maximum current.
          bms: link.pilot.hasProximity ? cableLimitedBms(hardware!.bms, () => link.cableCurrent) : hardware!.bms,
          vehicle: {
            ...hooks,
            setPilotState: (state) => {
              hooks.setPilotState?.(state);
              pilotReady(state === "C");
            },
          },
        },
        logger: o.logger,
      });
    }
    this.#side.service = service;
    o.onServing?.({ service });
    service.start();
  }

  close(): void {
    this.#side.stop();
    this.link.close();
  }
}

/**
 * The BMS as the session sees it, with the cable's coded current as a ceiling on its AC maximum
 * current: IEC 61851-1 Annex B — the cable assembly's rating (coded by the PP resistor) limits
 * what the vehicle draws — so ISO 15118-2 AC_EVChargeParameter EVMaxCurrent (and the -20 AC
 * limits) never ask for more. Every other member is the BMS's own, optional ones included (the
 * session asks for some by their presence), so the wrapper is otherwise transparent.
 * `cableCurrent` undefined: no cap.
 */
export function cableLimitedBms<B extends EvBms>(bms: B, cableCurrent: () => number | undefined): B {
  const bound = new Map<PropertyKey, unknown>();
  const acLimits = (): ReturnType<EvBms["acLimits"]> => {
    const limits = bms.acLimits();
    const cap = cableCurrent();
    if (cap === undefined || limits.maxCurrent <= cap) return limits;
    return { maxVoltage: limits.maxVoltage, maxCurrent: cap, minCurrent: Math.min(limits.minCurrent, cap) };
  };
  return new Proxy(bms, {
    get(target, key) {
      if (key === "acLimits") return acLimits;
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      // Methods run on the BMS itself (a class's private fields need the real `this`), bound once.
      let method = bound.get(key);
      if (method === undefined) bound.set(key, (method = (value as (...args: unknown[]) => unknown).bind(target)));
      return method;
    },
  });
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
