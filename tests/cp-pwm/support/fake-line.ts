// Test doubles for the pilot host classes: a charger-side line with nominal plateaus
// (IEC 61851-1 Table A.4) and a vehicle-side feed, both sampled on a ManualClock.
// Portable (no hosts/sim import) so the state-machine tests also run inside XS.

import type { ManualClock } from "../../../modules/common/index";
import { Millis } from "../../../modules/common/index";
import {
  PilotLevel,
  type PilotInput,
  type PilotInputClass,
  type PilotInputOptions,
  type PilotOutput,
  type PilotOutputClass,
  type PilotSample,
  type S2Switch,
  type S2SwitchClass,
} from "../../../modules/cp-pwm/index";

/** Nominal plateaus: positive by vehicle state; negative without the diode. */
const HIGH = { none: 12, B: 9, C: 6, D: 3 } as const;
const LOW_NO_DIODE = { none: -12, B: -8.8, C: -5.6, D: -2.6 } as const;

export type FakeVehicle = keyof typeof HIGH;

class Feed {
  readonly sample: PilotSample = { high: 0, low: 0, duty: Number.NaN };
  onReadable: ((count: number) => void) | undefined;
  pending = false;
  closed = false;
}

function inputClass(feeds: Feed[]): PilotInputClass {
  return class implements PilotInput {
    readonly #feed = new Feed();
    constructor(options: PilotInputOptions) {
      this.#feed.onReadable = options.onReadable;
      feeds.push(this.#feed);
    }
    read(): PilotSample | undefined {
      if (!this.#feed.pending || this.#feed.closed) return undefined;
      this.#feed.pending = false;
      return this.#feed.sample;
    }
    close(): void {
      this.#feed.closed = true;
    }
  };
}

/** The charger's view: set `vehicle`, `short`, `diode`; one sample every `period` ms. */
export class FakeChargerLine {
  vehicle: FakeVehicle = "B";
  short = false;
  diode = true;
  /** Replaces the next samples' positive plateau, one value per sample (glitches, noise). */
  readonly overrides: number[] = [];
  /** Every output write: [time, value]. */
  readonly writes: [number, number][] = [];
  canZero = true;
  outputClosed = false;
  readonly charger: { input: { io: PilotInputClass }; output: { io: PilotOutputClass } };
  readonly #feeds: Feed[] = [];
  readonly #clock: ManualClock;
  readonly #period: number;
  #level: number = PilotLevel.PlusTwelve;

  constructor(clock: ManualClock, options?: { period?: number; canZero?: boolean }) {
    this.#clock = clock;
    this.#period = options?.period ?? 5;
    this.canZero = options?.canZero ?? true;
    const line = this;
    const output = class implements PilotOutput {
      get canZero(): boolean {
        return line.canZero;
      }
      write(value: number): void {
        line.#level = value;
        line.writes.push([clock.now(), value]);
      }
      close(): void {
        line.outputClosed = true;
      }
    };
    this.charger = { input: { io: inputClass(this.#feeds) }, output: { io: output } };
    this.#schedule();
  }

  get level(): number {
    return this.#level;
  }

  #schedule(): void {
    this.#clock.set(() => {
      this.#schedule();
      this.#tick();
    }, Millis(this.#period));
  }

  #tick(): void {
    const level = this.#level;
    let high: number;
    let low: number;
    if (this.short || level === PilotLevel.Zero) {
      high = 0;
      low = level === PilotLevel.Zero ? Number.NaN : 0;
    } else {
      high = HIGH[this.vehicle];
      low = this.diode ? -12 : LOW_NO_DIODE[this.vehicle];
    }
    if (level !== PilotLevel.Zero) {
      if (level <= 0) high = Number.NaN;
      if (level >= 100) low = Number.NaN;
      if (level <= 0 && !this.short) low = this.diode ? -12 : LOW_NO_DIODE[this.vehicle];
    }
    const override = this.overrides.shift();
    if (override !== undefined) high = override;
    for (const feed of this.#feeds) {
      if (feed.closed) continue;
      feed.sample.high = high;
      feed.sample.low = low;
      feed.sample.duty = level;
      feed.pending = true;
      feed.onReadable?.(1);
    }
  }
}

/** The vehicle's view: the test sets the plateau and the measured duty directly. */
export class FakeVehicleLine {
  high = 9;
  low = -12;
  duty = 100;
  /** Replaces the next samples' duty readings, one per sample. */
  readonly dutyOverrides: number[] = [];
  /** Every S2 write: [time, value]. */
  readonly s2Writes: [number, number][] = [];
  s2 = false;
  readonly vehicle: { input: { io: PilotInputClass }; s2: { io: S2SwitchClass } };
  readonly #feeds: Feed[] = [];
  readonly #clock: ManualClock;

  constructor(clock: ManualClock, options?: { period?: number }) {
    this.#clock = clock;
    const line = this;
    const period = options?.period ?? 5;
    const s2 = class implements S2Switch {
      write(closed: 0 | 1): void {
        line.s2 = closed === 1;
        line.s2Writes.push([clock.now(), closed]);
      }
      close(): void {}
    };
    this.vehicle = { input: { io: inputClass(this.#feeds) }, s2: { io: s2 } };
    const tick = (): void => {
      this.#clock.set(tick, Millis(period));
      const duty = this.dutyOverrides.shift() ?? this.duty;
      for (const feed of this.#feeds) {
        if (feed.closed) continue;
        feed.sample.high = this.high;
        feed.sample.low = this.low;
        feed.sample.duty = duty;
        feed.pending = true;
        feed.onReadable?.(1);
      }
    };
    this.#clock.set(tick, Millis(period));
  }

  /** Plateaus for a state letter, following S2 like a real line (B while open, C closed). */
  follow(): void {
    this.high = this.s2 ? 6 : 9;
  }
}
