// Logger for Moddable hosts: one line per entry on the debug console (xsbug / serial).

import type { Logger, LogLevel } from "../../modules/common/index";

export class TraceLogger implements Logger {
  readonly #level: number;

  constructor(options?: { level?: LogLevel }) {
    this.#level = LEVELS.indexOf(options?.level ?? "info");
  }

  log(level: LogLevel, source: string, message: string): void {
    if (LEVELS.indexOf(level) > this.#level) return;
    trace(`${level} ${source}: ${message}\n`);
  }
}

const LEVELS: readonly LogLevel[] = Object.freeze(["error", "warn", "info", "debug", "trace"]);
