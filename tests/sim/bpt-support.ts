// Helpers of the bidirectional scenario tests (bpt-scenarios, bpt-scenarios-long): a run that
// keeps the live trace's power lines, the energy balance, the SoC path, the V2H load following.

import assert from "node:assert/strict";
import { runSimulation, type SimulationOptions, type SimulationSummary, type TraceEvent } from "../../simulation/session/simulation";
import { houseLoad, pvProfile } from "../../simulation/site/index";

export interface Run {
  summary: SimulationSummary;
  /** The live trace's power lines: simulated ms, signed W, direction. */
  flow: { time: number; power: number; direction: string; soc: number }[];
}

export function run(options: SimulationOptions): Run {
  const flow: Run["flow"] = [];
  const onTrace = (e: TraceEvent): void => {
    if (e.source === "power" && e.values?.power !== undefined) flow.push({ time: e.time, power: e.values.power, direction: e.values.direction!, soc: e.values.soc! });
  };
  const summary = runSimulation({ protocol: "iso20", bpt: true, capacityKWh: 5, startSoc: 60, targetSoc: 80, ...options, onTrace });
  assert.equal(summary.ok, true, `${summary.outcome} ${summary.detail ?? ""} ${summary.errors.join("; ")}`);
  assert.deepEqual(summary.errors, []);
  return { summary, flow };
}

/**
 * Energy balance: the battery's stored energy (its SoC) changed by charged·η − discharged/η
 * (the energy at its terminals), less its own I²R losses (under 1 % of the throughput here).
 */
export function assertBalance(s: SimulationSummary, capacityWh: number, eta: number): void {
  const stored = ((s.socEnd - s.socStart) / 100) * capacityWh;
  const terminals = s.energyChargedWh * eta - s.energyDischargedWh / eta;
  const throughput = s.energyChargedWh + s.energyDischargedWh;
  assert.ok(stored <= terminals + 0.5, `stored ${stored.toFixed(1)} Wh ≤ at the terminals ${terminals.toFixed(1)} Wh`);
  assert.ok(terminals - stored <= 0.015 * throughput + 1, `stored ${stored.toFixed(1)} Wh vs charged·η − discharged/η ${terminals.toFixed(1)} Wh`);
  // The losses the stage booked: charged·(1 − η) + discharged·(1/η − 1) = charged − discharged − (charged·η − discharged/η).
  assert.ok(Math.abs(s.lossesWh - (s.energyChargedWh - s.energyDischargedWh - terminals)) < 0.5, `losses ${s.lossesWh} Wh`);
}

export function assertSocPath(s: SimulationSummary): void {
  const p = s.socPath;
  assert.equal(p.start, Math.round(s.socStart * 10) / 10);
  assert.equal(p.end, Math.round(s.socEnd * 10) / 10);
  assert.ok(p.min <= Math.min(p.start, p.end) && p.max >= Math.max(p.start, p.end));
  assert.ok(p.points.length >= 2 && p.points.length <= 8, `${p.points.length} points`);
  for (let i = 1; i < p.points.length; i++) assert.ok(p.points[i].timeMs > p.points[i - 1].timeMs);
  for (const point of p.points) assert.ok(point.soc >= p.min && point.soc <= p.max);
}

/**
 * V2H: every power line of the trace against the island's balance PV − house load at its time
 * (the site's default profiles of seed 15118), except just after a profile step, while the
 * inverter slews. Returns how many lines were compared.
 */
export function assertFollowsIsland(flow: Run["flow"], startOfDay: number, toleranceW: number): number {
  const load = houseLoad({ seed: 15118 });
  const pv = pvProfile({ seed: 15119 });
  let compared = 0;
  for (const f of flow) {
    const t = startOfDay + f.time / 1000;
    // Just after a profile step (house every 5 min, PV every 10 min) the inverter is still slewing.
    if (t % 300 < 3 || f.time < 20_000) continue;
    const wanted = pv(t) - load(t);
    assert.ok(Math.abs(f.power - wanted) <= toleranceW, `at ${t.toFixed(0)} s: ${f.power.toFixed(0)} W, the island needs ${wanted} W`);
    compared++;
  }
  return compared;
}
