// A simulated charger's communication controller, assembled: SDP responder, TCP listener,
// a ChargingPoint (one live session; newcomers vetted, a reconnecting EV handed its session)
// and simulated charger hardware (DC power module, AC supply, meter, authorization) bound to
// the live session through ChargerBinding.
//
// The same assembly serves the virtual-time simulation (`xs15118 sim`: vnet sockets over the
// simulated powerline, the vehicle's battery as the DC load) and the charger on a real
// interface (`xs15118 secc`: Node sockets, no vehicle in the process, a stand-in battery load).
// Portable: no Node imports; sockets come in as ECMA-419-shaped classes.

import type { Clock, Millis } from "../../modules/common/clock";
import type { ListenerClass, Listener, UdpSocketClass } from "../../modules/common/io";
import type { Logger } from "../../modules/common/log";
import { silentLogger } from "../../modules/common/log";
import { ChargerBinding, ChargingPoint, MemorySessionStore } from "../../modules/statemachine/index";
import type { ConnectionEnd, SeccConfig, SeccConnection, SeccTraceEntry, StopReason, EnergyTransferMode, OperatorBackend } from "../../modules/statemachine/index";
import { SdpServer } from "../../modules/v2gtp/index";
import { SimAcSupply, SimAuthorizer, SimDcPowerModule, SimMeter } from "../charger/index";
import type { DcLoad, SimDcPowerModuleOptions } from "../charger/index";

export type Transfer = "dc" | "ac";
export type SessionProtocol = "din" | "iso2" | "iso20";

/** First port of the IANA dynamic range, which other stacks insist the SECC uses (RFC 6335). */
export const DYNAMIC_PORT_FIRST = 49152;

export interface ChargerStationOptions {
  clock: Clock;
  io: { Udp: UdpSocketClass; Listener: ListenerClass };
  /** This charger's IPv6 address as SDP announces it (link-local, without zone). */
  address: string;
  /** Interface (zone) on which SDP joins ff02::1. */
  interface?: string;
  /** TCP port; 0 or absent: a random port of the dynamic range 49152–65535. */
  port?: number;
  /** Answer SDP (default true); without it the vehicle must be told address and port. */
  sdp?: boolean;
  /** UDP port of the SDP responder (default 15118). */
  sdpPort?: number;
  protocols?: readonly SessionProtocol[];
  transfer?: readonly Transfer[];
  /** Overrides of the default charger configuration (limits, EVSEID, timeouts …). */
  config?: Partial<SeccConfig>;
  /** Timing of the simulated DC power module (slew rates, isolation check time, …). */
  dcModule?: Omit<SimDcPowerModuleOptions, "clock" | "limits">;
  /** Authorization delay of the simulated EIM authorizer (default 1 s). */
  authorizationDelay?: Millis;
  /** The charger's operator (e.g. hosts/sim/ocpp OcppBridge): it authorizes instead of the simulated authorizer. */
  backend?: OperatorBackend;
  /** Random bytes (session IDs, port choice); default Math.random. */
  random?: (count: number) => Uint8Array;
  logger?: Logger;
  /** Every message, with its connection's number and whether that connection holds the live session. */
  onTrace?(entry: SeccTraceEntry, connection: number, live: boolean): void;
  /** A session ended (once, also for a session that moved to a new connection of its EV). */
  onSessionEnd?(summary: ChargerSessionSummary): void;
  /** A connection closed without ending a session: it never had one, or it handed it over. */
  onConnectionEnd?(end: ConnectionEnd): void;
}

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
}

/** The charger's default limits: a 50 kW DC charger and a 3 × 16 A AC outlet. */
export const DEFAULT_CHARGER: Readonly<SeccConfig> = Object.freeze({
  evseId: "DE*XS1*E0001",
  energyModes: [],
  dc: Object.freeze({ maxVoltage: 500, maxCurrent: 125, maxPower: 50_000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5, currentRegulationTolerance: 1 }),
  ac: Object.freeze({ nominalVoltage: 230, maxCurrent: 16, phases: 3 }),
  meterId: "XS15118-SIM-METER",
});

function energyModes(transfer: readonly Transfer[]): EnergyTransferMode[] {
  const modes: EnergyTransferMode[] = [];
  if (transfer.indexOf("dc") >= 0) modes.push("DC_extended", "DC_core");
  if (transfer.indexOf("ac") >= 0) modes.push("AC_three_phase_core", "AC_single_phase_core");
  return modes;
}

function defaultRandom(count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(Math.random() * 256);
  return out;
}

/** The protocol a session ran (any the SECC negotiates, ISO 15118-20 included). */
type TracedProtocol = Exclude<SeccTraceEntry["protocol"], "sap">;

interface ConnectionStats {
  startedAt: Millis;
  energyAtStart: number;
  messages: number;
  protocol: TracedProtocol | undefined;
  handedOverFrom: number[];
}

export class ChargerStation {
  readonly config: SeccConfig;
  readonly dc: SimDcPowerModule | undefined;
  readonly ac: SimAcSupply | undefined;
  readonly meter: SimMeter;
  readonly auth: SimAuthorizer;
  readonly store = new MemorySessionStore();
  readonly #o: ChargerStationOptions;
  readonly #log: Logger;
  readonly #point: ChargingPoint;
  /** Per connection: what its session summary needs (carried over at a handover). */
  readonly #stats = new Map<number, ConnectionStats>();
  #listener: Listener | undefined;
  #sdp: SdpServer | undefined;
  #acDraw: () => number = () => 0;
  #port = 0;
  #accepted = 0;

  constructor(options: ChargerStationOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    const transfer = options.transfer ?? ["dc"];
    const base = { ...DEFAULT_CHARGER, ...options.config };
    this.config = { ...base, energyModes: options.config?.energyModes ?? energyModes(transfer), protocols: options.protocols ?? base.protocols ?? ["iso2", "din"] };
    const clock = options.clock;
    this.dc = transfer.indexOf("dc") >= 0 && this.config.dc ? new SimDcPowerModule({ ...options.dcModule, clock, limits: this.config.dc }) : undefined;
    this.ac = transfer.indexOf("ac") >= 0 && this.config.ac ? new SimAcSupply({ clock, limits: this.config.ac }) : undefined;
    const acLimits = this.config.ac;
    this.meter = new SimMeter({
      clock,
      meterId: this.config.meterId,
      power: () => {
        if (this.dc && this.dc.presentCurrent > 0) return this.dc.presentVoltage * this.dc.presentCurrent;
        if (this.ac?.closed && acLimits) return this.#acDraw() * acLimits.nominalVoltage * acLimits.phases;
        return 0;
      },
    });
    this.auth = new SimAuthorizer({ clock, delay: options.authorizationDelay ?? (1000 as Millis) });
    this.#point = new ChargingPoint({
      config: this.config,
      clock,
      store: this.store,
      logger: this.#log,
      randomBytes: options.random,
      binding: new ChargerBinding({ dc: this.dc, ac: this.ac, meter: this.meter, auth: options.backend ? undefined : this.auth, backend: options.backend }),
      trace: (entry, connection, live) => {
        const stats = this.#statsOf(connection);
        stats.messages++;
        if (entry.protocol !== "sap") stats.protocol = entry.protocol;
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

  /** Couples the outlet to a load: the vehicle's battery (DC) and its AC draw. */
  couple(options: { dcLoad?: DcLoad; acDraw?: () => number }): void {
    if (options.dcLoad !== undefined) this.dc?.setLoad(options.dcLoad);
    if (options.acDraw) this.#acDraw = options.acDraw;
  }

  /** Releases the DC load (the vehicle opened its contactors). */
  uncouple(): void {
    this.dc?.setLoad(undefined);
  }

  start(): void {
    const o = this.#o;
    const random = o.random ?? defaultRandom;
    let port = o.port ?? 0;
    if (port === 0) {
      const r = random(2);
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
    this.#log.log("info", "secc", `V2G server on [${o.address}]:${this.#port}`, { port: this.#port });
    if (o.sdp ?? true) {
      this.#sdp = new SdpServer({
        udp: o.io.Udp,
        interface: o.interface,
        address: o.address,
        tcpPort: this.#port,
        port: o.sdpPort,
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
      stats = { startedAt: this.#o.clock.now(), energyAtStart: this.meter.energyWh, messages: 0, protocol: undefined, handedOverFrom: [] };
      this.#stats.set(connection, stats);
    }
    return stats;
  }

  #connectionEnded(end: ConnectionEnd): void {
    const stats = this.#statsOf(end.connection);
    this.#stats.delete(end.connection);
    if (end.outcome !== "session-end") {
      this.#o.onConnectionEnd?.(end);
      return;
    }
    this.#o.onSessionEnd?.({
      session: end.connection,
      handedOverFrom: stats.handedOverFrom,
      reason: end.reason,
      protocol: stats.protocol,
      messages: stats.messages,
      energyWh: this.meter.energyWh - stats.energyAtStart,
      startedAt: stats.startedAt,
      endedAt: this.#o.clock.now(),
    });
  }

  /** Stops serving: SDP, listener and the live connection. Harmless twice. */
  close(): void {
    this.#sdp?.close();
    this.#sdp = undefined;
    this.#listener?.close();
    this.#listener = undefined;
    this.#point.close();
    this.dc?.stop();
  }
}
