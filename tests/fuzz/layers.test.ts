// A short fixed-seed run of every fuzzed layer (tools/fuzz: `npm run fuzz` runs the long ones):
// nothing may escape a layer — every input ends in a typed error, a protocol answer or an
// orderly stop — and each layer shows more than one outcome (the inputs reach past the first
// check). Runs on Node and, with fewer inputs and a smaller corpus, inside XS.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LAYERS } from "../../tools/fuzz/layers";
import { formatReport, runFuzz } from "../../tools/fuzz/runner";
import { inputRandom } from "../../tools/fuzz/random";
import { engine } from "../support/shared";

const SEED = 0x15118;
const xs = engine === "xs";
/** Inputs per layer: the cheap byte layers take more. */
const COUNTS: Record<string, number> = xs
  ? { "slac-frame": 300, sdp: 200, v2gtp: 200, exi: 200 }
  : { "slac-frame": 3000, sdp: 2000, v2gtp: 2000, exi: 1500 };
const SEQUENCES = xs ? 20 : 300;

describe("fuzzing every layer that reads peer input (fixed seed)", () => {
  for (const layer of LAYERS) {
    const count = COUNTS[layer.name] ?? SEQUENCES;
    test(`${layer.name}: ${count} inputs, no exception escapes`, (t) => {
      const report = runFuzz(layer, { seed: SEED, count, small: xs });
      for (const line of formatReport(report)) t.diagnostic(line);
      if (report.skipped) return t.skip(report.skipped);
      assert.deepEqual(report.findings, []);
      assert.equal(report.count, count);
      assert.ok(Object.keys(report.outcomes).length > 1, `only ${Object.keys(report.outcomes).join()}`);
    });
  }

  test("inputs are reproducible from (seed, index) alone", () => {
    // The cheap layers: a session layer's corpus takes a second to prepare.
    for (const layer of LAYERS.filter((l) => ["slac-frame", "slac-ev", "sdp", "v2gtp"].includes(l.name))) {
      const a = runFuzz(layer, { seed: 7, count: 1, first: 12, small: true });
      const b = runFuzz(layer, { seed: 7, count: 1, first: 12, small: true });
      if (a.skipped) continue;
      assert.equal(a.slowest!.input, b.slowest!.input, layer.name);
      assert.deepEqual(a.outcomes, b.outcomes, layer.name);
    }
    assert.notEqual(inputRandom(1, 2)(), inputRandom(1, 3)());
  });
});
