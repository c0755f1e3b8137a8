// The vehicle's S2 switch (IEC 61851-1 Figure A.1) on an ECMA-419 Digital output.

import Digital from "embedded:io/digital";
import { CpPwmError } from "../../modules/cp-pwm/errors";
import type { S2Switch, S2SwitchOptions } from "../../modules/cp-pwm/io";

export interface Esp32S2SwitchOptions extends S2SwitchOptions {
  /** The GPIO driving S2's transistor or relay (1 = closed, unless `activeLow`). */
  pin: number;
  activeLow?: boolean;
}

export class Esp32S2Switch implements S2Switch {
  readonly #out: Digital;
  readonly #activeLow: boolean;
  #closed = false;

  constructor(options: Esp32S2SwitchOptions) {
    this.#activeLow = options.activeLow ?? false;
    this.#out = new Digital({ pin: options.pin, mode: Digital.Output });
    this.write(0);
  }

  write(closed: 0 | 1): void {
    if (this.#closed) throw new CpPwmError("closed", "S2 closed");
    this.#out.write((this.#activeLow ? 1 - closed : closed) as 0 | 1);
  }

  close(): void {
    if (this.#closed) return;
    this.write(0);
    this.#closed = true;
    this.#out.close();
  }
}
