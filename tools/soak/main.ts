// `npm run soak`: many complete simulated sessions in one process (DIN, ISO-2 and -20, DC and AC,
// a random fault from simulation/faults in some), on Node and inside XS, with the heap measured
// after a garbage collection every N sessions; and, with --netns, a charger process (`xs15118
// secc`) serving real sessions over sockets between two network namespaces, its memory after GC
// (RSS, heapUsed, external, ArrayBuffers) printed every N sessions.
//
//   npm run soak                                   10,000 sessions on Node, 1,000 inside XS (about
//                                                  20 min on Node and 20 min in XS on one core)
//   npm run soak -- --sessions 300 --xs-sessions 30    the short run CI does (about 2 min)
//   npm run soak -- --engine node --sessions 2000 --every 200 --seed 7 --fault-rate 0.5
//   sudo npm run soak -- --netns --sessions 1000   xs15118 secc in one namespace, the vehicles
//                                                  (xs15118 evcc's code, in batches of --every,
//                                                  default 100) in the other, over a veth pair
//
// Fails (exit 1) when a session ends in a way it should not (a failure without a fault, or an
// end its fault does not allow: each is printed with the seed and index that rerun it), when
// the heap after GC grows by more than --max-growth bytes per session between the first and
// the last third of the run, or when Node's active handles and timers grow. The netns run fails
// on any session not ended normally, and unless the charger's heap (without the JIT's code) and
// RSS after GC are steady: over the last half of the run they grow by at most 256 KB and 4 MB
// (on runs of more than 8,192 sessions: 64 and 1,024 bytes per session).

import * as v8 from "node:v8";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runSoakBatch, slope, type SoakBatch, type SoakSession } from "./sessions";

const USAGE = `usage: npm run soak -- [--sessions N] [--xs-sessions N] [--engine node|xs|both] [--every N]
                     [--seed S] [--fault-rate P] [--max-growth BYTES]
                     [--netns [--sessions N] [--every N]]`;

function fail(message: string): never {
  console.error(`soak: ${message}\n${USAGE}`);
  process.exit(2);
}

const args = process.argv.slice(2);
function option(name: string, fallback: number, min: number, max: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v < min || v > max) fail(`${name} ${args[i + 1]}: expected a number from ${min} to ${max}`);
  return v;
}
const KNOWN = new Set(["--sessions", "--xs-sessions", "--engine", "--every", "--seed", "--fault-rate", "--max-growth", "--long", "--netns", "--netns-sessions", "--netns-every", "--help"]);
for (let i = 0; i < args.length; i++) {
  if (!args[i].startsWith("--")) continue;
  if (!KNOWN.has(args[i])) fail(`unknown option ${args[i]}`);
}
if (args.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}
const sessions = option("--sessions", 10_000, 1, 10_000_000);
const xsSessions = option("--xs-sessions", Math.max(1, Math.round(sessions / 10)), 1, 10_000_000);
const engineIndex = args.indexOf("--engine");
const engine = engineIndex < 0 ? "both" : args[engineIndex + 1];
if (engine !== "node" && engine !== "xs" && engine !== "both") fail(`--engine ${engine}: node, xs or both`);
const seed = option("--seed", 1, 0, 0xffffffff);
const faultRate = option("--fault-rate", 0.3, 0, 1);
/**
 * Allowed heap growth per session, at least 256 KB over the run (a short run measures noise):
 * XS 64 bytes (no JIT: a leak of one small object per session shows above it over 1,000
 * sessions); Node 128 bytes, as V8's own metadata (feedback vectors, hidden classes) still grows
 * by some 60–80 bytes per session over the first 10,000 (a heap snapshot after 300 and after
 * 1,500 sessions holds no more session objects: +28 KB, all V8 internals).
 */
const maxGrowthGiven = args.includes("--max-growth") ? option("--max-growth", 64, 0, 1e9) : undefined;
const growthLimit = (n: number, engine = "xs"): number => maxGrowthGiven ?? Math.max(engine === "node" ? 128 : 64, 262_144 / n);
/** The charger over real sockets (--long is the older name). */
const netns = args.includes("--netns") || args.includes("--long");

interface Sample {
  sessions: number;
  heap: number;
  resources?: number;
}

interface RunReport {
  engine: string;
  unit: string;
  sessions: number;
  faults: number;
  unexpected: SoakSession[];
  samples: Sample[];
  wallMs: number;
  simulatedMs: number;
}

function add(total: RunReport, batch: SoakBatch): void {
  total.sessions += batch.sessions;
  total.faults += batch.faults;
  total.unexpected.push(...batch.unexpected);
  total.simulatedMs += batch.simulatedMs;
  for (const s of batch.unexpected) console.log(`  UNEXPECTED session ${s.index} (--seed ${seed}): ${s.protocol} ${s.transfer}${s.fault ? ` fault ${s.fault}` : ""} → ${s.outcome} (ok ${s.ok})`);
}

function every(total: number): number {
  const i = args.indexOf("--every");
  return i >= 0 ? option("--every", 1000, 1, 1e9) : Math.max(1, Math.min(1000, Math.round(total / 10)));
}

function progress(r: RunReport, sample: Sample): void {
  const perMin = r.sessions / (r.wallMs / 60_000);
  const heap = r.unit === "bytes" ? `${(sample.heap / 1_048_576).toFixed(2)} MB (JIT code not counted)` : `${sample.heap} slots (${((sample.heap * 16) / 1_048_576).toFixed(2)} MB)`;
  console.log(`  ${r.engine.padEnd(4)} ${String(sample.sessions).padStart(7)} sessions  heap after GC ${heap}${sample.resources !== undefined ? `  active handles+timers ${sample.resources}` : ""}  ${perMin.toFixed(0)} sessions/min`);
}

/**
 * Heap growth per session: the floor (lowest heap after GC) of the last third of the samples
 * against that of the first third, the first sample (warm-up: lazily built tables, JIT) left out.
 * A leak raises the floor; what the last batch still holds only raises single samples.
 */
function growthPerSession(samples: readonly Sample[]): number {
  const s = samples.slice(1);
  if (s.length < 3) return 0;
  const third = Math.max(1, Math.floor(s.length / 3));
  const floor = (xs: Sample[]) => xs.reduce((best, x) => (x.heap < best.heap ? x : best));
  const first = floor(s.slice(0, third));
  const last = floor(s.slice(s.length - third));
  return last.sessions > first.sessions ? (last.heap - first.heap) / (last.sessions - first.sessions) : 0;
}

/**
 * V8's heap in use after GC without its code spaces: optimized code keeps growing for a while
 * as more paths get hot (2.4 → 2.6 MB over 2,000 sessions), which is no leak of session data.
 */
function dataHeap(): number {
  let used = 0;
  for (const space of v8.getHeapSpaceStatistics()) if (space.space_name.indexOf("code") < 0) used += space.space_used_size;
  return used;
}

function activeResources(): number {
  const info = (process as unknown as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo?.() ?? [];
  return info.length;
}

async function soakNode(): Promise<RunReport> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) fail("run with node --expose-gc (npm run soak does)");
  const r: RunReport = { engine: "node", unit: "bytes", sessions: 0, faults: 0, unexpected: [], samples: [], wallMs: 0, simulatedMs: 0 };
  const step = every(sessions);
  const t0 = performance.now();
  for (let first = 0; first < sessions; first += step) {
    add(r, runSoakBatch(seed, first, Math.min(step, sessions - first), faultRate));
    r.wallMs = performance.now() - t0;
    gc();
    const sample = { sessions: r.sessions, heap: dataHeap(), resources: activeResources() };
    r.samples.push(sample);
    progress(r, sample);
  }
  return r;
}

async function soakXs(): Promise<RunReport> {
  const { bundleForXs, ROOT } = await import("../xs/bundle");
  const { startXsWorker } = await import("../xs/worker");
  const worker = await startXsWorker("xs15118-soak");
  const r: RunReport = { engine: "xs", unit: "slots", sessions: 0, faults: 0, unexpected: [], samples: [], wallMs: 0, simulatedMs: 0 };
  try {
    await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(ROOT)};`);
    await worker.evaluate(await bundleForXs(`import "./tools/soak/xs-driver";`));
    const step = every(xsSessions);
    const t0 = performance.now();
    for (let first = 0; first < xsSessions; first += step) {
      await worker.evaluate(`__soak.run(${seed}, ${first}, ${Math.min(step, xsSessions - first)}, ${faultRate})`);
      const report = worker.reports.pop() as { soak: SoakBatch };
      add(r, report.soak);
      r.wallMs = performance.now() - t0;
      await worker.evaluate("gc()");
      const meter = await worker.evaluate("0");
      const sample = { sessions: r.sessions, heap: meter.currentHeapCount };
      r.samples.push(sample);
      progress(r, sample);
    }
  } finally {
    await worker.close();
  }
  return r;
}

function verdict(r: RunReport): boolean {
  const growth = growthPerSession(r.samples);
  const bytesPerUnit = r.unit === "bytes" ? 1 : 16;
  const growthBytes = growth * bytesPerUnit;
  const fit = slope(r.samples.slice(1).map((s) => s.sessions), r.samples.slice(1).map((s) => s.heap)) * bytesPerUnit;
  const resources = r.samples.map((s) => s.resources).filter((x): x is number => x !== undefined);
  const resourcesGrew = resources.length > 1 && resources[resources.length - 1] > resources[0];
  const perMin = r.sessions / (r.wallMs / 60_000);
  const limit = growthLimit(r.sessions, r.engine);
  const ok = r.unexpected.length === 0 && growthBytes <= limit && !resourcesGrew;
  console.log(
    `${r.engine}: ${r.sessions} sessions (${r.faults} with a fault), ${r.unexpected.length} unexpected ends; ` +
      `${perMin.toFixed(0)} sessions/min (${(r.simulatedMs / 3_600_000).toFixed(1)} h simulated in ${(r.wallMs / 1000).toFixed(0)} s); ` +
      `heap after GC ${growthBytes.toFixed(1)} bytes/session (floor of the first third to that of the last) (fit ${fit.toFixed(1)} bytes/session; limit ${limit.toFixed(0)})` +
      `${resources.length > 0 ? `; handles+timers ${resources[0]} → ${resources[resources.length - 1]}` : ""} — ${ok ? "PASS" : "FAIL"}`,
  );
  return ok;
}

// ---------------------------------------------------------------- --netns: secc ⇄ vehicles over a veth pair

const ROOT_DIR = fileURLToPath(new URL("../..", import.meta.url));
const BIN = fileURLToPath(new URL("../../bin/xs15118.js", import.meta.url));
const PROBE = fileURLToPath(new URL("./memory-probe.ts", import.meta.url));
const VEHICLES = fileURLToPath(new URL("./netns-vehicles.ts", import.meta.url));

function sh(cmd: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", timeout: 15_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

/** What memory-probe.ts writes on SIGUSR2 (after two collections). */
interface MemorySample {
  sessions: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  dataHeap: number;
  codeHeap: number;
  resources: number;
  resourceKinds: Record<string, number>;
}

const MB = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;

/**
 * Whether a quantity is steady: the least-squares slope over the last half of the run (the
 * first half is warm-up: V8 compiles and optimizes the paths of each protocol as they first get
 * hot, and the allocator settles) stays within `limit` bytes per session.
 */
function lastHalfSlope(samples: readonly MemorySample[], pick: (s: MemorySample) => number): number {
  const total = samples[samples.length - 1].sessions;
  const half = samples.filter((s) => s.sessions >= total / 2);
  return slope(half.map((s) => s.sessions), half.map(pick));
}

/**
 * Steady, over the last half of the run: V8's data heap after GC (heapUsed without the code
 * spaces, where the JIT keeps adding optimized code as more paths get hot: 1.6 → 2.8 MB over
 * 1,000 sessions, no session data) grows by at most 256 KB (64 bytes per session on runs long
 * enough for that to be more); RSS (the allocator hands pages back late and in steps of its
 * arenas) by at most 4 MB (1 KB per session). What real sockets could leak — a session's state, a socket with its
 * buffers, listeners, timers: kilobytes each — exceeds either within a few hundred sessions;
 * a leak of a small object per session is the 10,000-session in-process soak's to find.
 */
function netnsLimits(lastHalf: number): { heap: number; rss: number } {
  return { heap: Math.max(64, 262_144 / lastHalf), rss: Math.max(1024, 4_194_304 / lastHalf) };
}

async function soakNetns(): Promise<boolean> {
  const total = args.includes("--netns-sessions") ? option("--netns-sessions", 1000, 1, 1e7) : option("--sessions", 1000, 1, 1e7);
  const step = args.includes("--netns-every") ? option("--netns-every", 100, 1, 1e7) : option("--every", Math.max(1, Math.min(100, Math.round(total / 10))), 1, 1e7);
  if (process.getuid?.() !== 0) fail("--netns needs root (ip netns add)");
  const id = `${(process.pid % 46656).toString(36)}`;
  const [nsS, nsV, ifS, ifV] = [`xs15118-soak${id}-secc`, `xs15118-soak${id}-ev`, `xss${id}s`, `xss${id}v`];
  const cleanup = () => {
    sh(["ip", "netns", "del", nsS]);
    sh(["ip", "netns", "del", nsV]);
  };
  const setup: string[][] = [
    ["ip", "netns", "add", nsS],
    ["ip", "netns", "add", nsV],
    ["ip", "link", "add", ifS, "netns", nsS, "type", "veth", "peer", "name", ifV, "netns", nsV],
  ];
  for (const [ns, ifname] of [[nsS, ifS], [nsV, ifV]]) {
    setup.push(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0", `net.ipv6.conf.${ifname}.accept_dad=0`]);
    setup.push(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
    setup.push(["ip", "netns", "exec", ns, "ip", "link", "set", ifname, "up"]);
  }
  for (const cmd of setup) {
    const r = sh(cmd);
    if (!r.ok) {
      cleanup();
      fail(`${cmd.join(" ")}: ${r.out}`);
    }
  }
  // The charger: `xs15118 secc` with the memory probe preloaded (ip netns exec execs node: same pid).
  // The -20 charge loop's sequence timer at 60 s, as fielded chargers keep it (secc --help): on
  // two cores shared with other test runs the vehicle's next request sometimes came more than
  // the 0.5 s of Tables 216/217 after the response (1 session in 1,000 at a load average of
  // 15), which is the machine's and not the charger's memory this soak watches; the 0.5 s
  // timer itself is tested in tests/statemachine/iso20.
  const secc = spawn("ip", ["netns", "exec", nsS, process.execPath, "--expose-gc", "--import", "tsx", "--import", PROBE, BIN, "secc", "--iface", ifS, "--protocols", "din,iso2,iso20", "--insecure-iso20-plain-tcp", "--transfer", "dc,ac", "--loop-sequence-timeout", "60", "--fast", "--json", "--quiet"], { stdio: ["ignore", "pipe", "pipe"], cwd: ROOT_DIR });
  let ready = false;
  let ended = 0;
  let endedBad = 0;
  const badLines: string[] = [];
  let waiting: ((m: Omit<MemorySample, "sessions">) => void) | undefined;
  const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) => {
    let pending = "";
    stream.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split("\n");
      pending = parts.pop()!;
      for (const line of parts) onLine(line);
    });
  };
  lines(secc.stdout, (line) => {
    if (/"event":"ready"/.test(line)) ready = true;
    if (!/"event":"session"/.test(line)) return;
    ended++;
    if (/"ok":false/.test(line)) {
      endedBad++;
      if (badLines.length < 10) badLines.push(line);
    }
  });
  lines(secc.stderr, (line) => {
    if (line.startsWith("xs15118-memory ")) waiting?.(JSON.parse(line.slice(15)));
    else if (/^(error|warn) /.test(line) && badLines.length < 10) badLines.push(`charger: ${line}`);
  });
  const exited = new Promise<number | null>((resolve) => secc.once("exit", (code) => resolve(code)));
  // Ctrl-C or a kill: the charger and the namespaces go too (the vehicles end with their namespace).
  const interrupted = (signal: NodeJS.Signals) => {
    secc.kill("SIGTERM");
    cleanup();
    console.log(`soak: ${signal}, stopped`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  const until = async (what: string, done: () => boolean, ms: number) => {
    const deadline = performance.now() + ms;
    while (!done()) {
      if (performance.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const measure = async (sessions: number): Promise<MemorySample> => {
    const got = new Promise<Omit<MemorySample, "sessions">>((resolve) => (waiting = resolve));
    secc.kill("SIGUSR2");
    const m = await Promise.race([got, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the charger's memory probe did not answer")), 10_000))]);
    waiting = undefined;
    return { sessions, ...m };
  };

  const samples: MemorySample[] = [];
  let failed = 0;
  const t0 = performance.now();
  try {
    await until("the charger's ready line", () => ready, 30_000);
    const show = (s: MemorySample) => {
      const perMin = s.sessions / ((performance.now() - t0) / 60_000);
      console.log(
        `  netns ${String(s.sessions).padStart(6)} sessions  charger after GC: RSS ${MB(s.rss)}  heapUsed ${MB(s.heapUsed)} (data ${MB(s.dataHeap)}, code ${MB(s.codeHeap)}) of heapTotal ${MB(s.heapTotal)}  external ${MB(s.external)}  arrayBuffers ${MB(s.arrayBuffers)}  handles+timers ${s.resources} ${JSON.stringify(s.resourceKinds)}  ` +
          `${ended} ended at the charger (${endedBad} not ok), ${failed} failed at the vehicle  ${s.sessions > 0 ? `${perMin.toFixed(1)} sessions/min` : ""}`,
      );
    };
    samples.push(await measure(0));
    show(samples[0]);
    // The vehicles in batches of `step`, one process per batch: between batches no session is
    // live at the charger, so each sample sees only what the charger keeps between sessions.
    for (let first = 0; first < total; first += step) {
      const count = Math.min(step, total - first);
      const vehicles = spawn("ip", ["netns", "exec", nsV, process.execPath, "--import", "tsx", VEHICLES, "--iface", ifV, "--sessions", String(count), "--first", String(first)], { stdio: ["ignore", "pipe", "inherit"], cwd: ROOT_DIR });
      lines(vehicles.stdout, (line) => {
        let r: { index: number; status: number; kind: string; session: { reason?: string; detail?: string } | null; stderr?: string[] };
        try {
          r = JSON.parse(line);
        } catch {
          return;
        }
        if (r.status === 0) return;
        failed++;
        console.log(`  session ${r.index} (${r.kind}): evcc exit ${r.status}: ${r.session?.reason ?? "?"} ${r.session?.detail ?? ""} ${(r.stderr ?? []).join(" | ")}`);
      });
      const status = await new Promise<number | null>((resolve) => vehicles.once("exit", resolve));
      if (status !== 0) throw new Error(`the vehicle process exited with ${status}`);
      // every session's end reached the charger (a failed one may end there as a connection only)
      await until("the charger's session lines", () => ended + failed >= first + count, 10_000).catch(() => undefined);
      const sample = await measure(first + count);
      samples.push(sample);
      show(sample);
    }
  } finally {
    secc.kill("SIGTERM");
    await exited;
    cleanup();
  }
  for (const line of badLines) console.log(`  ${line}`);
  const last = samples[samples.length - 1];
  const heapSlope = lastHalfSlope(samples, (s) => s.dataHeap);
  const usedSlope = lastHalfSlope(samples, (s) => s.heapUsed);
  const rssSlope = lastHalfSlope(samples, (s) => s.rss);
  const limits = netnsLimits(total - total / 2);
  const heapOk = heapSlope <= limits.heap;
  const rssOk = rssSlope <= limits.rss;
  // Handles and timers: none more at the end than after the first batch (the first sessions
  // start the charger's lasting timers).
  const resourcesOk = last.resources <= samples[Math.min(1, samples.length - 1)].resources;
  const ok = failed === 0 && endedBad === 0 && heapOk && rssOk && resourcesOk;
  const warm = samples.find((s) => s.sessions >= total / 2) ?? samples[0];
  console.log(
    `netns: ${total} sessions, xs15118 secc ⇄ vehicles over a veth pair between two namespaces (DIN DC, ISO-2 DC/AC, -20 DC/AC in turn), ${failed} failed at the vehicle, ${endedBad} of ${ended} not ok at the charger; ` +
      `charger after GC: RSS ${MB(samples[0].rss)} → ${MB(warm.rss)} at ${warm.sessions} → ${MB(last.rss)}, slope over the last half ${rssSlope.toFixed(0)} bytes/session (limit ${limits.rss.toFixed(0)}); ` +
      `heapUsed ${MB(samples[0].heapUsed)} → ${MB(warm.heapUsed)} → ${MB(last.heapUsed)} (slope over the last half ${usedSlope.toFixed(1)} bytes/session), without code ${MB(samples[0].dataHeap)} → ${MB(warm.dataHeap)} → ${MB(last.dataHeap)}, slope over the last half ${heapSlope.toFixed(1)} bytes/session (limit ${limits.heap.toFixed(0)}); ` +
      `handles+timers ${samples[0].resources} → ${last.resources} — ${ok ? "PASS" : "FAIL"}`,
  );
  return ok;
}

let ok = true;
console.log(`soak: seed ${seed}, fault rate ${faultRate}`);
if (netns) ok = (await soakNetns()) && ok;
else {
  if (engine !== "xs") ok = verdict(await soakNode()) && ok;
  if (engine !== "node") ok = verdict(await soakXs()) && ok;
}
process.exit(ok ? 0 : 1);
