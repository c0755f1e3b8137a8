// Clocks for Moddable hosts: Moddable's "timer" module schedules (ECMA-419 has no timer class)
// and Time.ticks, milliseconds since boot, is the monotonic time every timer of the stack
// measures against. Date.now() is the wall clock, which a board learns only from an RTC, NTP
// or the backend (see modules/common/wall-clock.ts): a step of it must not move a timeout.

import Timer from "timer";
import Time from "time";
import type { Clock, Millis, TimerHandle } from "../../modules/common/index";

export class TimerClock implements Clock {
  #lastTicks = Time.ticks;
  #elapsed = 0;

  now(): Millis {
    // Time.ticks is a 32-bit millisecond counter on a device and Time.delta its wrap-safe
    // difference, which the ESP32 returns as a signed 32-bit integer: correct for steps under
    // 24.8 days. Summing the steps between readings keeps now() monotonic for as long as the
    // board runs (the stack reads the clock every few seconds at most).
    const ticks = Time.ticks;
    this.#elapsed += Time.delta(this.#lastTicks, ticks);
    this.#lastTicks = ticks;
    return this.#elapsed as Millis;
  }

  set(callback: () => void, delay: Millis): TimerHandle {
    return Timer.set(() => callback(), delay) as unknown as TimerHandle;
  }

  clear(handle: TimerHandle | undefined): void {
    if (handle !== undefined) Timer.clear(handle as unknown as Timer);
  }
}
