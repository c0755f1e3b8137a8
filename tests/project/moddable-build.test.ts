// @node-only — the manifests build with the real Moddable SDK (mcconfig), as the README says.
// @slow — mcconfig runs one tsc per module: minutes per build on a 2-core machine.
//
// Runs only where $MODDABLE names an SDK whose tools (mcconfig, xsc, xsl, mcsim) are on the
// PATH; elsewhere every test skips and says why. Builds go to a temporary output directory
// (mcconfig -o), never into the SDK's build tree or this repository.
//
// The lin debug build's makefile runs `pkill mcsim` / `pkill serial2xsbug` and starts mcsim and
// xsbug unless KILL_SIMULATOR, KILL_SERIAL2XSBUG, START_SIMULATOR and START_XSBUG are empty.
// mcconfig gives `NAME=value` arguments to the manifest's config, not to make, so they go in
// MAKEFLAGS, which make reads as command-line variables (GNU make manual §5.7.3).

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runSimulation, type SimulationSummary } from "../../simulation/session/simulation";
import { formatTrace } from "../../simulation/report";
import { projectProblems, run } from "../support/moddable-build";

const ROOT = process.cwd();
const MODDABLE = process.env.MODDABLE;
const NO_LAUNCH = "-- KILL_SIMULATOR= KILL_SERIAL2XSBUG= START_SIMULATOR= START_XSBUG=";

function sdkSkip(): string | false {
  if (!MODDABLE) return "$MODDABLE is not set: no Moddable SDK to build with (see README, Moddable builds)";
  for (const tool of ["mcconfig", "xsl", "mcsim"]) {
    if (spawnSync("which", [tool]).status !== 0) return `${tool} is not on the PATH (add $MODDABLE/build/bin/lin/release)`;
  }
  return false;
}

const skip = sdkSkip();

/** The xsl report line ("… instances, … keys, … holes" or similar) of a build log. */
function holesLine(output: string): string | undefined {
  return output.split("\n").find((line) => /\bholes?\b/.test(line));
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found) return found;
    } else if (entry.name === name) return full;
  }
  return undefined;
}

function outputDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `xs15118-${name}-`));
}

/** The lin build's mc.so, kept for the mcsim run below and removed at the end. */
let linSo: string | undefined;
const outputs: string[] = [];
after(() => {
  for (const out of outputs) fs.rmSync(out, { recursive: true, force: true });
});

test("mcconfig -d -m -p lin ./manifest.json builds the desktop simulator with no project warnings", { skip, timeout: 60 * 60_000 }, async () => {
  const out = outputDir("lin");
  outputs.push(out);
  const r = await run("mcconfig", ["-d", "-m", "-p", "lin", "-o", out, "./manifest.json"], { env: { MAKEFLAGS: NO_LAUNCH } });
  assert.equal(r.status, 0, r.output.slice(-4000));
  assert.deepEqual(projectProblems(r.output, ROOT), []);
  assert.match(holesLine(r.output) ?? "", /\b0 holes\b/);
  // bin/lin/<simulator>/debug/<project folder>/mc.so (the simulator is "mc", the default screen).
  const so = findFile(path.join(out, "bin"), "mc.so");
  assert.ok(so, "mc.so built");
  linSo = so;
});

/** Where a summary of the Moddable run and of the Node run must agree. */
function comparable(s: SimulationSummary): unknown {
  return { ...s, errors: s.errors.length };
}

/** Highest values of mcsim's once-a-second `instruments:` lines (XS's twelve come last). */
export function heapFigures(output: string): { chunkUsed: number; slotUsed: number; stackUsed: number; chunkHeap: number; slotHeap: number; samples: number } {
  const figures = { chunkUsed: 0, slotUsed: 0, stackUsed: 0, chunkHeap: 0, slotHeap: 0, samples: 0 };
  for (const line of output.split("\n")) {
    if (!line.startsWith("instruments: ")) continue;
    const v = line.slice(13).split(",").map(Number).slice(-12);
    figures.samples++;
    figures.chunkUsed = Math.max(figures.chunkUsed, v[0]);
    figures.chunkHeap = Math.max(figures.chunkHeap, v[1]);
    figures.slotUsed = Math.max(figures.slotUsed, v[2]);
    figures.slotHeap = Math.max(figures.slotHeap, v[3]);
    figures.stackUsed = Math.max(figures.stackUsed, v[4]);
  }
  return figures;
}

test("mcsim runs the complete session (headless, xvfb-run) and its trace and summary match the Node simulator's", { skip: skip || (spawnSync("which", ["xvfb-run"]).status !== 0 && "xvfb-run is not installed"), timeout: 10 * 60_000 }, async (t) => {
  // XS15118_MCSIM_SO=<mc.so>: check a build made earlier (e.g. `node tools/run-tests.js --slow
  // moddable-build` after editing only the comparison) instead of this run's.
  const so = process.env.XS15118_MCSIM_SO ?? linSo;
  if (!so) return t.skip("the lin build did not complete");
  // stdbuf -oL: mcsim's stdout is a pipe here, which C buffers until exit without it.
  const child = spawn("xvfb-run", ["-a", "stdbuf", "-oL", "mcsim", so], { detached: true });
  let output = "";
  const ended = new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 5 * 60_000);
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
      const m = /^xs15118-summary (.*)$/m.exec(output);
      if (m || /^XS abort: /m.test(output)) {
        clearTimeout(timer);
        resolve(m?.[1]);
      }
    });
    child.on("close", () => resolve(undefined));
  });
  const line = await ended;
  // The run is over (or stuck): end the process group this test started (xvfb-run, Xvfb, mcsim).
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {}
  assert.ok(line, `no summary from mcsim:\n${output.slice(-3000)}`);
  const moddable = JSON.parse(line!) as SimulationSummary;
  const traceNode: string[] = [];
  const node = runSimulation({ protocol: "iso2", transfer: "dc", startSoc: 60, targetSoc: 80, capacityKWh: 20, seed: 15118, onTrace: (e) => traceNode.push(formatTrace(e)) });
  assert.equal(moddable.ok, true, moddable.detail);
  // Through JSON, as the summary line carries it (absent fields drop out).
  assert.deepEqual(comparable(moddable), comparable(JSON.parse(JSON.stringify(node)) as SimulationSummary));
  const traceMcsim = output.split("\n").filter((l) => /^\s+\d+\.\d{3} s  /.test(l));
  assert.deepEqual(traceMcsim, traceNode);
  // The live heap after a collection at every tick (hosts/mcsim/main.ts): the session's high-water mark.
  const live = /^xs15118-heap (.*)$/m.exec(output);
  assert.ok(live, "mcsim printed the live heap");
  t.diagnostic(`mcsim, whole session, live after a collection at every 100 ms tick: ${live[1]}`);
  const heap = heapFigures(output);
  // mcsim on a 64-bit host: a slot is 32 B (16 B on the ESP32), so slots = bytes / 32.
  t.diagnostic(`mcsim, whole session (both stations and the simulation): chunks used ≤ ${heap.chunkUsed} B of ${heap.chunkHeap} B, slots used ≤ ${heap.slotUsed / 32} of ${heap.slotHeap / 32}, stack ≤ ${heap.stackUsed / 32} slots; ${heap.samples} once-a-second samples`);
});

/**
 * The ESP32 images: both roles (manifest.json, main.ts) and each role alone (hosts/esp32/charger,
 * hosts/esp32/vehicle: tests/project/role-images.test.ts checks what they carry). mcconfig names
 * the build's folder after the manifest's.
 */
const ESP32_IMAGES = [
  { image: "both roles", manifest: "./manifest.json", folder: path.basename(ROOT) },
  { image: "charger only", manifest: "./hosts/esp32/charger/manifest.json", folder: "charger" },
  { image: "vehicle only", manifest: "./hosts/esp32/vehicle/manifest.json", folder: "vehicle" },
];

for (const { image, manifest, folder } of ESP32_IMAGES) {
  test(`esp32, ${image}: mcconfig -d -p esp32 ${manifest} then make …/mc.xs.c: every XS-side step (tsc, xsc, xsl preload) with 0 holes, no ESP-IDF needed`, { skip, timeout: 60 * 60_000 }, async (t) => {
    const out = outputDir("esp32");
    outputs.push(out);
    // Without -m mcconfig only writes the makefile (with -m it insists on $IDF_PATH first).
    const gen = await run("mcconfig", ["-d", "-p", "esp32", "-o", out, manifest]);
    assert.equal(gen.status, 0, gen.output);
    const dir = path.join(out, "tmp", "esp32", "debug", folder);
    // The makefile reads the ESP-IDF version at parse time and makes mc.xs.c wait for sdkconfig.h:
    // a placeholder path, the version the SDK expects, and no sdkconfig.h prerequisite stop it
    // from touching ESP-IDF on the way to xsl's output.
    const r = await run("make", ["-f", path.join(dir, "makefile"), "IDF_PATH=/esp-idf-not-needed", "IDF_VERSION=v6.0", "SDKCONFIG_H=", "KILL_SERIAL2XSBUG=", "START_XSBUG=", path.join(dir, "mc.xs.c")]);
    assert.equal(r.status, 0, r.output.slice(-4000));
    assert.deepEqual(projectProblems(r.output, ROOT), []);
    const holes = holesLine(r.output);
    assert.ok(holes, "xsl reports its preload");
    assert.match(holes!, /\b0 holes\b/);
    const size = fs.statSync(path.join(dir, "mc.xs.c")).size;
    assert.ok(size > 0);
    t.diagnostic(`esp32, ${image}: xsl ${holes!.replace(/^#+\s*/, "")}; mc.xs.c ${size} B`);
  });
}

test("the check for project warnings sees ours and ignores the SDK's", () => {
  const log = [
    "/opt/moddable/xs/sources/xsum.c:277:55: warning: format '%lld' expects argument",
    `${ROOT}/hosts/esp32/tsconfig.json:2: error: invalid character 47!`,
    "modules/statemachine/secc/session.ts(367,50): error TS2345: Argument of type",
    "### warning: wifi: default() timer: no const",
    "### warning: hosts/mcsim/main: default() ticks: no const",
    "# tsc errors.ts",
  ].join("\n");
  assert.deepEqual(projectProblems(log, ROOT), [
    `${ROOT}/hosts/esp32/tsconfig.json:2: error: invalid character 47!`,
    "modules/statemachine/secc/session.ts(367,50): error TS2345: Argument of type",
    "### warning: hosts/mcsim/main: default() ticks: no const",
  ]);
});
