// The two stations of a split simulated session (tools/xs/station-heap.ts): the same charger
// and vehicle as simulation/session/simulation.ts builds, each made so that it needs nothing of
// the other's models — as `xs15118 secc` and `xs15118 evcc` run in two processes: the charger's
// DC module drives a stand-in battery (simulation/standin-load.ts) and the vehicle's battery
// integrates the current the charger reports (SimVehicle `remote`, for -20 BPT; a unidirectional
// battery does that anyway). One of them runs alone in an XS engine, the other on Node.
// Portable (no Node imports): imported by both sides.

import type { Clock, Millis } from "../../modules/common/clock";
import type { Logger } from "../../modules/common/log";
import type { LinkSpec } from "../../modules/slac/index";
import { ChargerAssembly, VehicleAssembly, type HostIpStack, type OpenHostIp } from "../../modules/station/assembly";
import type { ChargerDataLinkOptions, VehicleDataLinkOptions } from "../../modules/station/data-link";
import { ChargerStation } from "../../simulation/station/charger-station";
import { VehicleStation } from "../../simulation/station/vehicle-station";
import { StandInLoads } from "../../simulation/standin-load";
import type { SimulationOptions } from "../../simulation/session/simulation";

export const ETHERTYPE_HOMEPLUG = 0x88e1;
export const EV_MAC = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x0e, 0x01);
export const EVSE_MAC = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x0a, 0x01);
/** As simulation.ts: the -20 chargers' discharge capability (W, A). */
const BPT_DISCHARGE = Object.freeze({ maxPower: 11_000, maxCurrent: 30 });

export type Scenario = Pick<SimulationOptions, "protocol" | "transfer" | "bpt" | "mode" | "capacityKWh" | "startSoc" | "targetSoc">;

interface Common {
  clock: Clock;
  random(count: number): Uint8Array;
  logger?: Logger;
  modem: LinkSpec;
  ip: OpenHostIp;
}

function bptOf(s: Scenario): boolean {
  return s.protocol === "iso20" && s.bpt === true;
}

/** The charger: its assembly (pilot, SLAC, SDP, V2G server, session) on simulated hardware with a stand-in battery. */
export function buildCharger(s: Scenario, c: Common & { pilot: ChargerDataLinkOptions["pilot"]; onSessionEnd?(reason: string): void }): ChargerAssembly {
  const protocol = s.protocol ?? "iso2";
  const transfer = s.transfer ?? "dc";
  const bpt = bptOf(s);
  let loads: StandInLoads | undefined;
  const createService = (ip: HostIpStack) => {
    const station = new ChargerStation({
      clock: c.clock,
      io: ip,
      address: ip.address.split("%")[0],
      interface: ip.interface,
      port: 0,
      protocols: [protocol],
      transfer: [transfer],
      config: {
        transport: "none",
        iso20: { controlModes: [s.mode ?? "scheduled"], discharge: bpt ? BPT_DISCHARGE : undefined, insecureWithoutTls: true },
        dc: { maxVoltage: 500, maxCurrent: 125, maxPower: 50_000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5, currentRegulationTolerance: 1 },
      },
      bidirectional: bpt ? { discharge: BPT_DISCHARGE } : undefined,
      random: c.random,
      logger: c.logger,
      // the stand-in battery follows the live session's requests (as `xs15118 secc`)
      onTrace: (entry, _connection, live) => {
        if (live) loads?.onTrace(entry);
      },
      onSessionEnd: (summary) => {
        loads?.release();
        c.onSessionEnd?.(summary.reason);
      },
    });
    loads = new StandInLoads(station);
    return station.service;
  };
  // the stand-in battery goes with the service when the link goes down (the assembly drops the
  // service then; keeping the loads would keep the old service, unlike a board's firmware)
  const onLinkDown = (): void => {
    loads = undefined;
  };
  return new ChargerAssembly({ clock: c.clock, random: c.random, logger: c.logger, modem: c.modem, pilot: c.pilot, ip: c.ip, createService, onLinkDown });
}

/** The vehicle: its assembly (pilot, SLAC, SDP discovery, V2G connection, session) on the simulated vehicle. */
export function buildVehicle(s: Scenario, c: Common & { pilot: VehicleDataLinkOptions["pilot"]; onEnd(outcome: { reason: string; ok: boolean }): void }): VehicleAssembly {
  const protocol = s.protocol ?? "iso2";
  const transfer = s.transfer ?? "dc";
  const bpt = bptOf(s);
  const mode = s.mode ?? "scheduled";
  return new VehicleAssembly({
    clock: c.clock,
    random: c.random,
    logger: c.logger,
    modem: c.modem,
    pilot: c.pilot,
    ip: c.ip,
    createService: (ip, pilotReady) =>
      new VehicleStation({
        clock: c.clock,
        io: ip,
        interface: ip.interface,
        transfer,
        protocols: [protocol],
        insecureIso20WithoutTls: true,
        session: protocol === "iso20" ? { iso20: { transfer: bpt ? (transfer === "dc" ? "dc_bpt" : "ac_bpt") : transfer, controlMode: mode } } : undefined,
        evccId: EV_MAC,
        battery: { capacityKWh: s.capacityKWh ?? 40, soc: s.startSoc ?? 30 },
        targetSoc: s.targetSoc ?? 80,
        // the charger's stage is not in this engine: the battery follows the reported current
        bidirectional: bpt ? { maxDischargePower: BPT_DISCHARGE.maxPower, maxDischargeCurrent: BPT_DISCHARGE.maxCurrent, remote: true } : undefined,
        logger: c.logger,
        onPilot: (state) => pilotReady(state === "C"),
        onEnd: (o) => c.onEnd({ reason: o.reason, ok: o.ok }),
      }).service,
  });
}

export const STEP_MS = 10 as Millis;
