// PowerDelivery: Start after ChargeParameterDiscovery (AC) or PreCharge (DC); Stop when the EV
// winds down. The pilot and contactor changes around it follow ISO 15118-2 / DIN 70121 (CP state change within 250 ms of PowerDeliveryRes).

import type { Din, Iso2 } from "../../../exi/index";
import type { BodyOf, ResOf } from "../msg";
import type { EvccStep, StepContext, VehicleAction } from "../step";
import { V2G_EVCC_MSG_TIMEOUT_LONG } from "../timeouts";
import { acPhases, checkAcEvseStatus, checkDcEvseStatus, dcEvStatus } from "./common";
import { dinChargingProfile, iso2ChargingProfile } from "../charging-profile";

type Progress = "Start" | "Stop" | "Renegotiate";

/** What this PowerDeliveryReq says; the response handler recomputes it from the same facts. */
function progressOf(ctx: StepContext): Progress {
  if (ctx.facts.stopReason !== undefined) return "Stop";
  if (ctx.facts.renegotiating && ctx.facts.charging) return "Renegotiate";
  return "Start";
}

function dcPowerDeliveryParameter(ctx: StepContext, start: boolean): Din.DC_EVPowerDeliveryParameterType | Iso2.DC_EVPowerDeliveryParameterType {
  return {
    DC_EVStatus: dcEvStatus(ctx),
    BulkChargingComplete: start ? false : ctx.bms.bulkChargingComplete(),
    ChargingComplete: start ? false : ctx.bms.chargingComplete(),
  };
}

export const powerDelivery: EvccStep<ResOf<"PowerDeliveryRes">> = Object.freeze({
  id: "PowerDelivery",
  timeout: V2G_EVCC_MSG_TIMEOUT_LONG,
  names: () => ({ request: "PowerDeliveryReq", response: "PowerDeliveryRes" }),
  request(ctx) {
    const progress = progressOf(ctx);
    const start = progress === "Start";
    // The ChargingProfile goes with Start only: it is the plan for the energy transfer that
    // begins (fielded chargers check it there; Stop and Renegotiate end or suspend that plan).
    const profile = start ? ctx.facts.chargingProfile : undefined;
    const trace = { progress, soc: Math.floor(ctx.bms.soc()), ...(profile !== undefined ? { profileEntries: profile.length } : {}) };
    if (ctx.protocol === "din") {
      // DIN 70121: ReadyToChargeState is a boolean (true = start, false = stop); its
      // ChargingProfile names the tuple it follows.
      const din = {
        ReadyToChargeState: start,
        ...(profile !== undefined ? { ChargingProfile: dinChargingProfile(profile, ctx.facts.saScheduleTupleId) } : {}),
        DC_EVPowerDeliveryParameter: dcPowerDeliveryParameter(ctx, start),
      } satisfies BodyOf<"PowerDeliveryReq">;
      return { name: "PowerDeliveryReq", body: din, trace };
    }
    const body = {
      ChargeProgress: progress,
      SAScheduleTupleID: ctx.facts.saScheduleTupleId,
      // AC: ChargingProfileEntryMaxNumberOfPhasesInUse tells the charger how many phases the EV draws on.
      ...(profile !== undefined ? { ChargingProfile: iso2ChargingProfile(profile, ctx.dc ? undefined : acPhases(ctx.config.energyTransferMode)) } : {}),
      ...(ctx.dc ? { DC_EVPowerDeliveryParameter: dcPowerDeliveryParameter(ctx, start) } : {}),
    } satisfies BodyOf<"PowerDeliveryReq">;
    return { name: "PowerDeliveryReq", body, trace };
  },
  onResponse(res, ctx) {
    const actions: VehicleAction[] = [];
    const progress = progressOf(ctx);
    if (progress === "Renegotiate") {
      // After Renegotiate the EV agrees new parameters; DC starts over with
      // CableCheck and PreCharge (the output is switched off meanwhile), so the contactors open.
      ctx.facts.charging = false;
      ctx.facts.renegotiating = false;
      if (ctx.dc) actions.push({ kind: "contactors", closed: false });
      else actions.push({ kind: "pilot", state: "B" });
      return { kind: "next", step: "ChargeParameterDiscovery", actions };
    }
    if (progress === "Start") {
      if (ctx.dc) {
        const problem = checkDcEvseStatus(res.DC_EVSEStatus);
        if (problem !== undefined && problem.kind === "abort") return problem;
        ctx.facts.charging = true;
        if (problem !== undefined) return problem;
        return { kind: "next", step: "CurrentDemand" };
      }
      ctx.facts.charging = true;
      // AC: the EV closes S2 (state C) within 250 ms of PowerDeliveryRes; the EVSE then
      // closes its contactor.
      actions.push({ kind: "pilot", state: "C" });
      const problem = checkAcEvseStatus(res.AC_EVSEStatus);
      if (problem !== undefined && problem.kind === "wind-down") return { ...problem, actions };
      return { kind: "next", step: "ChargingStatus", actions };
    }
    ctx.facts.charging = false;
    ctx.facts.powerStopped = true;
    // State B stops the charger's output; DC then opens the contactors and checks for welding.
    actions.push({ kind: "pilot", state: "B" });
    if (ctx.dc) {
      actions.push({ kind: "contactors", closed: false });
      return { kind: "next", step: ctx.config.weldingDetection ? "WeldingDetection" : "SessionStop", actions };
    }
    return { kind: "next", step: "SessionStop", actions };
  },
} satisfies EvccStep<ResOf<"PowerDeliveryRes">>);
