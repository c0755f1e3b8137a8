// The complete simulated charging session, from plug-in to unplug, on one virtual clock:
//
//   pilot (IEC 61851-1)  plug-in → B → 5 % PWM
//   SLAC (ISO 15118-3)   EV and EVSE match over the simulated powerline (and ignore a neighbour)
//   SDP                  EV asks on ff02::1, the charger answers with its address and TCP port
//   TCP on IPv6          over the powerline's AVLN, by the virtual IP stack (simulation/vnet)
//   SAP                  supportedAppProtocol picks DIN 70121 or ISO 15118-2
//   session              DIN / ISO-2, DC or AC, with simulated power electronics and battery
//   stop → unplug        pilot back to A
//
// Virtual time: the clock jumps from event to event, so an hour of charging costs a second
// of CPU; every frame on the powerline (SLAC and IP) can be captured for a pcapng file.
// Portable (no Node imports): the same scenario runs in the XS tests and benchmark.

import { ManualClock } from "../../modules/common/manual-clock";
import type { Clock, Millis } from "../../modules/common/clock";
import type { Logger, LogLevel } from "../../modules/common/log";
import type { WallClock } from "../../modules/common/wall-clock";
import { toHex } from "../../modules/common/bytes";
import type { EthernetLink, EthernetLinkOptions, ListenerClass, StreamSocketClass } from "../../modules/common/io";
import { SlacEvse } from "../../modules/slac/index";
import type { EthernetLinkClass } from "../../modules/slac/index";
import type { ChargerPilotEvent, VehiclePilotEvent } from "../../modules/cp-pwm/index";
import type { OperatorBackend, SeccTraceEntry } from "../../modules/statemachine/index";
import type { EvccTraceEntry } from "../../modules/statemachine/evcc/index";
import type { PilotPair } from "../cp/pilot-pair";
import { PilotSim } from "../cp/pilot-sim";
import { ChargerAssembly, VehicleAssembly, type HostIpStack } from "../../modules/station/assembly";
import type { SeccService, SeccServiceOptions } from "../../modules/station/secc-service";
import type { EvccService } from "../../modules/station/evcc-service";
import { superviseChargerPilot } from "../charger/pilot-supervision";
import { Powerline, type SimModem } from "../powerline";
import type { VirtualIpStack } from "../vnet/stack";
import { virtualHostIp } from "../vnet/host-ip";
import { seededRandom } from "../random";
import { formatDuration } from "../trace-format";
import { ChargerStation, DEFAULT_CHARGER, type SessionProtocol, type Transfer } from "../station/charger-station";
import { VehicleStation, createStationVehicle, type VehicleOutcome } from "../station/vehicle-station";
import { SimSiteEnergyManager, scenarioSpec, type ScenarioName, type ScenarioOverrides, type ScenarioSpec } from "../site/index";
import { SocPathRecorder, directionOf, type Direction, type SocPath } from "./power-flow";
import type { SeccConfig } from "../../modules/statemachine/index";
import type { Iso2EvccPnc } from "../../modules/statemachine/evcc/iso2-pnc";

const ETHERTYPE_HOMEPLUG = 0x88e1;

/**
 * TLS over the simulated TCP, from the host's TLS library (`xs15118 sim --tls`: node:tls in
 * hosts/sim/crypto/sim-tls.ts): given a station's simulated IP stack, the TLS class it opens
 * like its TCP one, bound to that station's profile and credentials. The host must let its TLS
 * library work between clock steps (node:tls is asynchronous; see runSimulationWithTls).
 */
export interface SimulationTls {
  charger(io: { Tcp: StreamSocketClass; Listener: ListenerClass }): ListenerClass;
  vehicle(io: { Tcp: StreamSocketClass; Listener: ListenerClass }): StreamSocketClass;
}

export interface SimulationOptions {
  /** V2G over TLS instead of plain TCP (SDP Security 0x00; -20 over TLS 1.3, -2 over TLS 1.2). */
  tls?: SimulationTls;
  protocol?: SessionProtocol;
  transfer?: Transfer;
  /** ISO 15118-20: the bidirectional service (DC_BPT / AC_BPT) of the transfer, charging direction. */
  bpt?: boolean;
  /** ISO 15118-20 control mode (default scheduled; a scenario runs Dynamic). */
  mode?: "scheduled" | "dynamic";
  /**
   * ISO 15118-20 BPT scenario (simulation/site): V2G exports during a price peak, V2H follows the
   * house load minus PV with the grid down, V2L feeds a fixed load until the minimum SoC. Needs
   * `bpt`; runs Dynamic control (the site energy manager sets the power every loop).
   */
  scenario?: ScenarioName;
  /** The scenario's settings beyond its defaults (minimum SoC, V2L load, time of day, duration). */
  scenarioOptions?: ScenarioOverrides;
  /** A power line (direction, signed power, values) for every charge loop, not one per 10 s and per change of direction. */
  traceEveryLoop?: boolean;
  /** Battery at plug-in and the SoC at which the vehicle stops. */
  startSoc?: number;
  targetSoc?: number;
  capacityKWh?: number;
  /** Charger limits (DC). */
  maxCurrent?: number;
  maxPower?: number;
  /** TCP port of the charger; 0: random in the dynamic range. */
  port?: number;
  /** MAC addresses of the charger's and the vehicle's hosts (their IPv6 link-local addresses follow). */
  evseMac?: Uint8Array;
  evMac?: Uint8Array;
  /** Neighbouring chargers on the same powerline whose cables couple weakly (default 1). */
  neighbours?: number;
  /**
   * Give up after this much simulated time. Default: follows the session (simulationTimeLimit):
   * 1.5 × the time the charge should take by the vehicle model, plus 10 minutes.
   */
  limit?: Millis;
  /** Seed of every random choice (MACs stay fixed; NMK, session ID, port vary with it). */
  seed?: number;
  /** Wall-clock time of the simulation's start, for the capture's timestamps (default 0). */
  epochMs?: number;
  /** The charger's operator (an OCPP bridge): it authorizes and may send schedules. */
  backend?: OperatorBackend;
  /**
   * ISO-2 Plug & Charge (hosts/sim/pki/pnc-setup.ts simulatedPnc): merged into the charger's
   * configuration (Contract offered, the PnC facility) and given to the vehicle's session.
   * Contract is only offered over TLS (`tls`).
   */
  pnc?: { readonly charger: Partial<SeccConfig>; readonly vehicle: Iso2EvccPnc };
  /** Every event worth a line of live trace. */
  onTrace?(event: TraceEvent): void;
  /** Every Ethernet frame on the powerline (SLAC and IP), for the pcapng capture. */
  onFrame?(timeMs: number, frame: Uint8Array): void;
  /** Core log entries (warnings and errors also count as the summary's errors). */
  logger?: Logger;
  /**
   * Generated codecs per schema for both stations' codecs (the Node host's every-message code,
   * hosts/sim/exi-fast, which `xs15118 sim` registers; absent: the built-in loop messages').
   */
  exiFast?: SeccServiceOptions["exiFast"];
  /** Fault injection (simulation/faults): called once at the start with the simulation's parts. */
  inject?(world: SimulationWorld): void;
}

/** The parts of a running simulation, as fault injection reaches into them. */
export interface SimulationWorld {
  readonly clock: ManualClock;
  readonly line: Powerline;
  readonly evseModem: SimModem;
  readonly evModem: SimModem;
  readonly pilot: PilotPair;
  /** Present once SLAC matched (charger) / the vehicle's link came up (vehicle and its stack). */
  readonly charger: ChargerStation | undefined;
  readonly vehicle: VehicleStation | undefined;
  readonly evseStack: VirtualIpStack | undefined;
  readonly evStack: VirtualIpStack | undefined;
  /** A line of the live trace, and a core log entry (a warning also counts as a summary error). */
  trace(source: TraceSource, text: string): void;
  readonly logger: Logger;
  /** Time from the vehicle's end of session to the unplug (default 3 s). */
  unplugDelay: number;
  /** The charger's date, if a fault gives it one before SLAC matched (by default the simulated charger has none). */
  wall?: WallClock;
}

export type TraceSource = "sim" | "pilot" | "slac" | "sdp" | "evcc" | "secc" | "power";

export interface TraceEvent {
  /** Simulated time since the start, ms. */
  time: number;
  source: TraceSource;
  text: string;
  /** Present values while power flows (the live status). */
  values?: { voltage?: number; current?: number; soc?: number; energyWh?: number; power?: number; direction?: Direction };
  /** A message of the session (EVCC side), with its direction. */
  message?: { name: string; direction: "tx" | "rx"; values: Readonly<Record<string, string | number | boolean | undefined>> };
}

export interface SimulationSummary {
  ok: boolean;
  protocol?: SessionProtocol;
  transfer: Transfer;
  outcome: string;
  detail?: string;
  /** Plug-in to unplug, and SessionSetup to SessionStop, simulated ms. */
  durationMs: number;
  sessionMs: number;
  /** Charger's meter (net for a bidirectional stage). */
  energyWh: number;
  /**
   * Energy into the EV and out of it, Wh, at the charger's grid side (for a bidirectional stage;
   * the meter's energy and 0 otherwise): the battery's terminals see charged × η − discharged / η.
   */
  energyChargedWh: number;
  energyDischargedWh: number;
  /** Conversion losses of the bidirectional stage, Wh (0 without one). */
  lossesWh: number;
  /** The bidirectional scenario run, if any. */
  scenario?: ScenarioName;
  socStart: number;
  socEnd: number;
  /** The SoC's way: start, lowest, highest, end, and a few points. */
  socPath: SocPath;
  /** V2G messages exchanged (requests and responses, SAP included). */
  messages: number;
  slac: { matchedAtMs?: number; attenuationDb?: number; evseMac?: string };
  peakCurrent: number;
  peakPower: number;
  /** Warnings and errors logged during the session (not those of the final teardown). */
  errors: string[];
  /** The simulated-time cap this run had, ms. */
  timeLimitMs: number;
}

/** Battery and target when the options give none. */
const DEFAULT_CAPACITY_KWH = 40;
const DEFAULT_START_SOC = 30;
const DEFAULT_TARGET_SOC = 80;
/** The charger's DC limits in the simulation when the options give none. */
const DEFAULT_MAX_CURRENT = 125;
const DEFAULT_MAX_POWER = 50_000;

/** Outcome of a run stopped by its simulated-time cap. */
export const TIME_LIMIT_OUTCOME = "sim-time-limit";
/** Cap = TIME_LIMIT_FACTOR × the expected charge + TIME_LIMIT_MARGIN: SLAC, SDP, setup, cable
 *  check and pre-charge, stop and unplug take well under a minute; the rest is headroom. */
const TIME_LIMIT_FACTOR = 1.5;
const TIME_LIMIT_MARGIN = 10 * 60_000;
/** Cap when the vehicle model says the charge cannot progress at all. */
const TIME_LIMIT_NO_PROGRESS = 60 * 60_000;
/** Step and horizon of the charge estimate (one week: beyond any real charge). */
const ESTIMATE_STEP = 60_000;
const ESTIMATE_HORIZON = 7 * 24 * 3_600_000;

/**
 * How long the charge from the start to the target SoC should take, simulated ms, from the
 * simulation's own vehicle model: charged in one-minute steps at what both sides allow (DC: the
 * battery's request within the charger's current and power limits; AC: the on-board charger on
 * the charger's outlet) until the vehicle reports the charge complete. Undefined when nothing
 * would flow.
 */
export function expectedChargeTime(options: SimulationOptions = {}): Millis | undefined {
  const clock = new ManualClock();
  const vehicle = createStationVehicle({
    clock,
    battery: { capacityKWh: options.capacityKWh ?? DEFAULT_CAPACITY_KWH, soc: options.startSoc ?? DEFAULT_START_SOC },
    targetSoc: options.targetSoc ?? DEFAULT_TARGET_SOC,
  });
  const ac = (options.transfer ?? "dc") === "ac";
  const outlet = DEFAULT_CHARGER.ac!;
  if (ac) {
    vehicle.setPilotState("C");
    vehicle.onEvseValues({ maxCurrent: outlet.maxCurrent, nominalVoltage: outlet.nominalVoltage });
  } else vehicle.setContactors(true);
  const maxCurrent = options.maxCurrent ?? DEFAULT_MAX_CURRENT;
  const maxPower = options.maxPower ?? DEFAULT_MAX_POWER;
  for (let t = 0; t <= ESTIMATE_HORIZON; t += ESTIMATE_STEP) {
    if (vehicle.chargingComplete()) return t as Millis;
    if (!ac) {
      const wanted = Math.min(vehicle.battery.allowedCurrent(), maxCurrent);
      vehicle.onEvseValues({ presentCurrent: Math.min(wanted, maxPower / vehicle.battery.terminalVoltage(wanted)) });
    }
    if (!(vehicle.batteryCurrent() > 0)) return undefined;
    clock.advance(ESTIMATE_STEP);
  }
  return undefined;
}

/** The default simulated-time cap of a run: 1.5 × the expected charge + 10 min. */
export function simulationTimeLimit(options: SimulationOptions = {}): Millis {
  const expected = expectedChargeTime(options);
  if (expected === undefined) return TIME_LIMIT_NO_PROGRESS as Millis;
  return Math.ceil(TIME_LIMIT_FACTOR * expected + TIME_LIMIT_MARGIN) as Millis;
}

/** The simulated chargers' discharge capability for ISO 15118-20 BPT (W, A; magnitudes). */
const BPT_DISCHARGE = Object.freeze({ maxPower: 11_000, maxCurrent: 30 });
/** The DC charge loop's period in a scenario (the EVCC's default is 100 ms). */
const SCENARIO_LOOP_INTERVAL = 250 as Millis;

const SCENARIO_TEXT: Readonly<Record<ScenarioName, string>> = Object.freeze({
  v2g: "export to the grid during the price peak (17:00–20:00), charge before it",
  v2h: "the grid is down; the car forms it and follows the house load minus PV",
  v2l: "a fixed load on the car (grid-forming)",
});

function formatTimeOfDay(seconds: number): string {
  const m = Math.floor(seconds / 60) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Default station addresses (locally administered), fixed so captures of two runs compare. */
const DEFAULT_EV_MAC = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x0e, 0x01);
const DEFAULT_EVSE_MAC = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x0a, 0x01);

/** Wraps a modem's host link so every frame the host writes, and every frame the modem itself
 *  originates (CM_SET_KEY.CNF, CM_ATTEN_PROFILE.IND, …), is seen once by `tap`. */
function tappedLink(modem: SimModem, tap: (frame: Uint8Array) => void): EthernetLinkClass {
  const Inner = modem.Link;
  const modemMac = modem.modemMac;
  class TappedLink implements EthernetLink {
    readonly #inner: EthernetLink;
    constructor(options: EthernetLinkOptions & Record<string, unknown>) {
      this.#inner = new Inner(options);
    }
    get mac(): Uint8Array {
      return this.#inner.mac;
    }
    read(): Uint8Array | undefined {
      const frame = this.#inner.read();
      if (frame && frame.length >= 12 && sameMac(frame.subarray(6, 12), modemMac)) tap(frame);
      return frame;
    }
    write(frame: Uint8Array): void {
      tap(frame);
      this.#inner.write(frame);
    }
    close(): void {
      this.#inner.close();
    }
  }
  return TappedLink as unknown as EthernetLinkClass;
}

/** The charging loop's messages (DIN/ISO-2 CurrentDemand, ChargingStatus; -20 DC/AC_ChargeLoop): not traced one by one. */
function isLoopMessage(name: string): boolean {
  return name === "CurrentDemandReq" || name === "CurrentDemandRes" || name === "ChargingStatusReq" || name === "ChargingStatusRes" || name.indexOf("_ChargeLoopRe") === 2;
}

function sameMac(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Runs one complete session and returns its summary (synchronously: the clock is virtual). */
export function runSimulation(options: SimulationOptions = {}): SimulationSummary {
  const simulation = startSimulation(options);
  while (!simulation.done) simulation.advance(1000);
  return simulation.summary!;
}

/** A session under way: advance its virtual time in steps (benchmarks sample the heap between). */
export interface RunningSimulation {
  /** Move simulated time forward by `ms` (the session may end on the way). */
  advance(ms: number): void;
  readonly done: boolean;
  /** Simulated time, ms. */
  readonly time: number;
  /** Set once done. */
  readonly summary: SimulationSummary | undefined;
  /** The virtual clock (a backend's timers run on it). */
  readonly clock: Clock;
  /** The charger, once the vehicle is plugged in. */
  readonly charger: ChargerStation | undefined;
}

export function startSimulation(options: SimulationOptions = {}): RunningSimulation {
  const protocol = options.protocol ?? "iso2";
  const transfer = options.transfer ?? "dc";
  const clock = new ManualClock();
  const random = seededRandom(options.seed ?? 15118);
  const EV_MAC = options.evMac ?? DEFAULT_EV_MAC;
  const EVSE_MAC = options.evseMac ?? DEFAULT_EVSE_MAC;
  const errors: string[] = [];
  const trace = (source: TraceSource, text: string, extra?: Partial<TraceEvent>): void => options.onTrace?.({ time: clock.now(), source, text, ...extra });
  const logger: Logger = {
    log(level: LogLevel, source: string, message: string, fields?: Readonly<Record<string, unknown>>): void {
      if (level === "error" || level === "warn") errors.push(`${source}: ${message}`);
      options.logger?.log(level, source, message, fields);
    },
  };
  const epoch = options.epochMs ?? 0;
  const tap = (frame: Uint8Array): void => options.onFrame?.(epoch + clock.now(), frame.slice());

  // ---- the powerline: our charger, its neighbours, the vehicle
  const line = new Powerline({ clock });
  const evseModem = line.addModem({ hostMac: EVSE_MAC, name: "evse" });
  const evModem = line.addModem({ hostMac: EV_MAC, name: "ev" });
  line.setAttenuation(evModem, evseModem, 21);
  const neighbours: SlacEvse[] = [];
  for (let i = 0; i < (options.neighbours ?? 1); i++) {
    const modem = line.addModem({ hostMac: Uint8Array.of(0x02, 0, 0, 0, 0x0b, 1 + i), name: `neighbour${i}` });
    line.setAttenuation(evModem, modem, 48 + 5 * i); // crosstalk between cables in one cabinet
    line.setAttenuation(evseModem, modem, 40);
    // A neighbour waits for its own car and gives up after TT_EVSE_SLAC_init: not an error here.
    neighbours.push(new SlacEvse({ link: { io: tappedLink(modem, tap) }, clock, random, logger: options.logger }));
  }
  const evseLink = tappedLink(evseModem, tap);
  const evLink = tappedLink(evModem, tap);

  // ---- the charger and the vehicle
  let summary: SimulationSummary | undefined;
  let plugAt = 0;
  let sessionStart = 0;
  let socStart = 0;
  let messages = 0;
  let matchedAt: number | undefined;
  let attenuation: number | undefined;
  let peakCurrent = 0;
  let peakPower = 0;
  let lastStatus = -Infinity;
  let lastMessage: string | undefined;
  let charger: ChargerStation | undefined;
  let vehicle: VehicleStation | undefined;
  let evStack: VirtualIpStack | undefined;
  let evseStack: VirtualIpStack | undefined;
  let outcome: VehicleOutcome | undefined;
  let unplugged = false;

  const battery = {
    capacityKWh: options.capacityKWh ?? DEFAULT_CAPACITY_KWH,
    soc: options.startSoc ?? DEFAULT_START_SOC,
  };
  const targetSoc = options.targetSoc ?? DEFAULT_TARGET_SOC;

  // ISO 15118-20 BPT: bidirectional power stages and battery; a scenario adds the site (energy
  // manager, profiles) that drives the power both ways through Dynamic control.
  const bpt = protocol === "iso20" && (options.bpt === true || options.scenario !== undefined);
  const scenario: ScenarioSpec | undefined = bpt && options.scenario !== undefined ? scenarioSpec(options.scenario, options.scenarioOptions) : undefined;
  const site = scenario === undefined ? undefined : new SimSiteEnergyManager({ clock, use: scenario.use, startOfDay: scenario.startOfDay, fixedLoad: scenario.fixedLoad, seed: options.seed });
  const mode = scenario !== undefined ? "dynamic" : options.mode ?? "scheduled";
  const socPath = new SocPathRecorder(battery.soc);
  let lastDirection: Direction | undefined;

  // The charger and the vehicle are modules/station's assemblies, as on a board (pilot → SLAC
  // → IPv6 → SDP → V2GTP → session), on simulated hardware: the pilot line's two ends, the
  // modems, the virtual IPv6 stacks, and (startCharger, startVehicle) the simulated power stages
  // and vehicle model under the SECC and EVCC services.
  const pilotLine = new PilotSim({ clock, plugged: false, period: 10 as Millis });
  const chargerAssembly = new ChargerAssembly({
    clock,
    random,
    logger,
    modem: { io: evseLink, ethertype: ETHERTYPE_HOMEPLUG },
    pilot: pilotLine.charger,
    ip: virtualHostIp({ name: "evse0", clock, onStack: (stack) => (evseStack = stack) }),
    createService: (ip) => startCharger(ip),
    onPilotEvent: (e) => chargerPilotEvent(e),
    onSlacStarted: () => {
      for (const n of neighbours) n.start();
    },
    onLinkUp: (info) => trace("slac", `EVSE matched EV ${toHex(info.evMac)} (NID ${toHex(info.nid)})`),
    onSlacFailed: (reason) => trace("slac", `EVSE SLAC failed: ${reason}`),
    onServing: (s) => trace("sdp", `charger answers SDP on ff02::1 and serves V2G on [${s.address}]:${s.port}`),
  });
  const vehicleAssembly = new VehicleAssembly({
    clock,
    random,
    logger,
    modem: { io: evLink, ethertype: ETHERTYPE_HOMEPLUG },
    pilot: pilotLine.vehicle,
    ip: virtualHostIp({ name: "ev0", clock, onStack: (stack) => (evStack = stack) }),
    createService: (ip) => startVehicle(ip),
    onPilotEvent: (e) => vehiclePilotEvent(e),
    onSlacCandidate: (c) => trace("slac", `EV hears EVSE ${toHex(c.evseMac)} at ${c.attenuation.toFixed(1)} dB`),
    onLinkUp: (info) => {
      matchedAt = clock.now();
      attenuation = info.attenuation;
      trace("slac", `EV matched EVSE ${toHex(info.evseMac)} at ${info.attenuation.toFixed(1)} dB; link up`);
    },
    onSlacFailed: (reason) => {
      trace("slac", `EV SLAC failed: ${reason}`);
      finish({ reason: "slac-failed" as VehicleOutcome["reason"], detail: reason, ok: false });
    },
  });
  const pilot: PilotPair = {
    sim: pilotLine,
    charger: chargerAssembly.link.pilot,
    vehicle: vehicleAssembly.link.pilot,
    close(): void {
      vehicleAssembly.link.pilot.close();
      chargerAssembly.link.pilot.close();
      pilotLine.close();
    },
  };

  const supervise = superviseChargerPilot(() => charger, logger);
  function chargerPilotEvent(e: ChargerPilotEvent): void {
    supervise(e);
    if (e.type === "state") {
      trace("pilot", `charger sees ${e.state}${e.state === "B2" ? " (5 % PWM: digital communication)" : ""}`);
      if (e.state === "A" && plugAt > 0 && !unplugged) {
        // Pulled out before the session ended: the summary waits for the vehicle's outcome.
        unplugged = true;
        trace("pilot", "cable pulled out under load");
      }
      if (e.state === "A" && unplugged && outcome) wrapUp();
    } else if (e.type === "power") trace("pilot", `power ${e.allowed ? "allowed" : "not allowed"} (${e.reason})`);
    else if (e.type === "error") trace("pilot", `pilot error ${e.reason} ${e.active ? "raised" : "cleared"}`);
  }

  let evSlacStarted = false;
  function vehiclePilotEvent(e: VehiclePilotEvent): void {
    if (e.type === "duty" && e.meaning.kind === "digital" && !evSlacStarted) {
      evSlacStarted = true;
      trace("pilot", `vehicle reads ${e.duty.toFixed(1)} % duty: digital communication`);
    } else if (e.type === "s2") trace("pilot", `vehicle ${e.closed ? "closes" : "opens"} S2`);
  }

  /** The charger's SECC on its link's IP stack: the simulated power stages under a SeccService. */
  function startCharger(ip: HostIpStack): SeccService {
    charger = new ChargerStation({
      clock,
      ...(world.wall !== undefined ? { wall: world.wall } : {}),
      backend: options.backend,
      io: options.tls ? { Udp: ip.Udp, Listener: options.tls.charger(ip) } : ip,
      tls: options.tls !== undefined,
      address: ip.address.split("%")[0],
      interface: "evse0",
      port: options.port ?? 0,
      protocols: [protocol],
      transfer: [transfer],
      config: {
        // Without TLS, -20 runs over the simulated plain TCP: allowed explicitly (it requires TLS 1.3 in the field).
        transport: "none",
        ...options.pnc?.charger,
        iso20: { controlModes: [mode], discharge: bpt ? BPT_DISCHARGE : undefined, insecureWithoutTls: options.tls === undefined, ...(scenario !== undefined ? { bpt: { generatorMode: scenario.generatorMode } } : {}) },
        dc: { maxVoltage: 500, maxCurrent: options.maxCurrent ?? DEFAULT_MAX_CURRENT, maxPower: options.maxPower ?? DEFAULT_MAX_POWER, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5, currentRegulationTolerance: 1 } },
      bidirectional: bpt ? { discharge: BPT_DISCHARGE } : undefined,
      energyManager: site,
      random,
      logger,
      exiFast: options.exiFast,
      onTrace: (entry: SeccTraceEntry) => {
        if (isLoopMessage(entry.message)) return;
        if (entry.direction === "rx") trace("secc", `${entry.state}: ${entry.message}${entry.summary ? ` ${entry.summary}` : ""}`);
      },
      onSessionEnd: (s) => trace("secc", `session ${s.session} ended: ${s.reason} (${s.messages} messages)`),
    });
    return charger.service;
  }

  /** The vehicle's EVCC on its link's IP stack: the vehicle model under an EvccService. */
  function startVehicle(ip: HostIpStack): EvccService {
    vehicle = new VehicleStation({
      clock,
      exiFast: options.exiFast,
      io: options.tls ? { Udp: ip.Udp, Tcp: options.tls.vehicle(ip) } : ip,
      tls: options.tls !== undefined,
      interface: "ev0",
      transfer,
      protocols: [protocol],
      insecureIso20WithoutTls: options.tls === undefined,
      session:
        protocol === "iso20"
          ? {
              iso20: { transfer: bpt ? (transfer === "dc" ? "dc_bpt" : "ac_bpt") : transfer, controlMode: mode },
              // An hour-long scenario: a DC loop every 250 ms instead of 100 ms (the energy
              // manager is still read at every one), so that it simulates in seconds.
              ...(scenario !== undefined ? { currentDemandInterval: SCENARIO_LOOP_INTERVAL } : {}),
              // -20 Plug & Charge: AuthorizationReq(PnC) signed by the contract key (statemachine/iso20/pnc.ts).
              ...(options.pnc !== undefined ? { pnc: options.pnc.vehicle } : {}),
            }
          : options.pnc !== undefined
            ? { pnc: options.pnc.vehicle }
            : undefined,
      evccId: EV_MAC,
      battery,
      targetSoc,
      bidirectional: bpt
        ? {
            minSoc: scenario?.minSoc,
            maxDischargePower: BPT_DISCHARGE.maxPower,
            maxDischargeCurrent: BPT_DISCHARGE.maxCurrent,
            departureAt: scenario === undefined ? undefined : clock.now() + scenario.durationMs,
            ends: scenario?.ends,
          }
        : undefined,
      logger,
      acPowerAvailable: () => charger?.ac?.closed ?? false,
      onDiscovered: (r) => trace("sdp", `vehicle found the charger at [${r.connectAddress}]:${r.port} after ${r.attempts} request(s)`),
      onPilot: (state) => pilot.vehicle.setReady(state === "C"),
      onContactors: (closed) => {
        trace("power", `vehicle contactors ${closed ? "closed" : "open"}`);
        if (closed) charger?.couple({ dcLoad: vehicle!.vehicle.dcLoad() });
        else charger?.uncouple();
      },
      onTrace: (entry: EvccTraceEntry) => evccTrace(entry),
      onEnd: (o) => finish(o),
    });
    socStart = vehicle.vehicle.battery.soc;
    socPath.reset(clock.now(), socStart);
    charger?.couple({ acDraw: () => vehicle?.vehicle.acCurrent() ?? 0, acLoad: bpt ? vehicle.vehicle.acLoad() : undefined });
    return vehicle.service;
  }

  function evccTrace(entry: EvccTraceEntry): void {
    messages++;
    lastMessage = `${entry.direction === "tx" ? "sent" : "received"} ${entry.name}`;
    if (entry.name === "SessionSetupReq") sessionStart = clock.now();
    const loop = isLoopMessage(entry.name);
    const v = vehicle!.vehicle;
    const voltage = charger?.dc?.presentVoltage ?? 0;
    const current = transfer === "dc" ? (charger?.dc?.presentCurrent ?? 0) : v.acCurrent();
    // Signed (bpt.ts): positive into the EV, negative out of it; a bidirectional stage says itself.
    const stagePower = bpt ? (charger?.dc?.presentPower ?? charger?.hardware.inverter?.presentActivePower) : undefined;
    const power = stagePower ?? (transfer === "dc" ? voltage * current : current * 230 * 3);
    peakCurrent = Math.max(peakCurrent, Math.abs(current));
    peakPower = Math.max(peakPower, Math.abs(power));
    if (!loop) {
      trace("evcc", `${entry.direction === "tx" ? "→" : "←"} ${entry.name}`, { message: { name: entry.name, direction: entry.direction, values: entry.values } });
      return;
    }
    socPath.add(clock.now(), v.battery.soc);
    // The charging loop runs every 100–500 ms: one status line every 10 s of simulated time, and
    // one whenever the energy changes direction (charge, discharge, idle).
    const direction = directionOf(power);
    if (entry.direction === "rx" && (options.traceEveryLoop === true || clock.now() - lastStatus >= 10_000 || direction !== lastDirection)) {
      lastStatus = clock.now();
      lastDirection = direction;
      trace("power", direction === "charge" ? "charging" : direction === "discharge" ? "discharging" : "idle", {
        values: { voltage: transfer === "dc" ? voltage : 230, current, soc: v.battery.soc, energyWh: charger?.meter.energyWh ?? 0, power, direction },
        message: { name: entry.name, direction: entry.direction, values: entry.values },
      });
    }
  }

  function finish(o: VehicleOutcome): void {
    if (outcome) return;
    outcome = o;
    trace("evcc", `session over: ${o.reason}${o.detail ? ` (${o.detail})` : ""}`);
    // The driver unplugs a few seconds later.
    clock.set(() => {
      if (unplugged) return wrapUp(); // the cable was pulled before the end
      unplugged = true;
      trace("pilot", "vehicle unplugged");
      pilot.sim.unplug();
    }, world.unplugDelay as Millis);
  }

  function wrapUp(): void {
    if (summary) return;
    const v = vehicle?.vehicle;
    const meterWh = charger?.meter.energyWh ?? 0;
    const account = bpt ? (charger?.dc?.energy ?? charger?.hardware.inverter?.energy) : undefined;
    summary = {
      ok: outcome?.ok ?? false,
      // the negotiated protocol even when the session was cut short (SAP succeeded)
      protocol: (outcome?.protocol ?? vehicle?.connection?.protocol) as SessionProtocol | undefined,
      transfer,
      outcome: outcome?.reason ?? "incomplete",
      detail: outcome?.detail,
      durationMs: clock.now() - plugAt,
      sessionMs: sessionStart > 0 ? clock.now() - sessionStart : 0,
      energyWh: meterWh,
      energyChargedWh: round1(account !== undefined ? account.chargedWh : meterWh),
      energyDischargedWh: round1(account !== undefined ? account.dischargedWh : 0),
      lossesWh: round1(account !== undefined ? account.lossesWh : 0),
      ...(scenario !== undefined ? { scenario: scenario.name } : {}),
      socStart,
      socEnd: v?.battery.soc ?? socStart,
      socPath: socPath.path(clock.now(), v?.battery.soc ?? socStart),
      messages,
      slac: { matchedAtMs: matchedAt !== undefined ? matchedAt - plugAt : undefined, attenuationDb: attenuation, evseMac: toHex(EVSE_MAC) },
      peakCurrent,
      peakPower,
      // what went wrong in the session, without the teardown's own lines (an abort on a cap)
      errors: errors.slice(),
      timeLimitMs: limit,
    };
    vehicle?.close();
    charger?.close();
    vehicleAssembly.close();
    chargerAssembly.close();
    for (const n of neighbours) n.close();
    pilot.close();
  }

  const world: SimulationWorld = {
    clock,
    line,
    evseModem,
    evModem,
    pilot,
    get charger() {
      return charger;
    },
    get vehicle() {
      return vehicle;
    },
    get evseStack() {
      return evseStack;
    },
    get evStack() {
      return evStack;
    },
    trace: (source, text) => trace(source, text),
    logger,
    unplugDelay: 3000,
  };
  options.inject?.(world);

  // ---- the scenario
  const limit = options.limit ?? (scenario !== undefined ? ((scenario.durationMs + TIME_LIMIT_MARGIN) as Millis) : simulationTimeLimit(options));
  trace(
    "sim",
    `${protocol.toUpperCase()} ${transfer.toUpperCase()} session, battery ${battery.capacityKWh} kWh at ${battery.soc} %, target ${targetSoc} %; ` +
      `simulated-time cap ${formatDuration(limit)}${options.limit !== undefined ? "" : scenario !== undefined ? " (the scenario's length + 10 min)" : " (1.5 × the expected charge + 10 min)"}`,
  );
  if (scenario !== undefined) {
    const at = formatTimeOfDay(scenario.startOfDay);
    trace("sim", `scenario ${scenario.name}: ${SCENARIO_TEXT[scenario.name]}; plugged in at ${at}, ${scenario.ends === "departure" ? `leaves after ${formatDuration(scenario.durationMs)}` : `until the minimum SoC (at most ${formatDuration(scenario.durationMs)})`}, minimum SoC ${scenario.minSoc} %, ${scenario.generatorMode}`);
  }
  clock.set(() => {
    plugAt = clock.now();
    trace("pilot", "vehicle plugged in");
    pilot.sim.plug();
  }, 1000 as Millis);
  // The cap: no end by then means the session is stuck. The outcome says so, with where it
  // stood, instead of posing as one of the protocol's own timeouts.
  function stopAtLimit(): void {
    const v = vehicle?.vehicle;
    const where = [
      outcome ? `the session had ended (${outcome.reason}) but the vehicle was not unplugged` : undefined,
      v ? `SoC ${v.battery.soc.toFixed(1)} % of ${targetSoc} %` : "no session",
      lastMessage ? `last ${lastMessage}` : undefined,
    ].filter((x) => x !== undefined);
    const detail = `no end within the simulated-time cap of ${formatDuration(limit)}; ${where.join(", ")}`;
    errors.push(`sim: ${detail}`);
    outcome = { ...outcome, reason: TIME_LIMIT_OUTCOME as VehicleOutcome["reason"], detail, ok: false };
    wrapUp();
  }

  return {
    advance(ms: number): void {
      if (summary) return;
      clock.advance(Math.min(ms, Math.max(0, limit - clock.now())));
      if (!summary && clock.now() >= limit) stopAtLimit();
    },
    get done(): boolean {
      return summary !== undefined;
    },
    get time(): number {
      return clock.now();
    },
    get summary(): SimulationSummary | undefined {
      return summary;
    },
    clock,
    get charger(): ChargerStation | undefined {
      return charger;
    },
  };
}

