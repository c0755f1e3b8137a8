// Where a simulated session's frames and events go: the pcapng capture (frames, and the events
// as journal entries: simulation/pcap/write.ts addJournalEntry) and the live session view
// (`--web`). One tap for both, so that the capture holds what the page showed.

import type { PcapngWriter } from "../../../simulation/pcap/write";
import type { RunningSimulation, SimulationSummary, TraceEvent } from "../../../simulation/session/simulation";
import { journalled, limitFields, summaryFields, traceFields } from "./journal";
import { LiveSource } from "./server";
import { buildSessionView, LiveCapture } from "./view-model";

export interface LiveView {
  readonly capture: LiveCapture;
  readonly source: LiveSource;
}

/** A live view of a session being recorded, named `name` until its summary gives the title. */
export function liveView(name: string): LiveView {
  const capture = new LiveCapture();
  return { capture, source: new LiveSource((done) => buildSessionView(capture, { done, name })) };
}

export class SessionTap {
  constructor(
    /** Wall-clock time of the session's start (the frames' and entries' timestamps count from it). */
    private readonly epochMs: number,
    private readonly writer: PcapngWriter | undefined,
    private readonly live: LiveView | undefined,
  ) {}

  get active(): boolean {
    return this.writer !== undefined || this.live !== undefined;
  }

  frame(timeMs: number, frame: Uint8Array): void {
    this.writer?.addFrame(timeMs, frame);
    if (this.live !== undefined) {
      this.live.capture.addFrame(timeMs, frame);
      this.live.source.changed();
    }
  }

  trace(e: TraceEvent): void {
    if (!this.active || !journalled(e)) return;
    this.entry(e.time, traceFields(e));
  }

  /** The end: the power limit the session ran under, the summary and the plot's title. */
  close(summary: SimulationSummary, title: string, limit: readonly { start: number; power: number }[]): void {
    this.entry(summary.durationMs, limitFields(limit, summary.durationMs));
    this.entry(summary.durationMs, summaryFields(summary, title, summary.durationMs));
    this.live?.source.finish();
  }

  private entry(timeMs: number, fields: Record<string, string>): void {
    this.writer?.addJournalEntry(this.epochMs + timeMs, fields);
    if (this.live !== undefined) {
      this.live.capture.addJournalEntry(this.epochMs + timeMs, fields);
      this.live.source.changed();
    }
  }
}

/**
 * Runs a simulation in virtual time paced for a person watching: `speed` simulated seconds per
 * second (10: a 5-minute charge in 30 s), in steps of 100 ms of wall time, letting the page's
 * server answer between them.
 */
export async function runPaced(simulation: RunningSimulation, speed: number): Promise<SimulationSummary> {
  const tickMs = 100;
  let wall = performance.now();
  while (!simulation.done) {
    simulation.advance(speed * tickMs);
    wall += tickMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wall - performance.now())));
  }
  return simulation.summary!;
}
