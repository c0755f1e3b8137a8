// @node-only — `xs15118 secc` / `evcc` options (exit 2 with a message on bad ones), endpoint
// parsing, the live-trace formatting, the standalone charger's stand-in battery load, and one
// ISO 15118-20 session between the two commands over loopback (separate processes), and a V2G
// one (--scenario v2g on both) in which the vehicle gives energy back.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { main } from "../../hosts/sim/cli";
import { parseSeccArgs } from "../../hosts/sim/commands/secc";
import { parseEvccArgs } from "../../hosts/sim/commands/evcc";
import { parseEndpoint } from "../../hosts/sim/net/interface";
import { LoopThinner, formatDuration, formatEnergy, formatEvccTrace, formatSeccTrace, formatSummary } from "../../simulation/trace-format";
import { StandInBattery, StandInLoads } from "../../simulation/standin-load";
import { ChargerStation } from "../../simulation/station/charger-station";
import { ManualClock } from "../../modules/common/index";
import type { Millis } from "../../modules/common/index";
import type { SeccTraceEntry } from "../../modules/statemachine/index";
import { bufferIo } from "../support/cli-io";

async function exit(args: string[]): Promise<{ code: number; err: string; out: string }> {
  const io = bufferIo();
  const code = await main(args, io);
  return { code, err: io.stderr.join("\n"), out: io.stdout.join("\n") };
}

describe("xs15118 evcc options", () => {
  test("a malformed --secc exits 2 and says what is expected", async () => {
    for (const bad of ["fe80::1:61000", "[fe80::1]", "[fe80::1]:99999", "[not-an-address]:61000", "[fe80::1]:"]) {
      const r = await exit(["evcc", "--iface", "eth9", "--secc", bad]);
      assert.equal(r.code, 2, bad);
      assert.match(r.err, /xs15118 evcc: .*(\[IPv6\]:PORT|out of range|not an IPv6 address)/, bad);
    }
  });

  test("an unknown protocol or transfer exits 2 with the known ones", async () => {
    let r = await exit(["evcc", "--iface", "eth9", "--protocol", "iso21"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown protocol 'iso21' \(known: din, iso2, iso20\)/);
    // ISO 15118-20 is known, but needs TLS 1.3 or the explicitly insecure option.
    r = await exit(["evcc", "--iface", "eth9", "--protocol", "iso20"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--insecure-iso20-plain-tcp/);
    r = await exit(["evcc", "--iface", "eth9", "--transfer", "hydrogen"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown transfer 'hydrogen'/);
    // WPT is known, as an ISO 15118-20 service.
    r = await exit(["evcc", "--iface", "eth9", "--transfer", "wpt"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--transfer wpt is an ISO 15118-20 service/);
    r = await exit(["evcc", "--iface", "eth9", "--protocol", "din", "--transfer", "ac"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /DIN 70121 is DC only/);
  });

  test("unknown options, missing --iface, out-of-range numbers exit 2", async () => {
    assert.equal((await exit(["evcc", "--iface", "eth9", "--frobnicate"])).code, 2);
    const noIface = await exit(["evcc"]);
    assert.equal(noIface.code, 2);
    assert.match(noIface.err, /--iface IFACE is required/);
    const soc = await exit(["evcc", "--iface", "eth9", "--target-soc", "120"]);
    assert.equal(soc.code, 2);
    assert.match(soc.err, /--target-soc 120/);
    const zone = await exit(["evcc", "--secc", "[fe80::1]:61000"]);
    assert.equal(zone.code, 2);
    assert.match(zone.err, /needs an interface/);
  });

  test("defaults and a full command line", () => {
    const d = parseEvccArgs(["--iface", "eth1"]);
    assert.deepEqual({ transfer: d.transfer, protocols: d.protocols, targetSoc: d.targetSoc, json: d.json, secc: d.secc }, { transfer: "dc", protocols: undefined, targetSoc: 80, json: false, secc: undefined });
    const a = parseEvccArgs(["--iface", "eth1", "--protocol", "ISO2", "--transfer", "ac", "--secc", "[fe80::1]:61000", "--target-soc", "55", "--start-soc", "50", "--capacity", "2", "--max-time", "30", "--json", "--quiet"]);
    assert.deepEqual(a.protocols, ["iso2"]);
    assert.equal(a.transfer, "ac");
    assert.deepEqual(a.secc, { address: "fe80::1%eth1", port: 61000 });
    assert.equal(a.targetSoc, 55);
    assert.equal(a.startSoc, 50);
    assert.equal(a.capacityKWh, 2);
    assert.equal(a.maxTimeMs, 30_000);
    assert.equal(a.json, true);
    assert.equal(a.quiet, true);
    assert.deepEqual(a.warnings, []);
    assert.deepEqual(parseEvccArgs(["--iface", "eth1", "--protocols", "din,iso2"]).protocols, ["din", "iso2"], "a preference list; --protocols as in secc");
  });

  test("the old names --soc, --battery-kwh, --timeout still work, each with a warning naming the new one", async () => {
    const a = parseEvccArgs(["--iface", "eth1", "--soc", "50", "--battery-kwh", "2", "--timeout", "30", "--target-soc", "55"]);
    assert.equal(a.startSoc, 50);
    assert.equal(a.capacityKWh, 2);
    assert.equal(a.maxTimeMs, 30_000);
    assert.deepEqual(a.warnings, ["xs15118 evcc: --soc is deprecated: use --start-soc", "xs15118 evcc: --battery-kwh is deprecated: use --capacity", "xs15118 evcc: --timeout is deprecated: use --max-time"]);
  });

  test("a target SoC at or below the start is a usage error (exit 2), as in sim", async () => {
    for (const [start, target] of [["50", "50"], ["60", "40"]]) {
      const r = await exit(["evcc", "--iface", "eth9", "--start-soc", start, "--target-soc", target]);
      assert.equal(r.code, 2, `${start} → ${target}`);
      assert.match(r.err, new RegExp(`--target-soc ${target} must be above --start-soc ${start}`));
    }
    // the default start SoC (30 %) counts too
    assert.equal((await exit(["evcc", "--iface", "eth9", "--target-soc", "20"])).code, 2);
  });

  test("--scenario: DC_BPT in Dynamic control by default, --min-soc below --start-soc, --departure; the wrong combinations exit 2", async () => {
    const base = ["--secc", "[::1]:61000", "--protocols", "iso20", "--insecure-iso20-plain-tcp"];
    const a = parseEvccArgs([...base, "--scenario", "v2g", "--start-soc", "60", "--departure", "90s"]);
    assert.equal(a.transfer, "dc");
    assert.equal(a.bpt, true);
    assert.equal(a.mode, "dynamic");
    assert.deepEqual(a.scenario, { name: "v2g", minSoc: 30, departureMs: 90_000, ends: "departure" });
    const l = parseEvccArgs([...base, "--scenario", "v2l", "--transfer", "ac_bpt", "--start-soc", "90", "--min-soc", "70"]);
    assert.equal(l.transfer, "ac");
    assert.deepEqual(l.scenario, { name: "v2l", minSoc: 70, departureMs: 4 * 3_600_000, ends: "minimum-soc" });
    for (const [args, message] of [
      [[...base, "--scenario", "v2g"], /--min-soc 30 \(the v2g default\) must be below --start-soc 30/],
      [[...base, "--scenario", "v2g", "--start-soc", "60", "--transfer", "dc"], /needs a bidirectional service/],
      [[...base, "--scenario", "v2g", "--start-soc", "60", "--mode", "scheduled"], /runs Dynamic control/],
      [["--secc", "[::1]:61000", "--scenario", "v2g", "--start-soc", "60"], /--protocol iso20/],
      [[...base, "--min-soc", "20"], /--min-soc needs --scenario/],
    ] as const) {
      const r = await exit(["evcc", ...args]);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, message);
    }
  });

  test("--help prints the usage", async () => {
    const r = await exit(["evcc", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.out, /usage: xs15118 evcc --iface IFACE/);
  });
});

describe("xs15118 secc options", () => {
  test("an unknown protocol or transfer exits 2 with a message", async () => {
    let r = await exit(["secc", "--iface", "eth9", "--protocols", "din,iso21"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown protocol 'iso21' \(known: din, iso2, iso20\)/);
    r = await exit(["secc", "--iface", "eth9", "--transfer", "dc,bpt"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown transfer 'bpt'/);
    r = await exit(["secc", "--iface", "eth9", "--protocols", "din", "--transfer", "ac"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /DIN 70121 is DC only/);
  });

  test("bad port, missing --iface with SDP, stray arguments exit 2", async () => {
    assert.equal((await exit(["secc", "--iface", "eth9", "--port", "70000"])).code, 2);
    assert.equal((await exit(["secc", "--iface", "eth9", "--port", "x"])).code, 2);
    const r = await exit(["secc"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--iface IFACE is required/);
    assert.equal((await exit(["secc", "--iface", "eth9", "extra"])).code, 2);
  });

  test("defaults: random port, iso2,din, DC, SDP on", () => {
    const a = parseSeccArgs(["--iface", "eth1"]);
    assert.deepEqual(a, { iface: "eth1", port: 0, protocols: ["iso2", "din"], transfer: ["dc"], insecureIso20: false, tls: { tls: false }, payment: "external", notOffered: [], sdp: true, json: false, quiet: false, fast: false, verbose: false, warnings: [] });
    assert.deepEqual(parseSeccArgs(["--iface", "eth1", "--protocol", "din"]).protocols, ["din"], "--protocol as in sim and evcc");
    const b = parseSeccArgs(["--no-sdp", "--port", "61000", "--protocols", "din", "--transfer", "dc,ac", "--json"]);
    assert.equal(b.sdp, false);
    assert.equal(b.iface, undefined);
    assert.equal(b.port, 61000);
    assert.deepEqual(b.transfer, ["dc", "ac"]);
  });

  test("iso20 is offered only with --insecure-iso20-plain-tcp; without it the charger falls back and says why", async () => {
    const insecure = parseSeccArgs(["--iface", "eth1", "--protocols", "din,iso2,iso20", "--insecure-iso20-plain-tcp"]);
    assert.deepEqual(insecure.protocols, ["din", "iso2", "iso20"]);
    assert.equal(insecure.insecureIso20, true);
    assert.deepEqual(insecure.notOffered, []);
    const plain = parseSeccArgs(["--iface", "eth1", "--protocols", "din,iso2,iso20"]);
    assert.deepEqual(plain.protocols, ["din", "iso2"]);
    assert.equal(plain.notOffered.length, 1);
    assert.match(plain.notOffered[0], /^iso20 not offered: ISO 15118-20 requires TLS 1\.3 .*--insecure-iso20-plain-tcp/);
    // nothing left to offer: a usage error naming the option
    const only = await exit(["secc", "--iface", "eth9", "--protocol", "iso20"]);
    assert.equal(only.code, 2);
    assert.match(only.err, /requires TLS 1\.3.*--insecure-iso20-plain-tcp/);
    const help = await exit(["secc", "--help"]);
    assert.match(help.out, /--insecure-iso20-plain-tcp +offer ISO 15118-20 over plain TCP/);
  });

  test("--loop-sequence-timeout SECONDS sets the -20 charge-loop V2G_SECC_Sequence_Timeout (ms); range 0.1–60 and iso20 only", async () => {
    const iso20 = ["--no-sdp", "--protocols", "iso2,iso20", "--insecure-iso20-plain-tcp"];
    assert.equal(parseSeccArgs(iso20).loopSequenceTimeout, undefined, "default: the table's 0.5 s in the core");
    assert.equal(parseSeccArgs([...iso20, "--loop-sequence-timeout", "60"]).loopSequenceTimeout, 60_000);
    assert.equal(parseSeccArgs([...iso20, "--loop-sequence-timeout", "1.5"]).loopSequenceTimeout, 1500);
    for (const bad of ["0", "0.05", "61", "x"]) {
      const r = await exit(["secc", ...iso20, "--loop-sequence-timeout", bad]);
      assert.equal(r.code, 2, bad);
      assert.match(r.err, /--loop-sequence-timeout/);
    }
    const noIso20 = await exit(["secc", "--no-sdp", "--protocols", "iso2", "--loop-sequence-timeout", "60"]);
    assert.equal(noIso20.code, 2);
    assert.match(noIso20.err, /ISO 15118-20's charge-loop timer/);
    const help = await exit(["secc", "--help"]);
    assert.match(help.out, /--loop-sequence-timeout SECONDS +ISO 15118-20/);
    assert.match(help.out, /Tables 216\/217: 0\.5 s/);
  });

  test("--scenario v2g|v2h|v2l with --time-of-day HH:MM: needs iso20; the time is seconds since midnight", async () => {
    const iso20 = ["--no-sdp", "--protocols", "iso20", "--insecure-iso20-plain-tcp"];
    const a = parseSeccArgs([...iso20, "--scenario", "v2g", "--time-of-day", "17:30"]);
    assert.equal(a.scenario, "v2g");
    assert.equal(a.timeOfDay, 17.5 * 3600);
    assert.equal(parseSeccArgs([...iso20, "--scenario", "V2L"]).timeOfDay, undefined, "default: the local time, read at start");
    for (const [args, message] of [
      [["--no-sdp", "--protocols", "iso2", "--scenario", "v2g"], /ISO 15118-20 bidirectional charging: --protocol …,iso20/],
      [[...iso20, "--scenario", "v2x"], /unknown scenario 'v2x'/],
      [[...iso20, "--scenario", "v2g", "--time-of-day", "25:00"], /expected HH:MM/],
      [[...iso20, "--time-of-day", "17:30"], /--time-of-day .* --scenario/],
    ] as const) {
      const r = await exit(["secc", ...args]);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, message);
    }
  });

  test("an interface that does not exist: exit 3 (the environment) with a message", async () => {
    const r = await exit(["secc", "--iface", "no-such-if0"]);
    assert.equal(r.code, 3);
    assert.match(r.err, /no interface 'no-such-if0'/);
    const v = await exit(["evcc", "--iface", "no-such-if0"]);
    assert.equal(v.code, 3);
    assert.match(v.err, /no interface 'no-such-if0'/);
  });
});

describe("endpoints", () => {
  test("[addr]:port with and without zone", () => {
    assert.deepEqual(parseEndpoint("[fe80::1%eth0]:61000"), { address: "fe80::1%eth0", port: 61000 });
    assert.deepEqual(parseEndpoint("[fe80::1]:61000", "veth1"), { address: "fe80::1%veth1", port: 61000 });
    assert.deepEqual(parseEndpoint("[::1]:15000"), { address: "::1", port: 15000 });
    assert.deepEqual(parseEndpoint("[2001:db8::5]:50000", "eth0"), { address: "2001:db8::5", port: 50000 });
    assert.throws(() => parseEndpoint("[fe80::1]:61000"), /needs an interface/);
    assert.throws(() => parseEndpoint("::1:61000"), /\[IPv6\]:PORT/);
    assert.throws(() => parseEndpoint("[::1]:0"), /out of range/);
  });
});

describe("trace formatting", () => {
  test("durations and energies", () => {
    assert.equal(formatDuration(850), "850 ms");
    assert.equal(formatDuration(12_345), "12.3 s");
    assert.equal(formatDuration(245_000), "4 min 05 s");
    assert.equal(formatDuration(3_720_000), "1 h 02 min");
    assert.equal(formatEnergy(0), "0 Wh");
    assert.equal(formatEnergy(9.876), "9.88 Wh");
    assert.equal(formatEnergy(12.44), "12.4 Wh");
    assert.equal(formatEnergy(850.4), "850 Wh");
    assert.equal(formatEnergy(12_345), "12.35 kWh");
  });

  test("SECC and EVCC lines, summary", () => {
    const e: SeccTraceEntry = { direction: "rx", protocol: "din", state: "CurrentDemand", message: "CurrentDemandReq", summary: "EVTargetVoltage=400V EVTargetCurrent=100A SOC=42%", time: 5_210 as Millis };
    assert.equal(formatSeccTrace(e, 1, 1000), "+   4.210 s #1 din  rx CurrentDemandReq                 EVTargetVoltage=400V EVTargetCurrent=100A SOC=42%");
    assert.equal(formatSeccTrace({ ...e, summary: "" }), "din  rx CurrentDemandReq");
    const line = formatEvccTrace({ at: 2_000 as Millis, direction: "tx", name: "CurrentDemandReq", values: { soc: 31.24, targetVoltage: 400, targetCurrent: 99.96, code: "OK", none: undefined } }, 1000);
    assert.equal(line, "+   1.000 s tx CurrentDemandReq                 soc=31.2% targetVoltage=400V targetCurrent=100A code=OK");
    assert.equal(
      formatSummary({ session: 2, protocol: "iso2", transfer: "dc", durationMs: 6_210, energyWh: 12.44, messages: 58, socStart: 30, socEnd: 31, reason: "ev-terminate", ok: true }),
      "session #2 iso2 dc: 6.2 s, 12.4 Wh, 58 messages, SoC 30% → 31%, ended: ev-terminate — ok",
    );
  });

  test("the charge loop is thinned to changes and one line a second", () => {
    const t = new LoopThinner(1000);
    assert.equal(t.keep("CurrentDemandRes", "tx", 0, "V=400.1V I=100A"), true);
    assert.equal(t.keep("CurrentDemandRes", "tx", 100, "V=400.2V I=100A"), false);
    assert.equal(t.keep("CurrentDemandRes", "tx", 200, "V=402V I=100A"), true);
    assert.equal(t.keep("CurrentDemandRes", "tx", 1300, "V=402V I=100A"), true);
    assert.equal(t.keep("PreChargeRes", "tx", 1301, "V=402V"), true);
    assert.equal(t.keep("PreChargeRes", "tx", 1302, "V=402V"), true);
  });
});

describe("stand-in battery of the standalone charger", () => {
  test("voltage rises with current and charge", () => {
    const b = new StandInBattery({ voltage: 360 });
    assert.equal(b.voltageAt(0), 360);
    assert.equal(Math.round(b.voltageAt(100) * 10) / 10, 368);
    b.absorb(36_000, 1000); // 10 Wh
    assert.ok(b.voltageAt(0) > 360);
  });

  test("coupled at the first CurrentDemandReq at the output's voltage, released at PowerDelivery stop", () => {
    const clock = new ManualClock({ start: 0 });
    const station = new ChargerStation({ clock, io: {} as never, address: "fe80::1", transfer: ["dc"] });
    const loads = new StandInLoads(station);
    const rx = (message: string, summary: string): SeccTraceEntry => ({ direction: "rx", protocol: "iso2", state: "", message, summary, time: clock.now() });
    station.dc!.setTarget(350, 2);
    for (let i = 0; i < 200; i++) clock.advance(10);
    assert.equal(station.dc!.presentVoltage, 350);
    loads.onTrace(rx("CurrentDemandReq", "EVTargetVoltage=409V EVTargetCurrent=50A"));
    assert.ok(loads.battery);
    station.dc!.setTarget(409, 50);
    for (let i = 0; i < 100; i++) clock.advance(10);
    assert.ok(station.dc!.presentCurrent > 40, `current ${station.dc!.presentCurrent} A`);
    assert.ok(station.dc!.presentVoltage > 350 && station.dc!.presentVoltage < 360, `voltage ${station.dc!.presentVoltage} V`);
    loads.onTrace(rx("PowerDeliveryReq", "ChargeProgress=Stop SAScheduleTupleID=1"));
    assert.equal(loads.battery, undefined);
    assert.ok(station.meter.energyWh > 0);
    station.close();
  });

  test("ISO 15118-20: coupled at the first DC_ChargeLoopReq, released at DC_WeldingDetectionReq", () => {
    const clock = new ManualClock({ start: 0 });
    const station = new ChargerStation({ clock, io: {} as never, address: "fe80::1", transfer: ["dc"] });
    const loads = new StandInLoads(station);
    const rx = (message: string, summary: string): SeccTraceEntry => ({ direction: "rx", protocol: "iso20", state: "", message, summary, time: clock.now() });
    station.dc!.setTarget(360, 2);
    for (let i = 0; i < 200; i++) clock.advance(10);
    loads.onTrace(rx("DC_ChargeLoopReq", ""));
    assert.ok(loads.battery, "a load for the -20 DC charge loop");
    loads.onTrace(rx("DC_WeldingDetectionReq", ""));
    assert.equal(loads.battery, undefined);
    station.close();
  });

  test("a bidirectional DC module takes energy back out of the stand-in battery (ISO 15118-20 DC_BPT)", () => {
    const battery = new StandInBattery({ voltage: 400, resistance: 0, voltsPerWh: 0.01 });
    battery.absorb(10_000, 3_600_000 / 100); // 100 Wh in
    battery.absorb(-5_000, 3_600_000 / 100); // 50 Wh out
    assert.equal(battery.absorbedWh, 50);
    assert.equal(battery.voltageAt(0), 400.5);
  });

  test("AC: draws the outlet's maximum between PowerDelivery start and stop (DIN style flags too)", () => {
    const clock = new ManualClock({ start: 0 });
    const station = new ChargerStation({ clock, io: {} as never, address: "fe80::1", transfer: ["ac"] });
    const loads = new StandInLoads(station);
    const rx = (message: string, summary: string): SeccTraceEntry => ({ direction: "rx", protocol: "iso2", state: "", message, summary, time: clock.now() });
    loads.onTrace(rx("PowerDeliveryReq", "ChargeProgress=Start SAScheduleTupleID=1"));
    assert.equal(loads.acDrawing, true);
    station.ac!.close();
    clock.advance(200);
    assert.equal(station.ac!.presentCurrent, 16);
    loads.onTrace(rx("SessionStopReq", "ChargingSession=Terminate"));
    assert.equal(loads.acDrawing, false);
    assert.equal(station.ac!.presentCurrent, 0);
  });
});

describe("xs15118 secc ⇄ xs15118 evcc over loopback (two processes, real time)", () => {
  const BIN = fileURLToPath(new URL("../../bin/xs15118.js", import.meta.url));

  /** The command as a process: its stdout and stderr lines as they come, and its exit code. */
  function proc(args: string[]): { out: string[]; err: string[]; exit: Promise<number | null>; kill(signal: NodeJS.Signals): void } {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const out: string[] = [];
    const err: string[] = [];
    child.stdout.setEncoding("utf8").on("data", (c: string) => out.push(...c.split("\n").filter((l) => l !== "")));
    child.stderr.setEncoding("utf8").on("data", (c: string) => err.push(...c.split("\n").filter((l) => l !== "")));
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    return { out, err, exit: exited, kill: (signal) => child.kill(signal) };
  }
  const jsonLines = (lines: string[]) => lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);

  test("V2G: secc --scenario v2g --time-of-day 17:30 (the price peak) ⇄ evcc --scenario v2g: DC_BPT gives energy back; both JSON lines say so", async () => {
    const secc = proc(["secc", "--no-sdp", "--port", "0", "--protocols", "iso2,iso20", "--insecure-iso20-plain-tcp", "--scenario", "v2g", "--time-of-day", "17:30", "--loop-sequence-timeout", "60", "--fast", "--json", "--quiet"]);
    try {
      let ready: Record<string, unknown> | undefined;
      const deadline = Date.now() + 20_000;
      while ((ready = jsonLines(secc.out).find((j) => j.event === "ready")) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(ready, `secc ready: ${secc.err.join("\n")}`);
      assert.equal(ready.scenario, "v2g");
      assert.equal(ready.loopSequenceTimeoutMs, 60_000, "--loop-sequence-timeout reached the charger's configuration");
      const ev = proc(["evcc", "--secc", `[::1]:${String(ready.port)}`, "--protocols", "iso20", "--insecure-iso20-plain-tcp", "--scenario", "v2g", "--capacity", "1", "--start-soc", "50", "--departure", "4s", "--max-time", "30", "--json", "--quiet"]);
      assert.equal(await ev.exit, 0, ev.err.join("\n"));
      const vehicle = jsonLines(ev.out)[0];
      assert.equal(vehicle.protocol, "iso20");
      assert.equal(vehicle.reason, "charging-complete", "the car left at its departure");
      assert.ok((vehicle.energyDischargedWh as number) > 0, JSON.stringify(vehicle));
      assert.ok((vehicle.socEnd as number) < 50, JSON.stringify(vehicle));
      secc.kill("SIGTERM");
      assert.equal(await secc.exit, 0, secc.err.join("\n"));
      const sessions = jsonLines(secc.out).filter((j) => j.event === "session");
      assert.equal(sessions.length, 1, JSON.stringify(sessions));
      assert.equal(sessions[0].reason, "ev-terminate");
      assert.ok((sessions[0].energyDischargedWh as number) > 0, JSON.stringify(sessions[0]));
      assert.ok((sessions[0].energyWh as number) < 0, "the meter ran backwards");
    } finally {
      secc.kill("SIGKILL");
    }
  });

  test("charger offering din,iso2,iso20 and vehicle offering iso20,iso2: an ISO 15118-20 DC session; both summaries say iso20", async () => {
    const secc = proc(["secc", "--no-sdp", "--port", "0", "--protocols", "din,iso2,iso20", "--transfer", "dc,ac", "--insecure-iso20-plain-tcp", "--fast", "--json", "--quiet"]);
    try {
      let ready: Record<string, unknown> | undefined;
      const deadline = Date.now() + 20_000;
      while ((ready = jsonLines(secc.out).find((j) => j.event === "ready")) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(ready, `secc ready: ${secc.err.join("\n")}`);
      assert.deepEqual(ready.protocols, ["din", "iso2", "iso20"]);
      assert.equal(ready.insecureIso20, true);
      const ev = proc(["evcc", "--secc", `[::1]:${String(ready.port)}`, "--protocols", "iso20,iso2", "--insecure-iso20-plain-tcp", "--capacity", "1", "--start-soc", "50", "--target-soc", "51", "--max-time", "30", "--json", "--quiet"]);
      assert.equal(await ev.exit, 0, ev.err.join("\n"));
      const vehicle = jsonLines(ev.out)[0];
      assert.equal(vehicle.protocol, "iso20");
      assert.equal(vehicle.transfer, "dc");
      assert.equal(vehicle.reason, "charging-complete");
      secc.kill("SIGTERM");
      assert.equal(await secc.exit, 0, secc.err.join("\n"));
      const sessions = jsonLines(secc.out).filter((j) => j.event === "session");
      assert.equal(sessions.length, 1, JSON.stringify(sessions));
      assert.equal(sessions[0].protocol, "iso20");
      assert.equal(sessions[0].transfer, "dc");
      assert.equal(sessions[0].reason, "ev-terminate");
      assert.equal(sessions[0].messages, vehicle.messages, "both sides count every message (SAP included)");
      assert.ok((sessions[0].energyWh as number) > 0, "the stand-in battery took DC current in the -20 loop");
    } finally {
      secc.kill("SIGKILL");
    }
  });
});
