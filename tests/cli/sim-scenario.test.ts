// @node-only — `xs15118 sim --scenario v2g|v2h|v2l`: option checks, and the summary's energy
// both ways and SoC path in text and JSON, the live trace's direction and power.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../hosts/sim/cli";
import { parseSimArgs } from "../../hosts/sim/commands/sim";
import { UsageError } from "../../hosts/sim/commands/options";
import { bufferIo } from "../support/cli-io";

describe("sim --scenario", () => {
  test("a scenario implies ISO 15118-20 DC_BPT in Dynamic control; contradictions are usage errors", () => {
    const { options } = parseSimArgs(["--scenario", "v2h"]);
    assert.deepEqual([options.protocol, options.transfer, options.bpt, options.scenario], ["iso20", "dc", true, "v2h"]);
    const ac = parseSimArgs(["--scenario", "v2l", "--transfer", "ac_bpt", "--min-soc", "40", "--load", "2500"]).options;
    assert.deepEqual([ac.transfer, ac.bpt, ac.scenarioOptions], ["ac", true, { minSoc: 40, fixedLoad: 2500 }]);
    assert.equal(parseSimArgs(["--scenario", "v2l", "--start-soc", "90"]).options.startSoc, 90, "above the default 80 % target: a scenario needs none");
    for (const [args, pattern] of [
      [["--scenario", "v2g", "--protocol", "iso2"], /--protocol iso20/],
      [["--scenario", "v2g", "--transfer", "ac"], /--transfer dc_bpt\|ac_bpt/],
      [["--scenario", "v2g", "--mode", "scheduled"], /Dynamic control/],
      [["--scenario", "v2g", "--load", "2000"], /--load is the fixed load of --scenario v2l/],
      [["--min-soc", "30"], /--min-soc needs --scenario/],
      [["--scenario", "v2l", "--min-soc", "70"], /--min-soc 70 must be below --start-soc 60/],
      [["--scenario", "v2x"], /unknown scenario 'v2x'/],
    ] as const) {
      assert.throws(() => parseSimArgs([...args]), (e: unknown) => e instanceof UsageError && pattern.test(e.message), args.join(" "));
    }
  });

  test("--json: energy charged and discharged in Wh and the SoC path; the trace shows direction and power", async () => {
    const io = bufferIo();
    const code = await main(["sim", "--scenario", "v2l", "--transfer", "ac_bpt", "--capacity", "5", "--start-soc", "51", "--min-soc", "50", "--load", "5000", "--json"], io);
    assert.equal(code, 0, io.stderr.join("\n"));
    const s = JSON.parse(io.stdout.join("\n"));
    assert.equal(s.scenario, "v2l");
    assert.equal(s.energyChargedWh, 0);
    assert.ok(s.energyDischargedWh > 40 && s.energyDischargedWh < 60, `${s.energyDischargedWh} Wh`);
    assert.ok(s.lossesWh > 0);
    assert.deepEqual(Object.keys(s.socPath).sort(), ["end", "max", "min", "points", "start"]);
    assert.equal(s.socPath.start, 51);
    assert.ok(s.socPath.min >= 49.9 && s.socPath.end <= 50.1);
    assert.ok(io.stderr.some((l) => /power +discharge +-5\.00 kW/.test(l)), "a trace line with direction and power");
    assert.ok(io.stderr.some((l) => /scenario v2l: a fixed load on the car/.test(l)));
  });

  test("--trace-loops: a power line with direction and power for every charge loop", async () => {
    const io = bufferIo();
    const code = await main(["sim", "--scenario", "v2l", "--transfer", "ac_bpt", "--capacity", "5", "--start-soc", "50.5", "--min-soc", "50", "--load", "5000", "--trace-loops"], io);
    assert.equal(code, 0, io.stderr.join("\n"));
    const lines = io.stdout.filter((l) => / power +(charge|discharge|idle) /.test(l));
    const loops = io.stdout.filter((l) => /← AC_ChargeLoopRes/.test(l)).length;
    const times = lines.map((l) => Number(l.trim().split(/\s+/)[0]));
    // The AC loop runs every 0.5 s: consecutive power lines are a loop apart, not 10 s.
    assert.ok(lines.length > 20, `${lines.length} power lines`);
    for (let i = 2; i < times.length - 1; i++) assert.ok(times[i] - times[i - 1] < 1, `${times[i - 1]} → ${times[i]}`);
    assert.equal(loops, 0, "loop messages themselves are not traced one by one");
  });

  test("text summary: both directions and the SoC path, also for a run without BPT", async () => {
    const io = bufferIo();
    assert.equal(await main(["sim", "--protocol", "iso2", "--capacity", "5", "--start-soc", "70", "--target-soc", "71", "--quiet"], io), 0);
    const text = io.stdout.join("\n");
    assert.match(text, /charged +\d+\.\d Wh, discharged 0\.0 Wh/);
    assert.match(text, /state of charge 70\.0 % → 71\.\d % \(min 70\.0 %, max 71\.\d %\)/);
    assert.match(text, /SoC path +0:0\d 70\.0 %, .*71\.\d %/);
  });
});
