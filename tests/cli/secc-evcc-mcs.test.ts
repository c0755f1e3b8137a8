// @node-only @slow — `xs15118 secc --transfer dc,mcs` and `xs15118 evcc --transfer mcs` as two processes
// over loopback (real time, real sockets): an ISO 15118-20 MCS session (service 8), the truck
// taking megawatt current from the MCS outlet (1,250 V, 3,000 A); options and their errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { main } from "../../hosts/sim/cli";
import { parseSeccArgs } from "../../hosts/sim/commands/secc";
import { parseEvccArgs } from "../../hosts/sim/commands/evcc";
import { bufferIo } from "../support/cli-io";

const BIN = fileURLToPath(new URL("../../bin/xs15118.js", import.meta.url));

function proc(args: string[]): { out: string[]; err: string[]; exit: Promise<number | null>; kill(signal: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.setEncoding("utf8").on("data", (c: string) => out.push(...c.split("\n").filter((l) => l !== "")));
  child.stderr.setEncoding("utf8").on("data", (c: string) => err.push(...c.split("\n").filter((l) => l !== "")));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return { out, err, exit: exited, kill: (signal) => child.kill(signal) };
}
const jsonLines = (lines: string[]) => lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);

test("options: --transfer mcs needs ISO 15118-20 on both sides; the charger's DC outlet becomes an MCS one", async () => {
  const a = parseSeccArgs(["--no-sdp", "--protocols", "iso20", "--transfer", "mcs", "--insecure-iso20-plain-tcp"]);
  assert.equal(a.mcs, true);
  assert.deepEqual(a.transfer, ["dc"]);
  const v = parseEvccArgs(["--iface", "eth1", "--protocols", "iso20", "--transfer", "mcs_bpt", "--insecure-iso20-plain-tcp"]);
  assert.equal(v.mcs, "mcs_bpt");
  assert.equal(v.transfer, "dc");
  for (const args of [["secc", "--no-sdp", "--protocols", "iso2", "--transfer", "mcs"], ["evcc", "--iface", "eth1", "--protocols", "iso2", "--transfer", "mcs"]]) {
    const io = bufferIo();
    assert.equal(await main(args, io), 2, args.join(" "));
    assert.match(io.stderr.join("\n"), /ISO 15118-20 service/);
  }
});

test("secc --transfer dc,mcs ⇄ evcc --transfer mcs over loopback: an MCS session, both summaries agree", async () => {
  const secc = proc(["secc", "--no-sdp", "--port", "0", "--protocols", "iso20", "--transfer", "dc,mcs", "--insecure-iso20-plain-tcp", "--fast", "--json", "--quiet"]);
  try {
    let ready: Record<string, unknown> | undefined;
    const deadline = Date.now() + 20_000;
    while ((ready = jsonLines(secc.out).find((j) => j.event === "ready")) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(ready, `secc ready: ${secc.err.join("\n")}`);
    const ev = proc(["evcc", "--secc", `[::1]:${String(ready.port)}`, "--protocols", "iso20", "--transfer", "mcs", "--insecure-iso20-plain-tcp", "--capacity", "20", "--start-soc", "50", "--target-soc", "51", "--max-time", "60", "--json", "--verbose"]);
    assert.equal(await ev.exit, 0, ev.err.slice(-30).join("\n"));
    const vehicle = jsonLines(ev.out)[0];
    assert.equal(vehicle.protocol, "iso20");
    assert.equal(vehicle.reason, "charging-complete");
    assert.ok(ev.err.some((l) => /ServiceSelectionReq/.test(l)), "the vehicle's trace");
    secc.kill("SIGTERM");
    assert.equal(await secc.exit, 0, secc.err.join("\n"));
    const sessions = jsonLines(secc.out).filter((j) => j.event === "session");
    assert.equal(sessions.length, 1, JSON.stringify(sessions));
    assert.equal(sessions[0].protocol, "iso20");
    assert.equal(sessions[0].reason, "ev-terminate");
    assert.equal(sessions[0].messages, vehicle.messages, "both sides count every message");
    assert.ok((sessions[0].energyWh as number) > 100, `${String(sessions[0].energyWh)} Wh into the stand-in truck battery`);
  } finally {
    secc.kill("SIGKILL");
  }
});
