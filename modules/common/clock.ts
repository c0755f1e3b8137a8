// Time as data: a branded millisecond type and the injected clock every timer goes through.
//
// The core never calls setTimeout or Moddable's "timer" itself; hosts pass a Clock
// (hosts/sim wraps setTimeout, hosts/esp32 wraps Timer, tests use ManualClock), so every
// timeout of the standards can be tested without sleeping.

/** Milliseconds. A bare number cannot pass as a duration; build one with Millis() or Seconds(). */
export type Millis = number & { readonly __unit: "ms" };

export function Millis(ms: number): Millis {
  return ms as Millis;
}

export function Seconds(s: number): Millis {
  return (s * 1000) as Millis;
}

/** Opaque handle of a scheduled callback. */
export type TimerHandle = { readonly __timer: true } | number;

export interface Clock {
  /** Monotonic time in milliseconds (the origin is the host's). */
  now(): Millis;
  /** Call `callback` once, `delay` from now. */
  set(callback: () => void, delay: Millis): TimerHandle;
  /** Cancel a pending callback; harmless for an unknown, fired or undefined handle. */
  clear(handle: TimerHandle | undefined): void;
}

/** Elapsed time between two readings of the same clock. */
export function elapsed(clock: Clock, since: Millis): Millis {
  return (clock.now() - since) as Millis;
}
