// The live XS heap of whole simulated sessions, for the ESP32 memory arithmetic
// (hosts/esp32/README.md, "Memory"; issue 15 item 3): each session runs in an xsnap engine of
// its own, stepped 100 ms of simulated time per evaluation, and after each step the engine's
// snapshot (taken after a collection) gives the live slots and the live chunk bytes
// (tools/xs/worker.ts liveHeap), counted above the engine with every module loaded (on the
// board the modules are preloaded in flash). Heap = slots × 16 B (the ESP32's slot) + chunks at
// the ESP32's sizes (8-byte chunk headers, 16-byte array items; this 64-bit host's own chunk
// bytes, up to twice as many, are printed too).
//
// What is measured is one simulated session: BOTH stations (charger and vehicle) plus the
// simulation's models (pilot line, powerline with a neighbour, two virtual IPv6 stacks with
// their TCP buffers, power stages, battery). One role on a board holds a part of it.
// `--census` also prints, at the peak, where the heap goes: objects grouped by class, closures,
// the largest chunk owners (tools/xs/heap-census.ts).
//
//   npx tsx tools/xs/session-heap.ts [--census] [NAME-FILTER…]   (tens of seconds per session;
//   the sessions of tools/bench/session-scenario.ts)
import { bundleForXs } from "./bundle";
import { evaluationOverhead, startXsWorker } from "./worker";
import { census, censusDelta, type Census } from "./heap-census";
import { SESSION_SCENARIOS, type SessionScenario } from "../bench/session-scenario";

const STEP_MS = 100;
/** sizeof(txSlot) on the ESP32 (32-bit pointers). */
const ESP32_SLOT_BYTES = 16;

export const HEAP_DRIVER = `
import { startSimulation } from "./simulation/session/simulation";
let simulation;
globalThis.__heap = {
  start(options) { simulation = startSimulation(options); },
  step(ms) {
    simulation.advance(ms);
    if (simulation.done) issueCommand(new TextEncoder().encode(JSON.stringify({ op: "report", done: true, ok: simulation.summary.ok, messages: simulation.summary.messages })).buffer);
  },
};
`;

export interface SessionHeap {
  name: string;
  /** At the sample where slots × 16 + chunks (ESP32 sizes) peaked. */
  peakSlots: number;
  peakChunkBytes: number;
  /** The same chunks at this host's sizes. */
  peakChunkBytesHost: number;
  peakBytes: number;
  /** Both stations and the models built, nothing plugged in. */
  startBytes: number;
  samples: number;
  ok: boolean;
  messages: number;
}

export async function measure(script: string, scenario: SessionScenario, wantCensus: boolean): Promise<SessionHeap & { census?: string }> {
  const worker = await startXsWorker("xs15118-session-heap");
  try {
    await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(process.cwd())};`);
    await worker.evaluate(script);
    const first = await worker.liveHeap();
    const { base, perSlots, perChunks: perChunksEsp32 } = await evaluationOverhead(worker, 100);
    const perChunks = (base.chunkBytes - first.chunkBytes) / 100;
    const baseCensus = wantCensus ? census(await worker.snapshot()) : undefined;
    let evaluations = 0;
    const live = async (): Promise<{ slots: number; chunkBytes: number; chunkBytesHost: number }> => {
      const h = await worker.liveHeap();
      evaluations++;
      return {
        slots: h.slots - base.slots - Math.round(evaluations * perSlots),
        chunkBytes: h.chunkBytesEsp32 - base.chunkBytesEsp32 - Math.round(evaluations * perChunksEsp32),
        chunkBytesHost: h.chunkBytes - base.chunkBytes - Math.round(evaluations * perChunks),
      };
    };
    await worker.evaluate(`__heap.start(${JSON.stringify(scenario.options)})`);
    const start = await live();
    let peak = start;
    let peakStep = -1;
    let steps = 0;
    for (; steps < 20_000 && worker.reports.length === 0; steps++) {
      await worker.evaluate(`__heap.step(${STEP_MS})`);
      const now = await live();
      if (now.slots * ESP32_SLOT_BYTES + now.chunkBytes > peak.slots * ESP32_SLOT_BYTES + peak.chunkBytes) {
        peak = now;
        peakStep = steps;
      }
    }
    const done = worker.reports[0] as { ok?: boolean; messages?: number } | undefined;
    let text: string | undefined;
    if (baseCensus) {
      // a second run to the peak's step, for its census (the snapshot is taken there)
      await worker.close();
      text = await censusAt(script, scenario, peakStep, baseCensus);
    }
    return {
      name: scenario.name,
      peakSlots: peak.slots,
      peakChunkBytes: peak.chunkBytes,
      peakChunkBytesHost: peak.chunkBytesHost,
      peakBytes: peak.slots * ESP32_SLOT_BYTES + peak.chunkBytes,
      startBytes: start.slots * ESP32_SLOT_BYTES + start.chunkBytes,
      samples: steps + 1,
      ok: done?.ok ?? false,
      messages: done?.messages ?? 0,
      census: text,
    };
  } finally {
    await worker.close().catch(() => undefined);
  }
}

/** The census of the session at `step` (same engine set-up, same deterministic session), above `base`. */
async function censusAt(script: string, scenario: SessionScenario, step: number, base: Census): Promise<string> {
  const worker = await startXsWorker("xs15118-session-census");
  try {
    await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(process.cwd())};`);
    await worker.evaluate(script);
    await worker.evaluate(`__heap.start(${JSON.stringify(scenario.options)})`);
    for (let i = 0; i <= step; i++) await worker.evaluate(`__heap.step(${STEP_MS})`);
    const at = census(await worker.snapshot());
    const lines = [`  census at the peak (objects, slots, chunk B at ESP32 sizes, total B):`];
    for (const g of censusDelta(base, at).slice(0, 40)) lines.push(`  ${String(g.objects).padStart(6)} ${String(g.slots).padStart(6)} ${String(g.chunkBytesEsp32).padStart(7)} ${String(g.slots * 16 + g.chunkBytesEsp32).padStart(7)}  ${g.name}`);
    lines.push("  largest chunk owners (one path to each):");
    const before = new Set(base.largest.map((x) => `${x.from}${x.name}${x.chunkBytesEsp32}`));
    for (const x of at.largest.filter((x) => !before.has(`${x.from}${x.name}${x.chunkBytesEsp32}`)).slice(0, 15)) lines.push(`  ${String(x.chunkBytesEsp32).padStart(7)}  ${x.from}${x.name}`);
    return lines.join("\n");
  } finally {
    await worker.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const wantCensus = args.includes("--census");
  const filters = args.filter((a) => !a.startsWith("--"));
  const script = await bundleForXs(HEAP_DRIVER);
  for (const scenario of SESSION_SCENARIOS.filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)))) {
    const r = await measure(script, scenario, wantCensus);
    console.log(
      `${r.name}: live peak ${r.peakBytes} B = ${r.peakSlots} slots × 16 B + ${r.peakChunkBytes} B chunks (${r.peakChunkBytesHost} B at this host's sizes); at plug-in setup ${r.startBytes} B; ${r.samples} samples; ${r.messages} V2G messages${r.ok ? "" : " (session did not end ok)"}`,
    );
    if (r.census) console.log(r.census);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
