// What the session view shows, built from a capture (frames + the simulator's journal entries):
// the pilot/SLAC timeline, the message sequence of both sides with each message's decoded
// content, the power samples, the power limit and the summary. The same model feeds the page
// (hosts/sim/web/page), `view --plot` (the SVG of `sim --plot`) and the tests.

import type { Capture, CaptureFrame, JournalEntry } from "../../../simulation/pcap/read";
import { linkView } from "../../../simulation/pcap/read";
import type { SimulationSummary, TraceEvent } from "../../../simulation/session/simulation";
import { dissectCapture } from "../pcap/dissect";
import { tlsDecryptor } from "../pcap/tls";
import { toJson } from "../exi-json";
import { SessionPlotRecorder } from "../plot/recorder";
import type { SessionPlot } from "../plot/session-svg";
import { readJournalEvent } from "./journal";

export interface TimelineEntry {
  /** Seconds since the origin. */
  t: number;
  source: string;
  text: string;
}

export interface ChartMessage {
  /** Index in the list (stable while a live view grows). */
  n: number;
  t: number;
  frame: number;
  dir: "EV→EVSE" | "EVSE→EV";
  layer: string;
  type: string;
  schema?: string;
  /** Decoded content (binary as hex, bigint as decimal strings: hosts/sim/exi-json.ts). */
  content: unknown;
  error?: string;
}

export interface Sample {
  t: number;
  voltage: number;
  current: number;
  /** kW, negative while discharging. */
  power: number;
  soc: number | null;
}

export interface SessionView {
  title: string;
  /** Epoch ms of t = 0 (the plug-in for a simulated session, the first frame otherwise). */
  origin: number;
  /** "simulation": the journal of xs15118 was found; "capture": frames only (a foreign capture). */
  kind: "simulation" | "capture";
  timeline: TimelineEntry[];
  messages: ChartMessage[];
  samples: Sample[];
  /** Power limit steps (kW from t s). */
  limit: { t: number; kw: number }[];
  /** Moments marked on the plots (SessionSetup, ChargeParameterDiscovery, PowerDelivery…). */
  marks: { t: number; label: string }[];
  summary: Record<string, unknown>;
  notes: string[];
  /** The session is over (a file, or a live session that ended). */
  done: boolean;
}

/** A capture being recorded (live views): frames and journal entries as they happen. */
export class LiveCapture implements Capture {
  readonly format = "pcapng" as const;
  readonly interfaces = [{ linkType: 1, snapLength: 0, unitsPerSecond: 1e6, name: "plc0" }];
  readonly frames: CaptureFrame[] = [];
  readonly warnings: string[] = [];
  journal: JournalEntry[] = [];
  tlsKeyLog?: string;

  addFrame(timeMs: number, data: Uint8Array): void {
    const frame: CaptureFrame = { number: this.frames.length + 1, time: timeMs, interfaceId: 0, linkType: 1, originalLength: data.length, data };
    const eth = linkView(1, data);
    if (eth !== undefined) frame.eth = eth;
    this.frames.push(frame);
  }

  addJournalEntry(timeMs: number, fields: Readonly<Record<string, string>>): void {
    this.journal.push({ time: timeMs, fields: { ...fields } });
  }
}

/** Values of a decoded message worth plotting, found wherever the protocol puts them. */
const VOLTAGE_KEYS = ["EVSEPresentVoltage"];
const CURRENT_KEYS = ["EVSEPresentCurrent"];
const SOC_KEYS = ["EVRESSSOC", "PresentSOC"];
/** The charger's power limit as its responses state it (DIN/ISO-2 DC, ISO 15118-20 DC). */
const LIMIT_KEYS = ["EVSEMaximumPowerLimit", "EVSEMaximumChargePower"];

/** Builds the view of a capture. `done`: no more frames will come. */
export function buildSessionView(capture: Capture, options: { done: boolean; name?: string }): SessionView {
  const notes = capture.warnings.slice();
  const recorded = (capture.journal ?? []).map(readJournalEvent);
  const traces: TraceEvent[] = [];
  let summary: SimulationSummary | undefined;
  let title: string | undefined;
  let steps: { start: number; power: number }[] | undefined;
  let origin: number | undefined;
  (capture.journal ?? []).forEach((entry, i) => {
    const r = recorded[i];
    if (r === undefined) return;
    const time = r.kind === "trace" ? r.event.time : r.time;
    origin ??= entry.time - time;
    if (r.kind === "trace") traces.push(r.event);
    else if (r.kind === "summary") ({ summary, title } = r);
    else steps = r.steps;
  });
  const simulated = origin !== undefined;
  origin ??= capture.frames.length > 0 ? capture.frames[0].time : 0;
  const since = (epochMs: number): number => round3((epochMs - origin!) / 1000);

  const dissected = dissectCapture(capture, { tls: tlsDecryptor() });
  const timeline: TimelineEntry[] = [];
  const messages: ChartMessage[] = [];
  for (const m of dissected.messages) {
    if (m.layer === "slac") {
      // SLAC has no sides of a session to chart: its messages are the timeline's (only for a capture
      // without the simulator's own SLAC lines, which say the same in fewer words).
      if (!simulated) timeline.push({ t: since(m.time), source: "slac", text: `${m.type} ${m.src} → ${m.dst}` });
      continue;
    }
    if (m.dir === undefined && m.layer !== "sdp") continue;
    const dir = m.dir ?? (m.type.indexOf("Res") >= 0 ? "EVSE→EV" : "EV→EVSE");
    const message: ChartMessage = { n: messages.length, t: since(m.time), frame: m.frame, dir, layer: m.layer, type: m.type, content: toJson(m.fields) };
    if (m.schema !== undefined) message.schema = m.schema;
    if (m.error !== undefined) message.error = m.error;
    messages.push(message);
  }
  for (const s of dissected.sessions) for (const note of s.notes) notes.push(`TCP session ${s.index}: ${note}`);

  const recorder = new SessionPlotRecorder();
  for (const e of traces) {
    recorder.onTrace(e);
    if (e.source !== "power") timeline.push({ t: round3(e.time / 1000), source: e.source, text: e.text });
  }
  timeline.sort((a, b) => a.t - b.t);
  let samples: Sample[];
  if (recorder.samples.length > 0) {
    const powers = traces.filter((e) => e.source === "power" && e.values?.voltage !== undefined && e.values.current !== undefined && e.values.soc !== undefined);
    samples = recorder.samples.map((s, i) => ({ t: s.t, voltage: s.voltage, current: s.current, power: round3((powers[i]?.values?.power ?? s.voltage * s.current) / 1000), soc: s.soc }));
  } else samples = samplesFromMessages(messages);
  const plot = recorder.plot(title ?? "", steps);
  const marks = recorder.events.length > 0 ? recorder.events : marksFromMessages(messages);
  if (!simulated) notes.push("a capture without the simulator's journal: no pilot, no power status; voltage, current and SoC come from the messages");
  const sessions = dissected.sessions;
  const capSummary: Record<string, unknown> = {
    frames: capture.frames.length,
    messages: messages.filter((m) => m.layer === "v2gtp").length,
    tcpSessions: sessions.length,
    protocol: sessions.find((s) => s.sap?.namespace)?.sap?.namespace,
    durationS: capture.frames.length > 0 ? round3((capture.frames[capture.frames.length - 1].time - capture.frames[0].time) / 1000) : 0,
  };
  return {
    title: title || (options.name ?? "session"),
    origin,
    kind: simulated ? "simulation" : "capture",
    timeline,
    messages,
    samples,
    // Times as recorded (not rounded): view --plot draws the very SVG of sim --plot.
    limit: steps !== undefined ? (plot.powerLimit ?? []).map((p) => ({ t: p.t, kw: p.watts / 1000 })) : limitFromMessages(messages),
    marks: marks.map((e) => ({ t: e.t, label: e.label })),
    summary: summary !== undefined ? { ...(summary as unknown as Record<string, unknown>), frames: capture.frames.length } : capSummary,
    notes,
    done: options.done,
  };
}

/** The plot `sim --plot` draws, from a capture's view (same samples, marks, limit and title). */
export function viewPlot(view: SessionView): SessionPlot {
  return {
    title: view.title,
    samples: view.samples.map((s) => ({ t: s.t, voltage: s.voltage, current: s.current, soc: s.soc ?? 0 })),
    events: view.marks,
    ...(view.limit.length > 0 ? { powerLimit: view.limit.map((l) => ({ t: l.t, watts: l.kw * 1000 })) } : {}),
  };
}

/** A foreign capture: voltage and current from the charger's responses, SoC from the vehicle's requests. */
function samplesFromMessages(messages: readonly ChartMessage[]): Sample[] {
  const out: Sample[] = [];
  let soc: number | null = null;
  for (const m of messages) {
    if (m.layer !== "v2gtp") continue;
    const s = findNumber(m.content, SOC_KEYS);
    if (s !== undefined) soc = s;
    const voltage = findNumber(m.content, VOLTAGE_KEYS);
    const current = findNumber(m.content, CURRENT_KEYS);
    if (voltage !== undefined && current !== undefined) out.push({ t: m.t, voltage, current, power: round3((voltage * current) / 1000), soc });
  }
  return out;
}

/** Steps of the charger's stated maximum power (kW), one per change. */
function limitFromMessages(messages: readonly ChartMessage[]): { t: number; kw: number }[] {
  const out: { t: number; kw: number }[] = [];
  for (const m of messages) {
    if (m.layer !== "v2gtp" || m.dir !== "EVSE→EV") continue;
    const watts = findNumber(m.content, LIMIT_KEYS);
    if (watts === undefined) continue;
    const kw = round3(watts / 1000);
    if (out.length === 0 || out[out.length - 1].kw !== kw) out.push({ t: m.t, kw });
  }
  return out;
}

const MARKED = ["SessionSetupReq", "ChargeParameterDiscoveryReq", "ScheduleExchangeReq", "PowerDeliveryReq"];

function marksFromMessages(messages: readonly ChartMessage[]): { t: number; label: string }[] {
  return messages.filter((m) => MARKED.indexOf(m.type) >= 0).map((m) => {
    const progress = findString(m.content, "ChargeProgress");
    return { t: m.t, label: m.type.replace(/Req$/, "") + (progress !== undefined ? ` ${progress}` : "") };
  });
}

/** The first of `keys` anywhere in `value`: a number, or a PhysicalValue/RationalNumber {Value, Multiplier/Exponent}. */
function findNumber(value: unknown, keys: readonly string[]): number | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const o = value as Record<string, unknown>;
  for (const k of keys) {
    if (!(k in o)) continue;
    const v = o[k];
    if (typeof v === "number") return v;
    if (typeof v === "object" && v !== null) {
      const p = v as Record<string, unknown>;
      const scale = Number(p.Multiplier ?? p.Exponent ?? 0);
      if (typeof p.Value === "number") return round3(p.Value * 10 ** scale);
    }
  }
  for (const k of Object.keys(o)) {
    const found = findNumber(o[k], keys);
    if (found !== undefined) return found;
  }
  return undefined;
}

function findString(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o[key] === "string") return o[key] as string;
  for (const k of Object.keys(o)) {
    const found = findString(o[k], key);
    if (found !== undefined) return found;
  }
  return undefined;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
