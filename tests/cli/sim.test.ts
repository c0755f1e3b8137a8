// @node-only — `xs15118 sim` (what `npm start` runs): options, JSON summary, pcapng file.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";
import { readCapture } from "../../simulation/pcap/read";
import { expectedChargeTime, simulationTimeLimit } from "../../simulation/session/simulation";

test("sim --json --pcap: a normal end, the summary as JSON, a pcapng with every frame", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "session.pcapng");
  const io = bufferIo();
  const code = await main(["sim", "--protocol", "din", "--capacity", "5", "--start-soc", "70", "--target-soc", "75", "--port", "61000", "--evse-mac", "02:11:22:33:44:55", "--json", "--pcap", file], io);
  assert.equal(code, 0, io.stderr.join("\n"));
  const summary = JSON.parse(io.stdout.join("\n"));
  assert.equal(summary.ok, true);
  assert.equal(summary.protocol, "din");
  assert.ok(summary.energyWh > 250);
  assert.ok(io.stderr.some((l) => l.includes("→ SessionSetupReq")), "the live trace goes to stderr with --json");
  const capture = readCapture(new Uint8Array(fs.readFileSync(file)));
  assert.equal(capture.format, "pcapng");
  assert.equal(capture.frames.length, summary.frames);
  assert.ok(io.stderr.some((l) => l.includes("[fe80::11:22ff:fe33:4455%evse0]:61000")), "the charger's address follows its MAC, on the port asked for");
});

test("sim: the human summary names protocol, energy and duration", async () => {
  const io = bufferIo();
  const code = await main(["sim", "--protocol", "iso2", "--transfer", "ac", "--capacity", "5", "--start-soc", "70", "--target-soc", "72", "--quiet"], io);
  assert.equal(code, 0, io.stderr.join("\n"));
  const text = io.stdout.join("\n");
  assert.match(text, /session ended normally: charging-complete/);
  assert.match(text, /protocol +iso2 AC/);
  assert.match(text, /energy +0\.\d+ kWh/);
});

test("sim --protocol iso20 --transfer ac_bpt --mode dynamic: an ISO 15118-20 session ends normally", async () => {
  const io = bufferIo();
  const code = await main(["sim", "--protocol", "iso20", "--transfer", "ac_bpt", "--mode", "dynamic", "--capacity", "5", "--start-soc", "70", "--target-soc", "72", "--quiet"], io);
  assert.equal(code, 0, io.stderr.join("\n"));
  const text = io.stdout.join("\n");
  assert.match(text, /session ended normally: charging-complete/);
  assert.match(text, /protocol +iso20 AC/);
});

test("sim rejects bad options with exit 2 and says why", async () => {
  for (const args of [["--protocol", "iso2", "--mode", "dynamic"], ["--protocol", "iso2", "--transfer", "dc_bpt"], ["--protocol", "iso20", "--mode", "sometimes"], ["--protocol", "din", "--transfer", "ac"], ["--start-soc", "90", "--target-soc", "80"], ["--frobnicate"], ["--ev-mac", "01:00:00:00:00:01"]]) {
    const io = bufferIo();
    assert.equal(await main(["sim", ...args], io), 2, args.join(" "));
    assert.match(io.stderr.join("\n"), /xs15118 sim: /);
  }
});

// ---- the simulated-time cap follows the session (issue 10 item 7)

test("sim: an AC charge to 100 % ends normally (the on-board charger's least output ends it at the top of the CV phase)", async () => {
  // Above ~98.5 % this 5 kWh pack accepts less than 6 A × 3 × 230 V: the on-board charger then
  // draws nothing, and a vehicle waiting for 100 % looped until the simulation's cap.
  const io = bufferIo();
  const code = await main(["sim", "--protocol", "iso2", "--transfer", "ac", "--capacity", "5", "--start-soc", "95", "--target-soc", "100", "--quiet", "--json"], io);
  const summary = JSON.parse(io.stdout.join("\n"));
  assert.equal(code, 0, `${summary.outcome} ${summary.detail}`);
  assert.equal(summary.outcome, "charging-complete");
  assert.ok(summary.socEnd > 98 && summary.socEnd <= 100, `SoC ${summary.socEnd}`);
});

test("sim: the default cap follows the session — a 60 kWh AC charge from 10 to 100 % fits (it needs over 5 h; the old cap was 4 h)", () => {
  const session = { protocol: "iso2", transfer: "ac", capacityKWh: 60, startSoc: 10, targetSoc: 100 } as const;
  const expected = expectedChargeTime(session)!;
  // 54 kWh at 11 kW (3 × 16 A) and 92 % efficiency, then the taper above 80 %
  assert.ok(expected > 5 * 3_600_000 && expected < 6 * 3_600_000, `expected ${expected / 3_600_000} h`);
  assert.equal(simulationTimeLimit(session), Math.ceil(1.5 * expected + 10 * 60_000));
  const dcShort = simulationTimeLimit({ protocol: "din", capacityKWh: 5, startSoc: 70, targetSoc: 75 });
  assert.ok(dcShort > 10 * 60_000 && dcShort < 15 * 60_000, "a short session gets a short cap, so a stuck one ends quickly");
});

test("sim --max-time: a run stopped by the cap says so (not as a protocol timeout), names the cap and keeps the protocol", async () => {
  const io = bufferIo();
  const code = await main(["sim", "--protocol", "iso2", "--transfer", "ac", "--capacity", "5", "--start-soc", "70", "--target-soc", "100", "--max-time", "60", "--quiet", "--json"], io);
  assert.equal(code, 1);
  const summary = JSON.parse(io.stdout.join("\n"));
  assert.equal(summary.ok, false);
  assert.equal(summary.outcome, "sim-time-limit");
  assert.equal(summary.protocol, "iso2", "the negotiated protocol survives a cut-short session");
  assert.equal(summary.timeLimitMs, 60_000);
  assert.match(summary.detail, /simulated-time cap of 1 min 00 s/);
  assert.match(summary.detail, /SoC 7\d\.\d % of 100 %/);
  assert.match(summary.detail, /--max-time/, "the detail says how to raise the cap");
  assert.ok(!summary.errors.some((e: string) => /aborted \(closed\)|link-down/.test(e)), `the teardown is not an error of the session: ${summary.errors.join("; ")}`);

  const text = bufferIo();
  assert.equal(await main(["sim", "--protocol", "iso2", "--transfer", "ac", "--capacity", "5", "--start-soc", "70", "--target-soc", "100", "--max-time", "1m", "--quiet"], text), 1);
  assert.match(text.stdout.join("\n"), /session FAILED: sim-time-limit/);
  assert.match(text.stdout.join("\n"), /protocol +iso2 AC/);
});
