// Test support: the ISO 15118-20 stack in memory — EvccConnection ⇄ SeccConnection over paired
// streams on a ManualClock, with the simulated vehicle and charger hardware.

import { ManualClock } from "../../../modules/common/index";
import type { Millis } from "../../../modules/common/index";
import { createExiCodec } from "../../../modules/exi/index";
import { EvccConnection, EvccSession } from "../../../modules/statemachine/evcc/index";
import type { EvccConfig, EvccConnectionOutcome, EvccDoc, EvccOutcome, EvccProtocol, EvccTraceEntry } from "../../../modules/statemachine/evcc/index";
import { ChargerBinding, messageName, SeccConnection, SeccSession } from "../../../modules/statemachine/index";
import type { OperatorBackend, SeccConfig, SeccRequestDoc, SessionStore, StopReason } from "../../../modules/statemachine/index";
import { iso20SchemaOfMessage } from "../../../modules/statemachine/iso20/envelope";
import type { Iso20EvccConfig } from "../../../modules/statemachine/iso20/evcc-types";
import type { Iso20ControlMode, Iso20Transfer } from "../../../modules/statemachine/iso20/services";
import { SimAcSupply, SimDcPowerModule, SimMeter } from "../../../simulation/charger/index";
import { SimVehicle } from "../../../simulation/vehicle/index";
import { streamPair } from "../evcc/memory-link";
import { AC20, DC20, UNIX } from "./support";

export function stack(options: {
  transfer: Iso20Transfer;
  mode: Iso20ControlMode;
  secc?: Partial<SeccConfig>;
  evccProtocols?: EvccProtocol[];
  clock?: ManualClock;
  store?: SessionStore;
  resumeSessionId?: Uint8Array;
  targetSoc?: number;
  /** The EVCC's transport and its -20-without-TLS permission. */
  evccTransport?: "none" | "1.2" | "1.3";
  insecureIso20WithoutTls?: boolean;
  /** Vehicle settings beyond the defaults (e.g. pnc: its Plug & Charge facility). */
  evccSession?: Partial<EvccConfig>;
  /** The charger's operator (authorizes EIM or the contract). */
  backend?: OperatorBackend;
}) {
  const clock = options.clock ?? new ManualClock({ start: 1_000 });
  const link = streamPair(clock, 3);
  const dcMode = options.transfer.indexOf("dc") === 0;
  const config: SeccConfig = { ...(dcMode ? DC20 : AC20), ...options.secc };
  const dc = dcMode ? new SimDcPowerModule({ clock, limits: config.dc!, isolationCheckTime: 2000 as Millis }) : undefined;
  const ac = dcMode ? undefined : new SimAcSupply({ clock, limits: config.ac! });
  const vehicle = new SimVehicle({
    clock,
    battery: { capacityKWh: 10, soc: 40, maxCurrent: 125 },
    targetSoc: options.targetSoc ?? 43,
    onBoardCharger: { phases: 3, maxCurrent: 16 },
    acPowerAvailable: () => ac?.closed ?? false,
  });
  const meter = new SimMeter({ clock, power: () => (dc ? dc.presentVoltage * dc.presentCurrent : ac?.closed ? vehicle.acCurrent() * 230 * 3 : 0) });
  const binding = new ChargerBinding({ dc, ac, meter, backend: options.backend });
  let seccClosed: StopReason | string | undefined;
  const seccTrace: string[] = [];
  const secc = new SeccConnection({
    open: link.b,
    config,
    clock,
    unixTime: () => UNIX,
    store: options.store,
    ...binding.sessionOptions(),
    trace: (e) => seccTrace.push(`${e.direction} ${e.message}`),
    onClose: (r) => (seccClosed = r),
  });
  binding.attach(secc.session);
  const trace: EvccTraceEntry[] = [];
  let outcome: EvccConnectionOutcome | undefined;
  const evcc = new EvccConnection({
    open: link.a,
    protocols: options.evccProtocols,
    session: {
      energyTransferMode: dcMode ? "DC_extended" : "AC_three_phase_core",
      evccId: Uint8Array.of(2, 0, 0, 0, 0, 7),
      resumeSessionId: options.resumeSessionId,
      iso20: { transfer: options.transfer, controlMode: options.mode },
      ...options.evccSession,
    },
    bms: vehicle,
    vehicle: vehicle.hooks({ dcOutput: dc, onEvseValues: () => ac?.setDraw(vehicle.acCurrent()) }),
    clock,
    unixTime: () => UNIX,
    transport: options.evccTransport,
    insecureIso20WithoutTls: options.insecureIso20WithoutTls,
    onTrace: (e) => trace.push(e),
    onStop: (o) => (outcome = o),
  });
  return { clock, evcc, secc, vehicle, meter, trace, seccTrace, outcome: () => outcome, seccClosed: () => seccClosed };
}

export function run(s: ReturnType<typeof stack>): EvccConnectionOutcome | undefined {
  for (let i = 0; i < 3600 && !s.outcome(); i++) s.clock.advance(1000);
  s.clock.advance(100);
  return s.outcome();
}


/**
 * Our EVCC against our SECC at object level (every message through the codec), on a manual
 * clock: answers come 10 ms after their request, and `drop` picks the ones that never come.
 * The charger's hardware, reduced: the cable check finishes at once (unless `cableCheck` is
 * false) and the output follows the EV's pre-charge target (or `outputVoltage`).
 */
export function objectPair(options: {
  transfer: Iso20Transfer;
  mode?: Iso20ControlMode;
  drop?: (name: string, count: number) => boolean;
  outputVoltage?: number;
  cableCheck?: boolean;
  authorized?: boolean;
  secc?: Partial<SeccConfig>;
  targetSoc?: number;
  /** The EV's user stops charging once this many charge-loop requests went out (the simulated battery does not charge here). */
  stopAfterLoops?: number;
  /** More of the EV's -20 configuration. */
  iso20?: Partial<Iso20EvccConfig>;
}) {
  const clock = new ManualClock({ start: 1_000 });
  const codec = createExiCodec();
  let loops = 0;
  const dcMode = options.transfer.indexOf("dc") === 0;
  const secc = new SeccSession({ config: { ...(dcMode ? DC20 : AC20), ...options.secc }, clock, protocol: "iso20", unixTime: () => UNIX });
  if (options.authorized !== false) secc.control({ kind: "authorized", accepted: true });
  const vehicle = new SimVehicle({
    clock,
    battery: { capacityKWh: 10, soc: 40, maxCurrent: 125 },
    targetSoc: options.targetSoc ?? 80,
    onBoardCharger: { phases: 3, maxCurrent: 16 },
    acPowerAvailable: () => true,
  });
  const counts = new Map<string, number>();
  /** Every request sent: its name and the clock time. */
  const sent: { name: string; at: number }[] = [];
  /** The last request of each name, as the SECC decoded it. */
  const last = new Map<string, Record<string, any>>();
  let outcome: EvccOutcome | undefined;
  let evcc!: EvccSession;
  evcc = new EvccSession({
    config: {
      protocol: "iso20",
      energyTransferMode: dcMode ? "DC_extended" : "AC_three_phase_core",
      evccId: Uint8Array.of(2, 0, 0, 0, 0, 1),
      iso20: { transfer: options.transfer, controlMode: options.mode ?? "scheduled", ...options.iso20 },
    },
    bms: vehicle,
    clock,
    unixTime: () => UNIX,
    callbacks: {
      send(doc: EvccDoc) {
        const name = messageName(doc)!;
        const n = (counts.get(name) ?? 0) + 1;
        counts.set(name, n);
        sent.push({ name, at: clock.now() });
        if (name.indexOf("_ChargeLoopReq") > 0 && ++loops === options.stopAfterLoops) evcc.stop();
        if (name === "DC_CableCheckReq" && options.cableCheck !== false) secc.control({ kind: "cable-check-finished", isolation: "Valid" });
        if (name === "DC_PreChargeReq") secc.control({ kind: "present-values", voltage: options.outputVoltage ?? vehicle.voltage(), current: 0 });
        const wire = codec.decode(iso20SchemaOfMessage(name), codec.encode(iso20SchemaOfMessage(name), doc)) as Record<string, any>;
        last.set(name, wire[name]);
        const out = secc.request(wire as SeccRequestDoc);
        if (options.drop?.(name, n) || out.response === undefined) return;
        const response = out.response as EvccDoc;
        clock.set(() => evcc.handle({ type: "response", message: response }), 10 as Millis);
      },
      onStop: (o) => (outcome = o),
    },
  });
  return { clock, evcc, secc, vehicle, sent, last, outcome: () => outcome };
}
