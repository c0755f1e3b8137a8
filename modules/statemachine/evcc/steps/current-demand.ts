// CurrentDemand (DC): the charging loop. The BMS sets the targets, clamped to the EVSE's
// limits; it also decides when to stop. EVSE notifications and faults end the loop.

import { fromPhysical, physical } from "../physical";
import type { BodyOf, ResOf } from "../msg";
import type { EvccStep, StepContext, VehicleAction } from "../step";
import { V2G_EVCC_MSG_TIMEOUT_CURRENT_DEMAND } from "../timeouts";
import { checkBms, checkDcEvseStatus, dcEvStatus, round1 } from "./common";
import { receiptDue } from "./pnc";
import type { Iso2 } from "../../../exi/index";

/** The BMS target current, limited by the EVSE's current and power limits. */
export function clampedTarget(ctx: StepContext): { voltage: number; current: number } {
  const target = ctx.bms.dcTarget();
  let current = target.current;
  const evse = ctx.facts.evse;
  if (evse.maxCurrent !== undefined) current = Math.min(current, evse.maxCurrent);
  if (evse.maxPower !== undefined && target.voltage > 0) current = Math.min(current, evse.maxPower / target.voltage);
  let voltage = target.voltage;
  if (evse.maxVoltage !== undefined) voltage = Math.min(voltage, evse.maxVoltage);
  return { voltage: Math.max(0, voltage), current: Math.max(0, current) };
}

export const currentDemand: EvccStep<ResOf<"CurrentDemandRes">> = Object.freeze({
  id: "CurrentDemand",
  timeout: V2G_EVCC_MSG_TIMEOUT_CURRENT_DEMAND,
  names: () => ({ request: "CurrentDemandReq", response: "CurrentDemandRes" }),
  request(ctx) {
    const bms = ctx.bms;
    const limits = bms.dcLimits();
    const target = clampedTarget(ctx);
    const full = bms.remainingTimeToFullSoc();
    const bulk = bms.remainingTimeToBulkSoc();
    const body = {
      DC_EVStatus: dcEvStatus(ctx),
      EVTargetCurrent: physical(round1(target.current)!, "A"),
      EVMaximumVoltageLimit: physical(limits.maxVoltage, "V"),
      EVMaximumCurrentLimit: physical(limits.maxCurrent, "A"),
      EVMaximumPowerLimit: physical(limits.maxPower, "W"),
      BulkChargingComplete: bms.bulkChargingComplete(),
      ChargingComplete: bms.chargingComplete(),
      ...(full !== undefined ? { RemainingTimeToFullSoC: physical(Math.round(full), "s") } : {}),
      ...(bulk !== undefined ? { RemainingTimeToBulkSoC: physical(Math.round(bulk), "s") } : {}),
      EVTargetVoltage: physical(round1(target.voltage)!, "V"),
    } satisfies BodyOf<"CurrentDemandReq">;
    return {
      name: "CurrentDemandReq",
      body,
      trace: { soc: round1(bms.soc()), targetVoltage: round1(target.voltage), targetCurrent: round1(target.current) },
    };
  },
  onResponse(res, ctx) {
    const evse = ctx.facts.evse;
    evse.presentVoltage = fromPhysical(res.EVSEPresentVoltage);
    evse.presentCurrent = fromPhysical(res.EVSEPresentCurrent);
    const maxCurrent = fromPhysical(res.EVSEMaximumCurrentLimit);
    const maxVoltage = fromPhysical(res.EVSEMaximumVoltageLimit);
    const maxPower = fromPhysical(res.EVSEMaximumPowerLimit);
    if (maxCurrent !== undefined) evse.maxCurrent = maxCurrent;
    if (maxVoltage !== undefined) evse.maxVoltage = maxVoltage;
    if (maxPower !== undefined) evse.maxPower = maxPower;
    const actions: VehicleAction[] = [
      { kind: "evse-values", values: { presentVoltage: evse.presentVoltage, presentCurrent: evse.presentCurrent, maxCurrent: evse.maxCurrent, maxVoltage: evse.maxVoltage, maxPower: evse.maxPower } },
    ];
    const problem = checkDcEvseStatus(res.DC_EVSEStatus) ?? checkBms(ctx);
    if (problem !== undefined) return problem.kind === "wind-down" ? { ...problem, actions } : problem;
    if (ctx.bms.chargingComplete()) return { kind: "wind-down", reason: "charging-complete", actions };
    if (ctx.protocol === "iso2" && res.DC_EVSEStatus?.EVSENotification === "ReNegotiation") {
      ctx.facts.renegotiating = true;
      return { kind: "next", step: "PowerDelivery", actions };
    }
    const receipt = ctx.protocol === "iso2" ? receiptDue(ctx, res as Iso2.CurrentDemandResType, "CurrentDemand") : undefined;
    if (receipt !== undefined) return { ...receipt, actions };
    return { kind: "repeat", delay: ctx.config.currentDemandInterval, actions };
  },
} satisfies EvccStep<ResOf<"CurrentDemandRes">>);
