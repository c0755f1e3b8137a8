// The simulated sessions the bench measures as a whole (peak XS heap, CPU per session): the DIN
// DC session of `xs15118 sim` and an ISO 15118-20 DC_BPT Scheduled one, each with a small
// battery so that XS finishes in seconds.
import type { SimulationOptions } from "../../simulation/session/simulation";

export interface SessionScenario {
  /** The row's name in the table. */
  readonly name: string;
  readonly options: Readonly<SimulationOptions>;
}

export const SESSION_SCENARIOS: readonly SessionScenario[] = Object.freeze([
  Object.freeze({ name: "din dc", options: Object.freeze({ protocol: "din", transfer: "dc", capacityKWh: 5, startSoc: 70, targetSoc: 75 }) }),
  Object.freeze({
    name: "iso20 dc_bpt scheduled",
    options: Object.freeze({ protocol: "iso20", transfer: "dc", bpt: true, mode: "scheduled", capacityKWh: 5, startSoc: 70, targetSoc: 75 }),
  }),
] as SessionScenario[]);

/** The first scenario (the DIN DC session), as before there were several. */
export const SESSION_SCENARIO: Readonly<SimulationOptions> = SESSION_SCENARIOS[0].options;
