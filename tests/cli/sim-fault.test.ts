// @node-only — `xs15118 sim --fault NAME[@TIME]` and `--fault list` (simulation/faults).
import { test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";
import { FAULTS } from "../../simulation/faults/catalogue";

const SHORT = ["--capacity", "5", "--start-soc", "70", "--target-soc", "75"];

test("sim --fault list: the catalogue, every fault with its end, exit 0, nothing run", async () => {
  const io = bufferIo();
  assert.equal(await main(["sim", "--fault", "list"], io), 0);
  const text = io.stdout.join("\n");
  for (const f of FAULTS) assert.match(text, new RegExp(`^${f.name} `, "m"));
  assert.doesNotMatch(text, /session ended/);
});

test("sim --fault pilot-e --json: the session fails (exit 1), the summary says how and why", async () => {
  const io = bufferIo();
  const code = await main(["sim", ...SHORT, "--fault", "pilot-e", "--json"], io);
  assert.equal(code, 1);
  const summary = JSON.parse(io.stdout.join("\n"));
  assert.equal(summary.outcome, "link-down");
  assert.ok(summary.errors.some((e: string) => /fault pilot-e injected/.test(e)));
  assert.ok(summary.errors.some((e: string) => /secc: session stopped: cp-unplugged/.test(e)));
  assert.ok(io.stderr.some((l) => /fault pilot-e injected/.test(l)), "the live trace shows the fault");
});

test("sim --fault plc-burst@20 --fault sdp-loss: several faults, a bridged one still ends normally (exit 0)", async () => {
  const io = bufferIo();
  const code = await main(["sim", ...SHORT, "--fault", "plc-burst@20", "--fault", "sdp-loss", "--quiet"], io);
  assert.equal(code, 0, io.stdout.join("\n"));
  assert.match(io.stdout.join("\n"), /charging-complete/);
});

test("sim --fault with an unknown name or a bad time: usage error (exit 2) naming it", async () => {
  for (const bad of ["melt-down", "unplug@soon"]) {
    const io = bufferIo();
    assert.equal(await main(["sim", "--fault", bad], io), 2);
    assert.match(io.stderr.join("\n"), new RegExp(`--fault ${bad}`));
  }
});
