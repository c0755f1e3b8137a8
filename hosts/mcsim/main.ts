// The complete simulated charging session inside the Moddable runtime (mcsim, the desktop
// simulator): what `npm start` runs on Node — charger and vehicle, pilot, SLAC over the
// simulated powerline, SDP, TCP on the simulated IPv6 link, SAP, DIN / ISO-2 — with the same
// live trace and summary, printed with trace() (mcsim's stdout on Linux).
//
// The session's clock is virtual (ManualClock, as on Node), but what moves it is the runtime's
// own timer: every tick of a Timer.repeat advances it by STEP_MS, so the stack runs on XS's
// event loop exactly as on a board, only faster than real time. Options come from the
// manifest's config (mcconfig … protocol=din transfer=dc startSoc=40).
//
// The end is signalled by one machine-readable line, "xs15118-summary {json}", after the
// human summary: a test (or a script) reads it and then ends mcsim.

import Timer from "timer";
import config from "mc/config";
import type { SimulationOptions } from "../../simulation/session/simulation";

/** Simulated ms per runtime tick, and the tick: 1 s of session per 10 ms keeps mcsim's
 *  once-a-second `instruments:` samples spread over the session (a 5-minute session: ~3 s). */
const STEP_MS = 1000;
const TICK_MS = 10;

function numberSetting(name: string, fallback: number): number {
  const value = Number(config[name]);
  return config[name] === undefined || value !== value ? fallback : value;
}

const options: SimulationOptions = {
  protocol: config.protocol === "din" ? "din" : "iso2",
  transfer: config.transfer === "ac" ? "ac" : "dc",
  startSoc: numberSetting("startSoc", 60),
  targetSoc: numberSetting("targetSoc", 80),
  capacityKWh: numberSetting("capacity", 20),
  seed: numberSetting("seed", 15118),
};

/** A failure inside the session: its message and stack on stdout, then the end marker, so a
 *  reader never waits for a summary that cannot come. */
function fail(error: unknown): void {
  const e = error as { message?: string; stack?: string };
  trace(`error: ${e?.message ?? String(error)}\n${e?.stack ?? ""}\n`);
  trace(`xs15118-summary ${JSON.stringify({ ok: false, outcome: "exception", detail: e?.message ?? String(error) })}\n`);
}

let ticks = 0;
Promise.all([import("../../simulation/session/simulation"), import("../../simulation/report")]).then(([{ startSimulation }, { formatSummary, formatTrace }]) => {
  const simulation = startSimulation({ ...options, onTrace: (event) => trace(`${formatTrace(event)}\n`) });
  Timer.repeat((timer) => {
    try {
      ticks++;
      simulation.advance(STEP_MS);
      const summary = simulation.summary;
      if (!summary) return;
      Timer.clear(timer);
      for (const line of formatSummary(summary, undefined)) trace(`${line}\n`);
      trace(`  runtime ticks   ${ticks} × ${TICK_MS} ms timer\n`);
      trace(`xs15118-summary ${JSON.stringify(summary)}\n`);
    } catch (error) {
      Timer.clear(timer);
      fail(error);
    }
  }, TICK_MS);
}, fail);
