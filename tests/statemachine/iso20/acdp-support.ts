// Test support: an ISO 15118-20 ACDP (pantograph) or MCS (truck) stack in memory — EvccConnection ⇄
// SeccConnection over paired streams on a ManualClock, the simulated DC module, the vehicle
// driving in (SimApproach) and the pantograph (SimPantograph). No SLAC, no pilot: the IP link
// exists from the start (ACDP runs over WLAN, MCS over its own Ethernet).

import { concatBytes, ManualClock } from "../../../modules/common/index";
import { createExiCodec } from "../../../modules/exi/index";
import type { SchemaId } from "../../../modules/exi/index";
import { iso20SchemaOf, PayloadType } from "../../../modules/v2gtp/index";
import type { Millis } from "../../../modules/common/index";
import { EvccConnection } from "../../../modules/statemachine/evcc/index";
import type { EvccConnectionOutcome, EvccTraceEntry } from "../../../modules/statemachine/evcc/index";
import { ChargerBinding, SeccConnection } from "../../../modules/statemachine/index";
import type { SeccConfig, StopReason } from "../../../modules/statemachine/index";
import type { Iso20ControlMode, Iso20Transfer } from "../../../modules/statemachine/iso20/services";
import { isAcdp } from "../../../modules/statemachine/iso20/services";
import { SimApproach, SimPantograph } from "../../../simulation/acdp/pantograph";
import type { SimApproachOptions, SimPantographOptions } from "../../../simulation/acdp/pantograph";
import { SimDcPowerModule, SimMeter } from "../../../simulation/charger/index";
import { SimVehicle } from "../../../simulation/vehicle/index";
import { vehicleWithDevices } from "../../../simulation/session/direct-iso20";
import type { BatteryOptions } from "../../../simulation/vehicle/index";
import { streamPair } from "../evcc/memory-link";
import { DC20, UNIX } from "./support";
import type { Iso20Ev } from "./support";

/** Bytes written on the V2GTP link, by direction ("ev" = vehicle → charger). */
export interface WireRecord {
  from: "ev" | "evse";
  bytes: Uint8Array;
}

/** Wraps a stream opener so that every write is recorded. */
export function tapped(open: ReturnType<typeof streamPair>["a"], from: WireRecord["from"], wire: WireRecord[]): ReturnType<typeof streamPair>["a"] {
  return (callbacks) => {
    const socket = open(callbacks);
    const write = socket.write.bind(socket);
    socket.write = (data: ArrayBuffer | ArrayBufferView) => {
      const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
      wire.push({ from, bytes: view.slice() });
      return write(data);
    };
    return socket;
  };
}

/**
 * Every V2GTP message on the wire, each direction's stream cut at the 8-byte headers: its
 * payload type, and whether its EXI decodes and encodes again to the very same bytes.
 */
export function wireMessages(wire: readonly WireRecord[]): { from: string; type: number; name: string; same: boolean }[] {
  const codec = createExiCodec();
  const out: { from: string; type: number; name: string; same: boolean }[] = [];
  for (const from of ["ev", "evse"] as const) {
    const stream = concatBytes(wire.filter((w) => w.from === from).map((w) => w.bytes));
    for (let i = 0; i + 8 <= stream.length; ) {
      const type = (stream[i + 2] << 8) | stream[i + 3];
      const length = ((stream[i + 4] << 24) | (stream[i + 5] << 16) | (stream[i + 6] << 8) | stream[i + 7]) >>> 0;
      const payload = stream.subarray(i + 8, i + 8 + length);
      const schema: SchemaId = type === PayloadType.EXI ? "apphand" : iso20SchemaOf(type)!;
      const doc = codec.decode(schema, payload) as Record<string, unknown>;
      const again = codec.encode(schema, doc);
      let same = again.length === payload.length;
      for (let k = 0; same && k < again.length; k++) same = again[k] === payload[k];
      out.push({ from, type, name: Object.keys(doc)[0], same });
      i += 8 + length;
    }
  }
  return out;
}

export function acdpStack(options: {
  transfer: Iso20Transfer;
  mode?: Iso20ControlMode;
  secc?: Partial<SeccConfig>;
  approach?: Partial<SimApproachOptions>;
  pantograph?: Partial<SimPantographOptions>;
  battery?: BatteryOptions;
  targetSoc?: number;
}) {
  const clock = new ManualClock({ start: 1_000 });
  const link = streamPair(clock, 3);
  const wire: WireRecord[] = [];
  const config: SeccConfig = { ...DC20, ...options.secc, iso20: { ...DC20.iso20, services: [options.transfer], ...options.secc?.iso20 } };
  const dc = new SimDcPowerModule({ clock, limits: config.dc!, isolationCheckTime: 2000 as Millis, currentSlew: 5 });
  const vehicle = new SimVehicle({
    clock,
    battery: options.battery ?? { capacityKWh: 10, soc: 40, maxCurrent: 125 },
    targetSoc: options.targetSoc ?? 43,
    onBoardCharger: { phases: 3, maxCurrent: 16 },
    acPowerAvailable: () => false,
  });
  const approach = new SimApproach({ clock, ...options.approach });
  const pantograph = new SimPantograph({ clock, approach, ...options.pantograph });
  const meter = new SimMeter({ clock, power: () => dc.presentVoltage * dc.presentCurrent });
  const binding = new ChargerBinding({ dc, meter, acdp: isAcdp(options.transfer) ? pantograph : undefined });
  let seccClosed: StopReason | string | undefined;
  const seccTrace: string[] = [];
  const secc = new SeccConnection({
    open: tapped(link.b, "evse", wire),
    config,
    clock,
    unixTime: () => UNIX,
    ...binding.sessionOptions(),
    trace: (e) => seccTrace.push(`${e.direction} ${e.message}`),
    onClose: (r) => (seccClosed = r),
  });
  binding.attach(secc.session);
  pantograph.report();
  const bms = vehicleWithDevices(vehicle, { acdpVehicle: approach });
  const trace: EvccTraceEntry[] = [];
  let outcome: EvccConnectionOutcome | undefined;
  const evcc = new EvccConnection({
    open: tapped(link.a, "ev", wire),
    session: {
      energyTransferMode: "DC_extended",
      evccId: Uint8Array.of(2, 0, 0, 0, 0, 9),
      iso20: { transfer: options.transfer, controlMode: options.mode ?? "scheduled" },
    },
    bms,
    vehicle: vehicle.hooks({ dcOutput: dc }),
    clock,
    unixTime: () => UNIX,
    onTrace: (e) => trace.push(e),
    onStop: (o) => (outcome = o),
  });
  return { clock, evcc, secc, dc, vehicle, approach, pantograph, meter, trace, seccTrace, wire, outcome: () => outcome, seccClosed: () => seccClosed };
}

export function runAcdp(s: ReturnType<typeof acdpStack>, seconds = 3600, each?: () => void): EvccConnectionOutcome | undefined {
  for (let i = 0; i < seconds && !s.outcome(); i++) {
    s.clock.advance(1000);
    each?.();
  }
  s.clock.advance(6000);
  return s.outcome();
}

/** The distinct request names the EVCC sent, in order (repeats folded). */
export function sentOrder(trace: readonly EvccTraceEntry[]): string[] {
  const sent = trace.filter((e) => e.direction === "tx").map((e) => e.name);
  return sent.filter((name, i) => i === 0 || name !== sent[i - 1]);
}

/**
 * What comes between positioning (WPT: pairing) and the charge parameters in a WPT or ACDP
 * session (-20 [V2G20-4049], [V2G20-5032]..[V2G20-5041]): authorization, services, the service
 * selected. Returns ServiceDiscoveryRes and ServiceDetailRes.
 */
export function authorizeAndSelect(ev: Iso20Ev, serviceId: number): { discovery: Record<string, any>; detail: Record<string, any> } {
  ev.ok("AuthorizationSetupReq");
  ev.control({ kind: "authorized", accepted: true });
  ev.ok("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} });
  const discovery = ev.ok("ServiceDiscoveryReq");
  const detail = ev.ok("ServiceDetailReq", { ServiceID: serviceId });
  ev.ok("ServiceSelectionReq", { SelectedEnergyTransferService: { ServiceID: serviceId, ParameterSetID: 1 } });
  return { discovery, detail };
}
