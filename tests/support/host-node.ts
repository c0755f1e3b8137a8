// File access for tests on Node. Inside XS the bundler swaps this file for host-xs.ts.
import * as fs from "node:fs";

export function readFile(path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(fs.readFileSync(path));
  } catch {
    return undefined;
  }
}

export function listDir(path: string): string[] {
  try {
    return fs.readdirSync(path).sort();
  } catch {
    return [];
  }
}

export const engine: "node" | "xs" = "node";

/** Repository root: tests run with the root as working directory. */
export const root: string = process.cwd();
