// A simulated control-pilot line: the charger's ±12 V generator behind 1 kΩ, the cable, and
// the vehicle's diode and resistors (IEC 61851-1 Figure A.1), with noise and faults; and the
// plug's proximity contact as the vehicle's inlet reads it (PP: the cable's coding resistor while
// plugged, open after an unplug; IEC 61851-1 Annex B).
//
// Both sides attach through the host classes of modules/cp-pwm/io.ts, so ChargerPilot and
// VehiclePilot run unchanged on it: `new ChargerPilot({ clock, ...sim.charger })`,
// `new VehiclePilot({ ...sim.vehicle })`. One clock drives everything; the line is sampled
// every `period` ms while any input is open (each input receives one sample per period).

import type { Clock, Millis, TimerHandle } from "../../modules/common/index";
import { Millis as ms } from "../../modules/common/index";
import {
  CpPwmError,
  PilotLevel,
  type PilotInput,
  type PilotInputClass,
  type PilotInputOptions,
  type PilotOutput,
  type PilotOutputClass,
  type PilotOutputOptions,
  type PilotSample,
  type ProximityInput,
  type ProximityInputClass,
  type ProximityInputOptions,
  type S2Switch,
  type S2SwitchClass,
  type S2SwitchOptions,
} from "../../modules/cp-pwm/index";

/** Component values of IEC 61851-1 Figure A.1 / Table A.2 (ohms, volts). */
export const PILOT_NETWORK = Object.freeze({
  /** R1: the charger's source resistor. */
  source: 1000,
  /** R2: always across the vehicle inlet (state B). */
  r2: 2740,
  /** R3 for state C: 1.3 kΩ, so R2 ∥ R3 = 882 Ω. */
  r3C: 1300,
  /** R3 for state D (ventilation): 270 Ω, so R2 ∥ R3 = 246 Ω. */
  r3D: 270,
  /** Forward drop of the vehicle's diode. */
  diode: 0.7,
  /** Generator amplitude. */
  supply: 12,
});

/** Faults the simulation can inject. */
export type PilotFault =
  /** CP shorted to PE: 0 V on both plateaus (state E). */
  | "short-circuit"
  /** The vehicle's diode is shorted/missing: the negative plateau rises toward 0 V. */
  | "diode-missing";

export interface PilotSimOptions {
  clock: Clock;
  /** Sampling period of every input (default 5 ms). */
  period?: Millis;
  /** Peak noise added to every plateau reading, volts (default 0). */
  noise?: number;
  /** Probability that a reading of the positive plateau lands on a PWM edge (default 0). */
  glitch?: number;
  /** Peak error of the vehicle's duty measurement, percentage points (default 0). */
  dutyJitter?: number;
  /** PRNG seed: runs are reproducible (default 1). */
  seed?: number;
  /** Whether a vehicle is plugged in at start (default true). */
  plugged?: boolean;
  /** Whether the vehicle's S2 resistor is the 270 Ω of state D (default false: 1.3 kΩ, C). */
  ventilation?: boolean;
  /** Whether the generator can drive 0 V (state E); default true. */
  canZero?: boolean;
  /**
   * The plug's coding resistor Rc between PP and PE, ohms (IEC 61851-1 Annex B): 1500 (13 A),
   * 680 (20 A), 220 (32 A, default), 100 (63 A).
   */
  cableOhms?: number;
}

interface SimInput {
  readonly sample: PilotSample;
  side: "charger" | "vehicle" | "proximity";
  pending: boolean;
  deliver(): void;
}

export class PilotSim {
  /** Spread into ChargerPilot options: `{ input: { io }, output: { io } }`. */
  readonly charger: { input: { io: PilotInputClass }; output: { io: PilotOutputClass } };
  /** Spread into VehiclePilot options: `{ input: { io }, s2: { io }, proximity: { io } }`. */
  readonly vehicle: { input: { io: PilotInputClass }; s2: { io: S2SwitchClass }; proximity: { io: ProximityInputClass } };

  readonly #clock: Clock;
  readonly #period: Millis;
  readonly #noise: number;
  readonly #glitch: number;
  readonly #dutyJitter: number;
  readonly #canZero: boolean;
  readonly #inputs: SimInput[] = [];
  #seed: number;
  #timer: TimerHandle | undefined;
  #level: number = PilotLevel.PlusTwelve;
  #plugged: boolean;
  #ventilation: boolean;
  #s2 = false;
  #forcedS2: boolean | undefined;
  #fault: PilotFault | undefined;
  #cableOhms: number;
  // The line's nominal state, recomputed only when something changes (not per sample).
  #high = 0;
  #low = 0;
  #vehicleHigh = 0;
  #vehicleLow = 0;

  constructor(options: PilotSimOptions) {
    this.#clock = options.clock;
    this.#period = options.period ?? ms(5);
    this.#noise = options.noise ?? 0;
    this.#glitch = options.glitch ?? 0;
    this.#dutyJitter = options.dutyJitter ?? 0;
    this.#seed = (options.seed ?? 1) >>> 0 || 1;
    this.#plugged = options.plugged ?? true;
    this.#ventilation = options.ventilation ?? false;
    this.#canZero = options.canZero ?? true;
    this.#cableOhms = options.cableOhms ?? 220;
    this.#recompute();
    const sim = this;

    // One sampled input on the line: the pilot's (charger, vehicle) or the vehicle's PP contact.
    class SimLineInput {
      readonly #entry: SimInput;
      readonly #onReadable: ((count: number) => void) | undefined;
      #closed = false;
      constructor(side: SimInput["side"], opts: PilotInputOptions) {
        this.#onReadable = opts.onReadable;
        this.#entry = {
          sample: { high: 0, low: 0, duty: Number.NaN },
          side,
          pending: false,
          deliver: () => {
            if (!this.#closed) this.#onReadable?.(1);
          },
        };
        sim.#attach(this.#entry);
      }
      /** The sample, once per delivery. */
      protected take(): PilotSample | undefined {
        if (this.#closed || !this.#entry.pending) return undefined;
        this.#entry.pending = false;
        return this.#entry.sample;
      }
      close(): void {
        if (this.#closed) return;
        this.#closed = true;
        sim.#detach(this.#entry);
      }
    }

    class ChargerInput extends SimLineInput implements PilotInput {
      constructor(opts: PilotInputOptions) {
        super("charger", opts);
      }
      read(): PilotSample | undefined {
        return this.take();
      }
    }

    class VehicleInput extends SimLineInput implements PilotInput {
      constructor(opts: PilotInputOptions) {
        super("vehicle", opts);
      }
      read(): PilotSample | undefined {
        return this.take();
      }
    }

    // The inlet's PP contact, sampled with the pilot: `sample.high` carries the ohms.
    class SimProximityInput extends SimLineInput implements ProximityInput {
      constructor(opts: ProximityInputOptions) {
        super("proximity", opts);
      }
      read(): number | undefined {
        return this.take()?.high;
      }
    }

    class SimPilotOutput implements PilotOutput {
      #closed = false;
      readonly canZero = sim.#canZero;
      constructor(_opts: PilotOutputOptions) {}
      write(value: number): void {
        if (this.#closed) throw new CpPwmError("closed", "pilot output closed");
        if (value === PilotLevel.Zero && !this.canZero) throw new CpPwmError("no-zero-output");
        if (!(value === PilotLevel.Zero || (value >= 0 && value <= 100))) {
          throw new CpPwmError("duty-out-of-range", `${value}`);
        }
        sim.#level = value;
        sim.#recompute();
      }
      close(): void {
        this.#closed = true;
      }
    }

    class SimS2Switch implements S2Switch {
      #closed = false;
      constructor(_opts: S2SwitchOptions) {}
      write(closed: 0 | 1): void {
        if (this.#closed) throw new CpPwmError("closed", "S2 closed");
        sim.#s2 = closed === 1;
        sim.#recompute();
      }
      close(): void {
        this.#closed = true;
      }
    }

    this.charger = Object.freeze({ input: Object.freeze({ io: ChargerInput }), output: Object.freeze({ io: SimPilotOutput }) });
    this.vehicle = Object.freeze({ input: Object.freeze({ io: VehicleInput }), s2: Object.freeze({ io: SimS2Switch }), proximity: Object.freeze({ io: SimProximityInput }) });
  }

  /** What the generator drives: a duty in percent or a PilotLevel. */
  get output(): number {
    return this.#level;
  }

  get plugged(): boolean {
    return this.#plugged;
  }

  /** Whether S2 is closed (by the vehicle's switch, or forced by forceS2). */
  get s2(): boolean {
    return this.#forcedS2 ?? this.#s2;
  }

  get fault(): PilotFault | undefined {
    return this.#fault;
  }

  /** The nominal plateaus the charger sees now (no noise): NaN for a missing phase. */
  get plateaus(): { high: number; low: number } {
    return { high: this.#high, low: this.#low };
  }

  /** Plug in (with another cable: `cableOhms`, its PP coding resistor). */
  plug(options?: { ventilation?: boolean; cableOhms?: number }): void {
    this.#plugged = true;
    if (options?.ventilation !== undefined) this.#ventilation = options.ventilation;
    if (options?.cableOhms !== undefined) this.#cableOhms = options.cableOhms;
    this.#recompute();
  }

  /** Pull the plug, also under load (S2 closed): the charger sees A at once, the vehicle 0 V and its PP open. */
  unplug(): void {
    this.#plugged = false;
    this.#recompute();
  }

  /** Inject a fault (undefined clears it). */
  setFault(fault: PilotFault | undefined): void {
    this.#fault = fault;
    this.#recompute();
  }

  /**
   * Override the vehicle's S2 (a vehicle that does not react, or a test without a
   * VehiclePilot); undefined gives it back to the vehicle's switch.
   */
  forceS2(closed: boolean | undefined): void {
    this.#forcedS2 = closed;
    this.#recompute();
  }

  /** Stop sampling (inputs stay open but silent). */
  close(): void {
    this.#clock.clear(this.#timer);
    this.#timer = undefined;
    this.#inputs.length = 0;
  }

  #attach(entry: SimInput): void {
    this.#inputs.push(entry);
    if (this.#timer === undefined) this.#schedule();
  }

  #detach(entry: SimInput): void {
    const i = this.#inputs.indexOf(entry);
    if (i >= 0) this.#inputs.splice(i, 1);
    if (this.#inputs.length === 0) {
      this.#clock.clear(this.#timer);
      this.#timer = undefined;
    }
  }

  #schedule(): void {
    this.#timer = this.#clock.set(() => this.#tick(), this.#period);
  }

  #tick(): void {
    this.#schedule();
    const inputs = this.#inputs;
    for (let i = 0; i < inputs.length; i++) this.#fill(inputs[i]);
    // Deliver after filling, in attach order; a callback may close inputs (copy-free loop).
    for (let i = 0; i < inputs.length; i++) {
      const entry = inputs[i];
      entry.deliver();
      if (inputs[i] !== entry) i--;
    }
  }

  #fill(entry: SimInput): void {
    const s = entry.sample;
    if (entry.side === "proximity") {
      s.high = this.#plugged ? this.#cableOhms : Number.POSITIVE_INFINITY;
      entry.pending = true;
      return;
    }
    const charger = entry.side === "charger";
    let high = charger ? this.#high : this.#vehicleHigh;
    let low = charger ? this.#low : this.#vehicleLow;
    const n = this.#noise;
    if (n > 0) {
      if (high === high) high += n * this.#triangular();
      if (low === low) low += n * this.#triangular();
    }
    if (this.#glitch > 0 && high === high && low === low && this.#random() < this.#glitch) {
      // Sampled on an edge: anywhere between the two plateaus.
      high = low + (high - low) * this.#random();
    }
    s.high = high;
    s.low = low;
    const level = this.#level;
    if (charger) s.duty = level === PilotLevel.Zero ? 0 : level;
    else {
      const seen = this.#plugged && level > 0 && level < 100 && this.#fault !== "short-circuit";
      let duty = seen ? level : level >= 100 && this.#plugged && this.#fault !== "short-circuit" ? 100 : 0;
      if (seen && this.#dutyJitter > 0) duty += this.#dutyJitter * this.#triangular();
      s.duty = duty;
    }
    entry.pending = true;
  }

  // The electrical model: plateau voltages at the charger's measuring point.
  #recompute(): void {
    const net = PILOT_NETWORK;
    const level = this.#level;
    const hasHigh = level > 0 && level !== PilotLevel.Zero;
    const hasLow = level < 100 && level !== PilotLevel.Zero;
    let high: number;
    let low: number;
    if (level === PilotLevel.Zero || this.#fault === "short-circuit") {
      high = 0;
      low = 0;
    } else if (!this.#plugged) {
      high = net.supply;
      low = -net.supply;
    } else {
      const s2 = this.#forcedS2 ?? this.#s2;
      const r3 = this.#ventilation ? net.r3D : net.r3C;
      const rv = s2 ? (net.r2 * r3) / (net.r2 + r3) : net.r2;
      const diodeOk = this.#fault !== "diode-missing";
      const vd = diodeOk ? net.diode : 0;
      // Positive: 12 V through R1, the diode and Rv to PE.
      high = net.supply - ((net.supply - vd) / (net.source + rv)) * net.source;
      // Negative: the diode blocks (no current, −12 V) unless it is missing.
      low = diodeOk ? -net.supply : (-net.supply * rv) / (rv + net.source);
    }
    // A constant level has one plateau only: +12 V (100 %), −12 V (0 %), 0 V (Zero).
    this.#high = hasHigh || level === PilotLevel.Zero ? high : Number.NaN;
    this.#low = hasLow ? low : Number.NaN;
    // The vehicle's side: nothing when unplugged; otherwise the same line.
    this.#vehicleHigh = this.#plugged ? this.#high : 0;
    this.#vehicleLow = this.#plugged ? this.#low : Number.NaN;
  }

  /** xorshift32: deterministic, allocation-free. Uniform in [0, 1). */
  #random(): number {
    let x = this.#seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#seed = x >>> 0;
    return this.#seed / 4294967296;
  }

  /** Triangular in (−1, 1): noise that is mostly small. */
  #triangular(): number {
    return this.#random() + this.#random() - 1;
  }
}
