// Deterministic site profiles over the time of day (seconds since midnight): a house's load, a
// PV system's output and a grid price signal. Each is a pure function of the time and a seed —
// no state, no clock, no Math.random — so a simulated hour repeats exactly on Node and in XS,
// whatever the step at which it is sampled.

/** A profile: value at `timeOfDay` s since midnight (wraps at 24 h). */
export type Profile = (timeOfDay: number) => number;

const DAY_S = 86_400;

/** Deterministic noise in [−1, 1] for step `n` of `seed` (an integer hash, identical on every engine). */
export function hashNoise(seed: number, n: number): number {
  let x = (seed | 0) ^ Math.imul((n | 0) + 0x3c6ef372, 0x85ebca6b);
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return ((x >>> 0) / 0xffffffff) * 2 - 1;
}

function wrap(t: number): number {
  const r = t % DAY_S;
  return r < 0 ? r + DAY_S : r;
}

function bump(t: number, centreH: number, widthH: number): number {
  const d = (t - centreH * 3600) / (widthH * 3600);
  return Math.exp(-0.5 * d * d);
}

export interface HouseLoadOptions {
  seed?: number;
  /** Standby load (fridge, routers), W. Default 350. */
  baseW?: number;
  /** Height of the evening peak above the base, W. Default 2500. */
  peakW?: number;
  /** Relative variation, stepped every `stepS`. Default 0.15. */
  noise?: number;
  /** Default 300 s (appliances switch on and off in minutes). */
  stepS?: number;
}

/** A household's load: base, a morning peak (07:30), midday (12:30) and the evening peak (19:00), with seeded noise. */
export function houseLoad(options: HouseLoadOptions = {}): Profile {
  const seed = options.seed ?? 1;
  const base = options.baseW ?? 350;
  const peak = options.peakW ?? 2500;
  const noise = options.noise ?? 0.15;
  const step = options.stepS ?? 300;
  return (timeOfDay) => {
    const t = wrap(timeOfDay);
    const shape = 0.45 * bump(t, 7.5, 1) + 0.25 * bump(t, 12.5, 1) + bump(t, 19, 1.5);
    const w = base + peak * shape;
    return Math.max(0, Math.round(w * (1 + noise * hashNoise(seed, Math.floor(t / step)))));
  };
}

export interface PvOptions {
  seed?: number;
  /** Output at noon under a clear sky, W. Default 5000. */
  peakW?: number;
  /** Default 06:00 and 20:30 (a summer day), in hours. */
  sunriseH?: number;
  sunsetH?: number;
  /** Share of the output clouds may take away, stepped every `stepS`. Default 0.3. */
  clouds?: number;
  /** Default 600 s. */
  stepS?: number;
}

/** A PV system's output: a sine arch from sunrise to sunset, dimmed by seeded clouds. */
export function pvProfile(options: PvOptions = {}): Profile {
  const seed = options.seed ?? 2;
  const peak = options.peakW ?? 5000;
  const rise = (options.sunriseH ?? 6) * 3600;
  const set = (options.sunsetH ?? 20.5) * 3600;
  const clouds = options.clouds ?? 0.3;
  const step = options.stepS ?? 600;
  return (timeOfDay) => {
    const t = wrap(timeOfDay);
    if (t <= rise || t >= set) return 0;
    const sun = Math.pow(Math.sin((Math.PI * (t - rise)) / (set - rise)), 1.5);
    const cover = clouds * (hashNoise(seed, Math.floor(t / step)) + 1) / 2;
    return Math.round(peak * sun * (1 - cover));
  };
}

export interface PriceOptions {
  seed?: number;
  /** Day price, per kWh. Default 0.28. */
  day?: number;
  /** Peak price (peakStartH–peakEndH), per kWh. Default 0.52. */
  peak?: number;
  /** Night price (22:00–06:00), per kWh. Default 0.18. */
  night?: number;
  /** Default 17:00–20:00. */
  peakStartH?: number;
  peakEndH?: number;
  /** Hourly variation, per kWh. Default 0.02. */
  jitter?: number;
}

/** A time-of-use grid price with an evening peak and a seeded hourly variation (currency per kWh). */
export function priceSignal(options: PriceOptions = {}): Profile {
  const seed = options.seed ?? 3;
  const day = options.day ?? 0.28;
  const peak = options.peak ?? 0.52;
  const night = options.night ?? 0.18;
  const from = (options.peakStartH ?? 17) * 3600;
  const to = (options.peakEndH ?? 20) * 3600;
  const jitter = options.jitter ?? 0.02;
  return (timeOfDay) => {
    const t = wrap(timeOfDay);
    const base = t >= from && t < to ? peak : t >= 22 * 3600 || t < 6 * 3600 ? night : day;
    return Math.round((base + jitter * hashNoise(seed, Math.floor(t / 3600))) * 1000) / 1000;
  };
}
