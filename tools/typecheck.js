#!/usr/bin/env node
// npm run typecheck: the TypeScript projects, side by side (one per core), each
// project's messages printed whole and in this order; fails when any of them fails.
//   modules      the portable core with neither Node nor Moddable types
//   simulation   the simulation models both simulators share, as portable as modules/
//   hosts/sim    the Node host with the tests and tools, against Node's types
//   hosts/esp32  the firmware host and main.ts, against @moddable/typings
//   hosts/mcsim  the Moddable simulator's session host, against @moddable/typings
//   hosts/linux  the firmware on a Linux interface (Moddable lin build), against @moddable/typings
//   hosts/native-tls  the JavaScript side of the mbedTLS engine, the portable core's types only

import { spawn } from "node:child_process";
import * as os from "node:os";
import { createRequire } from "node:module";

const PROJECTS = ["modules", "simulation", "hosts/sim", "hosts/esp32", "hosts/mcsim", "hosts/linux", "hosts/native-tls"];
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const lanes = Math.max(1, Math.min(PROJECTS.length, os.availableParallelism?.() ?? os.cpus().length));

function check(project) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, "-p", project], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ project, code, output }));
  });
}

const results = new Map();
let next = 0;
await Promise.all(
  Array.from({ length: lanes }, async () => {
    while (next < PROJECTS.length) {
      const project = PROJECTS[next++];
      results.set(project, await check(project));
    }
  }),
);

let failed = 0;
for (const project of PROJECTS) {
  const { code, output } = results.get(project);
  if (output) process.stdout.write(output);
  if (code !== 0) {
    failed++;
    console.log(`tsc -p ${project}: failed`);
  }
}
process.exit(failed > 0 ? 1 : 0);
