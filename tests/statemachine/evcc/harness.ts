// Test support: an EvccSession with a SimVehicle against a ScriptedSecc on one ManualClock.

import { ManualClock, MemoryLogger } from "../../../modules/common/index";
import type { Millis } from "../../../modules/common/index";
import { EvccSession } from "../../../modules/statemachine/evcc/index";
import type { EnergyTransferMode, EvccConfig, EvccOutcome, EvccSchema, EvccTraceEntry, V2gMessageDoc } from "../../../modules/statemachine/evcc/index";
import { SimVehicle } from "../../../simulation/vehicle/index";
import type { SimVehicleOptions } from "../../../simulation/vehicle/index";
import { ScriptedSecc } from "./scripted-secc";
import type { Override } from "./scripted-secc";

export const EVCC_ID = Uint8Array.of(0x00, 0x7d, 0xfa, 0x07, 0x5e, 0x4a);

export interface Run {
  clock: ManualClock;
  session: EvccSession;
  secc: ScriptedSecc;
  vehicle: SimVehicle;
  sent: V2gMessageDoc[];
  trace: EvccTraceEntry[];
  pilot: ("B" | "C")[];
  contactors: boolean[];
  logger: MemoryLogger;
  outcome(): EvccOutcome | undefined;
  /** Request names in order. */
  names(): string[];
}

export interface RunOptions {
  protocol: EvccSchema;
  mode: EnergyTransferMode;
  overrides?: Record<string, Override>;
  config?: Partial<EvccConfig>;
  vehicle?: Partial<SimVehicleOptions>;
  clock?: ManualClock;
  latency?: number;
  evseMaxCurrent?: number;
  evseMaxPower?: number;
  acMaxCurrent?: number;
  /** Pass every request and response through EXI encode → decode (schema check both ways). */
  codec?: { encode(schema: EvccSchema, doc: object): Uint8Array; decode(schema: EvccSchema, bytes: Uint8Array): object };
  /** Each encoded request (with codec). */
  onEncoded?(name: string, bytes: Uint8Array): void;
}

export function setup(options: RunOptions): Run {
  const clock = options.clock ?? new ManualClock({ start: 1_000 });
  const dc = options.mode.indexOf("DC") === 0;
  const vehicle = new SimVehicle({
    clock,
    battery: { capacityKWh: 10, soc: 70, maxCurrent: 125 },
    targetSoc: 75,
    onBoardCharger: { phases: 3, maxCurrent: 16 },
    ...options.vehicle,
  });
  const sent: V2gMessageDoc[] = [];
  const trace: EvccTraceEntry[] = [];
  const pilot: ("B" | "C")[] = [];
  const contactors: boolean[] = [];
  let outcome: EvccOutcome | undefined;
  const logger = new MemoryLogger();
  let session!: EvccSession;
  const codec = options.codec;
  const through = (doc: V2gMessageDoc, request = false): V2gMessageDoc => {
    if (!codec) return doc;
    const bytes = codec.encode(options.protocol, doc);
    if (request) options.onEncoded?.(Object.keys(doc.V2G_Message.Body)[0], bytes);
    return codec.decode(options.protocol, bytes) as V2gMessageDoc;
  };
  const secc: ScriptedSecc = new ScriptedSecc({
    protocol: options.protocol,
    dc,
    clock,
    deliver: (doc) => session.handle({ type: "response", message: through(doc) }),
    batteryVoltage: (): number => vehicle.battery.terminalVoltage(secc.presentCurrent),
    latency: options.latency,
    evseMaxCurrent: options.evseMaxCurrent,
    evseMaxPower: options.evseMaxPower,
    acMaxCurrent: options.acMaxCurrent,
    overrides: options.overrides,
  });
  session = new EvccSession({
    config: { protocol: options.protocol, energyTransferMode: options.mode, evccId: EVCC_ID, ...options.config },
    bms: vehicle,
    clock,
    logger,
    callbacks: {
      send: (doc) => {
        // DIN/ISO-2 sessions send V2G_Message documents (EvccDoc also covers ISO 15118-20).
        sent.push(doc as V2gMessageDoc);
        secc.onRequest(through(doc as V2gMessageDoc, true));
      },
      onStop: (o) => {
        outcome = o;
      },
      onTrace: (e) => trace.push(e),
      setPilotState: (s) => {
        pilot.push(s);
        vehicle.setPilotState(s);
      },
      setContactors: (c) => {
        contactors.push(c);
        vehicle.setContactors(c);
      },
      onEvseValues: (v) => vehicle.onEvseValues(v),
    },
  });
  return {
    clock,
    session,
    secc,
    vehicle,
    sent,
    trace,
    pilot,
    contactors,
    logger,
    outcome: () => outcome,
    names: () => sent.map((d) => Object.keys(d.V2G_Message.Body)[0]),
  };
}

/** Start and run the clock until the session ends (or `limit` ms of simulated time pass). */
export function runToEnd(run: Run, limit = 3_600_000): EvccOutcome | undefined {
  run.session.start();
  run.clock.runAll(limit);
  return run.outcome();
}

/** Collapse runs of the same name: ["A","B","B","C"] → ["A","B*2","C"]. */
export function collapse(names: string[]): string[] {
  const out: string[] = [];
  let last = "";
  let n = 0;
  for (const name of [...names, ""]) {
    if (name === last) {
      n++;
      continue;
    }
    if (last !== "") out.push(n > 1 ? `${last}*` : last);
    last = name;
    n = 1;
  }
  return out;
}

export function ms(n: number): Millis {
  return n as Millis;
}
