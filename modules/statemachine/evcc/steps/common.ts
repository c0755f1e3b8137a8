// Helpers the EVCC steps share: EV status blocks, EVSE status checks, the wind-down order.

import type { Din, Iso2 } from "../../../exi/index";
import type { DcEvseStatus, AcEvseStatus } from "../msg";
import type { StepContext, StepResult } from "../step";
import type { EnergyTransferMode, EvccStepId } from "../types";

/** DC_EVStatus of the current BMS state (DIN adds the optional conditioning flags). */
export function dcEvStatus(ctx: StepContext): Din.DC_EVStatusType | Iso2.DC_EVStatusType {
  const soc = Math.max(0, Math.min(100, Math.floor(ctx.bms.soc())));
  if (ctx.protocol === "din") {
    // DIN 70121 adds the (optional) conditioning flags; real DIN cars send them.
    return { EVReady: ctx.bms.ready(), EVCabinConditioning: false, EVRESSConditioning: false, EVErrorCode: ctx.bms.errorCode(), EVRESSSOC: soc };
  }
  return { EVReady: ctx.bms.ready(), EVErrorCode: ctx.bms.errorCode(), EVRESSSOC: soc };
}

/** Phases an AC energy transfer mode uses (ISO-2 AC_single_phase_core / AC_three_phase_core). */
export function acPhases(mode: EnergyTransferMode): 1 | 3 {
  return mode === "AC_single_phase_core" ? 1 : 3;
}

/** The step after the EV decided to stop: PowerDelivery(Stop) while charging, else SessionStop. */
export function windDownStep(ctx: StepContext): EvccStepId {
  if (ctx.facts.charging) return "PowerDelivery";
  return "SessionStop";
}

/**
 * Checks a DC_EVSEStatus: a fault aborts (isolation Fault, emergency shutdown, malfunction),
 * a shutdown or StopCharging notification winds down. Undefined when charging may go on.
 */
export function checkDcEvseStatus(status: DcEvseStatus | undefined): StepResult | undefined {
  if (status === undefined) return undefined;
  if (status.EVSEIsolationStatus === "Fault") return { kind: "abort", reason: "evse-error", detail: "EVSEIsolationStatus Fault" };
  switch (status.EVSEStatusCode) {
    case "EVSE_EmergencyShutdown":
    case "EVSE_Malfunction":
      return { kind: "abort", reason: "evse-error", detail: status.EVSEStatusCode };
    case "EVSE_Shutdown":
    case "EVSE_UtilityInterruptEvent":
      return { kind: "wind-down", reason: "evse-stop", detail: status.EVSEStatusCode };
  }
  if (status.EVSENotification === "StopCharging") return { kind: "wind-down", reason: "evse-stop", detail: "EVSENotification StopCharging" };
  return undefined;
}

/** Checks an AC_EVSEStatus: StopCharging winds down (ReNegotiation is handled by the loop steps). */
export function checkAcEvseStatus(status: AcEvseStatus | undefined): StepResult | undefined {
  if (status === undefined) return undefined;
  if (status.EVSENotification === "StopCharging") return { kind: "wind-down", reason: "evse-stop", detail: "EVSENotification StopCharging" };
  return undefined;
}

/** The BMS error code, as an abort result when it is not NO_ERROR. */
export function checkBms(ctx: StepContext): StepResult | undefined {
  const code = ctx.bms.errorCode();
  if (code !== "NO_ERROR") return { kind: "wind-down", reason: "ev-error", detail: code };
  return undefined;
}

export function round1(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 10) / 10;
}
