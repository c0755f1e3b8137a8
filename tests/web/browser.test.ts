// @node-only @slow — the session view in a real browser: Debian's headless Chromium driven by
// puppeteer-core, against the view's server for a known simulated session (from its capture, and
// the same capture replayed as a live session over Server-Sent Events). Skips when no Chromium
// is installed (CI may not have one). XS15118_SCREENSHOT=FILE also writes the screenshot there
// (docs/img/view.png for the README).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";
import { readCapture } from "../../simulation/pcap/read";
import { buildSessionView } from "../../hosts/sim/web/view-model";
import type { SessionView } from "../../hosts/sim/web/view-model";
import { fixedSource, startViewServer } from "../../hosts/sim/web/server";
import type { ViewServer } from "../../hosts/sim/web/server";
import { liveView } from "../../hosts/sim/web/session-tap";

const CANDIDATES = [process.env.CHROME_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
const chromium = CANDIDATES.find((p) => p !== undefined && fs.existsSync(p));
const skip = chromium === undefined ? "no Chromium found (apt-get install chromium, or CHROME_PATH=...): the browser test needs one, CI may not have it" : undefined;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-browser-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const pcap = path.join(dir, "session.pcapng");
let view: SessionView;
let browser: Browser | undefined;

async function openPage(server: ViewServer): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // The page closes its event stream once the session is over: that abort is no failure.
  page.on("requestfailed", (r) => {
    if (!r.url().endsWith("/api/events")) errors.push(`request failed: ${r.url()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  await page.setViewport({ width: 1400, height: 1100 });
  await page.goto(server.url, { waitUntil: "load" });
  return { page, errors };
}

interface Shown {
  count: string;
  items: number;
  first?: string;
  last?: string;
  outcome: string | null;
  protocol: string | null;
  status: string;
  title: string;
  timeline: string[];
  plots: number;
  drawn: number[];
  pilot: string[];
}

/**
 * What the page shows: message count and names, summary fields, timeline, plots drawn. Plain
 * JavaScript text: a function compiled by tsx would carry its helpers (__name) into the page.
 */
const SHOWN = `(() => {
  const items = [...document.querySelectorAll("#messages li")];
  const canvases = [...document.querySelectorAll("#plots canvas")];
  // A plot is drawn when its canvas has coloured pixels (a series), not only grey axes and grid.
  const drawn = canvases.map((c) => {
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 60) coloured++;
    return coloured;
  });
  const field = (name) => { const e = document.querySelector("#summary dd[data-field=" + name + "]"); return e ? e.textContent : null; };
  return {
    count: document.getElementById("message-count").textContent,
    items: items.length,
    first: items.length ? items[0].dataset.type : undefined,
    last: items.length ? items[items.length - 1].dataset.type : undefined,
    outcome: field("outcome"),
    protocol: field("protocol"),
    status: document.getElementById("status").textContent,
    title: document.getElementById("title").textContent,
    timeline: [...document.querySelectorAll("#timeline tbody tr")].map((r) => r.textContent),
    plots: canvases.length,
    drawn,
    pilot: [...document.querySelectorAll("#strip g.state")].map((g) => g.dataset.state),
  };
})()`;

function shown(page: Page): Promise<Shown> {
  return page.evaluate(SHOWN) as Promise<Shown>;
}

function expectSession(s: Shown): void {
  assert.equal(s.count, String(view.messages.length));
  assert.equal(s.items, view.messages.length);
  assert.equal(s.first, "SECCDiscoveryReq");
  assert.equal(s.last, "SessionStopRes");
  assert.equal(s.outcome, "charging-complete");
  assert.equal(s.protocol, "iso2 DC");
  assert.equal(s.title, "ISO2 DC session: charging-complete");
  assert.ok(s.timeline.some((t) => /pilot\s*vehicle plugged in/.test(t)), s.timeline.slice(0, 5).join("\n"));
  assert.ok(s.timeline.some((t) => /slac\s*EV matched EVSE/.test(t)));
  assert.deepEqual(s.pilot, ["A", "B2", "C2", "B2", "A"], "the pilot strip: plugged in, charging, done, unplugged");
  assert.equal(s.plots, 4, "voltage, current, power, SoC");
  for (const n of s.drawn) assert.ok(n > 50, `every plot has a line drawn (${s.drawn})`);
}

describe("the session view in Chromium", { skip }, () => {
  before(async () => {
    const io = bufferIo();
    const code = await main(["sim", "--protocol", "iso2", "--capacity", "5", "--start-soc", "70", "--target-soc", "72", "--quiet", "--pcap", pcap], io);
    assert.equal(code, 0, io.stderr.join("\n"));
    view = buildSessionView(readCapture(new Uint8Array(fs.readFileSync(pcap))), { done: true });
    const puppeteer = (await import("puppeteer-core")).default;
    // The flags that keep Chromium off the network it cannot reach (a closed sandbox refuses its
    // background connections, many at a time) and a fresh profile each launch. Its first start on
    // a cold, loaded CI machine took longer than puppeteer's 30 s default once: allow 120 s and
    // one more try, and keep what Chromium printed for the failure message.
    const args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];
    let lastError: unknown;
    for (let attempt = 1; attempt <= 2 && browser === undefined; attempt++) {
      const userDataDir = fs.mkdtempSync(path.join(dir, `profile-${attempt}-`));
      try {
        browser = await puppeteer.launch({ executablePath: chromium, headless: true, args, userDataDir, timeout: 120_000, protocolTimeout: 120_000 });
      } catch (e) {
        lastError = e;
        console.error(`browser test: Chromium did not start (attempt ${attempt}): ${String(e)}`);
      }
    }
    if (browser === undefined) throw lastError;
  });
  after(async () => {
    await browser?.close();
  });

  test("a capture: messages, first and last, the summary, the timeline, four plots drawn; a message opens decoded", async () => {
    const server = await startViewServer(fixedSource(view), 0);
    try {
      const { page, errors } = await openPage(server);
      await page.waitForSelector("body[data-ready=true]");
      expectSession(await shown(page));
      assert.equal((await shown(page)).status, "finished");
      const setup = view.messages.findIndex((m) => m.type === "SessionSetupRes");
      await page.click(`#messages li[data-n="${setup}"] .row`);
      const content = await page.waitForSelector(`#messages li[data-n="${setup}"] pre.content::-p-text(OK_NewSessionEstablished)`);
      assert.ok(content);
      const shot = path.join(dir, "view.png");
      await page.screenshot({ path: shot });
      assert.ok(fs.statSync(shot).size > 10_000);
      if (process.env.XS15118_SCREENSHOT) fs.copyFileSync(shot, process.env.XS15118_SCREENSHOT);
      assert.deepEqual(errors, []);
    } finally {
      await server.close();
    }
  });

  test("a live session: the page follows it over Server-Sent Events to the end", async () => {
    // The capture replayed as a session under way: half of it, the page connects, then the rest.
    const capture = readCapture(new Uint8Array(fs.readFileSync(pcap)));
    const live = liveView("live session");
    const half = Math.floor(capture.frames.length / 2);
    const journal = capture.journal ?? [];
    const feed = (from: number, to: number) => {
      for (const f of capture.frames.slice(from, to)) live.capture.addFrame(f.time, f.data);
      const until = to < capture.frames.length ? capture.frames[to].time : Infinity;
      for (const e of journal) if (e.time < until && !live.capture.journal.includes(e) && (from === 0 || e.time >= capture.frames[from].time)) live.capture.journal.push(e);
    };
    feed(0, half);
    live.source.changed();
    const server = await startViewServer(live.source, 0);
    try {
      const { page, errors } = await openPage(server);
      await page.waitForSelector("body[data-ready=true]");
      const before = await shown(page);
      assert.equal(before.status, "live");
      assert.ok(Number(before.count) < view.messages.length);
      feed(half, capture.frames.length);
      live.source.finish();
      await page.waitForSelector("#status::-p-text(finished)");
      expectSession(await shown(page));
      assert.deepEqual(errors, []);
    } finally {
      await server.close();
    }
  });
});
