// How many XS stack slots an operation needs, measured in the XS engine (xsnap workers).
//
//   node --import tsx tools/xs/stack-probe.ts            calibration, checks, every operation
//   node --import tsx tools/xs/stack-probe.ts --json     the same as JSON
//   node --import tsx tools/xs/stack-probe.ts FILTER     only operations whose name contains FILTER
//   STACK_PROBE_DEBUG=1 …                               time, workers and runs per operation on stderr
//
// XS keeps every JavaScript frame, argument, local and temporary on one array of slots of a
// fixed size (xsCreation.stackCount: 4096 in xsnap, the manifest's `creation.stack` on the
// device). Running past its end aborts the whole machine (xsnap: the process exits with
// "stack overflow"); it is not a catchable RangeError. There is no way to read the stack
// pointer from JavaScript, so the probe measures by overflowing on purpose:
//
//  1. Padding. Before the operation runs, a padding consumes a chosen amount of stack:
//       - "args" pad: `bottom.apply(undefined, array of n)`: XS's Function.prototype.apply
//         pushes every argument on the stack, so n arguments consume exactly n slots more;
//       - recursion pads A and B: a recursive function called to depth k before the bottom
//         (A: no locals; B: A plus 16 `let` locals, so B's frame is 16 slots larger).
//     The bottom function then calls the operation (after it ran once at top level, so
//     grammars and caches are warm; a failed operation is an error, not a measurement).
//  2. Search. For a fixed padding shape, success is monotonic in the amount; the probe finds
//     the largest amount that still succeeds. One evaluation runs the operation under up to
//     `fanout` ascending amounts, reporting each success to Node; the first overflow ends the
//     worker (the next evaluation starts a fresh one, ≈ 130 ms with the bundle and warm-up)
//     and narrows the interval to one step. Fanout = spawn time / run time, 2..32: a codec
//     operation (a few ms) takes 3 rounds over [0, 4096] (3 workers, ≈ 60 runs); the whole
//     simulated session (≈ 0.5 s a run) is plain bisection (≈ 12 runs, ≈ 6 workers).
//  3. Slots of an operation = nMax(empty) − nMax(op) with the args pad, where `empty` is
//     `() => undefined`: the slots the operation needs beyond an empty function call made at
//     the same point. Exact to ±1 slot (the args pad has 1-slot granularity; the engine is
//     deterministic, so repeated runs give the same figure). It covers everything the
//     operation pushes, native built-ins included (apply, JSON, Array methods, callbacks).
//
// Calibration, to check the method is sound (`calibrate`):
//  - frame size of A and of B: the args-pad nMax with A (resp. B) recursed to depth K0 under
//    the bottom, against nMax without: F = (nMax(empty) − nMax(A at K0)) / K0; must be an
//    integer (frames are uniform) and F_B − F_A must be 16 (the extra locals);
//  - the largest depth of A and of B alone must match nMax(empty) / F within one frame;
//  - an operation measured with the recursion pads, (Dmax − Kmax(op)) × F, must agree with
//    its args-pad figure within one frame (F_A, F_B slots): two frame shapes, one answer.
//
// What the figure does not include: the caller's own frames (on the device: the event-loop
// callback from the host, v2gtp framing, the session's dispatch for ops that do not include
// it), so a budget adds a margin (tests/project/device-stack.test.ts). xsnap's XS and the
// SDK's XS may differ by a few slots per native call; the C stack (native recursion, the
// garbage collector) is separate and not measured here.

import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { bundleForXs, ROOT } from "./bundle";
import { startXsWorker, type XsWorker } from "./worker";
import { decode, encode, type SchemaId } from "../../modules/exi/index";
import { fromHex, toHex } from "../../modules/common/index";

/** xsnap's stack (xsnap-worker.c: stackCount). */
export const XSNAP_STACK_SLOTS = 4096;

/** An operation to measure. */
export type ProbeOp =
  /** A benchmark workload (tools/bench/workloads), by name: its setup runs once, then its run() is measured. */
  | { name: string; workload: string }
  /** Decode (or encode what decoding gave) of one EXI message; `lenient`: it breaks a schema facet on purpose and is decoded with facets "lenient". */
  | { name: string; schema: SchemaId; hex: string; direction: "decode" | "encode"; lenient?: boolean }
  /** One CurrentDemandReq V2GTP frame (whole: every request of a DC session, SAP to SessionStop, on a new connection) through a SeccConnection's socket callback to the Res frame written. */
  | { name: string; connection: "din" | "iso2"; whole?: boolean }
  /** The whole simulated session (tools/bench/session-scenario.ts: both stations, SLAC, SDP, TCP, V2G) run to its end. */
  | { name: string; simulation: true };

export interface StackFigure {
  name: string;
  /** Slots needed beyond an empty function call (±1). */
  slots?: number;
  error?: string;
}

const XS_SIDE = `
import { WORKLOADS } from "./tools/bench/workloads";
import { decode, encode } from "./modules/exi/index";
import { fromHex } from "./modules/common/index";
import { startSimulation } from "./simulation/session/simulation";
import { SESSION_SCENARIO } from "./tools/bench/session-scenario";
import { ManualClock } from "./modules/common/index";
import { frame } from "./modules/v2gtp/index";
import { SeccConnection } from "./modules/statemachine/secc/connection";
import { FakeStream } from "./tests/v2gtp/fake-io";

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;
function report(value: object): void {
  issueCommand(new TextEncoder().encode(JSON.stringify({ op: "report", ...value })).buffer as ArrayBuffer);
}

const ops = new Map<string, () => unknown>();
ops.set("(empty)", () => undefined);
const sink: unknown[] = [];
let current: () => unknown = () => undefined;
let pad: unknown[] = [];
let failure: unknown = undefined;

function bottom(): void {
  try {
    sink[0] = current();
  } catch (e) {
    failure = e;
  }
}
function padArgs(): void {
  bottom.apply(undefined, pad as []);
}
function recA(k: number): number {
  if (k === 0) {
    padArgs();
    return 0;
  }
  const r = recA(k - 1);
  return r + 1;
}
function recB(k: number): number {
  let a0 = k + 0, a1 = k + 1, a2 = k + 2, a3 = k + 3, a4 = k + 4, a5 = k + 5, a6 = k + 6, a7 = k + 7;
  let b0 = k + 8, b1 = k + 9, b2 = k + 10, b3 = k + 11, b4 = k + 12, b5 = k + 13, b6 = k + 14, b7 = k + 15;
  if (k === 0) {
    padArgs();
    return 0;
  }
  const r = recB(k - 1);
  return r + a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7;
}

const NAMESPACES: Record<string, string> = { din: "urn:din:70121:2012:MsgDef", iso2: "urn:iso:15118:2:2013:MsgDef" };
const pv = (Value: number, Unit: string) => ({ Multiplier: 0, Unit, Value });
const evStatus = { EVReady: true, EVErrorCode: "NO_ERROR", EVRESSSOC: 50 };

/**
 * A SeccConnection (V2GTP + EXI + SeccSession, as on the device) on an in-memory socket, driven
 * to CurrentDemand; the op is one CurrentDemandReq frame delivered through the socket's
 * onReadable callback, answered with the CurrentDemandRes frame (tools/bench/secc.ts's sequence).
 */
function connectionOp(protocol: "din" | "iso2", whole: boolean): () => unknown {
  const config = {
    evseId: "DE*XS1*E0001",
    energyModes: ["DC_extended"],
    dc: { maxVoltage: 500, maxCurrent: 200, maxPower: 100000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5 },
    meterId: "SIM-METER-1",
  };
  let stream!: FakeStream;
  let conn!: SeccConnection;
  let id = new Uint8Array(1);
  const last = (schema: "apphand" | "din" | "iso2"): any => decode(schema, stream.written[stream.written.length - 1].subarray(8));
  const bytes = (name: string, content: object) => frame(0x8001, encode(protocol, { V2G_Message: { Header: { SessionID: id }, Body: { [name]: content } } }));
  const send = (name: string, content: object) => stream.peerWrite(bytes(name, content));
  const check = (name: string, closes = false): void => {
    const res = last(protocol).V2G_Message.Body[name];
    if (!res || !/^OK/.test(res.ResponseCode) || conn.closed !== closes) throw new Error(name + ": " + JSON.stringify(res && res.ResponseCode));
  };
  const request = () => bytes("CurrentDemandReq", { DC_EVStatus: evStatus, EVTargetCurrent: pv(100, "A"), ChargingComplete: false, EVTargetVoltage: pv(400, "V") });
  /** SAP to the first CurrentDemand (and, when whole, on to the end of the session). */
  const session = (): void => {
    conn = new SeccConnection({ config: config as any, clock: new ManualClock(), open: (callbacks) => (stream = new FakeStream(callbacks)) });
    id = new Uint8Array(1);
    stream.peerWrite(frame(0x8001, encode("apphand", { supportedAppProtocolReq: { AppProtocol: [{ ProtocolNamespace: NAMESPACES[protocol], VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 }] } })));
    send("SessionSetupReq", { EVCCID: new Uint8Array(6) });
    id = last(protocol).V2G_Message.Header.SessionID;
    const select = { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } };
    send("ServiceDiscoveryReq", {});
    send(protocol === "din" ? "ServicePaymentSelectionReq" : "PaymentServiceSelectionReq", select);
    conn.session.control({ kind: "authorized", accepted: true });
    send(protocol === "din" ? "ContractAuthenticationReq" : "AuthorizationReq", {});
    const param = { DC_EVStatus: evStatus, EVMaximumCurrentLimit: pv(150, "A"), EVMaximumVoltageLimit: pv(450, "V") };
    send("ChargeParameterDiscoveryReq", protocol === "din" ? { EVRequestedEnergyTransferType: "DC_extended", DC_EVChargeParameter: param } : { RequestedEnergyTransferMode: "DC_extended", DC_EVChargeParameter: param });
    check("ChargeParameterDiscoveryRes");
    send("CableCheckReq", { DC_EVStatus: evStatus });
    conn.session.control({ kind: "cable-check-finished", isolation: "Valid" });
    send("CableCheckReq", { DC_EVStatus: evStatus });
    send("PreChargeReq", { DC_EVStatus: evStatus, EVTargetVoltage: pv(400, "V"), EVTargetCurrent: pv(2, "A") });
    send("PowerDeliveryReq", protocol === "din" ? { ReadyToChargeState: true } : { ChargeProgress: "Start", SAScheduleTupleID: 1 });
    check("PowerDeliveryRes");
    conn.session.control({ kind: "present-values", voltage: 398.7, current: 99.5 });
    stream.peerWrite(request());
    check("CurrentDemandRes");
    if (!whole) return;
    send("PowerDeliveryReq", protocol === "din" ? { ReadyToChargeState: false } : { ChargeProgress: "Stop", SAScheduleTupleID: 1 });
    check("PowerDeliveryRes");
    send("SessionStopReq", protocol === "din" ? {} : { ChargingSession: "Terminate" });
    check("SessionStopRes", true);
  };
  if (whole) return () => session();
  session();
  const req = request();
  return () => {
    stream.written.length = 0;
    stream.peerWrite(req);
    if (stream.written.length !== 1) throw new Error("no CurrentDemandRes");
    return stream.written[0];
  };
}

function make(spec: any): () => unknown {
  if (spec.connection) return connectionOp(spec.connection, spec.whole === true);
  if (spec.workload) {
    const w = WORKLOADS.find((x) => x.name === spec.workload);
    if (!w) throw new Error("no workload " + spec.workload);
    const state = w.setup();
    if (state === undefined) throw new Error("skipped: " + (w.skipReason ?? "no input"));
    return () => w.run(state);
  }
  if (spec.simulation) {
    return () => {
      const s = startSimulation(SESSION_SCENARIO);
      while (!s.done) s.advance(5000);
      if (!s.summary!.ok) throw new Error("simulated session failed");
      return s.summary;
    };
  }
  const bytes = fromHex(spec.hex)!;
  const options = spec.lenient ? { facets: "lenient" as const } : undefined;
  if (spec.direction === "decode") return () => decode(spec.schema, bytes, options);
  const doc = decode(spec.schema, bytes);
  return () => encode(spec.schema, doc);
}

(globalThis as any).__probe = {
  add(spec: any): void {
    try {
      const op = make(spec);
      op(); // cold: grammars unpack, caches fill
      const t0 = performance.now();
      op();
      ops.set(spec.name, op);
      report({ added: spec.name, ms: performance.now() - t0 });
    } catch (e) {
      report({ error: String(e) });
    }
  },
  /** Runs the op under each padding [k, n] in turn, reporting each success; stops at an error (an overflow ends the machine). */
  scan(name: string, shape: "none" | "A" | "B", points: [number, number][]): void {
    current = ops.get(name)!;
    for (let i = 0; i < points.length; i++) {
      const [k, n] = points[i];
      pad = new Array(n).fill(0);
      failure = undefined;
      if (shape === "A") recA(k);
      else if (shape === "B") recB(k);
      else padArgs();
      pad = [];
      if (failure !== undefined) {
        report({ error: String(failure) });
        return;
      }
      report({ fit: i });
    }
  },
};
`;

let scriptPromise: Promise<string> | undefined;
function xsScript(): Promise<string> {
  scriptPromise ??= bundleForXs(XS_SIDE);
  return scriptPromise;
}

class OpError extends Error {}

type Shape = "none" | "A" | "B";
type OpRef = ProbeOp | "(empty)";

/** One xsnap worker at a time, replaced after each overflow. */
class Lane {
  private worker: XsWorker | undefined;
  private added = new Map<string, number>(); // op name → its warm-up run, ms
  spawns = 0;
  runs = 0;
  spawnMs = 100;

  private async ready(): Promise<XsWorker> {
    if (!this.worker) {
      const t0 = performance.now();
      const worker = await startXsWorker("xs15118-stack-probe");
      await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(ROOT)};`);
      await worker.evaluate(await xsScript());
      this.worker = worker;
      this.added = new Map([["(empty)", 0]]);
      this.spawns++;
      this.spawnMs = performance.now() - t0;
    }
    return this.worker;
  }

  /** Registers `op` in the current worker (its setup and two warm-up runs); returns the warm run's time in ms. */
  async add(op: OpRef): Promise<number> {
    const worker = await this.ready();
    const name = op === "(empty)" ? op : op.name;
    const known = this.added.get(name);
    if (known !== undefined) return known;
    const start = worker.reports.length;
    try {
      await worker.evaluate(`__probe.add(${JSON.stringify(op)})`);
    } catch (error) {
      this.worker = undefined;
      if (/stack overflow/.test(String(error))) throw new OpError(`${name}: overflows the whole ${XSNAP_STACK_SLOTS}-slot stack even at top level`);
      throw error;
    }
    const replies = worker.reports.slice(start) as { error?: string; ms?: number }[];
    const error = replies.find((r) => r.error);
    if (error) throw new OpError(`${name}: ${error.error}`);
    const ms = replies[0]?.ms ?? 0;
    this.added.set(name, ms);
    return ms;
  }

  /** How many of `points` ([depth k, args n], in increasing order) the op fits under; the first that does not fit ends the worker. */
  async scan(op: OpRef, shape: Shape, points: [number, number][]): Promise<number> {
    await this.add(op);
    const worker = this.worker!;
    const name = op === "(empty)" ? op : op.name;
    const start = worker.reports.length;
    try {
      await worker.evaluate(`__probe.scan(${JSON.stringify(name)}, "${shape}", ${JSON.stringify(points)})`);
    } catch (error) {
      this.worker = undefined;
      if (!/stack overflow/.test(String(error))) throw error;
    }
    const replies = worker.reports.slice(start) as { error?: string; fit?: number }[];
    const failed = replies.find((r) => r.error);
    if (failed) throw new OpError(`${name}: ${failed.error}`);
    const fits = replies.filter((r) => r.fit !== undefined).length;
    this.runs += Math.min(points.length, fits + 1);
    return fits;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.close().catch(() => undefined);
  }
}

/**
 * Largest x in [lo, hi) for which the op fits, given that it does not fit at hi (assumed);
 * undefined when it does not fit at lo. Each round scans up to `fanout` ascending points in
 * one worker: the first overflow narrows [lo, hi) to one step, at the cost of one new worker.
 * Fanout 2 is bisection; a fast operation affords a wide fanout (fewer workers).
 */
async function largestFitting(lane: Lane, op: OpRef, shape: Shape, point: (x: number) => [number, number], lo: number, hi: number): Promise<number | undefined> {
  const runMs = await lane.add(op);
  const fanout = Math.max(2, Math.min(32, Math.floor(lane.spawnMs / Math.max(runMs, 0.5))));
  let first = true;
  while (hi - lo > 1) {
    const step = Math.ceil((hi - lo) / fanout);
    const xs: number[] = first ? [lo] : [];
    for (let x = lo + step; x < hi; x += step) xs.push(x);
    const fits = await lane.scan(op, shape, xs.map(point));
    if (first && fits === 0) return undefined;
    const offset = first ? 1 : 0;
    first = false;
    const fitting = fits - offset; // how many of the points after lo fit
    const nextLo = fitting > 0 ? lo + fitting * step : lo;
    hi = fits < xs.length ? xs[fits] : hi;
    lo = nextLo;
  }
  if (first && (await lane.scan(op, shape, [point(lo)])) === 0) return undefined;
  return lo;
}

export interface Calibration {
  /** Largest args pad under which an empty call still runs. */
  emptyArgs: number;
  /** Slots per frame of the recursion pads A and B (B has 16 more locals). */
  frameA: number;
  frameB: number;
  /** Most frames of A, of B, that fit alone (recursion to depth k is k + 1 frames). */
  framesA: number;
  framesB: number;
  /** Each check: what it compares and whether it held. */
  checks: { what: string; ok: boolean }[];
}

const K0 = 99; // calibration depth: K0 + 1 = 100 frames

export class StackProbe {
  private lanes: Lane[];
  private empty: number | undefined;

  constructor(lanes = 2) {
    this.lanes = Array.from({ length: Math.max(1, lanes) }, () => new Lane());
  }

  get spawns(): number {
    return this.lanes.reduce((s, l) => s + l.spawns, 0);
  }

  get runs(): number {
    return this.lanes.reduce((s, l) => s + l.runs, 0);
  }

  private async emptyArgs(lane = this.lanes[0]): Promise<number> {
    this.empty ??= await largestFitting(lane, "(empty)", "none", (n) => [0, n], 0, XSNAP_STACK_SLOTS);
    if (this.empty === undefined) throw new Error("an empty call does not fit the stack");
    return this.empty;
  }

  /** Slots `op` needs beyond an empty call (±1); undefined when it does not fit the whole xsnap stack. */
  async slotsOf(op: ProbeOp, lane = this.lanes[0]): Promise<number | undefined> {
    const empty = await this.emptyArgs(lane);
    const n = await largestFitting(lane, op, "none", (x) => [0, x], 0, empty + 1);
    return n === undefined ? undefined : empty - n;
  }

  /** Measures every op, spread over the lanes (workers run in parallel). */
  async measure(ops: readonly ProbeOp[]): Promise<StackFigure[]> {
    await this.emptyArgs();
    const figures: StackFigure[] = ops.map((op) => ({ name: op.name }));
    // the slow ones (whole sessions) first, so that the other lanes work beside them
    const order = ops.map((_, i) => i).sort((a, b) => Number("simulation" in ops[b]) - Number("simulation" in ops[a]));
    let next = 0;
    await Promise.all(
      this.lanes.map(async (lane) => {
        while (next < order.length) {
          const i = order[next++];
          try {
            const t0 = performance.now(), w0 = lane.spawns, r0 = lane.runs;
            const slots = await this.slotsOf(ops[i], lane);
            if (process.env.STACK_PROBE_DEBUG) process.stderr.write(`${ops[i].name}: ${(performance.now() - t0).toFixed(0)} ms, ${lane.spawns - w0} workers, ${lane.runs - r0} runs, spawn ${lane.spawnMs.toFixed(0)} ms\n`);
            if (slots === undefined) figures[i].error = `needs more than the whole ${XSNAP_STACK_SLOTS}-slot stack`;
            else figures[i].slots = slots;
          } catch (error) {
            if (!(error instanceof OpError)) throw error;
            figures[i].error = error.message;
          }
        }
      }),
    );
    return figures;
  }

  /**
   * Frame sizes of the two recursion pads and the consistency checks described in the file
   * header; `verify` (optional) is measured with both recursion pads against its args figure.
   */
  async calibrate(verify?: ProbeOp): Promise<Calibration> {
    const lane = this.lanes[0];
    const empty = await this.emptyArgs(lane);
    const frame = async (shape: "A" | "B"): Promise<number> => {
      const n = await largestFitting(lane, "(empty)", shape, (x) => [K0, x], 0, empty + 1);
      if (n === undefined) throw new Error(`recursion ${shape} to depth ${K0} does not fit`);
      return (empty - n) / (K0 + 1);
    };
    const frameA = await frame("A");
    const frameB = await frame("B");
    const frames = async (shape: "A" | "B", op: OpRef): Promise<number> => {
      const k = await largestFitting(lane, op, shape, (x) => [x, 0], 0, XSNAP_STACK_SLOTS);
      if (k === undefined) throw new Error(`${shape}: depth 0 does not fit`);
      return k + 1;
    };
    const framesA = await frames("A", "(empty)");
    const framesB = await frames("B", "(empty)");
    const checks: { what: string; ok: boolean }[] = [
      { what: `frame A = ${frameA} slots, an integer (uniform frames)`, ok: Number.isInteger(frameA) },
      { what: `frame B = ${frameB} slots, an integer (uniform frames)`, ok: Number.isInteger(frameB) },
      { what: `frame B − frame A = ${frameB - frameA}: the 16 extra locals`, ok: frameB - frameA === 16 },
      { what: `${framesA} frames of A alone × ${frameA} = ${framesA * frameA} slots, args pad ${empty} (within a frame)`, ok: Math.abs(framesA * frameA - empty) < frameA },
      { what: `${framesB} frames of B alone × ${frameB} = ${framesB * frameB} slots, args pad ${empty} (within a frame)`, ok: Math.abs(framesB * frameB - empty) < frameB },
    ];
    if (verify) {
      const args = await this.slotsOf(verify, lane);
      const viaA = (framesA - (await frames("A", verify))) * frameA;
      const viaB = (framesB - (await frames("B", verify))) * frameB;
      checks.push(
        { what: `${verify.name}: args pad ${args} slots, recursion A ${viaA} (±${frameA})`, ok: args !== undefined && Math.abs(viaA - args) <= frameA },
        { what: `${verify.name}: args pad ${args} slots, recursion B ${viaB} (±${frameB})`, ok: args !== undefined && Math.abs(viaB - args) <= frameB },
      );
    }
    return { emptyArgs: empty, frameA, frameB, framesA, framesB, checks };
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.close()));
  }
}

// ---------------------------------------------------------------------------------------
// Which operations to measure

const SHARED = path.join(ROOT, "..", "shared");

/** The bench set's messages (../shared/vectors/bench_set.tsv), as in tools/bench/exi.ts. */
export function benchSetOps(): ProbeOp[] {
  const file = path.join(SHARED, "vectors/bench_set.tsv");
  if (!fs.existsSync(file)) return [];
  const ops: ProbeOp[] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const [name] = line.split("\t");
    ops.push({ name: `exi.${name}.decode`, workload: `exi.${name}.decode` }, { name: `exi.${name}.encode`, workload: `exi.${name}.encode` });
  }
  return ops;
}

/** Element nesting of a decoded message (the root element is level 1; a simple-typed leaf counts). */
export function nestingDepth(value: unknown): number {
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return 1;
  if (Array.isArray(value)) return value.reduce((m: number, v) => Math.max(m, nestingDepth(v)), 0);
  let inner = 0;
  for (const v of Object.values(value)) inner = Math.max(inner, nestingDepth(v));
  return 1 + inner;
}

export interface DeepMessage {
  family: string;
  depth: number;
  bytes: number;
  root: string;
  hex: string;
}

/** The most deeply nested message (ties: the longest) of each file in ../shared/vectors/real. */
export function deepestRealMessages(): DeepMessage[] {
  const dir = path.join(SHARED, "vectors/real");
  if (!fs.existsSync(dir)) return [];
  const out: DeepMessage[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".tsv")).sort()) {
    const seen = new Set<string>();
    let best: DeepMessage | undefined;
    for (const line of fs.readFileSync(path.join(dir, file), "utf8").split("\n")) {
      if (!line || line.startsWith("#")) continue;
      const [schema, hex] = line.split("\t");
      if (seen.has(hex)) continue;
      seen.add(hex);
      let doc: object;
      try {
        doc = decode(schema as SchemaId, fromHex(hex)!);
      } catch {
        continue;
      }
      const depth = nestingDepth(doc) - 1; // the document object itself is no element
      const body = (doc as { V2G_Message?: { Body?: object } }).V2G_Message?.Body;
      const root = body ? Object.keys(body)[0] ?? "Body" : Object.keys(doc)[0];
      if (!best || depth > best.depth || (depth === best.depth && hex.length > best.hex.length)) {
        best = { family: schema, depth, bytes: hex.length / 2, root, hex };
      }
    }
    if (best) out.push(best);
  }
  return out;
}

export function deepestRealOps(): ProbeOp[] {
  return deepestRealMessages().flatMap((m) => {
    const name = `real.${m.family}.${m.root} (depth ${m.depth}, ${m.bytes} B)`;
    return [
      { name: `${name}.decode`, schema: m.family as SchemaId, hex: m.hex, direction: "decode" as const },
      { name: `${name}.encode`, schema: m.family as SchemaId, hex: m.hex, direction: "encode" as const },
    ];
  });
}

/** The charger's CurrentDemand cycle (decode Req, step the session, encode Res) and the session step alone. */
export function seccOps(): ProbeOp[] {
  return ["din", "iso2"].flatMap((p) => [
    { name: `secc.${p}.CurrentDemand.decode+handle+encode`, workload: `secc.${p}.CurrentDemand.decode+handle+encode` },
    { name: `secc.${p}.CurrentDemand.handle`, workload: `secc.${p}.CurrentDemand.handle` },
  ]);
}

/** The device's receive path: socket callback → V2GTP → EXI decode → session → encode → V2GTP write. */
export function connectionOps(): ProbeOp[] {
  return (["din", "iso2"] as const).flatMap((p) => [
    { name: `secc.${p}.connection: CurrentDemandReq frame → Res frame`, connection: p },
    { name: `secc.${p}.connection: whole DC session, SAP to SessionStop`, connection: p, whole: true },
  ]);
}

/**
 * Decode of a request whose string is longer than its schema facet allows: ISO-2
 * ServiceDiscoveryReq with a ServiceScope of `length` characters (maxLength 64). A hostile EV
 * chooses the length; the decoder reads the whole string before its facet check refuses it, so
 * the probe decodes leniently to measure that read.
 */
export function longStringOps(lengths: readonly number[] = [64, 256, 1024, 4096]): ProbeOp[] {
  return lengths.map((length) => {
    const bytes = encode("iso2", { V2G_Message: { Header: { SessionID: new Uint8Array(8) }, Body: { ServiceDiscoveryReq: { ServiceScope: "x".repeat(length) } } } }, { checkFacets: false });
    return { name: `exi.iso2 ServiceDiscoveryReq, ${length}-char ServiceScope.decode`, schema: "iso2" as SchemaId, hex: toHex(bytes), direction: "decode" as const, lenient: true };
  });
}

export const SIMULATION_OP: ProbeOp = { name: "sim.session (whole DIN DC session, both stations)", simulation: true };

/** Everything the bench and the device-stack test measure. */
export function deviceOps(): ProbeOp[] {
  return [...benchSetOps(), ...deepestRealOps(), ...longStringOps(), ...seccOps(), ...connectionOps(), SIMULATION_OP];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const filter = args.find((a) => !a.startsWith("--"));
  const t0 = performance.now();
  const ops = deviceOps().filter((op) => !filter || op.name.includes(filter));
  const probe = new StackProbe();
  try {
    const verify = ops.find((op) => op.name.includes("SalesTariff.encode")) ?? ops[0];
    const calibration = await probe.calibrate(verify);
    const figures = await probe.measure(ops);
    const seconds = (performance.now() - t0) / 1000;
    if (json) {
      process.stdout.write(`${JSON.stringify({ calibration, figures, workers: probe.spawns, runs: probe.runs, seconds }, null, 2)}\n`);
      return;
    }
    console.log(`calibration (xsnap, ${XSNAP_STACK_SLOTS}-slot stack): empty call fits under ${calibration.emptyArgs} argument slots`);
    for (const c of calibration.checks) console.log(`  ${c.ok ? "ok  " : "FAIL"} ${c.what}`);
    const width = Math.max(...figures.map((f) => f.name.length));
    console.log(`\n${"operation".padEnd(width)}  XS stack slots (±1, beyond an empty call)`);
    for (const f of figures) console.log(`${f.name.padEnd(width)}  ${f.slots !== undefined ? String(f.slots).padStart(5) : f.error}`);
    console.log(`\n${probe.runs} runs, ${probe.spawns} workers, ${seconds.toFixed(1)} s`);
  } finally {
    await probe.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
