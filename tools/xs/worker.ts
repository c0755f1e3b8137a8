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

export interface XsWorker {
  /** Evaluate a script; returns the engine's meter readings for that evaluation. */
  evaluate(code: string): Promise<XsMeter>;
  reports: unknown[];
  close(): Promise<void>;
}

export interface XsMeter {
  compute: number;
  currentHeapCount: number;
  allocate: number;
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

export async function startXsWorker(name: string): Promise<XsWorker> {
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
      return answer(command, reports);
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
    close: () => worker.close(),
  };
}
