// The charger's IP side, once its link is up: the SDP responder (ISO 15118-2 §7.10), the V2G
// server on TCP, and a ChargingPoint (one live session; newcomers vetted, a reconnecting EV
// handed its session) driving the charger's hardware (power stage, AC supply, meter,
// authorization, operator backend) through ChargerBinding.
//
// Portable: the sockets come in as ECMA-419-shaped classes (the board's IP stack, the
// simulator's virtual one, Node's), the hardware as the statemachine's interfaces, the date as
// a WallClock (EVSETimeStamp / DateTimeNow and the -20 header TimeStamp; left out or 0 while no
// trusted time is known).

import type { Clock, Millis } from "../common/clock";
import type { ListenerClass, Listener, UdpSocketClass } from "../common/io";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import { bytesEqual } from "../common/bytes";
import type { WallClock } from "../common/wall-clock";
import type { ExiCodecOptions } from "../exi/index";
import { ChargerBinding, ChargingPoint } from "../statemachine/index";
import type { ChargerParts, ConnectionEnd, EnergyTransferMode, SeccConfig, SeccConnection, SeccTraceEntry, StopReason } from "../statemachine/index";
import type { EnergyMeter } from "../statemachine/charger-interfaces";
import { SdpServer } from "../v2gtp/index";
import type { SdpWirelessOffer } from "../v2gtp/index";
import { MemoryPkiStorage } from "../pki-store/storage";
import type { PkiStorage } from "../pki-store/storage";
import { chargerPersistence } from "./persistence";
import type { ChargerPersistence, EnergyLedger, PersistentSessionStore } from "./persistence";

export type Transfer = "dc" | "ac";
export type SessionProtocol = "din" | "iso2" | "iso20";

/** First port of the IANA dynamic range, which other stacks insist the SECC uses (RFC 6335). */
export const DYNAMIC_PORT_FIRST = 49152;

/** The charger's default limits: a 50 kW DC charger and a 3 × 16 A AC outlet. */
export const DEFAULT_CHARGER: Readonly<SeccConfig> = Object.freeze({
  evseId: "DE*XS1*E0001",
  energyModes: Object.freeze([]),
  dc: Object.freeze({ maxVoltage: 500, maxCurrent: 125, maxPower: 50_000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5, currentRegulationTolerance: 1 }),
  ac: Object.freeze({ nominalVoltage: 230, maxCurrent: 16, phases: 3 }),
  meterId: "XS15118-SIM-METER",
});

/** The energy transfer modes a charger with these outlets offers (DIN / ISO-2 names). */
export function energyModes(transfer: readonly Transfer[]): EnergyTransferMode[] {
  const modes: EnergyTransferMode[] = [];
  if (transfer.indexOf("dc") >= 0) modes.push("DC_extended", "DC_core");
  if (transfer.indexOf("ac") >= 0) modes.push("AC_three_phase_core", "AC_single_phase_core");
  return modes;
}

/** The charger's configuration: defaults, then the host's overrides, energy modes from the outlets. */
export function chargerConfig(transfer: readonly Transfer[], protocols: readonly SessionProtocol[] | undefined, overrides: Partial<SeccConfig> | undefined): SeccConfig {
  const base = { ...DEFAULT_CHARGER, ...overrides };
  return { ...base, energyModes: overrides?.energyModes ?? energyModes(transfer), protocols: protocols ?? base.protocols ?? ["iso2", "din"] };
}

/** The charger's hardware: ChargerBinding's parts, with the meter every session summary reads. */
export interface ChargerHardware extends ChargerParts {
  meter: EnergyMeter;
}

/** The IP side of a host: socket classes and the address SDP announces. */
export interface ChargerIp {
  Udp: UdpSocketClass;
  Listener: ListenerClass;
  /** This charger's IPv6 address as SDP announces it (link-local, without zone). */
  address: string;
  /** Interface (zone) on which SDP joins ff02::1. */
  interface?: string;
}

export interface SeccServiceOptions {
  clock: Clock;
  /** The date for EVSETimeStamp / DateTimeNow and the -20 header; absent: never known. */
  wall?: WallClock;
  io: ChargerIp;
  config: SeccConfig;
  hardware: ChargerHardware;
  /** TCP port; 0 or absent: a random port of the dynamic range 49152–65535. */
  port?: number;
  /** Answer SDP (default true); without it the vehicle must be told address and port. */
  sdp?: boolean;
  /**
   * io.Listener hands out TLS sockets (modules/pki-store TlsListener, handshake done, bound to
   * the charger's profile by the host): SDP announces the port with Security 0x00 (TLS), and SAP
   * decides per connection by the TLS version (ChargingPoint). Default: plain TCP, Security 0x10.
   */
  tls?: boolean;
  /** UDP port of the SDP responder (default 15118). */
  sdpPort?: number;
  /** A charger on WLAN (WPT, ACDP): SDP also answers the -20 wireless request (modules/v2gtp/sdp-wireless.ts). */
  sdpWireless?: SdpWirelessOffer;
  random(count: number): Uint8Array;
  /**
   * What survives a restart of the charger (paused sessions, the energy ledger). A host with
   * storage gives `storage` (or, where the records must outlive this service, as in
   * ChargerAssembly which builds a service per plug-in, `persistence` made once); without
   * either they are kept in memory, bounded all the same.
   */
  storage?: PkiStorage;
  persistence?: ChargerPersistence;
  logger?: Logger;
  /** Generated codecs per schema for the charging point's codec (SeccConnectionOptions.exiFast). */
  exiFast?: ExiCodecOptions["fast"];
  /** Every message, with its connection's number and whether that connection holds the live session. */
  onTrace?(entry: SeccTraceEntry, connection: number, live: boolean): void;
  /** A session ended (once, also for a session that moved to a new connection of its EV). */
  onSessionEnd?(summary: ChargerSessionSummary): void;
  /** A connection closed without ending a session: it never had one, or it handed it over. */
  onConnectionEnd?(end: ConnectionEnd): void;
}

/** The protocol a session ran (any the SECC negotiates, ISO 15118-20 included). */
type TracedProtocol = Exclude<SeccTraceEntry["protocol"], "sap">;

export interface ChargerSessionSummary {
  /** The number of the connection the session ended on. */
  session: number;
  /** Connections it was handed over from, oldest first (empty for most sessions). */
  handedOverFrom: number[];
  reason: StopReason | string;
  protocol?: TracedProtocol;
  messages: number;
  /** Energy through the meter from the session's first connection to its end (counted once). */
  energyWh: number;
  startedAt: Millis;
  endedAt: Millis;
  /**
   * The session's energy in the ledger, Wh: across pauses and restarts of the charger (a session
   * resumed with its SessionID goes on from its count), where `energyWh` counts this run only.
   */
  sessionEnergyWh: number;
  /** The charger's energy register in the ledger, Wh (all sessions, across restarts). */
  totalEnergyWh: number;
}

interface ConnectionStats {
  startedAt: Millis;
  energyAtStart: number;
  messages: number;
  protocol: TracedProtocol | undefined;
  handedOverFrom: number[];
}

export class SeccService {
  /** The paused sessions (kept on the host's storage when it has one). */
  readonly store: PersistentSessionStore;
  /** The energy counters (the session's and the register) across restarts. */
  readonly ledger: EnergyLedger;
  readonly #o: SeccServiceOptions;
  readonly #log: Logger;
  readonly #point: ChargingPoint;
  /** Per connection: what its session summary needs (carried over at a handover). */
  readonly #stats = new Map<number, ConnectionStats>();
  #listener: Listener | undefined;
  #sdp: SdpServer | undefined;
  #port = 0;
  #accepted = 0;

  constructor(options: SeccServiceOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    const wall = options.wall;
    const persistence = options.persistence ?? chargerPersistence({ storage: options.storage ?? new MemoryPkiStorage(), clock: options.clock, wallClock: wall, logger: this.#log });
    this.store = persistence.store;
    this.ledger = persistence.ledger;
    this.#point = new ChargingPoint({
      config: options.config,
      clock: options.clock,
      store: this.store,
      logger: this.#log,
      randomBytes: options.random,
      unixTime: wall ? () => wall.unixSeconds() : undefined,
      binding: new ChargerBinding(options.hardware),
      exiFast: options.exiFast,
      trace: (entry, connection, live) => {
        const stats = this.#statsOf(connection);
        stats.messages++;
        if (entry.protocol !== "sap") stats.protocol = entry.protocol;
        if (live) this.#meter(entry);
        options.onTrace?.(entry, connection, live);
      },
      onSessionStart: (info) => {
        if (info.from === undefined) return;
        // The EV's session continues here: its summary counts from its first connection.
        const from = this.#statsOf(info.from);
        const to = this.#statsOf(info.connection);
        to.startedAt = from.startedAt;
        to.energyAtStart = from.energyAtStart;
        to.messages += from.messages;
        to.handedOverFrom = from.handedOverFrom.concat(info.from);
      },
      onConnectionEnd: (end) => this.#connectionEnded(end),
    });
  }

  /** The TCP port the V2G server listens on (after start()). */
  get port(): number {
    return this.#port;
  }

  /** Connections accepted so far. */
  get sessions(): number {
    return this.#accepted;
  }

  /** The connection holding the live session, if a vehicle has one. */
  get connection(): SeccConnection | undefined {
    return this.#point.live;
  }

  /** The charging point: the live session and the connections waiting for one. */
  get point(): ChargingPoint {
    return this.#point;
  }

  start(): void {
    const o = this.#o;
    let port = o.port ?? 0;
    if (port === 0) {
      const r = o.random(2);
      port = DYNAMIC_PORT_FIRST + (((r[0] << 8) | r[1]) % (65536 - DYNAMIC_PORT_FIRST));
    }
    const listener = new o.io.Listener({
      port,
      onReadable: (count) => {
        for (let i = 0; i < count; i++) this.#accept(listener);
      },
      onError: (error) => this.#log.log("error", "secc", `listener failed: ${error.message}`),
    });
    this.#listener = listener;
    this.#port = listener.port;
    this.#log.log("info", "secc", `V2G server on [${o.io.address}]:${this.#port} (${o.tls ? "TLS" : "TCP, no TLS"})`, { port: this.#port });
    if (o.sdp ?? true) {
      this.#sdp = new SdpServer({
        udp: o.io.Udp,
        interface: o.io.interface,
        address: o.io.address,
        // The one V2G port, plain or TLS: the Security byte of the answer says which (ISO 15118-2 §7.10.1).
        ...(o.tls ? { tlsPort: this.#port } : { tcpPort: this.#port }),
        port: o.sdpPort,
        ...(o.sdpWireless !== undefined ? { wireless: o.sdpWireless } : {}),
        // Bounds answers per source (a flood of requests or spoofed sources must not crowd out the car).
        clock: o.clock,
        logger: this.#log,
        onError: (error) => this.#log.log("error", "sdp", `SDP responder failed: ${error.message}`),
      });
    }
  }

  #accept(listener: Listener): void {
    this.#accepted++;
    const connection = this.#point.accept((callbacks) => listener.read(callbacks));
    this.#statsOf(connection);
  }

  #statsOf(connection: number): ConnectionStats {
    let stats = this.#stats.get(connection);
    if (stats === undefined) {
      stats = { startedAt: this.#o.clock.now(), energyAtStart: this.#o.hardware.meter.energyWh, messages: 0, protocol: undefined, handedOverFrom: [] };
      this.#stats.set(connection, stats);
    }
    return stats;
  }

  /**
   * The ledger follows the live session: it starts (or, for a SessionID it already counts, goes
   * on) at the SessionSetupRes that gives the vehicle its SessionID, and reads the meter at every
   * message (some ten a second in a charge loop: a restart loses at most the ledger's checkpoint).
   */
  #meter(entry: SeccTraceEntry): void {
    const meterWh = this.#o.hardware.meter.energyWh;
    if (entry.direction === "tx" && entry.message === "SessionSetupRes") {
      const sessionId = this.#point.live?.session.context?.sessionId;
      const counted = this.ledger.state;
      if (sessionId !== undefined && (counted.ended || !bytesEqual(counted.sessionId, sessionId))) this.ledger.sessionStarted(sessionId, meterWh);
      return;
    }
    this.ledger.reading(meterWh);
  }

  #connectionEnded(end: ConnectionEnd): void {
    const stats = this.#statsOf(end.connection);
    this.#stats.delete(end.connection);
    if (end.outcome !== "session-end") {
      this.#o.onConnectionEnd?.(end);
      return;
    }
    // Paused or ended: the count is stored; a resumed session (same SessionID) goes on from it.
    if (!this.ledger.state.ended) this.ledger.sessionStopped(this.#o.hardware.meter.energyWh);
    const counted = this.ledger.state;
    this.#o.onSessionEnd?.({
      session: end.connection,
      handedOverFrom: stats.handedOverFrom,
      reason: end.reason,
      protocol: stats.protocol,
      messages: stats.messages,
      energyWh: this.#o.hardware.meter.energyWh - stats.energyAtStart,
      startedAt: stats.startedAt,
      endedAt: this.#o.clock.now(),
      sessionEnergyWh: counted.sessionWh,
      totalEnergyWh: counted.totalWh,
    });
  }

  /** Stops serving: SDP, listener and the live connection. Harmless twice. */
  close(): void {
    this.#sdp?.close();
    this.#sdp = undefined;
    this.#listener?.close();
    this.#listener = undefined;
    this.#point.close();
  }
}
