// The simulated sessions the bench measures as a whole (peak XS heap, CPU per session): the
// sessions issue 15 names — DIN DC, ISO-2 DC and AC, ISO 15118-20 DC and DC_BPT — each with a
// small battery so that XS finishes in seconds. tools/xs/session-heap.ts measures the same ones
// with finer steps.
import type { SimulationOptions } from "../../simulation/session/simulation";

export interface SessionScenario {
  /** The row's name in the table. */
  readonly name: string;
  readonly options: Readonly<SimulationOptions>;
}

const scenario = (name: string, options: SimulationOptions): SessionScenario => Object.freeze({ name, options: Object.freeze(options) });

export const SESSION_SCENARIOS: readonly SessionScenario[] = Object.freeze([
  scenario("din dc", { protocol: "din", transfer: "dc", capacityKWh: 5, startSoc: 70, targetSoc: 75 }),
  scenario("iso2 dc", { protocol: "iso2", transfer: "dc", capacityKWh: 5, startSoc: 70, targetSoc: 75 }),
  scenario("iso2 ac", { protocol: "iso2", transfer: "ac", capacityKWh: 5, startSoc: 70, targetSoc: 72 }),
  scenario("iso20 dc", { protocol: "iso20", transfer: "dc", capacityKWh: 5, startSoc: 70, targetSoc: 75 }),
  scenario("iso20 dc_bpt scheduled", { protocol: "iso20", transfer: "dc", bpt: true, mode: "scheduled", capacityKWh: 5, startSoc: 70, targetSoc: 75 }),
]);

/** The first scenario (the DIN DC session), as before there were several. */
export const SESSION_SCENARIO: Readonly<SimulationOptions> = SESSION_SCENARIOS[0].options;
