// A clock that moves only when told to: tests and simulations advance it explicitly.

import type { Clock, Millis, TimerHandle } from "./clock";

interface Pending {
  id: number;
  due: number;
  callback: () => void;
}

export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #pending: Pending[] = [];

  constructor(options?: { start?: number }) {
    this.#now = options?.start ?? 0;
  }

  now(): Millis {
    return this.#now as Millis;
  }

  set(callback: () => void, delay: Millis): TimerHandle {
    const id = this.#nextId++;
    const entry = { id, due: this.#now + Math.max(0, delay), callback };
    // Keep the queue sorted by due time, then by insertion, so equal deadlines fire in order.
    let i = this.#pending.length;
    while (i > 0 && this.#pending[i - 1].due > entry.due) i--;
    this.#pending.splice(i, 0, entry);
    return id;
  }

  clear(handle: TimerHandle | undefined): void {
    if (typeof handle !== "number") return;
    for (let i = 0; i < this.#pending.length; i++) {
      if (this.#pending[i].id === handle) {
        this.#pending.splice(i, 1);
        return;
      }
    }
  }

  /** Number of callbacks still waiting. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Move time forward by `ms`, firing every callback that falls due, in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    while (this.#pending.length > 0 && this.#pending[0].due <= target) {
      const next = this.#pending.shift()!;
      this.#now = next.due;
      next.callback();
    }
    this.#now = target;
  }

  /** Fire callbacks until none is left or `limit` ms have passed; returns the time spent. */
  runAll(limit = 3_600_000): number {
    const start = this.#now;
    while (this.#pending.length > 0 && this.#pending[0].due - start <= limit) {
      this.advance(this.#pending[0].due - this.#now);
    }
    return this.#now - start;
  }
}
