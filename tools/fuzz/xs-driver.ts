// The XS side of `npm run fuzz -- --engine xs`: tools/fuzz/main.ts bundles this file for the
// engine and calls __fuzz.run(); each report goes back to Node through issueCommand.
import { LAYERS } from "./layers";
import { runFuzz } from "./runner";

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;

function report(value: object): void {
  issueCommand(new TextEncoder().encode(JSON.stringify({ op: "report", ...value })).buffer as ArrayBuffer);
}

(globalThis as Record<string, unknown>).__fuzz = {
  run(name: string, seed: number, count: number, first: number): void {
    const layer = LAYERS.find((l) => l.name === name)!;
    report({ fuzz: runFuzz(layer, { seed, count, first, small: true }) });
  },
};
