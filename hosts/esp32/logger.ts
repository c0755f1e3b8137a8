// Logger for Moddable hosts: one line per entry on the debug console (xsbug / serial), stamped
// with the date once the wall clock knows it and with the time since start until then
// (modules/common/wall-clock.ts formatLogTime): a board boots without a date.

import type { Logger, LogLevel } from "../../modules/common/index";

export class TraceLogger implements Logger {
  readonly #level: number;
  readonly #stamp: (() => string) | undefined;

  constructor(options?: { level?: LogLevel; stamp?: () => string }) {
    this.#level = LEVELS.indexOf(options?.level ?? "info");
    this.#stamp = options?.stamp;
  }

  log(level: LogLevel, source: string, message: string): void {
    if (LEVELS.indexOf(level) > this.#level) return;
    trace(`${this.#stamp ? `${this.#stamp()} ` : ""}${level} ${source}: ${message}\n`);
  }
}

const LEVELS: readonly LogLevel[] = Object.freeze(["error", "warn", "info", "debug", "trace"]);
