// Live-trace formatting shared by `xs15118 secc`, `evcc` and `sim`: one readable line per
// message with its key values, durations and energies for humans, and summary lines.
//
//   formatSeccTrace(entry, session?, origin?)   "+  4.210 s  #1 din  rx CurrentDemandReq      EVTargetVoltage=400V …"
//   formatEvccTrace(entry, origin?)             "+  4.210 s  tx CurrentDemandReq      soc=31.2% targetVoltage=400V …"
//   formatSummary(summary)                      "session #1 din: 6.2 s, 12.4 Wh, 58 messages, SoC 30% → 31%, ended: ev-terminate"
//   formatDuration(ms), formatEnergy(wh), formatClock(ms, origin)
//
// Pure functions of their arguments (no Node imports): usable by any host.

import type { SeccTraceEntry } from "../modules/statemachine/index";
import type { EvccTraceEntry } from "../modules/statemachine/evcc/index";

/** Width the message name is padded to, so that key values line up. */
const NAME_WIDTH = 32;

/** "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  const negative = ms < 0;
  const abs = Math.abs(ms);
  let text: string;
  if (abs < 1000) text = `${Math.round(abs)} ms`;
  else if (abs < 60_000) text = `${(abs / 1000).toFixed(1)} s`;
  else if (abs < 3_600_000) {
    const s = Math.round(abs / 1000);
    text = `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  } else {
    const m = Math.round(abs / 60_000);
    text = `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
  }
  return negative ? `-${text}` : text;
}

/** "0 Wh", "12.4 Wh", "850 Wh", "12.35 kWh", "1.235 MWh". */
export function formatEnergy(wh: number): string {
  if (!Number.isFinite(wh)) return "?";
  const abs = Math.abs(wh);
  if (abs < 100) return `${round(wh, abs < 10 ? 2 : 1)} Wh`;
  if (abs < 1000) return `${Math.round(wh)} Wh`;
  if (abs < 1_000_000) return `${(wh / 1000).toFixed(2)} kWh`;
  return `${(wh / 1_000_000).toFixed(3)} MWh`;
}

/** Time since `origin` as "+ 12.345 s" (fixed width up to 9999 s). */
export function formatClock(ms: number, origin = 0): string {
  return `+${((ms - origin) / 1000).toFixed(3).padStart(8)} s`;
}

/** One SECC trace line: time, session number, protocol, direction, message, key values. */
export function formatSeccTrace(entry: SeccTraceEntry, session?: number, origin?: number): string {
  const parts: string[] = [];
  if (origin !== undefined) parts.push(formatClock(entry.time, origin));
  if (session !== undefined) parts.push(`#${session}`);
  parts.push(entry.protocol.padEnd(4), entry.direction, entry.message.padEnd(NAME_WIDTH));
  if (entry.summary) parts.push(entry.summary);
  return parts.join(" ").trimEnd();
}

/** Units of the EVCC trace's value names. */
function unitOf(key: string): string {
  if (key === "soc") return "%";
  if (/voltage$/i.test(key)) return "V";
  if (/current$/i.test(key)) return "A";
  if (/power$/i.test(key)) return "W";
  return "";
}

/** "soc=31.2% targetVoltage=400V code=OK" from an EVCC trace entry's values. */
export function formatValues(values: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const parts: string[] = [];
  for (const key of Object.keys(values)) {
    const v = values[key];
    if (v === undefined || v === "") continue;
    parts.push(typeof v === "number" ? `${key}=${round(v, 1)}${unitOf(key)}` : `${key}=${String(v)}`);
  }
  return parts.join(" ");
}

/** One EVCC trace line: time, direction, message, key values. */
export function formatEvccTrace(entry: EvccTraceEntry, origin?: number): string {
  const parts: string[] = [];
  if (origin !== undefined) parts.push(formatClock(entry.at, origin));
  parts.push(entry.direction, entry.name.padEnd(NAME_WIDTH));
  const values = formatValues(entry.values);
  if (values) parts.push(values);
  return parts.join(" ").trimEnd();
}

/** What a summary line shows; every field optional except the duration. */
export interface TraceSummary {
  session?: number;
  protocol?: string;
  transfer?: string;
  durationMs: number;
  energyWh?: number;
  messages?: number;
  socStart?: number;
  socEnd?: number;
  reason?: string;
  detail?: string;
  ok?: boolean;
  errors?: readonly string[];
}

/** "session #1 iso2 dc: 6.2 s, 12.4 Wh, 58 messages, SoC 30% → 31%, ended: ev-terminate". */
export function formatSummary(s: TraceSummary): string {
  const head = ["session", s.session !== undefined ? `#${s.session}` : "", s.protocol ?? "(no protocol)", s.transfer ?? ""].filter((x) => x !== "").join(" ");
  const facts = [formatDuration(s.durationMs)];
  if (s.energyWh !== undefined) facts.push(formatEnergy(s.energyWh));
  if (s.messages !== undefined) facts.push(`${s.messages} messages`);
  if (s.socStart !== undefined && s.socEnd !== undefined) facts.push(`SoC ${round(s.socStart, 1)}% → ${round(s.socEnd, 1)}%`);
  let end = `ended: ${s.reason ?? "?"}`;
  if (s.detail) end += ` (${s.detail})`;
  if (s.ok !== undefined) end += s.ok ? " — ok" : " — FAILED";
  facts.push(end);
  if (s.errors && s.errors.length > 0) facts.push(`errors: ${s.errors.join("; ")}`);
  return `${head}: ${facts.join(", ")}`;
}

/**
 * Thins out the charge loop for a live trace: CurrentDemand / ChargingStatus pairs come several
 * times a second; print one when its values changed noticeably (≥ 1 V, ≥ 1 A, the SoC's
 * integer percent, a status) or `interval` ms after the last one printed. Other messages pass.
 */
export class LoopThinner {
  readonly #interval: number;
  readonly #last = new Map<string, { at: number; key: string }>();

  constructor(interval = 1000) {
    this.#interval = interval;
  }

  /** Whether to print the message `name` seen at `at` whose key values read `values`. */
  keep(name: string, direction: string, at: number, values: string): boolean {
    if (!/^(CurrentDemand|ChargingStatus)(Req|Res)$/.test(name)) return true;
    const key = coarse(values);
    const id = `${direction} ${name}`;
    const last = this.#last.get(id);
    if (last !== undefined && last.key === key && at - last.at < this.#interval) return false;
    this.#last.set(id, { at, key });
    return true;
  }
}

/** Key values with numbers rounded to whole units: what counts as a change worth a line. */
function coarse(values: string): string {
  return values.replace(/(-?\d+(?:\.\d+)?)/g, (n) => String(Math.round(Number(n))));
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
