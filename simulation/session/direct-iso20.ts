// A simulated ISO 15118-20 session for the services that do not run over the powerline: MCS and
// MCS_BPT (a truck on a megawatt charger: 10BASE-T1S Ethernet with its own pilot signalling),
// WPT (a car on a wireless pad) and DC_ACDP (a bus under a pantograph), the last two over WLAN.
// No pilot PWM and no SLAC: the link exists from the start, modelled as a direct Ethernet link
// between two virtual IPv6 stacks (every frame can be captured for a pcapng file). On it: SDP
// (MCS: the wired request/response, 0x9000/0x9001; WPT and ACDP on WLAN: the -20 wireless
// variant 0x9002/0x9003, -20 §7.10.1.8/9, the vehicle asking for its coupling type), TCP, SAP
// (-20 namespaces :DC, :WPT, :ACDP) and the -20 session with its device models
// (simulation/acdp, simulation/wpt).
//
// Portable (no Node imports), like ./simulation.ts. Same trace events as it (sources sim, sdp,
// evcc, secc, power) so that the host prints them the same way.

import { ManualClock } from "../../modules/common/manual-clock";
import type { Millis } from "../../modules/common/clock";
import type { Logger, LogLevel } from "../../modules/common/log";
import { CouplingType, P2psPpd, SdpClient, SdpServer } from "../../modules/v2gtp/index";
import { ChargerBinding, SeccConnection } from "../../modules/statemachine/index";
import type { SeccConfig, SeccConnectionOptions } from "../../modules/statemachine/index";
import { EvccConnection } from "../../modules/statemachine/evcc/index";
import type { EvccConnectionOutcome, EvccTraceEntry } from "../../modules/statemachine/evcc/index";
import type { Iso20ControlMode } from "../../modules/statemachine/iso20/services";
import type { AcdpVehicle } from "../../modules/statemachine/iso20/acdp-device";
import type { WptReceiver } from "../../modules/statemachine/iso20/wpt-device";
import { SimApproach, SimPantograph } from "../acdp/pantograph";
import { SimDcPowerModule, SimMeter } from "../charger/index";
import { SimVehicle } from "../vehicle/index";
import type { BatteryOptions } from "../vehicle/index";
import { SimWirelessPad, SimWptReceiver } from "../wpt/pad";
import { VirtualIpStack } from "../vnet/stack";
import type { FrameSink } from "../vnet/stack";

export type DirectService = "mcs" | "mcs_bpt" | "wpt" | "acdp";
export type DirectTraceSource = "sim" | "sdp" | "evcc" | "secc" | "power";

export interface DirectTraceEvent {
  time: number;
  source: DirectTraceSource;
  text: string;
  values?: { voltage?: number; current?: number; soc?: number; energyWh?: number; power?: number };
}

export interface DirectSimulationOptions {
  service: DirectService;
  mode?: Iso20ControlMode;
  startSoc?: number;
  targetSoc?: number;
  /** Battery capacity (kWh); default per service: truck 600, car 40, bus 400. */
  capacityKWh?: number;
  /** Simulated-time cap (ms). Default 4 h. */
  timeLimitMs?: number;
  onTrace?(event: DirectTraceEvent): void;
  /** Every Ethernet frame on the link (ms since the start + epochMs, frame). */
  onFrame?(time: number, frame: Uint8Array): void;
  epochMs?: number;
  logger?: Logger;
  /** Generated codecs per schema for both connections' codecs (SeccConnectionOptions.exiFast; `xs15118 sim` registers the Node host's). */
  exiFast?: SeccConnectionOptions["exiFast"];
  /** Faults of the device models (tests, the CLI's fault drills). */
  faults?: { lateralOffset?: number; pantographNoContact?: boolean; loseContactAfter?: Millis; pairingCode?: number; weakCoupling?: boolean; fodAfter?: Millis };
}

export interface DirectSimulationSummary {
  ok: boolean;
  protocol: "iso20";
  service: DirectService;
  outcome: string;
  detail?: string;
  /** Start to the end of the session, and SessionSetup to SessionStop (simulated ms). */
  durationMs: number;
  sessionMs: number;
  /** Energy into the battery's terminals (Wh). */
  energyWh: number;
  socStart: number;
  socEnd: number;
  /** V2G messages exchanged (requests and responses, SAP included). */
  messages: number;
  peakCurrent: number;
  peakPower: number;
  errors: string[];
}

const EVSE_MAC = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x0c, 0x01);
const EV_MAC = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x0d, 0x01);
const UNIX_START = 1_761_474_994n;

/**
 * The simulated vehicle as the EVCC's BMS, with its side of the ACD or its WPT receiver
 * (Iso20EvBms.acdpVehicle / wptReceiver). SimVehicle keeps its state in private fields, so the
 * BMS delegates to it rather than copying it.
 */
export function vehicleWithDevices(vehicle: SimVehicle, devices: { acdpVehicle?: AcdpVehicle; wptReceiver?: WptReceiver }): SimVehicle {
  return new Proxy(vehicle, {
    get(target, key) {
      if (key === "acdpVehicle" && devices.acdpVehicle !== undefined) return () => devices.acdpVehicle;
      if (key === "wptReceiver" && devices.wptReceiver !== undefined) return () => devices.wptReceiver;
      const value = (target as unknown as Record<string | symbol, unknown>)[key];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Per service: the charger's configuration and the vehicle's battery. */
function setup(service: DirectService, mode: Iso20ControlMode): { config: SeccConfig; battery: BatteryOptions; dcLimits?: NonNullable<SeccConfig["dc"]> } {
  const base = { energyModes: ["DC_extended" as const], protocols: ["iso20" as const], meterId: "SIM-METER-D", transport: "none" as const };
  switch (service) {
    case "mcs":
    case "mcs_bpt": {
      // A megawatt charger: 1,250 V, 3,000 A, 3.75 MW (the MCS ratings); a 1,000 V class truck pack.
      const dc = { maxVoltage: 1250, maxCurrent: 3000, maxPower: 3_750_000, minVoltage: 200, minCurrent: 0, peakCurrentRipple: 20 };
      const discharge = service === "mcs_bpt" ? { discharge: { maxPower: 1_000_000, maxCurrent: 1000 } } : {};
      return {
        config: { ...base, evseId: "DE*XS1*E0MCS", dc, iso20: { services: [service], controlModes: [mode], insecureWithoutTls: true, ...discharge } },
        battery: { capacityKWh: 600, soc: 30, cellsInSeries: 280, maxCurrent: 3000, maxPower: 3_750_000, internalResistance: 0.01 },
        dcLimits: dc,
      };
    }
    case "acdp": {
      const dc = { maxVoltage: 900, maxCurrent: 600, maxPower: 450_000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5 };
      return {
        config: { ...base, evseId: "DE*XS1*E0ACD", dc, iso20: { services: ["dc_acdp"], controlModes: [mode], insecureWithoutTls: true } },
        battery: { capacityKWh: 400, soc: 40, cellsInSeries: 192, maxCurrent: 600, maxPower: 450_000, internalResistance: 0.02 },
        dcLimits: dc,
      };
    }
    case "wpt":
      return {
        config: { ...base, energyModes: ["AC_three_phase_core"], evseId: "DE*XS1*E0WPT", schedulePower: 11_000, iso20: { services: ["wpt"], controlModes: [mode], insecureWithoutTls: true } },
        battery: { capacityKWh: 40, soc: 50, maxCurrent: 125 },
      };
  }
}

/** Runs one session to its end on a virtual clock (synchronously) and returns its summary. */
export function runDirectSimulation(options: DirectSimulationOptions): DirectSimulationSummary {
  const service = options.service;
  const mode = options.mode ?? "scheduled";
  const clock = new ManualClock();
  const errors: string[] = [];
  const trace = (source: DirectTraceSource, text: string, values?: DirectTraceEvent["values"]): void => options.onTrace?.({ time: clock.now(), source, text, values });
  const logger: Logger = {
    log(level: LogLevel, source: string, message: string, fields?: Readonly<Record<string, unknown>>): void {
      if (level === "error" || level === "warn") errors.push(`${source}: ${message}`);
      options.logger?.log(level, source, message, fields);
    },
  };
  const { config, battery: batteryDefaults, dcLimits } = setup(service, mode);
  const battery: BatteryOptions = { ...batteryDefaults, ...(options.capacityKWh !== undefined ? { capacityKWh: options.capacityKWh } : {}), ...(options.startSoc !== undefined ? { soc: options.startSoc } : {}) };
  const targetSoc = options.targetSoc ?? battery.soc + 3;
  const faults = options.faults ?? {};

  // ---- the link: two stations on one Ethernet segment (10BASE-T1S / WLAN), frames tapped
  const epoch = options.epochMs ?? 0;
  let evStack: VirtualIpStack | undefined;
  let evseStack: VirtualIpStack | undefined;
  const sink = (mac: Uint8Array, peer: () => VirtualIpStack | undefined): FrameSink => ({
    mac,
    write(frame: Uint8Array): void {
      options.onFrame?.(epoch + clock.now(), frame.slice());
      peer()?.receive(frame);
    },
  });
  evseStack = new VirtualIpStack({ name: "evse0", clock, link: sink(EVSE_MAC, () => evStack) });
  evStack = new VirtualIpStack({ name: "ev0", clock, link: sink(EV_MAC, () => evseStack) });

  // ---- the charger: power stage or pad, device, meter
  const dc = dcLimits !== undefined ? new SimDcPowerModule({ clock, limits: dcLimits, isolationCheckTime: 2000 as Millis, currentSlew: 5 }) : undefined;
  const vehicle = new SimVehicle({ clock, battery, targetSoc });
  const approach = service === "acdp" ? new SimApproach({ clock, lateralOffset: faults.lateralOffset }) : undefined;
  const pantograph = approach !== undefined ? new SimPantograph({ clock, approach, noContact: faults.pantographNoContact, loseContactAfter: faults.loseContactAfter }) : undefined;
  const receiver = service === "wpt" ? new SimWptReceiver({ clock, vehicle, lateralOffset: faults.lateralOffset, observesCode: faults.pairingCode }) : undefined;
  const pad = receiver !== undefined ? new SimWirelessPad({ clock, receiver, weakCoupling: faults.weakCoupling, fodAfter: faults.fodAfter }) : undefined;
  const meter = new SimMeter({ clock, power: () => (dc !== undefined ? dc.presentVoltage * dc.presentCurrent : (pad?.state.powerTransmitted ?? 0)) });
  const binding = new ChargerBinding({ dc, meter, acdp: pantograph, wpt: pad });
  let secc: SeccConnection | undefined;
  const listener = new evseStack.Listener({
    port: 0,
    onReadable: () => {
      if (secc !== undefined) return; // one vehicle at this charger
      secc = new SeccConnection({
        open: (callbacks) => listener.read(callbacks),
        config,
        clock,
        unixTime: () => UNIX_START + BigInt(Math.floor(clock.now() / 1000)),
        logger,
        exiFast: options.exiFast,
        ...binding.sessionOptions(),
        trace: (e) => {
          if (e.direction === "rx" && e.message.indexOf("ChargeLoop") < 0) trace("secc", `${e.state}: ${e.message}`);
        },
      });
      binding.attach(secc.session);
      pantograph?.report();
      pad?.report();
    },
  });
  const address = evseStack.address.split("%")[0];
  // WLAN: the wireless SDP, each charger answering for its coupling type (ISO 15118-8 link, -20 §7.10.1.9).
  const coupling = service === "wpt" ? CouplingType.WPT : service === "acdp" ? CouplingType.PANTOGRAPH_CROSS_RAIL : undefined;
  const wireless = coupling === undefined ? undefined : { couplingType: coupling, evseId: config.evseId };
  const sdp = new SdpServer({ udp: evseStack.Udp, interface: "evse0", address, tcpPort: listener.port, clock, logger, ...(wireless !== undefined ? { wireless } : {}) });
  trace("sim", `${service.toUpperCase()} charger on a direct link (no pilot PWM, no SLAC); SDP on ff02::1, V2G on [${address}]:${listener.port}`);

  // ---- the vehicle: SDP, then the -20 session
  const transfer = service === "acdp" ? "dc_acdp" : service;
  const bms = vehicleWithDevices(vehicle, { acdpVehicle: approach, wptReceiver: receiver });
  let outcome: EvccConnectionOutcome | undefined;
  let messages = 0;
  let sessionStart = 0;
  let sessionEnd = 0;
  let peakCurrent = 0;
  let peakPower = 0;
  const socStart = vehicle.battery.soc;
  const wh0 = vehicle.battery.terminalWh;
  const onTrace = (entry: EvccTraceEntry): void => {
    messages++;
    if (entry.name === "SessionSetupReq" && sessionStart === 0) sessionStart = clock.now();
    if (entry.name === "SessionStopRes") sessionEnd = clock.now();
    if (entry.direction === "tx" && entry.name.indexOf("ChargeLoop") < 0) trace("evcc", `sends ${entry.name}`);
  };
  const client = new SdpClient({
    udp: evStack.Udp,
    clock,
    interface: "ev0",
    security: "none",
    logger,
    ...(coupling !== undefined ? { wireless: { evid: "", couplingType: coupling, p2psPpd: service === "wpt" ? P2psPpd.WPT_LF_ON_INFRASTRUCTURE : P2psPpd.PPD_ON_INFRASTRUCTURE } } : {}),
    onDiscovered: (r) => {
      const how = r.wireless !== undefined ? ` (wireless SDP: ${r.wireless.evseId}, ${r.wireless.diagStatus})` : "";
      trace("sdp", `vehicle found the charger at [${r.connectAddress}]:${r.port} after ${r.attempts} request(s)${how}`);
      new EvccConnection({
        open: (callbacks) => new evStack!.Tcp({ address: r.connectAddress, port: r.port, ...callbacks }),
        session: { energyTransferMode: service === "wpt" ? "AC_three_phase_core" : "DC_extended", evccId: EV_MAC, iso20: { transfer, controlMode: mode } },
        bms,
        vehicle: vehicle.hooks({ dcOutput: dc }),
        clock,
        unixTime: () => UNIX_START + BigInt(Math.floor(clock.now() / 1000)),
        transport: "none",
        insecureIso20WithoutTls: true,
        logger,
        exiFast: options.exiFast,
        onTrace,
        onStop: (o) => {
          outcome = o;
          trace("sim", `session ended: ${o.reason}${o.detail ? ` (${o.detail})` : ""}`);
        },
      });
    },
    onFailed: (error) => {
      outcome = { reason: "connect-failed", detail: error.message, step: "SupportedAppProtocol", orderly: false, paused: false, sessionId: new Uint8Array(0) };
    },
  });
  client.start();

  // ---- run: one simulated second at a time, the live values every 10 s
  const limit = options.timeLimitMs ?? 4 * 3_600_000;
  let lastStatus = -Infinity;
  while (outcome === undefined && clock.now() < limit) {
    clock.advance(1000);
    const current = dc?.presentCurrent ?? 0;
    const power = dc !== undefined ? dc.presentVoltage * current : (receiver?.output ?? 0);
    if (current > peakCurrent) peakCurrent = current;
    if (power > peakPower) peakPower = power;
    if (power > 0 && clock.now() - lastStatus >= 10_000) {
      lastStatus = clock.now();
      trace("power", "", { voltage: dc?.presentVoltage, current: dc !== undefined ? current : undefined, soc: vehicle.battery.soc, energyWh: vehicle.battery.terminalWh - wh0, power });
    }
  }
  clock.advance(6000); // the teardown (the -20 SECC closes TCP 5 s after SessionStopRes at the latest)
  sdp.close();
  listener.close();
  const ended = outcome ?? { reason: "sim-time-limit", detail: `no end within ${limit} ms`, orderly: false };
  return {
    ok: ended.reason === "charging-complete" && ended.orderly === true,
    protocol: "iso20",
    service,
    outcome: ended.reason,
    detail: ended.detail,
    durationMs: clock.now(),
    sessionMs: sessionStart > 0 ? (sessionEnd > 0 ? sessionEnd : clock.now()) - sessionStart : 0,
    energyWh: Math.round(vehicle.battery.terminalWh - wh0),
    socStart,
    socEnd: vehicle.battery.soc,
    messages,
    peakCurrent: Math.round(peakCurrent),
    peakPower: Math.round(peakPower),
    errors,
  };
}
