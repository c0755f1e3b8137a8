// `xs15118 exi decode|encode|batch`: the EXI codec on the command line — EXI hex ⇄ JSON message
// objects or the standard's XML, and a line protocol for driving it from other tools.

import * as fs from "node:fs";
import * as readline from "node:readline";
import type { CliIo, Command } from "../cli";
import { processIo } from "../cli";
import { decode, decodeFragment, encode, encodeFragment, ExiError, fromXmlTree, SCHEMA_IDS, toXmlTree, type SchemaId } from "../../../modules/exi/index";
import { parseXml, serializeXml, XmlError } from "../../../modules/exi/xml";
import { fromHex, toHex } from "../../../modules/common/index";
import { fromJson, toJson } from "../exi-json";

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
  "Exit status: 0 done, 1 the input did not decode/encode (ExiError, bad XML/JSON), 2 usage.",
].join("\n");

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

function decodeAs(t: Target, bytes: Uint8Array): object {
  return t.fragment ? decodeFragment(t.schema, bytes) : decode(t.schema, bytes);
}

function encodeAs(t: Target, doc: object): Uint8Array {
  return t.fragment ? encodeFragment(t.schema, doc) : encode(t.schema, doc);
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
  constructor() {
    super("bad-hex: not an even number of hex digits");
    this.name = "BadHex";
  }
}

function hexBytes(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (!bytes) throw new BadHex();
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
        const again = encodeAs(target, decodeAs(target, bytes));
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
  target?: Target;
  xml: boolean;
  positional: string[];
  error?: string;
}

function parseOptions(args: string[]): Options {
  const o: Options = { xml: false, positional: [] };
  let schemaName: string | undefined;
  let fragment = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--schema" || a === "-s") schemaName = args[++i];
    else if (a.startsWith("--schema=")) schemaName = a.slice(9);
    else if (a === "--xml") o.xml = true;
    else if (a === "--fragment") fragment = true;
    else if (a.startsWith("--")) o.error = `unknown option ${a}`;
    else o.positional.push(a);
  }
  if (schemaName === undefined) o.error ??= "--schema is required";
  else {
    o.target = parseSchema(schemaName, fragment);
    if (!o.target) o.error ??= `unknown schema '${schemaName}' (one of ${SCHEMA_IDS.join(", ")}, optionally +frag)`;
  }
  return o;
}

async function readInput(name: string, io: CliIo): Promise<string> {
  return name === "-" ? io.readStdin() : fs.readFileSync(name, "utf8");
}

const command: Command = {
  summary: "EXI codec: decode hex to JSON/XML, encode JSON/XML to hex, batch line protocol",
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === "batch" && rest.length === 0) return runBatch(io);
    if (sub !== "decode" && sub !== "encode") {
      io.err(USAGE);
      return 2;
    }
    const o = parseOptions(rest);
    if (o.error || o.positional.length !== 1 || !o.target) {
      io.err(`xs15118 exi ${sub}: ${o.error ?? "expected exactly one input"}`);
      io.err(USAGE);
      return 2;
    }
    const target = o.target;
    try {
      if (sub === "decode") {
        const hex = o.positional[0] === "-" ? await io.readStdin() : o.positional[0];
        const doc = decodeAs(target, hexBytes(hex));
        io.out(o.xml ? serializeXml(toXmlTree(target.schema, doc)) : JSON.stringify(toJson(doc), null, 2));
      } else {
        const text = await readInput(o.positional[0], io);
        const doc = o.xml ? fromXmlTree(target.schema, parseXml(text), { fragment: target.fragment }) : fromJson(target.schema, JSON.parse(text), target.fragment);
        io.out(toHex(encodeAs(target, doc)));
      }
      return 0;
    } catch (error) {
      if (!isInputError(error)) throw error;
      io.err(`xs15118 exi ${sub}: ${error instanceof BadHex ? error.message : reasonOf(error)}`);
      return 1;
    }
  },
};

export default command;
