// `xs15118 sim --ocpp`: the simulated session with its charger reporting to the test CSMS over
// OCPP 2.0.1 on loopback. The simulation's clock is virtual, the OCPP link is real: virtual time
// moves in small steps and the sockets get a turn between steps, so the operator's answers
// (Authorize, profiles) arrive within a few hundred simulated milliseconds.

import { setImmediate as turn } from "node:timers/promises";
import type { Clock, Logger, Millis, TimerHandle } from "../../../modules/common/index";
import { startSimulation } from "../../../simulation/session/simulation";
import type { RunningSimulation, SimulationOptions, SimulationSummary } from "../../../simulation/session/simulation";
import { ocppBridge } from "./station";
import { TestCsms } from "./test-csms";
import type { TlsActivity } from "../crypto/tls";

const STATION_ID = "XS15118-SIM";
/** Simulated ms per step between socket turns. */
const STEP = 100;

export interface OperatorReport {
  /** Messages the charger sent, by method. */
  received: Record<string, number>;
  /** Messages the CSMS sent (profiles, variables), by method. */
  sent: Record<string, number>;
  /** Schema failures seen by the CSMS (each a message that did not validate). */
  invalid: string[];
  /** The composite schedule the charger took from the CSMS's profiles (start s, power W). */
  schedule?: { start: number; power: number }[];
}

/**
 * Runs the simulation with an in-process CSMS on 127.0.0.1 (any free port). With `stepDown`, the
 * CSMS sends a TxProfile when the transaction starts: the charger's full power, then `fraction`
 * of it from `after` s on.
 */
export async function simulateWithCsms(
  options: SimulationOptions,
  logger: Logger | undefined,
  stepDown?: { after: number; fraction: number },
  activity?: TlsActivity,
): Promise<{ summary: SimulationSummary; report: OperatorReport }> {
  let sim: RunningSimulation | undefined;
  const csms = new TestCsms({
    profileAtStart: (transactionId) => {
      const config = sim?.charger?.config;
      if (stepDown === undefined || config === undefined) return undefined;
      const full = config.dc !== undefined && sim!.charger!.dc !== undefined ? config.dc.maxPower : config.ac!.nominalVoltage * config.ac!.maxCurrent * config.ac!.phases;
      const periods = [{ startPeriod: 0, limit: full }, { startPeriod: stepDown.after, limit: Math.round(full * stepDown.fraction) }];
      return {
        id: 1,
        stackLevel: 0,
        chargingProfilePurpose: "TxProfile",
        chargingProfileKind: "Relative",
        transactionId,
        chargingSchedule: [{ id: 1, chargingRateUnit: "W", chargingSchedulePeriod: periods }],
      };
    },
  });
  const base = await csms.listen(0, "127.0.0.1");
  const epoch = options.epochMs ?? Date.now();
  // The bridge is built before the simulation that owns the clock: timers it sets before (the
  // Heartbeat after BootNotification) wait here and go to the simulation's clock once it runs.
  const early: { callback: () => void; delay: Millis; cancelled: boolean }[] = [];
  const clock: Clock = {
    now: () => (sim?.time ?? 0) as Millis,
    set: (callback: () => void, delay: Millis): TimerHandle => {
      if (sim !== undefined) return sim.clock.set(callback, delay);
      const timer = { callback, delay, cancelled: false };
      early.push(timer);
      return timer as unknown as TimerHandle;
    },
    clear: (handle: TimerHandle | undefined) => {
      const timer = early.find((t) => (t as unknown) === handle);
      if (timer !== undefined) timer.cancelled = true;
      else sim?.clock.clear(handle);
    },
  };
  // The charger exists from plug-in on; the bridge reads it only during a transaction.
  const bridge = ocppBridge(`${base}/${STATION_ID}`, clock, logger, () => sim!.charger!, { unixMs: () => epoch + (sim?.time ?? 0) });
  try {
    await bridge.connect();
    sim = startSimulation({ ...options, backend: bridge });
    for (const t of early) sim.clock.set(() => void (t.cancelled ? undefined : t.callback()), t.delay);
    while (!sim.done) {
      if (activity === undefined) sim.advance(STEP);
      else {
        // --tls: 1 ms steps, node:tls settling whenever bytes moved (hosts/sim/crypto/sim-tls.ts).
        for (let t = 0; t < STEP && !sim.done; t++) {
          sim.advance(1);
          if (activity.touched) await activity.settle();
        }
      }
      await turn();
    }
    await bridge.settled();
  } finally {
    await bridge.close().catch(() => undefined);
    await csms.close();
  }
  const count = (direction: "rx" | "tx"): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of csms.records) if (r.direction === direction && !r.method.endsWith("Response")) out[r.method] = (out[r.method] ?? 0) + 1;
    return out;
  };
  return {
    summary: sim.summary!,
    report: { received: count("rx"), sent: count("tx"), invalid: csms.validationFailures.map((f) => `${f.method ?? "?"}: ${f.message}`), ...(bridge.schedule ? { schedule: [...bridge.schedule] } : {}) },
  };
}

/** Summary lines: what the CSMS received and sent, whether all of it validated, the schedule taken. */
export function formatOperatorReport(r: OperatorReport): string[] {
  const list = (m: Record<string, number>): string => Object.entries(m).map(([k, n]) => `${k} ${n}`).join(", ") || "none";
  const lines = [`  OCPP 2.0.1     charger → CSMS: ${list(r.received)}`, `                 CSMS → charger: ${list(r.sent)}`];
  lines.push(r.invalid.length === 0 ? "                 every message valid against the OCPP 2.0.1 schemas" : `                 ${r.invalid.length} INVALID: ${r.invalid.join("; ")}`);
  if (r.schedule) lines.push(`                 schedule from the CSMS: ${r.schedule.map((s) => `${s.power} W from ${s.start} s`).join(", ")}`);
  return lines;
}
