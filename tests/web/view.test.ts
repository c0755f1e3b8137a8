// @node-only — the session view without a browser: the model built from a capture (a simulated
// one with its journal, a foreign one without), `view --plot` against `sim --plot`, and the HTTP
// server: page, uPlot from node_modules, JSON, one message decoded, Server-Sent Events.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";
import { readShared, sharedSkip } from "../support/shared";
import { readCapture } from "../../simulation/pcap/read";
import { buildSessionView, LiveCapture } from "../../hosts/sim/web/view-model";
import type { SessionView } from "../../hosts/sim/web/view-model";
import { fixedSource, LiveSource, startViewServer } from "../../hosts/sim/web/server";
import { takeWebOption, DEFAULT_WEB_PORT } from "../../hosts/sim/web/cli-web";
import { traceFields, summaryFields } from "../../hosts/sim/web/journal";
import { TraceView, summaryValues } from "../../hosts/sim/web/trace-view";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-view-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const pcap = path.join(dir, "session.pcapng");
const svg = path.join(dir, "sim.svg");
let view: SessionView;

before(async () => {
  const io = bufferIo();
  const code = await main(["sim", "--protocol", "iso2", "--capacity", "5", "--start-soc", "70", "--target-soc", "73", "--quiet", "--pcap", pcap, "--plot", svg], io);
  assert.equal(code, 0, io.stderr.join("\n"));
  view = buildSessionView(readCapture(new Uint8Array(fs.readFileSync(pcap))), { done: true, name: "session.pcapng" });
});

function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }));
      })
      .on("error", reject);
  });
}

describe("the view of a simulated session's capture", () => {
  test("the journal gives the pilot, SLAC and session timeline, the power samples, the limit and the summary", () => {
    assert.equal(view.kind, "simulation");
    assert.equal(view.title, "ISO2 DC session: charging-complete");
    const texts = view.timeline.map((e) => `${e.source}: ${e.text}`);
    assert.ok(texts.includes("pilot: vehicle plugged in"), texts.slice(0, 8).join("\n"));
    assert.ok(texts.some((t) => /^pilot: charger sees B2/.test(t)));
    assert.ok(texts.some((t) => /^slac: EV matched EVSE .* link up$/.test(t)));
    assert.ok(texts.some((t) => t === "pilot: vehicle unplugged"));
    for (let i = 1; i < view.timeline.length; i++) assert.ok(view.timeline[i].t >= view.timeline[i - 1].t, "in time order");
    assert.equal(view.summary.ok, true);
    assert.equal(view.summary.outcome, "charging-complete");
    assert.equal(view.summary.frames, readCapture(new Uint8Array(fs.readFileSync(pcap))).frames.length);
    assert.ok(view.samples.length >= 3);
    assert.ok(view.samples.every((s) => s.voltage > 300 && s.power === Math.round(s.voltage * s.current) / 1000));
    assert.deepEqual(view.limit, [{ t: view.marks[0].t, kw: 50 }]);
    assert.deepEqual(view.marks.slice(0, 3).map((m) => m.label), ["SessionSetup", "ChargeParameterDiscovery", "PowerDelivery Start"]);
  });

  test("the message sequence: SDP, SAP, the ISO-2 session both ways, each message decoded", () => {
    const names = view.messages.map((m) => m.type);
    assert.deepEqual(names.slice(0, 4), ["SECCDiscoveryReq", "SECCDiscoveryRes", "supportedAppProtocolReq", "supportedAppProtocolRes"]);
    assert.deepEqual(names.slice(-2), ["SessionStopReq", "SessionStopRes"]);
    assert.equal(view.messages.filter((m) => m.layer === "v2gtp").length, view.summary.messages);
    const setup = view.messages.find((m) => m.type === "SessionSetupRes")!;
    assert.equal(setup.dir, "EVSE→EV");
    assert.equal((setup.content as { ResponseCode: string }).ResponseCode, "OK_NewSessionEstablished");
    assert.match((setup.content as { Header: { SessionID: string } }).Header.SessionID, /^[0-9a-f]{16}$/, "bytes as hex (hosts/sim/exi-json.ts)");
    assert.ok(view.messages.every((m, i) => m.n === i && m.error === undefined));
  });

  test("view --plot writes the same SVG as sim --plot", async () => {
    const out = path.join(dir, "view.svg");
    const io = bufferIo();
    assert.equal(await main(["view", pcap, "--plot", out], io), 0, io.stderr.join("\n"));
    assert.equal(fs.readFileSync(out, "utf8"), fs.readFileSync(svg, "utf8"));
  });

  test("view --json prints the view without the messages' content; a file that is no capture fails with exit 1", async () => {
    const io = bufferIo();
    assert.equal(await main(["view", pcap, "--json"], io), 0);
    const json = JSON.parse(io.stdout.join(""));
    assert.equal(json.messages.length, view.messages.length);
    assert.equal(json.messages[0].content, undefined);
    const bad = path.join(dir, "bad.pcapng");
    fs.writeFileSync(bad, "not a capture");
    const io2 = bufferIo();
    assert.equal(await main(["view", bad, "--json"], io2), 1);
    assert.match(io2.stderr.join("\n"), /not a pcap\/pcapng file/);
  });
});

test("a foreign capture shows what it holds: SLAC and messages, no pilot; voltage, current and SoC from the messages", { skip: sharedSkip() }, () => {
  const bytes = readShared("captures/dsV2Gshark/ISO-2_DC_DS5366.pcapng")!;
  const v = buildSessionView(readCapture(bytes), { done: true, name: "ISO-2_DC_DS5366.pcapng" });
  assert.equal(v.kind, "capture");
  assert.equal(v.title, "ISO-2_DC_DS5366.pcapng");
  assert.ok(!v.timeline.some((e) => e.source === "pilot"));
  assert.ok(v.timeline.some((e) => e.source === "slac" && /CM_SLAC_MATCH/.test(e.text)));
  assert.ok(v.messages.some((m) => m.type === "CurrentDemandReq"));
  assert.ok(v.samples.length > 5 && v.samples.some((s) => s.current > 0 && s.voltage > 100 && s.soc !== null));
  assert.match(v.notes.join("\n"), /without the simulator's journal/);
  assert.deepEqual(v.limit.map((l) => l.kw), [150], "the charger's EVSEMaximumPowerLimit as the limit");
  assert.deepEqual(v.marks.map((m) => m.label), ["SessionSetup", "ChargeParameterDiscovery", "PowerDelivery Start", "PowerDelivery Stop"]);
  assert.equal(v.summary.protocol, "urn:iso:15118:2:2013:MsgDef");
});

describe("the view's HTTP server", () => {
  test("serves the page, uPlot from node_modules, the view and one decoded message, on 127.0.0.1 only", async () => {
    const server = await startViewServer(fixedSource(view), 0);
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await get(server.url);
      assert.equal(page.status, 200);
      assert.match(page.type, /text\/html/);
      assert.match(page.body, /<script src="\/uplot.js"><\/script>/);
      assert.doesNotMatch(page.body, /https?:\/\//, "nothing from the network: works offline");
      const uplot = await get(`${server.url}uplot.js`);
      assert.equal(uplot.status, 200);
      assert.match(uplot.body, /uPlot/);
      assert.equal((await get(`${server.url}app.js`)).status, 200);
      assert.equal((await get(`${server.url}uplot.css`)).status, 200);
      const json = JSON.parse((await get(`${server.url}api/view`)).body);
      assert.equal(json.messages.length, view.messages.length);
      const message = JSON.parse((await get(`${server.url}api/message/4`)).body);
      assert.equal(message.type, view.messages[4].type);
      assert.deepEqual(message.content, view.messages[4].content);
      assert.equal((await get(`${server.url}api/message/999999`)).status, 404);
      assert.equal((await get(`${server.url}../etc/passwd`)).status, 404);
    } finally {
      await server.close();
    }
  });

  test("Server-Sent Events: the view once, then what a running session adds, until it is done", async () => {
    const capture = new LiveCapture();
    const source = new LiveSource((done) => buildSessionView(capture, { done, name: "live" }), 0);
    const server = await startViewServer(source, 0);
    const events: { event: string; data: Record<string, unknown> }[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      http.get(`${server.url}api/events`, (res) => {
        assert.equal(res.headers["content-type"], "text/event-stream");
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (\w+)$/m.exec(block)![1];
            const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]) as Record<string, unknown>;
            events.push({ event, data });
            if (event === "view") {
              // Connected: the session goes on.
              capture.addJournalEntry(1000, traceFields({ time: 0, source: "pilot", text: "vehicle plugged in" }));
              capture.addJournalEntry(2000, traceFields({ time: 1000, source: "power", text: "charging", values: { voltage: 400, current: -10, soc: 50 } }));
              source.changed();
            } else if (events.length === 2) {
              capture.addJournalEntry(3000, summaryFields({ ok: true, outcome: "charging-complete" } as never, "a title", 2000));
              source.finish();
            } else {
              res.destroy();
              resolve();
            }
          }
        });
      }).on("error", reject);
    });
    await finished;
    await server.close();
    assert.deepEqual(events.map((e) => e.event), ["view", "append", "append"]);
    assert.equal(events[0].data.done, false);
    assert.deepEqual(events[1].data.timeline, [{ t: 0, source: "pilot", text: "vehicle plugged in" }]);
    assert.deepEqual(events[1].data.samples, [{ t: 1, voltage: 400, current: -10, power: -4, soc: 50 }], "power negative while discharging");
    assert.deepEqual(events[2].data.timeline, [], "only what is new");
    assert.equal(events[2].data.done, true);
    assert.equal(events[2].data.title, "a title");
  });

  test("--web [PORT]: the port is optional; --speed only with --web", () => {
    assert.deepEqual(takeWebOption("sim", ["--quiet", "--web"]), { args: ["--quiet"], web: DEFAULT_WEB_PORT });
    assert.deepEqual(takeWebOption("sim", ["--web", "8080", "--quiet"]), { args: ["--quiet"], web: 8080 });
    assert.deepEqual(takeWebOption("sim", ["--web=0", "--speed", "max"], true), { args: [], web: 0, speed: Infinity });
    assert.deepEqual(takeWebOption("view", ["f.pcapng", "--web", "--plot", "x.svg"]), { args: ["f.pcapng", "--plot", "x.svg"], web: DEFAULT_WEB_PORT });
    assert.throws(() => takeWebOption("sim", ["--web=99999"]), /expected a TCP port/);
    assert.throws(() => takeWebOption("sim", ["--speed", "5"], true), /add --web/);
    assert.throws(() => takeWebOption("sim", ["--web", "--speed", "0"], true), /--speed 0/);
  });
});

describe("the view of one side's live trace (secc --web, evcc --web)", () => {
  test("the charger's trace: its tx go to the EV, V/I/SoC from the key values, the summary at the end", () => {
    const view = new TraceView("xs15118 secc", "secc");
    view.event(1000, "secc", "session #1: vehicle connected");
    view.message(1000, "rx", "CurrentDemandReq", summaryValues("EVTargetVoltage=400V EVTargetCurrent=100A SOC=42% status=EVSE_Ready"));
    view.message(1100, "tx", "CurrentDemandRes", summaryValues("ResponseCode=OK EVSEPresentVoltage=398.5V EVSEPresentCurrent=-20A"));
    view.ended({ outcome: "ev-terminate", ok: true });
    view.source.finish();
    const v = view.source.view();
    assert.equal(v.done, true);
    assert.deepEqual(v.messages.map((m) => [m.dir, m.type, m.t]), [["EV→EVSE", "CurrentDemandReq", 0], ["EVSE→EV", "CurrentDemandRes", 0.1]]);
    assert.equal((v.messages[0].content as Record<string, string>).SOC, "42%");
    assert.deepEqual(v.samples, [{ t: 0.1, voltage: 398.5, current: -20, power: -7.97, soc: 42 }]);
    assert.deepEqual(v.timeline, [{ t: 0, source: "secc", text: "session #1: vehicle connected" }]);
    assert.equal(v.summary.outcome, "ev-terminate");
  });

  test("the vehicle's trace: its tx go to the EVSE", () => {
    const view = new TraceView("xs15118 evcc", "evcc");
    view.message(0, "tx", "PowerDeliveryReq", { progress: "Start" });
    view.message(5, "rx", "CurrentDemandRes", { presentVoltage: 370, presentCurrent: 120, soc: 51 });
    const v = view.view(false);
    assert.deepEqual(v.messages.map((m) => m.dir), ["EV→EVSE", "EVSE→EV"]);
    assert.deepEqual(v.samples, [{ t: 0.005, voltage: 370, current: 120, power: 44.4, soc: 51 }]);
  });
});

test("sim --web 0 --speed max: the session's view is served, finished, until SIGTERM", async () => {
  const io = bufferIo();
  const run = main(["sim", "--protocol", "din", "--capacity", "5", "--start-soc", "70", "--target-soc", "71", "--quiet", "--web", "0", "--speed", "max"], io);
  let url: string | undefined;
  for (let i = 0; i < 600 && url === undefined; i++) {
    url = io.stderr.map((l) => /its view stays on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(l)?.[1]).find((u) => u !== undefined);
    if (url === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(url, io.stderr.join("\n"));
  const served = JSON.parse((await get(`${url}api/view`)).body);
  assert.equal(served.done, true);
  assert.equal(served.title, "DIN DC session: charging-complete");
  assert.equal(served.messages[served.messages.length - 1].type, "SessionStopRes");
  process.emit("SIGTERM");
  assert.equal(await run, 0);
});
