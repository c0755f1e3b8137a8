// Pilot plateau sampling on ECMA-419: embedded:io/analog for the voltage, embedded:io/digital
// for the PWM phase, paced by Moddable's "timer" (ECMA-419 has no timer class). And, at the end,
// the vehicle inlet's proximity contact (PP) read the same way (Esp32ProximityInput).
//
// How the reads are aligned with the PWM phases. XS cannot start an ADC conversion from the
// PWM edge: a Digital onReadable runs on the main task tens to hundreds of microseconds after
// the edge, longer than the 50 µs high phase at 5 %. Instead, every `interval` ms, a burst of
// reads runs back to back, each `gate.read(); adc.read(); gate.read()`, where `gate` is a
// Digital input on the PWM's logic signal (charger: a GPIO looped back from the LEDC pin;
// vehicle: a comparator on the pilot). A read counts for the positive plateau only when the
// gate was 1 both before and after it, for the negative plateau when it was 0 both times;
// reads that straddle an edge are dropped. A plateau is the extreme of its accepted reads
// (the driver's slew after an edge cannot exaggerate it). Each burst spans at least one PWM
// period (1.1 ms; the read count comes from a ~20 ms calibration at construction timed with
// Date.now()), so a phase that never shows is really absent (a constant level: x1 or F).
// Bursts accumulate until each phase present has an accepted read (at most `maxBursts`),
// then one PilotSample is published. The combining logic is the portable PhaseSampler
// (modules/cp-pwm), tested on a modelled PWM in tests/cp-pwm/phase-sampler.test.ts.
//
// Limitations, honestly:
//  - The phase of each read is random with respect to the PWM: a read is accepted for the
//    high phase with probability ≈ (t_high − t_read) / 1 ms. With t_read ≈ 20–40 µs (XS call
//    overhead plus a one-shot conversion) nominal duties (10–90 %, ≥ 100 µs per phase) give a
//    sample per burst; at 5 % (50 µs high), and for the negative plateau above ≈ 95 %, a sample
//    may take several bursts, and after `maxBursts` nothing is published (the core keeps its
//    last state). Detection latency, hence the 100 ms C → B power-off, is not guaranteed at 5 %.
//  - If phase reads are further apart than 50 µs, a burst may miss the 5 % high phase entirely
//    and report a constant −12 V (state F). Give a `counter` (embedded:io/pulsecount, the
//    ESP32's PCNT, on the same logic signal): the sampler then knows the PWM oscillates and
//    waits for both plateaus instead. `readMicros` reports the calibrated spacing.
//  - Each burst blocks the main task ≈ 1.1 ms every `interval` ms (≈ 11 % at 10 ms).
//  - The duty reported is the share of gate-high reads: coarse (± several %), enough to tell
//    PWM from constant levels and 5 % from nominal duties, not to read a current from Table
//    A.8; a vehicle needs a capture peripheral (MCPWM capture) through a native module.
// A production charger should sample in hardware: the LEDC timer triggering the ADC's DMA
// controller (or an RC peak-hold on the positive plateau), exposed as a native module with
// this same PilotInput shape; the core does not change.

import Analog from "embedded:io/analog";
import Digital from "embedded:io/digital";
import PulseCount from "embedded:io/pulsecount";
import Timer from "timer";
// From the files themselves, not cp-pwm/index: a single-role image (hosts/esp32/charger, vehicle)
// must not get the other role's pilot through the barrel.
import { PhaseSampler } from "../../modules/cp-pwm/phase-sampler";
import type { PilotInput, PilotInputOptions, PilotSample, ProximityInput, ProximityInputOptions } from "../../modules/cp-pwm/io";

export interface Esp32PilotInputOptions extends PilotInputOptions {
  /** ADC pin (ADC1 on ESP32: ADC2 is unusable with Wi-Fi). */
  analog: number;
  /** Digital input on the PWM logic signal (1 = +12 V phase). */
  gate: number;
  /** ms between bursts (default 10). */
  interval?: number;
  /** ADC reads per burst (default: calibrated to span 1.1 ms, one PWM period and a bit). */
  reads?: number;
  /**
   * Optional hardware edge counter on the same PWM logic signal (embedded:io/pulsecount, the
   * ESP32's PCNT): tells whether the PWM oscillates, so a missed 50 µs high phase can never
   * read as a constant −12 V. `control` is the counter's direction pin (tie it to a level).
   */
  counter?: { signal: number; control: number };
  /** Bursts to combine before giving up on a phase (default 10). */
  maxBursts?: number;
  /**
   * The front end's transfer: volts = raw / full-scale × gain + offset. The default suits
   * a divider mapping −12..+12 V onto 0..Vref: gain 24, offset −12.
   */
  gain?: number;
  offset?: number;
}

type Closable = { close?(): void };

export class Esp32PilotInput implements PilotInput {
  readonly #adc: Analog;
  readonly #gate: Digital;
  readonly #timer: Timer;
  readonly #reads: number;
  readonly #readMicros: number;
  readonly #counter: PulseCount | undefined;
  #lastCount = 0;
  readonly #sampler: PhaseSampler;
  readonly #onReadable: ((count: number) => void) | undefined;
  readonly #sample: PilotSample = { high: Number.NaN, low: Number.NaN, duty: Number.NaN };
  #pending = false;
  #closed = false;

  constructor(options: Esp32PilotInputOptions) {
    this.#adc = new Analog({ pin: options.analog });
    this.#gate = new Digital({ pin: options.gate, mode: Digital.Input });
    this.#counter = options.counter && new PulseCount({ signal: options.counter.signal, control: options.counter.control });
    this.#readMicros = this.#calibrate();
    this.#reads = options.reads ?? Math.min(256, Math.ceil(1100 / this.#readMicros));
    this.#sampler = new PhaseSampler({
      maxBursts: options.maxBursts ?? 10,
      gain: (options.gain ?? 24) / (2 ** this.#adc.resolution - 1),
      offset: options.offset ?? -12,
    });
    this.#onReadable = options.onReadable;
    this.#timer = Timer.repeat(() => this.#burst(), options.interval ?? 10);
  }

  get format(): "object" {
    return "object";
  }

  set format(value: string) {
    if (value !== "object") throw new RangeError(`unsupported format ${value}`);
  }

  /** Measured duration of one phase/ADC/phase read, µs (phase reads are this far apart). */
  get readMicros(): number {
    return this.#readMicros;
  }

  /** The latest sample (the object is reused), or undefined when none is new. */
  read(): PilotSample | undefined {
    if (!this.#pending || this.#closed) return undefined;
    this.#pending = false;
    return this.#sample;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    Timer.clear(this.#timer);
    (this.#adc as unknown as Closable).close?.();
    if (this.#counter) (this.#counter as unknown as Closable).close?.();
    this.#gate.close();
  }

  // Times ~20 ms of reads once, at construction: µs per phase/ADC/phase triple.
  #calibrate(): number {
    const adc = this.#adc;
    const gate = this.#gate;
    let n = 0;
    const start = Date.now();
    let now = start;
    while (now - start < 20) {
      gate.read();
      adc.read();
      gate.read();
      n++;
      now = Date.now();
    }
    return ((now - start) * 1000) / n;
  }

  // Runs every `interval` ms: `reads` back-to-back phase/ADC/phase triples (no allocation).
  #burst(): void {
    if (this.#closed) return;
    const adc = this.#adc;
    const gate = this.#gate;
    const sampler = this.#sampler;
    for (let i = 0; i < this.#reads; i++) {
      const before = gate.read();
      const raw = adc.read();
      sampler.add(before, raw, gate.read());
    }
    let oscillating: boolean | undefined;
    if (this.#counter) {
      const count = this.#counter.read();
      oscillating = count !== this.#lastCount;
      this.#lastCount = count;
    }
    if (sampler.endBurst(this.#sample, oscillating)) {
      this.#pending = true;
      this.#onReadable?.(1);
    }
  }
}

// ---- The vehicle inlet's proximity contact (PP; IEC 61851-1 Annex B) on ECMA-419: the core's
// ProximityInput (modules/cp-pwm/io.ts) read every `interval` ms, paced by Moddable's "timer".
//
// Two front ends:
//  - analog (default): PP pulled up to the ADC's reference through `pullUp` ohms, the plug's
//    coding resistor Rc to PE. The ADC reads the divider, f = raw / full scale = Rc / (Rc + pullUp),
//    so Rc = pullUp × f / (1 − f); a reading within 2 % of full scale is an open contact (no
//    plug). With the default 1 kΩ pull-up the coded values land far apart (100 Ω → 0.09,
//    220 Ω → 0.18, 680 Ω → 0.40, 1.5 kΩ → 0.60, 2.2 kΩ → 0.69), so a 12-bit ADC and a few
//    percent of resistor and reference error still read the right current.
//  - digital (`digital: true`): a comparator or a plain GPIO that is 1 while a plug is in
//    (`activeLow` inverts it): NaN (present, coding not measured) or Infinity (open).
// A Type 1 (SAE J1772) inlet: wire the latch switch S3 so that "pressed" reads as open.
//
// Leave PP unconfigured (no `ppPin` setting) on a board without the circuit: a floating input
// would read as plugs coming and going. The vehicle then counts a long 0 V on the pilot as
// unplugged (modules/station UNPLUGGED_AFTER_E).

export interface Esp32ProximityInputOptions extends ProximityInputOptions {
  /** The PP pin: an ADC1 channel (analog), or any input GPIO with `digital`. */
  pin: number;
  /** A digital "plug present" input instead of measuring Rc. */
  digital?: boolean;
  /** Digital: present reads 0. */
  activeLow?: boolean;
  /** Analog: the pull-up from the ADC's reference to PP, ohms (default 1000). */
  pullUp?: number;
  /** ms between readings (default 20: a plug-out is confirmed in 3 readings, 60 ms). */
  interval?: number;
}

/** Rc from an ADC reading of the pull-up divider (Infinity: open). */
export function proximityOhmsOfReading(raw: number, fullScale: number, pullUp: number): number {
  const f = raw / fullScale;
  return f >= 0.98 ? Number.POSITIVE_INFINITY : (pullUp * f) / (1 - f);
}

export class Esp32ProximityInput implements ProximityInput {
  readonly #adc: Analog | undefined;
  readonly #gpio: Digital | undefined;
  readonly #present: number;
  readonly #pullUp: number;
  readonly #fullScale: number;
  readonly #timer: Timer;
  readonly #onReadable: ((count: number) => void) | undefined;
  #ohms = Number.POSITIVE_INFINITY;
  #pending = false;
  #closed = false;

  constructor(options: Esp32ProximityInputOptions) {
    if (options.digital) {
      this.#gpio = new Digital({ pin: options.pin, mode: Digital.Input });
      this.#fullScale = 1;
    } else {
      this.#adc = new Analog({ pin: options.pin });
      this.#fullScale = 2 ** this.#adc.resolution - 1;
    }
    this.#present = options.activeLow ? 0 : 1;
    this.#pullUp = options.pullUp ?? 1000;
    this.#onReadable = options.onReadable;
    this.#timer = Timer.repeat(() => this.#sample(), options.interval ?? 20);
  }

  /** The latest reading in ohms, or undefined when none is new. */
  read(): number | undefined {
    if (!this.#pending || this.#closed) return undefined;
    this.#pending = false;
    return this.#ohms;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    Timer.clear(this.#timer);
    if (this.#adc) (this.#adc as unknown as Closable).close?.();
    this.#gpio?.close();
  }

  #sample(): void {
    if (this.#closed) return;
    if (this.#gpio) this.#ohms = this.#gpio.read() === this.#present ? Number.NaN : Number.POSITIVE_INFINITY;
    else this.#ohms = proximityOhmsOfReading(this.#adc!.read(), this.#fullScale, this.#pullUp);
    this.#pending = true;
    this.#onReadable?.(1);
  }
}
