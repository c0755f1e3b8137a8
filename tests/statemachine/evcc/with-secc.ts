// Test support: our EVCC against our SECC at object level (no codec, no sockets) on one
// ManualClock, with the simulated vehicle on one side and the simulated charger hardware
// (simulation/charger: DC power module, AC supply, meter) on the other.

import { ManualClock } from "../../../modules/common/index";
import { decode, encode } from "../../../modules/exi/index";
import type { Logger, Millis } from "../../../modules/common/index";
import { EvccSession } from "../../../modules/statemachine/evcc/index";
import type { EnergyTransferMode, EvccConfig, EvccOutcome, EvccSchema, EvccTraceEntry, V2gMessageDoc } from "../../../modules/statemachine/evcc/index";
import { ChargerBinding, SeccSession } from "../../../modules/statemachine/index";
import type { OperatorBackend, SeccConfig, SessionStore, StopReason, V2gDocument } from "../../../modules/statemachine/index";
import { SimAcSupply, SimDcPowerModule, SimMeter } from "../../../simulation/charger/index";
import { SimVehicle } from "../../../simulation/vehicle/index";
import type { SimVehicleOptions } from "../../../simulation/vehicle/index";

export const SECC_DC: SeccConfig = {
  evseId: "DE*XS1*E0001",
  energyModes: ["DC_extended", "DC_core"],
  dc: { maxVoltage: 500, maxCurrent: 200, maxPower: 50_000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5, currentRegulationTolerance: 1 },
  meterId: "SIM-METER-1",
};

export const SECC_AC: SeccConfig = {
  evseId: "DE*XS1*E0002",
  energyModes: ["AC_three_phase_core", "AC_single_phase_core"],
  ac: { nominalVoltage: 230, maxCurrent: 16, phases: 3 },
  meterId: "SIM-METER-2",
};

export interface Pair {
  clock: ManualClock;
  evcc: EvccSession;
  secc: SeccSession;
  vehicle: SimVehicle;
  meter: SimMeter;
  dc?: SimDcPowerModule;
  ac?: SimAcSupply;
  trace: EvccTraceEntry[];
  /** Every request the EVCC sent (as the SECC received it). */
  sent: V2gMessageDoc[];
  evccOutcome(): EvccOutcome | undefined;
  seccStop(): StopReason | undefined;
}

export function pair(options: {
  protocol: EvccSchema;
  mode: EnergyTransferMode;
  vehicle?: Partial<SimVehicleOptions>;
  config?: Partial<EvccConfig>;
  secc?: Partial<SeccConfig>;
  clock?: ManualClock;
  store?: SessionStore;
  /** Response latency of the SECC, ms (default 5). */
  latency?: number;
  /** Pass every request and response through EXI encode → decode, as on the wire. */
  codec?: boolean;
  /** The charger's operator (an OCPP bridge): authorizes and may push schedules. */
  backend?: OperatorBackend;
  /** The EVCC session's log. */
  logger?: Logger;
}): Pair {
  const clock = options.clock ?? new ManualClock({ start: 10_000 });
  const dcMode = options.mode.indexOf("DC") === 0;
  const base = dcMode ? SECC_DC : SECC_AC;
  const config: SeccConfig = { ...base, ...options.secc };
  let ac: SimAcSupply | undefined;
  let dc: SimDcPowerModule | undefined;
  const vehicle = new SimVehicle({
    clock,
    battery: { capacityKWh: 10, soc: 60, maxCurrent: 125 },
    targetSoc: 65,
    onBoardCharger: { phases: 3, maxCurrent: 16 },
    acPowerAvailable: () => ac?.closed ?? false,
    ...options.vehicle,
  });
  if (dcMode) dc = new SimDcPowerModule({ clock, limits: config.dc!, isolationCheckTime: 2000 as Millis });
  else ac = new SimAcSupply({ clock, limits: config.ac! });
  const acLimits = config.ac;
  const meter = new SimMeter({
    clock,
    power: () => (dc ? dc.presentVoltage * dc.presentCurrent : ac && acLimits && ac.closed ? vehicle.acCurrent() * acLimits.nominalVoltage * acLimits.phases : 0),
  });
  const binding = new ChargerBinding({ dc, ac, meter, backend: options.backend });
  let seccStop: StopReason | undefined;
  const secc = new SeccSession({ config, clock, protocol: options.protocol, store: options.store, ...binding.sessionOptions(), onStop: (r) => (seccStop = r) });
  binding.attach(secc);
  const trace: EvccTraceEntry[] = [];
  const sent: V2gMessageDoc[] = [];
  const wire = <T extends object>(doc: T): T => (options.codec ? (decode(options.protocol, encode(options.protocol, doc)) as T) : doc);
  let outcome: EvccOutcome | undefined;
  let evcc!: EvccSession;
  const latency = (options.latency ?? 5) as Millis;
  evcc = new EvccSession({
    config: { protocol: options.protocol, energyTransferMode: options.mode, evccId: Uint8Array.of(0x02, 0, 0, 0xca, 0xfe, 1), ...options.config },
    bms: vehicle,
    clock,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    callbacks: {
      send: (doc: V2gMessageDoc) => {
        ac?.setDraw(vehicle.acCurrent());
        const received = wire(doc);
        sent.push(received);
        const out = secc.request(received as unknown as V2gDocument);
        const response = out.response === undefined ? undefined : wire(out.response as unknown as V2gMessageDoc);
        if (response !== undefined) clock.set(() => evcc.handle({ type: "response", message: response }), latency);
        if (out.close) clock.set(() => evcc.handle({ type: "link-down", detail: "SECC closed the connection" }), (latency + 1) as Millis);
      },
      onStop: (o) => {
        outcome = o;
        if (!secc.stopReason) secc.linkDown();
      },
      onTrace: (e) => trace.push(e),
      setPilotState: (s) => vehicle.setPilotState(s),
      setContactors: (closed) => {
        vehicle.setContactors(closed);
        dc?.setLoad(closed ? vehicle.dcLoad() : undefined);
      },
      onEvseValues: (v) => vehicle.onEvseValues(v),
    },
  });
  return { clock, evcc, secc, vehicle, meter, dc, ac, trace, sent, evccOutcome: () => outcome, seccStop: () => seccStop };
}

/** Runs until the EVCC ended and the clock is quiet (or `limit` ms). */
export function run(p: Pair, limit = 3_600_000): EvccOutcome | undefined {
  p.evcc.start();
  const end = p.clock.now() + limit;
  while (!p.evcc.ended && p.clock.now() < end) p.clock.advance(1000);
  return p.evccOutcome();
}
