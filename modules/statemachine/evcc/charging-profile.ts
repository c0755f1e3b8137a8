// ChargingProfile from the selected SAScheduleTuple's PMaxSchedule: at most 24 entries, never
// above the schedule (nor the vehicle's own limit) at any instant.
//
// ISO 15118-2 and DIN 70121 make the ChargingProfile of PowerDeliveryReq optional (ISO-2
// Table 40), but fielded chargers answer FAILED_ChargingProfileInvalid when it is missing on
// Start or goes above the PMaxSchedule of the SAScheduleTuple the EV selected.
// A PMaxSchedule holds up to 1,024 entries (ISO-2 PMaxScheduleType maxOccurs="1024"), a
// ChargingProfile at most 24 (ISO-2 ProfileEntry maxOccurs="24"; DIN's is unbounded, we keep 24), so
// longer schedules are merged: adjacent spans join and take the minimum PMax of what they cover.
// The merge that loses the least energy goes first (greedy, O(n log n) with a heap), weighted by
// the time before the EV's departure: what comes after departure costs nothing to give up.

import type { Din, Iso2 } from "../../exi/index";
import { fromPhysical, physicalAtMost } from "./physical";

/** Entries a ChargingProfile may hold (ISO-2 ChargingProfileType ProfileEntry maxOccurs="24"). */
export const MAX_PROFILE_ENTRIES = 24;

/** xs:duration of a PMaxScheduleEntry is at most 86400 s: the weight of an open-ended last entry. */
const OPEN_END_WEIGHT = 86400;

/** One PMaxScheduleEntry in SI units: from `start` s on, at most `power` W; `duration` (s) matters on the last one only. */
export interface ScheduleEntry {
  readonly start: number;
  readonly duration?: number;
  readonly power: number;
}

/** One ChargingProfile entry: from `start` s (relative to the schedule's start) at most `power` W, until the next entry starts. */
export interface ProfileStep {
  readonly start: number;
  readonly power: number;
}

export interface ProfileOptions {
  /** The vehicle's own maximum power (W): no entry goes above it. Ignored when not a finite number. */
  maxPower?: number;
  /** Departure, s from the schedule's start: time after it weighs nothing when spans are merged. */
  departure?: number;
  /** Entries allowed (default 24). */
  maxEntries?: number;
}

/** The span list a schedule stands for: spans[i] runs from starts[i] to ends[i] at powers[i]. */
interface Spans {
  starts: Float64Array;
  ends: Float64Array;
  powers: Float64Array;
  count: number;
}

/**
 * The schedule as a list of spans, in start order. Each entry lasts until the next one starts
 * (a RelativeTimeInterval's duration is given on the last entry only, as every charger in the
 * captures sends it), the last one for its duration (open-ended without). Two entries with the
 * same start leave the lower PMax in force, and time before the first entry carries PMax 0: the
 * charger granted nothing there.
 */
function spansOf(schedule: readonly ScheduleEntry[]): Spans {
  const order: number[] = [];
  for (let i = 0; i < schedule.length; i++) order.push(i);
  // Chargers send entries in start order; a stable sort keeps that and repairs the rest.
  order.sort((a, b) => schedule[a].start - schedule[b].start || a - b);
  const n = schedule.length + 1;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const powers = new Float64Array(n);
  let count = 0;
  for (let k = 0; k < order.length; k++) {
    const entry = schedule[order[k]];
    const power = Number.isFinite(entry.power) ? entry.power : 0;
    const start = entry.start > 0 ? entry.start : 0;
    if (count === 0 && start > 0) {
      starts[0] = 0;
      powers[0] = 0;
      count = 1;
    }
    if (count > 0 && starts[count - 1] === start) {
      if (power < powers[count - 1]) powers[count - 1] = power;
      continue;
    }
    starts[count] = start;
    powers[count] = power;
    count++;
  }
  for (let i = 0; i + 1 < count; i++) ends[i] = starts[i + 1];
  if (count > 0) {
    const last = schedule[order[order.length - 1]];
    const duration = last.duration;
    ends[count - 1] = duration !== undefined && Number.isFinite(duration) && duration >= 0 ? starts[count - 1] + duration : Infinity;
    // A last entry of duration 0 covers no time at all.
    if (ends[count - 1] <= starts[count - 1] && count > 1) count--;
  }
  return { starts, ends, powers, count };
}

/** The schedule's PMax (W) at `t` s; undefined before 0 and from the schedule's end on. */
export function schedulePMaxAt(schedule: readonly ScheduleEntry[], t: number): number | undefined {
  const spans = spansOf(schedule);
  for (let i = 0; i < spans.count; i++) if (spans.starts[i] <= t && t < spans.ends[i]) return spans.powers[i];
  return undefined;
}

/** The profile's limit (W) at `t` s: the last entry that started by then. */
export function profileMaxPowerAt(profile: readonly ProfileStep[], t: number): number | undefined {
  let power: number | undefined;
  for (let i = 0; i < profile.length; i++) if (profile[i].start <= t) power = profile[i].power;
  return power;
}

/**
 * The ChargingProfile for a PMaxSchedule: one entry per span, capped by the vehicle's maximum
 * power, equal neighbours joined, then merged down to `maxEntries` so that each entry is the
 * minimum of the spans it covers. Empty only for an empty schedule.
 */
export function chargingProfileFromSchedule(schedule: readonly ScheduleEntry[], options: ProfileOptions = {}): ProfileStep[] {
  const spans = spansOf(schedule);
  const n = spans.count;
  if (n === 0) return [];
  const { starts, ends, powers } = spans;
  const cap = options.maxPower;
  if (cap !== undefined && Number.isFinite(cap)) for (let i = 0; i < n; i++) if (powers[i] > cap) powers[i] = cap;
  if (ends[n - 1] <= starts[n - 1]) {
    // The only entry has duration 0: the charger grants no time, so the EV plans no power.
    return [{ start: 0, power: Math.min(0, powers[0]) }];
  }
  const maxEntries = Math.max(1, Math.floor(options.maxEntries ?? MAX_PROFILE_ENTRIES));
  // Weight of each span: the seconds of it that lie before departure (or before the schedule's
  // end, or a day past the last start when neither is known).
  const end = ends[n - 1];
  const horizon =
    options.departure !== undefined && Number.isFinite(options.departure) && options.departure >= 0 ? options.departure : Number.isFinite(end) ? end : starts[n - 1] + OPEN_END_WEIGHT;
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = Math.min(ends[i], horizon) - starts[i];
    weights[i] = w > 0 ? w : 0;
  }
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  let alive = n;
  // Equal neighbours first: joining them loses nothing and keeps the profile short.
  for (let i = 0; i !== -1; ) {
    const j = next[i];
    if (j !== -1 && powers[j] === powers[i]) {
      weights[i] += weights[j];
      unlink(j, next, prev);
      alive--;
    } else i = j;
  }
  if (alive > maxEntries) alive = mergeDown(alive, maxEntries, powers, weights, next, prev);
  const out: ProfileStep[] = [];
  for (let i = 0; i !== -1; i = next[i]) out.push({ start: starts[i], power: powers[i] });
  return out;
}

function unlink(j: number, next: Int32Array, prev: Int32Array): void {
  const after = next[j];
  const before = prev[j];
  if (before !== -1) next[before] = after;
  if (after !== -1) prev[after] = before;
  next[j] = -1;
  prev[j] = -1;
}

/** Energy (W·s) given up when span `i` and its successor `j` join at the lower power of the two. */
function mergeCost(i: number, j: number, powers: Float64Array, weights: Float64Array): number {
  const a = powers[i];
  const b = powers[j];
  return a > b ? (a - b) * weights[i] : (b - a) * weights[j];
}

/**
 * Greedy merging with a binary min-heap of candidate pairs (keyed by the left span). A pair is
 * stale once either side changed; a version per left span tells, so no pair is ever searched.
 */
function mergeDown(alive: number, maxEntries: number, powers: Float64Array, weights: Float64Array, next: Int32Array, prev: Int32Array): number {
  const n = powers.length;
  const version = new Int32Array(n);
  const removed = new Uint8Array(n);
  // Each merge pushes at most two pairs: n initial + 2n pushed bounds the heap.
  const capacity = 3 * n + 1;
  const heapCost = new Float64Array(capacity);
  const heapLeft = new Int32Array(capacity);
  const heapVersion = new Int32Array(capacity);
  let size = 0;
  const less = (a: number, b: number): boolean => heapCost[a] < heapCost[b] || (heapCost[a] === heapCost[b] && heapLeft[a] < heapLeft[b]);
  const swap = (a: number, b: number): void => {
    const c = heapCost[a];
    heapCost[a] = heapCost[b];
    heapCost[b] = c;
    const l = heapLeft[a];
    heapLeft[a] = heapLeft[b];
    heapLeft[b] = l;
    const v = heapVersion[a];
    heapVersion[a] = heapVersion[b];
    heapVersion[b] = v;
  };
  const push = (left: number): void => {
    const right = next[left];
    if (right === -1) return;
    let k = size++;
    heapCost[k] = mergeCost(left, right, powers, weights);
    heapLeft[k] = left;
    heapVersion[k] = version[left];
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!less(k, parent)) break;
      swap(k, parent);
      k = parent;
    }
  };
  const pop = (): void => {
    size--;
    if (size === 0) return;
    swap(0, size);
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= size) break;
      const r = l + 1;
      const m = r < size && less(r, l) ? r : l;
      if (!less(m, k)) break;
      swap(m, k);
      k = m;
    }
  };
  // Span 0 is never removed (a merge removes the right-hand span), so the list starts there.
  for (let i = 0; i !== -1; i = next[i]) push(i);
  while (alive > maxEntries && size > 0) {
    const left = heapLeft[0];
    const stale = heapVersion[0] !== version[left] || removed[left] === 1;
    pop();
    if (stale) continue;
    const right = next[left];
    if (right === -1) continue;
    if (powers[right] < powers[left]) powers[left] = powers[right];
    weights[left] += weights[right];
    unlink(right, next, prev);
    removed[right] = 1;
    alive--;
    version[left]++;
    const before = prev[left];
    if (before !== -1) {
      version[before]++;
      push(before);
    }
    push(left);
  }
  return alive;
}

type Iso2Tuple = Iso2.SAScheduleTupleType;
type DinTuple = Din.SAScheduleTupleType;

/**
 * The PMaxSchedule of an SAScheduleTuple in SI units (ISO-2 PMax is a PhysicalValue, DIN's a
 * plain xs:short in W). Undefined when an entry has no RelativeTimeInterval: without its time
 * the EV cannot tell where a limit applies, so no profile can be proven within the schedule.
 */
export function scheduleOfTuple(tuple: Iso2Tuple | DinTuple): ScheduleEntry[] | undefined {
  const entries = tuple.PMaxSchedule?.PMaxScheduleEntry;
  if (entries === undefined || entries.length === 0) return undefined;
  const out: ScheduleEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const interval = entry.RelativeTimeInterval;
    if (interval === undefined) return undefined;
    const pmax = entry.PMax as number | Iso2.PhysicalValueType;
    const power = typeof pmax === "number" ? pmax : fromPhysical(pmax);
    out.push({ start: Number(interval.start), duration: interval.duration === undefined ? undefined : Number(interval.duration), power: power ?? 0 });
  }
  return out;
}

/** ISO-2 ChargingProfile; `phases` (AC) fills ChargingProfileEntryMaxNumberOfPhasesInUse. Powers round down, never up. */
export function iso2ChargingProfile(profile: readonly ProfileStep[], phases?: 1 | 2 | 3): Iso2.ChargingProfileType {
  const entries: Iso2.ProfileEntryType[] = [];
  for (let i = 0; i < profile.length; i++) {
    const step = profile[i];
    const entry: Iso2.ProfileEntryType = { ChargingProfileEntryStart: step.start, ChargingProfileEntryMaxPower: physicalAtMost(step.power, "W") };
    if (phases !== undefined) entry.ChargingProfileEntryMaxNumberOfPhasesInUse = phases;
    entries.push(entry);
  }
  return { ProfileEntry: entries };
}

/** DIN ChargingProfile: PMaxType is an xs:short in the schedule's own unit (W), rounded down. */
export function dinChargingProfile(profile: readonly ProfileStep[], saScheduleTupleId: number): Din.ChargingProfileType {
  const entries: Din.ProfileEntryType[] = [];
  for (let i = 0; i < profile.length; i++) {
    const power = Math.floor(profile[i].power);
    entries.push({ ChargingProfileEntryStart: profile[i].start, ChargingProfileEntryMaxPower: power > 32767 ? 32767 : power < -32768 ? -32768 : power });
  }
  return { SAScheduleTupleID: saScheduleTupleId, ProfileEntry: entries };
}
