// `xs15118 sim`: the complete simulated charging session, plug-in to unplug, with no hardware
// (what `npm start` runs). Live trace on stdout, summary at the end, optional pcapng capture.

import * as fs from "node:fs";
import { runSimulation, startSimulation, TIME_LIMIT_OUTCOME, type SimulationOptions, type SimulationSummary } from "../../../simulation/session/simulation";
import { formatOperatorReport, simulateWithCsms } from "../ocpp/sim-operator";
import type { OperatorReport } from "../ocpp/sim-operator";
import { SessionPlotRecorder, defaultSchedule, sessionTitle } from "../plot/recorder";
import { renderSessionSvg } from "../plot/session-svg";
import { SessionTap, liveView, runPaced } from "../web/session-tap";
import { serveUntilStopped, startWeb, takeWebOption } from "../web/cli-web";
import { PcapngWriter } from "../../../simulation/pcap/write";
import { faultCatalogueText, injectFaults, parseFaultSpec, type FaultSpec } from "../../../simulation/faults/catalogue";
import { formatSummary, formatTrace } from "../../../simulation/report";
import type { DirectService } from "../../../simulation/session/direct-iso20";
import { DIRECT_SERVICES, runDirectSim } from "./sim-direct";
import { NODE_FAST } from "../exi-fast/index";
import type { DirectSimArgs } from "./sim-direct";
import type { Command, CliIo } from "../cli";
import { EXIT, EXIT_STATUS_HELP, SESSION_OPTIONS as S, UsageError, VEHICLE_SESSION_OPTIONS, checkSocRange, choiceOption, durationOption, environmentError, flag, numberOption, parseOptions, parseOrExit, stringOption, usageError } from "./options";
import type { OptionSpec, ParsedOptions } from "./options";
import { SCENARIOS } from "../../../simulation/site/index";
import type { ScenarioName, ScenarioOverrides } from "../../../simulation/site/index";
import { TLS_OPTIONS, parseTlsArgs, secureFromArgs } from "./tls-options";
import type { TlsArgs } from "./tls-options";
import { TlsActivity } from "../crypto/tls";
import { runSimulationWithTls, simulationTls } from "../crypto/sim-tls";
import { keyLogFile, stationPkiFromMemory } from "../crypto/station-tls";
import { NodeCrypto } from "../crypto/node-crypto";
import { createTestPki } from "../pki/test-pki";
import { simulatedPnc } from "../pki/pnc-setup";
import { simulatedSalesTariffs } from "../pki/sales-tariff";
import type { SeccConfigWithPnc } from "../../../modules/statemachine/iso2/pnc";
import { readTestPki } from "../pki/files";
import type { TlsSecureOptions } from "../../../modules/pki-store/index";

const USAGE = `usage: xs15118 sim [options]

Runs a complete simulated charging session on this machine, with no hardware, both roles (for
one role against another stack on a real interface: xs15118 secc / xs15118 evcc): control pilot →
SLAC over a simulated powerline → SDP → TCP on IPv6 → SAP → DIN 70121, ISO 15118-2 or -20 session →
charging loop → stop → unplug. Time is simulated: the session runs as fast as the CPU allows.

options (the names sim, secc and evcc share mean the same in each):
  --protocol din|iso2|iso20  session protocol (default iso2); iso20 runs over the simulated plain
                             TCP, allowed there explicitly (-20 requires TLS 1.3 in the field)
  --transfer dc|ac|dc_bpt|ac_bpt  energy transfer (default dc; DIN is DC only; *_bpt: ISO 15118-20
                             bidirectional service, charging)
  --transfer mcs|mcs_bpt|wpt|acdp  ISO 15118-20 off the powerline over a direct link, no SLAC: a truck
                             on an MCS charger, a car on a wireless pad, a bus under a pantograph
  --mode scheduled|dynamic   ISO 15118-20 control mode (default scheduled)
  --scenario v2g|v2h|v2l     ISO 15118-20 bidirectional scenario (Dynamic control, the site's energy
                             manager sets the power every loop; implies --protocol iso20 and, without
                             --transfer, dc_bpt): v2g 16:30–17:30, charges, then exports during the
                             17:00 price peak; v2h 16:45–18:00 with the grid down, the car follows the
                             house load minus PV (grid-forming); v2l a fixed load until the minimum SoC
  --min-soc N                scenario: the car never discharges below N % (default v2g/v2h 30, v2l 50)
  --load W                   v2l: the fixed load on the car, W (default 3000)
  --trace-loops              a live-trace line (direction, signed power, values) for every charge
                             loop, not one per 10 s and per change of direction
  --start-soc N              battery SoC at plug-in, % (default 60)
  --target-soc N             the vehicle stops here, %, above --start-soc (default 80)
  --capacity KWH             usable battery capacity, kWh (default 20)
  --max-current A            charger's DC current limit (default 125 A)
  --max-power W              charger's DC power limit (default 50000 W)
  --max-time DURATION        give up after this much simulated time: 3600 (s), 90m, 8h (default:
                             1.5 × the time the charge takes by the vehicle model + 10 min,
                             shown in the first trace line)
  --port N                   charger's TCP port (default: random in 49152–65535)
  --evse-mac MAC, --ev-mac MAC  host MAC addresses (IPv6 link-local addresses derive from them)
  --neighbours N             neighbouring chargers on the powerline (default 1)
  --seed N                   random seed (NMK, session ID, port)
  --ocpp                     the charger reports to a test CSMS over OCPP 2.0.1 on 127.0.0.1
                             (strict schemas): Authorize, TransactionEvents, a TxProfile that
                             steps down to 60 % of --max-power after 10 min
  --plot FILE.svg            write voltage, current, power (signed) with the schedule's limit,
                             and SoC over time as an SVG file
  --web [PORT]               serve the session view on http://127.0.0.1:PORT/ (default 15180; 0: any
                             free port): pilot and SLAC timeline, message sequence chart, plots,
                             summary, live while the session runs; it stays served after the end
                             until Ctrl-C
  --speed N|max              with --web: simulated seconds per second (default 10: a 5-minute
                             charge plays in 30 s); max: as fast as the CPU allows (--tls and
                             --ocpp sessions always run at full speed)
  --pcap FILE                write every frame (SLAC, SDP, TCP/V2GTP) as pcapng for Wireshark;
                             the pilot, SLAC, power status and summary go in as journal entries
                             (xs15118 view FILE shows them, Wireshark lists them);
                             the file is created before the run starts; with --tls it carries the
                             TLS secrets (a Decryption Secrets Block): Wireshark and xs15118 pcap
                             show the V2G messages decrypted
  --tls                      V2G over TLS on the simulated TCP (SDP Security 0x00): ISO 15118-2
                             over TLS 1.2 (ECDHE-ECDSA-AES128-SHA256, P-256), ISO 15118-20 over
                             TLS 1.3 with mutual authentication (P-521, secp521r1/x448); without it
                             -20 runs over the simulated plain TCP, allowed there explicitly
  --pki DIR                  with --tls: take certificates and keys from DIR (xs15118 pki init);
                             default: a fresh test PKI in memory
  --keylog FILE              with --tls: also write the TLS secrets as an NSS key log
  --tls13-middlebox-compat on|off  with --tls: TLS 1.3 middlebox-compatibility mode (RFC 8446
                             D.4), on by default; off sends no dummy change_cipher_spec records
  --payment external|contract  external identification (default) or Plug & Charge (needs --tls):
                             the vehicle installs a contract (CertificateInstallation from the
                             simulated backend), then ISO-2: PaymentDetails, the signed challenge
                             in AuthorizationReq, a signed MeteringReceipt after each ChargingStatus/
                             CurrentDemand; -20: AuthorizationReq(PnC) with the signed challenge,
                             the signed MeteringConfirmation the charger asks for in the loop;
                             contract and backend on --pki DIR's iso2/iso20 PKI, else a test PKI
                             in memory
  --contract                 with --payment contract: the vehicle already holds a contract (no installation)
  --fault NAME[@TIME]        inject a fault (repeatable): a powerline outage or burst, a TCP reset,
                             the pilot to E, F or B, an unplug or an emergency stop under load, an
                             isolation fault, a welded contactor, a silent vehicle or charger, SLAC
                             or SDP losses; @TIME (90, 90s, 2m, 500ms from the start) instead of
                             where it means something. --fault list prints the catalogue with the
                             end the standards define for each
  --json                     print the summary as JSON (the live trace goes to stderr)
  --quiet                    no live trace
  --verbose                  also the core's log lines

Old names still accepted, with a warning: --soc (--start-soc), --battery-kwh (--capacity),
--timeout (--max-time).

${EXIT_STATUS_HELP}`;

const OPTIONS: readonly OptionSpec[] = [
  ...VEHICLE_SESSION_OPTIONS,
  S.port,
  { name: "--mode", value: "MODE" },
  { name: "--scenario", value: "NAME" },
  { name: "--min-soc", value: "N" },
  { name: "--load", value: "W" },
  { name: "--trace-loops" },
  { name: "--max-current", value: "A" },
  { name: "--max-power", value: "W" },
  { name: "--evse-mac", value: "MAC" },
  { name: "--ev-mac", value: "MAC" },
  { name: "--neighbours", value: "N" },
  { name: "--seed", value: "N" },
  { name: "--pcap", value: "FILE" },
  { name: "--ocpp" },
  { name: "--plot", value: "FILE" },
  { name: "--fault", value: "NAME[@TIME]", repeatable: true },
  ...TLS_OPTIONS,
  { name: "--payment", value: "external|contract" },
  { name: "--contract" },
];

interface Args {
  options: SimulationOptions;
  /** --transfer mcs|mcs_bpt|wpt|acdp: the direct-link simulation (./sim-direct.ts) instead. */
  direct?: DirectSimArgs;
  /** --tls, --pki, --keylog. */
  tls: TlsArgs;
  pcap?: string;
  /** SVG file for the plots. */
  plot?: string;
  /** Run against the in-process test CSMS (hosts/sim/ocpp). */
  ocpp?: boolean;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  /** --payment contract: ISO-2 or -20 Plug & Charge; `installed`: the vehicle already holds a contract. */
  contract?: { installed: boolean };
  /** Deprecated option names used, one line each for stderr. */
  warnings: string[];
  /** --fault: the faults to inject; "list": print the catalogue instead of running. */
  faults: FaultSpec[] | "list";
}

/** The --fault values: each NAME[@TIME], or "list" alone. */
function parseFaults(parsed: ParsedOptions): FaultSpec[] | "list" {
  const given = parsed.lists.get("--fault") ?? [];
  if (given.some((g) => g.trim().toLowerCase() === "list")) return "list";
  return given.map((text) => {
    const spec = parseFaultSpec(text);
    if (typeof spec === "string") throw new UsageError("sim", `--fault ${text}: ${spec}`);
    return spec;
  });
}

function parseMac(text: string | undefined): Uint8Array | undefined {
  const parts = (text ?? "").split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) return undefined;
  const mac = Uint8Array.from(parts.map((p) => parseInt(p, 16)));
  return mac[0] & 1 ? undefined : mac; // a station address, not a group address
}

function macOption(parsed: ParsedOptions, name: string): Uint8Array | undefined {
  const text = stringOption(parsed, name);
  if (text === undefined) return undefined;
  const mac = parseMac(text);
  if (mac) return mac;
  throw new UsageError("sim", `${name} ${text}: expected a station MAC address like 02:00:00:00:0a:01`);
}

const DEFAULTS = Object.freeze({ startSoc: 60, targetSoc: 80, capacityKWh: 20 });

/** The options of `sim`; throws a UsageError for a wrong command line. */
export function parseSimArgs(args: string[]): Args {
  const parsed = parseOptions("sim", args, OPTIONS);
  const n = (name: string, min: number, max: number, integer = false) => numberOption("sim", parsed, name, min, max, integer);
  const scenario = choiceOption("sim", parsed, "--scenario", SCENARIOS, "scenario");
  const givenProtocol = choiceOption("sim", parsed, "--protocol", ["din", "iso2", "iso20"] as const, "protocol");
  const chosenTransfer = choiceOption("sim", parsed, "--transfer", ["dc", "ac", "dc_bpt", "ac_bpt", "mcs", "mcs_bpt", "wpt", "acdp"] as const, "transfer");
  // ISO 15118-20 services off the powerline (MCS, WPT, ACDP) run their own simulation over a direct link.
  const directService = chosenTransfer !== undefined && (DIRECT_SERVICES as readonly string[]).indexOf(chosenTransfer) >= 0 ? (chosenTransfer as DirectService) : undefined;
  const givenTransfer = directService !== undefined ? undefined : (chosenTransfer as "dc" | "ac" | "dc_bpt" | "ac_bpt" | undefined);
  const mode = choiceOption("sim", parsed, "--mode", ["scheduled", "dynamic"] as const, "control mode");
  const scenarioOptions = parseScenario(parsed, scenario, givenProtocol, givenTransfer, mode);
  // A scenario is ISO 15118-20 BPT: --protocol iso20 and DC_BPT unless told otherwise.
  const protocol = scenario !== undefined ? "iso20" : givenProtocol;
  const transferName = scenario !== undefined ? givenTransfer ?? "dc_bpt" : givenTransfer;
  const bpt = transferName === "dc_bpt" || transferName === "ac_bpt" ? true : undefined;
  const transfer = transferName === undefined ? undefined : transferName === "dc_bpt" ? "dc" : transferName === "ac_bpt" ? "ac" : transferName;
  if ((bpt || mode !== undefined) && protocol !== "iso20") throw new UsageError("sim", "--transfer dc_bpt|ac_bpt and --mode need --protocol iso20");
  const startSoc = n("--start-soc", 0, 99.9);
  const targetSoc = n("--target-soc", 0.1, 100);
  const capacityKWh = n("--capacity", 0.5, 500);
  const maxCurrent = n("--max-current", 1, 1000);
  const maxPower = n("--max-power", 1000, 1_000_000);
  const port = n("--port", 0, 65535, true);
  const neighbours = n("--neighbours", 0, 8, true);
  const seed = n("--seed", 1, 0xffffffff, true);
  const limit = durationOption("sim", parsed, "--max-time", 1000, 7 * 24 * 3_600_000);
  const evseMac = macOption(parsed, "--evse-mac");
  const evMac = macOption(parsed, "--ev-mac");
  if (protocol === "din" && transfer === "ac") throw new UsageError("sim", "DIN 70121 is DC only: use --protocol iso2 for AC");
  if (directService !== undefined && ((protocol ?? "iso20") !== "iso20" || scenario !== undefined)) throw new UsageError("sim", `--transfer ${directService} is an ISO 15118-20 service: --protocol iso20 (or none), no --scenario`);
  const options: SimulationOptions = {
    ...DEFAULTS,
    ...defined({ protocol, transfer, bpt, mode, scenario, scenarioOptions, traceEveryLoop: flag(parsed, "--trace-loops") || undefined, startSoc, targetSoc, capacityKWh, maxCurrent, maxPower, port, neighbours, seed, evseMac, evMac }),
  };
  const minSoc = scenarioOptions?.minSoc;
  if (minSoc !== undefined && !(minSoc < options.startSoc!)) throw new UsageError("sim", `--min-soc ${minSoc} must be below --start-soc ${options.startSoc} (the car would have nothing to give)`);
  if (limit !== undefined) options.limit = limit as SimulationOptions["limit"];
  // A scenario may start above its target SoC (V2L gives energy only; V2G/V2H then charge nothing).
  if (scenario === undefined) checkSocRange("sim", options.startSoc!, options.targetSoc!);
  const tls = parseTlsArgs("sim", parsed, false);
  if (tls.tls && protocol === "din") throw new UsageError("sim", "DIN 70121 defines no TLS: --tls needs --protocol iso2 or iso20");
  if (tls.tls && directService !== undefined) throw new UsageError("sim", `--tls does not cover --transfer ${directService} yet: its direct link runs ISO 15118-20 over the simulated plain TCP`);
  const payment = choiceOption("sim", parsed, "--payment", ["external", "contract"] as const, "payment");
  if (payment === "contract" && !tls.tls) throw new UsageError("sim", "--payment contract is Plug & Charge, which runs only over TLS: add --tls");
  if (payment === "contract" && protocol === "din") throw new UsageError("sim", "--payment contract is Plug & Charge of ISO 15118-2 or -20: --protocol iso2 or iso20");
  // -20 CertificateInstallation is not implemented yet: the -20 vehicle must hold its contract.
  if (flag(parsed, "--contract") && payment !== "contract") throw new UsageError("sim", "--contract needs --payment contract");
  const faults = parseFaults(parsed);
  if (faults !== "list" && faults.length > 0) options.inject = injectFaults(faults);
  const direct = directService !== undefined ? { direct: { service: directService, ...defined({ mode, startSoc, targetSoc, capacityKWh }) } } : {};
  return { options, faults, tls, ...direct, ...(payment === "contract" ? { contract: { installed: flag(parsed, "--contract") } } : {}), pcap: stringOption(parsed, "--pcap"), ...(flag(parsed, "--ocpp") ? { ocpp: true } : {}), ...(stringOption(parsed, "--plot") !== undefined ? { plot: stringOption(parsed, "--plot") } : {}), json: flag(parsed, "--json"), quiet: flag(parsed, "--quiet"), verbose: flag(parsed, "--verbose"), warnings: parsed.warnings };
}

/**
 * Both stations' TLS for `sim --tls`: from --pki DIR, or a fresh test PKI in memory for the
 * protocol's key profile (P-256 for -2, P-521 for -20). Key-log lines go to `keyLog` (for the
 * capture) and to --keylog FILE.
 */
function simulationSecure(a: TlsArgs, protocol: string, keyLog: string[]): { secc: TlsSecureOptions; evcc: TlsSecureOptions } {
  const profile = protocol === "iso20" ? "iso20" : "iso2";
  const pki = a.pki !== undefined ? undefined : stationPkiFromMemory(new Map([[profile, createTestPki({ crypto: new NodeCrypto(), profile, now: Math.floor(Date.now() / 1000) })]]));
  const toFile = a.keylog !== undefined ? keyLogFile(a.keylog) : undefined;
  const args: TlsArgs = { ...a, keylog: undefined };
  const secure = (role: "secc" | "evcc") => ({
    ...secureFromArgs(args, role, [protocol], pki),
    onKeyLog: (line: string) => {
      keyLog.push(line);
      toFile?.(line);
    },
  });
  return { secc: secure("secc"), evcc: secure("evcc") };
}

/**
 * Plug & Charge for `sim --payment contract`: charger and vehicle on the iso2 (-2) or iso20 (-20)
 * profile of --pki DIR (the PKI TLS uses too), else on a fresh test PKI in memory.
 */
function simulationPnc(installed: boolean, pkiDir: string | undefined, protocol: string | undefined): SimulationOptions["pnc"] {
  const crypto = new NodeCrypto();
  const now = () => Math.floor(Date.now() / 1000);
  // -20: the P-521 profile (contract key, signatures); -2: P-256.
  const profile = protocol === "iso20" ? "iso20" : "iso2";
  const pki = pkiDir !== undefined ? readTestPki(pkiDir, profile) : createTestPki({ crypto, profile, now: now() });
  const pnc = simulatedPnc({ crypto, pki, now, contractInstalled: installed });
  // The MO's signed SalesTariff rides in each ISO-2 ChargeParameterDiscoveryRes (-20 does not ask for it).
  const charger: Partial<SeccConfigWithPnc> = { ...pnc.charger, pnc: { ...pnc.charger.pnc!, salesTariff: simulatedSalesTariffs(crypto, pki) } };
  return { charger, vehicle: pnc.vehicle };
}

/** The scenario's options (--min-soc, --load) and its checks against the others; undefined without --scenario. */
function parseScenario(parsed: ParsedOptions, scenario: ScenarioName | undefined, protocol: string | undefined, transfer: string | undefined, mode: string | undefined): ScenarioOverrides | undefined {
  const minSoc = numberOption("sim", parsed, "--min-soc", 0, 99);
  const load = numberOption("sim", parsed, "--load", 100, 11_000);
  if (scenario === undefined) {
    if (minSoc !== undefined || load !== undefined) throw new UsageError("sim", `${minSoc !== undefined ? "--min-soc" : "--load"} needs --scenario`);
    return undefined;
  }
  if (protocol !== undefined && protocol !== "iso20") throw new UsageError("sim", `--scenario ${scenario} is ISO 15118-20 bidirectional charging: --protocol iso20 (or none), not ${protocol}`);
  if (transfer !== undefined && transfer !== "dc_bpt" && transfer !== "ac_bpt") throw new UsageError("sim", `--scenario ${scenario} needs a bidirectional service: --transfer dc_bpt|ac_bpt, not ${transfer}`);
  if (mode === "scheduled") throw new UsageError("sim", `--scenario ${scenario} runs Dynamic control (the site's energy manager sets the power every loop): leave out --mode scheduled`);
  if (load !== undefined && scenario !== "v2l") throw new UsageError("sim", `--load is the fixed load of --scenario v2l, not ${scenario}`);
  return defined({ minSoc, fixedLoad: load });
}

/** `o` without its undefined properties (so they do not override the defaults). */
function defined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] !== undefined) out[key] = o[key];
  return out;
}

/** Creates an output file now (undefined: none asked for), so that a bad path is reported before the run. */
function openEarly(file: string | undefined): number | undefined | Error {
  if (file === undefined) return undefined;
  try {
    return fs.openSync(file, "w");
  } catch (error) {
    return error as Error;
  }
}

function printLog(io: CliIo, json: boolean, line: string): void {
  if (json) io.err(line);
  else io.out(line);
}

const command: Command = {
  summary: "run a complete simulated charging session (pilot, SLAC, SDP, SAP, DIN/ISO-2, pcapng)",
  usage: USAGE,
  async run(args, io) {
    const web = parseOrExit(io, () => takeWebOption("sim", args, true));
    if (typeof web === "number") return web;
    const parsed = parseOrExit(io, () => parseSimArgs(web.args));
    if (typeof parsed === "number") return parsed;
    const { options, json, quiet, verbose } = parsed;
    if (parsed.faults === "list") {
      for (const line of faultCatalogueText()) io.out(line);
      return EXIT.ok;
    }
    // The capture file is created before the run: a path that cannot be written is reported
    // at once, not after an hour of simulated charging.
    const pcapFd = openEarly(parsed.pcap);
    if (pcapFd instanceof Error) return environmentError(io, "sim", `cannot write the capture ${parsed.pcap}: ${pcapFd.message}`);
    const plotFd = openEarly(parsed.plot);
    if (plotFd instanceof Error) return environmentError(io, "sim", `cannot write the plot ${parsed.plot}: ${plotFd.message}`);
    if (parsed.direct !== undefined && web.web !== undefined) return usageError(io, new UsageError("sim", `--web does not cover --transfer ${parsed.direct.service} yet (its direct link has no view): run it with --pcap FILE, then xs15118 view FILE`));
    if (parsed.direct !== undefined) return runDirectSim(io, parsed.direct, { json, quiet, pcap: parsed.pcap, pcapFd });
    const recorder = plotFd !== undefined ? new SessionPlotRecorder() : undefined;
    const writer = pcapFd !== undefined ? new PcapngWriter({ interfaceName: "plc0" }) : undefined;
    const started = Date.now();
    const live = web.web !== undefined ? liveView("xs15118 sim") : undefined;
    const tap = new SessionTap(started, writer, live);
    const server = live !== undefined ? await startWeb(io, "sim", live.source, web.web!) : undefined;
    if (live !== undefined && server === undefined) return EXIT.environment;
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    const simOptions: SimulationOptions = {
      ...options,
      // every message through the Node host's generated code (hosts/sim/exi-fast; the same bytes)
      exiFast: NODE_FAST,
      epochMs: started,
      onTrace:
        quiet && !recorder && !tap.active
          ? undefined
          : (e) => {
              recorder?.onTrace(e);
              tap.trace(e);
              if (!quiet) printLog(io, json, formatTrace(e));
            },
      onFrame: tap.active ? (time, frame) => tap.frame(time, frame) : undefined,
      logger: verbose ? { log: (level, source, message) => printLog(io, json, `           ${level.padEnd(5)}  ${source}: ${message}`) } : undefined,
    };
    let operator: OperatorReport | undefined;
    let summary: SimulationSummary;
    // --tls: node:tls over the simulated TCP, stepped with the TLS activity (hosts/sim/crypto/sim-tls.ts).
    const keyLog: string[] = [];
    let activity: TlsActivity | undefined;
    if (parsed.tls.tls) {
      let tls;
      try {
        tls = simulationSecure(parsed.tls, options.protocol ?? "iso2", keyLog);
      } catch (error) {
        return environmentError(io, "sim", `TLS: ${(error as Error).message}`);
      }
      activity = new TlsActivity();
      let pnc: SimulationOptions["pnc"];
      try {
        pnc = parsed.contract === undefined ? undefined : simulationPnc(parsed.contract.installed, parsed.tls.pki, options.protocol);
      } catch (error) {
        return environmentError(io, "sim", `Plug & Charge PKI: ${(error as Error).message}`);
      }
      simOptions.tls = simulationTls(tls, activity, simOptions.logger);
      simOptions.pnc = pnc;
    }
    if (parsed.ocpp) {
      // The charger's full power for 10 min, then 60 % of it: the EV gets both steps in its SAScheduleList.
      try {
        ({ summary, report: operator } = await simulateWithCsms(simOptions, simOptions.logger, { after: 600, fraction: 0.6 }, activity));
      } catch (error) {
        return environmentError(io, "sim", `OCPP test CSMS on 127.0.0.1: ${(error as Error).message}`);
      }
    } else if (activity !== undefined) summary = await runSimulationWithTls(simOptions, activity);
    else if (live !== undefined && (web.speed ?? 10) !== Infinity) summary = await runPaced(startSimulation(simOptions), web.speed ?? 10);
    else summary = runSimulation(simOptions);
    const wallMs = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (summary.outcome === TIME_LIMIT_OUTCOME) summary.detail = `${summary.detail}; --max-time raises the cap`;
    writer?.addTlsKeyLog(keyLog);
    tap.close(summary, sessionTitle(summary, operator !== undefined), operator?.schedule ?? defaultSchedule(options));
    if (writer && pcapFd !== undefined) {
      try {
        fs.writeSync(pcapFd, writer.toBytes());
        fs.closeSync(pcapFd);
      } catch (error) {
        return environmentError(io, "sim", `cannot write the capture ${parsed.pcap}: ${(error as Error).message}`);
      }
    }
    if (recorder && plotFd !== undefined) {
      const title = sessionTitle(summary, operator !== undefined);
      try {
        fs.writeSync(plotFd, renderSessionSvg(recorder.plot(title, operator?.schedule ?? defaultSchedule(options))));
        fs.closeSync(plotFd);
      } catch (error) {
        return environmentError(io, "sim", `cannot write the plot ${parsed.plot}: ${(error as Error).message}`);
      }
    }
    if (json) io.out(JSON.stringify({ ...summary, ...(operator ? { ocpp: operator } : {}), frames: writer?.frameCount, pcap: parsed.pcap, cpuMs: Math.round(cpuMs), wallMs: Math.round(wallMs) }));
    else {
      for (const line of formatSummary(summary, writer?.frameCount)) io.out(line);
      if (operator) for (const line of formatOperatorReport(operator)) io.out(line);
      io.out(`  simulated in   ${(wallMs / 1000).toFixed(2)} s (${(cpuMs / 1000).toFixed(2)} s of CPU)${parsed.pcap ? `; capture written to ${parsed.pcap}` : ""}${parsed.plot ? `; plots written to ${parsed.plot}` : ""}`);
    }
    if (server !== undefined) {
      io.err(`xs15118 sim: the session is over; its view stays on ${server.url} until Ctrl-C`);
      await serveUntilStopped(server);
    }
    return summary.ok ? EXIT.ok : EXIT.failed;
  },
};

export default command;
