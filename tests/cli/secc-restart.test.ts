// @node-only @slow — nothing lost when the charger process dies: `xs15118 secc --state DIR` keeps its
// paused sessions and its energy ledger in DIR. A vehicle (this process, the station's EVCC on
// Node's sockets) charges over loopback and pauses (ISO 15118-2 SessionStopReq
// ChargingSession=Pause; ISO 15118-20 SessionStopReq Pause); the charger process is killed
// (SIGKILL: no orderly stop, nothing written at exit) and started again on the same DIR; the
// vehicle comes back with its SessionID (ISO 15118-2 §8.4.3.2.2 / -20 §8.3.5.3.3: the charger
// answers OK_OldSessionJoined) and charges on, and the session's energy goes on from the count
// it had before the restart. Power cuts during the record writes: tests/station/persistence.test.ts.
import { describe, test } from "node:test";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NodeTcpSocket, NodeUdpSocket } from "../../hosts/sim/net/index";
import { NodeClock } from "../../hosts/sim/node-clock";
import { VehicleStation } from "../../simulation/station/vehicle-station";
import type { VehicleOutcome } from "../../simulation/station/vehicle-station";
import type { EvccTraceEntry } from "../../modules/statemachine/evcc/types";

const BIN = fileURLToPath(new URL("../../bin/xs15118.js", import.meta.url));

interface Charger {
  process: ChildProcess;
  ready: Record<string, unknown>;
  /** The JSON session lines so far. */
  sessions: Record<string, unknown>[];
  stderr: string[];
}

/** Starts `xs15118 secc` on loopback with --state DIR; resolves at its ready line. */
async function startCharger(t: TestContext, state: string, protocol: "iso2" | "iso20"): Promise<Charger> {
  const args = [BIN, "secc", "--no-sdp", "--protocols", protocol, "--transfer", "dc", "--fast", "--json", "--quiet", "--state", state];
  if (protocol === "iso20") args.push("--insecure-iso20-plain-tcp");
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => child.kill("SIGKILL"));
  const charger: Charger = { process: child, ready: {}, sessions: [], stderr: [] };
  let pending = "";
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        const json = JSON.parse(line) as Record<string, unknown>;
        if (json.event === "ready") {
          charger.ready = json;
          resolve();
        } else if (json.event === "session") charger.sessions.push(json);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => charger.stderr.push(chunk.toString()));
    child.once("exit", (code) => reject(new Error(`secc exited with ${code} before it was ready: ${charger.stderr.join("")}`)));
  });
  await ready;
  return charger;
}

/** SIGKILL, as a crash or a power cut would end it: no orderly stop, nothing flushed at exit. */
async function kill(charger: Charger): Promise<void> {
  const gone = new Promise((resolve) => charger.process.once("exit", resolve));
  charger.process.kill("SIGKILL");
  await gone;
}

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * One vehicle session against the charger at [::1]:port; `pauseAfterLoops`: pause after that
 * many charge-loop requests (else charge to the target and stop). Returns the outcome and the trace.
 */
async function drive(port: number, protocol: "iso2" | "iso20", options: { pauseAfterLoops?: number; resume?: Uint8Array }): Promise<{ outcome: VehicleOutcome; trace: EvccTraceEntry[] }> {
  const clock = new NodeClock();
  const trace: EvccTraceEntry[] = [];
  let loops = 0;
  let finish!: (outcome: VehicleOutcome) => void;
  const ended = new Promise<VehicleOutcome>((resolve) => (finish = resolve));
  const station: VehicleStation = new VehicleStation({
    clock,
    io: { Udp: NodeUdpSocket, Tcp: NodeTcpSocket },
    secc: { address: "::1", port },
    protocols: [protocol],
    transfer: "dc",
    insecureIso20WithoutTls: protocol === "iso20",
    evccId: Uint8Array.of(0x02, 0x15, 0x11, 0x8e, 0x00, 0x16),
    // 40 kWh from 20 %: the charge loop runs as long as the test lets it; the resumed session
    // stops at 20.1 % (40 Wh more).
    battery: { capacityKWh: 40, soc: 20 },
    targetSoc: options.pauseAfterLoops === undefined ? 20.1 : 90,
    session: { ...(protocol === "iso20" ? { iso20: { transfer: "dc", controlMode: "scheduled" } } : {}), ...(options.resume !== undefined ? { resumeSessionId: options.resume } : {}) },
    onTrace: (entry) => {
      trace.push(entry);
      if (entry.direction === "tx" && /ChargeLoopReq$|^CurrentDemandReq$/.test(entry.name) && ++loops === options.pauseAfterLoops) station.connection?.pause();
    },
    onEnd: (outcome) => finish(outcome),
  });
  try {
    station.start();
    return { outcome: await ended, trace };
  } finally {
    station.close();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the FIN goes out
    clock.cancelAll();
  }
}

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-state-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("xs15118 secc --state DIR: a paused session and its energy survive a restart of the charger process", () => {
  for (const protocol of ["iso2", "iso20"] as const) {
    test(`${protocol}: pause, SIGKILL, restart on the same DIR, the vehicle resumes with its SessionID and the energy count goes on`, { timeout: 60_000 }, async (t) => {
      const state = tempDir(t);
      const first = await startCharger(t, state, protocol);
      assert.equal(first.ready.state, state);
      assert.equal(first.ready.pausedSessions, 0, "a fresh DIR: nothing to restore");
      assert.equal(first.ready.totalEnergyWh, 0);

      const paused = await drive(first.ready.port as number, protocol, { pauseAfterLoops: 10 });
      assert.equal(paused.outcome.paused, true, `the vehicle paused: ${JSON.stringify(paused.outcome)}`);
      const sessionId = paused.outcome.sessionId!;
      await until("the charger's session line", () => first.sessions.length === 1);
      const before = first.sessions[0];
      assert.equal(before.reason, "ev-pause");
      const chargedBefore = before.energyWh as number;
      assert.ok(chargedBefore > 0, `energy metered before the pause: ${JSON.stringify(before)}`);
      assert.equal(before.sessionEnergyWh, chargedBefore);
      assert.equal(before.totalEnergyWh, chargedBefore);

      await kill(first);
      const second = await startCharger(t, state, protocol);
      assert.equal(second.ready.pausedSessions, 1, "the paused session came back from DIR");
      assert.equal(second.ready.totalEnergyWh, chargedBefore, "the register came back from DIR");
      assert.equal(second.ready.sessionEnergyWh, chargedBefore, "and the paused session's count");

      const resumed = await drive(second.ready.port as number, protocol, { resume: sessionId });
      assert.equal(resumed.outcome.ok, true, `the resumed session ended normally: ${JSON.stringify(resumed.outcome)}`);
      const setup = resumed.trace.find((e) => e.direction === "rx" && e.name === "SessionSetupRes");
      assert.equal(setup?.values.code, "OK_OldSessionJoined", `SessionSetupRes: ${JSON.stringify(setup?.values)}`);
      assert.deepEqual(resumed.outcome.sessionId, sessionId, "the same SessionID");
      await until("the charger's session line", () => second.sessions.length === 1);
      const after = second.sessions[0];
      assert.equal(after.reason, "ev-terminate");
      const chargedAfter = after.energyWh as number;
      assert.ok(chargedAfter > 0, `energy metered after the resume: ${JSON.stringify(after)}`);
      // The ledger's session count: what it had stored plus what this run metered (each rounded to 0.01 Wh).
      assert.ok(Math.abs((after.sessionEnergyWh as number) - (chargedBefore + chargedAfter)) <= 0.02, `session energy ${after.sessionEnergyWh} Wh = ${chargedBefore} + ${chargedAfter}`);
      assert.ok(Math.abs((after.totalEnergyWh as number) - (chargedBefore + chargedAfter)) <= 0.02, `register ${after.totalEnergyWh} Wh`);

      // The resumed session left the store: a third start has nothing paused, the register stays.
      await kill(second);
      const third = await startCharger(t, state, protocol);
      assert.equal(third.ready.pausedSessions, 0);
      assert.equal(third.ready.totalEnergyWh, after.totalEnergyWh);
      await kill(third);
    });
  }
});
