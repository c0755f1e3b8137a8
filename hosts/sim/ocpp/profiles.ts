// OCPP 2.0.1 smart charging (K01 SetChargingProfile, K10 ClearChargingProfile) reduced to what an
// ISO 15118 SAScheduleList can carry: one PMaxSchedule, power in W over relative time.
//
// Composition as OCPP 2.0.1 Part 2 §K "Smart Charging" describes it for one EVSE: the TxProfile
// of the highest stack level replaces the TxDefaultProfile of the highest stack level, and the
// ChargingStationMaxProfile caps the result at every instant (the minimum of the two).

/** A PMax step as the SECC takes it (ControlEvent schedule): start in s from now, power in W. */
export interface PowerStep {
  readonly start: number;
  readonly power: number;
}

/** The OCPP 2.0.1 ChargingProfileType fields this bridge reads. */
export interface OcppChargingProfile {
  id: number;
  stackLevel: number;
  chargingProfilePurpose: "ChargingStationExternalConstraints" | "ChargingStationMaxProfile" | "TxDefaultProfile" | "TxProfile";
  chargingProfileKind: "Absolute" | "Recurring" | "Relative";
  transactionId?: string;
  chargingSchedule: {
    id: number;
    startSchedule?: string;
    duration?: number;
    chargingRateUnit: "W" | "A";
    /** OCPP 2.1 adds dischargeLimit (≤ 0), setpoint (signed, negative = discharge) and operationMode; limit becomes optional. */
    chargingSchedulePeriod: { startPeriod: number; limit?: number; numberPhases?: number; dischargeLimit?: number; setpoint?: number; operationMode?: string }[];
  }[];
}

export interface ClearCriteria {
  chargingProfileId?: number;
  chargingProfileCriteria?: { evseId?: number; chargingProfilePurpose?: string; stackLevel?: number };
}

export class ChargingProfiles {
  readonly #profiles = new Map<number, { profile: OcppChargingProfile; receivedAt: number }>();

  /** Installs (or replaces, by id) a profile; false for what this charger cannot apply. */
  set(profile: OcppChargingProfile, nowMs: number): boolean {
    if (profile.chargingProfileKind === "Recurring") return false;
    if (profile.chargingSchedule.length === 0 || profile.chargingSchedule[0].chargingSchedulePeriod.length === 0) return false;
    this.#profiles.set(profile.id, { profile, receivedAt: nowMs });
    return true;
  }

  /** Removes the profiles matching the criteria; false when none matched ("Unknown"). */
  clear(criteria: ClearCriteria): boolean {
    let removed = false;
    for (const [id, { profile }] of this.#profiles) {
      if (criteria.chargingProfileId !== undefined && criteria.chargingProfileId !== id) continue;
      const c = criteria.chargingProfileCriteria;
      if (c?.chargingProfilePurpose !== undefined && c.chargingProfilePurpose !== profile.chargingProfilePurpose) continue;
      if (c?.stackLevel !== undefined && c.stackLevel !== profile.stackLevel) continue;
      this.#profiles.delete(id);
      removed = true;
    }
    return removed;
  }

  get size(): number {
    return this.#profiles.size;
  }

  /**
   * The composite limit from `nowMs` on as PMax steps, or undefined without profiles.
   * `wattsPerAmp` converts limits given in A (the supply voltage times the phases in use).
   * `sessionStartMs` anchors Relative profiles (K01.FR.xx: relative to the transaction start).
   */
  steps(nowMs: number, wattsPerAmp: number, sessionStartMs = nowMs): PowerStep[] | undefined {
    const tx = this.#top("TxProfile") ?? this.#top("TxDefaultProfile");
    const max = this.#top("ChargingStationMaxProfile");
    const a = tx === undefined ? undefined : this.#relative(tx, nowMs, wattsPerAmp, sessionStartMs, "limit");
    const b = max === undefined ? undefined : this.#relative(max, nowMs, wattsPerAmp, sessionStartMs, "limit");
    if (a === undefined) return b;
    if (b === undefined) return a;
    return minimumOf(a, b);
  }

  /**
   * OCPP 2.1 V2X: the setpoint (W, negative = discharge) of the Tx profile's period in force now,
   * or undefined when it gives none (a 2.0.1 profile, or a period without operationMode setpoint).
   */
  setpoint(nowMs: number, wattsPerAmp: number, sessionStartMs = nowMs): number | undefined {
    const tx = this.#top("TxProfile") ?? this.#top("TxDefaultProfile");
    if (tx === undefined) return undefined;
    const steps = this.#relative(tx, nowMs, wattsPerAmp, sessionStartMs, "setpoint");
    return steps !== undefined && steps[0].start === 0 ? steps[0].power : undefined;
  }

  #top(purpose: OcppChargingProfile["chargingProfilePurpose"]): { profile: OcppChargingProfile; receivedAt: number } | undefined {
    let best: { profile: OcppChargingProfile; receivedAt: number } | undefined;
    for (const entry of this.#profiles.values()) {
      if (entry.profile.chargingProfilePurpose !== purpose) continue;
      if (best === undefined || entry.profile.stackLevel > best.profile.stackLevel) best = entry;
    }
    return best;
  }

  /** One profile's first schedule as steps of `field` relative to now (periods already over, or without the field, are dropped). */
  #relative(entry: { profile: OcppChargingProfile; receivedAt: number }, nowMs: number, wattsPerAmp: number, sessionStartMs: number, field: "limit" | "setpoint"): PowerStep[] | undefined {
    const schedule = entry.profile.chargingSchedule[0];
    let originMs: number;
    if (entry.profile.chargingProfileKind === "Absolute" && schedule.startSchedule !== undefined) originMs = Date.parse(schedule.startSchedule);
    else if (entry.profile.chargingProfileKind === "Relative") originMs = sessionStartMs;
    else originMs = entry.receivedAt;
    const elapsed = (nowMs - originMs) / 1000;
    const periods = schedule.chargingSchedulePeriod;
    const scale = schedule.chargingRateUnit === "W" ? 1 : wattsPerAmp;
    const out: PowerStep[] = [];
    for (let i = 0; i < periods.length; i++) {
      const next = i + 1 < periods.length ? periods[i + 1].startPeriod : Infinity;
      const value = periods[i][field];
      // The last period runs on until the schedule's duration.
      if ((next <= elapsed && i + 1 < periods.length) || value === undefined) continue;
      out.push({ start: Math.max(0, Math.round(periods[i].startPeriod - elapsed)), power: value * scale });
    }
    // Starts before now collapse to 0: keep only the latest of them.
    let first = 0;
    for (let i = 1; i < out.length; i++) if (out[i].start === 0) first = i;
    return out.length === 0 ? undefined : out.slice(first);
  }
}

/** The pointwise minimum of two step functions (both start at 0). */
function minimumOf(a: readonly PowerStep[], b: readonly PowerStep[]): PowerStep[] {
  const starts = [...new Set([...a.map((s) => s.start), ...b.map((s) => s.start)])].sort((x, y) => x - y);
  const at = (steps: readonly PowerStep[], t: number): number => {
    let p = steps[0].power;
    for (const s of steps) if (s.start <= t) p = s.power;
    return p;
  };
  const out: PowerStep[] = [];
  for (const t of starts) {
    const power = Math.min(at(a, t), at(b, t));
    if (out.length === 0 || out[out.length - 1].power !== power) out.push({ start: t, power });
  }
  return out;
}
