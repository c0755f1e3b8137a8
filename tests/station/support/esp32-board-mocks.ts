// Stand-ins for what main.ts imports from the Moddable SDK on an ESP32 — embedded:io/* (the
// pilot's PWM/Digital/Analog from the cp-pwm stand-ins, plus SPI for the QCA7000), "timer" and
// "time" on the stand-ins' microsecond bench, "mc/config" and "preference" — so main.ts runs on
// Node, bundled by esbuild with the specifiers mapped here (tests/station/esp32-main.test.ts).

import { bench, Digital as PilotDigital } from "../../cp-pwm/support/embedded-mocks";
export { bench, resetBench, PWM, Analog, PulseCount } from "../../cp-pwm/support/embedded-mocks";
export { Update, flashStorage, otaBoot, updateCrypto } from "./esp32-ota-mocks";

interface Scope {
  config: Record<string, unknown>;
  preferences: Map<string, string | number | boolean>;
  spi: { options: Record<string, unknown>; transfers: number }[];
  native: NativeRecord[];
  interrupts: { pin: number; edge: unknown }[];
  timers: { due: number; interval: number; callback: (t: unknown) => void; cleared: boolean; repeat: boolean }[];
}

/** What the test set up before main.ts ran, and what main.ts built (globalThis: one bundle, many runs). */
export function scope(): Scope {
  const g = globalThis as unknown as { __xs15118Board?: Scope };
  if (!g.__xs15118Board) g.__xs15118Board = { config: {}, preferences: new Map(), spi: [], native: [], interrupts: [], timers: [] };
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

/** The native QCA7000 driver (hosts/esp32/qca7000/qca7000-native.js): its calls are recorded. */
export class Qca7000Native {
  readonly #record: NativeRecord;
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
  }
  read(): ArrayBuffer | undefined {
    return this.#record.inbox.shift();
  }
  write(buffer: Uint8Array): void {
    this.#record.written.push(buffer.slice());
  }
  setLinkUp(up: boolean): void {
    this.#record.linkUp.push(up);
  }
  get state(): string {
    return this.#record.closed ? "closed" : "ready";
  }
  close(): void {
    this.#record.closed = true;
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
