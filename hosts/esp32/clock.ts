// Clock for Moddable hosts: Moddable's "timer" module (ECMA-419 has no timer class).

import Timer from "timer";
import type { Clock, Millis, TimerHandle } from "../../modules/common/index";

export class TimerClock implements Clock {
  now(): Millis {
    return Date.now() as Millis;
  }

  set(callback: () => void, delay: Millis): TimerHandle {
    return Timer.set(() => callback(), delay) as unknown as TimerHandle;
  }

  clear(handle: TimerHandle | undefined): void {
    if (handle !== undefined) Timer.clear(handle as unknown as Timer);
  }
}
