// The core's Clock in real time on Node: performance.now() and setTimeout. It remembers its
// pending callbacks so that a command can cancel them all when it is done (a forgotten timer
// would keep the process alive).

import type { Clock, Millis, TimerHandle } from "../../modules/common/clock";

export class NodeClock implements Clock {
  readonly #pending = new Set<NodeJS.Timeout>();

  now(): Millis {
    return performance.now() as Millis;
  }

  set(callback: () => void, delay: Millis): TimerHandle {
    const handle = setTimeout(() => {
      this.#pending.delete(handle);
      callback();
    }, Math.max(0, delay));
    this.#pending.add(handle);
    return handle as unknown as TimerHandle;
  }

  clear(handle: TimerHandle | undefined): void {
    if (handle === undefined) return;
    const h = handle as unknown as NodeJS.Timeout;
    if (!this.#pending.delete(h)) return;
    clearTimeout(h);
  }

  /** Callbacks scheduled and not yet run. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Cancels every pending callback. */
  cancelAll(): void {
    for (const h of this.#pending) clearTimeout(h);
    this.#pending.clear();
  }
}
