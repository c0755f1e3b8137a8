// Test support: an ISO 15118-20 ACDP (pantograph) or MCS (truck) stack in memory — EvccConnection ⇄
// SeccConnection over paired streams on a ManualClock, the simulated DC module, the vehicle
// driving in (SimApproach) and the pantograph (SimPantograph). No SLAC, no pilot: the IP link
// exists from the start (ACDP runs over WLAN, MCS over its own Ethernet).

import { ManualClock } from "../../../modules/common/index";
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
import type { BatteryOptions } from "../../../simulation/vehicle/index";
import { streamPair } from "../evcc/memory-link";
import { DC20, UNIX } from "./support";

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
    open: link.b,
    config,
    clock,
    unixTime: () => UNIX,
    ...binding.sessionOptions(),
    trace: (e) => seccTrace.push(`${e.direction} ${e.message}`),
    onClose: (r) => (seccClosed = r),
  });
  binding.attach(secc.session);
  pantograph.report();
  // The BMS with the vehicle's ACD side (SimVehicle keeps its state in private fields: delegate).
  const bms = new Proxy(vehicle, {
    get(target, key) {
      if (key === "acdpVehicle") return () => approach;
      const value = (target as any)[key];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const trace: EvccTraceEntry[] = [];
  let outcome: EvccConnectionOutcome | undefined;
  const evcc = new EvccConnection({
    open: link.a,
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
  return { clock, evcc, secc, dc, vehicle, approach, pantograph, meter, trace, seccTrace, outcome: () => outcome, seccClosed: () => seccClosed };
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
