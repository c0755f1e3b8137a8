// What the Moddable build tests share (tests/project/moddable-build.test.ts, rp2350-build.test.ts):
// running a build step to its end, and the warnings and errors in its log that are this project's.

import { spawn } from "node:child_process";
import * as path from "node:path";

const ROOT = process.cwd();

interface Run {
  status: number | null;
  output: string;
}

/** Runs a command to its end (async: node:test's timeout keeps working), stdout and stderr together. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    // mcconfig compiles with `tsc`, which must be on the PATH: the project's own TypeScript first.
    const PATH = `${path.join(ROOT, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`;
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, PATH, ...options.env } });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (status) => resolve({ status, output }));
  });
}

/** Warnings and errors that name a file of this project (the SDK's own C warnings are not ours). */
export function projectProblems(output: string, root: string): string[] {
  return output
    .split("\n")
    .filter((line) => /warning|error/i.test(line))
    .filter((line) => line.includes(root) || /(^|[\s:])((modules|hosts|simulation)\/|main[:.(])/.test(line))
    .filter((line) => !/^# (tsc|xsc) /.test(line));
}

