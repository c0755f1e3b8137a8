// node --import tsx tools/bench/loop-profile.ts [N]
// Prints the XS meter per operation and desktop XS µs of each charging-loop cycle (issue 15) and
// of its parts: decode the request, the session's step, encode the response. Profiling aid;
// `npm run bench -- decode+handle+encode` prints the whole cycles.
import { bundleForXs } from "../xs/bundle";
import { startXsWorker } from "../xs/worker";
import { LOOP_CYCLES, LOOP_PARTS } from "./loop-parts";

const n = Number(process.argv[2] ?? 2000);
const script = await bundleForXs(`
import { loopPart } from "./tools/bench/loop-parts";
const fns = new Map();
globalThis.__part = (i, part) => { fns.set(i + part, loopPart(i, part)); };
globalThis.__run = (i, part, n) => {
  const f = fns.get(i + part);
  const t0 = performance.now();
  for (let k = 0; k < n; k++) f();
  const ms = performance.now() - t0;
  issueCommand(new TextEncoder().encode(JSON.stringify({ op: "report", ms })).buffer);
};
`);
const worker = await startXsWorker("xs15118-loop-profile");
try {
  await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(process.cwd())};`);
  await worker.evaluate(script);
  const head = ["cycle", ...LOOP_PARTS.map((p) => `${p} meter / µs`)];
  console.log(head.join("\t"));
  for (let i = 0; i < LOOP_CYCLES.length; i++) {
    const cells: string[] = [LOOP_CYCLES[i].name];
    for (const part of LOOP_PARTS) {
      await worker.evaluate(`__part(${i}, ${JSON.stringify(part)})`);
      const base = (await worker.evaluate(`__run(${i}, ${JSON.stringify(part)}, 0)`)).compute;
      const meters: number[] = [], times: number[] = [];
      for (let r = 0; r < 3; r++) {
        const before = worker.reports.length;
        const m = await worker.evaluate(`__run(${i}, ${JSON.stringify(part)}, ${n})`);
        meters.push((m.compute - base) / n);
        times.push(((worker.reports[before] as { ms: number }).ms * 1000) / n);
      }
      meters.sort((a, b) => a - b);
      times.sort((a, b) => a - b);
      cells.push(`${meters[1].toFixed(0)} / ${times[1].toFixed(1)}`);
    }
    console.log(cells.join("\t"));
  }
} finally {
  await worker.close();
}
