// @node-only — `xs15118 sim --protocol iso20 --transfer mcs|mcs_bpt|wpt|acdp`: the -20 services off
// the powerline over a direct link (no SLAC): summary, JSON, pcapng whose V2GTP dissects with
// the ACDP/WPT payload types and namespaces, usage errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";
import { readCapture } from "../../simulation/pcap/read";

test("sim --transfer mcs: a truck at 3000 A over MCS Ethernet, the human summary", async () => {
  const io = bufferIo();
  const code = await main(["sim", "--protocol", "iso20", "--transfer", "mcs", "--quiet"], io);
  assert.equal(code, 0, io.stderr.join("\n"));
  const text = io.stdout.join("\n");
  assert.match(text, /ISO 15118-20 MCS session: completed/);
  assert.match(text, /no SLAC, no PWM pilot/);
  assert.match(text, /peak {11}3000 A/);
});

for (const transfer of ["mcs_bpt", "wpt", "acdp"]) {
  test(`sim --transfer ${transfer} --json --pcap: a normal end, every frame in the capture`, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-"));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, `${transfer}.pcapng`);
    const io = bufferIo();
    const code = await main(["sim", "--transfer", transfer, "--json", "--pcap", file], io);
    assert.equal(code, 0, io.stderr.join("\n"));
    const summary = JSON.parse(io.stdout.join("\n"));
    assert.equal(summary.ok, true);
    assert.equal(summary.service, transfer);
    assert.ok(io.stderr.some((l) => l.includes("vehicle found the charger")), "the live trace goes to stderr with --json");
    const capture = readCapture(new Uint8Array(fs.readFileSync(file)));
    assert.equal(capture.format, "pcapng");
    assert.equal(capture.frames.length, summary.frames);
    const dissected = bufferIo();
    assert.equal(await main(["pcap", file, "--layer", "v2gtp"], dissected), 0, dissected.stderr.join("\n"));
    const lines = dissected.stdout.join("\n");
    if (transfer === "acdp") assert.match(lines, /-20:ACDP[\s\S]*iso20-acdp +ACDP_ConnectReq/);
    if (transfer === "wpt") assert.match(lines, /-20:WPT[\s\S]*iso20-wpt +WPT_ChargeLoopReq/);
    if (transfer === "mcs_bpt") assert.match(lines, /-20:DC[\s\S]*iso20-dc +DC_ChargeLoopReq/);
    // Every message on the wire round-trips through `xs15118 exi` (batch: decode, re-encode, compare).
    const json = bufferIo();
    assert.equal(await main(["pcap", file, "--layer", "v2gtp", "--json"], json), 0, json.stderr.join("\n"));
    const messages = json.stdout.map((l) => JSON.parse(l) as { schema: string; exi: string; type: string });
    assert.ok(messages.length > 100, `${messages.length} messages`);
    const batch = bufferIo(messages.map((m) => `roundtrip ${m.schema} ${m.exi}`).join("\n"));
    assert.equal(await main(["exi", "batch"], batch), 0, batch.stderr.join("\n"));
    assert.equal(batch.stdout.length, messages.length);
    const different = batch.stdout.map((l, i) => (l === "OK SAME" ? undefined : `${messages[i].type}: ${l}`)).filter((l) => l !== undefined);
    assert.deepEqual(different, []);
  });
}

test("sim --transfer wpt|acdp with another protocol than -20: a usage error", async () => {
  for (const args of [["--transfer", "wpt", "--protocol", "iso2"], ["--transfer", "acdp", "--protocol", "din"]]) {
    const io = bufferIo();
    assert.equal(await main(["sim", ...args], io), 2, args.join(" "));
    assert.ok(io.stderr.some((l) => l.includes("ISO 15118-20")), io.stderr.join("\n"));
  }
});
