// The firmware's update service: asks the configured update server for newer images, feeds the
// Updater from where it resumes, never while a charging session runs, and confirms a new image
// healthy once the host says its session layer is up (the Updater rolls it back otherwise).
//
// The server is reached through an ECMA-419 HTTP client (embedded:network/http/client, 2nd
// edition: request({ method, path, headers, onHeaders, onReadable, onDone }) and read(count) on
// the request), over TLS on a device: the HTTPS of issue 18 item 5. A byte range
// (RFC 9110 §14.2, `Range: bytes=N-`) resumes an interrupted download where the flash host can.

import type { Clock, Millis, TimerHandle } from "../common/clock";
import { Seconds } from "../common/clock";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import type { SessionActivity } from "./flash";
import { IMAGE_HEADER_SIZE, parseImageHeader } from "./image";
import type { ReceiveResult, Updater } from "./updater";

/** The request of an ECMA-419 HTTP client, as far as the service uses it. */
export interface HttpRequest {
  read(count: number): ArrayBuffer | undefined;
}

export interface HttpRequestOptions {
  method: string;
  path: string;
  headers: Map<string, string>;
  onHeaders(this: HttpRequest, status: number, headers: Map<string, string>): void;
  onReadable(this: HttpRequest, count: number): void;
  onDone(this: HttpRequest, error?: Error): void;
}

/** An ECMA-419 HTTP client connected to the update server (one per check, closed after it). */
export interface HttpClient {
  request(options: HttpRequestOptions): HttpRequest;
  close(): void;
}

export interface UpdateServiceOptions {
  updater: Updater;
  clock: Clock;
  activity: SessionActivity;
  /** Opens a connection to the configured update server (HTTPS on a device). */
  connect(): HttpClient;
  /**
   * The server paths of this board's images, asked in order at each check (e.g. the firmware,
   * then the mod: `/esp32-qca7000/firmware.x5u`, `/esp32-qca7000/mod.x5u`).
   */
  paths: readonly string[];
  /**
   * The host's session layer is up (the V2G server listens, or on a board without an IP link
   * yet, the pilot runs and the modem answers on SPI). A new image is confirmed only then, and
   * only if the Updater's self-test passes; otherwise its health timer rolls it back.
   */
  sessionLayerUp(): boolean;
  /** Between checks (default 6 h). */
  checkInterval?: Millis;
  /** After an interrupted transfer or while a session runs (default 60 s). */
  retryInterval?: Millis;
  /** Interrupted transfers of one image before waiting for the next check (default 5). */
  attempts?: number;
  /** First check after start-up (default 60 s: the station comes up first). */
  firstCheck?: Millis;
  /**
   * A new image runs at least this long before it can be confirmed (default 60 s): time for the
   * modem's synchronisation, the watchdog and the first checks to show a fault.
   */
  healthDelay?: Millis;
  /** Then how often it looks whether its session layer is up (default 5 s). */
  healthPoll?: Millis;
  logger?: Logger;
}

type Outcome = "done" | "retry";

/** One transfer of one image: the header is looked at before the Updater sees a byte. */
class Transfer {
  readonly #o: UpdateServiceOptions;
  readonly #log: Logger;
  readonly #path: string;
  readonly #from: number;
  readonly #client: HttpClient;
  readonly #onEnd: (outcome: Outcome) => void;
  readonly #header = new Uint8Array(IMAGE_HEADER_SIZE);
  #headerFill = 0;
  #skip = 0;
  #received = 0;
  #ended = false;

  constructor(options: UpdateServiceOptions, path: string, onEnd: (outcome: Outcome) => void) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#path = path;
    this.#onEnd = onEnd;
    this.#from = options.updater.downloadFrom();
    // Resuming: the header was checked when the download began (the Updater kept it).
    if (this.#from > 0) this.#headerFill = IMAGE_HEADER_SIZE;
    const headers = new Map<string, string>();
    if (this.#from > 0) headers.set("range", `bytes=${this.#from}-`);
    this.#client = options.connect();
    const transfer = this;
    this.#client.request({
      method: "GET",
      path,
      headers,
      onHeaders(status, h) {
        transfer.#headers(status, h);
      },
      onReadable(count) {
        transfer.#readable(this, count);
      },
      onDone(error) {
        transfer.#end("retry", `${path}: ${error ? error.message : "the body ended early"} at byte ${transfer.#from + transfer.#received}`);
      },
    });
  }

  #headers(status: number, headers: Map<string, string>): void {
    if (status === 206) {
      const range = /^bytes (\d+)-/.exec(headers.get("content-range") ?? "");
      if (!range || Number(range[1]) !== this.#from) this.#end("retry", `${this.#path}: Content-Range ${headers.get("content-range")} for bytes=${this.#from}-`);
    } else if (status === 200) {
      this.#skip = this.#from; // the server ignored the range: drop what the Updater has already
    } else if (status === 404) {
      this.#end("done", `${this.#path}: none on the server (HTTP 404)`, "debug");
    } else {
      this.#end("retry", `${this.#path}: HTTP ${status}`);
    }
  }

  #readable(request: HttpRequest, count: number): void {
    if (this.#ended) return;
    const buffer = request.read(count);
    if (!buffer) return;
    let chunk = new Uint8Array(buffer);
    if (this.#skip > 0) {
      const drop = Math.min(this.#skip, chunk.length);
      this.#skip -= drop;
      chunk = chunk.subarray(drop);
    }
    if (this.#o.activity.sessionActive()) {
      // Writing flash stalls the CPU for each erase (tens of ms on the ESP32, its cache off):
      // the session's timers and the pilot sampling must not see that. The transfer stops and
      // resumes (or restarts, where the flash host cannot resume) after the session.
      this.#end("retry", `${this.#path}: a charging session started: the download waits for its end`, "info");
      return;
    }
    if (this.#headerFill < IMAGE_HEADER_SIZE) {
      const take = Math.min(IMAGE_HEADER_SIZE - this.#headerFill, chunk.length);
      this.#header.set(chunk.subarray(0, take), this.#headerFill);
      this.#headerFill += take;
      chunk = chunk.subarray(take);
      if (this.#headerFill < IMAGE_HEADER_SIZE) return;
      if (!this.#newer()) return;
      if (!this.#feed(this.#header)) return;
    }
    if (chunk.length > 0) this.#feed(chunk);
  }

  /** The server's image is newer than what runs; otherwise the transfer ends quietly. */
  #newer(): boolean {
    let header;
    try {
      header = parseImageHeader(this.#header);
    } catch {
      return true; // the Updater refuses it with the reason and logs it
    }
    const installed = this.#o.updater.installed;
    const current = header.kind === "firmware" ? installed.firmware : installed.mod;
    if (header.version > current || (header.kind === "mod" && installed.restoreMod)) return true;
    this.#end("done", `${this.#path}: ${header.kind} ${header.version} on the server, ${current} installed: up to date`, "debug");
    return false;
  }

  /** Hands bytes to the Updater; false once the transfer ended. */
  #feed(bytes: Uint8Array): boolean {
    let result: ReceiveResult;
    try {
      result = this.#o.updater.receive(bytes);
    } catch (error) {
      // A flash write failed: the device keeps running what it runs and tries again later.
      this.#end("retry", `${this.#path}: ${(error as Error).message}`, "error");
      return false;
    }
    this.#received += bytes.length;
    if (result.status === "more") return true;
    if (result.status === "refused") this.#end("done", `${this.#path}: refused (${result.reason})`, "warn");
    else this.#end("done", `${this.#path}: ${result.status}`, "info");
    return false;
  }

  #end(outcome: Outcome, why: string, level: "debug" | "info" | "warn" | "error" = "warn"): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#log.log(level, "ota", why);
    this.#client.close();
    this.#onEnd(outcome);
  }

  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#client.close();
  }
}

export class UpdateService {
  readonly #o: UpdateServiceOptions;
  readonly #log: Logger;
  #timer: TimerHandle | undefined;
  #transfer: Transfer | undefined;
  #path = 0;
  #attempt = 0;
  #closed = false;

  constructor(options: UpdateServiceOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
  }

  /** At start-up, after `updater.boot()` (which continues what a restart interrupted). */
  start(): void {
    const updater = this.#o.updater;
    if (updater.phase === "pending") this.#schedule(this.#o.healthDelay ?? Seconds(60), () => this.#health());
    else this.#schedule(this.#o.firstCheck ?? Seconds(60), () => this.#check());
  }

  #health(): void {
    const updater = this.#o.updater;
    if (updater.phase !== "pending") return;
    if (!this.#o.sessionLayerUp()) {
      this.#schedule(this.#o.healthPoll ?? Seconds(5), () => this.#health());
      return;
    }
    // confirmHealthy runs the self-test; a failure rolls back (the device restarts).
    if (updater.confirmHealthy()) this.#schedule(this.#o.firstCheck ?? Seconds(60), () => this.#check());
  }

  #check(): void {
    const o = this.#o;
    const phase = o.updater.phase;
    if (phase !== "idle" && phase !== "downloading") {
      // Downloaded and waiting for idle, or being installed: the Updater drives that itself.
      this.#schedule(o.checkInterval ?? Seconds(6 * 3600), () => this.#check());
      return;
    }
    if (o.activity.sessionActive()) {
      this.#schedule(o.retryInterval ?? Seconds(60), () => this.#check());
      return;
    }
    if (o.paths.length === 0) return;
    const path = o.paths[this.#path];
    try {
      this.#transfer = new Transfer(o, path, (outcome) => this.#ended(outcome));
    } catch (error) {
      this.#log.log("warn", "ota", `${path}: ${(error as Error).message}`);
      this.#ended("retry");
    }
  }

  #ended(outcome: Outcome): void {
    this.#transfer = undefined;
    if (this.#closed) return;
    const o = this.#o;
    if (o.updater.phase !== "idle" && o.updater.phase !== "downloading") return; // activating
    if (outcome === "retry" && ++this.#attempt < (o.attempts ?? 5)) {
      this.#schedule(o.retryInterval ?? Seconds(60), () => this.#check());
      return;
    }
    this.#attempt = 0;
    // A download in progress keeps its path; otherwise the next image, then the next check.
    if (o.updater.phase === "idle") this.#path = (this.#path + 1) % o.paths.length;
    if (this.#path === 0 || o.updater.phase === "downloading") this.#schedule(o.checkInterval ?? Seconds(6 * 3600), () => this.#check());
    else this.#check();
  }

  #schedule(delay: Millis, callback: () => void): void {
    this.#o.clock.clear(this.#timer);
    this.#timer = this.#o.clock.set(() => {
      this.#timer = undefined;
      callback();
    }, delay);
  }

  close(): void {
    this.#closed = true;
    this.#o.clock.clear(this.#timer);
    this.#timer = undefined;
    this.#transfer?.close();
    this.#transfer = undefined;
  }
}
