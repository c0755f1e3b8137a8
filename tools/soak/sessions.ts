// One soak session: a complete simulated session (pilot, SLAC, SDP, TCP, SAP, session, unplug)
// with a protocol, an energy transfer and, sometimes, a fault from simulation/faults, all drawn
// from (seed, index), so any session of a soak is rerun alone from the two numbers it prints.
// Portable: tools/soak/main.ts runs it on Node and bundles it for XS (xs-driver.ts).

import { runSimulation, TIME_LIMIT_OUTCOME } from "../../simulation/session/simulation";
import { FAULTS, findFault, injectFaults, type FaultName } from "../../simulation/faults/catalogue";
import { inputRandom, pick } from "../fuzz/random";

/** DC_BPT and the DC-only faults are drawn only where they apply. */
const KINDS = Object.freeze([
  Object.freeze({ protocol: "din", transfer: "dc" }),
  Object.freeze({ protocol: "iso2", transfer: "dc" }),
  Object.freeze({ protocol: "iso2", transfer: "ac" }),
  Object.freeze({ protocol: "iso20", transfer: "dc" }),
  Object.freeze({ protocol: "iso20", transfer: "ac" }),
] as const);
const DC_ONLY: readonly FaultName[] = Object.freeze(["isolation-fault", "contactor-weld"]);

export interface SoakSession {
  index: number;
  protocol: string;
  transfer: string;
  fault?: FaultName;
  outcome: string;
  ok: boolean;
  /** The end was what it should be: a normal one without a fault, one the fault's catalogue entry allows with it. */
  expected: boolean;
  energyWh: number;
  simulatedMs: number;
}

/** Runs session `index` of the soak `seed`; a fault with probability `faultRate`. */
export function runSoakSession(seed: number, index: number, faultRate: number): SoakSession {
  const rnd = inputRandom(seed, index);
  const kind = pick(rnd, KINDS);
  let fault: FaultName | undefined;
  if (rnd() < faultRate) {
    const usable = FAULTS.filter((f) => kind.transfer === "dc" || DC_ONLY.indexOf(f.name) < 0);
    fault = pick(rnd, usable).name;
  }
  // A short charge (1 % of 5 kWh): a session of seconds of simulated time, every phase included;
  // 5 % with a fault, so one that strikes 5 s into the charge finds it still under way.
  const startSoc = 40 + Math.floor(rnd() * 40);
  const summary = runSimulation({
    protocol: kind.protocol,
    transfer: kind.transfer,
    capacityKWh: 5,
    startSoc,
    targetSoc: startSoc + (fault === undefined ? 1 : 5),
    seed: (seed * 7919 + index) >>> 0 || 1,
    ...(fault !== undefined ? { inject: injectFaults([{ name: fault }]) } : {}),
  });
  const definition = fault === undefined ? undefined : findFault(fault);
  const expected =
    summary.outcome !== TIME_LIMIT_OUTCOME &&
    (definition === undefined ? summary.ok : definition.outcomes.indexOf(summary.outcome) >= 0 && (definition.orderly === undefined || definition.orderly === summary.ok));
  return { index, protocol: kind.protocol, transfer: kind.transfer, fault, outcome: summary.outcome, ok: summary.ok, expected, energyWh: summary.energyWh, simulatedMs: summary.durationMs };
}

/** A batch of sessions: what a soak counts, and the unexpected ends in full. */
export interface SoakBatch {
  sessions: number;
  faults: number;
  unexpected: SoakSession[];
  simulatedMs: number;
  energyWh: number;
}

export function runSoakBatch(seed: number, first: number, count: number, faultRate: number): SoakBatch {
  const batch: SoakBatch = { sessions: 0, faults: 0, unexpected: [], simulatedMs: 0, energyWh: 0 };
  for (let i = first; i < first + count; i++) {
    const s = runSoakSession(seed, i, faultRate);
    batch.sessions++;
    if (s.fault !== undefined) batch.faults++;
    if (!s.expected) batch.unexpected.push(s);
    batch.simulatedMs += s.simulatedMs;
    batch.energyWh += s.energyWh;
  }
  return batch;
}

/** Least-squares slope of y over x (units of y per unit of x). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i];
    sy += ys[i];
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) * (xs[i] - mx);
  }
  return den === 0 ? 0 : num / den;
}
