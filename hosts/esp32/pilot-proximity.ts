// The vehicle inlet's proximity contact (PP; IEC 61851-1 Annex B) on ECMA-419: the core's
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
// Leave PP unconfigured (no `ppAdc` setting) on a board without the circuit: a floating input
// would read as plugs coming and going. The vehicle then counts a long 0 V on the pilot as
// unplugged (modules/station UNPLUGGED_AFTER_E).

import Analog from "embedded:io/analog";
import Digital from "embedded:io/digital";
import Timer from "timer";
import type { ProximityInput, ProximityInputOptions } from "../../modules/cp-pwm/index";

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

type Closable = { close?(): void };

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
