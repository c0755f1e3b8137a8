// What the simulation's summary and live trace say about the energy's way: the direction and
// power each charge loop (signed as modules/statemachine/iso20/bpt.ts: positive into the EV,
// negative out of it) and the SoC's path (start, lowest, highest, end, and a few points).

/** Below this magnitude (W) the power counts as idle, not as a direction. */
const IDLE_W = 50;
/** Points kept in the summary's SoC path (first and last included). */
const PATH_POINTS = 8;

export type Direction = "charge" | "discharge" | "idle";

export function directionOf(power: number): Direction {
  return power > IDLE_W ? "charge" : power < -IDLE_W ? "discharge" : "idle";
}

export interface SocPath {
  start: number;
  min: number;
  max: number;
  end: number;
  /** A few points in time order: simulated ms since the start, SoC %. */
  points: { timeMs: number; soc: number }[];
}

/** Follows the SoC at every loop; keeps one sample per `every` ms for the path's points. */
export class SocPathRecorder {
  readonly #samples: { timeMs: number; soc: number }[] = [];
  readonly #every: number;
  #start: number;
  #min: number;
  #max: number;
  #last: number;
  #lastTime = -Infinity;

  constructor(startSoc: number, every = 10_000) {
    this.#start = this.#min = this.#max = this.#last = startSoc;
    this.#every = every;
  }

  /** Restarts at the vehicle's SoC at plug-in. */
  reset(timeMs: number, soc: number): void {
    this.#start = this.#min = this.#max = this.#last = soc;
    this.#samples.length = 0;
    this.#lastTime = -Infinity;
    this.add(timeMs, soc);
  }

  add(timeMs: number, soc: number): void {
    if (soc < this.#min) this.#min = soc;
    if (soc > this.#max) this.#max = soc;
    this.#last = soc;
    if (timeMs - this.#lastTime >= this.#every) {
      this.#lastTime = timeMs;
      this.#samples.push({ timeMs: Math.round(timeMs), soc: round1(soc) });
    }
  }

  /** The path so far, ending at `timeMs` with `endSoc`. */
  path(timeMs: number, endSoc: number = this.#last): SocPath {
    this.add(timeMs, endSoc);
    const all = this.#samples.slice();
    const tail = all[all.length - 1];
    if (tail === undefined || tail.timeMs !== Math.round(timeMs)) all.push({ timeMs: Math.round(timeMs), soc: round1(endSoc) });
    const points: { timeMs: number; soc: number }[] = [];
    if (all.length <= PATH_POINTS) points.push(...all);
    else for (let i = 0; i < PATH_POINTS; i++) points.push(all[Math.round((i * (all.length - 1)) / (PATH_POINTS - 1))]);
    return { start: round1(this.#start), min: round1(this.#min), max: round1(this.#max), end: round1(endSoc), points };
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
