// A simulated charger: the IP side of modules/station (SDP responder, V2G server, charging
// point; SeccService) on simulated charger hardware (DC power module, AC supply, meter,
// authorization) — the simulator supplies only the hardware, the assembly is the firmware's.
//
// Serves the charger on a real interface (`xs15118 secc`: Node sockets, no vehicle in the
// process, a stand-in battery load) and, through SimChargerHardware, the virtual-time
// simulation (`xs15118 sim`, where modules/station's ChargerStation adds the pilot and SLAC).
// Portable: no Node imports; sockets come in as ECMA-419-shaped classes.

import type { Clock, Millis } from "../../modules/common/clock";
import type { ListenerClass, UdpSocketClass } from "../../modules/common/io";
import type { WallClock } from "../../modules/common/wall-clock";
import type { PkiStorage } from "../../modules/pki-store/storage";
import type { Logger } from "../../modules/common/log";
import type { ConnectionEnd, SeccConfig, SeccConnection, SeccTraceEntry, OperatorBackend, ChargingPoint, SessionStore } from "../../modules/statemachine/index";
import { SeccService, chargerConfig } from "../../modules/station/secc-service";
import type { ChargerHardware, ChargerSessionSummary, SeccServiceOptions, SessionProtocol, Transfer } from "../../modules/station/secc-service";
import type { DischargeLimits, EnergyManager } from "../../modules/statemachine/index";
import { BIDIRECTIONAL_EFFICIENCY, SimAcInverter, SimAcSupply, SimAuthorizer, SimDcPowerModule, SimMeter } from "../charger/index";
import type { AcLoad, DcLoad, SimDcPowerModuleOptions } from "../charger/index";
import type { ConnectionDevice } from "../../modules/statemachine/iso20/acdp-device";
import type { SdpWirelessOffer } from "../../modules/v2gtp/index";
import type { SimWirelessPad } from "../wpt/pad";

export { DEFAULT_CHARGER, DYNAMIC_PORT_FIRST } from "../../modules/station/secc-service";
export type { ChargerSessionSummary, SessionProtocol, Transfer } from "../../modules/station/secc-service";

export interface SimChargerHardwareOptions {
  clock: Clock;
  config: SeccConfig;
  transfer: readonly Transfer[];
  /** Timing of the simulated DC power module (slew rates, isolation check time, …). */
  dcModule?: Omit<SimDcPowerModuleOptions, "clock" | "limits">;
  /** Authorization delay of the simulated EIM authorizer (default 1 s). */
  authorizationDelay?: Millis;
  /** The charger's operator: it authorizes instead of the simulated authorizer. */
  backend?: OperatorBackend;
  /**
   * ISO 15118-20 BPT: bidirectional power stages — the DC module takes current from the EV too,
   * and AC gets an inverter (SimAcInverter) in place of the plain supply — with this discharge
   * capability and conversion efficiency (default BIDIRECTIONAL_EFFICIENCY: 0.96 DC, 0.94 AC).
   */
  bidirectional?: { discharge: DischargeLimits; efficiency?: number };
  /** The site energy manager (ISO 15118-20 Dynamic control: setpoints read before every request). */
  energyManager?: EnergyManager;
  /**
   * ISO 15118-20 devices beside (ACDP: a pantograph on the DC outlet) or instead of the outlets
   * (WPT: the pad, whose transmitted power the meter counts).
   */
  devices?: { acdp?: ConnectionDevice; wpt?: SimWirelessPad };
}

/** The simulated charger hardware, and the coupling of its outlet to a load. */
export class SimChargerHardware {
  readonly dc: SimDcPowerModule | undefined;
  readonly ac: SimAcSupply | undefined;
  /** ISO 15118-20 AC_BPT: the bidirectional inverter (also `ac`). */
  readonly inverter: SimAcInverter | undefined;
  readonly meter: SimMeter;
  readonly auth: SimAuthorizer;
  /** What the station's session drives (ChargerBinding's parts). */
  readonly parts: ChargerHardware;
  #acDraw: () => number = () => 0;

  constructor(options: SimChargerHardwareOptions) {
    const { clock, config, transfer } = options;
    const bidi = options.bidirectional;
    const dcBidi = bidi === undefined ? undefined : { discharge: bidi.discharge, efficiency: bidi.efficiency ?? BIDIRECTIONAL_EFFICIENCY.dc };
    this.dc = transfer.indexOf("dc") >= 0 && config.dc ? new SimDcPowerModule({ ...options.dcModule, ...dcBidi, clock, limits: config.dc }) : undefined;
    this.inverter = bidi !== undefined && transfer.indexOf("ac") >= 0 && config.ac ? new SimAcInverter({ clock, limits: config.ac, discharge: bidi.discharge, efficiency: bidi.efficiency }) : undefined;
    this.ac = this.inverter ?? (transfer.indexOf("ac") >= 0 && config.ac ? new SimAcSupply({ clock, limits: config.ac }) : undefined);
    const acLimits = config.ac;
    this.meter = new SimMeter({
      clock,
      meterId: config.meterId,
      power: () => {
        // A bidirectional stage's grid side, signed (the meter counts both ways).
        // With both outlets (`xs15118 secc --transfer dc,ac`) only the one in use carries power.
        // An AC session without a power setpoint (ISO 15118-2, or -20 AC without BPT) draws
        // through the inverter like through a plain outlet: the load's draw counts then.
        if (bidi !== undefined) {
          const inverter = this.inverter?.presentActivePower ?? 0;
          const plainAc = inverter === 0 && this.inverter?.closed && acLimits ? this.#acDraw() * acLimits.nominalVoltage * acLimits.phases : 0;
          return (this.dc?.gridPower ?? 0) + (inverter !== 0 ? inverter : plainAc);
        }
        if (this.dc && this.dc.presentCurrent > 0) return this.dc.presentVoltage * this.dc.presentCurrent;
        const pad = options.devices?.wpt;
        if (pad !== undefined) return pad.state.powerTransmitted;
        if (this.ac?.closed && acLimits) return this.#acDraw() * acLimits.nominalVoltage * acLimits.phases;
        return 0;
      },
    });
    this.auth = new SimAuthorizer({ clock, delay: options.authorizationDelay ?? (1000 as Millis) });
    this.parts = { dc: this.dc, ac: this.inverter === undefined ? this.ac : undefined, inverter: this.inverter, energyManager: options.energyManager, meter: this.meter, auth: options.backend ? undefined : this.auth, backend: options.backend, ...options.devices };
  }

  /** Couples the outlet to a load: the vehicle's battery (DC), its AC draw, or (AC_BPT) the battery behind its on-board charger. */
  couple(options: { dcLoad?: DcLoad; acDraw?: () => number; acLoad?: AcLoad }): void {
    if (options.dcLoad !== undefined) this.dc?.setLoad(options.dcLoad);
    if (options.acLoad !== undefined) this.inverter?.setLoad(options.acLoad);
    if (options.acDraw) this.#acDraw = options.acDraw;
  }

  /** Releases the DC load (the vehicle opened its contactors). */
  uncouple(): void {
    this.dc?.setLoad(undefined);
  }

  stop(): void {
    this.dc?.stop();
  }
}

export interface ChargerStationOptions {
  clock: Clock;
  wall?: WallClock;
  io: { Udp: UdpSocketClass; Listener: ListenerClass };
  /** This charger's IPv6 address as SDP announces it (link-local, without zone). */
  address: string;
  /** Interface (zone) on which SDP joins ff02::1. */
  interface?: string;
  /** TCP port; 0 or absent: a random port of the dynamic range 49152–65535. */
  port?: number;
  /** Answer SDP (default true); without it the vehicle must be told address and port. */
  sdp?: boolean;
  /** io.Listener is a TLS listener bound to the charger's profile (SeccServiceOptions.tls). */
  tls?: boolean;
  /** UDP port of the SDP responder (default 15118). */
  sdpPort?: number;
  protocols?: readonly SessionProtocol[];
  transfer?: readonly Transfer[];
  /** Overrides of the default charger configuration (limits, EVSEID, timeouts …). */
  config?: Partial<SeccConfig>;
  dcModule?: SimChargerHardwareOptions["dcModule"];
  authorizationDelay?: Millis;
  /** The charger's operator (e.g. hosts/sim/ocpp OcppBridge): it authorizes instead of the simulated authorizer. */
  backend?: OperatorBackend;
  bidirectional?: SimChargerHardwareOptions["bidirectional"];
  energyManager?: SimChargerHardwareOptions["energyManager"];
  devices?: SimChargerHardwareOptions["devices"];
  /** A charger on WLAN (WPT, ACDP): SDP also answers the -20 wireless request with these values. */
  sdpWireless?: SdpWirelessOffer;
  /** Random bytes (session IDs, port choice); default Math.random. */
  random?: (count: number) => Uint8Array;
  /** Where paused sessions and the energy ledger survive a restart (SeccServiceOptions.storage; default memory). */
  storage?: PkiStorage;
  logger?: Logger;
  /** Generated codecs per schema for the charger's codec (SeccServiceOptions.exiFast: the Node host's, hosts/sim/exi-fast). */
  exiFast?: SeccServiceOptions["exiFast"];
  onTrace?(entry: SeccTraceEntry, connection: number, live: boolean): void;
  onSessionEnd?(summary: ChargerSessionSummary): void;
  onConnectionEnd?(end: ConnectionEnd): void;
}

function defaultRandom(count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(Math.random() * 256);
  return out;
}

/** A charger on an IP link it is given (no pilot, no SLAC): simulated hardware + SeccService. */
export class ChargerStation {
  readonly config: SeccConfig;
  readonly hardware: SimChargerHardware;
  readonly dc: SimDcPowerModule | undefined;
  readonly ac: SimAcSupply | undefined;
  readonly meter: SimMeter;
  readonly auth: SimAuthorizer;
  readonly service: SeccService;

  constructor(options: ChargerStationOptions) {
    const transfer = options.transfer ?? ["dc"];
    this.config = chargerConfig(transfer, options.protocols, options.config);
    this.hardware = new SimChargerHardware({ clock: options.clock, config: this.config, transfer, dcModule: options.dcModule, authorizationDelay: options.authorizationDelay, backend: options.backend, bidirectional: options.bidirectional, energyManager: options.energyManager, devices: options.devices });
    ({ dc: this.dc, ac: this.ac, meter: this.meter, auth: this.auth } = this.hardware);
    this.service = new SeccService({
      clock: options.clock,
      wall: options.wall,
      io: { Udp: options.io.Udp, Listener: options.io.Listener, address: options.address, interface: options.interface },
      config: this.config,
      hardware: this.hardware.parts,
      port: options.port,
      sdp: options.sdp,
      tls: options.tls,
      sdpPort: options.sdpPort,
      sdpWireless: options.sdpWireless,
      random: options.random ?? defaultRandom,
      storage: options.storage,
      logger: options.logger,
      exiFast: options.exiFast,
      onTrace: options.onTrace,
      onSessionEnd: options.onSessionEnd,
      onConnectionEnd: options.onConnectionEnd,
    });
  }

  get store(): SessionStore {
    return this.service.store;
  }

  get port(): number {
    return this.service.port;
  }

  get sessions(): number {
    return this.service.sessions;
  }

  get connection(): SeccConnection | undefined {
    return this.service.connection;
  }

  get point(): ChargingPoint {
    return this.service.point;
  }

  couple(options: { dcLoad?: DcLoad; acDraw?: () => number; acLoad?: AcLoad }): void {
    this.hardware.couple(options);
  }

  uncouple(): void {
    this.hardware.uncouple();
  }

  start(): void {
    this.service.start();
  }

  /** Stops serving: SDP, listener and the live connection. Harmless twice. */
  close(): void {
    this.service.close();
    this.hardware.stop();
  }
}
