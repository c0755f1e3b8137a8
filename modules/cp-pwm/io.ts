// Host interfaces of the control pilot, shaped like ECMA-419 classes (see ../common/io.ts).
//
// The classes a host provides, each built by the core from `{ io: Class, ...options }`:
//  - PilotOutput (charger): the ±12 V 1 kHz generator: a duty cycle, constant +12 V, −12 V;
//  - PilotInput (both sides): plateau samples of the pilot voltage;
//  - S2Switch (vehicle): the switch that adds the C (1.3 kΩ) or D (270 Ω) resistor;
//  - ProximityInput (vehicle, optional): the inlet's PP contact — plug in or out, and the
//    cable's coded current.

import type { Io, IoCallbacks } from "../common/index";

/**
 * One measurement of the pilot (IEC 61851-1 Annex A): the voltage of the positive plateau
 * (the PWM high phase), of the negative plateau (low phase), and the duty cycle.
 * `high` is NaN when there is no high phase (constant −12 V, 0 % duty); `low` is NaN when
 * there is no low phase (constant +12 V, 100 %) or it was not measured. `duty` is the duty
 * cycle in percent as the host knows it (the charger: what it drives; the vehicle: what it
 * measured), NaN when not measured.
 *
 * The object returned by PilotInput.read() belongs to the input and is reused for the next
 * sample (no allocation per sample): copy what you keep.
 */
export interface PilotSample {
  high: number;
  low: number;
  duty: number;
}

/** Sampled pilot voltages. onReadable(count): `count` samples wait; read() returns one. */
export interface PilotInput extends Io {
  read(): PilotSample | undefined;
}

export type PilotInputOptions = IoCallbacks;

export type PilotInputClass = new (options: PilotInputOptions) => PilotInput;

/** Output values besides a duty cycle 0 < d < 100 (percent). Frozen; static-like constants. */
export const PilotLevel = Object.freeze({
  /** Constant +12 V: no PWM, states A, B1, C1, D1 (IEC 61851-1 Table A.3, "x1"). */
  PlusTwelve: 100,
  /** Constant −12 V: state F, EVSE not available (the generator held low). */
  MinusTwelve: 0,
  /** 0 V: state E (only outputs with `canZero`, e.g. a relay or a tri-state driver). */
  Zero: -1,
} as const);

/**
 * The pilot generator. write(value): a duty cycle in percent (0 < value < 100, 1 kHz PWM),
 * or one of PilotLevel. An output rounds the duty down to its resolution (never more current).
 */
export interface PilotOutput extends Io {
  write(value: number): void;
  /** True when it can drive 0 V (PilotLevel.Zero). */
  readonly canZero: boolean;
}

export type PilotOutputOptions = Pick<IoCallbacks, "onError">;

export type PilotOutputClass = new (options: PilotOutputOptions) => PilotOutput;

/** The vehicle's S2 switch (IEC 61851-1 Figure A.1): write(1) closes it (state C or D). */
export interface S2Switch extends Io {
  write(closed: 0 | 1): void;
}

export type S2SwitchOptions = Pick<IoCallbacks, "onError">;

export type S2SwitchClass = new (options: S2SwitchOptions) => S2Switch;

/**
 * The vehicle inlet's proximity contact (PP; IEC 61851-1 Annex B, IEC 62196-2): read() returns
 * the resistance between PP and PE in ohms as the vehicle measures it — the cable's coding
 * resistor Rc while a plug is in, `Infinity` when the contact is open (no plug). A host with a
 * plain digital "plug present" input returns `Number.NaN` while a plug is in (present, coding
 * not measured) and `Infinity` otherwise. onReadable(count): `count` readings wait.
 */
export interface ProximityInput extends Io {
  read(): number | undefined;
}

export type ProximityInputOptions = IoCallbacks;

export type ProximityInputClass = new (options: ProximityInputOptions) => ProximityInput;

/**
 * How the core receives a host class: the constructor plus the host's own options (pins,
 * intervals), e.g. `{ io: Esp32PilotInput, analog: 34, gate: 35 }`; `Options` is inferred from
 * the constructor, so the host's options are type-checked. The core adds its callbacks and
 * constructs the instance itself (as Moddable's ntp.js does with its socket).
 */
export type IoSpec<Options, Instance> = { io: new (options: Options) => Instance } & Omit<
  Options,
  "onReadable" | "onWritable" | "onError"
>;

/** Build a host instance from its spec, adding the core's callbacks. */
export function openIo<Options, Instance>(spec: IoSpec<Options, Instance>, callbacks: IoCallbacks): Instance {
  return new spec.io({ ...spec, ...callbacks } as unknown as Options);
}
