// The XS side of tools/xs/station-heap.ts: ONE station (a charger or a vehicle, built by
// station-setup.ts exactly as the simulation builds it) alone in an xsnap engine, on a clock of
// its own. Its host IO is thin stand-ins of the ECMA-419 classes that pass every call to the
// Node side through `issueCommand` (synchronous) — the pilot's generator, ADC and S2 switch, the
// modem's Ethernet link, and the IPv6 stack's UDP, TCP and listener sockets (on a board: drivers
// and lwIP in C, outside the XS heap). What the Node side has for the station (pilot samples,
// frames, datagrams, connections, bytes, errors) comes in with the next step.

import { ManualClock } from "../../modules/common/manual-clock";
import { fromHex, toHex } from "../../modules/common/bytes";
import type { Logger } from "../../modules/common/log";
import type { HostIpStack } from "../../modules/station/assembly";
import type { IoCallbacks } from "../../modules/common/io";
import { seededRandom } from "../../simulation/random";
import { buildCharger, buildVehicle, ETHERTYPE_HOMEPLUG, type Scenario } from "./station-setup";

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;

/** An event from the Node side for the stand-in `id` (see station-heap.ts NodeSide). */
export interface BridgeEvent {
  id: number;
  /** sample | frame | datagram | data | acceptable | writable | error */
  t: string;
  high?: number | null;
  low?: number | null;
  duty?: number | null;
  hex?: string;
  address?: string;
  port?: number;
  count?: number;
  message?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function call(command: Record<string, unknown>): Record<string, unknown> {
  const reply = new Uint8Array(issueCommand(encoder.encode(JSON.stringify(command)).buffer as ArrayBuffer));
  const answer = reply.length === 0 ? {} : (JSON.parse(decoder.decode(reply)) as Record<string, unknown>);
  if (typeof answer.error === "string") throw new Error(answer.error);
  return answer;
}

interface Receiver {
  event(e: BridgeEvent): void;
}

/** The stand-ins by id, to deliver the Node side's events. */
const receivers = new Map<number, Receiver>();
let nextId = 1;

/** Opens the Node side's counterpart of a stand-in; the options' data (not the callbacks) go along. */
function open(kind: string, options: object, receiver: Receiver): { id: number; reply: Record<string, unknown> } {
  const id = nextId++;
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (typeof v !== "function" && k !== "io") data[k] = v;
  receivers.set(id, receiver);
  return { id, reply: call({ op: "io-open", kind, id, data }) };
}

function closeIo(id: number): void {
  if (!receivers.delete(id)) return;
  call({ op: "io-call", id, name: "close" });
}

function bytesOf(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

const nan = (x: number | null | undefined): number => (x === null || x === undefined ? Number.NaN : x);

class PilotInputStandIn implements Receiver {
  readonly #cb: IoCallbacks;
  readonly #id: number;
  readonly #sample = { high: Number.NaN, low: Number.NaN, duty: Number.NaN };
  #pending = false;
  constructor(options: IoCallbacks) {
    this.#cb = options;
    this.#id = open("pilot-input", options, this).id;
  }
  event(e: BridgeEvent): void {
    this.#sample.high = nan(e.high);
    this.#sample.low = nan(e.low);
    this.#sample.duty = nan(e.duty);
    this.#pending = true;
    this.#cb.onReadable?.(1);
  }
  read(): { high: number; low: number; duty: number } | undefined {
    if (!this.#pending) return undefined;
    this.#pending = false;
    return this.#sample;
  }
  close(): void {
    closeIo(this.#id);
  }
}

/** The charger's generator and the vehicle's S2 switch: write(value) only. */
class WriteOnlyStandIn implements Receiver {
  readonly #id: number;
  readonly canZero: boolean;
  constructor(kind: string, options: object) {
    const { id, reply } = open(kind, options, this);
    this.#id = id;
    this.canZero = reply.canZero === true;
  }
  event(): void {}
  write(value: number): void {
    call({ op: "io-call", id: this.#id, name: "write", args: [value] });
  }
  close(): void {
    closeIo(this.#id);
  }
}

class LinkStandIn implements Receiver {
  readonly #cb: IoCallbacks;
  readonly #id: number;
  readonly #frames: Uint8Array[] = [];
  readonly mac: Uint8Array;
  constructor(options: IoCallbacks & { ethertype?: number }) {
    this.#cb = options;
    const { id, reply } = open("link", options, this);
    this.#id = id;
    this.mac = fromHex(reply.mac as string)!;
  }
  event(e: BridgeEvent): void {
    this.#frames.push(fromHex(e.hex!)!);
    this.#cb.onReadable?.(1);
  }
  read(): Uint8Array | undefined {
    return this.#frames.shift();
  }
  write(frame: Uint8Array): void {
    call({ op: "io-call", id: this.#id, name: "write", args: [toHex(frame)] });
  }
  close(): void {
    closeIo(this.#id);
  }
}

class UdpStandIn implements Receiver {
  readonly #cb: IoCallbacks;
  readonly #id: number;
  readonly #queue: { data: Uint8Array; address: string; port: number }[] = [];
  readonly port: number;
  constructor(options: IoCallbacks & { port?: number }) {
    this.#cb = options;
    const { id, reply } = open("udp", options, this);
    this.#id = id;
    this.port = reply.port as number;
  }
  event(e: BridgeEvent): void {
    this.#queue.push({ data: fromHex(e.hex!)!, address: e.address!, port: e.port! });
    this.#cb.onReadable?.(1);
  }
  read(): { data: Uint8Array; address: string; port: number } | undefined {
    return this.#queue.shift();
  }
  write(data: Uint8Array, address: string, port: number): void {
    call({ op: "io-call", id: this.#id, name: "write", args: [toHex(data), address, port] });
  }
  close(): void {
    closeIo(this.#id);
  }
}

class TcpStandIn implements Receiver {
  #cb: IoCallbacks;
  readonly #id: number;
  readonly #queue: ArrayBuffer[] = [];
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  /** A connection out (`options` with address and port), or one a listener accepted (`accepted`). */
  constructor(options: IoCallbacks & { address?: string; port?: number }, accepted?: { listener: number }) {
    this.#cb = options;
    if (accepted) {
      this.#id = nextId++;
      receivers.set(this.#id, this);
      const reply = call({ op: "io-accept", id: accepted.listener, socket: this.#id });
      if (reply.remoteAddress === undefined) receivers.delete(this.#id);
      this.remoteAddress = reply.remoteAddress as string;
      this.remotePort = reply.remotePort as number;
    } else {
      this.#id = open("tcp", options, this).id;
      this.remoteAddress = options.address;
      this.remotePort = options.port;
    }
  }
  event(e: BridgeEvent): void {
    if (e.t === "data") {
      const bytes = fromHex(e.hex!)!;
      this.#queue.push(bytes.buffer as ArrayBuffer);
      this.#cb.onReadable?.(bytes.length);
    } else if (e.t === "writable") this.#cb.onWritable?.(e.count ?? 1);
    else if (e.t === "error") this.#cb.onError?.(new Error(e.message));
  }
  read(): ArrayBuffer | undefined {
    return this.#queue.shift();
  }
  write(data: ArrayBuffer | ArrayBufferView): void {
    call({ op: "io-call", id: this.#id, name: "write", args: [toHex(bytesOf(data))] });
  }
  close(): void {
    closeIo(this.#id);
  }
}

class ListenerStandIn implements Receiver {
  readonly #cb: IoCallbacks;
  readonly #id: number;
  readonly port: number;
  constructor(options: IoCallbacks & { port: number }) {
    this.#cb = options;
    const { id, reply } = open("listener", options, this);
    this.#id = id;
    this.port = reply.port as number;
  }
  event(e: BridgeEvent): void {
    if (e.t === "acceptable") this.#cb.onReadable?.(e.count ?? 1);
    else if (e.t === "error") this.#cb.onError?.(new Error(e.message));
  }
  read(callbacks: IoCallbacks): TcpStandIn | undefined {
    const socket = new TcpStandIn(callbacks, { listener: this.#id });
    return socket.remoteAddress === undefined ? undefined : socket;
  }
  close(): void {
    closeIo(this.#id);
  }
}

/** The host's IPv6 stack on the matched link: opened on the Node side (the virtual stack), used through stand-ins. */
function openIp(): HostIpStack {
  const reply = call({ op: "ip-open" });
  return {
    Udp: UdpStandIn as unknown as HostIpStack["Udp"],
    Tcp: TcpStandIn as unknown as HostIpStack["Tcp"],
    Listener: ListenerStandIn as unknown as HostIpStack["Listener"],
    address: reply.address as string,
    interface: reply.interface as string,
    close: () => call({ op: "ip-close" }),
  };
}

/** Log lines go to the Node side at once (a board prints them); nothing is kept. */
const logger: Logger = {
  log(level, source, message) {
    if (level === "error" || level === "warn" || (globalThis as { __stationLogAll?: boolean }).__stationLogAll) call({ op: "log-line", text: `${level} ${source}: ${message}` });
  },
};

let clock: ManualClock | undefined;
let station: { close(): void } | undefined;

const api = {
  start(role: "charger" | "vehicle", scenario: Scenario, seed: number): void {
    clock = new ManualClock();
    const common = { clock, random: seededRandom(seed), logger, modem: { io: LinkStandIn as never, ethertype: ETHERTYPE_HOMEPLUG }, ip: openIp };
    station =
      role === "charger"
        ? buildCharger(scenario, { ...common, pilot: { input: { io: PilotInputStandIn as never }, output: { io: class extends WriteOnlyStandIn { constructor(o: object) { super("pilot-output", o); } } as never } }, onSessionEnd: (reason) => call({ op: "station-event", text: `session end ${reason}` }) })
        : buildVehicle(scenario, { ...common, pilot: { input: { io: PilotInputStandIn as never }, s2: { io: class extends WriteOnlyStandIn { constructor(o: object) { super("s2", o); } } as never } }, onEnd: (o) => call({ op: "station-event", ended: o.reason, ok: o.ok }) });
  },
  /**
   * `steps` steps of `ms` each, in one evaluation (xsnap keeps a little per evaluation): in each
   * the Node side moves its world and the peer on first and hands over what it had for the
   * station; then this clock moves and that arrives. Stops early when the Node side says the
   * run is over.
   */
  run(steps: number, ms: number): void {
    for (let i = 0; i < steps; i++) {
      const reply = call({ op: "node-step", ms });
      clock!.advance(ms);
      const events = reply.events as BridgeEvent[] | undefined;
      if (events) for (const e of events) receivers.get(e.id)?.event(e);
      if (reply.done === true) return;
    }
  },
  stop(): void {
    station?.close();
    station = undefined;
  },
};

(globalThis as unknown as { __station: typeof api }).__station = api;
