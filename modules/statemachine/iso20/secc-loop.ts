// Pieces the -20 DC and AC charge loops share: EVSE notifications, meter values, the EV's
// display values, the power the charger wants now.

import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import type * as cm from "../../exi/generated/iso20_cm/types";
import type { DischargeLimits } from "./config";
import type { Iso20Record } from "./context";
import { isBpt } from "./services";
import { HEADER_SLOT } from "./envelope";
import { meterInfoOf } from "./pnc-metering";

export { meterInfoOf } from "./pnc-metering";

export { rec } from "./context";

/**
 * EVSEStatus of a loop response, only when the charger has something to say: its stop request
 * → Terminate, a renegotiation request or (Scheduled) the end of the offered schedule →
 * ScheduleRenegotiation (also when the EV did not confirm the offered power tolerance), or the
 * -20 notification the charger pushed (Pause, ExitStandby,
 * ServiceRenegotiation).
 */
export function evseStatusOf(facts: SeccFacts, r: Iso20Record): cm.EVSEStatusType | undefined {
  const evse = facts.evse;
  let notification: cm.EVSEStatusType["EVSENotification"] | undefined;
  if (evse.notification === "StopCharging") notification = "Terminate";
  else if (evse.notification === "ReNegotiation" || r.toleranceRenegotiation || scheduleExpired(facts, r)) notification = "ScheduleRenegotiation";
  // ExitStandby means something only while the EV is in standby; once it left (PowerDelivery
  // Start, same state) the charger's request is done.
  else if (evse.iso20Notification !== undefined && (evse.iso20Notification !== "ExitStandby" || r.standby)) notification = evse.iso20Notification;
  if (notification === undefined) return undefined;
  return { NotificationMaxDelay: facts.config.notificationMaxDelay ?? 0, EVSENotification: notification };
}

/** Scheduled: the schedule offered at the last PowerDelivery(Start) has run out (config.scheduleDuration). */
function scheduleExpired(facts: SeccFacts, r: Iso20Record): boolean {
  if (r.controlMode !== "scheduled") return false;
  return facts.now - r.startedAt >= (facts.config.scheduleDuration ?? 86400) * 1000;
}

/** The EV's SoC and charging-complete flag from DisplayParameters. */
export function noteDisplay(ctx: SeccContext, display: cm.DisplayParametersType | undefined): void {
  if (display === undefined) return;
  if (typeof display.PresentSOC === "number") ctx.ev.soc = display.PresentSOC;
  if (display.ChargingComplete !== undefined) ctx.ev.chargingComplete = display.ChargingComplete === true;
}

/**
 * The control-mode element a loop request must carry for the selected service and mode
 * (`BPT_Dynamic_DC_CLReqControlMode`, `Scheduled_AC_CLReqControlMode`, …), and the name of the
 * response's (…CLResControlMode).
 */
export function loopMode(r: Iso20Record, req: object, family: "DC" | "AC"): { mode: any; bpt: boolean; dynamic: boolean; resName: string } {
  const bpt = r.transfer !== undefined && isBpt(r.transfer);
  const dynamic = r.controlMode === "dynamic";
  // the names from a table: built by concatenation every loop message, each new string would
  // also have to be looked up as a property key (XS interns it)
  const names = LOOP_MODE_NAMES[family][(bpt ? 2 : 0) + (dynamic ? 1 : 0)];
  return { mode: (req as Record<string, unknown>)[names[0]], bpt, dynamic, resName: names[1] };
}

/** [request, response] control-mode element per family and (BPT, Dynamic): index 2 × BPT + Dynamic. */
const LOOP_MODE_NAMES: Readonly<Record<"DC" | "AC", readonly (readonly [string, string])[]>> = Object.freeze({
  DC: loopModeNames("DC"),
  AC: loopModeNames("AC"),
});

function loopModeNames(family: "DC" | "AC"): readonly (readonly [string, string])[] {
  const out: (readonly [string, string])[] = [];
  for (const stem of ["Scheduled_", "Dynamic_", "BPT_Scheduled_", "BPT_Dynamic_"]) out.push(Object.freeze([`${stem}${family}_CLReqControlMode`, `${stem}${family}_CLResControlMode`] as const));
  return Object.freeze(out);
}

/** The start of a loop response, in schema order: Header, ResponseCode, EVSEStatus?, MeterInfo?. */
export function loopResponseHead(facts: SeccFacts, r: Iso20Record, fault: boolean, meterRequested: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { Header: HEADER_SLOT, ResponseCode: fault ? "FAILED" : "OK" };
  const status = evseStatusOf(facts, r);
  if (status !== undefined) out.EVSEStatus = status;
  if (meterRequested) {
    const meter = meterInfoOf(facts);
    if (meter !== undefined) out.MeterInfo = meter;
  }
  return out;
}

/**
 * The charger's discharge capability now (magnitudes): what its bidirectional power stage
 * reports (EvseFacts.discharge, read before each request), else the configured one.
 */
export function dischargeCapability(facts: SeccFacts): Readonly<DischargeLimits> | undefined {
  return facts.evse.discharge ?? facts.config.iso20?.discharge;
}

/**
 * Dynamic control: the power (W, signed: negative = discharge) the charger wants this loop —
 * the energy manager's setpoint within the charger's and the EV's limits, or the charger's
 * charge limit when no setpoint is given. A discharge setpoint needs a BPT service.
 *
 * The EV's limits are taken as sent, 0 included (EVMaximumChargePower and, for BPT,
 * EVMaximumDischargePower are mandatory in ChargeParameterDiscoveryReq, so 0 means "none"):
 * an EV at its minimum SoC announces 0 discharge power and gets no discharge target. Its energy
 * requests bound the direction too: no charging once EVMaximumEnergyRequest is ≤ 0 (nothing
 * more to take), no discharging while EVMinimumEnergyRequest is ≥ 0 (negative = energy the EV
 * offers; ISO 15118-20 Dynamic mode's energy requests).
 */
export function loopTargetPower(r: Iso20Record, facts: SeccFacts, maxChargePower: number): number {
  const setpoint = facts.evse.powerSetpoint;
  const ev = r.ev;
  const evMax = ev.maxEnergy !== undefined && ev.maxEnergy <= 0 ? 0 : ev.maxChargePower;
  if (setpoint === undefined) return Math.min(maxChargePower, evMax);
  if (setpoint >= 0) return Math.min(setpoint, maxChargePower, evMax);
  if (r.transfer === undefined || !isBpt(r.transfer)) return 0;
  if (ev.minEnergy !== undefined && ev.minEnergy >= 0) return 0;
  const d = dischargeCapability(facts)?.maxPower ?? 0;
  return -Math.min(-setpoint, d, ev.maxDischargePower);
}
