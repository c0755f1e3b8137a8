// Access to ../shared (schemas, EXI vectors, captures) for tests on Node and inside XS.
// Tests that need it call `needShared(t)` first: it skips the test with a clear reason when
// ../shared is absent (a bare checkout); CI always has it.

import { engine, listDir, readFile, root } from "./host-node";

export { engine };

export const SHARED_DIR = `${root}/../shared`;

let present: boolean | undefined;

export function hasShared(): boolean {
  if (present === undefined) present = readFile(`${SHARED_DIR}/README.md`) !== undefined;
  return present;
}

/** Skip reason for node:test's `skip` option: undefined when ../shared is here. */
export function sharedSkip(): string | undefined {
  return hasShared() ? undefined : "needs ../shared (schemas, vectors, captures) beside the checkout";
}

export function readShared(relative: string): Uint8Array | undefined {
  return readFile(`${SHARED_DIR}/${relative}`);
}

export function readSharedText(relative: string): string | undefined {
  const bytes = readShared(relative);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

export function listShared(relative: string): string[] {
  return listDir(`${SHARED_DIR}/${relative}`);
}

/** Rows of a TSV file in ../shared, without comment lines (starting with '#') and blank lines. */
export function readSharedTsv(relative: string): string[][] {
  const text = readSharedText(relative);
  if (text === undefined) return [];
  const rows: string[][] = [];
  for (const line of text.split("\n")) {
    if (line.length === 0 || line.startsWith("#")) continue;
    rows.push(line.split("\t"));
  }
  return rows;
}

/** Reads a repository file (fixtures under tests/). */
export function readRepoFile(relative: string): Uint8Array | undefined {
  return readFile(`${root}/${relative}`);
}
