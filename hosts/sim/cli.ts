// The xs15118 command line: a table of commands, each in hosts/sim/commands/<name>.ts,
// loaded only when used so that `xs15118 --help` stays fast.

import { VERSION } from "../../modules/common/index";
import { EXIT, EXIT_STATUS_HELP } from "./commands/options";

/** A command module's default export. Returns the process exit code. */
export interface Command {
  /** One line for `xs15118 --help`. */
  summary: string;
  /** Full usage text for `xs15118 <command> --help`. */
  usage: string;
  run(args: string[], io: CliIo): Promise<number> | number;
}

/** Where a command reads and writes: the process by default, buffers in tests. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  readStdin(): Promise<string>;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
};

/** Command name → one-line summary and loader. Each new command adds one line here. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: Command }> }> = {
  cp: { summary: "control pilot: duty cycle ↔ current (IEC 61851-1)", load: () => import("./commands/cp") },
  evcc: { summary: "simulated vehicle (EVCC) on a real interface: one DIN/ISO-2/ISO-20 session against a charger", load: () => import("./commands/evcc") },
  exi: { summary: "EXI codec: decode hex to JSON/XML, encode JSON/XML to hex, batch line protocol", load: () => import("./commands/exi") },
  ota: { summary: "signed over-the-air updates: make a key, pack, sign (images, key rotation, configuration), serve over HTTPS with ranges, fetch", load: () => import("./commands/ota") },
  pcap: { summary: "list the SLAC, SDP and V2G messages of a capture (pcap/pcapng), decoded", load: () => import("./commands/pcap") },
  pki: { summary: "create a test PKI (V2G, CPO, CPS, OEM, MO hierarchies) for ISO 15118-2 and -20; put a station's PKI and settings into an ESP32 NVS image", load: () => import("./commands/pki") },
  sap: { summary: "answer a supportedAppProtocolReq as a charger offering given protocols", load: () => import("./commands/sap") },
  sim: { summary: "complete simulated charging session: pilot, SLAC, SDP, SAP, DIN/ISO-2/ISO-20 session, pcapng", load: () => import("./commands/sim") },
  secc: { summary: "simulated charger (SECC) on a real interface: SDP + DIN/ISO-2/ISO-20 sessions until stopped", load: () => import("./commands/secc") },
  version: { summary: "print the version", load: async () => ({ default: versionCommand }) },
  view: { summary: "a capture as a session: timeline, message sequence chart, plots (browser or SVG)", load: () => import("./commands/view") },
};

const versionCommand: Command = {
  summary: "print the version",
  usage: "xs15118 version",
  run: (_args, io) => {
    io.out(`xs15118 ${VERSION}`);
    return 0;
  },
};

export function helpText(): string {
  const names = Object.keys(COMMANDS).sort();
  const width = Math.max(...names.map((n) => n.length));
  return [
    `xs15118 ${VERSION} — ISO 15118 / DIN 70121 charging communication stack (SECC and EVCC)`,
    "",
    "usage: xs15118 <command> [options]      xs15118 <command> --help",
    "",
    "commands:",
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n].summary}`),
    "",
    "options: --name VALUE or --name=VALUE. The same names mean the same in sim, secc and evcc:",
    "  --protocol LIST  --transfer dc|ac  --start-soc N  --target-soc N  --capacity KWH",
    "  --max-time DURATION  --port N  --iface IFACE  --json  --quiet  --verbose",
    "  (old names --soc, --battery-kwh, --timeout still work, with a warning)",
    "",
    EXIT_STATUS_HELP,
  ].join("\n");
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    if (name === undefined) {
      io.err(helpText());
      return EXIT.usage;
    }
    io.out(helpText());
    return EXIT.ok;
  }
  if (name === "--version") return versionCommand.run([], io);
  const entry = COMMANDS[name];
  if (!entry) {
    io.err(`xs15118: unknown command '${name}'\n`);
    io.err(helpText());
    return EXIT.usage;
  }
  const command = (await entry.load()).default;
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.err(`xs15118 ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
