// The fuzz runner (portable: Node and XS). A layer builds its material once (prepare), then
// turns each input's generator into one input, runs it and counts its outcomes. Anything a layer
// lets escape from run() (an untyped exception, a crash of the code under test) is a finding,
// reported with the seed and index that reproduce it.

import { inputRandom, type Rnd } from "./random";

export type Count = (outcome: string) => void;

export interface FuzzLayer<S> {
  readonly name: string;
  readonly about: string;
  /** Material for every input (corpus, recordings); a string is the reason the layer cannot run here. */
  prepare(small: boolean): S | string;
  /** Builds one input from `rnd`, runs it, counts its outcomes; returns the input (bytes or a description). */
  run(state: S, rnd: Rnd, count: Count): Uint8Array | string;
}

export interface Finding {
  index: number;
  error: string;
}

export interface FuzzReport {
  layer: string;
  seed: number;
  first: number;
  count: number;
  skipped?: string;
  ms: number;
  outcomes: Record<string, number>;
  slowest?: { index: number; ms: number; input: string };
  findings: Finding[];
}

const now: () => number = (() => {
  const p = (globalThis as { performance?: { now(): number } }).performance;
  return p ? () => p.now() : () => Date.now();
})();

export function describeInput(input: Uint8Array | string, max = 160): string {
  if (typeof input === "string") return input.length > max * 2 ? `${input.slice(0, max * 2)}…` : input;
  let s = "";
  for (let i = 0; i < Math.min(input.length, max); i++) s += (input[i] < 16 ? "0" : "") + input[i].toString(16);
  return input.length > max ? `${s}…(${input.length} bytes)` : s;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack.split("\n").slice(1, 6).join("\n")}` : ""}`;
  return `thrown ${typeof error}: ${String(error)}`;
}

/** Runs inputs first … first+count−1 of `layer` with `seed`; `progress` is called every 2^16 inputs. */
export function runFuzz<S>(layer: FuzzLayer<S>, options: { seed: number; count: number; first?: number; small?: boolean; progress?: (done: number) => void }): FuzzReport {
  const first = options.first ?? 0;
  const report: FuzzReport = { layer: layer.name, seed: options.seed, first, count: 0, ms: 0, outcomes: {}, findings: [] };
  const state = layer.prepare(options.small ?? false);
  if (typeof state === "string") {
    report.skipped = state;
    return report;
  }
  const outcomes = report.outcomes;
  const count: Count = (outcome) => {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  };
  // The five slowest inputs, re-timed after the run: a GC pause or the scheduler of a busy
  // machine makes any input look slow once, so each keeps the best of three timings.
  const slow: { index: number; ms: number }[] = [];
  const start = now();
  for (let i = first; i < first + options.count; i++) {
    const t0 = now();
    let input: Uint8Array | string = "";
    try {
      input = layer.run(state, inputRandom(options.seed, i), count);
    } catch (error) {
      count("FINDING");
      if (report.findings.length < 20) report.findings.push({ index: i, error: describeError(error) });
    }
    const ms = now() - t0;
    if (slow.length < 5 || ms > slow[slow.length - 1].ms) {
      slow.push({ index: i, ms });
      slow.sort((a, b) => b.ms - a.ms);
      if (slow.length > 5) slow.pop();
    }
    report.count++;
    if (options.progress && ((i - first + 1) & 0xffff) === 0) options.progress(i - first + 1);
  }
  report.ms = now() - start;
  const ignore: Count = () => {};
  for (const candidate of slow) {
    let input: Uint8Array | string = "";
    for (let k = 0; k < 2; k++) {
      const t0 = now();
      try {
        input = layer.run(state, inputRandom(options.seed, candidate.index), ignore);
      } catch {
        input = "(a finding: see below)";
      }
      candidate.ms = Math.min(candidate.ms, now() - t0);
    }
    if (report.slowest === undefined || candidate.ms > report.slowest.ms) report.slowest = { index: candidate.index, ms: candidate.ms, input: describeInput(input) };
  }
  return report;
}

/** The report as text lines (the CLI prints them; the test shows them as diagnostics). */
export function formatReport(r: FuzzReport): string[] {
  if (r.skipped) return [`${r.layer}: skipped (${r.skipped})`];
  const us = r.count > 0 ? (r.ms * 1000) / r.count : 0;
  const lines = [
    `${r.layer}: ${r.count} inputs (seed ${r.seed}${r.first ? `, from index ${r.first}` : ""}) in ${(r.ms / 1000).toFixed(1)} s — ${us.toFixed(1)} µs per input, 10^6 inputs ≈ ${((us * 1e6) / 1e6 / 60).toFixed(1)} min`,
    `  outcomes: ${Object.keys(r.outcomes)
      .sort((a, b) => r.outcomes[b] - r.outcomes[a])
      .map((k) => `${k} ${r.outcomes[k]}`)
      .join(", ")}`,
  ];
  if (r.slowest) lines.push(`  slowest (best of 3): index ${r.slowest.index}, ${r.slowest.ms.toFixed(2)} ms: ${r.slowest.input}`);
  lines.push(`  findings: ${r.findings.length === 0 ? "none" : ""}`);
  for (const f of r.findings) lines.push(`    index ${f.index} (reproduce: --seed ${r.seed} --index ${f.index}): ${f.error}`);
  return lines;
}
