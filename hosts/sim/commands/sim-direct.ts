// `xs15118 sim --protocol iso20 --transfer mcs|mcs_bpt|wpt|acdp`: the -20 services that do not
// run over the powerline, simulated over a direct link (simulation/session/direct-iso20.ts):
// the same live trace, summary lines (or --json) and pcapng capture as the powerline sessions.
import * as fs from "node:fs";
import { runDirectSimulation } from "../../../simulation/session/direct-iso20";
import { NODE_FAST } from "../exi-fast/index";
import type { DirectService, DirectSimulationSummary } from "../../../simulation/session/direct-iso20";
import { PcapngWriter } from "../../../simulation/pcap/write";
import { formatTrace } from "../../../simulation/report";
import type { CliIo } from "../cli";
import { EXIT, environmentError } from "./options";

export const DIRECT_SERVICES: readonly DirectService[] = Object.freeze(["mcs", "mcs_bpt", "wpt", "acdp"] as DirectService[]);

const LINK: Readonly<Record<DirectService, string>> = Object.freeze({
  mcs: "MCS Ethernet (10BASE-T1S), no SLAC, no PWM pilot",
  mcs_bpt: "MCS Ethernet (10BASE-T1S), no SLAC, no PWM pilot",
  wpt: "WLAN, no SLAC",
  acdp: "WLAN, no SLAC",
});

export function formatDirectSummary(s: DirectSimulationSummary, frames: number | undefined): string[] {
  const kWh = (s.energyWh / 1000).toFixed(2);
  return [
    `ISO 15118-20 ${s.service.toUpperCase()} session: ${s.ok ? "completed" : "FAILED"} (${s.outcome}${s.detail ? `: ${s.detail}` : ""})`,
    `  link           ${LINK[s.service]}`,
    `  duration       ${(s.durationMs / 1000).toFixed(1)} s simulated, session ${(s.sessionMs / 1000).toFixed(1)} s, ${s.messages} messages`,
    `  energy         ${kWh} kWh, SoC ${s.socStart.toFixed(1)} % → ${s.socEnd.toFixed(1)} %`,
    `  peak           ${s.peakCurrent} A, ${(s.peakPower / 1000).toFixed(1)} kW`,
    ...(frames !== undefined ? [`  frames         ${frames}`] : []),
    ...s.errors.map((e) => `  error          ${e}`),
  ];
}

/** What `sim` passes for a direct-link service: only the options the user gave (the defaults are the service's own). */
export interface DirectSimArgs {
  service: DirectService;
  mode?: "scheduled" | "dynamic";
  startSoc?: number;
  targetSoc?: number;
  capacityKWh?: number;
}

/** Runs the direct-link session with the sim command's options; returns the exit status. */
export function runDirectSim(io: CliIo, options: DirectSimArgs, out: { json: boolean; quiet: boolean; pcap?: string; pcapFd?: number }): number {
  const service = options.service;
  const writer = out.pcapFd !== undefined ? new PcapngWriter({ interfaceName: service.indexOf("mcs") === 0 ? "t1s0" : "wlan0" }) : undefined;
  const started = Date.now();
  const wall0 = performance.now();
  const summary = runDirectSimulation({
    service,
    mode: options.mode,
    startSoc: options.startSoc,
    targetSoc: options.targetSoc,
    capacityKWh: options.capacityKWh,
    epochMs: started,
    // every message through the Node host's generated code (hosts/sim/exi-fast; the same bytes)
    exiFast: NODE_FAST,
    onTrace: out.quiet ? undefined : (e) => (out.json ? io.err : io.out)(formatTrace(e)),
    onFrame: writer ? (time, frame) => writer.addFrame(time, frame) : undefined,
  });
  const wallMs = performance.now() - wall0;
  if (writer && out.pcapFd !== undefined) {
    try {
      fs.writeSync(out.pcapFd, writer.toBytes());
      fs.closeSync(out.pcapFd);
    } catch (error) {
      return environmentError(io, "sim", `cannot write the capture ${out.pcap}: ${(error as Error).message}`);
    }
  }
  if (out.json) io.out(JSON.stringify({ ...summary, frames: writer?.frameCount, pcap: out.pcap, wallMs: Math.round(wallMs) }));
  else {
    for (const line of formatDirectSummary(summary, writer?.frameCount)) io.out(line);
    io.out(`  simulated in   ${(wallMs / 1000).toFixed(2)} s${out.pcap ? `; capture written to ${out.pcap}` : ""}`);
  }
  return summary.ok ? EXIT.ok : EXIT.failed;
}
