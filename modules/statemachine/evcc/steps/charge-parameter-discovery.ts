// ChargeParameterDiscovery: the EV's limits out, the EVSE's limits and schedules in; repeat
// while EVSEProcessing is Ongoing (V2G_EVCC_Ongoing_Timer).

import { fromPhysical, physical } from "../physical";
import type { EvccStep, StepContext, VehicleAction } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";
import { checkDcEvseStatus, dcEvStatus } from "./common";

function dcChargeParameter(ctx: StepContext): Record<string, unknown> {
  const bms = ctx.bms;
  const limits = bms.dcLimits();
  const p: Record<string, unknown> = {};
  if (ctx.protocol === "iso2" && ctx.config.departureTime !== undefined) p.DepartureTime = ctx.config.departureTime;
  p.DC_EVStatus = dcEvStatus(ctx);
  p.EVMaximumCurrentLimit = physical(limits.maxCurrent, "A");
  p.EVMaximumPowerLimit = physical(limits.maxPower, "W");
  p.EVMaximumVoltageLimit = physical(limits.maxVoltage, "V");
  p.EVEnergyCapacity = physical(bms.capacityWh(), "Wh");
  p.EVEnergyRequest = physical(bms.energyRequestWh(), "Wh");
  const full = bms.fullSoc();
  const bulk = bms.bulkSoc();
  if (full !== undefined) p.FullSOC = Math.round(full);
  if (bulk !== undefined) p.BulkSOC = Math.round(bulk);
  return p;
}

function acChargeParameter(ctx: StepContext): Record<string, unknown> {
  const ac = ctx.bms.acLimits();
  const p: Record<string, unknown> = {};
  if (ctx.config.departureTime !== undefined) p.DepartureTime = ctx.config.departureTime;
  p.EAmount = physical(ctx.bms.energyRequestWh(), "Wh");
  p.EVMaxVoltage = physical(ac.maxVoltage, "V");
  p.EVMaxCurrent = physical(ac.maxCurrent, "A");
  p.EVMinCurrent = physical(ac.minCurrent, "A");
  return p;
}

export const chargeParameterDiscovery: EvccStep = Object.freeze({
  id: "ChargeParameterDiscovery",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  phaseTimer: "ongoing",
  names: () => ({ request: "ChargeParameterDiscoveryReq", response: "ChargeParameterDiscoveryRes" }),
  request(ctx) {
    const mode = ctx.config.energyTransferMode;
    const trace = { soc: Math.round(ctx.bms.soc()), energyRequestWh: Math.round(ctx.bms.energyRequestWh()) };
    if (ctx.protocol === "din") {
      return { name: "ChargeParameterDiscoveryReq", body: { EVRequestedEnergyTransferType: mode, DC_EVChargeParameter: dcChargeParameter(ctx) }, trace };
    }
    const body: Record<string, unknown> = {};
    if (ctx.config.maxEntriesSAScheduleTuple !== undefined) body.MaxEntriesSAScheduleTuple = ctx.config.maxEntriesSAScheduleTuple;
    body.RequestedEnergyTransferMode = mode;
    if (ctx.dc) body.DC_EVChargeParameter = dcChargeParameter(ctx);
    else body.AC_EVChargeParameter = acChargeParameter(ctx);
    return { name: "ChargeParameterDiscoveryReq", body, trace };
  },
  onResponse(res, ctx) {
    if (res.EVSEProcessing !== "Finished") return { kind: "repeat", delay: ctx.config.pollInterval };
    const tuple = res.SAScheduleList?.SAScheduleTuple?.[0];
    // SAScheduleTupleID 0 has been seen in the wild (outside 1..255); keep what the SECC said.
    if (tuple !== undefined) ctx.facts.saScheduleTupleId = tuple.SAScheduleTupleID;
    const evse = ctx.facts.evse;
    const actions: VehicleAction[] = [];
    if (ctx.dc) {
      const dc = res.DC_EVSEChargeParameter;
      if (dc !== undefined) {
        const fault = checkDcEvseStatus(dc.DC_EVSEStatus);
        if (fault !== undefined && fault.kind === "abort") return fault;
        evse.maxCurrent = fromPhysical(dc.EVSEMaximumCurrentLimit);
        evse.maxVoltage = fromPhysical(dc.EVSEMaximumVoltageLimit);
        evse.maxPower = fromPhysical(dc.EVSEMaximumPowerLimit);
        evse.minCurrent = fromPhysical(dc.EVSEMinimumCurrentLimit);
        evse.minVoltage = fromPhysical(dc.EVSEMinimumVoltageLimit);
        actions.push({ kind: "evse-values", values: { maxCurrent: evse.maxCurrent, maxVoltage: evse.maxVoltage, maxPower: evse.maxPower } });
      }
      // DIN 70121 and -2 DC: the EV switches to CP state C before CableCheck (the charger
      // applies the isolation test voltage only then).
      actions.push({ kind: "pilot", state: "C" });
      return { kind: "next", step: "CableCheck", actions };
    }
    const ac = res.AC_EVSEChargeParameter;
    if (ac !== undefined) {
      evse.maxCurrent = fromPhysical(ac.EVSEMaxCurrent);
      evse.nominalVoltage = fromPhysical(ac.EVSENominalVoltage ?? ac.EVSEMaxVoltage);
      actions.push({ kind: "evse-values", values: { maxCurrent: evse.maxCurrent, nominalVoltage: evse.nominalVoltage } });
    }
    return { kind: "next", step: "PowerDelivery", actions };
  },
} satisfies EvccStep);
