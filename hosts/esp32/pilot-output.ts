// The charger's pilot generator on ECMA-419: 1 kHz PWM (embedded:io/pwm, the LEDC on ESP32)
// driving a ±12 V stage (IEC 61851-1 Figure A.1: logic 1 → +12 V, 0 → −12 V behind R1 = 1 kΩ).
//
// Constant levels (+12 V for x1 states, −12 V for state F) are driven as a Digital output
// rather than as 100 %/0 % PWM: an n-bit PWM tops out at (2^n − 1)/2^n, which is not a
// constant level, and a vehicle would see a short pulse every millisecond. 0 V (state E)
// needs an `enable` pin that switches the ±12 V stage off (or a relay to PE).

import PWM from "embedded:io/pwm";
import Digital from "embedded:io/digital";
import { CpPwmError } from "../../modules/cp-pwm/errors";
import { PilotLevel, type PilotOutput, type PilotOutputOptions } from "../../modules/cp-pwm/io";

export interface Esp32PilotOutputOptions extends PilotOutputOptions {
  /** The GPIO that drives the ±12 V stage. */
  pin: number;
  /** Optional GPIO that enables the ±12 V stage (1 = on); required for 0 V (state E). */
  enable?: number;
  /** PWM frequency (IEC 61851-1: 1 kHz ± 0.5 %). */
  hz?: number;
  /** The stage inverts (logic 1 → −12 V). */
  invert?: boolean;
}

type Closable = { close?(): void };

export class Esp32PilotOutput implements PilotOutput {
  readonly canZero: boolean;
  readonly #pin: number;
  readonly #hz: number;
  readonly #invert: boolean;
  readonly #enable: Digital | undefined;
  #pwm: PWM | undefined;
  #digital: Digital | undefined;
  #closed = false;

  constructor(options: Esp32PilotOutputOptions) {
    this.#pin = options.pin;
    this.#hz = options.hz ?? 1000;
    this.#invert = options.invert ?? false;
    this.#enable = options.enable === undefined ? undefined : new Digital({ pin: options.enable, mode: Digital.Output });
    this.canZero = this.#enable !== undefined;
    this.write(PilotLevel.PlusTwelve);
  }

  get format(): "number" {
    return "number";
  }

  set format(value: string) {
    if (value !== "number") throw new RangeError(`unsupported format ${value}`);
  }

  /** A duty in percent (0 < d < 100), or a PilotLevel. The duty is floored to the PWM's resolution. */
  write(value: number): void {
    if (this.#closed) throw new CpPwmError("closed", "pilot output closed");
    if (value === PilotLevel.Zero) {
      if (!this.#enable) throw new CpPwmError("no-zero-output", "no enable pin");
      this.#enable.write(0);
      return;
    }
    if (!(value >= 0 && value <= 100)) throw new CpPwmError("duty-out-of-range", `${value}`);
    this.#enable?.write(1);
    if (value === PilotLevel.PlusTwelve || value === PilotLevel.MinusTwelve) {
      this.#closePwm();
      if (!this.#digital) this.#digital = new Digital({ pin: this.#pin, mode: Digital.Output });
      this.#digital.write(((value === PilotLevel.PlusTwelve) !== this.#invert ? 1 : 0) as 0 | 1);
      return;
    }
    if (this.#digital) {
      close(this.#digital);
      this.#digital = undefined;
    }
    if (!this.#pwm) this.#pwm = new PWM({ pin: this.#pin, hz: this.#hz });
    const full = 2 ** this.#pwm.resolution;
    // Floor the +12 V time: the vehicle must never read more current than allowed (Table A.7).
    const high = Math.floor((value / 100) * full);
    this.#pwm.write(Math.min(full - 1, this.#invert ? full - high : high));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closePwm();
    if (this.#digital) close(this.#digital);
    if (this.#enable) {
      this.#enable.write(0);
      close(this.#enable);
    }
  }

  #closePwm(): void {
    if (this.#pwm) {
      close(this.#pwm);
      this.#pwm = undefined;
    }
  }
}

// Moddable's PWM and Analog have close(); the @moddable/typings declarations omit it.
function close(io: object): void {
  (io as Closable).close?.();
}
