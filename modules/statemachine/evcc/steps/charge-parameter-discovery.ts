// ChargeParameterDiscovery: the EV's limits out, the EVSE's limits and schedules in; repeat
// while EVSEProcessing is Ongoing (V2G_EVCC_Ongoing_Timer).

import { fromPhysical, physical } from "../physical";
import type { Din, Iso2 } from "../../../exi/index";
import type { BodyOf, ResOf } from "../msg";
import type { EvccStep, StepContext, VehicleAction } from "../step";
import { V2G_EVCC_MSG_TIMEOUT } from "../timeouts";
import { acPhases, checkDcEvseStatus, dcEvStatus } from "./common";
import { chargingProfileFromSchedule, scheduleOfTuple } from "../charging-profile";
import { checkSalesTariffs } from "../iso2-pnc";
import type { StepResult } from "../step";

/**
 * ISO-2 Plug & Charge: the SalesTariffs must carry the contract issuer's signature (iso2-pnc.ts
 * checkSalesTariffs). A tariff that fails is ignored — the vehicle behaves as if none had come,
 * as ISO 15118-2 prescribes — and logged; with `invalidSalesTariff: "close"` the session ends.
 * Returns the abort, or undefined to go on (`actions` gets the log line).
 */
function salesTariffCheck(res: Iso2.ChargeParameterDiscoveryResType, ctx: StepContext, actions: VehicleAction[]): StepResult | undefined {
  const pnc = ctx.config.pnc;
  const facts = ctx.facts.pnc;
  if (facts !== undefined) facts.salesTariffs = undefined;
  const tuples = res.SAScheduleList?.SAScheduleTuple;
  if (ctx.protocol !== "iso2" || pnc === undefined || facts?.contract === undefined || tuples === undefined) return undefined;
  const check = checkSalesTariffs(pnc.crypto, pnc.store, facts.contract, tuples, facts.responseSignature);
  if (check.ok) {
    if (check.tariffs.length > 0) {
      facts.salesTariffs = check.tariffs;
      actions.push({ kind: "log", level: "info", message: `SalesTariff signature verified (${check.tariffs.length} tariff${check.tariffs.length > 1 ? "s" : ""}, signed by the contract's MO Sub-CA)` });
    }
    return undefined;
  }
  for (const tuple of tuples) delete tuple.SalesTariff;
  if (pnc.invalidSalesTariff === "close") return { kind: "abort", reason: "contract", detail: `SalesTariff refused: ${check.detail}` };
  actions.push({ kind: "log", level: "warn", message: `SalesTariff ignored (charging on the PMaxSchedule alone): ${check.detail}` });
  return undefined;
}

function dcChargeParameter(ctx: StepContext): Din.DC_EVChargeParameterType | Iso2.DC_EVChargeParameterType {
  const bms = ctx.bms;
  const limits = bms.dcLimits();
  const full = bms.fullSoc();
  const bulk = bms.bulkSoc();
  const departure = ctx.config.departureTime;
  return {
    // DepartureTime exists in ISO-2's EVChargeParameterType only.
    ...(ctx.protocol === "iso2" && departure !== undefined ? { DepartureTime: departure } : {}),
    DC_EVStatus: dcEvStatus(ctx),
    EVMaximumCurrentLimit: physical(limits.maxCurrent, "A"),
    EVMaximumPowerLimit: physical(limits.maxPower, "W"),
    EVMaximumVoltageLimit: physical(limits.maxVoltage, "V"),
    EVEnergyCapacity: physical(bms.capacityWh(), "Wh"),
    EVEnergyRequest: physical(bms.energyRequestWh(), "Wh"),
    ...(full !== undefined ? { FullSOC: Math.round(full) } : {}),
    ...(bulk !== undefined ? { BulkSOC: Math.round(bulk) } : {}),
  };
}

function acChargeParameter(ctx: StepContext): Iso2.AC_EVChargeParameterType {
  const ac = ctx.bms.acLimits();
  const departure = ctx.config.departureTime;
  return {
    ...(departure !== undefined ? { DepartureTime: departure } : {}),
    EAmount: physical(ctx.bms.energyRequestWh(), "Wh"),
    EVMaxVoltage: physical(ac.maxVoltage, "V"),
    EVMaxCurrent: physical(ac.maxCurrent, "A"),
    EVMinCurrent: physical(ac.minCurrent, "A"),
  };
}

export const chargeParameterDiscovery: EvccStep<ResOf<"ChargeParameterDiscoveryRes">> = Object.freeze({
  id: "ChargeParameterDiscovery",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  phaseTimer: "ongoing",
  names: () => ({ request: "ChargeParameterDiscoveryReq", response: "ChargeParameterDiscoveryRes" }),
  request(ctx) {
    const mode = ctx.config.energyTransferMode;
    const trace = { soc: Math.round(ctx.bms.soc()), energyRequestWh: Math.round(ctx.bms.energyRequestWh()) };
    if (ctx.protocol === "din") {
      const din = { EVRequestedEnergyTransferType: mode, DC_EVChargeParameter: dcChargeParameter(ctx) } satisfies BodyOf<"ChargeParameterDiscoveryReq">;
      return { name: "ChargeParameterDiscoveryReq", body: din, trace };
    }
    const max = ctx.config.maxEntriesSAScheduleTuple;
    const body = {
      ...(max !== undefined ? { MaxEntriesSAScheduleTuple: max } : {}),
      RequestedEnergyTransferMode: mode,
      ...(ctx.dc ? { DC_EVChargeParameter: dcChargeParameter(ctx) as Iso2.DC_EVChargeParameterType } : { AC_EVChargeParameter: acChargeParameter(ctx) }),
    } satisfies BodyOf<"ChargeParameterDiscoveryReq">;
    return { name: "ChargeParameterDiscoveryReq", body, trace };
  },
  onResponse(res, ctx) {
    if (res.EVSEProcessing !== "Finished") return { kind: "repeat", delay: ctx.config.pollInterval };
    const actions: VehicleAction[] = [];
    if (ctx.protocol === "iso2") {
      const refused = salesTariffCheck(res as Iso2.ChargeParameterDiscoveryResType, ctx, actions);
      if (refused !== undefined) return refused;
    }
    const tuple = res.SAScheduleList?.SAScheduleTuple?.[0];
    // SAScheduleTupleID 0 has been seen in the wild (outside 1..255); keep what the SECC said.
    if (tuple !== undefined) ctx.facts.saScheduleTupleId = tuple.SAScheduleTupleID;
    const evse = ctx.facts.evse;
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
      planChargingProfile(ctx, tuple);
      // DIN 70121 and -2 DC: the EV switches to CP state C before CableCheck (the charger
      // applies the isolation test voltage only then).
      actions.push({ kind: "pilot", state: "C" });
      return { kind: "next", step: "CableCheck", actions };
    }
    const ac = res.AC_EVSEChargeParameter;
    if (ac !== undefined) {
      evse.maxCurrent = fromPhysical(ac.EVSEMaxCurrent);
      evse.nominalVoltage = fromPhysical("EVSENominalVoltage" in ac ? ac.EVSENominalVoltage : ac.EVSEMaxVoltage);
      actions.push({ kind: "evse-values", values: { maxCurrent: evse.maxCurrent, nominalVoltage: evse.nominalVoltage } });
    }
    planChargingProfile(ctx, tuple);
    return { kind: "next", step: "PowerDelivery", actions };
  },
} satisfies EvccStep<ResOf<"ChargeParameterDiscoveryRes">>);

/**
 * Plans the ChargingProfile for PowerDeliveryReq(Start) now, while the (up to 1,024-entry)
 * schedule is at hand, so that only its ≤ 24 entries stay in memory. Each
 * ChargeParameterDiscoveryRes replaces it: after renegotiation the profile follows the new tuple.
 */
function planChargingProfile(ctx: StepContext, tuple: Din.SAScheduleTupleType | Iso2.SAScheduleTupleType | undefined): void {
  ctx.facts.chargingProfile = undefined;
  if (ctx.config.chargingProfile !== "schedule" || tuple === undefined) return;
  const schedule = scheduleOfTuple(tuple);
  if (schedule === undefined) return;
  const profile = chargingProfileFromSchedule(schedule, { maxPower: vehicleMaxPower(ctx), departure: ctx.config.departureTime });
  if (profile.length > 0) ctx.facts.chargingProfile = profile;
}

/** The most power the vehicle takes (W): DC its EVMaximumPowerLimit; AC its current per phase × the supply's voltage × phases. */
function vehicleMaxPower(ctx: StepContext): number {
  if (ctx.dc) return ctx.bms.dcLimits().maxPower;
  const ac = ctx.bms.acLimits();
  const voltage = ctx.facts.evse.nominalVoltage ?? ac.maxVoltage;
  return ac.maxCurrent * voltage * acPhases(ctx.config.energyTransferMode);
}
