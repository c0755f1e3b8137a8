// What the simulator records beside the frames of a capture, so that a capture alone shows the
// whole session (`xs15118 view FILE.pcapng`): a pcapng has no pilot, no SLAC verdict and no
// power status. Each live-trace event becomes one systemd journal entry (pcapng Systemd Journal
// Export Block, simulation/pcap/write.ts addJournalEntry), which Wireshark lists between the
// frames; the session's summary, plot title and power limit close the recording.

import type { JournalEntry } from "../../../simulation/pcap/read";
import type { SimulationSummary, TraceEvent, TraceSource } from "../../../simulation/session/simulation";

/** The journal fields of this project (MESSAGE is the trace line's text). */
export const JOURNAL = Object.freeze({
  identifier: "xs15118",
  source: "XS15118_SOURCE",
  /** Simulated (or session) time of the event, ms since the start: the capture's origin follows. */
  time: "XS15118_TIME_MS",
  values: "XS15118_VALUES",
  summary: "XS15118_SUMMARY",
  title: "XS15118_TITLE",
  limit: "XS15118_LIMIT",
});

/** Sources of the closing entries (not trace sources). */
export type ClosingSource = "summary" | "limit";

/**
 * Requests the charger logs on every charging loop: the frames carry them, a journal entry for
 * each would only repeat them (the loop runs every 100–500 ms).
 */
const LOOP_REQUESTS = ["CurrentDemandReq", "ChargingStatusReq", "DC_ChargeLoopReq", "AC_ChargeLoopReq", "WPT_ChargeLoopReq", "MeteringReceiptReq"];

/** Whether a trace event goes into the capture: everything but per-message echoes. */
export function journalled(e: TraceEvent): boolean {
  if (e.source === "evcc" && e.message !== undefined) return false; // the vehicle's echo of each message
  if (e.source === "secc" && LOOP_REQUESTS.some((name) => e.text.indexOf(name) >= 0)) return false;
  return true;
}

/** A trace event as journal fields. */
export function traceFields(e: TraceEvent): Record<string, string> {
  const fields: Record<string, string> = {
    SYSLOG_IDENTIFIER: JOURNAL.identifier,
    MESSAGE: `${e.source}: ${e.text}`,
    [JOURNAL.source]: e.source,
    [JOURNAL.time]: String(e.time),
  };
  if (e.values !== undefined) fields[JOURNAL.values] = JSON.stringify(e.values);
  return fields;
}

/** The closing entry: the summary and the plot's title. */
export function summaryFields(summary: SimulationSummary, title: string, timeMs: number): Record<string, string> {
  return {
    SYSLOG_IDENTIFIER: JOURNAL.identifier,
    MESSAGE: `session ${summary.ok ? "ended normally" : "FAILED"}: ${summary.outcome}`,
    [JOURNAL.source]: "summary",
    [JOURNAL.time]: String(timeMs),
    [JOURNAL.summary]: JSON.stringify(summary),
    [JOURNAL.title]: title,
  };
}

/** The power limit the session ran under (the schedule's PMax steps, s from SessionSetup, W). */
export function limitFields(steps: readonly { start: number; power: number }[], timeMs: number): Record<string, string> {
  return {
    SYSLOG_IDENTIFIER: JOURNAL.identifier,
    MESSAGE: `power limit ${steps.map((s) => `${(s.power / 1000).toFixed(1)} kW from ${s.start} s`).join(", ")}`,
    [JOURNAL.source]: "limit",
    [JOURNAL.time]: String(timeMs),
    [JOURNAL.limit]: JSON.stringify(steps),
  };
}

/** One decoded journal entry of this project; undefined for foreign entries. */
export type RecordedEvent =
  | { kind: "trace"; event: TraceEvent }
  | { kind: "summary"; time: number; summary: SimulationSummary; title: string }
  | { kind: "limit"; time: number; steps: { start: number; power: number }[] };

const TRACE_SOURCES: readonly string[] = ["sim", "pilot", "slac", "sdp", "evcc", "secc", "power"];

/** A journal entry back into the event it recorded (entries of other programs: undefined). */
export function readJournalEvent(entry: JournalEntry): RecordedEvent | undefined {
  const f = entry.fields;
  if (f.SYSLOG_IDENTIFIER !== JOURNAL.identifier) return undefined;
  const time = Number(f[JOURNAL.time]);
  if (!Number.isFinite(time)) return undefined;
  const source = f[JOURNAL.source];
  try {
    if (source === "summary") return { kind: "summary", time, summary: JSON.parse(f[JOURNAL.summary]) as SimulationSummary, title: f[JOURNAL.title] ?? "" };
    if (source === "limit") return { kind: "limit", time, steps: JSON.parse(f[JOURNAL.limit]) as { start: number; power: number }[] };
    if (TRACE_SOURCES.indexOf(source) < 0) return undefined;
    const prefix = `${source}: `;
    const message = f.MESSAGE ?? "";
    const event: TraceEvent = { time, source: source as TraceSource, text: message.startsWith(prefix) ? message.slice(prefix.length) : message };
    if (f[JOURNAL.values] !== undefined) event.values = JSON.parse(f[JOURNAL.values]) as TraceEvent["values"];
    return { kind: "trace", event };
  } catch {
    return undefined; // a damaged entry: the rest of the capture still shows
  }
}
