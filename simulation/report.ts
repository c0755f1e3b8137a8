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
    // Direction and signed power first (positive into the EV, negative out of it), then the values.
    const flow = v.power !== undefined ? `${(v.direction ?? "").padEnd(9)} ${(v.power / 1000).toFixed(2).padStart(6)} kW  ` : "";
    text = `${flow}${v.voltage !== undefined ? `${v.voltage.toFixed(1)} V ` : ""}${v.current !== undefined ? `${v.current.toFixed(1)} A ` : ""}${v.soc !== undefined ? `SoC ${v.soc.toFixed(1)} % ` : ""}${v.energyWh !== undefined ? `${(v.energyWh / 1000).toFixed(2)} kWh` : ""}`.trim();
  } else if (e.message) {
    const values = Object.keys(e.message.values)
      .filter((k) => e.message!.values[k] !== undefined && e.message!.values[k] !== "")
      .map((k) => `${k}=${String(e.message!.values[k])}`)
      .join(" ");
    if (values) text = `${text}  ${values}`;
  }
  return `${formatTime(e.time)}  ${e.source.padEnd(SOURCE_WIDTH)}  ${text}`;
}

/** "12:05" (minutes:seconds of simulated time; hours as h:mm:ss). */
function formatMinutes(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

export function formatSummary(s: SimulationSummary, frames: number | undefined): string[] {
  return [
    "",
    `session ${s.ok ? "ended normally" : "FAILED"}: ${s.outcome}${s.detail ? ` (${s.detail})` : ""}`,
    `  protocol        ${s.protocol ?? "—"} ${s.transfer.toUpperCase()}`,
    `  duration        ${(s.durationMs / 1000).toFixed(1)} s plug-in to unplug, ${(s.sessionMs / 1000).toFixed(1)} s V2G session`,
    `  SLAC            matched after ${s.slac.matchedAtMs !== undefined ? `${(s.slac.matchedAtMs / 1000).toFixed(2)} s` : "—"} at ${s.slac.attenuationDb?.toFixed(1) ?? "—"} dB`,
    ...(s.scenario !== undefined ? [`  scenario        ${s.scenario}`] : []),
    `  energy          ${(s.energyWh / 1000).toFixed(3)} kWh (charger's meter), peak ${s.peakCurrent.toFixed(1)} A / ${(s.peakPower / 1000).toFixed(1)} kW`,
    `  charged         ${s.energyChargedWh.toFixed(1)} Wh, discharged ${s.energyDischargedWh.toFixed(1)} Wh (grid side)${s.lossesWh > 0 ? `, conversion losses ${s.lossesWh.toFixed(1)} Wh` : ""}`,
    `  state of charge ${s.socStart.toFixed(1)} % → ${s.socEnd.toFixed(1)} % (min ${s.socPath.min.toFixed(1)} %, max ${s.socPath.max.toFixed(1)} %)`,
    `  SoC path        ${s.socPath.points.map((p) => `${formatMinutes(p.timeMs)} ${p.soc.toFixed(1)} %`).join(", ")}`,
    `  messages        ${s.messages} (V2G requests and responses)`,
    `  errors          ${s.errors.length === 0 ? "none" : s.errors.join("; ")}`,
    ...(frames !== undefined ? [`  capture         ${frames} frames`] : []),
  ];
}
