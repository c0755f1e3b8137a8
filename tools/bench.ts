// npm run bench: prints, for every workload, Node time, XS time, XS compute meter and XS heap
// allocation per operation, plus code and data sizes. Figures only: it never fails on a number.
//   npm run bench -- --json        JSON instead of the table
//   npm run bench -- FILTER        only workloads whose name contains FILTER
//   npm run bench -- --stack       also the XS stack slots each operation needs (≈ 30 s more;
//                                  tools/xs/stack-probe.ts: overflows xsnap workers on purpose)
//
// How each figure is taken:
//  - Node ns/op: median of 5 rounds, each round sized to ~100 ms after a warm-up, in a plain
//    Node process of its own (tools/bench/node-times.ts): this process imports @endo/init for
//    xsnap, and its lockdown of the built-ins would slow Node's figures (up to 18×).
//  - XS ns/op: the same loop inside the XS engine (xsnap worker), timed there with
//    performance.now(); median of 3 rounds.
//  - XS meter/op: the engine's compute meter (XS's count of executed byte-code steps) for
//    one round divided by its operations: a machine-independent cost figure.
//  - XS heap/op: slots allocated by one operation (currentHeapCount after minus before, with
//    a collection before), times 16 bytes, the slot size on a 32-bit ESP32. Chunk memory
//    (string and typed-array storage) is not included in xsnap's meter reading.
//  - XS kept B/op: what one operation leaves alive, its result kept, after a collection: live
//    slots × 16 + live chunk bytes at the ESP32's sizes, from engine snapshots before and after
//    (tools/xs/worker.ts liveHeap; an EXI decode's figure is its message object and whatever
//    the codec kept).
//  - Whole sessions: the peak of the same live heap (slots × 16 + chunks) over the session,
//    sampled after every simulated second; both stations and the simulation's models.
//  - One station per session (issue 15's 64 KB): the charger or the vehicle alone in an engine,
//    the peer, the pilot line, the powerline and the IPv6 stacks on Node; the same live heap,
//    sampled every 100 ms of simulated time (tools/xs/station-heap.ts). `--no-stations` skips it
//    (about 2.5 min).

import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { SizeFigure } from "./bench/workload";
import { SIZE_FIGURES } from "./bench/sizes";
import { median, type NodeTimes } from "./bench/node-times";
import { bundleForXs } from "./xs/bundle";
import { evaluationOverhead, startXsWorker, type XsWorker } from "./xs/worker";
import { StackProbe, deviceOps, type StackFigure } from "./xs/stack-probe";
import { measureStation, type StationHeap } from "./xs/station-heap";
import { SESSION_SCENARIOS } from "./bench/session-scenario";

interface Row {
  name: string;
  group: string;
  nodeNsPerOp?: number;
  xsNsPerOp?: number;
  xsMeterPerOp?: number;
  xsHeapBytesPerOp?: number;
  xsKeptBytesPerOp?: number;
  skipped?: string;
}

const args = process.argv.slice(2);
const json = args.includes("--json");
const stack = args.includes("--stack");
const filter = args.find((a) => !a.startsWith("--"));
const stations = !args.includes("--no-stations");
const XS_SLOT_BYTES = 16;

/** Node's figures, from a plain Node process (no lockdown): see tools/bench/node-times.ts. */
function nodeTimes(): NodeTimes {
  const script = fileURLToPath(new URL("./bench/node-times.ts", import.meta.url));
  const child = spawnSync(process.execPath, ["--import", "tsx", script, ...(filter ? [filter] : [])], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 << 20,
  });
  if (child.status !== 0) throw new Error(`tools/bench/node-times.ts exited with ${child.status ?? child.signal}`);
  return JSON.parse(child.stdout) as NodeTimes;
}

async function timeXs(worker: XsWorker, row: Row, nodeNs: number | undefined): Promise<void> {
  const name = JSON.stringify(row.name);
  const before = worker.reports.length;
  await worker.evaluate(`__bench.setup(${name})`);
  const skip = (worker.reports.slice(before) as { skip?: string }[]).find((r) => r.skip);
  if (skip) {
    row.skipped = skip.skip;
    return;
  }
  // XS is an interpreter: aim for ~100 ms rounds, guessing from plain Node's speed (XS ≈ 50–150× slower).
  const guessNs = (nodeNs ?? 10_000) * 100;
  const n = Math.max(1, Math.min(1_000_000, Math.round(100e6 / guessNs)));
  await worker.evaluate(`__bench.run(${name}, 1)`);
  const times: number[] = [];
  const meters: number[] = [];
  for (let r = 0; r < 3; r++) {
    const start = worker.reports.length;
    const meter = await worker.evaluate(`__bench.run(${name}, ${n})`);
    const rep = worker.reports[start] as { ms: number; n: number };
    times.push((rep.ms * 1e6) / rep.n);
    meters.push(meter.compute / n);
  }
  row.xsNsPerOp = median(times);
  row.xsMeterPerOp = median(meters);
  await worker.evaluate("__bench.release(); gc();");
  const kept0 = await worker.liveHeap();
  const base = await worker.evaluate("0");
  const after = await worker.evaluate(`__bench.once(${name})`);
  row.xsHeapBytesPerOp = Math.max(0, after.currentHeapCount - base.currentHeapCount) * XS_SLOT_BYTES;
  const kept1 = await worker.liveHeap();
  // two evaluations between the snapshots: xsnap keeps ~1 slot and 24 chunk bytes per evaluation
  row.xsKeptBytesPerOp = Math.max(0, (kept1.slots - kept0.slots - 2) * XS_SLOT_BYTES + kept1.chunkBytesEsp32 - kept0.chunkBytesEsp32 - 48);
}

interface SessionFigures {
  name: string;
  messages: number;
  simulatedMs: number;
  nodeMs: number;
  xsMs: number;
  xsMeter: number;
  /** Peak of live slots × 16 + live chunks (ESP32 sizes), and its two parts at that sample. */
  peakHeapBytes: number;
  peakSlots: number;
  peakChunkBytes: number;
}

/**
 * The whole simulated session in XS: stepped 1 s of simulated time per evaluation; after each
 * step an engine snapshot (taken after a collection) gives the live slots and chunks; the peak
 * of slots × 16 + chunks (ESP32 sizes) over the run, above the engine before the session, less
 * what xsnap itself keeps per evaluation (measured first), is the session's peak.
 */
async function measureSession(worker: XsWorker, node: NonNullable<NodeTimes["sessions"]>[number], index: number): Promise<SessionFigures> {
  const { base, perSlots, perChunks } = await evaluationOverhead(worker);
  let evaluations = 0;
  let peak = { bytes: 0, slots: 0, chunks: 0 };
  let xsMs = 0;
  let xsMeter = 0;
  const start = worker.reports.length;
  let s = performance.now();
  let m = await worker.evaluate(`__bench.simStart(${index})`);
  evaluations++;
  xsMs += performance.now() - s;
  xsMeter += m.compute;
  for (let i = 0; i < 10_000; i++) {
    s = performance.now();
    m = await worker.evaluate("__bench.simStep(1000)");
    evaluations++;
    xsMs += performance.now() - s;
    xsMeter += m.compute;
    const h = await worker.liveHeap();
    const slots = h.slots - base.slots - Math.round(evaluations * perSlots);
    const chunks = h.chunkBytesEsp32 - base.chunkBytesEsp32 - Math.round(evaluations * perChunks);
    if (slots * XS_SLOT_BYTES + chunks > peak.bytes) peak = { bytes: slots * XS_SLOT_BYTES + chunks, slots, chunks };
    if ((worker.reports.slice(start) as { sim?: string }[]).some((r) => r.sim === "done")) break;
  }
  await worker.evaluate("__bench.simRelease(); gc()");
  return { ...node, xsMs, xsMeter, peakHeapBytes: peak.bytes, peakSlots: peak.slots, peakChunkBytes: peak.chunks };
}

function format(value: number | undefined, digits = 0): string {
  if (value === undefined) return "—";
  // Thousands separators by hand: Node may be built without Intl locale data.
  const [whole, frac] = value.toFixed(digits).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac ? `${grouped}.${frac}` : grouped;
}

async function main(): Promise<void> {
  // Node first, alone, so that nothing else of the bench runs beside its timing.
  const node = nodeTimes();
  const rows: Row[] = node.workloads.map((r) => ({ ...r }));

  let xsError: string | undefined;
  const sessions: SessionFigures[] = [];
  try {
    const script = await bundleForXs(`import "./tools/bench/xs-driver";`);
    const fresh = async (): Promise<XsWorker> => {
      const w = await startXsWorker("xs15118-bench");
      await w.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(process.cwd())};`);
      await w.evaluate(script);
      return w;
    };
    const worker = await fresh();
    try {
      for (const row of rows) if (!row.skipped) await timeXs(worker, row, row.nodeNsPerOp);
    } finally {
      await worker.close();
    }
    // Each whole session in an engine of its own: xsnap's heap does not shrink, so a session
    // run after another would find the heap already grown and read as needing nothing.
    const simulated = node.sessions ?? [];
    for (let i = 0; i < simulated.length; i++) {
      const own = await fresh();
      try {
        sessions.push(await measureSession(own, simulated[i], i));
      } finally {
        await own.close();
      }
    }
  } catch (error) {
    xsError = `XS figures unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }

  // One station at a time, each session and role in an engine of its own (as the sessions above).
  const stationHeaps: StationHeap[] = [];
  let stationError: string | undefined;
  if (stations && !xsError) {
    try {
      for (const scenario of SESSION_SCENARIOS.filter((s) => !filter || s.name.includes(filter))) {
        for (const role of ["charger", "vehicle"] as const) stationHeaps.push(await measureStation(role, scenario));
      }
    } catch (error) {
      stationError = `one-station figures unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  const sizes: SizeFigure[] = [];
  for (const figure of SIZE_FIGURES) {
    try {
      sizes.push(await figure());
    } catch (error) {
      sizes.push({ name: "?", bytes: 0, note: `failed: ${String(error)}` });
    }
  }

  let stackFigures: StackFigure[] | undefined;
  let stackError: string | undefined;
  if (stack) {
    const probe = new StackProbe();
    try {
      stackFigures = await probe.measure(deviceOps().filter((op) => !filter || op.name.includes(filter)));
    } catch (error) {
      stackError = `XS stack figures unavailable: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      await probe.close();
    }
  }

  if (json) {
    process.stdout.write(`${JSON.stringify({ workloads: rows, session: sessions[0], sessions, stations: stationHeaps, stationError, sizes, xsError, stack: stackFigures, stackError, nodeLockdown: node.lockdown }, null, 2)}\n`);
    return;
  }
  const header = ["workload", "Node ns/op", "XS ns/op", "XS meter/op", "XS heap B/op", "XS kept B/op"];
  const table = rows.map((r) =>
    r.skipped
      ? [r.name, `skipped: ${r.skipped}`, "", "", "", ""]
      : [r.name, format(r.nodeNsPerOp), format(r.xsNsPerOp), format(r.xsMeterPerOp), format(r.xsHeapBytesPerOp), format(r.xsKeptBytesPerOp)],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  let group = "";
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].group !== group) {
      group = rows[i].group;
      console.log(`[${group}]`);
    }
    console.log(line(table[i]));
  }
  if (xsError) console.log(xsError);
  if (node.lockdown) console.log("warning: the Node figures were taken with the built-ins locked down (something imported @endo/init): not plain Node");
  if (sessions.length > 0) {
    // One row per whole simulated session (tools/bench/session-scenario.ts): the peak live heap,
    // sampled after a collection every simulated second, both stations and the models.
    console.log("\nwhole simulated sessions, both stations and the simulation's models (XS peak live heap after a collection every simulated second: slots × 16 B + chunks at ESP32 sizes, code chunks xsnap copies left out; tools/xs/session-heap.ts)");
    const head = ["session", "V2G messages", "simulated s", "Node CPU ms", "XS CPU ms", "XS meter", "XS peak heap B", "slots", "chunks B"];
    const cells = sessions.map((s) => [s.name, format(s.messages), format(s.simulatedMs / 1000, 1), format(s.nodeMs), format(s.xsMs), format(s.xsMeter), format(s.peakHeapBytes), format(s.peakSlots), format(s.peakChunkBytes)]);
    const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const row = (c: string[]) => "  " + c.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join("  ");
    console.log(row(head));
    for (const c of cells) console.log(row(c));
  }
  if (stationHeaps.length > 0) {
    // One row per station and session: what one device holds (issue 15: ≤ 64 KB).
    console.log("\none station per session, alone in its engine: peer, pilot line, powerline and IPv6 stacks on Node (XS peak live heap after a collection every 100 ms simulated: slots × 16 B + chunks at ESP32 sizes; tools/xs/station-heap.ts)");
    const head = ["station", "session", "XS peak heap B", "slots", "chunks B", "built B", "peak at s", "vehicle's end"];
    const cells = stationHeaps.map((h) => [h.role, h.session, format(h.peakBytes), format(h.peakSlots), format(h.peakChunkBytes), format(h.startBytes), format(h.peakAtMs / 1000, 1), `${h.outcome}${h.ok ? "" : " (not ok)"}`]);
    const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const row = (c: string[]) => "  " + c.map((x, i) => (i <= 1 || i === 7 ? x.padEnd(w[i]) : x.padStart(w[i]))).join("  ");
    console.log(row(head));
    for (const c of cells) console.log(row(c));
  }
  if (stationError) console.log(stationError);
  if (sizes.length > 0) {
    console.log("\nsize (minified JS unless noted)");
    for (const s of sizes) console.log(`  ${s.name.padEnd(40)} ${format(s.bytes).padStart(10)} B${s.note ? `  ${s.note}` : ""}`);
  }
  if (stackFigures) {
    console.log("\nXS stack slots (±1, beyond an empty call; 16 B a slot on ESP32; tools/xs/stack-probe.ts)");
    const width = Math.max(40, ...stackFigures.map((f) => f.name.length));
    for (const f of stackFigures) console.log(`  ${f.name.padEnd(width)} ${f.slots !== undefined ? format(f.slots).padStart(6) : f.error}`);
  }
  if (stackError) console.log(stackError);
}

await main();
