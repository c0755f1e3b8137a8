// node --import tsx tools/bench/loop-profile.ts [N]
// Prints the XS meter per operation and desktop XS µs of each charging-loop cycle (issue 15) and
// of its parts: decode the request, the session's step, encode the response (median of three
// rounds of N). The µs are the xsnap process's CPU time (Linux /proc: utime + stime, 10 ms
// ticks, so rounds should take a second or more) where readable, else wall time measured inside
// XS; on a shared machine CPU time leaves out the time other processes hold the cores.
// Profiling aid; `npm run bench -- decode+handle+encode` prints the whole cycles.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as os from "node:os";
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

/** The xsnap worker's process (our child), for its CPU time; undefined where /proc is not there. */
function xsnapPid(): number | undefined {
  try {
    const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" });
    const line = out.split("\n").find((l) => /xsnap/.test(l));
    return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (ms) the process has used: utime + stime in clock ticks of 10 ms. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
try {
  await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(process.cwd())};`);
  await worker.evaluate(script);
  const pid = xsnapPid();
  console.log(`${pid !== undefined ? "µs: xsnap CPU time" : "µs: wall time inside XS"}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} cores`);
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
        const cpu0 = cpuMs(pid);
        const m = await worker.evaluate(`__run(${i}, ${JSON.stringify(part)}, ${n})`);
        const cpu1 = cpuMs(pid);
        meters.push((m.compute - base) / n);
        const ms = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : (worker.reports[before] as { ms: number }).ms;
        times.push((ms * 1000) / n);
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
