// @node-only @slow — `xs15118 secc` and `xs15118 evcc` end to end on real IPv6: two network namespaces
// joined by a veth pair, our charger in one and our vehicle in the other (separate processes,
// SDP on ff02::1 over the veth, TCP on link-local addresses). Needs root and iproute2; skips
// with the reason otherwise. Sessions are short: a 1 kWh battery charged from 50 % to 51 %.
// Both generations in one stack: the SDP charger offers DIN, -2 and -20 (-20 over plain TCP
// behind --insecure-iso20-plain-tcp) and the vehicle's SAP priorities pick; the --no-sdp
// charger lists iso20 without that option and falls back to -2, saying why. Over TLS (--tls --pki
// DIR from `xs15118 pki init`): -2 over TLS 1.2 and -20 over TLS 1.3 with mutual authentication
// from one port, Plug & Charge between the processes (--payment contract: -2 with a certificate
// installation and the signed SalesTariff, -20 PnC authorization), and the refusals (no TLS in the
// vehicle, an untrusted V2G or OEM root).
// Bidirectional: secc --scenario v2g (site clock at the 17:30 price peak) and evcc --scenario v2g
// give energy back over DC_BPT and AC_BPT; both sides' JSON lines count the discharged Wh.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setUpNetnsPair } from "../support/netns";

const BIN = fileURLToPath(new URL("../../bin/xs15118.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function run(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(args[0], args.slice(1), { encoding: "utf8", timeout: 10_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? r.error.message : ""}`.trim() };
}

// Unique per run, removed at the end and at process exit (tests/support/netns.ts).
const pair = await setUpNetnsPair("");
const skip = typeof pair === "string" ? pair : undefined;
const NS_SECC = typeof pair === "string" ? "" : pair.nsSecc;
const NS_EV = typeof pair === "string" ? "" : pair.nsEv;
const IF_SECC = typeof pair === "string" ? "" : pair.ifSecc;
const IF_EV = typeof pair === "string" ? "" : pair.ifEv;
function cleanup(): void {
  if (typeof pair !== "string") pair.cleanup();
}
if (skip) console.log(`# secc-evcc-netns skipped: ${skip}`);

interface Proc {
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

function start(ns: string, args: string[]): Proc {
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, BIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const stderr: string[] = [];
  let partial = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
  });
  let errPartial = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (errPartial + chunk).split("\n");
    errPartial = parts.pop()!;
    stderr.push(...parts);
  });
  const exit = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { child, lines, stderr, exit };
}

function json(p: Proc): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const l of p.lines) if (l.startsWith("{")) out.push(JSON.parse(l) as Record<string, unknown>);
  return out;
}

async function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until<T>(what: string, get: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The EVCC as a process: waits for its exit (bounded) and returns its code and JSON summary. */
async function vehicle(args: string[]): Promise<{ code: number | null; summary: Record<string, unknown> | undefined; stderr: string[]; ms: number }> {
  const t0 = Date.now();
  const p = start(NS_EV, ["evcc", "--capacity", "1", "--start-soc", "50", "--target-soc", "51", "--max-time", "30", "--json", ...args]);
  let code: number | null;
  try {
    code = await within("evcc", p.exit, 45_000);
  } catch (error) {
    p.child.kill("SIGKILL");
    throw error;
  }
  const summaries = json(p);
  return { code, summary: summaries[summaries.length - 1], stderr: p.stderr, ms: Date.now() - t0 };
}

describe("over TLS: xs15118 secc --tls ⇄ xs15118 evcc --tls across the namespaces (SDP Security 0x00, one TLS port for -2 and -20)", { skip }, () => {
  let pkiDir = "";
  let foreignPki = "";
  let keyLog = "";
  let tlsSecc!: Proc;
  const summaries: Record<string, unknown>[] = [];

  before(async () => {
    pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-netns-pki-"));
    foreignPki = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-netns-foreign-"));
    keyLog = path.join(pkiDir, "keys.log");
    for (const dir of [pkiDir, foreignPki]) assert.equal(run([process.execPath, BIN, "pki", "init", dir, "--profile", "iso2,iso20"]).ok, true);
    // Plug & Charge offered too (--payment contract): vehicles choose external identification or a contract.
    tlsSecc = start(NS_SECC, ["secc", "--iface", IF_SECC, "--protocols", "din,iso2,iso20", "--transfer", "dc,ac", "--tls", "--pki", pkiDir, "--payment", "contract", "--keylog", keyLog, "--fast", "--json"]);
    const ready = await until("tls secc ready", () => json(tlsSecc).find((j) => j.event === "ready") ?? (tlsSecc.child.exitCode !== null ? { event: "exited" } : undefined), 30_000);
    assert.equal(ready.event, "ready", `secc exited early: ${tlsSecc.stderr.join("\n")}`);
    assert.equal(ready.tls, "iso2+iso20");
    assert.deepEqual(ready.protocols, ["iso2", "iso20"], "DIN 70121 (no TLS) is left out over TLS");
  });

  after(async () => {
    if (tlsSecc && tlsSecc.child.exitCode === null && tlsSecc.child.signalCode === null) {
      tlsSecc.child.kill("SIGKILL");
      await within("secc kill", tlsSecc.exit, 5000).catch(() => undefined);
    }
    for (const dir of [pkiDir, foreignPki]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases = [
    { name: "ISO 15118-2 DC over TLS 1.2", args: ["--protocols", "iso2", "--transfer", "dc"], protocol: "iso2", transfer: "dc" },
    { name: "ISO 15118-2 AC over TLS 1.2", args: ["--protocols", "iso2", "--transfer", "ac"], protocol: "iso2", transfer: "ac" },
    { name: "vehicle iso20,iso2 → ISO 15118-20 DC over TLS 1.3 (mutual authentication)", args: ["--protocols", "iso20,iso2", "--transfer", "dc"], protocol: "iso20", transfer: "dc" },
    { name: "vehicle iso20 → ISO 15118-20 AC over TLS 1.3", args: ["--protocols", "iso20", "--transfer", "ac"], protocol: "iso20", transfer: "ac" },
    {
      name: "Plug & Charge, ISO 15118-2 DC: the vehicle installs a contract, authorizes with it, verifies the signed SalesTariff",
      args: ["--protocols", "iso2", "--transfer", "dc", "--payment", "contract", "--verbose"],
      protocol: "iso2",
      transfer: "dc",
      expect: [/tx CertificateInstallationReq/, /tx AuthorizationReq +signed=true/, /SalesTariff signature verified/, /tx MeteringReceiptReq/],
    },
    {
      name: "Plug & Charge, ISO 15118-20 AC with the contract installed: PnC authorization (P-521 signed challenge)",
      args: ["--protocols", "iso20", "--transfer", "ac", "--payment", "contract", "--contract", "--verbose"],
      protocol: "iso20",
      transfer: "ac",
      expect: [/tx AuthorizationReq +service=PnC/],
    },
  ];
  for (const c of cases) {
    test(`${c.name}, via SDP: the EVCC exits 0 with a normal end`, async () => {
      const r = await vehicle(["--iface", IF_EV, "--tls", "--pki", pkiDir, ...c.args]);
      assert.equal(r.code, 0, `evcc exit ${r.code}: ${JSON.stringify(r.summary)}\n${r.stderr.slice(-15).join("\n")}`);
      assert.equal(r.summary?.protocol, c.protocol);
      assert.equal(r.summary?.transfer, c.transfer);
      assert.equal(r.summary?.reason, "charging-complete");
      assert.ok((r.summary?.energyWh as number) > 0);
      assert.deepEqual(r.summary?.errors, []);
      for (const line of c.expect ?? []) assert.ok(r.stderr.some((l) => line.test(l)), `${line}: ${r.stderr.slice(0, 40).join("\n")}`);
      summaries.push(r.summary!);
    });
  }

  test("a vehicle without --tls: the charger answers SDP with Security 0x00 and the vehicle refuses (exit 1, says why)", async () => {
    const r = await vehicle(["--iface", IF_EV, "--protocols", "iso2"]);
    assert.equal(r.code, 1);
    assert.equal(r.summary?.reason, "sdp-failed");
    assert.match(String(r.summary?.detail), /Security 0x00 \(TLS only\); this vehicle has no TLS: refused/);
    assert.ok(r.stderr.some((l) => /^warn evcc: the charger answered SDP with Security 0x00/.test(l)), r.stderr.join("\n"));
  });

  test("a vehicle whose PKI does not know the charger's V2G root: the handshake fails, exit 1, no session", async () => {
    const r = await vehicle(["--iface", IF_EV, "--tls", "--pki", foreignPki, "--protocols", "iso2"]);
    assert.equal(r.code, 1);
    assert.equal(r.summary?.protocol, null);
    assert.match(`${String(r.summary?.reason)} ${String(r.summary?.detail)}`, /certificate|verify|issuer/i);
  });

  test("a -20 vehicle whose OEM certificate the charger does not trust: refused in the handshake, the charger logs why and serves on", async () => {
    const r = await vehicle(["--iface", IF_EV, "--tls", "--pki", foreignPki, "--protocols", "iso20"]);
    assert.equal(r.code, 1);
    assert.equal(r.summary?.protocol, null);
    await until("charger log", () => tlsSecc.stderr.find((l) => /^warn secc: TLS handshake refused, connection closed: /.test(l)), 5000);
  });

  test("SIGTERM stops the TLS charger in order; its sessions agree with the vehicles'; the key log has TLS 1.2 and 1.3 secrets", async () => {
    tlsSecc.child.kill("SIGTERM");
    assert.equal(await within("secc exit", tlsSecc.exit, 10_000), 0, tlsSecc.stderr.slice(-10).join("\n"));
    const sessions = json(tlsSecc).filter((j) => j.event === "session");
    assert.deepEqual(sessions.map((s) => [s.protocol, s.transfer, s.reason, s.messages]), summaries.map((ev) => [ev.protocol, ev.transfer, "ev-terminate", ev.messages]));
    const lines = fs.readFileSync(keyLog, "utf8");
    assert.match(lines, /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/m);
    assert.match(lines, /^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]{64} [0-9a-f]+$/m);
  });
});

describe("xs15118 secc ⇄ xs15118 evcc across two network namespaces (veth, IPv6 link-local)", { skip }, () => {
  let sdpSecc!: Proc;
  let plainSecc!: Proc;
  const plainPort = 49152 + Math.floor(Math.random() * 16000);
  let sdpPort = 0;
  let seccAddress = "";
  const evccSummaries: Record<string, unknown>[] = [];
  const plainSummaries: Record<string, unknown>[] = [];

  before(async () => {
    // both chargers start together (process start-up dominates the run time)
    sdpSecc = start(NS_SECC, ["secc", "--iface", IF_SECC, "--protocols", "din,iso2,iso20", "--insecure-iso20-plain-tcp", "--transfer", "dc,ac", "--fast", "--json"]);
    plainSecc = start(NS_SECC, ["secc", "--iface", IF_SECC, "--no-sdp", "--port", String(plainPort), "--protocols", "din,iso2,iso20", "--fast", "--json"]);
    for (const p of [sdpSecc, plainSecc]) {
      const ready = await until("secc ready", () => json(p).find((j) => j.event === "ready") ?? (p.child.exitCode !== null ? { event: "exited" } : undefined), 30_000);
      assert.equal(ready.event, "ready", `secc exited early: ${p.stderr.join("\n")}`);
      if (p === sdpSecc) {
        sdpPort = ready.port as number;
        seccAddress = ready.address as string;
      }
    }
    assert.ok(sdpPort >= 49152 && sdpPort <= 65535, `random port ${sdpPort} in the dynamic range`);
    assert.match(seccAddress, /^fe80:/);
  });

  after(async () => {
    for (const p of [sdpSecc, plainSecc]) {
      if (p && p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill("SIGKILL");
        await within("secc kill", p.exit, 5000).catch(() => undefined);
      }
    }
    cleanup();
  });

  const cases = [
    { name: "DIN 70121 DC via SDP", args: ["--protocol", "din", "--transfer", "dc"], protocol: "din", transfer: "dc" },
    { name: "ISO 15118-2 DC via SDP", args: ["--protocol", "iso2", "--transfer", "dc"], protocol: "iso2", transfer: "dc" },
    { name: "ISO 15118-2 AC via SDP", args: ["--protocol", "iso2", "--transfer", "ac"], protocol: "iso2", transfer: "ac" },
    // the vehicle's SAP priorities choose among the charger's din,iso2,iso20
    { name: "vehicle iso20,iso2 → ISO 15118-20 DC via SDP", args: ["--protocols", "iso20,iso2", "--insecure-iso20-plain-tcp", "--transfer", "dc"], protocol: "iso20", transfer: "dc" },
    { name: "vehicle iso20,iso2 → ISO 15118-20 AC via SDP", args: ["--protocols", "iso20,iso2", "--insecure-iso20-plain-tcp", "--transfer", "ac"], protocol: "iso20", transfer: "ac" },
    { name: "vehicle iso20 DC_BPT → ISO 15118-20 bidirectional service, charging, via SDP", args: ["--protocols", "iso20,iso2", "--insecure-iso20-plain-tcp", "--transfer", "dc_bpt"], protocol: "iso20", transfer: "dc" },
    { name: "vehicle iso2,din → ISO 15118-2 DC via SDP", args: ["--protocols", "iso2,din", "--transfer", "dc"], protocol: "iso2", transfer: "dc" },
  ];
  for (const c of cases) {
    test(`${c.name}: the EVCC exits 0 with a normal end and energy > 0`, async (t) => {
      const r = await vehicle(["--iface", IF_EV, ...c.args]);
      t.diagnostic(`${c.name}: evcc process ${r.ms} ms, session ${String(r.summary?.durationMs)} ms, ${String(r.summary?.energyWh)} Wh`);
      assert.equal(r.code, 0, `evcc exit ${r.code}: ${JSON.stringify(r.summary)}\n${r.stderr.slice(-15).join("\n")}`);
      assert.ok(r.summary, "a JSON summary");
      assert.equal(r.summary.protocol, c.protocol);
      assert.equal(r.summary.transfer, c.transfer);
      assert.equal(r.summary.ok, true);
      assert.equal(r.summary.reason, "charging-complete");
      assert.ok((r.summary.energyWh as number) > 0, `energy ${String(r.summary.energyWh)} Wh`);
      assert.ok((r.summary.socEnd as number) >= 51);
      assert.ok((r.summary.messages as number) > 10);
      evccSummaries.push(r.summary);
    });
  }

  test("the SDP charger offers din,iso2,iso20; the --no-sdp one, without --insecure-iso20-plain-tcp, din,iso2 and says why", () => {
    const sdpReady = json(sdpSecc).find((j) => j.event === "ready")!;
    assert.deepEqual(sdpReady.protocols, ["din", "iso2", "iso20"]);
    assert.equal(sdpReady.insecureIso20, true);
    const plainReady = json(plainSecc).find((j) => j.event === "ready")!;
    assert.deepEqual(plainReady.protocols, ["din", "iso2"]);
    assert.equal(plainReady.insecureIso20, false);
    assert.match(String((plainReady.notOffered as string[])[0]), /^iso20 not offered: ISO 15118-20 requires TLS 1\.3/);
    assert.ok(plainSecc.stderr.some((l) => /^warn secc: iso20 not offered: ISO 15118-20 requires TLS 1\.3 .*--insecure-iso20-plain-tcp/.test(l)), plainSecc.stderr.join("\n"));
  });

  test("a vehicle offering iso20 without --insecure-iso20-plain-tcp refuses to start (exit 2, says why)", async () => {
    const r = await vehicle(["--iface", IF_EV, "--protocols", "iso20,iso2"]);
    assert.equal(r.code, 2);
    assert.equal(r.summary, undefined, "no session was run");
    assert.ok(r.stderr.some((l) => /ISO 15118-20 requires TLS 1\.3.*--insecure-iso20-plain-tcp/.test(l)), r.stderr.join("\n"));
  });

  test("a vehicle offering only iso20 to the charger that does not offer it: SAP Failed_NoNegotiation, exit 1", async () => {
    const r = await vehicle(["--iface", IF_EV, "--secc", `[${seccAddress}]:${plainPort}`, "--protocols", "iso20", "--insecure-iso20-plain-tcp"]);
    assert.equal(r.code, 1);
    assert.equal(r.summary?.protocol, null);
    assert.equal(r.summary?.reason, "sap-failed");
    assert.match(String(r.summary?.detail), /supports none of our protocols/);
    const closed = await until("connection event", () => json(plainSecc).find((j) => j.event === "connection"), 5000);
    assert.equal(closed.outcome, "no-session");
    assert.equal(closed.reason, "no-protocol");
  });

  test("--no-sdp charger and --secc [fe80::…]:PORT vehicle (zone from --iface): iso20,iso2 → ISO-2 DC (the charger falls back)", async (t) => {
    const addr = await until("address", () => json(plainSecc).find((j) => j.event === "ready"), 1000);
    assert.equal(addr.sdp, false);
    assert.equal(addr.port, plainPort);
    const r = await vehicle(["--iface", IF_EV, "--secc", `[${seccAddress}]:${plainPort}`, "--protocols", "iso20,iso2", "--insecure-iso20-plain-tcp"]);
    t.diagnostic(`no-sdp: evcc process ${r.ms} ms, session ${String(r.summary?.durationMs)} ms, ${String(r.summary?.energyWh)} Wh`);
    assert.equal(r.code, 0, `evcc exit ${r.code}: ${JSON.stringify(r.summary)}\n${r.stderr.slice(-15).join("\n")}`);
    assert.equal(r.summary?.protocol, "iso2");
    assert.equal(r.summary?.secc, `[${seccAddress}%${IF_EV}]:${plainPort}`);
    assert.ok((r.summary?.energyWh as number) > 0);
    plainSummaries.push(r.summary!);
  });

  test("a vehicle offering iso2,din charges with DIN 70121 from a DIN-only charger (--no-sdp); both summaries say din", async () => {
    const port = plainPort + 1;
    const dinSecc = start(NS_SECC, ["secc", "--no-sdp", "--port", String(port), "--protocols", "din", "--fast", "--json"]);
    try {
      const ready = await until("din secc ready", () => json(dinSecc).find((j) => j.event === "ready") ?? (dinSecc.child.exitCode !== null ? { event: "exited" } : undefined), 30_000);
      assert.equal(ready.event, "ready", dinSecc.stderr.join("\n"));
      const r = await vehicle(["--iface", IF_EV, "--secc", `[${seccAddress}]:${port}`, "--protocols", "iso2,din"]);
      assert.equal(r.code, 0, `evcc exit ${r.code}: ${JSON.stringify(r.summary)}\n${r.stderr.slice(-15).join("\n")}`);
      assert.equal(r.summary?.protocol, "din");
      dinSecc.child.kill("SIGTERM");
      assert.equal(await within("din secc exit", dinSecc.exit, 10_000), 0);
      const sessions = json(dinSecc).filter((j) => j.event === "session");
      assert.equal(sessions.length, 1, JSON.stringify(sessions));
      assert.equal(sessions[0].protocol, "din");
      assert.equal(sessions[0].reason, "ev-terminate");
      assert.equal(sessions[0].messages, r.summary?.messages);
    } finally {
      dinSecc.child.kill("SIGKILL");
    }
  });

  test("ISO 15118-20 V2G, DC_BPT then AC_BPT: secc --scenario v2g at 17:30 (price peak) ⇄ evcc --scenario v2g: energy flows back, both JSON lines say discharged Wh > 0", async (t) => {
    const bptPort = plainPort + 2;
    const bptSecc = start(NS_SECC, ["secc", "--iface", IF_SECC, "--no-sdp", "--port", String(bptPort), "--protocols", "iso20", "--transfer", "dc,ac", "--insecure-iso20-plain-tcp", "--scenario", "v2g", "--time-of-day", "17:30", "--fast", "--json"]);
    try {
      const ready = await until("bpt secc ready", () => json(bptSecc).find((j) => j.event === "ready") ?? (bptSecc.child.exitCode !== null ? { event: "exited" } : undefined), 30_000);
      assert.equal(ready.event, "ready", bptSecc.stderr.join("\n"));
      assert.equal(ready.scenario, "v2g");
      // 50 % of 1 kWh down to the 30 % minimum at 11 kW lasts longer than the 6 s stay.
      const vehicles: Record<string, unknown>[] = [];
      for (const transfer of ["dc_bpt", "ac_bpt"]) {
        const r = await vehicle(["--iface", IF_EV, "--secc", `[${seccAddress}]:${bptPort}`, "--protocols", "iso20", "--insecure-iso20-plain-tcp", "--scenario", "v2g", "--transfer", transfer, "--departure", "6s"]);
        t.diagnostic(`v2g ${transfer}: vehicle ${String(r.summary?.energyChargedWh)} Wh in, ${String(r.summary?.energyDischargedWh)} Wh out, SoC ${String(r.summary?.socStart)} → ${String(r.summary?.socEnd)} %`);
        assert.equal(r.code, 0, `evcc exit ${r.code}: ${JSON.stringify(r.summary)}\n${r.stderr.slice(-15).join("\n")}`);
        assert.equal(r.summary?.protocol, "iso20");
        assert.equal(r.summary?.transfer, transfer.slice(0, 2));
        assert.ok((r.summary?.energyDischargedWh as number) > 0, JSON.stringify(r.summary));
        assert.ok((r.summary?.socEnd as number) < (r.summary?.socStart as number), "the battery gave energy");
        vehicles.push(r.summary!);
      }
      bptSecc.child.kill("SIGTERM");
      assert.equal(await within("bpt secc exit", bptSecc.exit, 10_000), 0);
      const sessions = json(bptSecc).filter((j) => j.event === "session");
      assert.equal(sessions.length, 2, JSON.stringify(sessions));
      for (let i = 0; i < 2; i++) {
        assert.equal(sessions[i].transfer, vehicles[i].transfer);
        assert.equal(sessions[i].reason, "ev-terminate");
        assert.deepEqual(sessions[i].errors, []);
        const out = sessions[i].energyDischargedWh as number;
        assert.ok(out > 0, JSON.stringify(sessions[i]));
        // the grid side gets the vehicle's energy less the stage's conversion loss (η 0.96 DC, 0.94 AC)
        const ratio = out / (vehicles[i].energyDischargedWh as number);
        assert.ok(ratio > 0.6 && ratio < 1.1, `charger ${out} Wh vs vehicle ${String(vehicles[i].energyDischargedWh)} Wh discharged`);
      }
    } finally {
      bptSecc.child.kill("SIGKILL");
    }
  });

  test("ISO 15118-20 MCS: secc --transfer dc,mcs ⇄ evcc --transfer mcs (the truck charges under service 8); both summaries agree", async () => {
    const mcsPort = plainPort + 1;
    const mcsSecc = start(NS_SECC, ["secc", "--iface", IF_SECC, "--no-sdp", "--port", String(mcsPort), "--protocols", "iso20", "--transfer", "dc,mcs", "--insecure-iso20-plain-tcp", "--fast", "--json"]);
    try {
      const ready = await until("mcs secc ready", () => json(mcsSecc).find((j) => j.event === "ready") ?? (mcsSecc.child.exitCode !== null ? { event: "exited" } : undefined), 30_000);
      assert.equal(ready.event, "ready", mcsSecc.stderr.join("\n"));
      const r = await vehicle(["--iface", IF_EV, "--secc", `[${seccAddress}]:${mcsPort}`, "--protocols", "iso20", "--transfer", "mcs", "--insecure-iso20-plain-tcp"]);
      assert.equal(r.code, 0, `evcc exit ${r.code}: ${JSON.stringify(r.summary)}\n${r.stderr.slice(-15).join("\n")}`);
      assert.equal(r.summary?.protocol, "iso20");
      assert.equal(r.summary?.reason, "charging-complete");
      mcsSecc.child.kill("SIGTERM");
      assert.equal(await within("mcs secc exit", mcsSecc.exit, 10_000), 0);
      const sessions = json(mcsSecc).filter((j) => j.event === "session");
      assert.equal(sessions.length, 1, JSON.stringify(sessions));
      assert.equal(sessions[0].protocol, "iso20");
      assert.equal(sessions[0].reason, "ev-terminate");
      assert.equal(sessions[0].messages, r.summary?.messages);
    } finally {
      mcsSecc.child.kill("SIGKILL");
    }
  });

  test("SIGTERM stops both chargers in order (exit 0); their JSON session summaries agree with the vehicles'", async () => {
    sdpSecc.child.kill("SIGTERM");
    plainSecc.child.kill("SIGTERM");
    assert.equal(await within("secc exit", sdpSecc.exit, 10_000), 0, sdpSecc.stderr.slice(-10).join("\n"));
    assert.equal(await within("secc exit", plainSecc.exit, 10_000), 0, plainSecc.stderr.slice(-10).join("\n"));
    for (const [secc, evs] of [[sdpSecc, evccSummaries], [plainSecc, plainSummaries]] as const) {
      const sessions = json(secc).filter((j) => j.event === "session");
      assert.equal(sessions.length, evs.length, JSON.stringify(sessions));
      for (let i = 0; i < evs.length; i++) {
        const s = sessions[i];
        const ev = evs[i];
        assert.equal(s.protocol, ev.protocol);
        assert.equal(s.transfer, ev.transfer);
        assert.equal(s.reason, "ev-terminate");
        assert.equal(s.ok, true);
        assert.deepEqual(s.errors, []);
        assert.equal(s.messages, ev.messages, "both sides count every message (SAP included)");
        const ratio = (s.energyWh as number) / (ev.energyWh as number);
        assert.ok(ratio > 0.5 && ratio < 2, `charger ${String(s.energyWh)} Wh vs vehicle ${String(ev.energyWh)} Wh`);
        assert.ok(Math.abs((s.durationMs as number) - (ev.durationMs as number)) < 2000, `durations ${String(s.durationMs)} / ${String(ev.durationMs)} ms`);
      }
    }
  });
});
