// @node-only — `xs15118 sim` (what `npm start` runs): options, JSON summary, pcapng file.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";
import { readCapture } from "../../hosts/sim/pcap/read";

test("sim --json --pcap: a normal end, the summary as JSON, a pcapng with every frame", async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-")), "session.pcapng");
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

test("sim rejects bad options with exit 2 and says why", async () => {
  for (const args of [["--protocol", "iso20"], ["--protocol", "din", "--transfer", "ac"], ["--start-soc", "90", "--target-soc", "80"], ["--frobnicate"], ["--ev-mac", "01:00:00:00:00:01"]]) {
    const io = bufferIo();
    assert.equal(await main(["sim", ...args], io), 2, args.join(" "));
    assert.match(io.stderr.join("\n"), /xs15118 sim: /);
  }
});
