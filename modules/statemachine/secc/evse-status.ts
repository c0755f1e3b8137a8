// Builders for the charger-side parts of DIN and ISO-2 responses: EVSE status, charge
// parameters, the default SAScheduleList, meter info. Same element names in both protocols.

import type { SeccFacts } from "../charger-interfaces";
import type {
  AcEvseChargeParameter,
  AcEvseStatus,
  DcEvseChargeParameter,
  DcEvseStatus,
  DinSAScheduleTuple,
  Iso2SAScheduleTuple,
  Iso2MeterInfo,
} from "../msg-types";
import { physical } from "../physical";
import type { SeccContext } from "./context";

/** What the status code should say about the step in progress. */
export type DcPhase = "idle" | "cable-check" | "charging";

/**
 * DC_EVSEStatus. Fault conditions win over the phase: EmergencyShutdown, Malfunction, then
 * Shutdown when the charger asked to stop (with EVSENotification=StopCharging), then
 * IsolationMonitoringActive during a running cable check (config.isolationMonitoringStatus),
 * else Ready.
 */
export function dcEvseStatus(facts: SeccFacts, phase: DcPhase): DcEvseStatus {
  const evse = facts.evse;
  let code: DcEvseStatus["EVSEStatusCode"] = "EVSE_Ready";
  if (evse.emergency) code = "EVSE_EmergencyShutdown";
  else if (evse.malfunction) code = "EVSE_Malfunction";
  else if (evse.notification === "StopCharging") code = "EVSE_Shutdown";
  // Every charger in ../shared/captures (EVerest, Josev, RiseV2G) says EVSE_Ready while the
  // check runs; EVSE_IsolationMonitoringActive only where configured.
  else if (phase === "cable-check" && !evse.cableCheckFinished && facts.config.isolationMonitoringStatus === true) code = "EVSE_IsolationMonitoringActive";
  return {
    EVSEIsolationStatus: evse.isolation,
    EVSEStatusCode: code,
    NotificationMaxDelay: facts.config.notificationMaxDelay ?? 0,
    EVSENotification: evse.notification,
  };
}

/** ISO-2 AC_EVSEStatus (RCD false: no residual current detected). */
export function acEvseStatus(facts: SeccFacts): AcEvseStatus {
  return {
    NotificationMaxDelay: facts.config.notificationMaxDelay ?? 0,
    EVSENotification: facts.evse.emergency || facts.evse.malfunction ? "StopCharging" : facts.evse.notification,
    RCD: false,
  };
}

/** DIN DC_EVSEStatus: DIN's isolation levels lack No_IMD, so it reads as Valid there. */
export function dinDcEvseStatus(facts: SeccFacts, phase: DcPhase): DcEvseStatus {
  const status = dcEvseStatus(facts, phase);
  if (status.EVSEIsolationStatus === "No_IMD") status.EVSEIsolationStatus = "Valid";
  return status;
}

/** DC_EVSEChargeParameter from the present limits (optional elements only when configured). */
export function dcEvseChargeParameter(facts: SeccFacts, status: DcEvseStatus): DcEvseChargeParameter {
  const dc = facts.evse.dc;
  const out: DcEvseChargeParameter = {
    DC_EVSEStatus: status,
    EVSEMaximumCurrentLimit: physical(dc.maxCurrent, "A"),
    EVSEMaximumPowerLimit: physical(dc.maxPower, "W"),
    EVSEMaximumVoltageLimit: physical(dc.maxVoltage, "V"),
    EVSEMinimumCurrentLimit: physical(dc.minCurrent, "A"),
    EVSEMinimumVoltageLimit: physical(dc.minVoltage, "V"),
    EVSEPeakCurrentRipple: physical(dc.peakCurrentRipple, "A"),
  };
  if (dc.currentRegulationTolerance !== undefined) out.EVSECurrentRegulationTolerance = physical(dc.currentRegulationTolerance, "A");
  if (dc.energyToBeDelivered !== undefined) out.EVSEEnergyToBeDelivered = physical(dc.energyToBeDelivered, "Wh");
  return out;
}

/** ISO-2 AC_EVSEChargeParameter. */
export function acEvseChargeParameter(facts: SeccFacts): AcEvseChargeParameter {
  return {
    AC_EVSEStatus: acEvseStatus(facts),
    EVSENominalVoltage: physical(facts.evse.ac.nominalVoltage, "V"),
    EVSEMaxCurrent: physical(facts.evse.ac.maxCurrent, "A"),
  };
}

/** The power the default schedule allows (W): the DC power limit, or the AC supply's. */
export function schedulePower(facts: SeccFacts, dc: boolean): number {
  if (facts.config.schedulePower !== undefined) return facts.config.schedulePower;
  if (dc) return facts.evse.dc.maxPower;
  const ac = facts.evse.ac;
  return ac.nominalVoltage * ac.maxCurrent * ac.phases;
}

/** The schedule's steps: the operator's (ControlEvent schedule), the configured PMaxSchedule, or one step at the power limit. */
export function scheduleSteps(facts: SeccFacts, dc: boolean): readonly { readonly start: number; readonly power: number }[] {
  const steps = facts.evse.schedule ?? facts.config.pmaxSchedule;
  if (steps !== undefined && steps.length > 0) return steps;
  return [{ start: 0, power: schedulePower(facts, dc) }];
}

/**
 * The EV's ChargingProfile (entry starts in s, limits in W) stays within the schedule offered:
 * each entry at most the PMax in force where it starts (1 % + 1 W for rounding), and none
 * starting after the schedule ends. `ceiling` caps the PMax as the EV saw it (DIN's xs:short).
 * Deliberately not checked over the whole time an entry covers: real cars (VW ID.3/ID.4, Skoda
 * Enyaq in ../shared/captures) send one 11 kW entry against a schedule that falls to 7 kW after
 * 12 h, and the chargers they met accepted it.
 */
export function profileWithinSchedule(entries: readonly { readonly start: number; readonly power: number }[], facts: SeccFacts, dc: boolean, ceiling = Infinity): boolean {
  const steps = scheduleSteps(facts, dc);
  const total = facts.config.scheduleDuration ?? 86400;
  for (let k = 0; k < entries.length; k++) {
    const start = entries[k].start;
    if (start > total) return false;
    // The step in force at `start`; the first one also before its own start.
    let pmax = steps[0].power;
    for (let j = 0; j < steps.length; j++) if (steps[j].start <= start) pmax = steps[j].power;
    const allowed = pmax < ceiling ? pmax : ceiling;
    if (!(entries[k].power <= allowed * 1.01 + 1)) return false;
  }
  return true;
}

function intervals(facts: SeccFacts, dc: boolean): { start: number; duration?: number; power: number }[] {
  const steps = scheduleSteps(facts, dc);
  const total = facts.config.scheduleDuration ?? 86400;
  const out: { start: number; duration?: number; power: number }[] = [];
  for (let i = 0; i < steps.length; i++) {
    const last = i === steps.length - 1;
    // Only the last entry carries a duration: the others end where the next begins.
    out.push(last ? { start: steps[i].start, duration: Math.max(0, total - steps[i].start), power: steps[i].power } : { start: steps[i].start, power: steps[i].power });
  }
  return out;
}

/**
 * ISO-2 SAScheduleList with one tuple: the PMaxSchedule from the configured limit (or the
 * configured steps) over the schedule duration (one day by default). MaxEntriesSAScheduleTuple
 * ≥ 1 always fits.
 */
export function iso2ScheduleList(facts: SeccFacts, ctx: SeccContext): { SAScheduleTuple: Iso2SAScheduleTuple[] } {
  const entries = intervals(facts, ctx.dc).map((e) => ({
    RelativeTimeInterval: e.duration === undefined ? { start: e.start } : { start: e.start, duration: e.duration },
    PMax: physical(e.power, "W"),
  }));
  return { SAScheduleTuple: [{ SAScheduleTupleID: ctx.saScheduleTupleId, PMaxSchedule: { PMaxScheduleEntry: entries } }] };
}

/** DIN PMaxType is an xs:short (W): the highest PMax a DIN schedule can state. */
export const DIN_PMAX_CEILING = 32767;

/** DIN SAScheduleList: PMax is an xs:short in W, so it saturates at 32767 as real DIN chargers do. */
export function dinScheduleList(facts: SeccFacts, ctx: SeccContext): { SAScheduleTuple: DinSAScheduleTuple[] } {
  const entries = intervals(facts, true).map((e) => {
    const p = Math.round(e.power);
    return {
      RelativeTimeInterval: e.duration === undefined ? { start: e.start } : { start: e.start, duration: e.duration },
      PMax: p > DIN_PMAX_CEILING ? DIN_PMAX_CEILING : p < 0 ? 0 : p,
    };
  });
  return {
    SAScheduleTuple: [{ SAScheduleTupleID: ctx.saScheduleTupleId, PMaxSchedule: { PMaxScheduleID: ctx.saScheduleTupleId, PMaxScheduleEntry: entries } }],
  };
}

/** ISO-2 MeterInfo (MeterReading in Wh as xs:unsignedLong); undefined without a meter ID. */
export function iso2MeterInfo(facts: SeccFacts): Iso2MeterInfo | undefined {
  const id = facts.config.meterId;
  if (id === undefined) return undefined;
  const wh = facts.evse.meterWh;
  return { MeterID: id, MeterReading: BigInt(wh > 0 ? Math.round(wh) : 0) };
}
