// `xs15118 secc --iface IFACE …`: a simulated charger serving sessions on a real interface
// (SDP on ff02::1, V2G over TCP/IPv6) until SIGINT/SIGTERM, with a live trace and, with
// --json, one JSON line per session.

import type { CliIo, Command } from "../cli";
import type { Logger, LogLevel, Millis } from "../../../modules/common/index";
import type { ListenerOptions, UdpSocketOptions } from "../../../modules/common/io";
import type { ConnectionEnd, SeccTraceEntry } from "../../../modules/statemachine/index";
import type { Iso20Transfer } from "../../../modules/statemachine/index";
import { NodeListener, NodeUdpSocket } from "../net/index";
import { NodeTlsListener } from "../crypto/tls";
import type { TlsSecureOptions } from "../../../modules/pki-store/index";
import { TLS_HELP, TLS_OPTIONS, parseTlsArgs, secureFromArgs } from "./tls-options";
import type { TlsArgs } from "./tls-options";
import { PAYMENT_OPTION, SECC_PAYMENT_HELP, parsePayment, seccPnc } from "./pnc-options";
import type { SeccConfigWithPnc } from "../../../modules/statemachine/iso2/pnc";
import { waitForLinkLocal } from "../net/interface";
import { FilePkiStorage } from "../pki/file-storage";
import { NodeClock } from "../node-clock";
import { NODE_FAST } from "../exi-fast/index";
import { StandInLoads } from "../../../simulation/standin-load";
import { ChargerStation, DEFAULT_CHARGER } from "../../../simulation/station/charger-station";
import type { ChargerSessionSummary, SessionProtocol, Transfer } from "../../../simulation/station/charger-station";
import { LoopThinner, formatSeccTrace, formatSummary } from "../../../simulation/trace-format";
import { TraceView, summaryValues } from "../web/trace-view";
import { startWeb, takeWebOption } from "../web/cli-web";
import type { ViewServer } from "../web/server";
import { ocppBridge } from "../ocpp/station";
import { splitOcppUrl } from "../ocpp/bridge";
import { SCENARIOS, SimSiteEnergyManager, scenarioSpec } from "../../../simulation/site/index";
import type { ScenarioName } from "../../../simulation/site/index";
import { EXIT, EXIT_STATUS_HELP, SESSION_OPTIONS as S, UsageError, choiceOption, environmentError, flag, listOption, numberOption, parseOptions, parseOrExit, stringOption } from "./options";
import { DEVICE_FAULT_OPTION, SECC_WIRELESS_HELP, WIRELESS_TRANSFERS, deviceFault, seccWireless } from "./wireless-options";
import type { WirelessTransfer } from "./wireless-options";
import type { OptionSpec } from "./options";

const USAGE = `usage: xs15118 secc --iface IFACE [--port N] [--protocol din,iso2,iso20] [--transfer dc,ac]
                    [--tls --pki DIR [--keylog FILE] [--payment external|contract] | --insecure-iso20-plain-tcp]
                    [--no-sdp]
                    [--scenario v2g|v2h|v2l [--time-of-day HH:MM]] [--loop-sequence-timeout SECONDS]
                    [--ocpp ws://HOST:PORT/ID] [--state DIR] [--json] [--quiet] [--fast] [--verbose]

A simulated charger (SECC) on a real network interface: answers SDP on ff02::1 (UDP 15118)
on IFACE and serves DIN 70121 / ISO 15118-2 / ISO 15118-20 sessions over TCP, or over TLS with
--tls (external identification; Plug & Charge too with --payment contract) until stopped with Ctrl-C / SIGTERM (orderly close, exit 0). Simulated
hardware: a 50 kW DC power module with a stand-in battery load, a 3 × 16 A AC outlet, a meter;
when ISO 15118-20 is offered both are bidirectional (11 kW / 30 A back from the vehicle).

options (the names sim, secc and evcc share mean the same in each):
  --iface IFACE       interface for SDP and the announced link-local address (required with SDP)
  --port N            TCP port (default: random in the dynamic range 49152–65535)
  --protocol LIST     protocols offered in SAP: din, iso2, iso20 (default iso2,din; --protocols
                      also works); the vehicle's SAP priorities choose among them. iso20 (DC
                      and AC; also the DC_BPT/AC_BPT services with 11 kW / 30 A discharge
                      limits, on a bidirectional DC module and AC inverter) is offered over
                      TLS 1.3 (--tls), or over plain TCP with --insecure-iso20-plain-tcp:
                      without either the charger warns and serves the others. Over TLS, DIN
                      70121 (which has no TLS) is not offered
${TLS_HELP}
                      (the charger: DIR/iso2/secc for TLS 1.2, DIR/iso20/secc [+ iso20-ed448]
                      for TLS 1.3, whose vehicles must show a certificate under DIR's OEM roots)
${SECC_PAYMENT_HELP}
  --insecure-iso20-plain-tcp  offer ISO 15118-20 over plain TCP (it requires TLS 1.3: test
                      benches only)
  --transfer LIST     energy transfer offered: dc, ac or dc,ac (default dc); mcs: an ISO 15118-20
                      megawatt charger (MCS and MCS_BPT, services 8/9, beside DC: 1,250 V, 3,000 A)
${SECC_WIRELESS_HELP}
  --no-sdp            do not answer SDP; the vehicle must be given the address and port
  --scenario NAME     ISO 15118-20 BPT with a site energy manager read before every charge-loop
                      response (Dynamic control): v2g exports during the 17:00–20:00 price peak
                      and charges before it; v2h (grid down, grid-forming) follows the house
                      load minus PV; v2l gives a fixed 3 kW load. Needs iso20 in --protocol
  --time-of-day HH:MM the site's time of day now (default: the local time), e.g. 17:30 for the
                      v2g price peak at once
  --loop-sequence-timeout SECONDS  ISO 15118-20: how long the charger waits for the next
                      DC_/AC_ChargeLoopReq after a ChargeLoopRes before it ends the session
                      (V2G_SECC_Sequence_Timeout of Tables 216/217: 0.5 s, the default). Fielded
                      chargers keep the 60 s of Table 215 in the loop, and real EVs pacing their
                      loop at ~0.5 s fail with 0.5 s: give 60 (or e.g. 2) to serve them.
                      0.1–60; DIN 70121 and ISO 15118-2 are not affected (60 s in the loop)
  --ocpp URL          report to a CSMS over OCPP 2.0.1 (ws://HOST:PORT/[PATH/]STATION-ID): it
                      authorizes, gets meter values, and its charging profiles become schedules
  --state DIR         keep what must survive a restart of the charger in DIR (created if
                      missing): the paused sessions (a vehicle that paused resumes with its
                      SessionID after the charger restarted) and the energy ledger (the
                      session's energy and the charger's register go on from where they
                      stood). Each record is written power-cut safe (two slots, CRC).
                      Default: kept in memory, lost when the charger stops
  --json              stdout: one JSON line when ready and one per session (protocol,
                      durationMs, energyWh, sessionEnergyWh (across pauses and restarts),
                      totalEnergyWh (the ledger's register), messages, reason, errors; with
                      iso20 offered also energyChargedWh, energyDischargedWh); the trace goes
                      to stderr
  --quiet             no live trace (the ready line and one summary per session only)
  --web [PORT]        serve the session view on http://127.0.0.1:PORT/ (default 15180): events,
                      the message sequence with each message's key values, plots, the last summary
  --fast              quick simulated hardware (isolation check 0.3 s, authorization 0.1 s)
  --verbose           every charge-loop message and the stack's log (default: the loop thinned
                      to changes of ≥ 1 V / 1 A or one line per second)

${EXIT_STATUS_HELP}
             (for secc: 0 is a stop by Ctrl-C / SIGTERM; 3 also a TCP or SDP port in use)

example: sudo xs15118 secc --iface eth1 --protocol din --json
         sudo xs15118 secc --iface eth1 --protocols din,iso2,iso20 --transfer dc,ac --insecure-iso20-plain-tcp
         sudo xs15118 secc --iface eth1 --protocols iso2,iso20 --insecure-iso20-plain-tcp --scenario v2g --time-of-day 17:30
         xs15118 pki init pki && sudo xs15118 secc --iface eth1 --protocol iso2,iso20 --tls --pki pki --keylog keys.log`;

const OPTIONS: readonly OptionSpec[] = [S.iface, S.port, S.protocol, S.transfer, S.json, S.quiet, S.verbose, { name: "--no-sdp" }, { name: "--fast" }, { name: "--ocpp", value: "URL" }, { name: "--insecure-iso20-plain-tcp" }, { name: "--scenario", value: "NAME" }, { name: "--time-of-day", value: "HH:MM" }, { name: "--loop-sequence-timeout", value: "SECONDS" }, { name: "--state", value: "DIR" }, DEVICE_FAULT_OPTION, PAYMENT_OPTION, ...TLS_OPTIONS];

export interface SeccArgs {
  iface?: string;
  port: number;
  /** Offered in SAP, preferred first (iso20 only with insecureIso20). */
  protocols: SessionProtocol[];
  transfer: Transfer[];
  /** --transfer …,mcs: the DC outlet is an MCS one (1,250 V, 3,000 A) and -20 offers MCS and MCS_BPT too. */
  mcs?: boolean;
  /** --transfer wpt|acdp: a wireless pad or a pantograph (./wireless-options.ts), with --device-fault. */
  wireless?: WirelessTransfer;
  deviceFault?: string;
  /** Offer ISO 15118-20 over this charger's plain TCP (it requires TLS 1.3 in the field). */
  insecureIso20: boolean;
  /** --tls, --pki, --keylog. */
  tls: TlsArgs;
  /** --payment contract: Plug & Charge offered too (over TLS, from --pki DIR). */
  payment: "external" | "contract";
  /** Why a protocol asked for is not offered ("iso20 not offered: …"), for stderr and the ready line. */
  notOffered: string[];
  sdp: boolean;
  json: boolean;
  quiet: boolean;
  fast: boolean;
  verbose: boolean;
  /** OCPP 2.0.1 CSMS endpoint with the station identity. */
  ocpp?: string;
  /** ISO 15118-20 BPT scenario: the site energy manager behind Dynamic control. */
  scenario?: ScenarioName;
  /** The site's time of day at start, s since midnight (default: the local time). */
  timeOfDay?: number;
  /** -20 V2G_SECC_Sequence_Timeout after a ChargeLoopRes, ms (default 500, Tables 216/217). */
  loopSequenceTimeout?: Millis;
  /** --state DIR: paused sessions and the energy ledger kept there across restarts. */
  state?: string;
  /** Deprecated option names used, one line each for stderr. */
  warnings: string[];
}

/** The bidirectional stages' discharge capability (W, A; magnitudes), as in `xs15118 sim`. */
const BPT_DISCHARGE = Object.freeze({ maxPower: 11_000, maxCurrent: 30 });

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The local time of day now, s since midnight. */
function localTimeOfDay(): number {
  const d = new Date();
  return d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds();
}

const PROTOCOL_IDS: readonly SessionProtocol[] = ["din", "iso2", "iso20"];

/** Why -20 is not offered without the insecure option ([V2G20-2356], as cited in modules/v2gtp/sap.ts). */
const ISO20_NEEDS_TLS = "ISO 15118-20 requires TLS 1.3 and this charger runs plain TCP (--insecure-iso20-plain-tcp offers it anyway, for test benches)";
const TRANSFERS: readonly Transfer[] = ["dc", "ac"];

/** An MCS outlet's DC limits: the MCS ratings (1,250 V, 3,000 A) at 3.75 MW. */
const MCS_OUTLET = Object.freeze({ maxVoltage: 1250, maxCurrent: 3000, maxPower: 3_750_000, minVoltage: 200, minCurrent: 0, peakCurrentRipple: 20 });

/** The -20 services of an MCS charger: DC and MCS with their BPT twins, and AC when it has an AC outlet. */
function mcsServices(transfer: readonly Transfer[]): Iso20Transfer[] {
  return transfer.indexOf("ac") >= 0 ? ["dc", "dc_bpt", "mcs", "mcs_bpt", "ac", "ac_bpt"] : ["dc", "dc_bpt", "mcs", "mcs_bpt"];
}

/** The options of `secc`; throws a UsageError for a wrong command line. */
export function parseSeccArgs(args: string[]): SeccArgs {
  const parsed = parseOptions("secc", args, OPTIONS);
  const port = numberOption("secc", parsed, "--port", 0, 65535, true) ?? 0;
  const asked = listOption("secc", parsed, "--protocol", PROTOCOL_IDS, "protocol") ?? ["iso2", "din"];
  const listed = listOption("secc", parsed, "--transfer", [...TRANSFERS, "mcs", ...WIRELESS_TRANSFERS] as const, "transfer") ?? ["dc"];
  // A wireless pad or a pantograph is a charger of its own kind (its -20 services only).
  const wireless = WIRELESS_TRANSFERS.find((t) => listed.indexOf(t) >= 0);
  if (wireless !== undefined && listed.length > 1) throw new UsageError("secc", `--transfer ${wireless} is a charger of its own: give it alone`);
  const fault = deviceFault("secc", stringOption(parsed, "--device-fault"), wireless);
  // MCS is a DC outlet at megawatt ratings whose -20 services include MCS (8) and MCS_BPT (9).
  const mcs = listed.indexOf("mcs") >= 0;
  // A pantograph sits on a DC outlet; a pad has no outlet.
  const transfer: Transfer[] = wireless === "acdp" ? ["dc"] : listed.filter((t): t is Transfer => t === "dc" || t === "ac");
  if (mcs && transfer.indexOf("dc") < 0) transfer.unshift("dc");
  const insecureIso20 = flag(parsed, "--insecure-iso20-plain-tcp");
  const tls = parseTlsArgs("secc", parsed, true);
  // Without TLS or the insecure option the charger falls back to what it may offer over plain
  // TCP (a charger configured for all generations still serves the -2 and DIN vehicles); over
  // TLS, DIN 70121 (no TLS in that specification) is left out.
  const protocols = tls.tls ? asked.filter((p) => p !== "din") : insecureIso20 ? asked : asked.filter((p) => p !== "iso20");
  const notOffered = protocols.length === asked.length ? [] : tls.tls ? ["din not offered: DIN 70121 defines no TLS"] : [`iso20 not offered: ${ISO20_NEEDS_TLS}`];
  if (protocols.length === 0) throw new UsageError("secc", tls.tls ? "DIN 70121 defines no TLS: --tls needs iso2 or iso20 in --protocol" : ISO20_NEEDS_TLS);
  if (protocols.length === 1 && protocols[0] === "din" && transfer.length === 1 && transfer[0] === "ac") {
    throw new UsageError("secc", "DIN 70121 is DC only: --protocol din needs --transfer dc");
  }
  const sdp = !flag(parsed, "--no-sdp");
  const iface = stringOption(parsed, "--iface");
  if (sdp && !iface) throw new UsageError("secc", "--iface IFACE is required (SDP answers on ff02::1 of an interface; or give --no-sdp)");
  const ocpp = stringOption(parsed, "--ocpp");
  if (ocpp !== undefined) {
    try {
      splitOcppUrl(ocpp);
    } catch (e) {
      throw new UsageError("secc", (e as Error).message);
    }
  }
  const scenario = choiceOption("secc", parsed, "--scenario", SCENARIOS, "scenario");
  if (scenario !== undefined && protocols.indexOf("iso20") < 0) throw new UsageError("secc", `--scenario ${scenario} is ISO 15118-20 bidirectional charging: --protocol …,iso20${tls.tls ? "" : " --insecure-iso20-plain-tcp"}`);
  const timeText = stringOption(parsed, "--time-of-day");
  const clockTime = timeText === undefined ? undefined : /^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$/.exec(timeText);
  if (timeText !== undefined && !clockTime) throw new UsageError("secc", `--time-of-day ${timeText}: expected HH:MM (00:00–23:59)`);
  if (timeText !== undefined && scenario === undefined) throw new UsageError("secc", "--time-of-day sets the site's clock of --scenario: give --scenario too");
  const timeOfDay = clockTime ? Number(clockTime[1]) * 3600 + Number(clockTime[2]) * 60 : undefined;
  const loopSeconds = numberOption("secc", parsed, "--loop-sequence-timeout", 0.1, 60);
  const { payment } = parsePayment("secc", parsed, tls, protocols);
  if (loopSeconds !== undefined && protocols.indexOf("iso20") < 0) throw new UsageError("secc", "--loop-sequence-timeout is ISO 15118-20's charge-loop timer: --protocol …,iso20");
  const loopSequenceTimeout = loopSeconds === undefined ? undefined : (Math.round(loopSeconds * 1000) as Millis);
  if (mcs && protocols.indexOf("iso20") < 0) throw new UsageError("secc", `--transfer mcs is an ISO 15118-20 service: --protocol …,iso20${tls.tls ? "" : " --insecure-iso20-plain-tcp"}`);
  if (wireless !== undefined && protocols.indexOf("iso20") < 0) throw new UsageError("secc", `--transfer ${wireless} is an ISO 15118-20 service: --protocol iso20${tls.tls ? "" : " --insecure-iso20-plain-tcp"}`);
  return { iface, port, protocols, transfer, ...(mcs ? { mcs } : {}), ...(wireless !== undefined ? { wireless } : {}), ...(fault !== undefined ? { deviceFault: fault } : {}), insecureIso20, tls, payment, notOffered, sdp, ...(ocpp !== undefined ? { ocpp } : {}), ...(scenario !== undefined ? { scenario } : {}), ...(timeOfDay !== undefined ? { timeOfDay } : {}), ...(loopSequenceTimeout !== undefined ? { loopSequenceTimeout } : {}), ...stateOption(parsed), json: flag(parsed, "--json"), quiet: flag(parsed, "--quiet"), fast: flag(parsed, "--fast"), verbose: flag(parsed, "--verbose"), warnings: parsed.warnings };
}

/** --state DIR (an empty name is refused: it would be the working directory by accident). */
function stateOption(parsed: ReturnType<typeof parseOptions>): { state?: string } {
  const state = stringOption(parsed, "--state");
  if (state === undefined) return {};
  if (state.trim() === "") throw new UsageError("secc", "--state DIR: a directory name");
  return { state };
}

interface SessionState {
  origin: number;
  /** The stages' discharged energy when the session began, Wh (bidirectional stages only). */
  dischargedAtStart?: number;
  thinner: LoopThinner;
  errors: string[];
  mode?: string;
}

const secc: Command = {
  summary: "simulated charger (SECC) on a real interface: SDP + DIN/ISO-2/ISO-20 sessions until stopped",
  usage: USAGE,
  async run(args, io) {
    const web = parseOrExit(io, () => takeWebOption("secc", args));
    if (typeof web === "number") return web;
    const a = parseOrExit(io, () => parseSeccArgs(web.args));
    return typeof a === "number" ? a : serve(a, io, web.web);
  },
};

export default secc;

async function serve(a: SeccArgs, io: CliIo, webPort?: number): Promise<number> {
  const output = a.json ? io.err : io.out;
  const trace = a.quiet ? () => undefined : output;
  let address = "::";
  if (a.iface !== undefined) {
    const info = await waitForLinkLocal(a.iface, 5000);
    if (info === undefined) return environmentError(io, "secc", `no interface '${a.iface}'`);
    if (info.linkLocal === undefined) {
      if (a.sdp) return environmentError(io, "secc", `interface '${a.iface}' has no IPv6 link-local address (is it up, with IPv6 enabled?)`);
    } else address = info.linkLocal;
  }

  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  // A socket error before the server is ready (port in use, no permission) is the
  // environment's (exit 3); one while serving ends the charger as failed (exit 1).
  let serving = false;
  const fatal = (what: string, error: Error): void => {
    io.err(`xs15118 secc: ${what}: ${error.message}`);
    finish(serving ? EXIT.failed : EXIT.environment);
  };

  let secure: TlsSecureOptions | undefined;
  if (a.tls.tls) {
    try {
      secure = secureFromArgs(a.tls, "secc", a.protocols);
    } catch (error) {
      return environmentError(io, "secc", `TLS: ${(error as Error).message}`);
    }
  }
  let pnc: Partial<SeccConfigWithPnc> | undefined;
  if (a.payment === "contract") {
    try {
      pnc = seccPnc(a.tls.pki!, a.protocols);
    } catch (error) {
      return environmentError(io, "secc", `Plug & Charge: ${(error as Error).message}`);
    }
  }

  // The sockets, wrapped to learn when they are bound and to stop on their errors.
  let listener: { ready: Promise<void> } | undefined;
  let sdpSocket: NodeUdpSocket | undefined;
  class Listener extends NodeListener {
    constructor(options: ListenerOptions) {
      super({ ...options, onError: (e) => fatal(`TCP port ${options.port}`, e) });
      listener = this;
    }
  }
  class TlsListener extends NodeTlsListener {
    constructor(options: ListenerOptions) {
      super({
        ...options,
        secure: secure!,
        onError: (e) => fatal(`TCP port ${options.port}`, e),
        // A refused handshake closes that connection only; the charger serves on (the log says why).
        onHandshakeFailed: (reason) => logger.log("warn", "secc", `TLS handshake refused, connection closed: ${reason}`),
      });
      listener = this;
    }
  }
  class Udp extends NodeUdpSocket {
    constructor(options: UdpSocketOptions) {
      super({ ...options, onError: (e) => fatal(`SDP (UDP ${options.port ?? 15118} on ${a.iface})`, e) });
      sdpSocket = this;
    }
  }

  let storage: FilePkiStorage | undefined;
  if (a.state !== undefined) {
    try {
      storage = new FilePkiStorage(a.state);
      storage.list(""); // readable
    } catch (error) {
      return environmentError(io, "secc", `--state ${a.state}: ${(error as Error).message}`);
    }
  }

  const clock = new NodeClock();
  const view = webPort !== undefined ? new TraceView("xs15118 secc", "secc") : undefined;
  let webServer: ViewServer | undefined;
  const sessions = new Map<number, SessionState>();
  let current: SessionState | undefined;
  const logger: Logger = {
    log(level: LogLevel, source: string, message: string) {
      if (level === "error" || level === "warn") {
        current?.errors.push(`${source}: ${message}`);
        io.err(`${level} ${source}: ${message}`);
      } else if (a.verbose && level !== "trace") io.err(`${level} ${source}: ${message}`);
    },
  };

  let loads: StandInLoads | undefined;
  let stopping = false;
  const iso20 = a.protocols.indexOf("iso20") >= 0;
  // The site's clock: its time of day at the NodeClock's 0 (the energy manager adds clock.now()).
  const scenario = a.scenario === undefined ? undefined : scenarioSpec(a.scenario);
  const site = scenario === undefined ? undefined : new SimSiteEnergyManager({ clock, use: scenario.use, startOfDay: (a.timeOfDay ?? localTimeOfDay()) - clock.now() / 1000, fixedLoad: scenario.fixedLoad });
  /** Energy out of the vehicle at the bidirectional stages' grid side, Wh (cumulative; a session reads the difference). */
  const discharged = (): number => (station.dc?.energy.dischargedWh ?? 0) + (station.hardware.inverter?.energy.dischargedWh ?? 0);
  const ocpp = a.ocpp === undefined ? undefined : ocppBridge(a.ocpp, clock, logger, () => station);
  const wireless = a.wireless === undefined ? undefined : seccWireless(a.wireless, clock, DEFAULT_CHARGER.evseId, a.deviceFault);
  const station: ChargerStation = new ChargerStation({
    backend: ocpp,
    clock,
    // every message through the Node host's generated code (hosts/sim/exi-fast; the same bytes)
    exiFast: NODE_FAST,
    io: { Udp, Listener: secure ? TlsListener : Listener },
    tls: secure !== undefined,
    address,
    interface: a.iface,
    port: a.port,
    sdp: a.sdp,
    protocols: a.protocols,
    transfer: a.transfer,
    // These connections are plain TCP: SAP selects -20 over them only when explicitly allowed.
    // -20 also offers DC_BPT and AC_BPT (the discharge limits `xs15118 sim` uses) on
    // bidirectional stages, so a BPT vehicle can give energy back (the stand-in battery takes it).
    config: {
      transport: "none",
      iso20: { insecureWithoutTls: a.insecureIso20, discharge: BPT_DISCHARGE, ...(a.mcs ? { services: mcsServices(a.transfer) } : {}), ...(wireless !== undefined ? { services: wireless.services } : {}), ...(scenario !== undefined ? { bpt: { generatorMode: scenario.generatorMode } } : {}) },
      ...(a.mcs ? { dc: MCS_OUTLET } : {}),
      ...wireless?.config,
      ...(a.loopSequenceTimeout !== undefined ? { timeouts: { "loop-sequence": a.loopSequenceTimeout } } : {}),
      ...pnc,
    },
    bidirectional: iso20 && a.wireless !== "wpt" ? { discharge: BPT_DISCHARGE } : undefined,
    devices: wireless?.devices,
    sdpWireless: wireless?.sdpWireless,
    energyManager: site,
    dcModule: a.fast ? { isolationCheckTime: 300 as Millis } : undefined,
    authorizationDelay: (a.fast ? 100 : 1000) as Millis,
    storage,
    logger,
    onTrace: (entry: SeccTraceEntry, session: number, live: boolean) => {
      // Only the live session moves the stand-in load (a newcomer's requests are not charging).
      if (live) loads?.onTrace(entry);
      // A new session learns where the pad's car or the pantograph stands (the models report changes only).
      if (live && entry.direction === "tx" && entry.message === "SessionSetupRes") wireless?.report();
      let s = sessions.get(session);
      if (s === undefined) {
        s = { origin: entry.time, thinner: new LoopThinner(), errors: [], dischargedAtStart: iso20 ? discharged() : undefined };
        sessions.set(session, s);
        current ??= s;
        trace(`session #${session}: vehicle connected`);
        view?.event(entry.time, "secc", `session #${session}: vehicle connected`);
      }
      if (live) current = s;
      const mode = /(?:RequestedEnergyTransferMode|EVRequestedEnergyTransferType)=(\S+)/.exec(entry.summary);
      if (mode) s.mode = mode[1];
      // -20 has no transfer mode field: the DC_/AC_ messages of its namespace say it.
      else if (entry.protocol === "iso20" && s.mode === undefined && /^(?:DC|AC)_/.test(entry.message)) s.mode = entry.message.slice(0, 2);
      if (entry.direction === "tx" && /ResponseCode=FAILED/.test(entry.summary)) s.errors.push(`${entry.message}: ${/ResponseCode=(\S+)/.exec(entry.summary)![1]}`);
      if (a.verbose || s.thinner.keep(entry.message, entry.direction, entry.time, entry.summary)) trace(formatSeccTrace(entry, session, s.origin));
      view?.message(entry.time, entry.direction, entry.message, summaryValues(entry.summary));
    },
    onSessionEnd: (summary: ChargerSessionSummary) => {
      loads?.release();
      const s = sessions.get(summary.session);
      sessions.delete(summary.session);
      if (current === s) current = undefined;
      // "local": this charger closed the connection (it is being stopped)
      const reason = summary.reason === "local" && stopping ? "charger-stopped" : summary.reason;
      const ok = reason === "ev-terminate" || reason === "ev-pause";
      // A pad or a pantograph says what it is (a pantograph's session runs the DC messages).
      const transfer = a.wireless ?? (s?.mode === undefined ? undefined : s.mode.startsWith("DC") ? "dc" : "ac");
      const durationMs = Math.round(summary.endedAt - summary.startedAt);
      const energyWh = Math.round(summary.energyWh * 100) / 100;
      const errors = s?.errors ?? [];
      // Bidirectional stages: energy into the vehicle and back out of it at the grid side.
      // The meter counts both ways (net): what went in is the net plus what came back (the
      // meter's and the stage's readings are a tick apart: never below 0).
      const out = s?.dischargedAtStart === undefined ? undefined : discharged() - s.dischargedAtStart;
      const both = out === undefined ? undefined : { energyChargedWh: round2(Math.max(0, summary.energyWh + out)), energyDischargedWh: round2(out) };
      if (both !== undefined && both.energyDischargedWh > 0) trace(`session #${summary.session}: ${both.energyChargedWh} Wh charged, ${both.energyDischargedWh} Wh discharged (grid side)`);
      output(formatSummary({ session: summary.session, protocol: summary.protocol, transfer, durationMs, energyWh, messages: summary.messages, reason, ok, errors }));
      view?.event(clock.now(), "secc", `session #${summary.session} ended: ${reason}`);
      view?.ended({ outcome: reason, ok, protocol: summary.protocol, transfer, durationMs, energyWh: summary.energyWh, messages: summary.messages, errors });
      if (a.json) {
        io.out(JSON.stringify({ event: "session", session: summary.session, protocol: summary.protocol ?? null, transfer: transfer ?? null, durationMs, energyWh, sessionEnergyWh: round2(summary.sessionEnergyWh), totalEnergyWh: round2(summary.totalEnergyWh), ...both, messages: summary.messages, reason, ok, errors }));
      }
    },
    onConnectionEnd: (end: ConnectionEnd) => {
      const s = sessions.get(end.connection);
      sessions.delete(end.connection);
      if (current === s) current = undefined;
      if (end.outcome === "handed-over") {
        // The vehicle came back on a new connection with its SessionID: one session, carried on.
        const next = end.to === undefined ? undefined : sessions.get(end.to);
        if (next !== undefined && s !== undefined) next.errors.unshift(...s.errors);
        trace(`session #${end.connection}: handed over to connection #${end.to} (the vehicle reconnected)`);
      } else trace(`connection #${end.connection} closed before a session: ${end.reason}`);
      if (a.json) io.out(JSON.stringify({ event: "connection", connection: end.connection, outcome: end.outcome, reason: end.reason, to: end.to ?? null }));
    },
  });
  loads = new StandInLoads(station);
  /** What --state brought back: the ready line says it (a restart shows its paused sessions and register). */
  const restored = () => {
    if (a.state === undefined) return { state: null };
    const ledger = station.service.ledger.state;
    return { state: a.state, pausedSessions: station.service.store.size, totalEnergyWh: round2(ledger.totalWh), sessionEnergyWh: round2(ledger.sessionWh) };
  };

  for (const why of a.notOffered) io.err(`warn secc: ${why}`);

  const onSignal = (signal: string) => {
    stopping = true;
    trace(`${signal}: stopping`);
    finish(EXIT.ok);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.once("SIGINT", onInt);
  process.once("SIGTERM", onTerm);

  try {
    if (ocpp !== undefined) {
      try {
        await ocpp.connect();
      } catch (e) {
        return environmentError(io, "secc", `OCPP CSMS ${a.ocpp}: ${(e as Error).message}`);
      }
      trace(`xs15118 secc: OCPP 2.0.1 to ${a.ocpp} (${ocpp.client.protocol ?? "?"}), booted`);
    }
    if (view !== undefined) {
      webServer = await startWeb(io, "secc", view.source, webPort!);
      if (webServer === undefined) return EXIT.environment;
    }
    station.start();
    const ready = (async () => {
      await listener?.ready;
      while (a.sdp && sdpSocket?.port === undefined) await new Promise((r) => setTimeout(r, 10));
    })();
    const first = await Promise.race([ready.then(() => -1), done]);
    if (first >= 0) return first;
    serving = true;
    const where = `[${address}${a.iface && address.startsWith("fe80") ? `%${a.iface}` : ""}]:${station.port}`;
    output(
      `xs15118 secc: V2G server on ${where} (${secure ? `TLS, profile ${secure.profile}` : `TCP, no TLS${a.insecureIso20 ? "; ISO 15118-20 over plain TCP: insecure, test bench only" : ""}`}); ${a.sdp ? `SDP on ff02::1%${a.iface} UDP 15118` : "no SDP"}; ` +
        `protocols ${a.protocols.join(",")}; transfer ${a.wireless ?? a.transfer.join(",")}${a.scenario !== undefined ? `; scenario ${a.scenario}` : ""}; Ctrl-C stops`,
    );
    if (a.json) io.out(JSON.stringify({ event: "ready", interface: a.iface ?? null, address, port: station.port, sdp: a.sdp, protocols: a.protocols, transfer: a.transfer, tls: secure?.profile ?? null, insecureIso20: a.insecureIso20, notOffered: a.notOffered, scenario: a.scenario ?? null, loopSequenceTimeoutMs: station.config.timeouts?.["loop-sequence"] ?? null, ...restored() }));
    return await done;
  } finally {
    process.removeListener("SIGINT", onInt);
    process.removeListener("SIGTERM", onTerm);
    station.close(); // ends a live session (its summary is printed) and closes the sockets
    await ocpp?.close().catch(() => undefined);
    loads.release();
    clock.cancelAll();
    view?.source.finish();
    await webServer?.close();
  }
}
