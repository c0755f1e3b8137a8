// The XS side of the benchmark: registers the workloads and times them inside the engine.
// tools/bench.ts bundles this file, then calls the globals below through worker.evaluate().
import { WORKLOADS } from "./workloads";
import { startSimulation, type RunningSimulation } from "../../simulation/session/simulation";
import { SESSION_SCENARIOS } from "./session-scenario";

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;

const states = new Map<string, unknown>();
const sink: unknown[] = [];

function report(value: Record<string, unknown>): void {
  issueCommand(new TextEncoder().encode(JSON.stringify({ op: "report", ...value })).buffer as ArrayBuffer);
}

let simulation: RunningSimulation | undefined;

const bench = {
  /** A whole simulated session (SESSION_SCENARIOS[index]), stepped from Node so the heap can be read between steps. */
  simStart(index = 0): void {
    simulation = startSimulation(SESSION_SCENARIOS[index].options);
  },
  simStep(ms: number): void {
    simulation!.advance(ms);
    if (simulation!.done) report({ sim: "done", summary: { ok: simulation!.summary!.ok, messages: simulation!.summary!.messages, simulatedMs: simulation!.time } });
  },
  simRelease(): void {
    simulation = undefined;
  },
  setup(name: string): void {
    const w = WORKLOADS.find((x) => x.name === name)!;
    const state = w.setup();
    if (state === undefined) report({ name, skip: w.skipReason ?? "setup gave no input" });
    else states.set(name, state);
  },
  /** Run `n` operations; reports the elapsed time measured inside XS. */
  run(name: string, n: number): void {
    const w = WORKLOADS.find((x) => x.name === name)!;
    const state = states.get(name);
    if (state === undefined) return;
    const t0 = performance.now();
    let last: unknown;
    for (let i = 0; i < n; i++) last = w.run(state);
    const ms = performance.now() - t0;
    sink[0] = last;
    report({ name, n, ms });
  },
  /** One operation whose result is kept alive, for the heap reading. */
  once(name: string): void {
    const w = WORKLOADS.find((x) => x.name === name)!;
    const state = states.get(name);
    if (state !== undefined) sink[1] = w.run(state);
  },
  release(): void {
    sink.length = 0;
  },
};

(globalThis as Record<string, unknown>).__bench = bench;
