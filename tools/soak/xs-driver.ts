// The XS side of `npm run soak`: tools/soak/main.ts bundles this file for the engine, calls
// __soak.run() batch by batch and reads the heap after gc() between batches.
import { runSoakBatch } from "./sessions";

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;

function report(value: object): void {
  issueCommand(new TextEncoder().encode(JSON.stringify({ op: "report", ...value })).buffer as ArrayBuffer);
}

(globalThis as Record<string, unknown>).__soak = {
  run(seed: number, first: number, count: number, faultRate: number): void {
    report({ soak: runSoakBatch(seed, first, count, faultRate) });
  },
};
