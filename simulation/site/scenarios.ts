// The bidirectional scenarios of `xs15118 sim --scenario v2g|v2h|v2l`: when in the day the car is
// plugged in, how long it stays, its minimum SoC, the BPT generator mode, and what ends the
// session. The energy manager (./energy-manager.ts) plays the site; the charger's bidirectional
// power stage and the vehicle's battery carry the energy both ways.
//
//   v2g  16:30, 1 h: charges while the price is low, exports during the 17:00 price peak until
//        it leaves (grid-following)
//   v2h  16:45, 1 h 15 min, grid down: the car follows the house load minus PV (grid-forming) —
//        surplus PV into the car first, then the evening load out of it as the sun sets
//   v2l  20:00, a fixed 3 kW load on the car (grid-forming) until the car's minimum SoC

import type { SiteUse } from "./energy-manager";

export type ScenarioName = "v2g" | "v2h" | "v2l";

export const SCENARIOS: readonly ScenarioName[] = Object.freeze(["v2g", "v2h", "v2l"]);

export interface ScenarioSpec {
  readonly name: ScenarioName;
  readonly use: SiteUse;
  /** Time of day at the simulation's start, s since midnight. */
  readonly startOfDay: number;
  /** The car leaves (ends its session) this long after plug-in, ms. */
  readonly durationMs: number;
  /** The car never discharges below this SoC, %. */
  readonly minSoc: number;
  /** V2L: the fixed load, W. */
  readonly fixedLoad: number;
  /** BPT parameter set GeneratorMode: V2G follows the grid; V2H and V2L form it. */
  readonly generatorMode: "grid-following" | "grid-forming";
  /** What ends the session: the departure time, or (V2L) the minimum SoC. */
  readonly ends: "departure" | "minimum-soc";
}

export interface ScenarioOverrides {
  startOfDay?: number;
  durationMs?: number;
  minSoc?: number;
  fixedLoad?: number;
}

const H = 3600;

export function scenarioSpec(name: ScenarioName, overrides: ScenarioOverrides = {}): ScenarioSpec {
  const base: ScenarioSpec =
    name === "v2g"
      ? { name, use: "v2g", startOfDay: 16.5 * H, durationMs: 3_600_000, minSoc: 30, fixedLoad: 0, generatorMode: "grid-following", ends: "departure" }
      : name === "v2h"
        ? { name, use: "v2h", startOfDay: 16.75 * H, durationMs: 4_500_000, minSoc: 30, fixedLoad: 0, generatorMode: "grid-forming", ends: "departure" }
        : { name, use: "v2l", startOfDay: 20 * H, durationMs: 4 * 3_600_000, minSoc: 50, fixedLoad: 3000, generatorMode: "grid-forming", ends: "minimum-soc" };
  return Object.freeze({ ...base, ...defined(overrides) });
}

function defined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] !== undefined) out[key] = o[key];
  return out;
}
