// A session's plots as one SVG file (`xs15118 sim --plot FILE.svg`): voltage, current, power
// (signed: negative while discharging) with the power limit, and SoC over time, stacked on one
// time axis. Hand-written SVG: a file for reports, no script, no fonts beyond sans-serif.

export interface PlotSample {
  /** Seconds since the start. */
  readonly t: number;
  readonly voltage: number;
  /** A, signed (negative: discharging). */
  readonly current: number;
  readonly soc: number;
}

export interface SessionPlot {
  readonly title: string;
  readonly samples: readonly PlotSample[];
  /** Power limit over time (the schedule's PMax, W): steps starting at `t` s. */
  readonly powerLimit?: readonly { readonly t: number; readonly watts: number }[];
  /** Moments worth a vertical marker (authorized, renegotiation, …). */
  readonly events?: readonly { readonly t: number; readonly label: string }[];
}

const WIDTH = 900;
const PANEL_HEIGHT = 150;
const GAP = 28;
const LEFT = 64;
const RIGHT = 16;
const TOP = 36;

interface Series {
  readonly label: string;
  readonly unit: string;
  readonly colour: string;
  readonly values: readonly number[];
  /** Optional second line (a limit) as steps. */
  readonly limit?: readonly { t: number; v: number }[];
}

/** The SVG text of the plots. An empty sample list gives a page that says so. */
export function renderSessionSvg(plot: SessionPlot): string {
  const s = plot.samples;
  const power = s.map((x) => (x.voltage * x.current) / 1000);
  const series: Series[] = [
    { label: "Voltage", unit: "V", colour: "#1f77b4", values: s.map((x) => x.voltage) },
    { label: "Current", unit: "A", colour: "#ff7f0e", values: s.map((x) => x.current) },
    {
      label: "Power",
      unit: "kW",
      colour: "#2ca02c",
      values: power,
      limit: plot.powerLimit?.map((p) => ({ t: p.t, v: p.watts / 1000 })),
    },
    { label: "SoC", unit: "%", colour: "#9467bd", values: s.map((x) => x.soc) },
  ];
  const height = TOP + series.length * (PANEL_HEIGHT + GAP) + 20;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${escapeXml(plot.title)}</text>`);
  if (s.length === 0) {
    out.push(`<text x="${LEFT}" y="${TOP + 20}">no samples: the session never delivered power</text></svg>`);
    return out.join("\n");
  }
  // From the first sample or marked event (the schedule is negotiated before power flows).
  const t0 = Math.min(s[0].t, ...(plot.events ?? []).map((e) => e.t));
  const t1 = Math.max(s[s.length - 1].t, t0 + 1);
  const x = (t: number): number => LEFT + ((t - t0) / (t1 - t0)) * (WIDTH - LEFT - RIGHT);
  series.forEach((serie, i) => {
    const top = TOP + i * (PANEL_HEIGHT + GAP);
    const all = serie.values.concat(serie.limit?.map((p) => p.v) ?? []);
    const [lo, hi, step] = niceRange(Math.min(0, ...all), Math.max(...all));
    const y = (v: number): number => top + PANEL_HEIGHT - ((v - lo) / (hi - lo)) * PANEL_HEIGHT;
    out.push(`<g class="panel" data-series="${serie.label}">`);
    out.push(`<rect x="${LEFT}" y="${top}" width="${WIDTH - LEFT - RIGHT}" height="${PANEL_HEIGHT}" fill="none" stroke="#ccc"/>`);
    for (let v = lo; v <= hi + step / 2; v += step) {
      const yy = fmt(y(v));
      out.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${yy}" y2="${yy}" stroke="${v === 0 ? "#888" : "#eee"}"/>`);
      out.push(`<text x="${LEFT - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${fmtTick(v)}</text>`);
    }
    out.push(`<text x="${LEFT}" y="${top - 6}" font-weight="bold" fill="${serie.colour}">${serie.label} (${serie.unit})</text>`);
    if (serie.limit !== undefined && serie.limit.length > 0) {
      const pts: string[] = [];
      for (let k = 0; k < serie.limit.length; k++) {
        const from = Math.max(serie.limit[k].t, t0);
        const to = k + 1 < serie.limit.length ? Math.min(serie.limit[k + 1].t, t1) : t1;
        if (to < t0 || from > t1) continue;
        pts.push(`${fmt(x(from))},${fmt(y(serie.limit[k].v))}`, `${fmt(x(to))},${fmt(y(serie.limit[k].v))}`);
      }
      out.push(`<polyline class="limit" points="${pts.join(" ")}" fill="none" stroke="#d62728" stroke-dasharray="6 3"/>`);
      out.push(`<text x="${WIDTH - RIGHT}" y="${top - 6}" text-anchor="end" fill="#d62728">limit (schedule PMax)</text>`);
    }
    const points = serie.values.map((v, k) => `${fmt(x(s[k].t))},${fmt(y(v))}`).join(" ");
    out.push(`<polyline class="series" points="${points}" fill="none" stroke="${serie.colour}" stroke-width="1.5"/>`);
    out.push(`</g>`);
  });
  for (const e of plot.events ?? []) {
    if (e.t < t0 || e.t > t1) continue;
    const xx = fmt(x(e.t));
    out.push(`<line class="event" x1="${xx}" x2="${xx}" y1="${TOP}" y2="${height - 20}" stroke="#999" stroke-dasharray="2 3"/>`);
    // Written down along the marker, so that close events do not overwrite each other's labels.
    out.push(`<text x="${xx}" y="${TOP + 4}" transform="rotate(90 ${xx} ${TOP + 4})" dx="2" dy="-3" fill="#555">${escapeXml(e.label)}</text>`);
  }
  // Time axis under the last panel.
  const axisY = TOP + series.length * (PANEL_HEIGHT + GAP) - GAP + 14;
  const [, , tStep] = niceRange(0, t1 - t0);
  for (let t = 0; t <= t1 - t0 + 1e-9; t += tStep) out.push(`<text x="${fmt(x(t0 + t))}" y="${axisY}" text-anchor="middle">${formatTime(t)}</text>`);
  out.push("</svg>");
  return out.join("\n");
}

/** Axis bounds on round numbers with 4–8 steps. */
function niceRange(min: number, max: number): [number, number, number] {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((c) => c >= raw)!;
  return [Math.floor(min / step) * step, Math.ceil(max / step) * step, step];
}

function fmt(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

function fmtTick(v: number): string {
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
}

function formatTime(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m}:${String(s).padStart(2, "0")}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
