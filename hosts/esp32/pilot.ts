// Wiring of the control pilot on an ESP32 board: the cp-pwm state machines on the ECMA-419
// adapters of this folder. main.ts (or the session layer) calls one of these with its pins.

import type { Clock } from "../../modules/common/index";
import {
  ChargerPilot,
  VehiclePilot,
  type ChargerPilotOptions,
  type VehiclePilotOptions,
} from "../../modules/cp-pwm/index";
import { Esp32PilotInput, Esp32ProximityInput, type Esp32PilotInputOptions, type Esp32ProximityInputOptions } from "./pilot-input";
import { Esp32PilotOutput, type Esp32PilotOutputOptions } from "./pilot-output";
import { Esp32S2Switch, type Esp32S2SwitchOptions } from "./pilot-s2";

type Pins<T> = Omit<T, "onReadable" | "onWritable" | "onError">;

export interface Esp32ChargerPilotOptions extends Omit<ChargerPilotOptions, "input" | "output"> {
  clock: Clock;
  /** e.g. `{ analog: 34, gate: 35 }` (gate: a GPIO looped back from the PWM pin). */
  input: Pins<Esp32PilotInputOptions>;
  /** e.g. `{ pin: 25, enable: 26 }`. */
  output: Pins<Esp32PilotOutputOptions>;
}

export function createEsp32ChargerPilot(options: Esp32ChargerPilotOptions): ChargerPilot {
  return new ChargerPilot({
    ...options,
    input: { io: Esp32PilotInput, ...options.input },
    output: { io: Esp32PilotOutput, ...options.output },
  });
}

export interface Esp32VehiclePilotOptions extends Omit<VehiclePilotOptions, "input" | "s2" | "proximity"> {
  /** e.g. `{ analog: 34, gate: 35 }` (gate: a comparator on the pilot). */
  input: Pins<Esp32PilotInputOptions>;
  /** e.g. `{ pin: 27 }`. */
  s2: Pins<Esp32S2SwitchOptions>;
  /** The inlet's PP contact, e.g. `{ pin: 36 }` (ADC, 1 kΩ pull-up); absent: none wired. */
  proximity?: Pins<Esp32ProximityInputOptions>;
}

export function createEsp32VehiclePilot(options: Esp32VehiclePilotOptions): VehiclePilot {
  const { proximity, ...rest } = options;
  return new VehiclePilot({
    ...rest,
    input: { io: Esp32PilotInput, ...options.input },
    s2: { io: Esp32S2Switch, ...options.s2 },
    ...(proximity ? { proximity: { io: Esp32ProximityInput, ...proximity } } : {}),
  });
}
