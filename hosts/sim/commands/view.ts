// `xs15118 view FILE.pcapng`: a capture as the session view in the browser (pilot and SLAC
// timeline, message sequence chart with decoded messages, plots, summary), or its plots as SVG.

import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "../cli";
import { readCapture, CaptureFormatError } from "../../../simulation/pcap/read";
import { renderSessionSvg } from "../plot/session-svg";
import { buildSessionView, viewPlot } from "../web/view-model";
import { fixedSource, pageView } from "../web/server";
import { DEFAULT_WEB_PORT, serveUntilStopped, startWeb, takeWebOption } from "../web/cli-web";
import { EXIT, EXIT_STATUS_HELP, UsageError, environmentError, flag, parseOptions, parseOrExit, stringOption } from "./options";

const USAGE = `usage: xs15118 view FILE [--web [PORT]] [--plot FILE.svg] [--json]

Shows a capture (pcap/pcapng) as a session: the pilot, SLAC and session events, the message
sequence chart of both sides (each message opens to its decoded content), voltage, current,
power (negative while discharging), SoC and the power limit over time, and the summary.
A capture written by xs15118 sim --pcap carries the pilot, SLAC, power status and summary as
journal entries (pcapng Systemd Journal Export Blocks, which Wireshark lists too); a capture from
elsewhere shows what it holds: SLAC, SDP and V2G messages, voltage/current/SoC read from them.

  --web [PORT]     serve the view on http://127.0.0.1:PORT/ (default ${DEFAULT_WEB_PORT}; 0: any free
                   port) until Ctrl-C; the default when neither --plot nor --json is given
  --plot FILE.svg  write the plots as SVG (for a capture of xs15118 sim: the same file as
                   sim --plot)
  --json           print the view as JSON (messages without their decoded content)

${EXIT_STATUS_HELP}`;

/** The options of `view`; throws a UsageError for a wrong command line. */
function parseViewArgs(args: string[]): { file: string; plot?: string; json: boolean; web?: number } {
  const taken = takeWebOption("view", args);
  const parsed = parseOptions("view", taken.args, [{ name: "--plot", value: "FILE" }, { name: "--json" }], { positionals: 1, positionalName: "one FILE" });
  if (parsed.positionals.length === 0) throw new UsageError("view", "expected the capture FILE");
  const plot = stringOption(parsed, "--plot");
  const json = flag(parsed, "--json");
  // Without --plot or --json the view is what the command is for: serve it.
  const web = taken.web ?? (plot === undefined && !json ? DEFAULT_WEB_PORT : undefined);
  return { file: parsed.positionals[0], json, ...(plot !== undefined ? { plot } : {}), ...(web !== undefined ? { web } : {}) };
}

const command: Command = {
  summary: "a capture as a session: timeline, message sequence chart, plots (browser or SVG)",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseOrExit(io, () => parseViewArgs(args));
    if (typeof parsed === "number") return parsed;
    const { file, plot, json, web } = parsed;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(fs.readFileSync(file));
    } catch (error) {
      return environmentError(io, "view", `cannot read ${file}: ${(error as Error).message}`);
    }
    let view;
    try {
      view = buildSessionView(readCapture(bytes), { done: true, name: path.basename(file) });
    } catch (error) {
      if (error instanceof CaptureFormatError) {
        io.err(`xs15118 view: ${file}: ${error.message}`);
        return EXIT.failed;
      }
      throw error;
    }
    if (plot !== undefined) {
      try {
        fs.writeFileSync(plot, renderSessionSvg(viewPlot(view)));
      } catch (error) {
        return environmentError(io, "view", `cannot write the plot ${plot}: ${(error as Error).message}`);
      }
      io.err(`xs15118 view: plots written to ${plot}`);
    }
    if (json) io.out(JSON.stringify(pageView(view)));
    if (web === undefined) return EXIT.ok;
    const server = await startWeb(io, "view", fixedSource(view), web);
    if (server === undefined) return EXIT.environment;
    await serveUntilStopped(server);
    return EXIT.ok;
  },
};

export default command;
