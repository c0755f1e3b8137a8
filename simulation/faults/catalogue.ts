// The catalogue of faults `xs15118 sim --fault NAME[@TIME]` injects into the simulated
// hardware and links, each with the end the standards define for it. Each entry arms itself on
// the simulation's parts (SimulationWorld) and logs one "fault NAME injected: …" line when it
// strikes; tests/sim/faults.test.ts runs every entry and checks its end, its log lines and
// that the charger is left safe (output off, contactors open, no session).
//
// Triggers: by default a fault strikes where it means something (most of them 5 s after power
// starts to flow; SLAC, SDP and isolation faults from the start); NAME@TIME strikes at TIME of
// simulated time from the start of the run instead.
// Portable (no Node imports): the same catalogue runs in the XS tests and the soak.

import type { Millis } from "../../modules/common/clock";
import { SettableWallClock } from "../../modules/common/wall-clock";
import type { SimModem } from "../powerline";
import type { SimulationWorld } from "../session/simulation";
import { ethernetFrame, ipv6Packet, tcpSegment, IPPROTO_TCP, TCP_ACK, TCP_RST } from "../pcap/write";

export type FaultName =
  | "plc-outage"
  | "plc-burst"
  | "plc-corrupt"
  | "tcp-reset"
  | "pilot-e"
  | "pilot-diode"
  | "pilot-b"
  | "unplug"
  | "emergency-stop-evse"
  | "emergency-stop-ev"
  | "power-module-fault"
  | "isolation-fault"
  | "contactor-weld"
  | "ev-silent"
  | "evse-silent"
  | "slac-no-match"
  | "slac-loss"
  | "sdp-no-answer"
  | "sdp-loss"
  | "clock-jump";

export interface FaultDefinition {
  readonly name: FaultName;
  /** One line for `--fault list`. */
  readonly summary: string;
  /** The end the standard defines, and the clause. */
  readonly ending: string;
  /** Where it strikes without @TIME: `charging` = 5 s after power starts to flow. */
  readonly trigger: "start" | "charging";
  /** The vehicle's outcomes this fault may end in (the summary's `outcome`). */
  readonly outcomes: readonly string[];
  /**
   * Whether the vehicle's session still ends in order (SessionStop: the fault is bridged, or
   * the EV stops on its own); undefined: it depends on the protocol (ISO-2 AC answers a charger
   * fault with StopCharging, DC and -20 with FAILED).
   */
  readonly orderly?: boolean;
  /** Log lines (source: message) that must appear once it struck. */
  readonly logs: readonly RegExp[];
  /** Does the damage once the trigger is reached. */
  strike(world: SimulationWorld, fault: ActiveFault): void;
}

/** A fault as asked for: its catalogue entry and when it strikes. */
export interface FaultSpec {
  readonly name: FaultName;
  /** Simulated ms from the start of the run; absent: the entry's own trigger. */
  readonly at?: number;
}

export interface ActiveFault {
  readonly definition: FaultDefinition;
  /** Log (warn) and trace one line about what the fault does now. */
  note(text: string): void;
}

/** Power starts to flow: DC current, or the AC contactor closed. */
function powerFlows(world: SimulationWorld): boolean {
  const charger = world.charger;
  return charger !== undefined && ((charger.dc?.presentCurrent ?? 0) > 1 || charger.ac?.closed === true);
}

const ETHERTYPE_IPV6 = 0x86dd;
const SDP_PORT = 15118;
/** Header bytes of a V2GTP message (ISO 15118-2 §7.8.3): the EXI body follows. */
const V2GTP_HEADER = 8;

interface TcpView {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Offset of the TCP payload in the frame, and its length. */
  payloadAt: number;
  payloadLength: number;
}

/** The TCP fields of an IPv6/TCP Ethernet frame, or undefined for any other frame. */
function tcpOf(frame: Uint8Array): TcpView | undefined {
  if (frame.length < 14 + 40 + 20 || ((frame[12] << 8) | frame[13]) !== ETHERTYPE_IPV6 || frame[14 + 6] !== IPPROTO_TCP) return undefined;
  const t = 14 + 40;
  const ipPayload = (frame[14 + 4] << 8) | frame[14 + 5];
  const dataOffset = (frame[t + 12] >> 4) * 4;
  return {
    srcPort: (frame[t] << 8) | frame[t + 1],
    dstPort: (frame[t + 2] << 8) | frame[t + 3],
    seq: ((frame[t + 4] << 24) | (frame[t + 5] << 16) | (frame[t + 6] << 8) | frame[t + 7]) >>> 0,
    ack: ((frame[t + 8] << 24) | (frame[t + 9] << 16) | (frame[t + 10] << 8) | frame[t + 11]) >>> 0,
    payloadAt: t + dataOffset,
    payloadLength: ipPayload - dataOffset,
  };
}

/** Whether a frame is an SDP datagram (UDP to or from port 15118). */
function isSdp(frame: Uint8Array): boolean {
  if (frame.length < 14 + 40 + 8 || ((frame[12] << 8) | frame[13]) !== ETHERTYPE_IPV6 || frame[14 + 6] !== 17) return false;
  const u = 14 + 40;
  return ((frame[u] << 8) | frame[u + 1]) === SDP_PORT || ((frame[u + 2] << 8) | frame[u + 3]) === SDP_PORT;
}

/** For `duration` ms from now, `disturb` decides about each frame on the line (then the line is clean again). */
function disturbFor(world: SimulationWorld, duration: number, disturb: NonNullable<SimulationWorld["line"]["interference"]>): void {
  world.line.interference = disturb;
  world.clock.set(() => {
    if (world.line.interference === disturb) world.line.interference = undefined;
  }, duration as Millis);
}

/** From now on, frames one station sends are lost (the other side keeps its link). */
function silence(world: SimulationWorld, station: SimModem, what: (frame: Uint8Array, kind: string) => boolean = () => true): void {
  world.line.interference = (from, _to, frame, kind) => (from === station && what(frame, kind) ? { drop: true } : undefined);
}

/** Length of a plc-outage: beyond V2G_EVCC_Msg_Timeout (2 s) and the CurrentDemand 250 ms. */
const OUTAGE_MS = 5000;
/** The charger's hardware drops the output and tells the live session why. */
function chargerStops(world: SimulationWorld, why: "emergency-shutdown" | "malfunction"): void {
  world.charger?.dc?.stop();
  if (world.charger?.ac?.closed) world.charger.ac.open();
  world.charger?.connection?.session.control({ kind: why });
}

/** A pilot fault lasts this long (water in the inlet, a loose contact), so the unplug after it shows state A. */
const TRANSIENT_PILOT_FAULT_MS = 2000;
/** Length of a plc-burst: bridged by TCP retransmission within the CurrentDemand timeout (250 ms). */
const BURST_MS = 150;

const entries: FaultDefinition[] = [
  {
    name: "plc-outage",
    summary: "the powerline carries nothing for 5 s while power flows (every frame lost)",
    ending: "the EV's V2G_EVCC_Msg_Timeout (ISO 15118-2, DIN 70121: 250 ms for CurrentDemand, 2 s otherwise) ends its session; the charger stops the output at the link loss or unplug; the meter keeps what flowed",
    trigger: "charging",
    outcomes: ["timeout-message"],
    orderly: false,
    logs: [/fault plc-outage injected/, /evcc: session aborted: timeout-message/, /secc: session stopped: /],
    strike(world, fault) {
      fault.note(`every frame on the powerline lost for ${OUTAGE_MS} ms`);
      disturbFor(world, OUTAGE_MS, () => ({ drop: true }));
    },
  },
  {
    name: "plc-burst",
    summary: "a 150 ms noise burst on the powerline while power flows (frames resent by TCP after it)",
    ending: "TCP retransmission bridges it within the CurrentDemand V2G_EVCC_Msg_Timeout (250 ms): the session carries on and ends normally",
    trigger: "charging",
    outcomes: ["charging-complete"],
    orderly: true,
    logs: [/fault plc-burst injected/, /secc: session stopped: ev-terminate/],
    strike(world, fault) {
      const end = world.clock.now() + BURST_MS;
      fault.note(`noise burst of ${BURST_MS} ms: IP frames delivered after it (TCP retransmission), HomePlug management frames lost`);
      // Every IP frame is held to the end of the burst, in order (a retransmitting sender).
      disturbFor(world, BURST_MS, (_from, _to, _frame, kind) => (kind === "data" ? { delay: Math.max(0, end - world.clock.now()) } : { drop: true }));
    },
  },
  {
    name: "plc-corrupt",
    summary: "one V2G message from the EV arrives corrupted in a way the TCP checksum misses",
    ending: "the SECC cannot decode it: no request, so no response; it closes the connection (a negative response needs the request's type) and stops the output; the EV sees the link go down",
    trigger: "charging",
    outcomes: ["link-down"],
    orderly: false,
    logs: [/fault plc-corrupt injected/, /secc: EXI decode failed/],
    strike(world, fault) {
      fault.note("the next V2G message from the EV gets its EXI body overwritten");
      world.line.interference = (from, _to, frame) => {
        const tcp = from === world.evModem ? tcpOf(frame) : undefined;
        if (tcp === undefined || tcp.payloadLength <= V2GTP_HEADER) return undefined;
        world.line.interference = undefined;
        const bad = frame.slice();
        bad.fill(0xff, tcp.payloadAt + V2GTP_HEADER, tcp.payloadAt + tcp.payloadLength);
        return { frame: bad };
      };
    },
  },
  {
    name: "tcp-reset",
    summary: "the V2G TCP connection is reset in the charging loop (RST to both ends)",
    ending: "both ends see the connection fail: the EV ends its session (link-down), the SECC stops the output and ends its session (link-down)",
    trigger: "charging",
    outcomes: ["link-down"],
    orderly: false,
    logs: [/fault tcp-reset injected/, /secc: session stopped: link-down/],
    strike(world, fault) {
      // The connection's addresses and sequence numbers, from the EV's next segment.
      world.line.interference = (from, _to, frame) => {
        const tcp = from === world.evModem ? tcpOf(frame) : undefined;
        if (tcp === undefined) return undefined;
        world.line.interference = undefined;
        const evIp = frame.slice(14 + 8, 14 + 24);
        const evseIp = frame.slice(14 + 24, 14 + 40);
        const evMac = frame.slice(6, 12);
        const evseMac = frame.slice(0, 6);
        fault.note(`RST on [${tcp.srcPort}]⇄[${tcp.dstPort}]`);
        const rstToEv = tcpSegment(evseIp, evIp, { srcPort: tcp.dstPort, dstPort: tcp.srcPort, seq: tcp.ack, ack: 0, flags: TCP_RST, payload: new Uint8Array(0) });
        const rstToEvse = tcpSegment(evIp, evseIp, { srcPort: tcp.srcPort, dstPort: tcp.dstPort, seq: tcp.seq, ack: 0, flags: TCP_RST | TCP_ACK, payload: new Uint8Array(0) });
        world.evStack?.receive(ethernetFrame({ dst: evMac, src: evseMac, ethertype: ETHERTYPE_IPV6, payload: ipv6Packet(evseIp, evIp, IPPROTO_TCP, rstToEv, 255) }));
        world.evseStack?.receive(ethernetFrame({ dst: evseMac, src: evMac, ethertype: ETHERTYPE_IPV6, payload: ipv6Packet(evIp, evseIp, IPPROTO_TCP, rstToEvse, 255) }));
        return { drop: true };
      };
    },
  },
  {
    name: "pilot-e",
    summary: "the control pilot shorts to PE while power flows (state E)",
    ending: "IEC 61851-1 state E: the charger switches the supply off at once (simulation/charger/pilot-supervision.ts); the SECC ends the session (cp-unplugged) and closes the connection; the EV sees the link go down",
    trigger: "charging",
    outcomes: ["link-down"],
    orderly: false,
    logs: [/pilot: pilot state E during the session: output off/, /fault pilot-e injected/, /secc: session stopped: cp-unplugged/],
    strike(world, fault) {
      fault.note(`CP shorted to PE for ${TRANSIENT_PILOT_FAULT_MS} ms`);
      world.pilot.sim.setFault("short-circuit");
      world.clock.set(() => world.pilot.sim.setFault(undefined), TRANSIENT_PILOT_FAULT_MS as Millis);
    },
  },
  {
    name: "pilot-diode",
    summary: "the vehicle's pilot diode fails short while power flows (negative plateau lost: state F)",
    ending: "IEC 61851-1 Table A.4: a missing diode is a pilot error: supply off at once; the SECC reports EVSE_Malfunction (FAILED in DC and -20, StopCharging in ISO-2 AC) and the EV ends the session",
    trigger: "charging",
    outcomes: ["response-code", "evse-stop", "evse-error"],
    logs: [/fault pilot-diode injected/, /pilot: the pilot no longer allows power while charging \(pilot-error\)/],
    strike(world, fault) {
      fault.note(`vehicle diode shorted for ${TRANSIENT_PILOT_FAULT_MS} ms`);
      world.pilot.sim.setFault("diode-missing");
      world.clock.set(() => world.pilot.sim.setFault(undefined), TRANSIENT_PILOT_FAULT_MS as Millis);
    },
  },
  {
    name: "pilot-b",
    summary: "the vehicle opens S2 while power flows (pilot C → B without PowerDelivery Stop)",
    ending: "IEC 61851-1 C → B: the charger stops the supply; ISO 15118-2: the SECC stops charging and ends the session when the pilot stays out of C/D (V2G_SECC_CPState_Detection_Timeout)",
    trigger: "charging",
    outcomes: ["evse-stop"],
    orderly: true,
    logs: [/pilot: the pilot no longer allows power while charging \(vehicle-stopped\)/, /fault pilot-b injected/],
    strike(world, fault) {
      fault.note("S2 forced open");
      world.pilot.sim.forceS2(false);
    },
  },
  {
    name: "unplug",
    summary: "the cable is pulled out under load (pilot to A mid-loop)",
    ending: "IEC 61851-1 state A: supply off at once; the SECC ends the session (cp-unplugged); the EV's session ends with the link",
    trigger: "charging",
    outcomes: ["link-down"],
    orderly: false,
    logs: [/pilot: pilot state A during the session: output off/, /fault unplug injected/, /secc: session stopped: cp-unplugged/],
    strike(world, fault) {
      fault.note("cable pulled under load");
      world.pilot.sim.unplug();
    },
  },
  {
    name: "emergency-stop-evse",
    summary: "the charger's emergency stop is pressed while power flows",
    ending: "output off; the SECC reports EVSE_EmergencyShutdown (DC_EVSEStatusCode) and answers FAILED (DC, -20) or StopCharging (ISO-2 AC); the EV opens its contactors and ends the session",
    trigger: "charging",
    outcomes: ["response-code", "evse-stop", "evse-error"],
    logs: [/fault emergency-stop-evse injected/, /secc: session stopped: /],
    strike(world, fault) {
      fault.note("emergency stop at the charger");
      chargerStops(world, "emergency-shutdown");
    },
  },
  {
    name: "emergency-stop-ev",
    summary: "the vehicle stops charging at once (its driver or its BMS) while power flows",
    ending: "the EV sends PowerDelivery Stop, welding detection (DC) and SessionStop: an orderly end, the meter keeps what flowed",
    trigger: "charging",
    outcomes: ["user-stop"],
    orderly: true,
    logs: [/fault emergency-stop-ev injected/, /secc: session stopped: ev-terminate/],
    strike(world, fault) {
      fault.note("the vehicle stops charging");
      world.vehicle?.stop();
    },
  },
  {
    name: "power-module-fault",
    summary: "the charger's power stage fails while power flows",
    ending: "output off; the SECC reports EVSE_Malfunction and StopCharging; the EV ends the session in order (evse-error)",
    trigger: "charging",
    outcomes: ["response-code", "evse-stop", "evse-error"],
    logs: [/fault power-module-fault injected/, /secc: session stopped: /],
    strike(world, fault) {
      fault.note("power stage failed: output off");
      chargerStops(world, "malfunction");
    },
  },
  {
    name: "isolation-fault",
    summary: "the isolation monitor finds a fault during CableCheck",
    ending: "IEC 61851-23 §6.4.3.106 (isolation measured before pre-charge): CableCheckRes FAILED, no pre-charge, the EV ends the session; the output never carries power",
    trigger: "start",
    outcomes: ["response-code"],
    orderly: false,
    logs: [/fault isolation-fault injected/, /secc: session stopped: failed-response/, /evcc: session aborted: response-code \(D?C?_?CableCheckRes: FAILED\)/],
    strike(world, fault) {
      fault.note("the isolation monitor will report Fault");
      const arm = (): void => {
        const dc = world.charger?.dc;
        if (dc !== undefined) dc.setIsolationResult("Fault");
        else world.clock.set(arm, 100 as Millis);
      };
      arm();
    },
  },
  {
    name: "contactor-weld",
    summary: "a DC contactor welds: the battery's voltage stays on the cable after the stop",
    ending: "WeldingDetection (DC) shows the voltage: the EV's welding check does not pass and ends on its own verdict after the timeout; the charger's output is off",
    trigger: "start",
    outcomes: ["charging-complete"],
    orderly: true,
    logs: [/fault contactor-weld injected/, /evcc: WeldingDetection: EVSEPresentVoltage did not fall in time/],
    strike(world, fault) {
      const arm = (): void => {
        const dc = world.charger?.dc;
        const vehicle = world.vehicle;
        if (dc === undefined || vehicle === undefined) {
          world.clock.set(arm, 100 as Millis);
          return;
        }
        fault.note("contactor welded: the cable shows the battery voltage once the output is off");
        const measured = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(dc), "presentVoltage")!.get!;
        Object.defineProperty(dc, "presentVoltage", {
          configurable: true,
          get: () => (dc.mode === "off" ? Math.round(vehicle.vehicle.battery.terminalVoltage(0)) : measured.call(dc)),
        });
      };
      arm();
    },
  },
  {
    name: "ev-silent",
    summary: "the vehicle stops answering while power flows (its controller hangs; it stays plugged in)",
    ending: "the SECC's V2G_SECC_Sequence_Timeout (60 s; 0.5 s in the -20 charge loop) ends the session and stops the output",
    trigger: "charging",
    outcomes: ["timeout-message", "link-down"],
    orderly: false,
    logs: [/fault ev-silent injected/, /secc: session stopped: timeout-sequence/],
    strike(world, fault) {
      fault.note("every frame from the vehicle lost from now on");
      world.unplugDelay = 90_000; // a hung vehicle is not unplugged at once
      silence(world, world.evModem);
    },
  },
  {
    name: "evse-silent",
    summary: "the charger stops answering while power flows (its controller hangs)",
    ending: "the EV's V2G_EVCC_Msg_Timeout ends its session: contactors open, S2 open, unplug; the charger's output goes off with the pilot and its session ends at the link loss (or its own -20 loop timeout)",
    trigger: "charging",
    outcomes: ["timeout-message"],
    orderly: false,
    logs: [/fault evse-silent injected/, /evcc: session aborted: timeout-message/, /secc: session stopped: (link-down|timeout-sequence)/],
    strike(world, fault) {
      fault.note("every frame from the charger lost from now on");
      silence(world, world.evseModem);
    },
  },
  {
    name: "slac-no-match",
    summary: "the charger's side of SLAC never answers (a broken modem)",
    ending: "ISO 15118-3: the EV repeats CM_SLAC_PARM.REQ (C_EV_match_retry) and gives up; no session, nothing powered",
    trigger: "start",
    outcomes: ["slac-failed"],
    orderly: false,
    logs: [/fault slac-no-match injected/, /slac.ev: SLAC failed: no-parm-cnf/],
    strike(world, fault) {
      fault.note("HomePlug frames from every charger's modem lost (this one and its neighbours)");
      world.line.interference = (from, _to, _frame, kind) => (from !== world.evModem && kind !== "data" ? { drop: true } : undefined);
    },
  },
  {
    name: "slac-loss",
    summary: "the EV's first CM_SLAC_PARM.REQ is lost on the line",
    ending: "ISO 15118-3: the EV repeats it after TT_match_response and matches",
    trigger: "start",
    outcomes: ["charging-complete"],
    orderly: true,
    logs: [/fault slac-loss injected/, /secc: session stopped: ev-terminate/],
    strike(world, fault) {
      fault.note("the first HomePlug management frame of the EV lost");
      // Lost on the medium: for every receiver (the line calls this once per receiver).
      let lost: Uint8Array | undefined;
      world.line.interference = (from, _to, frame, kind) => {
        if (lost === undefined && from === world.evModem && kind === "mme") lost = frame;
        if (lost === undefined) return undefined;
        if (frame === lost) return { drop: true };
        world.line.interference = undefined;
        return undefined;
      };
    },
  },
  {
    name: "sdp-no-answer",
    summary: "SDP responses never reach the vehicle",
    ending: "ISO 15118-2 §7.10.1: the EV repeats SDP (every 250 ms, 50 times) and gives up: no session",
    trigger: "start",
    outcomes: ["sdp-failed"],
    orderly: false,
    logs: [/fault sdp-no-answer injected/, /sdp: SDP failed/],
    strike(world, fault) {
      fault.note("every SDP datagram from the charger lost");
      silence(world, world.evseModem, (frame, kind) => kind === "data" && isSdp(frame));
    },
  },
  {
    name: "sdp-loss",
    summary: "the vehicle's first two SDP requests are lost",
    ending: "ISO 15118-2 §7.10.1: the EV repeats SDP and finds the charger",
    trigger: "start",
    outcomes: ["charging-complete"],
    orderly: true,
    logs: [/fault sdp-loss injected/, /secc: session stopped: ev-terminate/],
    strike(world, fault) {
      fault.note("the first two SDP requests lost");
      let lost = 0;
      world.line.interference = (from, _to, frame, kind) => {
        if (from !== world.evModem || kind !== "data" || !isSdp(frame)) return undefined;
        if (++lost >= 2) world.line.interference = undefined;
        return { drop: true };
      };
    },
  },
  {
    name: "clock-jump",
    summary: "the charger's date steps back an hour while power flows (an NTP correction)",
    ending: "nothing: timers run on the monotonic clock, never on the date (modules/common/wall-clock.ts); only the timestamps the charger sends (-20 header TimeStamp, EVSETimeStamp) step; the session ends normally",
    trigger: "start",
    outcomes: ["charging-complete"],
    orderly: true,
    logs: [/fault clock-jump injected/, /secc: session stopped: ev-terminate/],
    strike(world, fault) {
      // The charger gets a date at once (before SLAC matched, so its station takes it) ...
      const wall = new SettableWallClock({ clock: world.clock });
      wall.set(CLOCK_JUMP_EPOCH, "ntp");
      world.wall = wall;
      // ... and NTP steps it back an hour once power flows.
      const jump = (): void => {
        if (!powerFlows(world)) {
          world.clock.set(jump, TRIGGER_POLL as Millis);
          return;
        }
        fault.note("the charger's date steps back 1 h (NTP)");
        wall.set((wall.now() ?? CLOCK_JUMP_EPOCH) - 3_600_000, "ntp");
      };
      jump();
    },
  },
];

/** Every fault, by name, in the order of `--fault list`. */
export const FAULTS: readonly FaultDefinition[] = Object.freeze(entries.map((e) => Object.freeze(e)));

export function findFault(name: string): FaultDefinition | undefined {
  for (const f of FAULTS) if (f.name === name) return f;
  return undefined;
}

/** How long after power starts to flow a `charging` fault strikes. */
export const CHARGING_TRIGGER_DELAY = 5000;
/** How often a `charging` trigger looks whether power flows. */
const TRIGGER_POLL = 250;
/** The date clock-jump gives the charger: 2026-12-01T12:00:00Z. */
const CLOCK_JUMP_EPOCH = 1_764_590_400_000;

/**
 * The `inject` option of runSimulation for `specs`: each fault strikes at its time, logs one
 * warning line ("fault NAME injected: …") and traces it.
 */
export function injectFaults(specs: readonly FaultSpec[]): (world: SimulationWorld) => void {
  return (world) => {
    for (const spec of specs) {
      const definition = findFault(spec.name);
      if (definition === undefined) continue;
      const fault: ActiveFault = {
        definition,
        note(text) {
          world.trace("sim", `fault ${definition.name} injected: ${text}`);
          world.logger.log("warn", "fault", `fault ${definition.name} injected: ${text}`);
        },
      };
      const strike = (): void => definition.strike(world, fault);
      if (spec.at !== undefined) world.clock.set(strike, spec.at as Millis);
      else if (definition.trigger === "start") strike();
      else {
        const poll = (): void => {
          if (powerFlows(world)) world.clock.set(strike, CHARGING_TRIGGER_DELAY as Millis);
          else if (world.charger === undefined || world.charger.sessions === 0 || world.charger.connection !== undefined) world.clock.set(poll, TRIGGER_POLL as Millis);
        };
        poll();
      }
    }
  };
}

/** Parses "NAME" or "NAME@TIME" (TIME: seconds, or with a unit: 90s, 2m, 1h); undefined when the name is unknown or the time is bad. */
export function parseFaultSpec(text: string): FaultSpec | string {
  const at = text.indexOf("@");
  const name = (at < 0 ? text : text.slice(0, at)).trim().toLowerCase();
  if (findFault(name) === undefined) return `unknown fault '${name}' (--fault list shows them)`;
  if (at < 0) return { name: name as FaultName };
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(text.slice(at + 1));
  if (!m) return `fault time '${text.slice(at + 1)}': expected seconds (90) or a duration with a unit (90s, 2m, 500ms)`;
  const unit = (m[2] ?? "s").toLowerCase();
  const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "h" ? 3_600_000 : 60_000;
  return { name: name as FaultName, at: Math.round(Number(m[1]) * factor) };
}

/** The `--fault list` text: one paragraph per fault. */
export function faultCatalogueText(): string[] {
  const lines: string[] = [];
  for (const f of FAULTS) {
    lines.push(`${f.name.padEnd(20)} ${f.summary}`);
    lines.push(`${"".padEnd(20)} → ${f.ending}`);
  }
  return lines;
}
