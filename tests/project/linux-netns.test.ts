// @node-only @slow — the firmware on a real Linux network interface (hosts/linux): two network
// namespaces joined by a veth pair, a charger in one and a vehicle in the other, each running
// SLAC on raw 0x88E1 frames, SDP on ff02::1 and V2GTP over TCP on link-local addresses, for DIN,
// ISO 15118-2 and ISO 15118-20 (plain TCP: -20 with the test-bench permission; no TLS yet).
// Nothing on a veth answers CM_SET_KEY or measures attenuation: each end runs the project's
// simulated modem behind its raw frames (hosts/linux/wire-modem.ts), and its pilot line is
// simulated in-process (the far end stands in for the other station).
//  - Always (root, iproute2, a C compiler): our Node charger against our Node vehicle
//    (tests/support/linux-peer.ts; Node reaches raw frames through hosts/linux/raw-bridge.c).
//  - With $MODDABLE: hosts/linux built once (mcconfig -d -m -p lin), then the Moddable charger
//    against the Node vehicle and the Node charger against the Moddable vehicle. A prebuilt
//    mc.so can be given in $XS15118_LINUX_SO (the build takes minutes on two cores).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ID = `${(process.pid % 46656).toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
const NS = { charger: `xs15118-${ID}-c`, vehicle: `xs15118-${ID}-v` };
const IF = { charger: `xs${ID}c`, vehicle: `xs${ID}v` };
const PROTOCOLS = ["din", "iso2", "iso20"] as const;

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

/** Runs a station in its namespace until its "xs15118-bench" line (or the time limit); resolves with it. */
function station(role: "charger" | "vehicle", program: string[], env: Record<string, string>, limitMs = 90_000): Promise<{ bench?: Bench; output: string }> {
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

const nodePeer = (role: "charger" | "vehicle", protocol: string) => station(role, [process.execPath, "--import", "tsx", "tests/support/linux-peer.ts", bridge, IF[role], role, protocol, "dc"], {});

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

  describe("the Moddable Linux build (hosts/linux)", { skip: sdkSkip() }, () => {
    let so = process.env.XS15118_LINUX_SO ?? "";
    before(() => {
      if (so) return;
      const out = path.join(dir, "lin");
      fs.mkdirSync(out);
      const PATH = `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH}`;
      const r = spawnSync("mcconfig", ["-d", "-m", "-p", "lin", "-o", out, "./hosts/linux/manifest.json"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, PATH, MAKEFLAGS: "-- KILL_SIMULATOR= KILL_SERIAL2XSBUG= START_SIMULATOR= START_XSBUG=" },
        timeout: 50 * 60_000,
      });
      assert.equal(r.status, 0, `mcconfig failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
      so = path.join(out, "bin/lin/debug/linux/mc.so");
      if (!fs.existsSync(so)) so = fs.readdirSync(path.join(out, "bin/lin/debug")).map((d) => path.join(out, "bin/lin/debug", d, "mc.so")).find((f) => fs.existsSync(f)) ?? so;
    });
    const moddable = (role: "charger" | "vehicle", protocol: string) =>
      station(role, ["xvfb-run", "-a", "stdbuf", "-oL", "mcsim", so], { XS15118_INTERFACE: IF[role], XS15118_ROLE: role, XS15118_PROTOCOL: protocol, XS15118_TRANSFER: "dc" });

    for (const protocol of PROTOCOLS) {
      test(`Moddable charger ↔ Node vehicle, ${protocol}`, async () => {
        assertSession(protocol, await session(() => moddable("charger", protocol), () => nodePeer("vehicle", protocol)));
      });
      test(`Node charger ↔ Moddable vehicle, ${protocol}`, async () => {
        assertSession(protocol, await session(() => nodePeer("charger", protocol), () => moddable("vehicle", protocol)));
      });
    }
  });
});
