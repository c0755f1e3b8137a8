// @node-only @slow — the firmware on a real Linux network interface (hosts/linux): two network
// namespaces joined by a veth pair, a charger in one and a vehicle in the other, each running
// SLAC on raw 0x88E1 frames, SDP on ff02::1 and V2GTP over TCP on link-local addresses, for DIN,
// ISO 15118-2 and ISO 15118-20, on plain TCP (-20 with the test-bench permission) and over TLS
// (-2 on TLS 1.2, -20 on TLS 1.3 with mutual authentication; DIN has no TLS).
// Nothing on a veth answers CM_SET_KEY or measures attenuation: each end runs the project's
// simulated modem behind its raw frames (hosts/linux/wire-modem.ts), and its pilot line is
// simulated in-process (the far end stands in for the other station).
//  - Always (root, iproute2, a C compiler): our Node charger against our Node vehicle
//    (tests/support/linux-peer.ts; Node reaches raw frames through hosts/linux/raw-bridge.c).
//  - With $MODDABLE: hosts/linux built once (mcconfig -d -m -p lin), then the Moddable charger
//    against the Node vehicle and the Node charger against the Moddable vehicle. A prebuilt
//    mc.so can be given in $XS15118_LINUX_SO (the build takes minutes on two cores).
//    Whether that build has TLS is asked of the build itself: started with XS15118_PKI, a build
//    without mbedTLS stops at once and says why (a case of its own); one with it starts on TLS.
//  - TLS: a test PKI this file writes (as `xs15118 pki init` does) that both ends read; the
//    Node end on node:tls, the Moddable end on the native mbedTLS module (hosts/native-tls),
//    linked into the build where an mbedTLS 3.6 build is found ($XS15118_MBEDTLS, or
//    /opt/mbedtls-3.6/install; the Moddable TLS cases skip without one). The Moddable end prints
//    one "xs15118-tls {json}" line per handshake (time, CPU, mbedTLS heap): printed here.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mbedtlsPrefix } from "../support/mbedtls";
import { nodeCrypto } from "../support/node-test-pki";
import { createTestPki } from "../../hosts/sim/pki/test-pki";
import { writeTestPki } from "../../hosts/sim/pki/files";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ID = `${(process.pid % 46656).toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
const NS = { charger: `xs15118-${ID}-c`, vehicle: `xs15118-${ID}-v` };
const IF = { charger: `xs${ID}c`, vehicle: `xs${ID}v` };
const PROTOCOLS = ["din", "iso2", "iso20"] as const;
/** Over TLS: ISO 15118-2 on TLS 1.2, -20 on TLS 1.3 (mutual). */
const TLS_PROTOCOLS = [
  { protocol: "iso2", version: "TLSv1.2" },
  { protocol: "iso20", version: "TLSv1.3" },
] as const;

function run(args: string[], timeout = 10_000): { ok: boolean; out: string } {
  const r = spawnSync(args[0], args.slice(1), { encoding: "utf8", timeout });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? r.error.message : ""}`.trim() };
}

function hostSkip(): string | false {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "needs root (ip netns add, raw sockets)";
  if (!run(["ip", "-V"]).ok) return "no iproute2 'ip' command";
  if (!run(["cc", "--version"]).ok) return "no C compiler (cc) for the raw-frame bridge";
  return false;
}

function sdkSkip(): string | false {
  if (!process.env.MODDABLE) return "$MODDABLE is not set: no Moddable SDK to build hosts/linux with";
  for (const tool of ["mcconfig", "mcsim", "xvfb-run"]) if (!run(["which", tool]).ok) return `${tool} is not on the PATH`;
  return false;
}

const skip = hostSkip();
let dir = "";
let bridge = "";
let pkiDirectory = "";
let created = false;
const children = new Set<ChildProcess>();

function cleanup(): void {
  for (const child of children) if (child.pid) process.kill(-child.pid, "SIGKILL");
  if (created) {
    created = false;
    // Deleting a namespace destroys its veth end, and with it the peer.
    run(["ip", "netns", "del", NS.charger]);
    run(["ip", "netns", "del", NS.vehicle]);
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

function setUp(): void {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-linux-netns-"));
  bridge = path.join(dir, "raw-bridge");
  const c = run(["cc", "-O2", "-Wall", "-Werror", "-o", bridge, path.join(ROOT, "hosts/linux/raw-bridge.c"), path.join(ROOT, "hosts/linux/linux-net.c")], 60_000);
  assert.ok(c.ok, `compiling the raw bridge: ${c.out}`);
  // The PKI both ends take their certificates, keys and roots from (xs15118 pki init's layout).
  pkiDirectory = path.join(dir, "pki");
  const now = Math.floor(Date.now() / 1000);
  for (const profile of ["iso2", "iso20"] as const) writeTestPki(pkiDirectory, profile, createTestPki({ crypto: nodeCrypto, profile, now }));
  const steps = [
    ["ip", "netns", "add", NS.charger],
    ["ip", "netns", "add", NS.vehicle],
    ["ip", "link", "add", IF.charger, "netns", NS.charger, "type", "veth", "peer", "name", IF.vehicle, "netns", NS.vehicle],
    ["ip", "-n", NS.charger, "link", "set", IF.charger, "up"],
    ["ip", "-n", NS.vehicle, "link", "set", IF.vehicle, "up"],
  ];
  for (const step of steps) {
    const r = run(step);
    if (step[2] === "add" && step[1] === "netns" && r.ok) created = true;
    assert.ok(r.ok, `${step.join(" ")}: ${r.out}`);
  }
  // IPv6 link-local addresses need DAD to finish before SDP and TCP can use them.
  for (const role of ["charger", "vehicle"] as const) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const shown = run(["ip", "-n", NS[role], "-6", "addr", "show", "dev", IF[role]]).out;
      if (/fe80::/.test(shown) && !/tentative/.test(shown)) break;
      assert.ok(Date.now() < deadline, `no link-local address on ${IF[role]}:\n${shown}`);
      spawnSync("sleep", ["0.2"]);
    }
  }
}

interface Bench {
  ok: boolean;
  detail: string;
  role: string;
  protocol?: string;
  messages?: number;
  energyWh?: number;
}

/** Runs a station in its namespace until its "xs15118-bench" line, `until` or the time limit; resolves with its output. */
function station(role: "charger" | "vehicle", program: string[], env: Record<string, string>, limitMs = 90_000, until?: RegExp): Promise<{ bench?: Bench; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("ip", ["netns", "exec", NS[role], "env", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...program], { cwd: ROOT, detached: true });
    children.add(child);
    let output = "";
    let bench: Bench | undefined;
    const end = () => {
      clearTimeout(timer);
      if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    };
    const timer = setTimeout(end, limitMs);
    const take = (chunk: Buffer) => {
      output += chunk;
      const m = /xs15118-bench (\{.*\})/.exec(output);
      if (m && !bench) {
        bench = JSON.parse(m[1]) as Bench;
        end();
      }
      if (until?.test(output)) end();
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", () => {
      children.delete(child);
      clearTimeout(timer);
      resolve({ bench, output });
    });
  });
}

const nodePeer = (role: "charger" | "vehicle", protocol: string, tls = false) =>
  station(role, [process.execPath, "--import", "tsx", "tests/support/linux-peer.ts", bridge, IF[role], role, protocol, "dc", ...(tls ? [pkiDirectory] : [])], {});

/** The Moddable end's "xs15118-tls {json}" lines: what each handshake cost. */
function handshakes(output: string): { role: string; protocol: string; cipherSuite: string; wallMs: number; cpuMs: number; heapPeakBytes?: number; heapBeforeBytes?: number }[] {
  return [...output.matchAll(/xs15118-tls (\{.*\})/g)].map((m) => JSON.parse(m[1]));
}

/** Both ends: the charger first (it must answer SLAC's first CM_SLAC_PARM.REQ), then the vehicle. */
async function session(charger: () => Promise<{ bench?: Bench; output: string }>, vehicle: () => Promise<{ bench?: Bench; output: string }>) {
  const c = charger();
  await new Promise((r) => setTimeout(r, 2500)); // the charger's start (mcsim loads its build)
  const v = await vehicle();
  return { charger: await c, vehicle: v };
}

function assertSession(protocol: string, s: Awaited<ReturnType<typeof session>>): void {
  const { charger, vehicle } = s;
  assert.ok(vehicle.bench, `${protocol}: no end from the vehicle:\n${vehicle.output.slice(-3000)}`);
  assert.ok(charger.bench, `${protocol}: no end from the charger:\n${charger.output.slice(-3000)}`);
  assert.equal(vehicle.bench.ok, true, `${protocol} vehicle: ${vehicle.bench.detail}\n${vehicle.output.slice(-2000)}`);
  assert.equal(charger.bench.ok, true, `${protocol} charger: ${charger.bench.detail}\n${charger.output.slice(-2000)}`);
  assert.match(vehicle.output, /SLAC matched EVSE/, "the vehicle matched over SLAC");
  assert.match(charger.output, /SLAC matched EV/, "the charger matched over SLAC");
  assert.ok((charger.bench.energyWh ?? 0) > 0, "energy flowed");
}

describe("the firmware on a real interface: veth between two namespaces", { skip, timeout: 60 * 60_000 }, () => {
  before(setUp);
  after(cleanup);

  for (const protocol of PROTOCOLS) {
    test(`Node charger ↔ Node vehicle, SLAC + SDP + ${protocol} over the veth`, async () => {
      assertSession(protocol, await session(() => nodePeer("charger", protocol), () => nodePeer("vehicle", protocol)));
    });
  }
  for (const { protocol } of TLS_PROTOCOLS) {
    test(`Node charger ↔ Node vehicle, ${protocol} over TLS`, async () => {
      const s = await session(() => nodePeer("charger", protocol, true), () => nodePeer("vehicle", protocol, true));
      assertSession(protocol, s);
      assert.match(s.vehicle.output, /SDP: charger at .*, security tls/, "SDP offered TLS");
      assert.doesNotMatch(s.charger.output, /TLS handshake refused/);
    });
  }

  describe("the Moddable Linux build (hosts/linux)", { skip: sdkSkip() }, () => {
    const mbedtls = mbedtlsPrefix();
    let so = process.env.XS15118_LINUX_SO ?? "";
    before(() => {
      if (so) return;
      const out = path.join(dir, "lin");
      fs.mkdirSync(out);
      const PATH = `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH}`;
      const r = spawnSync("mcconfig", ["-d", "-m", "-p", "lin", "-o", out, "./hosts/linux/manifest.json"], {
        cwd: ROOT,
        encoding: "utf8",
        // With an mbedTLS build, the native TLS is linked in (hosts/linux/manifest.json reads XS15118_MBEDTLS).
        env: { ...process.env, PATH, MAKEFLAGS: "-- KILL_SIMULATOR= KILL_SERIAL2XSBUG= START_SIMULATOR= START_XSBUG=", ...(mbedtls ? { XS15118_MBEDTLS: mbedtls } : {}) },
        timeout: 50 * 60_000,
      });
      assert.equal(r.status, 0, `mcconfig failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
      // bin/lin/debug/linux/mc.so, or bin/lin/<name>/debug/linux/mc.so where the SDK puts the project's name in.
      const found = (fs.readdirSync(path.join(out, "bin"), { recursive: true }) as string[]).find((f) => path.basename(f) === "mc.so");
      assert.ok(found, "mcconfig made no mc.so");
      so = path.join(out, "bin", found);
    });
    const moddable = (role: "charger" | "vehicle", protocol: string, tls = false, limitMs?: number, until?: RegExp) =>
      station(role, ["xvfb-run", "-a", "stdbuf", "-oL", "mcsim", so], { XS15118_INTERFACE: IF[role], XS15118_ROLE: role, XS15118_PROTOCOL: protocol, XS15118_TRANSFER: "dc", ...(tls ? { XS15118_PKI: pkiDirectory } : {}) }, limitMs, until);

    // The build's answer to XS15118_PKI: its start line names TLS, or it stops with the reason.
    let withPki: { bench?: Bench; output: string } = { output: "" };
    let buildHasTls = false;
    before(async () => {
      withPki = await moddable("charger", "iso2", true, 60_000, /, TLS \(mbedTLS /);
      buildHasTls = /, TLS \(mbedTLS /.test(withPki.output);
      assert.ok(buildHasTls || withPki.bench, `the build neither started on TLS nor stopped:\n${withPki.output.slice(-3000)}`);
    });
    const noTls = "the Moddable build has no TLS (build it with an mbedTLS 3.6 build: XS15118_MBEDTLS, or /opt/mbedtls-3.6/install)";

    test("a build without TLS refuses XS15118_PKI at once, and says how to get TLS", (t) => {
      if (buildHasTls) return t.skip("this build has TLS");
      assert.equal(withPki.bench?.ok, false);
      assert.match(withPki.bench?.detail ?? "", /^start failed: XS15118_PKI asks for TLS, but this build has none: build it with XS15118_MBEDTLS set to an mbedTLS/);
    });

    for (const protocol of PROTOCOLS) {
      test(`Moddable charger ↔ Node vehicle, ${protocol}`, async () => {
        const s = await session(() => moddable("charger", protocol), () => nodePeer("vehicle", protocol));
        assertSession(protocol, s);
        if (!buildHasTls) assert.match(s.charger.output, /plain TCP \(this build has no TLS\)/, "a build without TLS says so");
      });
      test(`Node charger ↔ Moddable vehicle, ${protocol}`, async () => {
        const s = await session(() => nodePeer("charger", protocol), () => moddable("vehicle", protocol));
        assertSession(protocol, s);
        if (!buildHasTls) assert.match(s.vehicle.output, /plain TCP \(this build has no TLS\)/, "a build without TLS says so");
      });
    }

    describe("over TLS on the native mbedTLS (hosts/native-tls)", { skip: so || mbedtls ? false : noTls }, () => {
      const figures: string[] = [];
      after(() => {
        if (figures.length > 0) console.log(`TLS handshakes of the Moddable build (mbedTLS):\n${figures.join("\n")}`);
      });
      const check = (label: string, version: string, s: Awaited<ReturnType<typeof session>>, moddableOutput: string) => {
        assert.match(s.vehicle.output, /SDP: charger at .*, security tls/, `${label}: SDP offered TLS`);
        const seen = handshakes(moddableOutput);
        assert.ok(seen.length > 0, `${label}: no handshake line from the Moddable end:\n${moddableOutput.slice(-3000)}`);
        assert.equal(seen[0].protocol, version, `${label}: the version negotiated`);
        for (const h of seen) figures.push(`  ${label}: ${JSON.stringify(h)}`);
      };
      for (const { protocol, version } of TLS_PROTOCOLS) {
        test(`Moddable charger ↔ Node vehicle, ${protocol} over ${version}`, async (t) => {
          if (!buildHasTls) return t.skip(noTls);
          const s = await session(() => moddable("charger", protocol, true), () => nodePeer("vehicle", protocol, true));
          assertSession(protocol, s);
          check(`Moddable charger, ${protocol}`, version, s, s.charger.output);
        });
        test(`Node charger ↔ Moddable vehicle, ${protocol} over ${version}`, async (t) => {
          if (!buildHasTls) return t.skip(noTls);
          const s = await session(() => nodePeer("charger", protocol, true), () => moddable("vehicle", protocol, true));
          assertSession(protocol, s);
          check(`Moddable vehicle, ${protocol}`, version, s, s.vehicle.output);
        });
      }
    });
  });
});
