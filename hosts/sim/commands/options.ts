// The command line convention every xs15118 command follows: one option parser, one set of
// names for the same concepts, one meaning of the exit status.
//
//   try {
//     const parsed = parseOptions("evcc", args, EVCC_OPTIONS);     // throws UsageError
//     const soc = numberOption("evcc", parsed, "--start-soc", 0, 100);
//     for (const w of parsed.warnings) io.err(w);   // deprecated names still work, with a warning
//   } catch (error) {
//     if (error instanceof UsageError) return usageError(io, error);   // exit 2
//     throw error;
//   }
//
// --name VALUE and --name=VALUE; a value-taking option never swallows a following --option as
// its value (--pcap --quiet is an error naming both; --pcap=--quiet when that file is meant);
// an unknown option is an error with the nearest known name as a hint; "--" ends the options.

import type { CliIo } from "../cli";

/** The exit status of every command. */
export const EXIT = Object.freeze({
  /** Done; for a session: it ended normally. */
  ok: 0,
  /** The session or the operation failed (the message or the summary says why). */
  failed: 1,
  /** The command line is wrong: unknown option, missing or bad value. Nothing was done. */
  usage: 2,
  /** The environment: a file that cannot be read or written, no such interface, a port in use. */
  environment: 3,
});

/** The exit-status paragraph of every command's --help and of `xs15118 --help`. */
export const EXIT_STATUS_HELP = [
  "exit status: 0 done (a session: ended normally)",
  "             1 the session or the operation failed (the summary or the message says why)",
  "             2 usage error: unknown option, missing or bad value (nothing was run)",
  "             3 environment: a file that cannot be read or written, no such interface, port in use",
].join("\n");

export interface OptionSpec {
  /** "--start-soc". */
  name: string;
  /** Value-taking options: the value's placeholder in messages ("N", "FILE"); flags: absent. */
  value?: string;
  /** Old names still accepted, each with a warning naming this one. */
  deprecated?: readonly string[];
  /** Other accepted spellings, without a warning ("-s" for --schema, --protocols for --protocol). */
  synonyms?: readonly string[];
  /** May be given more than once (all values kept); otherwise the last one counts. */
  repeatable?: boolean;
}

export interface ParsedOptions {
  /** By canonical name: the value (the last one given), or true for a flag. */
  values: Map<string, string | true>;
  /** Every value of a repeatable option, in order. */
  lists: Map<string, string[]>;
  positionals: string[];
  /** "xs15118 evcc: --soc is deprecated: use --start-soc" lines, for stderr. */
  warnings: string[];
}

/** A wrong command line: exit 2 with `message` and the hint to --help. */
export class UsageError extends Error {
  readonly command: string;
  constructor(command: string, message: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/** Prints a usage error the same way for every command and returns exit status 2. */
export function usageError(io: CliIo, error: UsageError): number {
  io.err(`xs15118 ${error.command}: ${error.message}`);
  io.err(`(xs15118 ${error.command} --help for the options)`);
  return EXIT.usage;
}

/**
 * Runs a command's `parse`: a UsageError is printed and becomes exit status 2 (returned as a
 * number); otherwise the deprecation warnings of the parse are printed and its result returned.
 */
export function parseOrExit<T extends object>(io: CliIo, parse: () => T): T | number {
  let result: T;
  try {
    result = parse();
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error);
    throw error;
  }
  for (const w of (result as { warnings?: readonly string[] }).warnings ?? []) io.err(w);
  return result;
}

/** Prints an environment error (a file, an interface, a port) and returns exit status 3. */
export function environmentError(io: CliIo, command: string, message: string): number {
  io.err(`xs15118 ${command}: ${message}`);
  return EXIT.environment;
}

/** Whether `arg` looks like an option rather than a value: "--x", "-x" (but not "-", "-5"). */
function looksLikeOption(arg: string): boolean {
  return /^--?[A-Za-z]/.test(arg);
}

/** Parses `args` by `specs`; throws a UsageError for a wrong command line. */
export function parseOptions(command: string, args: readonly string[], specs: readonly OptionSpec[], shape: { positionals: number | "any"; positionalName?: string } = { positionals: 0 }): ParsedOptions {
  const byName = new Map<string, { spec: OptionSpec; deprecated: boolean }>();
  for (const spec of specs) {
    byName.set(spec.name, { spec, deprecated: false });
    for (const s of spec.synonyms ?? []) byName.set(s, { spec, deprecated: false });
    for (const d of spec.deprecated ?? []) byName.set(d, { spec, deprecated: true });
  }
  const out: ParsedOptions = { values: new Map(), lists: new Map(), positionals: [], warnings: [] };
  const usage = (message: string) => new UsageError(command, message);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.positionals.push(...args.slice(i + 1));
      break;
    }
    if (!looksLikeOption(arg)) {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const given = eq > 0 ? arg.slice(0, eq) : arg;
    const entry = byName.get(given);
    if (!entry) throw usage(`unknown option ${given}${hint(given, byName)}`);
    const { spec } = entry;
    if (entry.deprecated) out.warnings.push(`xs15118 ${command}: ${given} is deprecated: use ${spec.name}`);
    let value: string | true = true;
    if (spec.value === undefined) {
      if (eq > 0) throw usage(`${given} takes no value (got ${arg})`);
    } else if (eq > 0) value = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      if (next === undefined) throw usage(`${given} needs a value (${spec.value})`);
      if (looksLikeOption(next)) {
        throw usage(`${given} needs a value (${spec.value}), but the next argument is the option ${next}; if ${next} is really the value, write ${given}=${next}`);
      }
      value = next;
      i++;
    }
    if (spec.value !== undefined && value === "") throw usage(`${given} needs a value (${spec.value}), got an empty one`);
    out.values.set(spec.name, value);
    if (spec.repeatable && typeof value === "string") {
      const list = out.lists.get(spec.name) ?? [];
      list.push(value);
      out.lists.set(spec.name, list);
    }
  }
  if (shape.positionals !== "any" && out.positionals.length > shape.positionals) {
    const extra = out.positionals.slice(shape.positionals);
    throw usage(shape.positionals === 0 ? `unexpected argument${extra.length > 1 ? "s" : ""} ${extra.map((a) => `'${a}'`).join(" ")} (this command takes options only)` : `too many arguments: ${extra.map((a) => `'${a}'`).join(" ")} (expected ${shape.positionalName ?? `${shape.positionals}`})`);
  }
  return out;
}

/** " (did you mean --start-soc?)" for a near miss of a known name, else "". */
function hint(given: string, known: Map<string, { spec: OptionSpec }>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const [name, { spec }] of known) {
    const d = editDistance(given.replace(/^-+/, ""), name.replace(/^-+/, ""));
    if (d < bestDistance) {
      bestDistance = d;
      best = spec.name;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(given.length / 4)) ? ` (did you mean ${best}?)` : "";
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

// ------------------------------------------------------------ values

/** The string value of an option, or undefined when absent. */
export function stringOption(parsed: ParsedOptions, name: string): string | undefined {
  const v = parsed.values.get(name);
  return typeof v === "string" ? v : undefined;
}

export function flag(parsed: ParsedOptions, name: string): boolean {
  return parsed.values.get(name) === true;
}

/** A number in min..max (an integer where asked); undefined when absent; throws a UsageError when bad. */
export function numberOption(command: string, parsed: ParsedOptions, name: string, min: number, max: number, integer = false): number | undefined {
  const text = stringOption(parsed, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(command, `${name} ${text}: expected ${integer ? "a whole number" : "a number"} from ${min} to ${max}`);
  }
  return n;
}

/** One of `known` (case-insensitive); undefined when absent. */
export function choiceOption<T extends string>(command: string, parsed: ParsedOptions, name: string, known: readonly T[], what: string): T | undefined {
  const text = stringOption(parsed, name);
  if (text === undefined) return undefined;
  const v = text.trim().toLowerCase();
  if ((known as readonly string[]).indexOf(v) < 0) throw new UsageError(command, `unknown ${what} '${text}' (known: ${known.join(", ")})`);
  return v as T;
}

/** A comma-separated list of `known` values, duplicates dropped, order kept. */
export function listOption<T extends string>(command: string, parsed: ParsedOptions, name: string, known: readonly T[], what: string): T[] | undefined {
  const text = stringOption(parsed, name);
  if (text === undefined) return undefined;
  const items = text.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  const unknown = items.filter((s) => (known as readonly string[]).indexOf(s) < 0);
  if (unknown.length > 0) throw new UsageError(command, `unknown ${what} '${unknown.join("', '")}' (known: ${known.join(", ")})`);
  if (items.length === 0) throw new UsageError(command, `no ${what} given in ${name}`);
  return items.filter((s, i) => items.indexOf(s) === i) as T[];
}

const DURATION_UNITS: Readonly<Record<string, number>> = Object.freeze({ "": 1000, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 });

/** "90" or "90s" (seconds), "15m"/"15min", "8h", "1.5h" → ms; undefined when absent. */
export function durationOption(command: string, parsed: ParsedOptions, name: string, minMs: number, maxMs: number): number | undefined {
  const text = stringOption(parsed, name);
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h)?\s*$/i.exec(text);
  const ms = m ? Number(m[1]) * DURATION_UNITS[(m[2] ?? "").toLowerCase()] : NaN;
  if (!(ms >= minMs && ms <= maxMs)) {
    throw new UsageError(command, `${name} ${text}: expected a duration from ${minMs / 1000} s to ${maxMs / 3_600_000} h: seconds (3600), or with a unit (90s, 15m, 8h)`);
  }
  return Math.round(ms);
}

// ------------------------------------------------------------ shared option names

/** The options sim, secc and evcc share, with the same names and meanings everywhere. */
export const SESSION_OPTIONS = Object.freeze({
  protocol: { name: "--protocol", value: "LIST", synonyms: ["--protocols"] },
  transfer: { name: "--transfer", value: "T" },
  startSoc: { name: "--start-soc", value: "N", deprecated: ["--soc"] },
  targetSoc: { name: "--target-soc", value: "N" },
  capacity: { name: "--capacity", value: "KWH", deprecated: ["--battery-kwh"] },
  maxTime: { name: "--max-time", value: "DURATION", deprecated: ["--timeout"] },
  port: { name: "--port", value: "N" },
  iface: { name: "--iface", value: "IFACE" },
  json: { name: "--json" },
  quiet: { name: "--quiet" },
  verbose: { name: "--verbose" },
} satisfies Record<string, OptionSpec>);

/** What a vehicle's session takes in sim and evcc alike. */
export const VEHICLE_SESSION_OPTIONS: readonly OptionSpec[] = Object.freeze([
  SESSION_OPTIONS.protocol,
  SESSION_OPTIONS.transfer,
  SESSION_OPTIONS.startSoc,
  SESSION_OPTIONS.targetSoc,
  SESSION_OPTIONS.capacity,
  SESSION_OPTIONS.maxTime,
  SESSION_OPTIONS.json,
  SESSION_OPTIONS.quiet,
  SESSION_OPTIONS.verbose,
]);

/** A target SoC must lie above the start (the vehicle would stop at once otherwise). */
export function checkSocRange(command: string, startSoc: number, targetSoc: number): void {
  if (!(targetSoc > startSoc)) throw new UsageError(command, `--target-soc ${targetSoc} must be above --start-soc ${startSoc} (the vehicle would have nothing to charge)`);
}
