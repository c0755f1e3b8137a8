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
 * IsolationMonitoringActive during a running cable check, else Ready.
 */
export function dcEvseStatus(facts: SeccFacts, phase: DcPhase): DcEvseStatus {
  const evse = facts.evse;
  let code: DcEvseStatus["EVSEStatusCode"] = "EVSE_Ready";
  if (evse.emergency) code = "EVSE_EmergencyShutdown";
  else if (evse.malfunction) code = "EVSE_Malfunction";
  else if (evse.notification === "StopCharging") code = "EVSE_Shutdown";
  else if (phase === "cable-check" && !evse.cableCheckFinished) code = "EVSE_IsolationMonitoringActive";
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

/** DC_EVSEChargeParameter from the present limits. */
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
  // Element order follows the schema; optional ones are added in place.
  if (dc.currentRegulationTolerance !== undefined) {
    const ripple = out.EVSEPeakCurrentRipple;
    delete (out as { EVSEPeakCurrentRipple?: unknown }).EVSEPeakCurrentRipple;
    out.EVSECurrentRegulationTolerance = physical(dc.currentRegulationTolerance, "A");
    out.EVSEPeakCurrentRipple = ripple;
  }
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
  if (dc) return facts.evse.dc.maxPower;
  const ac = facts.evse.ac;
  return ac.nominalVoltage * ac.maxCurrent * ac.phases;
}

/**
 * ISO-2 SAScheduleList with one tuple: a single PMaxSchedule entry from the configured limit
 * for the whole schedule duration (one day by default). MaxEntriesSAScheduleTuple ≥ 1 always fits.
 */
export function iso2ScheduleList(facts: SeccFacts, ctx: SeccContext): { SAScheduleTuple: Iso2SAScheduleTuple[] } {
  return {
    SAScheduleTuple: [
      {
        SAScheduleTupleID: ctx.saScheduleTupleId,
        PMaxSchedule: {
          PMaxScheduleEntry: [
            {
              RelativeTimeInterval: { start: 0, duration: facts.config.scheduleDuration ?? 86400 },
              PMax: physical(schedulePower(facts, ctx.dc), "W"),
            },
          ],
        },
      },
    ],
  };
}

/** DIN SAScheduleList: PMax is an xs:short in W, so it saturates at 32767 as real DIN chargers do. */
export function dinScheduleList(facts: SeccFacts, ctx: SeccContext): { SAScheduleTuple: DinSAScheduleTuple[] } {
  const p = Math.round(schedulePower(facts, true));
  return {
    SAScheduleTuple: [
      {
        SAScheduleTupleID: ctx.saScheduleTupleId,
        PMaxSchedule: {
          PMaxScheduleID: ctx.saScheduleTupleId,
          PMaxScheduleEntry: [
            {
              RelativeTimeInterval: { start: 0, duration: facts.config.scheduleDuration ?? 86400 },
              PMax: p > 32767 ? 32767 : p < 0 ? 0 : p,
            },
          ],
        },
      },
    ],
  };
}

/** ISO-2 MeterInfo (MeterReading in Wh as xs:unsignedLong); undefined without a meter ID. */
export function iso2MeterInfo(facts: SeccFacts): Iso2MeterInfo | undefined {
  const id = facts.config.meterId;
  if (id === undefined) return undefined;
  const wh = facts.evse.meterWh;
  return { MeterID: id, MeterReading: BigInt(wh > 0 ? Math.round(wh) : 0) };
}
