// The live XS heap of ONE station through a whole session (issue 15 item 3: "a whole session
// peaks at ≤ 64 KB of XS heap", read as what one device holds). tools/xs/session-heap.ts
// measures both stations and every model of the simulation in one engine; here the station
// under test (the charger or the vehicle: pilot, SLAC, SDP, the V2GTP listener or connection,
// the assembly, the session state machine, the EXI codec, and the simulated hardware it drives —
// the charger's power stage, meter and authorizer with a stand-in battery, or the vehicle's
// battery model — as stand-ins for its drivers) runs ALONE in an xsnap engine
// (tools/xs/station-xs.ts), and everything else on Node: the peer station, the pilot line, the
// powerline with its modems and a neighbouring charger, and both virtual IPv6 stacks (on a board
// the pilot and modem drivers and lwIP are C, outside the XS heap; the station's sockets here are
// thin stand-ins that forward each call, as the host objects do there).
//
// The two sides run in lock step on clocks of their own: every 10 ms of simulated time the
// engine asks Node (issueCommand) to advance its world and peer, advances the station's clock,
// and takes what Node had for it (pilot samples, frames, datagrams, connections, bytes); what the
// station does (pilot output, frames, socket writes) reaches Node at once. So each way has up to
// 10 ms of latency, well inside every timer of the protocols.
//
// Sampled after every 10 steps (100 ms, one evaluation): the engine's snapshot, taken after a collection,
// gives the live slots and chunks — without what only private methods' homes keep, which a board
// with preloaded modules does not keep (boardHeap below); peak of slots × 16 B + chunks at the ESP32's sizes, above the
// engine with the modules loaded and before the station is built, less what xsnap keeps per
// evaluation (measured first) — the figures tools/bench.ts prints for whole sessions, for one
// station. `--census` prints where the peak goes (tools/xs/heap-census.ts).
//
//   npx tsx tools/xs/station-heap.ts [--census] [--plug-ins N] [--holders CLASS] [charger|vehicle] [SESSION-FILTER…]
//   (--plug-ins 2: plug, charge, unplug, plug again, charge, unplug — a charger serves many;
//   --holders SeccService: the reference paths to the live instances at the end, heap-path.ts;
//   XS15118_STATION_LOG_ALL=1 prints the station's log lines, XS15118_STATION_PEER_LOG=1 the peer's)
//   (the sessions of tools/bench/session-scenario.ts; ~10–30 s per station and session;
//   XS15118_STATION_SAMPLES=1 prints every sample; XS15118_CENSUS_FUNCTIONS=1 names closures)

import { ManualClock } from "../../modules/common/manual-clock";
import { fromHex, toHex } from "../../modules/common/bytes";
import type { Millis } from "../../modules/common/clock";
import type { EthernetLink, IoCallbacks, Listener, StreamSocket, UdpSocket } from "../../modules/common/io";
import type { HostIpStack, OpenHostIp } from "../../modules/station/assembly";
import type { Logger } from "../../modules/common/log";
import { SlacEvse } from "../../modules/slac/index";
import { PilotSim } from "../../simulation/cp/pilot-sim";
import { Powerline, type SimModem } from "../../simulation/powerline";
import { virtualHostIp } from "../../simulation/vnet/host-ip";
import { seededRandom } from "../../simulation/random";
import { SESSION_SCENARIOS, type SessionScenario } from "../bench/session-scenario";
import { bundleForXs } from "./bundle";
import { evaluationOverhead, startXsWorker, type XsWorker } from "./worker";
import { census, censusDelta, chunkBytesEsp32, type Census } from "./heap-census";
import { holders as holdersOf, liveAsPreloaded } from "./heap-path";
import { buildCharger, buildVehicle, ETHERTYPE_HOMEPLUG, EV_MAC, EVSE_MAC, STEP_MS, type Scenario } from "./station-setup";
import type { BridgeEvent } from "./station-xs";

export type StationRole = "charger" | "vehicle";

/** Heap samples every 10 steps: 100 ms of simulated time. */
const SAMPLE_STEPS = 10;
/** sizeof(txSlot) on the ESP32 (32-bit pointers). */
const ESP32_SLOT_BYTES = 16;
/** Time from the vehicle's end of session to the unplug, and from the unplug to the end of the run. */
const UNPLUG_DELAY = 3000;
const AFTER_UNPLUG = 2000;
/** Plugged in again this long after an unplug (when the run has more plug-ins). */
const REPLUG_DELAY = AFTER_UNPLUG;
const SEED = 15118;

const silent: Logger = process.env.XS15118_STATION_PEER_LOG ? { log: (level, source, message) => console.log(`  peer ${level} ${source}: ${message}`) } : { log() {} };

/**
 * The Node side: the world (pilot line, powerline, neighbour, virtual IPv6 stacks) and the peer
 * station; the counterparts of the engine's stand-ins, by id; the events waiting for the engine.
 */
class NodeSide {
  readonly clock = new ManualClock();
  readonly pilot = new PilotSim({ clock: this.clock, plugged: false, period: STEP_MS });
  readonly line = new Powerline({ clock: this.clock });
  readonly evseModem: SimModem;
  readonly evModem: SimModem;
  readonly neighbour: SlacEvse;
  peer: { close(): void };
  readonly #buildPeer: () => { close(): void };
  readonly #role: StationRole;
  readonly #objects = new Map<number, { close(): void; [name: string]: unknown }>();
  readonly #ip: OpenHostIp;
  #stack: HostIpStack | undefined;
  events: BridgeEvent[] = [];
  /** What the station under test said (session end, the vehicle's outcome, warnings). */
  readonly notes: string[] = [];
  /** The vehicle's end of each session, in order. */
  readonly vehicleEnds: { reason: string; ok: boolean; at: number }[] = [];
  unpluggedAt: number | undefined;
  /** Unplugs so far, and whether the cable is in now. */
  unplugs = 0;
  plugged = false;
  readonly #plugIns: number;
  /** Steps taken (10 ms each). */
  steps = 0;

  /** Unplugged a while ago, or the cap (20 simulated minutes) reached. */
  get done(): boolean {
    const now = this.clock.now();
    return (this.unplugs >= this.#plugIns && now >= this.unpluggedAt! + AFTER_UNPLUG) || now >= 20 * 60_000 * this.#plugIns;
  }

  /** `plugIns`: sessions one after another (plug, charge, unplug, plug again, …). */
  constructor(role: StationRole, scenario: Scenario, plugIns = 1) {
    this.#role = role;
    this.#plugIns = plugIns;
    const clock = this.clock;
    this.evseModem = this.line.addModem({ hostMac: EVSE_MAC, name: "evse" });
    this.evModem = this.line.addModem({ hostMac: EV_MAC, name: "ev" });
    this.line.setAttenuation(this.evModem, this.evseModem, 21);
    const other = this.line.addModem({ hostMac: Uint8Array.of(0x02, 0, 0, 0, 0x0b, 1), name: "neighbour0" });
    this.line.setAttenuation(this.evModem, other, 48);
    this.line.setAttenuation(this.evseModem, other, 40);
    const random = seededRandom(SEED + 1);
    this.neighbour = new SlacEvse({ link: { io: other.Link }, clock, random });
    // the station under test's own IPv6 stack lives here too (lwIP on a board)
    const mine = role === "charger" ? this.evseModem : this.evModem;
    // a stack per link-up, detached from the modem when the station closes it (so a second
    // plug-in's stack is the only one answering)
    const ip = detachableIp(role === "charger" ? "evse0" : "ev0", clock);
    this.#ip = (link) => ip({ ...link, io: mine.Link });
    const common = { clock, random, logger: silent };
    this.#buildPeer = () =>
      role === "charger"
        ? buildVehicle(scenario, {
            ...common,
            modem: { io: this.evModem.Link, ethertype: ETHERTYPE_HOMEPLUG },
            pilot: this.pilot.vehicle,
            ip: detachableIp("ev0", clock),
            onEnd: (o) => this.#vehicleEnded(o),
          })
        : buildCharger(scenario, {
            ...common,
            modem: { io: this.evseModem.Link, ethertype: ETHERTYPE_HOMEPLUG },
            pilot: this.pilot.charger,
            ip: detachableIp("evse0", clock),
          });
    this.peer = this.#buildPeer();
    clock.set(() => {
      this.#plug();
      this.neighbour.start();
    }, 1000 as Millis);
  }

  #plug(): void {
    this.plugged = true;
    this.pilot.plug();
  }

  #vehicleEnded(o: { reason: string; ok: boolean }): void {
    // one end per plug-in
    if (this.vehicleEnds.length > this.unplugs) return;
    this.vehicleEnds.push({ ...o, at: this.clock.now() });
    this.clock.set(() => {
      this.unpluggedAt = this.clock.now();
      this.unplugs++;
      this.plugged = false;
      this.pilot.unplug();
      if (this.unplugs >= this.#plugIns) return;
      this.clock.set(() => {
        // the charger under test meets a vehicle that starts afresh: the vehicle's data link does
        // not take this unplug as one (no state A: its SLAC only finds the link lost and starts
        // over), and its next connection ends at once with link-down)
        if (this.#role === "charger") {
          this.peer.close();
          this.peer = this.#buildPeer();
        }
        this.#plug();
      }, REPLUG_DELAY as Millis);
    }, UNPLUG_DELAY as Millis);
  }

  #queue(e: BridgeEvent): void {
    this.events.push(e);
  }

  /** The engine's commands (tools/xs/station-xs.ts); undefined: not one of these. */
  command(c: { op: string; ms?: number; kind?: string; id?: number; socket?: number; data?: Record<string, unknown>; name?: string; args?: unknown[]; text?: string; ended?: string; ok?: boolean }): Uint8Array | undefined {
    const reply = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
    switch (c.op) {
      case "node-step": {
        this.clock.advance(c.ms!);
        this.steps++;
        const events = this.events;
        this.events = [];
        return reply({ events, done: this.done });
      }
      case "io-open":
        return reply(this.#open(c.kind!, c.id!, c.data ?? {}));
      case "io-accept": {
        const listener = this.#objects.get(c.id!) as unknown as Listener | undefined;
        const id = c.socket!;
        const socket = listener?.read(this.#streamCallbacks(id));
        if (!socket) return reply({});
        this.#objects.set(id, socket as never);
        return reply({ remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
      }
      case "io-call": {
        const target = this.#objects.get(c.id!);
        if (!target) return reply({});
        if (c.name === "close") {
          this.#objects.delete(c.id!);
          target.close();
          return reply({});
        }
        const args = (c.args ?? []).slice();
        // bytes travel as hex
        if (typeof args[0] === "string" && c.name === "write" && !(target instanceof PilotStandInTarget)) args[0] = fromHex(args[0])!;
        try {
          (target[c.name!] as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          // ECMA-419: write() throws when the output cannot take it (the stand-in throws it on)
          return reply({ error: error instanceof Error ? error.message : String(error) });
        }
        return reply({});
      }
      case "ip-open": {
        this.#stack = this.#ip({ io: undefined as never, ethertype: 0x86dd });
        return reply({ address: this.#stack.address, interface: this.#stack.interface });
      }
      case "ip-close":
        this.#stack?.close?.();
        this.#stack = undefined;
        return reply({});
      case "log-line":
        if (process.env.XS15118_STATION_LOG_ALL) console.log(`  ${(this.clock.now() / 1000).toFixed(2)} station ${c.text}`);
        this.notes.push(c.text!);
        return reply({});
      case "station-event":
        if (c.ended !== undefined) this.#vehicleEnded({ reason: c.ended, ok: c.ok === true });
        else if (c.text) this.notes.push(c.text);
        return reply({});
      default:
        return undefined;
    }
  }

  #streamCallbacks(id: number): IoCallbacks {
    return {
      onReadable: () => {
        const socket = this.#objects.get(id) as unknown as StreamSocket | undefined;
        let data: ArrayBuffer | undefined;
        while (socket && (data = socket.read())) this.#queue({ id, t: "data", hex: toHex(new Uint8Array(data)) });
      },
      onWritable: (count) => this.#queue({ id, t: "writable", count }),
      onError: (error) => this.#queue({ id, t: "error", message: error.message }),
    };
  }

  #open(kind: string, id: number, data: Record<string, unknown>): Record<string, unknown> {
    const pilotSide = this.#role === "charger" ? this.pilot.charger : this.pilot.vehicle;
    switch (kind) {
      case "pilot-input": {
        const input = new pilotSide.input.io({
          onReadable: () => {
            let s;
            while ((s = input.read())) this.#queue({ id, t: "sample", high: nanToNull(s.high), low: nanToNull(s.low), duty: nanToNull(s.duty) });
          },
        });
        this.#objects.set(id, input as never);
        return {};
      }
      case "pilot-output": {
        const output = new (this.pilot.charger.output.io)({});
        this.#objects.set(id, new PilotStandInTarget(output) as never);
        return { canZero: output.canZero };
      }
      case "s2": {
        const s2 = new (this.pilot.vehicle.s2.io)({});
        this.#objects.set(id, new PilotStandInTarget(s2) as never);
        return {};
      }
      case "link": {
        const modem = this.#role === "charger" ? this.evseModem : this.evModem;
        const link: EthernetLink = new modem.Link({
          ...data,
          onReadable: () => {
            let frame: Uint8Array | undefined;
            while ((frame = link.read())) this.#queue({ id, t: "frame", hex: toHex(frame) });
          },
        } as never);
        this.#objects.set(id, link as never);
        return { mac: toHex(link.mac) };
      }
      case "udp": {
        const udp: UdpSocket = new this.#stack!.Udp({
          ...data,
          onReadable: () => {
            let d;
            while ((d = udp.read())) this.#queue({ id, t: "datagram", hex: toHex(d.data), address: d.address, port: d.port });
          },
        });
        this.#objects.set(id, udp as never);
        return { port: udp.port };
      }
      case "listener": {
        const listener = new this.#stack!.Listener({
          ...(data as { port: number }),
          onReadable: (count) => this.#queue({ id, t: "acceptable", count }),
          onError: (error) => this.#queue({ id, t: "error", message: error.message }),
        });
        this.#objects.set(id, listener as never);
        return { port: listener.port };
      }
      case "tcp": {
        const tcp = new this.#stack!.Tcp({ ...(data as { address: string; port: number }), ...this.#streamCallbacks(id) });
        this.#objects.set(id, tcp as never);
        return {};
      }
      default:
        throw new Error(`station-heap: unknown IO kind ${kind}`);
    }
  }

  close(): void {
    this.peer.close();
    this.neighbour.close();
    for (const o of this.#objects.values()) o.close();
    this.#stack?.close?.();
    this.pilot.close();
  }
}

/**
 * A virtual IPv6 stack per link-up that leaves the modem when its station closes it: a stack
 * left on the modem would answer the next plug-in's packets (a TCP reset to the new connection).
 */
function detachableIp(name: string, clock: ManualClock): OpenHostIp {
  return (link) => {
    let frames: EthernetLink | undefined;
    const stack = virtualHostIp({ name, clock, wrap: (f) => (frames = f) })(link);
    return { ...stack, close: () => frames?.close() };
  };
}

/** A pilot output or S2 switch: write(number) passes through (no hex). */
class PilotStandInTarget {
  readonly #io: { write(value: number): void; close(): void };
  constructor(io: { write(value: never): void; close(): void }) {
    this.#io = io as never;
  }
  write(value: number): void {
    this.#io.write(value);
  }
  close(): void {
    this.#io.close();
  }
}

function nanToNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

export interface StationHeap {
  role: StationRole;
  session: string;
  peakBytes: number;
  peakSlots: number;
  peakChunkBytes: number;
  /**
   * The peak as xsnap holds it, with what only private methods' homes keep alive there (the last
   * instance of each class with private methods: a board's preloaded code does not keep it).
   */
  xsnapPeakBytes: number;
  /** The station built, before the plug-in. */
  startBytes: number;
  /** Simulated ms of the run, the step of the peak (10 ms each) and its time. */
  simulatedMs: number;
  peakStep: number;
  peakAtMs: number;
  /** The vehicle's outcome of the last session (ok: every session ended as the vehicle meant). */
  outcome: string;
  ok: boolean;
  /** Each session's outcome, in order (one per plug-in). */
  outcomes: string[];
  /** The heap after each unplug: the last sample before the next plug-in or the end of the run. */
  afterUnplugBytes: number[];
  /** Reference paths to what the run named in `holders` at its end (tools/xs/heap-path.ts). */
  holders?: string[];
  notes: string[];
  census?: string;
}

const DRIVER = `import "./tools/xs/station-xs";`;
let bundled: Promise<string> | undefined;

interface Run {
  worker: XsWorker;
  node: NodeSide;
}

async function startRun(role: StationRole, scenario: SessionScenario, plugIns: number): Promise<Run & { overhead: { base: BoardHeap; perSlots: number; perChunks: number } }> {
  let node: NodeSide | undefined;
  const worker = await startXsWorker(`xs15118-station-heap-${role}`, { onCommand: (c) => node?.command(c as never) });
  await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(process.cwd())};`);
  if (process.env.XS15118_STATION_LOG_ALL) await worker.evaluate(`globalThis.__stationLogAll = true;`);
  await worker.evaluate(await (bundled ??= bundleForXs(DRIVER)));
  const overhead = await evaluationOverhead(worker, 200, () => boardHeap(worker));
  node = new NodeSide(role, scenario.options, plugIns);
  await worker.evaluate(`__station.start(${JSON.stringify(role)}, ${JSON.stringify(scenario.options)}, ${SEED})`);
  return { worker, node, overhead };
}

/**
 * The live heap as the board would hold it: slots and chunks at the ESP32's sizes, without what
 * only the homes of private methods keep (xsnap evaluates the modules at run time, so XS makes a
 * private method's home the last instance it was installed on; the board preloads them and does
 * not: tools/xs/heap-path.ts liveAsPreloaded), and that part (`homeBytes`) apart.
 */
interface BoardHeap {
  slots: number;
  chunkBytesEsp32: number;
  homeBytes: number;
}

async function boardHeap(worker: XsWorker): Promise<BoardHeap> {
  const bytes = await worker.snapshot();
  const p = liveAsPreloaded(bytes);
  const all = chunkBytesEsp32(bytes).esp32;
  const chunks = chunkBytesEsp32(bytes, p.leaveOut).esp32;
  return { slots: p.slots, chunkBytesEsp32: chunks, homeBytes: p.retainedSlots * ESP32_SLOT_BYTES + all - chunks };
}

/** SAMPLE_STEPS steps of both sides (one evaluation); true while the run goes on. */
async function advance(run: Run, steps = SAMPLE_STEPS): Promise<boolean> {
  await run.worker.evaluate(`__station.run(${steps}, ${STEP_MS})`);
  return !run.node.done;
}

export interface MeasureOptions {
  /** A census of the peak (a second run to the same step). */
  census?: boolean;
  /** Sessions one after another: plug, charge, unplug, plug again, … (default 1). */
  plugIns?: number;
  /** Constructor names (comma-separated): the reference paths to their live instances at the end of the run. */
  holders?: string;
}

export async function measureStation(role: StationRole, scenario: SessionScenario, options: MeasureOptions = {}): Promise<StationHeap> {
  const plugIns = options.plugIns ?? 1;
  const run = await startRun(role, scenario, plugIns);
  const { worker, node } = run;
  const { base, perSlots, perChunks } = run.overhead;
  let evaluations = 1;
  const live = async (): Promise<{ slots: number; chunks: number; homeBytes: number }> => {
    const h = await boardHeap(worker);
    return { slots: h.slots - base.slots - Math.round(evaluations * perSlots), chunks: h.chunkBytesEsp32 - base.chunkBytesEsp32 - Math.round(evaluations * perChunks), homeBytes: h.homeBytes - base.homeBytes };
  };
  let result: StationHeap;
  try {
    const start = await live();
    let peak = { ...start, step: 0 };
    let homePeak = 0;
    const afterUnplugBytes: number[] = [];
    for (let more = true; more; ) {
      more = await advance(run);
      evaluations++;
      const now = await live();
      const bytes = now.slots * ESP32_SLOT_BYTES + now.chunks;
      homePeak = Math.max(homePeak, bytes + now.homeBytes);
      if (process.env.XS15118_STATION_SAMPLES) console.log(`  ${(node.clock.now() / 1000).toFixed(1)} s  ${bytes} B (+${now.homeBytes} B held by private methods' homes in xsnap)`);
      if (bytes > peak.slots * ESP32_SLOT_BYTES + peak.chunks) peak = { ...now, step: node.steps };
      if (!node.plugged && node.unplugs > 0) afterUnplugBytes[node.unplugs - 1] = bytes;
    }
    const snapshot = options.holders ? await worker.snapshot() : undefined;
    const holders = options.holders?.split(",").flatMap((name) => holdersOf(snapshot!, name, 2));
    const ends = node.vehicleEnds;
    const end = ends.at(-1);
    result = {
      role,
      session: scenario.name,
      peakBytes: peak.slots * ESP32_SLOT_BYTES + peak.chunks,
      peakSlots: peak.slots,
      peakChunkBytes: peak.chunks,
      xsnapPeakBytes: homePeak,
      startBytes: start.slots * ESP32_SLOT_BYTES + start.chunks,
      simulatedMs: node.clock.now(),
      peakStep: peak.step,
      peakAtMs: peak.step * STEP_MS,
      outcome: end ? end.reason : "no end",
      ok: ends.length === plugIns && ends.every((e) => e.ok),
      outcomes: ends.map((e) => e.reason),
      afterUnplugBytes,
      notes: node.notes.slice(0, 20),
      holders,
    };
  } finally {
    node.close();
    await worker.close();
  }
  if (options.census) result.census = await censusAt(role, scenario, result.peakStep, plugIns);
  return result;
}

/** The census at `peakStep` of the same (deterministic) run, above the engine before the station was built. */
async function censusAt(role: StationRole, scenario: SessionScenario, peakStep: number, plugIns: number): Promise<string> {
  let node: NodeSide | undefined;
  const worker = await startXsWorker(`xs15118-station-census-${role}`, { onCommand: (c) => node?.command(c as never) });
  try {
    await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(process.cwd())};`);
    await worker.evaluate(await (bundled ??= bundleForXs(DRIVER)));
    const byFunction = process.env.XS15118_CENSUS_FUNCTIONS !== undefined; // closures by function name
    const before: Census = census(await worker.snapshot(), byFunction);
    node = new NodeSide(role, scenario.options, plugIns);
    await worker.evaluate(`__station.start(${JSON.stringify(role)}, ${JSON.stringify(scenario.options)}, ${SEED})`);
    while (node.steps < peakStep) await advance({ worker, node }, Math.min(SAMPLE_STEPS, peakStep - node.steps));
    const at = census(await worker.snapshot(), byFunction);
    const lines = ["  census at the peak (objects, slots, chunk B at ESP32 sizes, total B):"];
    for (const g of censusDelta(before, at).slice(0, byFunction ? 90 : 40)) lines.push(`  ${String(g.objects).padStart(6)} ${String(g.slots).padStart(6)} ${String(g.chunkBytesEsp32).padStart(7)} ${String(g.slots * 16 + g.chunkBytesEsp32).padStart(7)}  ${g.name}`);
    // xsnap names every evaluated script with a key of its own ("#123", a slot and a short
    // string): the figures take them off as the per-evaluation overhead; listed apart here
    const newKeys = at.keys.slice(before.keys.length);
    const ours = newKeys.filter((k) => !/^#\d+$/.test(k));
    lines.push(`  keys interned since the start (never collected; 1 slot + the name each): ${ours.length} of the station [${ours.slice(0, 60).join(" ")}], ${newKeys.length - ours.length} xsnap per-evaluation keys (in "loose slot, kind 43" above)`);
    lines.push("  largest chunk owners (one path to each):");
    const seen = new Set(before.largest.map((x) => `${x.from}${x.name}${x.chunkBytesEsp32}`));
    for (const x of at.largest.filter((x) => !seen.has(`${x.from}${x.name}${x.chunkBytesEsp32}`)).slice(0, 20)) lines.push(`  ${String(x.chunkBytesEsp32).padStart(7)}  ${x.from}${x.name}`);
    return lines.join("\n");
  } finally {
    node?.close();
    await worker.close();
  }
}

export function formatStationHeap(r: StationHeap): string {
  const sessions = r.outcomes.length > 1 ? ` over ${r.outcomes.length} plug-ins` : "";
  return `${r.role} ${r.session}${sessions}: live peak ${r.peakBytes} B = ${r.peakSlots} slots × 16 B + ${r.peakChunkBytes} B chunks (xsnap, with what private methods' homes keep: ${r.xsnapPeakBytes} B); built, before the plug-in: ${r.startBytes} B; after each unplug: ${r.afterUnplugBytes.join(", ")} B; peak at ${(r.peakAtMs / 1000).toFixed(1)} s of ${(r.simulatedMs / 1000).toFixed(1)} s; vehicle: ${r.outcomes.join(", ") || "no end"}${r.ok ? "" : " (not ok)"}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const valueOf = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const plugIns = Number(valueOf("--plug-ins") ?? 1);
  const holders = valueOf("--holders");
  const wantCensus = args.includes("--census");
  const roles = (["charger", "vehicle"] as const).filter((r) => args.includes(r));
  const filters = args.filter((a) => !a.startsWith("--") && a !== "charger" && a !== "vehicle");
  for (const scenario of SESSION_SCENARIOS.filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)))) {
    for (const role of roles.length > 0 ? roles : (["charger", "vehicle"] as const)) {
      const r = await measureStation(role, scenario, { census: wantCensus, plugIns, holders });
      console.log(formatStationHeap(r));
      for (const h of r.holders ?? []) console.log(`  holder: ${h}`);
      for (const n of r.notes) console.log(`  note: ${n}`);
      if (r.census) console.log(r.census);
    }
  }
}

if (process.argv[1]?.endsWith("station-heap.ts")) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
