// The session view in the browser: fetches the view from the server that serves this page
// (hosts/sim/web/server.ts), follows a running session over Server-Sent Events and draws the
// plots with uPlot (served from node_modules). Plain JavaScript, no framework, no network but
// the page's own server.
"use strict";

const state = { view: null, charts: [], expanded: new Set() };

const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  if (props) for (const k of Object.keys(props)) {
    if (k === "class") e.className = props[k];
    else if (k === "dataset") Object.assign(e.dataset, props[k]);
    else e.setAttribute(k, props[k]);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function clock(t) {
  const sign = t < 0 ? "-" : "";
  t = Math.abs(t);
  const m = Math.floor(t / 60);
  const s = t - m * 60;
  return `${sign}${m}:${s.toFixed(3).padStart(6, "0")}`;
}

// ---------------------------------------------------------------- summary

const SUMMARY_FIELDS = [
  ["outcome", "outcome", (v, s) => `${v}${s.detail ? ` (${s.detail})` : ""}`],
  ["protocol", "protocol", (v, s) => `${v ?? "—"}${s.transfer ? ` ${String(s.transfer).toUpperCase()}` : ""}`],
  ["durationMs", "duration", (v) => `${(v / 1000).toFixed(1)} s`],
  ["energyWh", "energy", (v) => `${(v / 1000).toFixed(3)} kWh`],
  ["socStart", "SoC", (v, s) => `${v.toFixed(1)} % → ${s.socEnd.toFixed(1)} %`],
  ["peakPower", "peak power", (v, s) => `${(v / 1000).toFixed(1)} kW / ${s.peakCurrent.toFixed(1)} A`],
  ["messages", "messages", (v) => String(v)],
  ["frames", "frames", (v) => String(v)],
  ["tcpSessions", "TCP sessions", (v) => String(v)],
  ["durationS", "duration", (v) => `${v.toFixed(1)} s`],
  ["slac", "SLAC", (v) => (v.matchedAtMs !== undefined ? `matched after ${(v.matchedAtMs / 1000).toFixed(2)} s at ${v.attenuationDb?.toFixed(1)} dB` : "—")],
  ["errors", "errors", (v) => (v.length === 0 ? "none" : v.join("; "))],
];

function renderSummary(view) {
  const dl = $("summary");
  dl.replaceChildren();
  const s = view.summary || {};
  for (const [key, label, format] of SUMMARY_FIELDS) {
    if (s[key] === undefined || s[key] === null) continue;
    let text;
    try { text = format(s[key], s); } catch { text = JSON.stringify(s[key]); }
    dl.append(el("dt", null, label), el("dd", { dataset: { field: key } }, text));
  }
  $("notes").replaceChildren(...(view.notes || []).map((n) => el("li", null, n)));
  $("title").textContent = view.title;
  document.title = `${view.title} — xs15118`;
  const status = $("status");
  status.textContent = view.done ? (view.kind === "capture" ? "capture" : "finished") : "live";
  status.className = `status ${view.done ? "done" : "live"}`;
}

// ---------------------------------------------------------------- timeline

function appendTimeline(entries) {
  const body = document.createDocumentFragment();
  for (const e of entries) {
    body.append(el("tr", null, el("td", { class: "t" }, clock(e.t)), el("td", null, el("span", { class: `src src-${e.source}` }, e.source)), el("td", null, e.text)));
  }
  $("timeline").tBodies[0].append(body);
}

// ---------------------------------------------------------------- message sequence chart

function appendMessages(messages) {
  // Built off the document and added at once: an hour's session has tens of thousands.
  const list = document.createDocumentFragment();
  for (const m of messages) {
    const tx = m.dir === "EV→EVSE";
    const name = el("span", { class: "name" }, m.type + (m.error ? ` ⚠ ${m.error}` : ""));
    const arrow = el("span", { class: "arrow" }, el("span", { class: "line" }), name, el("span", { class: "line" }));
    const row = el("div", { class: "row", title: `frame ${m.frame}${m.schema ? `, ${m.schema}` : ""}` }, el("span", { class: "t" }, clock(m.t)), arrow);
    const item = el("li", { class: `msg ${tx ? "tx" : "rx"} layer-${m.layer}${m.error ? " error" : ""}`, dataset: { n: m.n, type: m.type } }, row);
    row.addEventListener("click", () => toggleMessage(item, m.n));
    list.append(item);
  }
  $("messages").append(list);
  $("message-count").textContent = String(state.view.messages.length);
}

async function toggleMessage(item, n) {
  const open = item.querySelector("pre");
  if (open) {
    open.remove();
    return;
  }
  const pre = el("pre", { class: "content" }, "…");
  item.append(pre);
  try {
    const response = await fetch(`/api/message/${n}`);
    const m = await response.json();
    pre.textContent = JSON.stringify(m.content, null, 2);
  } catch (error) {
    pre.textContent = `cannot load the message: ${error}`;
  }
}

// ---------------------------------------------------------------- plots

const PLOTS = [
  { key: "voltage", label: "Voltage", unit: "V", colour: "#1f77b4" },
  { key: "current", label: "Current", unit: "A", colour: "#ff7f0e" },
  { key: "power", label: "Power (negative: discharging)", unit: "kW", colour: "#2ca02c", limit: true },
  { key: "soc", label: "SoC", unit: "%", colour: "#9467bd" },
];

/** The limit in force at each sample time (steps). */
function limitAt(limit, times) {
  return times.map((t) => {
    let v = null;
    for (const step of limit) if (step.t <= t) v = step.kw;
    return v;
  });
}

function plotData(view, plot) {
  const times = view.samples.map((s) => s.t);
  const data = [times, view.samples.map((s) => s[plot.key])];
  if (plot.limit) data.push(limitAt(view.limit, times));
  return data;
}

/** Dashed vertical lines and labels at the marked moments. */
function marksPlugin(getMarks) {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = "#999";
        ctx.fillStyle = "#555";
        ctx.setLineDash([2, 3]);
        ctx.font = `${10 * devicePixelRatio}px sans-serif`;
        for (const m of getMarks()) {
          const x = u.valToPos(m.t, "x", true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

function renderPlots(view) {
  const container = $("plots");
  $("no-samples").hidden = view.samples.length > 0;
  if (state.charts.length > 0) {
    state.charts.forEach((chart, i) => chart.setData(plotData(view, PLOTS[i])));
    return;
  }
  if (view.samples.length === 0) return;
  const width = Math.max(300, Math.floor(container.clientWidth / 2) - 12);
  const sync = uPlot.sync("session");
  for (const plot of PLOTS) {
    const series = [
      { label: "time", value: (u, v) => (v == null ? "—" : clock(v)) },
      { label: `${plot.label} (${plot.unit})`, stroke: plot.colour, width: 1.5 },
    ];
    if (plot.limit) series.push({ label: "limit (schedule PMax, kW)", stroke: "#d62728", dash: [6, 3], paths: uPlot.paths.stepped({ align: 1 }) });
    const div = el("div", { class: "plot", dataset: { series: plot.key } });
    container.append(div);
    const chart = new uPlot(
      {
        width,
        height: 200,
        title: `${plot.label} (${plot.unit})`,
        scales: { x: { time: false } },
        // Ticks on whole seconds and minutes (uPlot's default steps are decimal: 8:20, 16:40).
        axes: [{ incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400], values: (u, ticks) => ticks.map((t) => clock(t).replace(/\.\d+$/, "")) }, {}],
        series,
        cursor: { sync: { key: sync.key } },
        plugins: [marksPlugin(() => state.view.marks || [])],
      },
      plotData(view, plot),
      div,
    );
    state.charts.push(chart);
  }
}

// ---------------------------------------------------------------- pilot and SLAC strip

const STATE_COLOURS = { A: "#eceff1", B: "#ffe0b2", C: "#c8e6c9", D: "#b3e5fc", E: "#ffcdd2", F: "#ef9a9a" };
const TICK_COLOURS = { slac: "#2e7d32", sdp: "#0277bd", secc: "#6a1b9a", evcc: "#ad1457", sim: "#757575" };
const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const k of Object.keys(attrs)) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The pilot state the charger sees as coloured bands over time; SLAC, SDP and session events as ticks below. */
function renderStrip(view) {
  const strip = $("strip");
  const width = strip.clientWidth || 800;
  const end = Math.max(1, ...view.timeline.map((e) => e.t), ...view.samples.map((s) => s.t), ...view.messages.map((m) => m.t));
  const x = (t) => 40 + (t / end) * (width - 50);
  const parts = [svg("text", { x: 0, y: 18 }, "pilot"), svg("text", { x: 0, y: 48 }, "events")];
  const states = view.timeline.map((e) => ({ t: e.t, m: e.source === "pilot" ? /charger sees (\w+)/.exec(e.text) : null })).filter((e) => e.m);
  states.forEach((s, i) => {
    const to = i + 1 < states.length ? states[i + 1].t : end;
    const state = s.m[1];
    const g = svg("g", { class: "state", "data-state": state });
    g.append(svg("rect", { x: x(s.t), y: 4, width: Math.max(1, x(to) - x(s.t)), height: 20, fill: STATE_COLOURS[state[0]] || "#ddd", stroke: "white" }));
    if (x(to) - x(s.t) > 18) g.append(svg("text", { x: x(s.t) + 3, y: 18 }, state));
    g.append(svg("title", {}, `${clock(s.t)} pilot ${state}`));
    parts.push(g);
  });
  if (states.length === 0) parts.push(svg("text", { x: 40, y: 18, fill: "#8d6e63" }, "no pilot in this capture"));
  for (const e of view.timeline) {
    if (e.source === "pilot") continue;
    const tick = svg("line", { class: "tick", x1: x(e.t), x2: x(e.t), y1: 34, y2: 56, stroke: TICK_COLOURS[e.source] || "#999" });
    tick.append(svg("title", {}, `${clock(e.t)} ${e.source}: ${e.text}`));
    parts.push(tick);
  }
  strip.replaceChildren(...parts);
}

// ---------------------------------------------------------------- data

function showView(view) {
  state.view = view;
  $("timeline").tBodies[0].replaceChildren();
  $("messages").replaceChildren();
  appendTimeline(view.timeline);
  appendMessages(view.messages);
  renderSummary(view);
  renderStrip(view);
  renderPlots(view);
  document.body.dataset.ready = "true";
}

function appendView(d) {
  const view = state.view;
  view.messages.push(...d.messages);
  view.timeline.push(...d.timeline);
  view.samples.push(...d.samples);
  for (const k of ["limit", "marks", "summary", "notes", "title", "done", "kind"]) view[k] = d[k];
  appendTimeline(d.timeline);
  appendMessages(d.messages);
  renderSummary(view);
  renderStrip(view);
  renderPlots(view);
}

function start() {
  if (typeof EventSource === "undefined") {
    fetch("/api/view").then((r) => r.json()).then(showView);
    return;
  }
  const events = new EventSource("/api/events");
  events.addEventListener("view", (e) => showView(JSON.parse(e.data)));
  events.addEventListener("append", (e) => {
    appendView(JSON.parse(e.data));
    if (state.view.done) events.close();
  });
  events.addEventListener("error", () => {
    if (state.view && state.view.done) events.close();
    else $("status").textContent = "disconnected (retrying)";
  });
  // A finished view needs no stream: closed once it says so.
  events.addEventListener("view", () => { if (state.view.done) events.close(); });
}

start();
