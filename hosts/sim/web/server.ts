// The session view's web server (`xs15118 view --web`, `sim --web`, `secc|evcc --web`): node:http
// on 127.0.0.1 only (a capture holds session IDs, certificates and MACs: nothing for the
// network). Serves the page (hosts/sim/web/page), uPlot from node_modules (no CDN: works
// offline), the view as JSON and its growth as Server-Sent Events while a session runs.
//
//   GET /                 the page          GET /api/view        the view (messages without content)
//   GET /api/message/N    message N decoded GET /api/events      SSE: "view" once, then "append" deltas
//   GET /app.js, /style.css, /uplot.js, /uplot.css

import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ChartMessage, SessionView } from "./view-model";

/** Where a view comes from: a file (fixed) or a running session (grows, then ends). */
export interface ViewSource {
  view(): SessionView;
  /** Called after each change of the view; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/** A view that never changes (a capture file). */
export function fixedSource(view: SessionView): ViewSource {
  return { view: () => view, subscribe: () => () => undefined };
}

export interface ViewServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "page");

/** uPlot's browser build and stylesheet, from the installed package. */
function uplotFiles(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const dist = path.join(path.dirname(require.resolve("uplot/package.json")), "dist");
  return { js: path.join(dist, "uPlot.iife.min.js"), css: path.join(dist, "uPlot.min.css") };
}

const STATIC: Record<string, { file: () => string; type: string }> = {
  "/": { file: () => path.join(PAGE_DIR, "index.html"), type: "text/html; charset=utf-8" },
  "/index.html": { file: () => path.join(PAGE_DIR, "index.html"), type: "text/html; charset=utf-8" },
  "/app.js": { file: () => path.join(PAGE_DIR, "app.js"), type: "text/javascript; charset=utf-8" },
  "/style.css": { file: () => path.join(PAGE_DIR, "style.css"), type: "text/css; charset=utf-8" },
  "/uplot.js": { file: () => uplotFiles().js, type: "text/javascript; charset=utf-8" },
  "/uplot.css": { file: () => uplotFiles().css, type: "text/css; charset=utf-8" },
};

/** The view as the page gets it: messages without their (large) decoded content. */
export function pageView(view: SessionView): Omit<SessionView, "messages"> & { messages: Omit<ChartMessage, "content">[] } {
  return { ...view, messages: view.messages.map(({ content: _c, ...rest }) => rest) };
}

/** What a client has already been sent: the lists only grow, the rest is sent whole. */
interface Sent {
  messages: number;
  timeline: number;
  samples: number;
}

function delta(view: SessionView, sent: Sent): object {
  const page = pageView(view);
  const out = {
    messages: page.messages.slice(sent.messages),
    timeline: page.timeline.slice(sent.timeline),
    samples: page.samples.slice(sent.samples),
    limit: page.limit,
    marks: page.marks,
    summary: page.summary,
    notes: page.notes,
    title: page.title,
    done: page.done,
    kind: page.kind,
  };
  sent.messages = view.messages.length;
  sent.timeline = view.timeline.length;
  sent.samples = view.samples.length;
  return out;
}

/** Serves `source` on 127.0.0.1:`port` (0: any free port). Resolves once listening. */
export function startViewServer(source: ViewSource, port: number): Promise<ViewServer> {
  const clients = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "only GET\n");
    const file = STATIC[url.pathname];
    if (file !== undefined) {
      let body: Buffer;
      try {
        body = fs.readFileSync(file.file());
      } catch (error) {
        return send(res, 500, "text/plain", `cannot read the page: ${(error as Error).message}\n`);
      }
      return send(res, 200, file.type, body);
    }
    if (url.pathname === "/api/view") return send(res, 200, "application/json", JSON.stringify(pageView(source.view())));
    const message = /^\/api\/message\/(\d+)$/.exec(url.pathname);
    if (message) {
      const m = source.view().messages[Number(message[1])];
      return m === undefined ? send(res, 404, "application/json", '{"error":"no such message"}') : send(res, 200, "application/json", JSON.stringify(m));
    }
    if (url.pathname === "/api/events") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      const view = source.view();
      const sent: Sent = { messages: view.messages.length, timeline: view.timeline.length, samples: view.samples.length };
      res.write(`event: view\ndata: ${JSON.stringify(pageView(view))}\n\n`);
      clients.add(res);
      const unsubscribe = source.subscribe(() => res.write(`event: append\ndata: ${JSON.stringify(delta(source.view(), sent))}\n\n`));
      req.on("close", () => {
        unsubscribe();
        clients.delete(res);
      });
      return;
    }
    if (url.pathname === "/favicon.ico") return send(res, 204, "image/x-icon", "");
    send(res, 404, "text/plain", "not found\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      const actual = typeof address === "object" && address !== null ? address.port : port;
      resolve({
        url: `http://127.0.0.1:${actual}/`,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            for (const c of clients) c.end();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

/**
 * A running session's view: rebuilt from its capture after changes, at most every `interval`
 * ms and never more often than four times the last rebuild took (a long session's dissection
 * costs; the page only needs to keep up with a person watching).
 */
export class LiveSource implements ViewSource {
  private current: SessionView;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private lastBuildMs = 0;

  constructor(
    private readonly build: (done: boolean) => SessionView,
    private readonly interval = 500,
  ) {
    this.current = build(false);
  }

  view(): SessionView {
    return this.current;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Something was recorded: the view is rebuilt soon. */
  changed(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => this.rebuild(false), Math.max(this.interval, 4 * this.lastBuildMs));
  }

  /** The session is over: one last rebuild now. */
  finish(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.dirty = true;
    this.rebuild(true);
  }

  private rebuild(done: boolean): void {
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    const t0 = performance.now();
    this.current = this.build(done);
    this.lastBuildMs = performance.now() - t0;
    for (const l of this.listeners) l();
  }
}
