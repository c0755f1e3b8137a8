// The live XS heap of whole simulated sessions, for the ESP32 memory arithmetic
// (hosts/esp32/README.md, "Memory"): each session runs in an xsnap engine of its own, stepped
// 100 ms of simulated time per evaluation with a collection after each step, and the slot
// count read right after the collection (the live slots) is compared with the count before the
// session started (every module already loaded: on the board they are preloaded in flash).
//
// A session here is both stations (charger and vehicle) plus the simulation's models (pilot
// line, powerline with a neighbour, two virtual IPv6 stacks, power stages, battery), so its
// peak bounds what one role alone needs from above.
//
//   npx tsx tools/xs/session-heap.ts [NAME-FILTER…]   (minutes per session; ISO-2 DC the longest)
import { bundleForXs } from "./bundle";
import { startXsWorker } from "./worker";

const SCENARIOS = [
  { name: "ISO-2 DC, 20 kWh 60 → 80 % (npm start's session)", options: { protocol: "iso2", transfer: "dc", capacityKWh: 20, startSoc: 60, targetSoc: 80 } },
  { name: "ISO 15118-20 DC_BPT scheduled, 5 kWh 70 → 75 %", options: { protocol: "iso20", transfer: "dc", bpt: true, mode: "scheduled", capacityKWh: 5, startSoc: 70, targetSoc: 75 } },
  { name: "DIN DC, 5 kWh 70 → 75 %", options: { protocol: "din", transfer: "dc", capacityKWh: 5, startSoc: 70, targetSoc: 75 } },
];
// XS15118_HEAP_SCENARIO='{"name":…,"options":{…}}' measures that session instead.
if (process.env.XS15118_HEAP_SCENARIO) SCENARIOS.splice(0, SCENARIOS.length, JSON.parse(process.env.XS15118_HEAP_SCENARIO));
const STEP_MS = 100;
/** sizeof(txSlot) on the ESP32 (32-bit pointers). */
const ESP32_SLOT_BYTES = 16;

const driver = `
import { startSimulation } from "./simulation/session/simulation";
let simulation;
globalThis.__heap = {
  start(options) { simulation = startSimulation(options); },
  step(ms) {
    simulation.advance(ms);
    if (simulation.done) issueCommand(new TextEncoder().encode(JSON.stringify({ op: "report", done: true })).buffer);
  },
  summary() { const s = simulation.summary; return JSON.stringify({ ok: s.ok, outcome: s.outcome, messages: s.messages }); },
  release() { simulation = undefined; },
};
`;

async function main(): Promise<void> {
  const script = await bundleForXs(driver);
  for (const scenario of SCENARIOS.filter((s) => process.argv.length <= 2 || process.argv.slice(2).some((f) => s.name.includes(f)))) {
    const worker = await startXsWorker("xs15118-session-heap");
    try {
      await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(process.cwd())};`);
      await worker.evaluate(script);
      // xsnap keeps about one slot per evaluation (1,000 evaluations of "gc()": +1,000 slots),
      // which a session stepped from here would count as its own: measured, then taken off.
      const before = (await worker.evaluate("gc()")).currentHeapCount;
      for (let i = 0; i < 200; i++) await worker.evaluate("gc()");
      const base = (await worker.evaluate("gc()")).currentHeapCount;
      const perEvaluation = (base - before) / 201;
      let evaluations = 0;
      const live = async (): Promise<number> => (await worker.evaluate("gc()")).currentHeapCount - base - Math.round(++evaluations * perEvaluation);
      await worker.evaluate(`__heap.start(${JSON.stringify(scenario.options)})`);
      evaluations++;
      const afterStart = await live();
      let peak = afterStart;
      let steps = 0;
      const samples: number[] = [];
      for (; steps < 100_000; steps++) {
        await worker.evaluate(`__heap.step(${STEP_MS})`);
        evaluations++;
        const now = await live();
        samples.push(now);
        peak = Math.max(peak, now);
        if (worker.reports.length > 0) break;
      }
      samples.sort((a, b) => a - b);
      const median = samples[Math.floor(samples.length / 2)];
      console.log(
        `${scenario.name}: live peak ${peak} slots (${peak * ESP32_SLOT_BYTES} B at 16 B/slot), median ${median}, at plug-in setup ${afterStart}; modules loaded before: ${base} slots; ${steps + 1} samples; ${perEvaluation.toFixed(2)} slots per xsnap evaluation taken off`,
      );
    } finally {
      await worker.close();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
