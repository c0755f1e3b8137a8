// Stand-ins for what main.ts imports from the Moddable SDK on an ESP32 — embedded:io/* (the
// pilot's PWM/Digital/Analog from the cp-pwm stand-ins, plus SPI for the QCA7000), "timer" and
// "time" on the stand-ins' microsecond bench, "mc/config" and "preference" — so main.ts runs on
// Node, bundled by esbuild with the specifiers mapped here (tests/station/esp32-main.test.ts).
// The native QCA7000 driver records its calls; given a wire (`scope().slacWire`) it is a modem
// on it (hosts/linux/wire-modem.ts: answers CM_SET_KEY, turns sounds into attenuation profiles),
// and the socket host functions (hosts/native-net/sockets.js) are the board's host on the
// in-memory link of esp32-net-mocks.ts, up only while the driver's lwIP link is.

import { bench, Digital as PilotDigital, Analog as PilotAnalog } from "../../cp-pwm/support/embedded-mocks";
export { bench, resetBench, PWM, PulseCount } from "../../cp-pwm/support/embedded-mocks";
export { Update, flashStorage, otaBoot, updateCrypto } from "./esp32-ota-mocks";
import { FakeNetwork, framePair } from "./esp32-net-mocks";
export { framePair };
import { wireModem } from "../../../hosts/linux/wire-modem";
import type { Clock, Millis, TimerHandle } from "../../../modules/common/clock";
import type { EthernetLink } from "../../../modules/common/io";
import type { EthernetLinkClass } from "../../../modules/slac/channel";
import type { SocketNatives } from "./esp32-net-mocks";

interface Scope {
  config: Record<string, unknown>;
  preferences: Map<string, string | number | boolean>;
  spi: { options: Record<string, unknown>; transfers: number }[];
  native: NativeRecord[];
  interrupts: { pin: number; edge: unknown }[];
  timers: { due: number; interval: number; callback: (t: unknown) => void; cleared: boolean; repeat: boolean }[];
  /** The link the board's sockets run on (a fresh one per test: resetNetwork). */
  network: FakeNetwork;
  /** The wire behind the native QCA7000 driver's modem, when a test puts one there. */
  slacWire?: EthernetLinkClass;
  /** What hosts/native-tls's tlsBuild() answers: the mbedTLS version, or undefined (a build without TLS). */
  tlsBuild?: string;
  /** ADC pins that read a value of their own (0..4095, e.g. the PP divider) instead of the pilot. */
  analog: Map<number, number>;
}

/** What the test set up before main.ts ran, and what main.ts built (globalThis: one bundle, many runs). */
export function scope(): Scope {
  const g = globalThis as unknown as { __xs15118Board?: Scope };
  if (!g.__xs15118Board) g.__xs15118Board = { config: {}, preferences: new Map(), spi: [], native: [], interrupts: [], timers: [], network: new FakeNetwork(), analog: new Map() };
  return g.__xs15118Board;
}

function nowMs(): number {
  return Math.floor(bench.micros / 1000);
}

export class SPI {
  readonly #record: { options: Record<string, unknown>; transfers: number };
  constructor(options: Record<string, unknown>) {
    this.#record = { options, transfers: 0 };
    scope().spi.push(this.#record);
  }
  transfer(buffer: Uint8Array): void {
    this.#record.transfers++;
    buffer.fill(0); // no modem answers: MISO low
  }
  flush(): void {}
  close(): void {}
}

interface NativeRecord {
  options: Record<string, unknown>;
  /** Management frames JavaScript wrote (to the QCA7000). */
  written: Uint8Array[];
  /** Management frames waiting for JavaScript (from the QCA7000); `deliver` queues one. */
  inbox: ArrayBuffer[];
  linkUp: boolean[];
  closed: boolean;
  deliver(frame: Uint8Array): void;
}

/** The board's lwIP netif: its name (the sockets' zone) and link-local address. */
export const BOARD_INTERFACE = "qc1";
export const BOARD_ADDRESS = "fe80::ff:fe00:1";

/** The stand-ins' clock (bench time, their timers): for the modem stand-in. */
export const benchClock: Clock = {
  now: () => nowMs() as Millis,
  set: (callback, delay) => Timer.set(() => callback(), delay) as unknown as TimerHandle,
  clear: (handle) => Timer.clear(handle as unknown as { cleared: boolean } | undefined),
};

/** The native QCA7000 driver (hosts/esp32/qca7000/qca7000-native.js): its calls are recorded. */
export class Qca7000Native {
  readonly #record: NativeRecord;
  readonly #modem: EthernetLink | undefined;
  constructor(options: Record<string, unknown> & { onReadable(count: number): void }) {
    const record: NativeRecord = {
      options,
      written: [],
      inbox: [],
      linkUp: [],
      closed: false,
      deliver(frame: Uint8Array) {
        record.inbox.push(frame.slice().buffer);
        options.onReadable.call(this, record.inbox.length);
      },
    };
    this.#record = record;
    scope().native.push(record);
    const wire = scope().slacWire;
    if (wire) {
      // The chip hands frames up from its task: on a later turn, never inside write().
      const modem: EthernetLink = new (wireModem({ clock: benchClock, wire }))({
        onReadable: () => {
          for (let frame = modem.read(); frame; frame = modem.read()) record.deliver(frame);
        },
      });
      this.#modem = modem;
    }
  }
  read(): ArrayBuffer | undefined {
    return this.#record.inbox.shift();
  }
  write(buffer: Uint8Array): void {
    this.#record.written.push(buffer.slice());
    const frame = buffer.slice();
    if (this.#modem) Timer.set(() => this.#modem?.write(frame), 0);
  }
  setLinkUp(up: boolean): void {
    this.#record.linkUp.push(up);
  }
  get interfaceName(): string {
    return BOARD_INTERFACE;
  }
  get address(): string {
    return BOARD_ADDRESS;
  }
  get state(): string {
    return this.#record.closed ? "closed" : "ready";
  }
  close(): void {
    this.#record.closed = true;
    this.#modem?.close();
  }
}

/** The board's host on the link: up while the native driver's last setLinkUp said so. */
function boardSockets(): SocketNatives {
  const s = scope() as Scope & { boardSockets?: SocketNatives; boardNetwork?: FakeNetwork };
  if (s.boardNetwork !== s.network || !s.boardSockets) {
    s.boardNetwork = s.network;
    s.boardSockets = s.network.host(BOARD_INTERFACE, BOARD_ADDRESS, () => s.native.at(-1)?.linkUp.at(-1) === true);
  }
  return s.boardSockets;
}

// hosts/native-net/sockets.js on the board (esbuild maps "./sockets" here).
export const receive: SocketNatives["receive"] = (fd) => boardSockets().receive(fd);
export const send: SocketNatives["send"] = (fd, data) => boardSockets().send(fd, data);
export const udpOpen: SocketNatives["udpOpen"] = (port, name, group) => boardSockets().udpOpen(port, name, group);
export const udpReceive: SocketNatives["udpReceive"] = (fd) => boardSockets().udpReceive(fd);
export const udpSend: SocketNatives["udpSend"] = (fd, data, address, port) => boardSockets().udpSend(fd, data, address, port);
export const tcpConnect: SocketNatives["tcpConnect"] = (address, port) => boardSockets().tcpConnect(address, port);
export const tcpConnected: SocketNatives["tcpConnected"] = (fd) => boardSockets().tcpConnected(fd);
export const tcpListen: SocketNatives["tcpListen"] = (address, port) => boardSockets().tcpListen(address, port);
export const localPort: SocketNatives["localPort"] = (fd) => boardSockets().localPort(fd);
export const tcpAccept: SocketNatives["tcpAccept"] = (fd) => boardSockets().tcpAccept(fd);
export const close: SocketNatives["close"] = (fd) => boardSockets().close(fd);

/** A fresh link for the next test (and no wire behind the driver). */
export function resetNetwork(): FakeNetwork {
  const s = scope();
  s.network = new FakeNetwork();
  s.slacWire = undefined;
  return s.network;
}

/** ADCs on a pin of `scope().analog` read that value (the PP divider); the rest read the pilot. */
export class Analog extends PilotAnalog {
  readonly #pin: number;
  constructor(options: { pin: number }) {
    super(options);
    this.#pin = options.pin;
  }
  override read(): number {
    return scope().analog.get(this.#pin) ?? super.read();
  }
}

/** Digital inputs with an edge (the QCA7000's INT) are recorded; the rest are the pilot's stand-ins. */
export class Digital extends PilotDigital {
  constructor(options: { pin: number; mode: unknown; edge?: unknown }) {
    super(options);
    if (options.edge !== undefined) scope().interrupts.push({ pin: options.pin, edge: options.edge });
  }
}

export const Timer = {
  set(callback: (t: unknown) => void, delay = 0, repeat?: number) {
    const t = { due: nowMs() + delay, interval: repeat ?? 0, callback, cleared: false, repeat: repeat !== undefined };
    scope().timers.push(t);
    return t;
  },
  repeat(callback: (t: unknown) => void, interval: number) {
    return Timer.set(callback, interval, interval);
  },
  clear(t: { cleared: boolean } | undefined) {
    if (t) t.cleared = true;
  },
};

export const Time = {
  get ticks(): number {
    return nowMs();
  },
  delta(start: number, end?: number): number {
    return (end ?? nowMs()) - start;
  },
};

/** Runs the bench for `ms`: timers fire at their due times, in order. */
let fired = 0;

export function run(ms: number): void {
  const end = bench.micros + ms * 1000;
  for (;;) {
    const timers = scope().timers;
    let next: Scope["timers"][number] | undefined;
    for (const t of timers) if (!t.cleared && (!next || t.due < next.due)) next = t;
    if (!next || next.due * 1000 > end) break;
    if (next.due * 1000 > bench.micros) bench.micros = next.due * 1000;
    if (next.repeat) next.due += Math.max(1, next.interval);
    else next.cleared = true;
    next.callback(next);
    // A whole session sets thousands of one-shot timers: drop the spent ones now and then.
    if (timers.length > 256 && ++fired % 256 === 0) {
      const live = timers.filter((t) => !t.cleared);
      timers.length = 0;
      timers.push(...live);
    }
  }
  bench.micros = end;
}

export const config = new Proxy({} as Record<string, unknown>, {
  get: (_, key: string) => scope().config[key],
  ownKeys: () => Reflect.ownKeys(scope().config),
  getOwnPropertyDescriptor: (_, key: string) => ({ value: scope().config[key], enumerable: true, configurable: true }),
});

export const Preference = {
  get(domain: string, key: string) {
    return scope().preferences.get(`${domain}/${key}`);
  },
  set(domain: string, key: string, value: string | number | boolean) {
    scope().preferences.set(`${domain}/${key}`, value);
  },
  delete(domain: string, key: string) {
    scope().preferences.delete(`${domain}/${key}`);
  },
  keys(domain: string) {
    return [...scope().preferences.keys()].filter((k) => k.startsWith(`${domain}/`)).map((k) => k.slice(domain.length + 1));
  },
};

// hosts/native-tls/tls-native.js (esbuild maps "./tls-native" here): the engine is not run on
// these stand-ins (a TLS session on them uses node:tls through the board's BoardTls instead).
export function tlsBuild(): string | undefined {
  return scope().tlsBuild;
}

const notOnStandIns = (): never => {
  throw new Error("the native TLS engine does not run on the stand-ins");
};
export const { tlsConfig, tlsCredentials, tlsAnchor, tlsConfigFree, tlsOpen, tlsFeed, tlsOutput, tlsStep, tlsRead, tlsWrite, tlsSession, tlsError, tlsClose, tlsFree, tlsSuites, tlsVerify, tlsDigest, tlsStats } = Object.fromEntries(["tlsConfig", "tlsCredentials", "tlsAnchor", "tlsConfigFree", "tlsOpen", "tlsFeed", "tlsOutput", "tlsStep", "tlsRead", "tlsWrite", "tlsSession", "tlsError", "tlsClose", "tlsFree", "tlsSuites", "tlsVerify", "tlsDigest", "tlsStats"].map((n) => [n, notOnStandIns])) as Record<string, () => never>;
