// The simulation's live trace lines and summary, shared by every host that runs it: the Node
// CLI (`xs15118 sim`, `npm start`) and the Moddable simulator (hosts/mcsim), so both print the
// same text and a test can compare them line by line. Pure functions (no host imports).

import type { SimulationSummary, TraceEvent } from "./session/simulation";

const SOURCE_WIDTH = 5;

export function formatTime(ms: number): string {
  return `${(ms / 1000).toFixed(3).padStart(9)} s`;
}

export function formatTrace(e: TraceEvent): string {
  let text = e.text;
  if (e.values) {
    const v = e.values;
    text = `${v.voltage !== undefined ? `${v.voltage.toFixed(1)} V ` : ""}${v.current !== undefined ? `${v.current.toFixed(1)} A ` : ""}${v.soc !== undefined ? `SoC ${v.soc.toFixed(1)} % ` : ""}${v.energyWh !== undefined ? `${(v.energyWh / 1000).toFixed(2)} kWh` : ""}`.trim();
  } else if (e.message) {
    const values = Object.keys(e.message.values)
      .filter((k) => e.message!.values[k] !== undefined && e.message!.values[k] !== "")
      .map((k) => `${k}=${String(e.message!.values[k])}`)
      .join(" ");
    if (values) text = `${text}  ${values}`;
  }
  return `${formatTime(e.time)}  ${e.source.padEnd(SOURCE_WIDTH)}  ${text}`;
}

export function formatSummary(s: SimulationSummary, frames: number | undefined): string[] {
  return [
    "",
    `session ${s.ok ? "ended normally" : "FAILED"}: ${s.outcome}${s.detail ? ` (${s.detail})` : ""}`,
    `  protocol        ${s.protocol ?? "—"} ${s.transfer.toUpperCase()}`,
    `  duration        ${(s.durationMs / 1000).toFixed(1)} s plug-in to unplug, ${(s.sessionMs / 1000).toFixed(1)} s V2G session`,
    `  SLAC            matched after ${s.slac.matchedAtMs !== undefined ? `${(s.slac.matchedAtMs / 1000).toFixed(2)} s` : "—"} at ${s.slac.attenuationDb?.toFixed(1) ?? "—"} dB`,
    `  energy          ${(s.energyWh / 1000).toFixed(3)} kWh (charger's meter), peak ${s.peakCurrent.toFixed(1)} A / ${(s.peakPower / 1000).toFixed(1)} kW`,
    `  state of charge ${s.socStart.toFixed(1)} % → ${s.socEnd.toFixed(1)} %`,
    `  messages        ${s.messages} (V2G requests and responses)`,
    `  errors          ${s.errors.length === 0 ? "none" : s.errors.join("; ")}`,
    ...(frames !== undefined ? [`  capture         ${frames} frames`] : []),
  ];
}
