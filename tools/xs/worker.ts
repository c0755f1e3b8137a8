// Runs JavaScript inside the XS engine (the npm package @agoric/xsnap, XS compiled from
// source at install) and serves the few host requests our XS-side harness makes.
//
// XS-side code talks to Node only through the synchronous global `issueCommand(ArrayBuffer)`;
// a command is a JSON object {op, ...}:
//   {op: "report", ...}  a test or bench result (collected in `reports`)
//   {op: "read", path}   read a file (the reply is its bytes; an empty reply with byte 0xFF
//                        prefix would be ambiguous, so a missing file answers the single
//                        byte 0x00 and a present one 0x01 followed by the contents)
//   {op: "list", path}   list a directory (JSON array of names, [] when absent)
//   {op: "log", text}    print a line on stderr

import "@endo/init";
import { xsnap } from "@agoric/xsnap";
import { spawn } from "node:child_process";
import * as os from "node:os";
import * as fs from "node:fs";
import { chunkBytesEsp32 as chunkBytesEsp32Of } from "./heap-census";

export interface XsWorker {
  /** Evaluate a script; returns the engine's meter readings for that evaluation. */
  evaluate(code: string): Promise<XsMeter>;
  /** The live heap after a collection, read from an engine snapshot (see LiveHeap). */
  liveHeap(): Promise<LiveHeap>;
  /** The engine's snapshot (XS's format, taken after a collection): tools/xs/heap-census.ts reads it. */
  snapshot(): Promise<Buffer>;
  reports: unknown[];
  close(): Promise<void>;
}

export interface XsMeter {
  compute: number;
  currentHeapCount: number;
  allocate: number;
}

/**
 * What a snapshot of the engine holds, after the collection the snapshot makes: `slots` (the
 * HEAP atom, 32 B a slot in this 64-bit xsnap; 16 B on the ESP32) and `chunkBytes` (the BLOC
 * atom: strings, typed-array and ArrayBuffer storage, array items, closures' code, with their
 * chunk headers, at this host's sizes: array items are 32 B slots here, 16 B on the ESP32, so
 * the figure bounds the board's from above). xsnap's meter reports slots only.
 */
export interface LiveHeap {
  slots: number;
  chunkBytes: number;
  /** The same chunks at the ESP32's sizes (8-byte headers, 16-byte slots in array items): heap-census.ts. */
  chunkBytesEsp32: number;
}

const XSNAP_SLOT_BYTES = 32;

async function readSnapshot(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

/** Reads the HEAP and BLOC atom sizes from a snapshot (xsSnapshot.c: a size + tag per atom). */
function snapshotAtoms(bytes: Buffer): LiveHeap {
  let slots = 0;
  const chunkBytesEsp32 = chunkBytesEsp32Of(bytes).esp32;
  let chunkBytes = 0;
  // The file is one atom "XS_M" (size, tag) holding the others, each size (incl. 8 B) + tag + data.
  for (let at = 8; at + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(at);
    const tag = bytes.toString("latin1", at + 4, at + 8);
    if (tag === "HEAP") slots = (size - 8) / XSNAP_SLOT_BYTES;
    else if (tag === "BLOC") chunkBytes = size - 8;
    if (size < 8) break;
    at += size;
  }
  return { slots, chunkBytes, chunkBytesEsp32 };
}

/**
 * xsnap keeps about one slot and 24 chunk bytes per evaluation, which a figure taken over many
 * evaluations would count as its own: measured over `n` empty evaluations, to be taken off.
 * Returns the live heap after them (the base to count from). `measure`: how to read it (default
 * liveHeap(); tools/xs/station-heap.ts counts as a preloaded board would).
 */
export async function evaluationOverhead<H extends Pick<LiveHeap, "slots" | "chunkBytesEsp32"> = LiveHeap>(worker: XsWorker, n = 50, measure: () => Promise<H> = () => worker.liveHeap() as unknown as Promise<H>): Promise<{ base: H; perSlots: number; perChunks: number }> {
  const first = await measure();
  for (let i = 0; i < n; i++) await worker.evaluate("0");
  const base = await measure();
  return { base, perSlots: (base.slots - first.slots) / n, perChunks: (base.chunkBytesEsp32 - first.chunkBytesEsp32) / n };
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function answer(command: { op: string; path?: string; text?: string }, reports: unknown[]): Uint8Array {
  switch (command.op) {
    case "report":
      reports.push(command);
      return new Uint8Array(0);
    case "read": {
      try {
        const data = fs.readFileSync(command.path!);
        const out = new Uint8Array(data.length + 1);
        out[0] = 1;
        out.set(data, 1);
        return out;
      } catch {
        return Uint8Array.of(0);
      }
    }
    case "list": {
      let names: string[] = [];
      try {
        names = fs.readdirSync(command.path!).sort();
      } catch {
        names = [];
      }
      return encoder.encode(JSON.stringify(names));
    }
    case "log":
      process.stderr.write(`[xs] ${command.text}\n`);
      return new Uint8Array(0);
    default:
      return new Uint8Array(0);
  }
}

/**
 * `onCommand`: the caller's own commands (e.g. tools/xs/station-heap.ts's host IO bridge); a
 * reply answers the command, undefined leaves it to the ones above.
 */
export async function startXsWorker(name: string, options: { onCommand?(command: { op: string }): Uint8Array | undefined } = {}): Promise<XsWorker> {
  const reports: unknown[] = [];
  const worker = await xsnap({
    os: os.type(),
    spawn,
    fs,
    name,
    stdout: "inherit",
    stderr: "inherit",
    // No crank limit: test suites and benchmarks run long inside one evaluation.
    meteringLimit: 0,
    handleCommand: async (message: Uint8Array) => {
      const command = JSON.parse(decoder.decode(message));
      return options.onCommand?.(command) ?? answer(command, reports);
    },
  });
  return {
    reports,
    async evaluate(code: string): Promise<XsMeter> {
      const result = await worker.evaluate(code);
      const usage = result.meterUsage ?? {};
      return {
        compute: usage.compute ?? 0,
        currentHeapCount: usage.currentHeapCount ?? 0,
        allocate: usage.allocate ?? 0,
      };
    },
    liveHeap: async () => snapshotAtoms(await readSnapshot(worker.makeSnapshotStream())),
    snapshot: () => readSnapshot(worker.makeSnapshotStream()),
    close: () => worker.close(),
  };
}
