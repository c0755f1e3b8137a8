// Stand-ins for Moddable's embedded:io/* classes and "timer", for testing hosts/esp32 pilot
// adapters on Node (bundled with esbuild, the specifiers mapped here). A microsecond "bench"
// drives them: each gate read costs 2 µs and each ADC read 20 µs of bench time, Date.now()
// follows the bench, and the pilot line is a 1 kHz PWM with the plateaus the test sets.

export interface Bench {
  micros: number;
  /** Duty (percent) of the logic signal, or 100/0 for constant levels. */
  duty: number;
  /** Pilot plateaus, volts. */
  high: number;
  low: number;
  /** Every PWM/Digital/Analog/Timer made, in order. */
  made: { kind: string; options: Record<string, unknown>; instance: unknown }[];
  timers: { callback: () => void; interval: number; cleared: boolean }[];
  /** Output pins: pin → last value written (Digital outputs). */
  pins: Map<number, number>;
  /** PWM writes: [pin, value]. */
  pwmWrites: [number, number][];
  pulses: number;
  closed: string[];
}

export const bench: Bench = {
  micros: 0,
  duty: 100,
  high: 12,
  low: -12,
  made: [],
  timers: [],
  pins: new Map(),
  pwmWrites: [],
  pulses: 0,
  closed: [],
};

export function resetBench(): void {
  bench.micros = 0;
  bench.duty = 100;
  bench.high = 12;
  bench.low = -12;
  bench.made.length = 0;
  bench.timers.length = 0;
  bench.pins.clear();
  bench.pwmWrites.length = 0;
  bench.pulses = 0;
  bench.closed.length = 0;
}

function phase(): 0 | 1 {
  const p = bench.micros % 1000;
  return p < bench.duty * 10 ? 1 : 0;
}

export class PWM {
  readonly resolution = 10;
  readonly hz: number;
  readonly #pin: number;
  constructor(options: { pin: number; hz?: number }) {
    this.#pin = options.pin;
    this.hz = options.hz ?? 0;
    bench.made.push({ kind: "PWM", options, instance: this });
  }
  write(value: number): void {
    bench.pwmWrites.push([this.#pin, value]);
  }
  close(): void {
    bench.closed.push(`PWM ${this.#pin}`);
  }
}

export class Digital {
  static readonly Input = "input";
  static readonly Output = "output";
  static readonly Rising = 1;
  static readonly Falling = 2;
  readonly #pin: number;
  readonly #mode: unknown;
  constructor(options: { pin: number; mode: unknown }) {
    this.#pin = options.pin;
    this.#mode = options.mode;
    bench.made.push({ kind: "Digital", options, instance: this });
  }
  read(): 0 | 1 {
    bench.micros += 2;
    return this.#mode === Digital.Input ? phase() : ((bench.pins.get(this.#pin) ?? 0) as 0 | 1);
  }
  write(value: 0 | 1): void {
    bench.pins.set(this.#pin, value);
  }
  close(): void {
    bench.closed.push(`Digital ${this.#pin}`);
  }
}

export class Analog {
  readonly resolution = 12;
  constructor(options: { pin: number }) {
    bench.made.push({ kind: "Analog", options, instance: this });
  }
  read(): number {
    bench.micros += 10;
    const v = phase() ? bench.high : bench.low; // the sampling instant, mid-conversion
    bench.micros += 10;
    return Math.round(((v + 12) / 24) * 4095);
  }
  close(): void {
    bench.closed.push("Analog");
  }
}

export class PulseCount {
  constructor(options: { signal: number; control: number }) {
    bench.made.push({ kind: "PulseCount", options, instance: this });
  }
  read(): number {
    return bench.pulses;
  }
  write(): void {}
  close(): void {}
}

export const Timer = {
  repeat(callback: () => void, interval: number) {
    const t = { callback, interval, cleared: false };
    bench.timers.push(t);
    return t;
  },
  set(callback: () => void, interval = 0) {
    return Timer.repeat(callback, interval);
  },
  clear(t: { cleared: boolean } | undefined) {
    if (t) t.cleared = true;
  },
};

/** Date.now() on bench time (the adapters' calibration reads it). */
export function benchNow(): number {
  return Math.floor(bench.micros / 1000);
}
