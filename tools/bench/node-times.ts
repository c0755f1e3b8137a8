// The Node half of `npm run bench`, run by tools/bench.ts in a process of its own: the XS half
// needs @endo/init (xsnap's dependency), whose lockdown freezes and wraps the built-ins of the
// whole process and slows the codec on Node 1.1–1.9× on small messages and up to 18× on
// certificate messages. Nothing here may import tools/xs/worker or @endo/init; the output
// says whether the built-ins were locked down all the same (`lockdown`).
//
//   node --import tsx tools/bench/node-times.ts [FILTER]   JSON on stdout
//
// Node ns/op: median of 5 rounds, each round sized to ~100 ms after a warm-up.

import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { WORKLOADS } from "./workloads";
import type { Workload } from "./workload";
import { SESSION_SCENARIOS } from "./session-scenario";
import { runSimulation } from "../../simulation/session/simulation";

export interface NodeRow {
  name: string;
  group: string;
  nodeNsPerOp?: number;
  skipped?: string;
}

export interface NodeTimes {
  workloads: NodeRow[];
  /** The whole simulated sessions on Node, one per SESSION_SCENARIOS entry (when the filter selects them). */
  sessions?: { name: string; messages: number; simulatedMs: number; nodeMs: number }[];
  /** True when the built-ins were locked down (frozen intrinsics): the figures would not be plain Node's. */
  lockdown: boolean;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeNode(w: Workload, state: unknown): number {
  const sink: unknown[] = [];
  // Calibrate: double n until one round takes at least ~20 ms, then size rounds to ~100 ms.
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink[0] = w.run(state);
    const ms = performance.now() - t0;
    if (ms > 20 || n > 1 << 24) {
      n = Math.max(1, Math.round((n * 100) / Math.max(ms, 0.001)));
      break;
    }
    n *= 2;
  }
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink[0] = w.run(state);
    rounds.push(((performance.now() - t0) * 1e6) / n);
  }
  return median(rounds);
}

/** Whether SES's lockdown ran in this process (it freezes the shared prototypes). */
function lockedDown(): boolean {
  return Object.isFrozen(Array.prototype) || typeof (globalThis as { harden?: unknown }).harden === "function";
}

function main(): void {
  const filter = process.argv.slice(2).find((a) => !a.startsWith("--"));
  const workloads: NodeRow[] = [];
  for (const w of WORKLOADS.filter((x) => !filter || x.name.includes(filter))) {
    const row: NodeRow = { name: w.name, group: w.group };
    const state = w.setup();
    if (state === undefined) row.skipped = w.skipReason ?? "setup gave no input";
    else row.nodeNsPerOp = timeNode(w, state);
    workloads.push(row);
  }
  let sessions: NodeTimes["sessions"];
  if (!filter || "session".includes(filter)) {
    sessions = [];
    for (const scenario of SESSION_SCENARIOS) {
      const t0 = performance.now();
      const summary = runSimulation(scenario.options);
      sessions.push({ name: scenario.name, messages: summary.messages, simulatedMs: summary.durationMs, nodeMs: performance.now() - t0 });
    }
  }
  const out: NodeTimes = { workloads, sessions, lockdown: lockedDown() };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
