// `xs15118 exi decode|encode|batch`: the EXI codec on the command line — EXI hex ⇄ JSON message
// objects or the standard's XML, and a line protocol for driving it from other tools.

import * as fs from "node:fs";
import * as readline from "node:readline";
import type { CliIo, Command } from "../cli";
import { processIo } from "../cli";
import { createExiCodec, ExiError, SCHEMA_IDS, type SchemaId } from "../../../modules/exi/index";
import { fromXmlTree, toXmlTree } from "../../../tools/exi-xml/convert";
import { NODE_FAST } from "../exi-fast/index";
import { parseXml, serializeXml, XmlError } from "../../../tools/exi-xml/xml";
import { fromHex, hexProblem, toHex } from "../../../modules/common/index";
import { fromJson, toJson } from "../exi-json";
import { EXIT, EXIT_STATUS_HELP, UsageError, environmentError, flag, parseOptions, parseOrExit, stringOption, usageError } from "./options";
import type { OptionSpec } from "./options";

const USAGE = [
  "usage: xs15118 exi decode --schema S [--xml] [--fragment] HEX|-",
  "       xs15118 exi encode --schema S [--xml] [--fragment] FILE|-",
  "       xs15118 exi batch",
  "",
  `schemas: ${SCHEMA_IDS.join(" ")}  (a name ending in +frag means --fragment)`,
  "",
  "decode  prints the message object as JSON (default) or the standard's XML (--xml, one line).",
  "        JSON: bytes (hexBinary/base64Binary) as lower-case hex strings, xs:long/unsignedLong/",
  "        integer values (bigint) as decimal strings, everything else as JSON itself.",
  "encode  reads that JSON (or XML with --xml) from FILE or stdin (-) and prints the EXI hex.",
  "        Integers may be JSON numbers or decimal strings anywhere an integer is expected.",
  "batch   reads requests from stdin, one per line, and answers each with exactly one line:",
  "          decode S HEX      → OK <xml>",
  "          encode S XML      → OK <hex>          (the XML on one line)",
  "          roundtrip S HEX   → OK SAME | OK DIFF <hex of the re-encoding>",
  "        or ERR <reason>: <detail>. Blank lines are ignored. S may end in +frag.",
  "",
  "  --schema S, -s S   the schema (required for decode and encode)",
  "  --xml              XML instead of JSON",
  "  --fragment         an EXI fragment (as a schema name ending in +frag)",
  "",
  EXIT_STATUS_HELP,
  "             (for exi: 1 is input that does not decode or encode: bad hex, EXI, XML or JSON)",
].join("\n");

const OPTIONS: readonly OptionSpec[] = [{ name: "--schema", value: "S", synonyms: ["-s"] }, { name: "--xml" }, { name: "--fragment" }];

interface Target {
  schema: SchemaId;
  fragment: boolean;
}

function parseSchema(name: string | undefined, fragment: boolean): Target | undefined {
  if (name === undefined) return undefined;
  const frag = name.endsWith("+frag");
  const schema = (frag ? name.slice(0, -5) : name) as SchemaId;
  return SCHEMA_IDS.indexOf(schema) >= 0 ? { schema, fragment: fragment || frag } : undefined;
}

/** One codec for the command (batch: every line), with the Node host's generated code of every message (hosts/sim/exi-fast). */
const codec = createExiCodec({ fast: NODE_FAST });

function decodeAs(t: Target, bytes: Uint8Array): object {
  return t.fragment ? codec.decodeFragment(t.schema, bytes) : codec.decode(t.schema, bytes);
}

/** `peer`: re-encode a decoded message as it came (its facet violations included, modules/exi/README.md). */
function encodeAs(t: Target, doc: object, peer = false): Uint8Array {
  const options = { checkFacets: !peer };
  return t.fragment ? codec.encodeFragment(t.schema, doc, options) : codec.encode(t.schema, doc, options);
}

/** One line, whatever the error: "exi-eof: unexpected end … (at 123)". */
function reasonOf(error: unknown): string {
  let text: string;
  if (error instanceof ExiError || error instanceof XmlError) text = error.message;
  else if (error instanceof SyntaxError) text = `json: ${error.message}`;
  else if (error instanceof Error) text = `internal: ${error.name}: ${error.message}`;
  else text = `internal: ${String(error)}`;
  return text.replace(/[\r\n\t]+/g, " ");
}

/** A user-facing failure (bad input), as opposed to a bug. */
function isInputError(error: unknown): boolean {
  return error instanceof ExiError || error instanceof XmlError || error instanceof SyntaxError || error instanceof BadHex;
}

class BadHex extends Error {
  constructor(problem: string) {
    super(`bad-hex: ${problem}`);
    this.name = "BadHex";
  }
}

function hexBytes(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (!bytes) throw new BadHex(hexProblem(text) ?? "not hex");
  return bytes;
}

/** The answer line of one batch request. */
export function batchLine(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed === "") return undefined;
  const first = trimmed.indexOf(" ");
  const second = first < 0 ? -1 : trimmed.indexOf(" ", first + 1);
  if (first < 0 || second < 0) return "ERR usage: expected '<decode|encode|roundtrip> <schema> <data>'";
  const op = trimmed.slice(0, first);
  const target = parseSchema(trimmed.slice(first + 1, second), false);
  const data = trimmed.slice(second + 1).trim();
  if (!target) return `ERR usage: unknown schema '${trimmed.slice(first + 1, second)}'`;
  try {
    switch (op) {
      case "decode":
        return `OK ${serializeXml(toXmlTree(target.schema, decodeAs(target, hexBytes(data))))}`;
      case "encode":
        return `OK ${toHex(encodeAs(target, fromXmlTree(target.schema, parseXml(data), { fragment: target.fragment })))}`;
      case "roundtrip": {
        const bytes = hexBytes(data);
        const again = encodeAs(target, decodeAs(target, bytes), true);
        return toHex(again) === toHex(bytes) ? "OK SAME" : `OK DIFF ${toHex(again)}`;
      }
      default:
        return `ERR usage: unknown operation '${op}'`;
    }
  } catch (error) {
    return `ERR ${error instanceof BadHex ? error.message : reasonOf(error)}`;
  }
}

async function runBatch(io: CliIo): Promise<number> {
  if (io === processIo) {
    // Streaming: answer each line as it arrives, so a driver may wait for every answer.
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      const answer = batchLine(line);
      if (answer !== undefined) io.out(answer);
    }
    return 0;
  }
  const text = await io.readStdin();
  for (const line of text.split("\n")) {
    const answer = batchLine(line);
    if (answer !== undefined) io.out(answer);
  }
  return 0;
}

interface Options {
  target: Target;
  xml: boolean;
  input: string;
}

/** The options of `exi decode|encode`; throws a UsageError for a wrong command line. */
function parseExiArgs(sub: string, args: string[]): Options {
  const command = `exi ${sub}`;
  const parsed = parseOptions(command, args, OPTIONS, { positionals: 1, positionalName: sub === "decode" ? "one HEX or -" : "one FILE or -" });
  const schemaName = stringOption(parsed, "--schema");
  if (schemaName === undefined) throw new UsageError(command, "--schema is required");
  const target = parseSchema(schemaName, flag(parsed, "--fragment"));
  if (!target) throw new UsageError(command, `unknown schema '${schemaName}' (one of ${SCHEMA_IDS.join(", ")}, optionally +frag)`);
  const input = parsed.positionals[0];
  if (input === undefined) throw new UsageError(command, `expected ${sub === "decode" ? "the EXI as HEX, or - for stdin" : "a FILE, or - for stdin"}`);
  return { target, xml: flag(parsed, "--xml"), input };
}

async function readInput(name: string, io: CliIo): Promise<string> {
  return name === "-" ? io.readStdin() : fs.readFileSync(name, "utf8");
}

const command: Command = {
  summary: "EXI codec: decode hex to JSON/XML, encode JSON/XML to hex, batch line protocol",
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === "batch") {
      if (rest.length > 0) return usageError(io, new UsageError("exi batch", `takes no arguments (got ${rest.join(" ")}): the requests come on stdin`));
      return runBatch(io);
    }
    if (sub !== "decode" && sub !== "encode") {
      return usageError(io, new UsageError("exi", sub === undefined ? "expected decode, encode or batch" : `unknown subcommand '${sub}' (decode, encode or batch)`));
    }
    const o = parseOrExit(io, () => parseExiArgs(sub, rest));
    if (typeof o === "number") return o;
    const target = o.target;
    try {
      if (sub === "decode") {
        const hex = o.input === "-" ? await io.readStdin() : o.input;
        const doc = decodeAs(target, hexBytes(hex));
        io.out(o.xml ? serializeXml(toXmlTree(target.schema, doc)) : JSON.stringify(toJson(doc), null, 2));
      } else {
        let text: string;
        try {
          text = await readInput(o.input, io);
        } catch (error) {
          return environmentError(io, `exi ${sub}`, `cannot read ${o.input}: ${(error as Error).message}`);
        }
        const doc = o.xml ? fromXmlTree(target.schema, parseXml(text), { fragment: target.fragment }) : fromJson(target.schema, JSON.parse(text), target.fragment);
        io.out(toHex(encodeAs(target, doc)));
      }
      return EXIT.ok;
    } catch (error) {
      if (!isInputError(error)) throw error;
      io.err(`xs15118 exi ${sub}: ${error instanceof BadHex ? error.message : reasonOf(error)}`);
      return EXIT.failed;
    }
  },
};

export default command;
