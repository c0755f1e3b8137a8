// Logging interface: the core says what happened and why; the host decides where it goes.

export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

export interface Logger {
  /**
   * `source` names the component ("slac", "secc.din", "v2gtp"); `message` says what and why.
   * `fields` carries structured values for traces and JSON output; may be omitted on hot paths.
   */
  log(level: LogLevel, source: string, message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Discards everything; the default where no logger is given. */
export const silentLogger: Logger = Object.freeze({
  log(): void {},
});

/** Collects entries in memory; for tests. */
export class MemoryLogger implements Logger {
  readonly entries: { level: LogLevel; source: string; message: string; fields?: Readonly<Record<string, unknown>> }[] = [];

  log(level: LogLevel, source: string, message: string, fields?: Readonly<Record<string, unknown>>): void {
    this.entries.push({ level, source, message, fields });
  }

  /** Entries whose message contains `text`. */
  find(text: string): { level: LogLevel; source: string; message: string }[] {
    return this.entries.filter((e) => e.message.indexOf(text) >= 0);
  }
}
