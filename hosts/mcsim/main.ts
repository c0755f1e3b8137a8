// The complete simulated charging session inside the Moddable runtime (mcsim, the desktop
// simulator): what `npm start` runs on Node — charger and vehicle, pilot, SLAC over the
// simulated powerline, SDP, TCP on the simulated IPv6 link, SAP, DIN / ISO-2 — with the same
// live trace and summary, printed with trace() (mcsim's stdout on Linux).
//
// The session's clock is virtual (ManualClock, as on Node), but what moves it is the runtime's
// own timer: every tick of a Timer.repeat advances it by STEP_MS, so the stack runs on XS's
// event loop exactly as on a board, only faster than real time. Options come from the
// manifest's config (mcconfig … protocol=din transfer=dc startSoc=40; protocol=iso20 bpt=1
// mode=dynamic for ISO 15118-20).
//
// After every tick the runtime collects garbage and the live heap is read (XS slots and chunk
// bytes right after the collection): the session's live high-water mark, printed as one line
// "xs15118-heap {json}" before the summary (hosts/esp32/README.md, memory). The ticks are 100 ms
// of session each (step=… in ms changes it), so the samples fall inside the charging loop's
// cycles too.
//
// The end is signalled by one machine-readable line, "xs15118-summary {json}", after the
// human summary: a test (or a script) reads it and then ends mcsim.

import Timer from "timer";
import config from "mc/config";
import Debug from "debug";
import Instrumentation from "instrumentation";
import type { SimulationOptions } from "../../simulation/session/simulation";

/** The runtime tick; STEP_MS below is the session time each tick moves on (default 100 ms). */
const TICK_MS = 10;

function numberSetting(name: string, fallback: number): number {
  const value = Number(config[name]);
  return config[name] === undefined || value !== value ? fallback : value;
}

const STEP_MS = numberSetting("step", 100);
const options: SimulationOptions = {
  protocol: config.protocol === "din" ? "din" : config.protocol === "iso20" ? "iso20" : "iso2",
  bpt: config.bpt === 1 || config.bpt === "1",
  mode: config.mode === "dynamic" ? "dynamic" : "scheduled",
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

/** Live heap after a collection: slots (the count is the same on every XS build) and chunk bytes. */
const SLOT_HEAP = Instrumentation.map("XS Slot Heap Used");
const CHUNK_HEAP = Instrumentation.map("XS Chunk Heap Used");
const SLOT_BYTES = 32; // sizeof(txSlot) on the 64-bit desktop build (16 on ESP32)
const heap = { slotsLive: 0, chunksLive: 0, slotsAtStart: 0, chunksAtStart: 0, samples: 0 };
function sampleHeap(): void {
  Debug.gc();
  const slots = (Instrumentation.get(SLOT_HEAP) ?? 0) / SLOT_BYTES;
  const chunks = Instrumentation.get(CHUNK_HEAP) ?? 0;
  if (heap.samples++ === 0) {
    heap.slotsAtStart = slots;
    heap.chunksAtStart = chunks;
  }
  if (slots > heap.slotsLive) heap.slotsLive = slots;
  if (chunks > heap.chunksLive) heap.chunksLive = chunks;
}

let ticks = 0;
Promise.all([import("../../simulation/session/simulation"), import("../../simulation/report")]).then(([{ startSimulation }, { formatSummary, formatTrace }]) => {
  const simulation = startSimulation({ ...options, onTrace: (event) => trace(`${formatTrace(event)}\n`) });
  sampleHeap();
  Timer.repeat((timer) => {
    try {
      ticks++;
      simulation.advance(STEP_MS);
      sampleHeap();
      const summary = simulation.summary;
      if (!summary) return;
      Timer.clear(timer);
      trace(`xs15118-heap ${JSON.stringify(heap)}\n`);
      for (const line of formatSummary(summary, undefined)) trace(`${line}\n`);
      trace(`  runtime ticks   ${ticks} × ${TICK_MS} ms timer\n`);
      trace(`xs15118-summary ${JSON.stringify(summary)}\n`);
    } catch (error) {
      Timer.clear(timer);
      fail(error);
    }
  }, TICK_MS);
}, fail);
