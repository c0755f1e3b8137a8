// `xs15118 evcc --iface IFACE …`: a simulated vehicle running one session against a charger on
// a real interface (SDP, or a given address), with a live trace and, with --json, a summary.
// Exit 0 only when the session ended normally.

import type { CliIo, Command } from "../cli";
import type { Logger, LogLevel } from "../../../modules/common/index";
import { NodeTcpSocket, NodeUdpSocket } from "../net/index";
import { NodeTlsSocket } from "../crypto/tls";
import type { StreamSocketOptions } from "../../../modules/common/io";
import type { TlsSecureOptions } from "../../../modules/pki-store/index";
import { TLS_HELP, TLS_OPTIONS, parseTlsArgs, secureFromArgs } from "./tls-options";
import type { TlsArgs } from "./tls-options";
import { CONTRACT_OPTION, EVCC_PAYMENT_HELP, PAYMENT_OPTION, evccPnc, parsePayment } from "./pnc-options";
import type { Iso2EvccPnc } from "../../../modules/statemachine/evcc/iso2-pnc";
import { interfaceInfo, parseEndpoint, waitForLinkLocal } from "../net/interface";
import type { Endpoint } from "../net/interface";
import { NodeClock } from "../node-clock";
import { NODE_FAST } from "../exi-fast/index";
import type { SessionProtocol, Transfer } from "../../../simulation/station/charger-station";
import { DEFAULT_BATTERY, VehicleStation } from "../../../simulation/station/vehicle-station";
import type { VehicleOutcome } from "../../../simulation/station/vehicle-station";
import { LoopThinner, formatDuration, formatEvccTrace, formatSummary, formatValues } from "../../../simulation/trace-format";
import { TraceView } from "../web/trace-view";
import { serveUntilStopped, startWeb, takeWebOption } from "../web/cli-web";
import { EXIT, EXIT_STATUS_HELP, SESSION_OPTIONS as S, UsageError, VEHICLE_SESSION_OPTIONS, checkSocRange, choiceOption, durationOption, environmentError, flag, listOption, numberOption, parseOptions, parseOrExit, stringOption } from "./options";
import type { OptionSpec } from "./options";
import { SCENARIOS, scenarioSpec } from "../../../simulation/site/index";
import { DEVICE_FAULT_OPTION, EVCC_WIRELESS_HELP, WIRELESS_TRANSFERS, deviceFault, evccWireless } from "./wireless-options";
import type { WirelessTransfer } from "./wireless-options";
import type { ScenarioName } from "../../../simulation/site/index";

const USAGE = `usage: xs15118 evcc --iface IFACE [--protocol din,iso2,iso20] [--transfer dc|ac|dc_bpt|ac_bpt]
                    [--mode scheduled|dynamic] [--tls --pki DIR [--keylog FILE] [--payment external|contract [--contract]]
                    | --insecure-iso20-plain-tcp]
                    [--secc [ADDR]:PORT] [--scenario v2g|v2h|v2l [--min-soc N] [--departure DURATION]]
                    [--start-soc N] [--target-soc N] [--capacity KWH] [--max-time DURATION]
                    [--json] [--quiet] [--verbose]

A simulated vehicle (EVCC) running one session against a charger on a real network interface:
SDP on ff02::1 of IFACE (unless --secc gives the charger), then SAP and a DIN 70121 / ISO 15118-2 /
ISO 15118-20 session (whichever the charger picks from the offered list) over TCP, or TLS
with --tls (external identification, or Plug & Charge with --payment contract), charging its simulated battery to the target SoC. Exits 0 only
when the session ended normally (SessionStop after charging).

options (the names sim, secc and evcc share mean the same in each):
  --iface IFACE         interface for SDP and link-local addresses; its MAC is the EVCCID
  --protocol LIST       protocols offered in SAP, preferred first: din, iso2, iso20
                        (default: iso2,din for DC, iso2 for AC; --protocols also works);
                        iso20 needs --tls (TLS 1.3) or --insecure-iso20-plain-tcp
  --transfer dc|ac|dc_bpt|ac_bpt  energy transfer (default dc; *_bpt: the ISO 15118-20
                        bidirectional service, charging)
  --transfer mcs|mcs_bpt  ISO 15118-20 megawatt charging (service 8/9) as a truck: 1,000 V class
                        pack taking up to 3,000 A (needs --protocol iso20)
${EVCC_WIRELESS_HELP}
  --mode scheduled|dynamic  ISO 15118-20 control mode (default scheduled)
  --scenario NAME       ISO 15118-20 bidirectional: the vehicle of a v2g, v2h or v2l scenario
                        (DC_BPT unless --transfer ac_bpt, Dynamic control): it lets the charger's
                        energy manager take energy back down to its minimum SoC and leaves at its
                        departure time (v2l: at the minimum SoC). The battery follows what the
                        charger reports, signed: DC its EVSEPresentCurrent, AC its
                        EVSETargetActivePower. Needs iso20 in --protocol
  --min-soc N           scenario: never discharge below N % (default v2g/v2h 30, v2l 50; below
                        --start-soc)
  --departure DURATION  scenario: leave (end the session normally) after this long: 30 (s), 90s,
                        15m, 2h (default: the scenario's, v2g 1 h, v2h 1 h 15 min, v2l 4 h)
  --insecure-iso20-plain-tcp  offer ISO 15118-20 over plain TCP (it requires TLS 1.3: test
                        benches only)
${TLS_HELP}
                        (the vehicle: DIR's V2G roots for the charger's chain, DC=CPO checked;
                        DIR/iso20/oem-prov as its TLS 1.3 certificate). SDP asks for TLS and a
                        charger answering without TLS is refused (and the other way round)
${EVCC_PAYMENT_HELP}
  --secc [ADDR]:PORT    the charger's address, no SDP: [fe80::1]:61000 (zone from --iface),
                        [fe80::1%eth0]:61000, [::1]:61000
  --start-soc N         the battery's SoC at the start, % (default ${DEFAULT_BATTERY.soc})
  --target-soc N        charge to N %, above --start-soc (default 80)
  --capacity KWH        usable battery capacity, kWh (default ${DEFAULT_BATTERY.capacityKWh})
  --max-time DURATION   give up after this long (exit 1): 30 (s), 90s, 15m, 2h (default: no limit)
  --json                stdout: one JSON line at the end (protocol, transfer, durationMs, energyWh,
                        messages, socStart, socEnd, reason, detail, ok; with --scenario also
                        energyChargedWh, energyDischargedWh); the trace goes to stderr
  --quiet               no live trace (the summary, or the JSON line, only)
  --web [PORT]          serve the session view on http://127.0.0.1:PORT/ (default 15180): events, the
                        message sequence with each message's key values, plots, the summary; it
                        stays served after the session until Ctrl-C
  --verbose             every charge-loop message and the stack's log

Old names still accepted, with a warning: --soc (--start-soc), --battery-kwh (--capacity),
--timeout (--max-time).

Ctrl-C stops the session in order (the vehicle ends charging); a second Ctrl-C aborts.
A charger that refuses the TCP connection ends the run as connection-refused (exit 1).

${EXIT_STATUS_HELP}

example: sudo xs15118 evcc --iface eth1 --protocol din --target-soc 35 --json
         sudo xs15118 evcc --iface eth1 --protocols iso20,iso2 --insecure-iso20-plain-tcp --json
         sudo xs15118 evcc --iface eth1 --protocols iso20 --insecure-iso20-plain-tcp --scenario v2g --start-soc 70 --departure 2m`;

const OPTIONS: readonly OptionSpec[] = [
  ...VEHICLE_SESSION_OPTIONS,
  S.iface,
  { name: "--secc", value: "[ADDR]:PORT" },
  { name: "--mode", value: "MODE" },
  { name: "--scenario", value: "NAME" },
  { name: "--min-soc", value: "N" },
  { name: "--departure", value: "DURATION" },
  { name: "--insecure-iso20-plain-tcp" },
  DEVICE_FAULT_OPTION,
  PAYMENT_OPTION,
  CONTRACT_OPTION,
  ...TLS_OPTIONS,
];

export interface EvccArgs {
  iface?: string;
  /** Offered in SAP, preferred first; undefined: the vehicle's default for the transfer. */
  protocols?: SessionProtocol[];
  transfer: Transfer;
  /** ISO 15118-20: the bidirectional service of the transfer, and the control mode. */
  bpt: boolean;
  /** --transfer mcs|mcs_bpt: the ISO 15118-20 MCS service asked for, as a truck (transfer "dc"). */
  mcs?: "mcs" | "mcs_bpt";
  /** --transfer wpt|acdp: a car onto a wireless pad or a bus under a pantograph (./wireless-options.ts), with --device-fault. */
  wireless?: WirelessTransfer;
  deviceFault?: string;
  mode: "scheduled" | "dynamic";
  /** ISO 15118-20 BPT scenario: minimum SoC (%), departure (ms after the start), what ends the session. */
  scenario?: { name: ScenarioName; minSoc: number; departureMs: number; ends: "departure" | "minimum-soc" };
  insecureIso20: boolean;
  /** --tls, --pki, --keylog. */
  tls: TlsArgs;
  /** --payment contract: Plug & Charge; `contractInstalled` (--contract): no installation first. */
  payment: "external" | "contract";
  contractInstalled: boolean;
  secc?: Endpoint;
  startSoc: number;
  targetSoc: number;
  capacityKWh: number;
  maxTimeMs?: number;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  /** Deprecated option names used, one line each for stderr. */
  warnings: string[];
}

/** The options of `evcc`; throws a UsageError for a wrong command line. */
export function parseEvccArgs(args: string[]): EvccArgs {
  const parsed = parseOptions("evcc", args, OPTIONS);
  const protocols = listOption("evcc", parsed, "--protocol", ["din", "iso2", "iso20"] as const, "protocol");
  const scenarioName = choiceOption("evcc", parsed, "--scenario", SCENARIOS, "scenario");
  const givenTransfer = choiceOption("evcc", parsed, "--transfer", ["dc", "ac", "dc_bpt", "ac_bpt", "mcs", "mcs_bpt", ...WIRELESS_TRANSFERS] as const, "transfer");
  // WPT charges through its own messages (an AC vehicle to the station), ACDP through the DC ones.
  const wireless = givenTransfer === "wpt" || givenTransfer === "acdp" ? givenTransfer : undefined;
  const fault = deviceFault("evcc", stringOption(parsed, "--device-fault"), wireless);
  if (scenarioName !== undefined && givenTransfer !== undefined && givenTransfer !== "dc_bpt" && givenTransfer !== "ac_bpt") throw new UsageError("evcc", `--scenario ${scenarioName} needs a bidirectional service: --transfer dc_bpt|ac_bpt, not ${givenTransfer}`);
  // A scenario is the -20 bidirectional service, DC_BPT unless told otherwise.
  const chosen = givenTransfer ?? (scenarioName !== undefined ? "dc_bpt" : "dc");
  // MCS charges through the DC messages: the station runs a DC vehicle that asks for service 8/9.
  const mcs = chosen === "mcs" || chosen === "mcs_bpt" ? chosen : undefined;
  const transferName = chosen === "mcs" || chosen === "mcs_bpt" || chosen === "acdp" ? "dc" : chosen === "wpt" ? "ac" : chosen;
  const transfer: Transfer = transferName === "dc_bpt" ? "dc" : transferName === "ac_bpt" ? "ac" : transferName;
  const bpt = transferName !== transfer;
  const givenMode = choiceOption("evcc", parsed, "--mode", ["scheduled", "dynamic"] as const, "control mode");
  if (scenarioName !== undefined && givenMode === "scheduled") throw new UsageError("evcc", `--scenario ${scenarioName} runs Dynamic control (the charger's energy manager sets the power every loop): leave out --mode scheduled`);
  const mode = givenMode ?? (scenarioName !== undefined ? "dynamic" : "scheduled");
  const insecureIso20 = flag(parsed, "--insecure-iso20-plain-tcp");
  const iso20 = protocols !== undefined && protocols.indexOf("iso20") >= 0;
  const tls = parseTlsArgs("evcc", parsed, true);
  if (iso20 && !insecureIso20 && !tls.tls) throw new UsageError("evcc", "ISO 15118-20 requires TLS 1.3: add --tls --pki DIR (or --insecure-iso20-plain-tcp for a test bench)");
  if (scenarioName !== undefined && !iso20) throw new UsageError("evcc", `--scenario ${scenarioName} is ISO 15118-20 bidirectional charging: --protocol iso20`);
  if (bpt && !iso20) throw new UsageError("evcc", "--transfer dc_bpt|ac_bpt needs --protocol iso20");
  if (mcs !== undefined && !iso20) throw new UsageError("evcc", "--transfer mcs|mcs_bpt is an ISO 15118-20 service: --protocol iso20");
  if (wireless !== undefined && !iso20) throw new UsageError("evcc", `--transfer ${wireless} is an ISO 15118-20 service: --protocol iso20`);
  if (transfer === "ac" && protocols !== undefined && protocols.indexOf("din") >= 0) {
    throw new UsageError("evcc", "DIN 70121 is DC only: --protocol din needs --transfer dc");
  }
  const iface = stringOption(parsed, "--iface");
  const seccText = stringOption(parsed, "--secc");
  let secc: Endpoint | undefined;
  try {
    secc = seccText === undefined ? undefined : parseEndpoint(seccText, iface);
  } catch (error) {
    throw new UsageError("evcc", (error as Error).message);
  }
  if (secc === undefined && !iface) throw new UsageError("evcc", "--iface IFACE is required for SDP (or give the charger with --secc [ADDR]:PORT)");
  const startSoc = numberOption("evcc", parsed, "--start-soc", 0, 99.9) ?? DEFAULT_BATTERY.soc;
  const targetSoc = numberOption("evcc", parsed, "--target-soc", 0.1, 100) ?? 80;
  const minSocGiven = numberOption("evcc", parsed, "--min-soc", 0, 99);
  const departureMs = durationOption("evcc", parsed, "--departure", 1000, 24 * 3_600_000);
  let scenario: EvccArgs["scenario"];
  if (scenarioName === undefined) {
    if (minSocGiven !== undefined || departureMs !== undefined) throw new UsageError("evcc", `${minSocGiven !== undefined ? "--min-soc" : "--departure"} needs --scenario`);
    checkSocRange("evcc", startSoc, targetSoc);
  } else {
    // A scenario may start above its target SoC (it gives energy back; V2L only gives).
    const spec = scenarioSpec(scenarioName, { minSoc: minSocGiven });
    if (!(spec.minSoc < startSoc)) throw new UsageError("evcc", `--min-soc ${spec.minSoc}${minSocGiven === undefined ? ` (the ${scenarioName} default)` : ""} must be below --start-soc ${startSoc} (the car would have nothing to give)`);
    scenario = { name: scenarioName, minSoc: spec.minSoc, departureMs: departureMs ?? spec.durationMs, ends: spec.ends };
  }
  return {
    iface,
    protocols,
    transfer,
    bpt,
    ...(mcs !== undefined ? { mcs } : {}),
    ...(wireless !== undefined ? { wireless } : {}),
    ...(fault !== undefined ? { deviceFault: fault } : {}),
    mode,
    ...(scenario !== undefined ? { scenario } : {}),
    insecureIso20,
    tls,
    ...parsePayment("evcc", parsed, tls, protocols ?? (transfer === "dc" ? ["iso2", "din"] : ["iso2"])),
    secc,
    startSoc,
    targetSoc,
    capacityKWh: numberOption("evcc", parsed, "--capacity", 0.01, 1000) ?? DEFAULT_BATTERY.capacityKWh,
    maxTimeMs: durationOption("evcc", parsed, "--max-time", 100, 24 * 3_600_000),
    json: flag(parsed, "--json"),
    quiet: flag(parsed, "--quiet"),
    verbose: flag(parsed, "--verbose"),
    warnings: parsed.warnings,
  };
}

const evcc: Command = {
  summary: "simulated vehicle (EVCC) on a real interface: one DIN/ISO-2/ISO-20 session against a charger",
  usage: USAGE,
  async run(args, io) {
    const web = parseOrExit(io, () => takeWebOption("evcc", args));
    if (typeof web === "number") return web;
    const a = parseOrExit(io, () => parseEvccArgs(web.args));
    return typeof a === "number" ? a : drive(a, io, web.web);
  },
};

export default evcc;

async function drive(a: EvccArgs, io: CliIo, webPort?: number): Promise<number> {
  const output = a.json ? io.err : io.out;
  const trace = a.quiet ? () => undefined : output;
  let mac = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
  if (a.iface !== undefined) {
    const info = a.secc === undefined ? await waitForLinkLocal(a.iface, 5000) : interfaceInfo(a.iface);
    if (info === undefined) return environmentError(io, "evcc", `no interface '${a.iface}'`);
    if (a.secc === undefined && info.linkLocal === undefined) {
      return environmentError(io, "evcc", `interface '${a.iface}' has no IPv6 link-local address (is it up, with IPv6 enabled?)`);
    }
    if (info.mac.some((b) => b !== 0)) mac = Uint8Array.from(info.mac);
  }

  let secure: TlsSecureOptions | undefined;
  if (a.tls.tls) {
    try {
      secure = secureFromArgs(a.tls, "evcc", a.protocols ?? (a.transfer === "dc" ? ["iso2", "din"] : ["iso2"]));
    } catch (error) {
      return environmentError(io, "evcc", `TLS: ${(error as Error).message}`);
    }
  }
  let pnc: Iso2EvccPnc | undefined;
  if (a.payment === "contract") {
    try {
      pnc = evccPnc(a.tls.pki!, a.protocols ?? ["iso2"], a.contractInstalled);
    } catch (error) {
      return environmentError(io, "evcc", `Plug & Charge: ${(error as Error).message}`);
    }
  }
  /** The TLS class the station opens like a TCP one, bound to this vehicle's profile and PKI. */
  class Tls extends NodeTlsSocket {
    constructor(options: StreamSocketOptions) {
      super({ ...options, secure: secure! });
    }
  }

  const clock = new NodeClock();
  const origin = clock.now();
  const view = webPort !== undefined ? new TraceView("xs15118 evcc", "evcc") : undefined;
  const thinner = new LoopThinner();
  const errors: string[] = [];
  let messages = 0;
  const logger: Logger = {
    log(level: LogLevel, source: string, message: string) {
      if (level === "error" || level === "warn") {
        errors.push(`${source}: ${message}`);
        io.err(`${level} ${source}: ${message}`);
      } else if (a.verbose && level !== "trace") io.err(`${level} ${source}: ${message}`);
    },
  };

  let finish!: (outcome: VehicleOutcome) => void;
  const ended = new Promise<VehicleOutcome>((resolve) => (finish = resolve));
  let sessionStart: number | undefined;
  const wireless = a.wireless === undefined ? undefined : evccWireless(a.wireless, mac, a.deviceFault);
  const station = new VehicleStation({
    clock,
    // every message through the Node host's generated code (hosts/sim/exi-fast; the same bytes)
    exiFast: NODE_FAST,
    io: { Udp: NodeUdpSocket, Tcp: secure ? Tls : NodeTcpSocket },
    tls: secure !== undefined,
    interface: a.iface,
    secc: a.secc,
    protocols: a.protocols,
    transfer: a.transfer,
    insecureIso20WithoutTls: a.insecureIso20,
    session: {
      ...(a.protocols?.indexOf("iso20") !== undefined && a.protocols.indexOf("iso20") >= 0 ? { iso20: { transfer: wireless?.iso20Transfer ?? a.mcs ?? (a.bpt ? (a.transfer === "dc" ? "dc_bpt" : "ac_bpt") : a.transfer), controlMode: a.mode } } : {}),
      ...(pnc !== undefined ? { pnc } : {}),
    },
    evccId: mac,
    // WPT/ACDP: the vehicle's half of the device, the wireless SDP request; a WPT car takes no AC at its inlet.
    ...(wireless !== undefined ? { device: wireless.device, sdpWireless: wireless.sdpWireless, ...(a.wireless === "wpt" ? { acPowerAvailable: () => false } : {}) } : {}),
    // A truck for MCS: 280 cells (a 1,000 V class pack), 3,000 A and 3.75 MW allowed.
    battery: { capacityKWh: a.capacityKWh, soc: a.startSoc, ...(a.mcs !== undefined ? { cellsInSeries: 280, maxCurrent: 3000, maxPower: 3_750_000, internalResistance: 0.01 } : {}) },
    targetSoc: a.targetSoc,
    // A scenario's battery gives energy back; the charger's stage is in another process, so the
    // battery follows the present current the charger reports (signed).
    bidirectional:
      a.scenario === undefined
        ? undefined
        : { minSoc: a.scenario.minSoc, maxDischargePower: 11_000, maxDischargeCurrent: 30, departureAt: clock.now() + a.scenario.departureMs, ends: a.scenario.ends, remote: true },
    logger,
    onTrace: (entry) => {
      messages++;
      sessionStart ??= entry.at;
      if (a.verbose || thinner.keep(entry.name, entry.direction, entry.at, formatValues(entry.values))) trace(formatEvccTrace(entry, origin));
      view?.message(entry.at, entry.direction, entry.name, entry.values);
    },
    onDiscovered: (r) => {
      trace(`SDP: charger at [${r.connectAddress}]:${r.port} (${r.security === "tls" ? "TLS" : "no TLS"})`);
      view?.event(clock.now(), "sdp", `charger at [${r.connectAddress}]:${r.port} (${r.security === "tls" ? "TLS" : "no TLS"})`);
    },
    onEnd: (outcome) => finish(outcome),
  });
  const socStart = station.vehicle.battery.soc;

  let timer: NodeJS.Timeout | undefined;
  if (a.maxTimeMs !== undefined) {
    const limit = a.maxTimeMs;
    timer = setTimeout(() => finish({ reason: "time-limit" as VehicleOutcome["reason"], detail: `no end within --max-time ${formatDuration(limit)}`, ok: false, protocol: station.connection?.protocol }), limit);
  }
  let interrupts = 0;
  const onSignal = (signal: string) => {
    interrupts++;
    if (interrupts === 1 && station.connection !== undefined) {
      trace(`${signal}: stopping the session (again to abort)`);
      station.stop();
    } else {
      trace(`${signal}: aborting`);
      finish({ reason: "aborted" as VehicleOutcome["reason"], detail: signal, ok: false });
    }
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);

  trace(
    a.secc
      ? `xs15118 evcc: connecting to [${a.secc.address}]:${a.secc.port}`
      : `xs15118 evcc: SDP on ff02::1%${a.iface}` + ` (${a.transfer}, ${(a.protocols ?? (a.transfer === "dc" ? ["iso2", "din"] : ["iso2"])).join(",")}, SoC ${a.startSoc}% → ${a.targetSoc}%)`,
  );
  const webServer = view !== undefined ? await startWeb(io, "evcc", view.source, webPort!) : undefined;
  if (view !== undefined && webServer === undefined) {
    process.removeListener("SIGINT", onInt);
    process.removeListener("SIGTERM", onTerm);
    clearTimeout(timer);
    return EXIT.environment;
  }
  let outcome: VehicleOutcome;
  try {
    station.start();
    outcome = await ended;
  } finally {
    clearTimeout(timer);
    process.removeListener("SIGINT", onInt);
    process.removeListener("SIGTERM", onTerm);
    station.close();
  }
  // the battery up to now, then let the socket's FIN go out before the timers are dropped
  station.vehicle.update();
  await new Promise((r) => setTimeout(r, 20));
  clock.cancelAll();

  const durationMs = Math.round(clock.now() - (sessionStart ?? origin));
  const energyWh = Math.round(station.vehicle.inletWh * 100) / 100;
  const socEnd = Math.round(station.vehicle.battery.soc * 100) / 100;
  const reason = String(outcome.reason);
  const both = a.scenario === undefined ? undefined : { energyChargedWh: Math.round(station.vehicle.chargedWh * 100) / 100, energyDischargedWh: Math.round(station.vehicle.dischargedWh * 100) / 100 };
  if (both !== undefined) trace(`scenario ${a.scenario!.name}: ${both.energyChargedWh} Wh charged, ${both.energyDischargedWh} Wh discharged (at the inlet), SoC ${socStart} % → ${socEnd} %`);
  output(formatSummary({ protocol: outcome.protocol ?? station.connection?.protocol, transfer: a.wireless ?? a.transfer, durationMs, energyWh, messages, socStart, socEnd, reason, detail: outcome.detail, ok: outcome.ok, errors }));
  if (a.json) {
    io.out(
      JSON.stringify({
        protocol: outcome.protocol ?? station.connection?.protocol ?? null,
        transfer: a.wireless ?? a.transfer,
        durationMs,
        energyWh,
        ...both,
        messages,
        socStart,
        socEnd,
        reason,
        detail: outcome.detail ?? null,
        ok: outcome.ok,
        secc: a.secc ? `[${a.secc.address}]:${a.secc.port}` : null,
        errors,
      }),
    );
  }
  if (view !== undefined && webServer !== undefined) {
    view.event(clock.now(), "evcc", `session over: ${reason}${outcome.detail ? ` (${outcome.detail})` : ""}`);
    const protocol = outcome.protocol ?? station.connection?.protocol;
    view.ended({ outcome: reason, ok: outcome.ok, protocol, transfer: a.transfer, durationMs, energyWh, messages, socStart, socEnd, errors }, `${String(protocol ?? "").toUpperCase()} ${a.transfer.toUpperCase()} session: ${reason}`);
    view.source.finish();
    io.err(`xs15118 evcc: the session is over; its view stays on ${webServer.url} until Ctrl-C`);
    await serveUntilStopped(webServer);
  }
  return outcome.ok ? EXIT.ok : EXIT.failed;
}
