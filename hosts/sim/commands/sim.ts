// `xs15118 sim`: the complete simulated charging session, plug-in to unplug, with no hardware
// (what `npm start` runs). Live trace on stdout, summary at the end, optional pcapng capture.

import * as fs from "node:fs";
import { runSimulation, type SimulationOptions, type SimulationSummary, type TraceEvent } from "../session/simulation";
import { PcapngWriter } from "../pcap/write";
import type { Command, CliIo } from "../cli";

const USAGE = `usage: xs15118 sim [options]

Runs a complete simulated charging session on this machine, with no hardware, both roles (for
one role against another stack on a real interface: xs15118 secc / xs15118 evcc): control pilot →
SLAC over a simulated powerline → SDP → TCP on IPv6 → SAP → DIN 70121 or ISO 15118-2 session →
charging loop → stop → unplug. Time is simulated: the session runs as fast as the CPU allows.

options:
  --protocol din|iso2        session protocol (default iso2)
  --transfer dc|ac           energy transfer (default dc; DIN is DC only)
  --start-soc N              battery SoC at plug-in, % (default 60)
  --target-soc N             the vehicle stops here, % (default 80)
  --capacity KWH             usable battery capacity (default 20 kWh)
  --max-current A            charger's DC current limit (default 125 A)
  --max-power W              charger's DC power limit (default 50000 W)
  --port N                   charger's TCP port (default: random in 49152–65535)
  --evse-mac MAC, --ev-mac MAC  host MAC addresses (IPv6 link-local addresses derive from them)
  --neighbours N             neighbouring chargers on the powerline (default 1)
  --seed N                   random seed (NMK, session ID, port)
  --pcap FILE                write every frame (SLAC, SDP, TCP/V2GTP) as pcapng for Wireshark
  --json                     print the summary as JSON (the live trace goes to stderr)
  --quiet                    no live trace
  --verbose                  also the core's log lines`;

interface Args {
  options: SimulationOptions;
  pcap?: string;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
}

function parseMac(text: string | undefined): Uint8Array | undefined {
  const parts = (text ?? "").split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) return undefined;
  const mac = Uint8Array.from(parts.map((p) => parseInt(p, 16)));
  return mac[0] & 1 ? undefined : mac; // a station address, not a group address
}

/** Numeric options: flag → the simulation option it sets and its range. */
const NUMERIC: Readonly<Record<string, readonly [keyof SimulationOptions, number, number]>> = Object.freeze({
  "--start-soc": ["startSoc", 0, 100],
  "--target-soc": ["targetSoc", 1, 100],
  "--capacity": ["capacityKWh", 1, 500],
  "--max-current": ["maxCurrent", 1, 1000],
  "--max-power": ["maxPower", 1000, 1_000_000],
  "--port": ["port", 0, 65535],
  "--neighbours": ["neighbours", 0, 8],
  "--seed": ["seed", 1, 0xffffffff],
});

function parse(args: string[]): Args | string {
  const out: Args = { options: { startSoc: 60, targetSoc: 80, capacityKWh: 20 }, json: false, quiet: false, verbose: false };
  const settings = out.options as Record<string, unknown>;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = args[i + 1];
    if (a === "--json" || a === "--quiet" || a === "--verbose") {
      out[a.slice(2) as "json" | "quiet" | "verbose"] = true;
      continue;
    }
    i++;
    if (a === "--protocol") {
      if (v !== "din" && v !== "iso2") return "--protocol is din or iso2";
      out.options.protocol = v;
    } else if (a === "--transfer") {
      if (v !== "dc" && v !== "ac") return "--transfer is dc or ac";
      out.options.transfer = v;
    } else if (a === "--evse-mac" || a === "--ev-mac") {
      const mac = parseMac(v);
      if (!mac) return `${a} needs a MAC address like 02:00:00:00:0a:01`;
      if (a === "--evse-mac") out.options.evseMac = mac;
      else out.options.evMac = mac;
    } else if (a === "--pcap") {
      if (!v) return "--pcap needs a file name";
      out.pcap = v;
    } else if (NUMERIC[a]) {
      const [key, min, max] = NUMERIC[a];
      const n = Number(v);
      if (v === undefined || v === "" || n !== n || n < min || n > max) return `${a} needs a number in ${min}..${max}`;
      settings[key] = n;
    } else return `unknown option '${a}'`;
  }
  if (out.options.protocol === "din" && out.options.transfer === "ac") return "DIN 70121 is DC only: use --protocol iso2 for AC";
  if ((out.options.targetSoc ?? 80) <= (out.options.startSoc ?? 60)) return "--target-soc must be above --start-soc";
  return out;
}

const SOURCE_WIDTH = 5;

export function formatTime(ms: number): string {
  return `${(ms / 1000).toFixed(3).padStart(9)} s`;
}

export function formatTrace(e: TraceEvent): string {
  let text = e.text;
  if (e.values) {
    const v = e.values;
    text = `${v.voltage !== undefined ? `${v.voltage.toFixed(1)} V ` : ""}${v.current !== undefined ? `${v.current.toFixed(1)} A ` : ""}${v.soc !== undefined ? `SoC ${v.soc.toFixed(1)} % ` : ""}${v.energyWh !== undefined ? `${(v.energyWh / 1000).toFixed(2)} kWh` : ""}`.trim();
  } else if (e.message) {
    const values = Object.keys(e.message.values)
      .filter((k) => e.message!.values[k] !== undefined && e.message!.values[k] !== "")
      .map((k) => `${k}=${String(e.message!.values[k])}`)
      .join(" ");
    if (values) text = `${text}  ${values}`;
  }
  return `${formatTime(e.time)}  ${e.source.padEnd(SOURCE_WIDTH)}  ${text}`;
}

export function formatSummary(s: SimulationSummary, frames: number | undefined): string[] {
  return [
    "",
    `session ${s.ok ? "ended normally" : "FAILED"}: ${s.outcome}${s.detail ? ` (${s.detail})` : ""}`,
    `  protocol        ${s.protocol ?? "—"} ${s.transfer.toUpperCase()}`,
    `  duration        ${(s.durationMs / 1000).toFixed(1)} s plug-in to unplug, ${(s.sessionMs / 1000).toFixed(1)} s V2G session`,
    `  SLAC            matched after ${s.slac.matchedAtMs !== undefined ? `${(s.slac.matchedAtMs / 1000).toFixed(2)} s` : "—"} at ${s.slac.attenuationDb?.toFixed(1) ?? "—"} dB`,
    `  energy          ${(s.energyWh / 1000).toFixed(3)} kWh (charger's meter), peak ${s.peakCurrent.toFixed(1)} A / ${(s.peakPower / 1000).toFixed(1)} kW`,
    `  state of charge ${s.socStart.toFixed(1)} % → ${s.socEnd.toFixed(1)} %`,
    `  messages        ${s.messages} (V2G requests and responses)`,
    `  errors          ${s.errors.length === 0 ? "none" : s.errors.join("; ")}`,
    ...(frames !== undefined ? [`  capture         ${frames} frames`] : []),
  ];
}

function printLog(io: CliIo, json: boolean, line: string): void {
  if (json) io.err(line);
  else io.out(line);
}

const command: Command = {
  summary: "run a complete simulated charging session (pilot, SLAC, SDP, SAP, DIN/ISO-2, pcapng)",
  usage: USAGE,
  run(args, io) {
    const parsed = parse(args);
    if (typeof parsed === "string") {
      io.err(`xs15118 sim: ${parsed}\n\n${USAGE}`);
      return 2;
    }
    const { options, json, quiet, verbose } = parsed;
    const writer = parsed.pcap ? new PcapngWriter({ interfaceName: "plc0" }) : undefined;
    const started = Date.now();
    const cpu0 = performance.now();
    const summary = runSimulation({
      ...options,
      epochMs: started,
      onTrace: quiet ? undefined : (e) => printLog(io, json, formatTrace(e)),
      onFrame: writer ? (time, frame) => writer.addFrame(time, frame) : undefined,
      logger: verbose ? { log: (level, source, message) => printLog(io, json, `           ${level.padEnd(5)}  ${source}: ${message}`) } : undefined,
    });
    const cpuMs = performance.now() - cpu0;
    if (writer && parsed.pcap) fs.writeFileSync(parsed.pcap, writer.toBytes());
    if (json) io.out(JSON.stringify({ ...summary, frames: writer?.frameCount, pcap: parsed.pcap, cpuMs: Math.round(cpuMs) }));
    else {
      for (const line of formatSummary(summary, writer?.frameCount)) io.out(line);
      io.out(`  simulated in   ${(cpuMs / 1000).toFixed(2)} s of CPU${parsed.pcap ? `; capture written to ${parsed.pcap}` : ""}`);
    }
    return summary.ok ? 0 : 1;
  },
};

export default command;
