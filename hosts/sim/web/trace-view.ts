// The session view of one side on a real interface (`xs15118 secc --web`, `evcc --web`): no
// capture there (the sockets are the host's), so the view is built from that side's live trace
// — each message with the key values the state machine traces (not the whole decoded message:
// for that, capture the interface and open the file with `xs15118 view`), power samples from the
// present voltage, current and SoC the messages carry, and the station's events.

import type { ChartMessage, Sample, SessionView, TimelineEntry } from "./view-model";
import { LiveSource } from "./server";

/** Value names of the two sides' traces: the charger's ("EVSEPresentVoltage=400V") and the vehicle's ("presentVoltage"). */
const VOLTAGE = ["EVSEPresentVoltage", "presentVoltage"];
const CURRENT = ["EVSEPresentCurrent", "presentCurrent"];
const SOC = ["SOC", "soc"];

export class TraceView {
  private readonly messages: ChartMessage[] = [];
  private readonly timeline: TimelineEntry[] = [];
  private readonly samples: Sample[] = [];
  private summary: Record<string, unknown> = {};
  private soc: number | null = null;
  private first: number | undefined;
  private readonly origin = Date.now();
  readonly source: LiveSource;

  constructor(
    private title: string,
    /** Whose trace this is: its "tx" messages go EV→EVSE for the vehicle, EVSE→EV for the charger. */
    private readonly side: "secc" | "evcc",
  ) {
    this.source = new LiveSource((done) => this.view(done));
  }

  /** One traced message at `timeMs` (the station's clock); `values` its key values. */
  message(timeMs: number, direction: "tx" | "rx", type: string, values: Readonly<Record<string, unknown>>): void {
    const t = this.since(timeMs);
    const towardsEvse = (direction === "tx") === (this.side === "evcc");
    this.messages.push({ n: this.messages.length, t, frame: 0, dir: towardsEvse ? "EV→EVSE" : "EVSE→EV", layer: "v2gtp", type, content: { ...values } });
    const soc = pick(values, SOC);
    if (soc !== undefined) this.soc = soc;
    const voltage = pick(values, VOLTAGE);
    const current = pick(values, CURRENT);
    if (voltage !== undefined && current !== undefined) this.samples.push({ t, voltage, current, power: Math.round(voltage * current) / 1000, soc: this.soc });
    this.source.changed();
  }

  event(timeMs: number, source: string, text: string): void {
    this.timeline.push({ t: this.since(timeMs), source, text });
    this.source.changed();
  }

  /** A session ended: its summary (the last one is shown). */
  ended(summary: Record<string, unknown>, title?: string): void {
    this.summary = summary;
    if (title !== undefined) this.title = title;
    this.source.changed();
  }

  view(done: boolean): SessionView {
    return {
      title: this.title,
      origin: this.origin,
      kind: "capture",
      timeline: this.timeline.slice(),
      messages: this.messages.slice(),
      samples: this.samples.slice(),
      limit: [],
      marks: [],
      summary: this.summary,
      notes: [`the ${this.side === "secc" ? "charger's" : "vehicle's"} live trace: each message with its key values only (capture the interface and open it with xs15118 view for the decoded messages)`],
      done,
    };
  }

  private since(timeMs: number): number {
    this.first ??= timeMs;
    return Math.round(timeMs - this.first) / 1000;
  }
}

/** "400V", "42%", 400 → 400; the first of `keys` present. */
function pick(values: Readonly<Record<string, unknown>>, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const v = values[k];
    const n = typeof v === "number" ? v : typeof v === "string" ? parseFloat(v) : NaN;
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

/** "EVTargetVoltage=400V SOC=42%" (the charger's trace summary) as values. */
export function summaryValues(summary: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(\w+)=(\S+)/g;
  let m;
  while ((m = re.exec(summary)) !== null) out[m[1]] = m[2];
  return out;
}
