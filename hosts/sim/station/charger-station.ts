// A simulated charger's communication controller, assembled: SDP responder, TCP listener,
// one SeccConnection per accepted connection, and simulated charger hardware (DC power module,
// AC supply, meter, authorization) bound to the session through ChargerBinding.
//
// The same assembly serves the virtual-time simulation (`xs15118 sim`: vnet sockets over the
// simulated powerline, the vehicle's battery as the DC load) and the charger on a real
// interface (`xs15118 secc`: Node sockets, no vehicle in the process, a stand-in battery load).
// Portable: no Node imports; sockets come in as ECMA-419-shaped classes.

import type { Clock, Millis } from "../../../modules/common/clock";
import type { ListenerClass, Listener, UdpSocketClass } from "../../../modules/common/io";
import type { Logger } from "../../../modules/common/log";
import { silentLogger } from "../../../modules/common/log";
import { ChargerBinding, MemorySessionStore, SeccConnection } from "../../../modules/statemachine/index";
import type { SeccConfig, SeccTraceEntry, StopReason, EnergyTransferMode } from "../../../modules/statemachine/index";
import { SdpServer } from "../../../modules/v2gtp/index";
import { SimAcSupply, SimAuthorizer, SimDcPowerModule, SimMeter } from "../charger/index";
import type { DcLoad, SimDcPowerModuleOptions } from "../charger/index";

export type Transfer = "dc" | "ac";
export type SessionProtocol = "din" | "iso2";

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
  /** Random bytes (session IDs, port choice); default Math.random. */
  random?: (count: number) => Uint8Array;
  logger?: Logger;
  onTrace?(entry: SeccTraceEntry, session: number): void;
  /** A session (one TCP connection) ended. */
  onSessionEnd?(summary: ChargerSessionSummary): void;
}

export interface ChargerSessionSummary {
  session: number;
  reason: StopReason | string;
  protocol?: SessionProtocol;
  messages: number;
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

export class ChargerStation {
  readonly config: SeccConfig;
  readonly dc: SimDcPowerModule | undefined;
  readonly ac: SimAcSupply | undefined;
  readonly meter: SimMeter;
  readonly auth: SimAuthorizer;
  readonly store = new MemorySessionStore();
  readonly #o: ChargerStationOptions;
  readonly #log: Logger;
  readonly #binding: ChargerBinding;
  #listener: Listener | undefined;
  #sdp: SdpServer | undefined;
  #connection: SeccConnection | undefined;
  #sessions = 0;
  #messages = 0;
  #acDraw: () => number = () => 0;
  #port = 0;

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
    this.#binding = new ChargerBinding({ dc: this.dc, ac: this.ac, meter: this.meter, auth: this.auth });
  }

  /** The TCP port the V2G server listens on (after start()). */
  get port(): number {
    return this.#port;
  }

  get sessions(): number {
    return this.#sessions;
  }

  /** The live connection, if a vehicle is connected. */
  get connection(): SeccConnection | undefined {
    return this.#connection;
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
        logger: this.#log,
        onError: (error) => this.#log.log("error", "sdp", `SDP responder failed: ${error.message}`),
      });
    }
  }

  #accept(listener: Listener): void {
    const session = ++this.#sessions;
    if (this.#connection && !this.#connection.closed) {
      // One vehicle per outlet: a second connection replaces a stale one, as field chargers do
      // when a car reconnects after a crash without closing its old connection.
      this.#log.log("warn", "secc", "a new connection replaces the previous one");
      this.#connection.close();
    }
    const startedAt = this.#o.clock.now();
    let messages = 0;
    let protocol: SessionProtocol | undefined;
    const energyAtStart = this.meter.energyWh;
    const connection = new SeccConnection({
      open: (callbacks) => listener.read(callbacks),
      config: this.config,
      clock: this.#o.clock,
      store: this.store,
      logger: this.#log,
      randomBytes: this.#o.random,
      ...this.#binding.sessionOptions(),
      trace: (entry) => {
        messages++;
        this.#messages++;
        if (entry.protocol !== "sap") protocol = entry.protocol;
        this.#o.onTrace?.(entry, session);
      },
      onClose: (reason) => {
        if (this.#connection === connection) this.#connection = undefined;
        this.#o.onSessionEnd?.({
          session,
          reason,
          protocol,
          messages,
          energyWh: this.meter.energyWh - energyAtStart,
          startedAt,
          endedAt: this.#o.clock.now(),
        });
      },
    });
    this.#binding.attach(connection.session);
    this.#connection = connection;
  }

  /** Stops serving: SDP, listener and the live connection. Harmless twice. */
  close(): void {
    this.#sdp?.close();
    this.#sdp = undefined;
    this.#listener?.close();
    this.#listener = undefined;
    this.#connection?.close();
    this.dc?.stop();
  }
}
