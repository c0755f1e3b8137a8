// Pilot plateau sampling on ECMA-419: embedded:io/analog for the voltage, embedded:io/digital
// for the PWM phase, paced by Moddable's "timer" (ECMA-419 has no timer class).
//
// How the reads are aligned with the PWM phases. XS cannot start an ADC conversion from the PWM
// edge: a Digital onReadable runs on the main task tens to hundreds of microseconds after the
// edge, longer than the 50 µs high phase at 5 %. Instead every `interval` ms a burst of `reads`
// iterations runs back to back, each `gate.read(); adc.read(); gate.read()`, where `gate` is a
// Digital input on the PWM's logic signal (on the charger: a GPIO looped back from the LEDC
// pin; on a vehicle: a comparator on the pilot). An ADC read counts for the positive plateau
// only when the gate was 1 both before and after it, for the negative plateau when it was 0
// both times; reads that straddle an edge are dropped. The plateau value is the extreme of
// the accepted reads (the maximum of the high phase, the minimum of the low phase), which the
// stage's slew after an edge cannot exaggerate. Bursts accumulate until each phase the gate
// showed has an accepted read (at most `maxBursts`), then one PilotSample is published.
//
// Limitations, honestly: the phase of each read is random with respect to the PWM, so the
// probability that a read lands fully inside the high phase is about (t_high − t_read)/1 ms.
// With t_read ≈ 20–40 µs (XS call overhead plus a one-shot conversion) that is fine for
// nominal duties (≥ 10 %: 100 µs+), but at 5 % (50 µs) most bursts see no accepted high read
// and a sample may take several bursts (`maxBursts` × `interval`); past that nothing is
// published and the core keeps its last state, so detection latency (and the 100 ms C → B
// power-off) is not guaranteed at 5 % with this adapter. A production charger should sample
// in hardware: the LEDC timer triggering the ADC's DMA controller (or an RC peak-hold on the
// positive plateau), exposed to JavaScript as a native module with this same PilotInput shape.
// The duty reported is the fraction of gate-high reads: a coarse estimate (± several %)
// useful to tell PWM from constant levels; a vehicle that reads the current from the duty
// needs a capture peripheral (MCPWM capture or PCNT) in a native module.

import Analog from "embedded:io/analog";
import Digital from "embedded:io/digital";
import Timer from "timer";
import type { PilotInput, PilotInputOptions, PilotSample } from "../../modules/cp-pwm/index";

export interface Esp32PilotInputOptions extends PilotInputOptions {
  /** ADC pin (ADC1 on ESP32: ADC2 is unusable with Wi-Fi). */
  analog: number;
  /** Digital input on the PWM logic signal (1 = +12 V phase). */
  gate: number;
  /** ms between bursts (default 5). */
  interval?: number;
  /** ADC reads per burst (default 16). */
  reads?: number;
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
  readonly #maxBursts: number;
  readonly #scale: number;
  readonly #offset: number;
  readonly #onReadable: ((count: number) => void) | undefined;
  readonly #sample: PilotSample = { high: Number.NaN, low: Number.NaN, duty: Number.NaN };
  #pending = false;
  #closed = false;
  // Accumulators across bursts (numbers only: nothing is allocated per read).
  #high = -Infinity;
  #low = Infinity;
  #sawHigh = false;
  #sawLow = false;
  #gateHigh = 0;
  #gateTotal = 0;
  #bursts = 0;

  constructor(options: Esp32PilotInputOptions) {
    this.#adc = new Analog({ pin: options.analog });
    this.#gate = new Digital({ pin: options.gate, mode: Digital.Input });
    this.#reads = options.reads ?? 16;
    this.#maxBursts = options.maxBursts ?? 10;
    this.#scale = (options.gain ?? 24) / (2 ** this.#adc.resolution - 1);
    this.#offset = options.offset ?? -12;
    this.#onReadable = options.onReadable;
    this.#timer = Timer.repeat(() => this.#burst(), options.interval ?? 5);
  }

  get format(): "object" {
    return "object";
  }

  set format(value: string) {
    if (value !== "object") throw new RangeError(`unsupported format ${value}`);
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
    this.#gate.close();
  }

  #burst(): void {
    if (this.#closed) return;
    const adc = this.#adc;
    const gate = this.#gate;
    let high = this.#high;
    let low = this.#low;
    for (let i = 0; i < this.#reads; i++) {
      const before = gate.read();
      const raw = adc.read();
      const after = gate.read();
      this.#gateTotal++;
      if (before !== after) continue; // straddled an edge
      if (before === 1) {
        this.#gateHigh++;
        this.#sawHigh = true;
        if (raw > high) high = raw;
      } else {
        this.#sawLow = true;
        if (raw < low) low = raw;
      }
    }
    this.#high = high;
    this.#low = low;
    this.#bursts++;
    // Complete when every phase the gate showed has a reading (a constant level has one).
    const gotHigh = high !== -Infinity;
    const gotLow = low !== Infinity;
    const complete = (gotHigh || !this.#sawHigh) && (gotLow || !this.#sawLow) && (gotHigh || gotLow);
    if (!complete && this.#bursts < this.#maxBursts) return;
    if (complete) {
      const s = this.#sample;
      s.high = gotHigh ? high * this.#scale + this.#offset : Number.NaN;
      s.low = gotLow ? low * this.#scale + this.#offset : Number.NaN;
      s.duty = this.#gateTotal > 0 ? (this.#gateHigh / this.#gateTotal) * 100 : Number.NaN;
      this.#pending = true;
    }
    this.#high = -Infinity;
    this.#low = Infinity;
    this.#sawHigh = this.#sawLow = false;
    this.#gateHigh = this.#gateTotal = this.#bursts = 0;
    if (complete) this.#onReadable?.(1);
  }
}
