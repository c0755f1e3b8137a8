// An update server for the updater's tests: byte ranges (RFC 9110 §14), a connection that can
// be cut after N body bytes, each body delivered in 1,000-byte pieces 1 ms apart on the test's
// ManualClock, behind the ECMA-419-shaped HTTP client modules/ota/service.ts speaks.

import type { Clock, Millis } from "../../modules/common/index";
import type { HttpClient, HttpRequest, HttpRequestOptions } from "../../modules/ota/index";

/** An update server with byte ranges; each response body comes in 1,000-byte pieces, 1 ms apart. */
export class UpdateServer {
  readonly files = new Map<string, Uint8Array>();
  readonly requests: { path: string; range: string | undefined }[] = [];
  /** Ends the next response after this many body bytes (a lost connection). */
  cutAfter: number | undefined;
  readonly #clock: () => Clock;

  /** `clock`: the device's clock of the moment (a simulated power-on makes a new one). */
  constructor(clock: () => Clock) {
    this.#clock = clock;
  }

  connect(): HttpClient {
    const server = this;
    let closed = false;
    return {
      request(options: HttpRequestOptions): HttpRequest {
        const range = options.headers.get("range");
        server.requests.push({ path: options.path, range });
        const file = server.files.get(options.path);
        const from = range ? Number(/^bytes=(\d+)-$/.exec(range)![1]) : 0;
        const cut = server.cutAfter;
        server.cutAfter = undefined;
        let pending: Uint8Array | undefined;
        const request: HttpRequest = {
          read(count: number) {
            const out = pending!.slice(0, count);
            pending = undefined;
            return out.buffer as ArrayBuffer;
          },
        };
        const clock = server.#clock();
        let at = from;
        const step = (): void => {
          if (closed) return;
          if (!file) return options.onDone.call(request);
          const end = Math.min(file.length, at + 1000, cut === undefined ? Infinity : from + cut);
          if (at >= end) return options.onDone.call(request, at < file.length ? new Error("connection reset") : undefined);
          pending = file.subarray(at, end);
          at = end;
          options.onReadable.call(request, pending.length);
          clock.set(step, 1 as Millis);
        };
        clock.set(() => {
          if (closed) return;
          if (!file) options.onHeaders.call(request, 404, new Map());
          else if (range) options.onHeaders.call(request, 206, new Map([["content-range", `bytes ${from}-${file.length - 1}/${file.length}`]]));
          else options.onHeaders.call(request, 200, new Map());
          step();
        }, 1 as Millis);
        return request;
      },
      close() {
        closed = true;
      },
    };
  }
}
