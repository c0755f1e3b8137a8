// `xs15118 evcc --iface IFACE …`: a simulated vehicle running one session against a charger on
// a real interface (SDP, or a given address), with a live trace and, with --json, a summary.
// Exit 0 only when the session ended normally.

import { parseArgs } from "node:util";
import type { CliIo, Command } from "../cli";
import type { Logger, LogLevel } from "../../../modules/common/index";
import { NodeTcpSocket, NodeUdpSocket } from "../net/index";
import { interfaceInfo, parseEndpoint, waitForLinkLocal } from "../net/interface";
import type { Endpoint } from "../net/interface";
import { NodeClock } from "../node-clock";
import type { SessionProtocol, Transfer } from "../station/charger-station";
import { DEFAULT_BATTERY, VehicleStation } from "../station/vehicle-station";
import type { VehicleOutcome } from "../station/vehicle-station";
import { LoopThinner, formatEvccTrace, formatSummary, formatValues } from "../trace-format";

const USAGE = `usage: xs15118 evcc --iface IFACE [--protocol din|iso2] [--transfer dc|ac] [--secc [ADDR]:PORT]
                    [--target-soc N] [--soc N] [--battery-kwh N] [--timeout S] [--json] [--verbose]

A simulated vehicle (EVCC) running one session against a charger on a real network interface:
SDP on ff02::1 of IFACE (unless --secc gives the charger), then SAP and a DIN 70121 / ISO 15118-2
session over TCP (no TLS, external identification), charging its simulated battery to the
target SoC. Exits 0 only when the session ended normally (SessionStop after charging).

  --iface IFACE       interface for SDP and link-local addresses; its MAC is the EVCCID
  --protocol P        din or iso2 (default: offer iso2 then din for DC, iso2 for AC)
  --transfer T        dc or ac (default dc)
  --secc [ADDR]:PORT  the charger's address, no SDP: [fe80::1]:61000 (zone from --iface),
                      [fe80::1%eth0]:61000, [::1]:61000
  --target-soc N      charge to N % (default 80)
  --soc N             the battery's SoC at the start, % (default ${DEFAULT_BATTERY.soc})
  --battery-kwh N     usable battery capacity, kWh (default ${DEFAULT_BATTERY.capacityKWh})
  --timeout S         give up after S seconds (exit 1)
  --json              stdout: one JSON line at the end (protocol, transfer, durationMs, energyWh,
                      messages, socStart, socEnd, reason, ok); the trace goes to stderr
  --verbose           every charge-loop message and the stack's log

Ctrl-C stops the session in order (the vehicle ends charging); a second Ctrl-C aborts.

example: sudo xs15118 evcc --iface eth1 --protocol din --target-soc 35 --json`;

export interface EvccArgs {
  iface?: string;
  protocol?: SessionProtocol;
  transfer: Transfer;
  secc?: Endpoint;
  targetSoc: number;
  soc: number;
  batteryKWh: number;
  timeoutS?: number;
  json: boolean;
  verbose: boolean;
}

function number(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} ${text}: expected a number from ${min} to ${max}`);
  return n;
}

/** The options of `evcc`; throws an Error with a readable message when they are wrong. */
export function parseEvccArgs(args: string[]): EvccArgs {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      iface: { type: "string" },
      protocol: { type: "string" },
      transfer: { type: "string" },
      secc: { type: "string" },
      "target-soc": { type: "string" },
      soc: { type: "string" },
      "battery-kwh": { type: "string" },
      timeout: { type: "string" },
      json: { type: "boolean" },
      verbose: { type: "boolean" },
    },
  });
  const protocol = values.protocol?.toLowerCase();
  if (protocol !== undefined && protocol !== "din" && protocol !== "iso2") throw new Error(`unknown protocol '${values.protocol}' (known: din, iso2)`);
  const transfer = (values.transfer ?? "dc").toLowerCase();
  if (transfer !== "dc" && transfer !== "ac") throw new Error(`unknown transfer '${values.transfer}' (known: dc, ac)`);
  if (protocol === "din" && transfer === "ac") throw new Error("DIN 70121 is DC only: --protocol din needs --transfer dc");
  const secc = values.secc === undefined ? undefined : parseEndpoint(values.secc, values.iface);
  if (secc === undefined && !values.iface) throw new Error("--iface IFACE is required for SDP (or give the charger with --secc [ADDR]:PORT)");
  return {
    iface: values.iface,
    protocol,
    transfer,
    secc,
    targetSoc: number(values["target-soc"], "target-soc", 0, 100) ?? 80,
    soc: number(values.soc, "soc", 0, 100) ?? DEFAULT_BATTERY.soc,
    batteryKWh: number(values["battery-kwh"], "battery-kwh", 0.01, 1000) ?? DEFAULT_BATTERY.capacityKWh,
    timeoutS: number(values.timeout, "timeout", 0.1, 86_400),
    json: !!values.json,
    verbose: !!values.verbose,
  };
}

const evcc: Command = {
  summary: "simulated vehicle (EVCC) on a real interface: one DIN/ISO-2 session against a charger",
  usage: USAGE,
  async run(args, io) {
    let a: EvccArgs;
    try {
      a = parseEvccArgs(args);
    } catch (error) {
      io.err(`xs15118 evcc: ${(error as Error).message}`);
      io.err("(xs15118 evcc --help for the options)");
      return 2;
    }
    return drive(a, io);
  },
};

export default evcc;

async function drive(a: EvccArgs, io: CliIo): Promise<number> {
  const trace = a.json ? io.err : io.out;
  let mac = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
  if (a.iface !== undefined) {
    const info = a.secc === undefined ? await waitForLinkLocal(a.iface, 5000) : interfaceInfo(a.iface);
    if (info === undefined) {
      io.err(`xs15118 evcc: no interface '${a.iface}'`);
      return 1;
    }
    if (a.secc === undefined && info.linkLocal === undefined) {
      io.err(`xs15118 evcc: interface '${a.iface}' has no IPv6 link-local address (is it up, with IPv6 enabled?)`);
      return 1;
    }
    if (info.mac.some((b) => b !== 0)) mac = Uint8Array.from(info.mac);
  }

  const clock = new NodeClock();
  const origin = clock.now();
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
  const station = new VehicleStation({
    clock,
    io: { Udp: NodeUdpSocket, Tcp: NodeTcpSocket },
    interface: a.iface,
    secc: a.secc,
    protocols: a.protocol ? [a.protocol] : undefined,
    transfer: a.transfer,
    evccId: mac,
    battery: { capacityKWh: a.batteryKWh, soc: a.soc },
    targetSoc: a.targetSoc,
    logger,
    onTrace: (entry) => {
      messages++;
      sessionStart ??= entry.at;
      if (a.verbose || thinner.keep(entry.name, entry.direction, entry.at, formatValues(entry.values))) trace(formatEvccTrace(entry, origin));
    },
    onDiscovered: (r) => trace(`SDP: charger at [${r.connectAddress}]:${r.port} (${r.security === "tls" ? "TLS" : "no TLS"})`),
    onEnd: (outcome) => finish(outcome),
  });
  const socStart = station.vehicle.battery.soc;

  let timer: NodeJS.Timeout | undefined;
  if (a.timeoutS !== undefined) timer = setTimeout(() => finish({ reason: "timeout" as VehicleOutcome["reason"], detail: `no normal end within ${a.timeoutS} s`, ok: false }), a.timeoutS * 1000);
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
      : `xs15118 evcc: SDP on ff02::1%${a.iface}` + ` (${a.transfer}, ${a.protocol ?? (a.transfer === "dc" ? "iso2,din" : "iso2")}, SoC ${a.soc}% → ${a.targetSoc}%)`,
  );
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
  trace(formatSummary({ protocol: outcome.protocol, transfer: a.transfer, durationMs, energyWh, messages, socStart, socEnd, reason, detail: outcome.detail, ok: outcome.ok, errors }));
  if (a.json) {
    io.out(
      JSON.stringify({
        protocol: outcome.protocol ?? null,
        transfer: a.transfer,
        durationMs,
        energyWh,
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
  return outcome.ok ? 0 : 1;
}
