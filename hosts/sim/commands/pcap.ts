// `xs15118 pcap FILE [--json]`: every SLAC/HomePlug management message, SDP message and V2GTP
// message of a capture, decoded, one per line — a charging session read without Wireshark.

import * as fs from "node:fs";
import type { Command } from "../cli";
import { readCapture, CaptureFormatError } from "../../../simulation/pcap/read";
import { dissectCapture } from "../pcap/dissect";
import { tlsDecryptor } from "../pcap/tls";
import { toJson } from "../exi-json"; // the same JSON as `xs15118 exi`: bytes as hex, bigint as decimal strings
import type { DissectedMessage, Layer, V2gSession } from "../pcap/dissect";
import { EXIT, EXIT_STATUS_HELP, UsageError, environmentError, flag, listOption, parseOptions, usageError } from "./options";
import type { OptionSpec } from "./options";

const USAGE = [
  "usage: xs15118 pcap FILE [--json] [--layer slac,sdp,v2gtp,tls] [--sessions] [--keylog FILE] [--no-decrypt]",
  "",
  "Lists the SLAC/HomePlug management messages (ethertype 0x88E1), SDP messages (UDP 15118),",
  "V2GTP messages (TCP, reassembled; EXI decoded with the schema the SAP handshake chose) and",
  "TLS records of a pcap or pcapng capture, one per line:",
  "  frame  time(s, from the first frame)  layer  direction/addresses  type  key fields",
  "",
  "  --json         one JSON object per line: {frame, time, layer, type, src, dst, dir?, session?,",
  "                 schema?, fields, exi?, error?}; binary as hex strings, bigint as decimal strings",
  "  --layer LIST   only these layers (comma separated)",
  "  --sessions     after the listing, one line per TCP session: EV/EVSE addresses, SAP result,",
  "                 messages decoded/failed",
  "  --keylog FILE  NSS key-log file (SSLKEYLOGFILE) for TLS sessions. Key-log lines inside the",
  "                 capture (UDP port 52345, pcapng secrets blocks) are used anyway: TLS 1.2",
  "                 (AES-CBC/GCM) and TLS 1.3 sessions with known keys are decrypted and their V2G",
  "                 messages listed after the TLS records that carried them",
  "  --no-decrypt   list TLS records only",
  "",
  "A message that does not decode is listed with its error; the listing always continues.",
  "",
  EXIT_STATUS_HELP,
  "             (for pcap: 1 is a file that is not a pcap/pcapng capture)",
].join("\n");

const OPTIONS: readonly OptionSpec[] = [{ name: "--json" }, { name: "--sessions" }, { name: "--no-decrypt" }, { name: "--layer", value: "LIST" }, { name: "--keylog", value: "FILE", repeatable: true }];

const LAYERS: Layer[] = ["slac", "sdp", "v2gtp", "tls"];

const command: Command = {
  summary: "list the SLAC, SDP and V2G messages of a capture (pcap/pcapng), decoded",
  usage: USAGE,
  run(args, io) {
    let file: string;
    let json: boolean;
    let sessionsToo: boolean;
    let layers: Layer[];
    let decrypt: boolean;
    let keyLogFiles: string[];
    try {
      const parsed = parseOptions("pcap", args, OPTIONS, { positionals: 1, positionalName: "one FILE" });
      if (parsed.positionals.length === 0) throw new UsageError("pcap", "expected the capture FILE");
      file = parsed.positionals[0];
      json = flag(parsed, "--json");
      sessionsToo = flag(parsed, "--sessions");
      decrypt = !flag(parsed, "--no-decrypt");
      layers = listOption("pcap", parsed, "--layer", LAYERS, "layer") ?? LAYERS;
      keyLogFiles = parsed.lists.get("--keylog") ?? [];
    } catch (error) {
      if (error instanceof UsageError) return usageError(io, error);
      throw error;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(fs.readFileSync(file));
    } catch (e) {
      return environmentError(io, "pcap", `cannot read ${file}: ${(e as Error).message}`);
    }
    const keyLog: string[] = [];
    for (const f of keyLogFiles) {
      try {
        keyLog.push(...fs.readFileSync(f, "utf8").split("\n"));
      } catch (e) {
        return environmentError(io, "pcap", `cannot read ${f}: ${(e as Error).message}`);
      }
    }
    let result;
    let warnings: string[];
    try {
      const capture = readCapture(bytes);
      warnings = capture.warnings;
      result = dissectCapture(capture, decrypt ? { tls: tlsDecryptor(keyLog) } : {});
    } catch (e) {
      if (e instanceof CaptureFormatError) {
        io.err(`xs15118 pcap: ${file}: ${e.message}`);
        return EXIT.failed;
      }
      throw e;
    }
    for (const w of warnings) io.err(`xs15118 pcap: ${file}: ${w}`);
    for (const m of result.messages) {
      if (layers.indexOf(m.layer) < 0) continue;
      io.out(json ? jsonLine(m, result.startTime) : textLine(m, result.startTime));
    }
    if (sessionsToo) for (const s of result.sessions) io.out(json ? JSON.stringify(sessionJson(s)) : sessionLine(s));
    return EXIT.ok;
  },
};

export default command;

// ---------------------------------------------------------------- JSON

function relSeconds(m: DissectedMessage, start: number): number {
  return Math.round((m.time - start) * 1000) / 1e6;
}

export function jsonLine(m: DissectedMessage, start: number): string {
  const o: Record<string, unknown> = { frame: m.frame, time: relSeconds(m, start), layer: m.layer, type: m.type, src: m.src, dst: m.dst };
  if (m.dir !== undefined) o.dir = m.dir;
  if (m.session !== undefined) o.session = m.session;
  if (m.schema !== undefined) o.schema = m.schema;
  o.fields = toJson(m.fields);
  if (m.exi !== undefined) o.exi = toJson(m.exi);
  if (m.error !== undefined) o.error = m.error;
  return JSON.stringify(o);
}

function sessionJson(s: V2gSession): Record<string, unknown> {
  const decoded = s.messages.filter((m) => m.doc !== undefined).length;
  return {
    session: s.index,
    ev: s.ev,
    evse: s.evse,
    tls: s.tls,
    ...(s.decrypted ? { decrypted: s.decrypted } : {}),
    ...(s.tlsError ? { tlsError: s.tlsError } : {}),
    sap: s.sap ? { responseCode: s.sap.responseCode, namespace: s.sap.namespace, schemaId: s.sap.schemaId, schema: s.sap.schema ?? null } : null,
    messages: s.messages.length,
    decoded,
    failed: s.messages.length - decoded,
    frames: [s.firstFrame, s.lastFrame],
    notes: s.notes,
  };
}

// ---------------------------------------------------------------- text

const MAX_LINE = 260;

export function textLine(m: DissectedMessage, start: number): string {
  const t = ((m.time - start) / 1000).toFixed(3).padStart(9);
  const who =
    m.dir !== undefined ? `${m.dir} s${m.session}${m.schema !== undefined ? " " + m.schema : ""}` : `${m.src} → ${m.dst}`;
  let line = `${String(m.frame).padStart(6)} ${t}s ${m.layer.padEnd(5)} ${who}  ${m.type}`;
  const summary = summarize(m.layer === "v2gtp" ? withoutHeader(m.fields) : m.layer === "slac" ? withoutMmeHeader(m.fields) : m.fields);
  if (summary.length > 0) line += "  " + summary;
  if (line.length > MAX_LINE) line = line.slice(0, MAX_LINE - 1) + "…";
  if (m.error !== undefined) line += `  !! ${m.error}`;
  return line;
}

function withoutMmeHeader(fields: Record<string, unknown>): Record<string, unknown> {
  const { mmv: _v, mmtype: _t, ...rest } = fields;
  return rest;
}

function withoutHeader(fields: Record<string, unknown>): Record<string, unknown> {
  if (!("Header" in fields)) return fields;
  const { Header: _h, ...rest } = fields;
  return rest;
}

/**
 * `key=value` pairs for a text line: nested values by their leaf name (the dotted path only
 * where a leaf name repeats), physical values as numbers with units, bytes as hex.
 */
export function summarize(fields: Record<string, unknown>): string {
  const pairs: [path: string, text: string][] = [];
  const walk = (prefix: string, v: unknown, depth: number) => {
    if (pairs.length > 40) return;
    const phys = physical(v);
    if (phys !== undefined) {
      pairs.push([prefix, phys]);
      return;
    }
    if (v instanceof Uint8Array) {
      if (v.length === 6 && /mac|sta$|address|target/i.test(prefix)) {
        pairs.push([prefix, Array.from(v, (b) => b.toString(16).padStart(2, "0")).join(":")]);
        return;
      }
      const h = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
      pairs.push([prefix, h.length > 40 ? h.slice(0, 40) + "…" : h]);
    } else if (Array.isArray(v)) {
      if (v.length > 0 && v.every((x) => typeof x !== "object" || x === null || x instanceof Uint8Array)) {
        pairs.push([prefix, `[${v.map((x) => scalar(x)).join(",")}]`]);
      } else if (depth < 4 && v.length <= 3) v.forEach((x, i) => walk(`${prefix}[${i}]`, x, depth));
      else pairs.push([prefix, `[${v.length} items]`]);
    } else if (typeof v === "object" && v !== null) {
      const keys = Object.keys(v);
      if (keys.length === 0) pairs.push([prefix, "{}"]);
      else if (depth >= 4) pairs.push([prefix, "{…}"]);
      else for (const k of keys) walk(prefix ? `${prefix}.${k}` : k, (v as Record<string, unknown>)[k], depth + 1);
    } else pairs.push([prefix, scalar(v)]);
  };
  for (const k of Object.keys(fields)) walk(k, fields[k], 1);
  const leaf = (path: string) => path.slice(path.lastIndexOf(".") + 1);
  const counts: Record<string, number> = {};
  for (const [p] of pairs) counts[leaf(p)] = (counts[leaf(p)] ?? 0) + 1;
  return pairs.map(([p, t]) => `${counts[leaf(p)] > 1 ? p : leaf(p)}=${t}`).join(" ");
}

function scalar(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
  if (typeof v === "string") return /\s/.test(v) || v.length === 0 ? JSON.stringify(v) : v;
  return String(v);
}

/** DIN/ISO-2 PhysicalValueType {Multiplier, Unit?, Value} and ISO-20 RationalNumberType {Exponent, Value}. */
function physical(v: unknown): string | undefined {
  if (typeof v !== "object" || v === null || v instanceof Uint8Array || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const exp = "Multiplier" in o ? o.Multiplier : "Exponent" in o ? o.Exponent : undefined;
  if (typeof exp !== "number" || !("Value" in o)) return undefined;
  if (keys.some((k) => k !== "Multiplier" && k !== "Exponent" && k !== "Value" && k !== "Unit")) return undefined;
  const value = Number(o.Value) * Math.pow(10, exp);
  const text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(10)));
  return typeof o.Unit === "string" ? `${text}${o.Unit}` : text;
}

function sessionLine(s: V2gSession): string {
  const decoded = s.messages.filter((m) => m.doc !== undefined).length;
  const sap = !s.sap
    ? "no SAP decoded"
    : s.sap.schemaId < 0
      ? `SAP ${s.sap.responseCode}`
      : `SAP ${s.sap.namespace || "(not offered)"} (SchemaID ${s.sap.schemaId}${s.sap.responseCode.indexOf("OK") === 0 ? "" : ", " + s.sap.responseCode}) → ${s.sap.schema ?? "no schema"}`;
  return (
    `session ${s.index}: EV [${s.ev.ip}]:${s.ev.port} (${s.ev.mac}) ↔ EVSE [${s.evse.ip}]:${s.evse.port} (${s.evse.mac})` +
    `${s.tls ? (s.decrypted ? ` ${s.decrypted.version} ${s.decrypted.cipherSuite} (decrypted)` : ` TLS (encrypted${s.tlsError ? ": " + s.tlsError : ""})`) : ""}; ${sap}; ${s.messages.length} V2G messages, ${decoded} decoded, ${s.messages.length - decoded} failed` +
    `; frames ${s.firstFrame}-${s.lastFrame}${s.notes.length > 0 ? "; " + s.notes.join("; ") : ""}`
  );
}
