// One call wires a charger (SECC side) and a vehicle (EVCC side) to one simulated pilot line
// and one clock: the first link of the end-to-end simulated session (pilot → SLAC → ...).

import {
  ChargerPilot,
  VehiclePilot,
  type ChargerPilotOptions,
  type VehiclePilotOptions,
} from "../../modules/cp-pwm/index";
import type { Clock } from "../../modules/common/index";
import { PilotSim, type PilotSimOptions } from "./pilot-sim";

export interface PilotPairOptions {
  clock: Clock;
  sim?: Omit<PilotSimOptions, "clock">;
  charger?: Omit<ChargerPilotOptions, "clock" | "input" | "output">;
  vehicle?: Omit<VehiclePilotOptions, "input" | "s2">;
}

export interface PilotPair {
  sim: PilotSim;
  charger: ChargerPilot;
  vehicle: VehiclePilot;
  /** Close both sides and stop the line. */
  close(): void;
}

export function createPilotPair(options: PilotPairOptions): PilotPair {
  const sim = new PilotSim({ clock: options.clock, ...options.sim });
  const charger = new ChargerPilot({ ...options.charger, clock: options.clock, ...sim.charger });
  const vehicle = new VehiclePilot({ ...options.vehicle, ...sim.vehicle });
  return {
    sim,
    charger,
    vehicle,
    close(): void {
      vehicle.close();
      charger.close();
      sim.close();
    },
  };
}
