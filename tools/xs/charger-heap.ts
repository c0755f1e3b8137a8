// The live XS heap of ONE role: the charger's V2G connection alone in an xsnap engine, its
// vehicle on Node (issue 15 item 3 asks for one station's session; tools/xs/session-heap.ts
// measures both stations and the simulation's models together). In the engine: a
// SeccConnection (V2GTP, SAP, the DIN / ISO-2 / -20 session, its ExiCodec), the ChargerBinding,
// a simulated DC power module and meter, on a ManualClock. On Node: an EvccConnection with a
// simulated vehicle. The TCP stream between them is a pair of half-sockets: every 10 ms of
// simulated time Node advances its clock, hands the vehicle's bytes to the engine, which
// advances its clock and reports the charger's bytes back. After every 100 ms the engine's
// snapshot gives the live heap (slots × 16 B + chunks at ESP32 sizes, tools/xs/worker.ts),
// counted above the engine with the modules loaded.
//
// Not included (they stay the same through a session, and are in session-heap.ts's figures):
// the station around the connection — pilot, SLAC, SDP, the TCP listener, the assembly.
//
// The vehicle's battery does not follow the charger's power stage across the two engines, so
// after 30 s of session (the charge loop under way) its target is lowered to what it has and it
// ends the session normally: the figure covers every phase, with a 30-s loop.
//
//   npx tsx tools/xs/charger-heap.ts [din|iso2|iso20]…   (XS15118_CHARGER_STEPS=N: at most N
//   10-ms steps, and a line on how far the session got; XS15118_CHARGER_CENSUS=1: a census of
//   the heap 20 s into the session)
import { ManualClock, type IoCallbacks, type Millis, type StreamSocket } from "../../modules/common/index";
import { EvccConnection, type EvccConnectionOutcome } from "../../modules/statemachine/evcc/index";
import { SimVehicle } from "../../simulation/vehicle/index";
import { bundleForXs } from "./bundle";
import { evaluationOverhead, startXsWorker } from "./worker";
import { census, censusDelta, type Census } from "./heap-census";

const STEP_MS = 10;
const SAMPLE_EVERY = 10;

/** The XS side: the charger's connection, fed by __charger.step(ms, hex[], peerClosed). */
const DRIVER = `
import { ManualClock } from "./modules/common/index";
import { ChargerBinding, SeccConnection } from "./modules/statemachine/index";
import { SimDcPowerModule, SimMeter } from "./simulation/charger/index";
import { SECC_DC } from "./tests/statemachine/evcc/with-secc";
import { DC20, UNIX } from "./tests/statemachine/iso20/support";

class HalfSocket {
  constructor() { this.inbox = []; this.outbox = []; this.callbacks = {}; this.closed = false; this.remoteAddress = "fe80::2%eth0"; this.remotePort = 15118; }
  attach(callbacks) { this.callbacks = callbacks; return this; }
  read() { const next = this.inbox.shift(); return next === undefined ? undefined : next.buffer.slice(next.byteOffset, next.byteOffset + next.byteLength); }
  write(data) {
    const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    let hex = "";
    for (let i = 0; i < view.length; i++) hex += (view[i] < 16 ? "0" : "") + view[i].toString(16);
    this.outbox.push(hex);
  }
  close() { this.closed = true; }
}
let state;
globalThis.__charger = {
  start(protocol) {
    const clock = new ManualClock({ start: 1000 });
    const config = protocol === "iso20" ? { ...DC20, protocols: ["iso20"], iso20: { ...DC20.iso20, insecureWithoutTls: true } } : { ...SECC_DC, protocols: [protocol] };
    const dc = new SimDcPowerModule({ clock, limits: config.dc, isolationCheckTime: 2000 });
    const meter = new SimMeter({ clock, power: () => dc.presentVoltage * dc.presentCurrent });
    const binding = new ChargerBinding({ dc, meter });
    const socket = new HalfSocket();
    const secc = new SeccConnection({ open: (cb) => socket.attach(cb), config, clock, unixTime: () => UNIX, ...binding.sessionOptions() });
    binding.attach(secc.session);
    state = { clock, socket, secc };
  },
  step(ms, hexes, peerClosed) {
    const { clock, socket } = state;
    for (const hex of hexes) {
      const bytes = new Uint8Array(hex.length / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      socket.inbox.push(bytes);
      socket.callbacks.onReadable?.(bytes.length);
    }
    if (peerClosed && !socket.closed) socket.callbacks.onError?.(new Error("peer closed the connection"));
    clock.advance(ms);
    const out = socket.outbox;
    socket.outbox = [];
    if (out.length > 0 || socket.closed) issueCommand(new TextEncoder().encode(JSON.stringify({ op: "report", tx: out, closed: socket.closed })).buffer);
  },
  stop() { state = undefined; },
};
`;

/** The vehicle's end on Node: what it writes waits for the next step. */
class NodeHalf implements StreamSocket {
  callbacks: IoCallbacks = {};
  inbox: Uint8Array[] = [];
  outbox: string[] = [];
  closed = false;
  readonly remoteAddress = "fe80::1%eth0";
  readonly remotePort = 15118;
  attach(callbacks: IoCallbacks): this {
    this.callbacks = callbacks;
    return this;
  }
  deliver(hex: string): void {
    this.inbox.push(Uint8Array.from(Buffer.from(hex, "hex")));
    this.callbacks.onReadable?.(hex.length / 2);
  }
  read(): ArrayBuffer | undefined {
    const next = this.inbox.shift();
    return next === undefined ? undefined : (next.buffer.slice(next.byteOffset, next.byteOffset + next.byteLength) as ArrayBuffer);
  }
  write(data: ArrayBuffer | ArrayBufferView): void {
    const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    this.outbox.push(Buffer.from(view).toString("hex"));
  }
  close(): void {
    this.closed = true;
  }
}

export interface ChargerHeap {
  protocol: string;
  peakBytes: number;
  peakSlots: number;
  peakChunkBytes: number;
  /** The connection built, nothing received yet. */
  startBytes: number;
  outcome: string;
}

export async function measureCharger(protocol: "din" | "iso2" | "iso20"): Promise<ChargerHeap> {
  const worker = await startXsWorker("xs15118-charger-heap");
  try {
    await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(process.cwd())};`);
    await worker.evaluate(await bundleForXs(DRIVER));
    const { base, perSlots, perChunks } = await evaluationOverhead(worker);
    // XS15118_CHARGER_CENSUS=1: where the heap goes 20 s into the session (the charge loop)
    const baseCensus: Census | undefined = process.env.XS15118_CHARGER_CENSUS ? census(await worker.snapshot(), true) : undefined;
    let evaluations = 0;
    const live = async (): Promise<{ slots: number; chunks: number }> => {
      const h = await worker.liveHeap();
      return { slots: h.slots - base.slots - Math.round(evaluations * perSlots), chunks: h.chunkBytesEsp32 - base.chunkBytesEsp32 - Math.round(evaluations * perChunks) };
    };
    await worker.evaluate(`__charger.start(${JSON.stringify(protocol)})`);
    evaluations++;
    const start = await live();

    const clock = new ManualClock({ start: 1000 });
    const vehicle = new SimVehicle({ clock, battery: { capacityKWh: 10, soc: 40, maxCurrent: 125 }, targetSoc: 43, onBoardCharger: { phases: 3, maxCurrent: 16 } });
    const half = new NodeHalf();
    let outcome: EvccConnectionOutcome | undefined;
    new EvccConnection({
      open: (cb) => half.attach(cb),
      protocols: [protocol],
      insecureIso20WithoutTls: true,
      session: { energyTransferMode: "DC_extended", evccId: Uint8Array.of(2, 0, 0, 0, 0, 7), ...(protocol === "iso20" ? { iso20: { transfer: "dc", controlMode: "scheduled" } } : {}) },
      bms: vehicle,
      vehicle: vehicle.hooks({}),
      clock,
      onStop: (o) => (outcome = o),
    });
    let peak = { bytes: start.slots * 16 + start.chunks, slots: start.slots, chunks: start.chunks };
    let seccClosed = false;
    const maxSteps = Number(process.env.XS15118_CHARGER_STEPS ?? 200_000);
    let exchanged = 0;
    for (let step = 0; step < maxSteps && !(outcome && seccClosed); step++) {
      clock.advance(STEP_MS as Millis);
      // the vehicle's battery does not follow the charger's power stage across the engines: after
      // 30 s of session its target is lowered to the charge it has, and it ends the session
      if (step === 3000) (vehicle as { targetSoc: number }).targetSoc = 0;
      const reportsBefore = worker.reports.length;
      const tx = half.outbox;
      half.outbox = [];
      await worker.evaluate(`__charger.step(${STEP_MS}, ${JSON.stringify(tx)}, ${half.closed})`);
      evaluations++;
      for (const r of worker.reports.slice(reportsBefore) as { tx?: string[]; closed?: boolean }[]) {
        for (const hex of r.tx ?? []) {
          exchanged++;
          half.deliver(hex);
        }
        if (r.closed) seccClosed = true;
      }
      if (seccClosed && !half.closed) half.callbacks.onError?.(new Error("peer closed the connection"));
      if (baseCensus && step === 2000) {
        const at = census(await worker.snapshot(), true);
        for (const g of censusDelta(baseCensus, at).slice(0, 30)) console.log(`  ${String(g.objects).padStart(5)} ${String(g.slots).padStart(6)} ${String(g.chunkBytesEsp32).padStart(6)} ${String(g.slots * 16 + g.chunkBytesEsp32).padStart(6)}  ${g.name}`);
      }
      if (step % SAMPLE_EVERY === 0) {
        const now = await live();
        if (now.slots * 16 + now.chunks > peak.bytes) peak = { bytes: now.slots * 16 + now.chunks, slots: now.slots, chunks: now.chunks };
      }
      if (outcome && step > 0 && half.closed && !seccClosed && step % 100 === 0) break;
    }
    if (process.env.XS15118_CHARGER_STEPS) console.error(`charger messages ${exchanged}, vehicle end ${outcome?.reason}, secc closed ${seccClosed}`);
    return { protocol, peakBytes: peak.bytes, peakSlots: peak.slots, peakChunkBytes: peak.chunks, startBytes: start.slots * 16 + start.chunks, outcome: outcome ? `${outcome.reason}${outcome.orderly ? "" : " (not orderly)"}` : "no end" };
  } finally {
    await worker.close();
  }
}

if (process.argv[1]?.endsWith("charger-heap.ts")) {
  const wanted = process.argv.slice(2);
  for (const protocol of (wanted.length > 0 ? wanted : ["din", "iso2", "iso20"]) as ("din" | "iso2" | "iso20")[]) {
    const r = await measureCharger(protocol);
    console.log(
      `charger connection, ${protocol} DC: live peak ${r.peakBytes} B = ${r.peakSlots} slots × 16 B + ${r.peakChunkBytes} B chunks; built, before the first message: ${r.startBytes} B; vehicle: ${r.outcome}`,
    );
  }
}
