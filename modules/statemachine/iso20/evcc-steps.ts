// ISO 15118-20 EVCC steps (EIM; DC, DC_BPT, AC, AC_BPT; Scheduled and Dynamic): one record per
// request, pure request builders and response handlers, run by the shared EvccSession
// (../evcc/session.ts), which checks names, SessionID and FAILED codes before a step sees a
// response. Two tables, DC and AC, because the ChargeParameterDiscovery and ChargeLoop
// messages are named after the transfer (DC_ChargeLoopReq, AC_ChargeLoopReq).
//
// Sequence: SessionSetup → AuthorizationSetup → Authorization (EIM, repeated while Ongoing) →
// ServiceDiscovery → ServiceDetail → ServiceSelection → DC/AC_ChargeParameterDiscovery →
// ScheduleExchange → DC: [pilot C] DC_CableCheck… → DC_PreCharge… (Ongoing until the voltage
// matches, then once Finished) → [contactors closed] PowerDelivery(Start) → DC_ChargeLoop…;
// AC: PowerDelivery(Start) → [pilot C] AC_ChargeLoop… → PowerDelivery(Stop) → [pilot B; DC
// contactors open] → DC_WeldingDetection… (…Finished) → SessionStop (Terminate | Pause).

import { Millis } from "../../common/index";
import type { EvccStep, StepContext, StepResult, VehicleAction } from "../evcc/step";
import { checkBms } from "../evcc/steps/common";
import { clampedTarget } from "../evcc/steps/current-demand";
import type { EvccStepId } from "../evcc/types";
import { dischargeIn } from "./bpt";
import { HEADER_SLOT } from "./envelope";
import type { Iso20EvBms, Iso20EvccConfig, Iso20EvccFacts } from "./evcc-types";
import { planPowerProfile, readPriceSchedule } from "./prices";
import { fromRational, optionalRational, rational } from "./rational";
import { isBpt, isDc, readParameterSet, SERVICE_ID } from "./services";
import {
  V2G_EVCC_CHARGE_LOOP_MSG_TIMEOUT_20,
  V2G_EVCC_EIM_ONGOING_TIMEOUT_20,
  V2G_EVCC_MSG_TIMEOUT_20,
  V2G_EVCC_MSG_TIMEOUT_LONG_20,
  V2G_EVCC_PRE_CHARGE_TIMEOUT_20,
  V2G_EVCC_SEQUENCE_PERFORMANCE_TIME_CHARGE_LOOP,
} from "./timeouts";
import { pncAuthorizationRequest } from "./pnc";
import { acceptContractIso20, certificateInstallationRequest, oemProvisioning } from "./pnc-certificate";
import { meteringConfirmationRequest } from "./pnc-metering";
import { usableContract } from "../evcc/iso2-pnc";
import type { SignatureType } from "../../pki-store/index";
import type * as cm from "../../exi/generated/iso20_cm/types";

type Res = Record<string, any>;

const cfg = (ctx: StepContext): Iso20EvccConfig => ctx.config.iso20!;
const f20 = (ctx: StepContext): Iso20EvccFacts => ctx.facts.iso20!;
const bms20 = (ctx: StepContext): Iso20EvBms => ctx.bms as Iso20EvBms;

export function step(spec: {
  id: EvccStepId;
  request: string;
  timeout?: Millis;
  phaseTimer?: EvccStep["phaseTimer"];
  phaseLimit?: Millis;
  build(ctx: StepContext): object;
  /** A signed request instead (Plug & Charge): its content and the header Signature; undefined: build(). */
  signed?(ctx: StepContext): { body: object; signature: SignatureType } | undefined;
  trace?(ctx: StepContext): Record<string, string | number | boolean | undefined>;
  onResponse(res: Res, ctx: StepContext): StepResult;
}): EvccStep<Res> {
  // The closure below reads a const, frozen spec: Moddable's preload freezes the step tables
  // and checks that what their functions capture is const and frozen too.
  const fixed = Object.freeze(spec);
  const names = Object.freeze({ request: fixed.request, response: fixed.request.replace(/Req$/, "Res") });
  return Object.freeze({
    id: spec.id,
    timeout: spec.timeout ?? V2G_EVCC_MSG_TIMEOUT_20,
    phaseTimer: spec.phaseTimer,
    phaseLimit: spec.phaseLimit,
    names: () => names,
    request: (ctx: StepContext) => {
      const signed = fixed.signed?.(ctx);
      const trace = fixed.trace ? fixed.trace(ctx) : {};
      return signed !== undefined ? { name: fixed.request, body: signed.body, signature: signed.signature, trace } : { name: fixed.request, body: fixed.build(ctx), trace };
    },
    onResponse: spec.onResponse,
  });
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16).toUpperCase();
  return out;
}

/** Energy requests (Wh) for ScheduleExchange and the Dynamic loop. */
function energy(ctx: StepContext): { target: number; max: number; min: number } {
  const own = bms20(ctx).energyRequests?.();
  if (own !== undefined) return own;
  const wh = Math.max(0, Math.round(ctx.bms.energyRequestWh()));
  return { target: wh, max: wh, min: 0 };
}

/** Target, maximum and minimum energy request, in the order the -20 control modes list them. */
function putEnergyRequests(mode: Record<string, unknown>, ctx: StepContext): void {
  const e = energy(ctx);
  mode.EVTargetEnergyRequest = rational(e.target);
  mode.EVMaximumEnergyRequest = rational(e.max);
  mode.EVMinimumEnergyRequest = rational(e.min);
}

/** The loop's shape: BPT or not, Dynamic or Scheduled. */
function shape(ctx: StepContext): { c: Iso20EvccConfig; bpt: boolean; dynamic: boolean } {
  const c = cfg(ctx);
  return { c, bpt: isBpt(c.transfer), dynamic: (c.controlMode ?? "scheduled") === "dynamic" };
}

/**
 * The discharge limits to send (magnitudes, ./bpt.ts), read from the BMS every time: 0 when
 * the BMS does not permit discharge, the SoC is at or below its minimum, or the cycle budget
 * is spent — whatever the BMS's own limits say, so that the charger stops taking energy.
 */
function dischargeLimits(ctx: StepContext): { maxPower: number; maxCurrent: number; minPower: number } {
  const bms = bms20(ctx);
  const d = bms.dischargeLimits?.();
  const minSoc = bms.minimumSocPercent?.();
  const budget = bms.dischargeBudgetWh?.();
  if (d === undefined || bms.dischargePermitted?.() === false || (minSoc !== undefined && ctx.bms.soc() <= minSoc) || (budget !== undefined && budget <= 0)) {
    return { maxPower: 0, maxCurrent: 0, minPower: 0 };
  }
  return { maxPower: d.maxPower, maxCurrent: d.maxCurrent, minPower: d.minPower ?? 0 };
}

function minVoltage(ctx: StepContext): number {
  return bms20(ctx).minVoltage?.() ?? Math.round(ctx.bms.dcLimits().maxVoltage / 2);
}

/** AC: the on-board charger's maximum power (W) from its per-phase limits. */
function acMaxPower(ctx: StepContext): number {
  const c = cfg(ctx);
  const limits = ctx.bms.acLimits();
  return (c.nominalVoltage ?? 230) * limits.maxCurrent * (c.phases ?? 3);
}

// ---- CommonMessages -----------------------------------------------------------------------

const sessionSetup = step({
  id: "SessionSetup",
  request: "SessionSetupReq",
  build: (ctx) => ({ Header: HEADER_SLOT, EVCCID: cfg(ctx).evccId ?? hex(ctx.config.evccId) }),
  onResponse(res, ctx) {
    ctx.facts.resumed = res.ResponseCode === "OK_OldSessionJoined";
    ctx.facts.evseId = res.EVSEID;
    // A resumed session keeps its authorization, service and parameter set ([V2G20-1844]): the
    // one request allowed next is *_ChargeParameterDiscoveryReq ([V2G20-1032], [V2G20-1843]).
    // The service is this vehicle's configured one, the one it selected before the pause.
    // OK_NewSessionEstablished instead: everything from the paused session is dropped and the
    // session starts over ([V2G20-2615]–[V2G20-2617]).
    if (ctx.facts.resumed) {
      f20(ctx).serviceId = SERVICE_ID[cfg(ctx).transfer];
      return { kind: "next", step: "ChargeParameterDiscovery" };
    }
    return { kind: "next", step: "AuthorizationSetup" };
  },
});

const authorizationSetup = step({
  id: "AuthorizationSetup",
  request: "AuthorizationSetupReq",
  build: () => ({ Header: HEADER_SLOT }),
  onResponse(res, ctx) {
    const services: string[] = res.AuthorizationServices ?? [];
    f20(ctx).eimOffered = services.indexOf("EIM") >= 0;
    // Plug & Charge where the vehicle has a usable contract and the charger offers PnC with a
    // challenge (it does so only over TLS; a plain-TCP session never carries the contract:
    // EvccConnection leaves config.pnc out there).
    const pnc = ctx.config.pnc;
    const challenge = (res as cm.AuthorizationSetupResType).PnC_ASResAuthorizationMode?.GenChallenge;
    if (pnc !== undefined && services.indexOf("PnC") >= 0 && challenge instanceof Uint8Array) {
      const contract = usableContract(pnc.store);
      if (contract !== undefined) {
        ctx.facts.pnc = { certificateService: res.CertificateInstallationService === true, contract, challenge };
        return { kind: "next", step: "Authorization" };
      }
      // No contract yet: install one first where the charger offers it and the vehicle holds its
      // OEM provisioning certificate (./pnc-certificate.ts), then AuthorizationReq(PnC) with it.
      if (res.CertificateInstallationService === true && oemProvisioning(pnc.store) !== undefined) {
        ctx.facts.pnc = { certificateService: true, challenge };
        return { kind: "next", step: "CertificateInstallation" };
      }
    }
    if (services.indexOf("EIM") < 0) return { kind: "abort", reason: "no-charge-service", detail: `AuthorizationServices ${services.join(",")}: no EIM${pnc !== undefined ? " and no usable contract for PnC" : ""}` };
    return { kind: "next", step: "Authorization" };
  },
});

const authorization = step({
  id: "Authorization",
  request: "AuthorizationReq",
  phaseTimer: "ongoing",
  // The EV waits as long as the SECC may keep an EIM identification Ongoing (see ./timeouts.ts).
  phaseLimit: V2G_EVCC_EIM_ONGOING_TIMEOUT_20,
  build: () => ({ Header: HEADER_SLOT, SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} }),
  // Plug & Charge: the charger's GenChallenge and the contract chain, signed by the contract key
  // (signed anew for each repetition while Ongoing; ./pnc.ts).
  signed: (ctx) => {
    const pnc = ctx.facts.pnc;
    if (pnc?.contract === undefined || pnc.challenge === undefined) return undefined;
    const { mode, signature } = pncAuthorizationRequest(ctx.config.pnc!.crypto, pnc.contract, pnc.challenge);
    return { body: { Header: HEADER_SLOT, SelectedAuthorizationService: "PnC", PnC_AReqAuthorizationMode: mode }, signature };
  },
  trace: (ctx) => ({ service: ctx.facts.pnc?.challenge !== undefined ? "PnC" : "EIM" }),
  onResponse(res, ctx) {
    if (String(res.ResponseCode).indexOf("WARNING") === 0) return { kind: "abort", reason: "response-code", detail: `AuthorizationRes: ${res.ResponseCode}` };
    if (res.EVSEProcessing === "Finished") return { kind: "next", step: "ServiceDiscovery" };
    return { kind: "repeat", delay: ctx.config.pollInterval };
  },
});

const certificateInstallation = step({
  id: "CertificateInstallation",
  request: "CertificateInstallationReq",
  // The charger waits for its backend: the long message timeout (Table 215).
  timeout: V2G_EVCC_MSG_TIMEOUT_LONG_20,
  build: () => {
    throw new Error("CertificateInstallationReq is always signed (EvccConfig.pnc)");
  },
  signed: (ctx) => certificateInstallationRequest(ctx.config.pnc!.crypto, ctx.config.pnc!.store),
  trace: (ctx) => ({ pcid: oemProvisioning(ctx.config.pnc!.store)?.pcid }),
  onResponse(res, ctx) {
    if (res.EVSEProcessing !== undefined && res.EVSEProcessing !== "Finished" && res.ResponseCode === "OK") return { kind: "repeat", delay: ctx.config.pollInterval };
    const pnc = ctx.config.pnc!;
    const result = acceptContractIso20(pnc.crypto, pnc.store, res as cm.CertificateInstallationResType);
    // No contract to be had (a WARNING code, e.g. WARNING_NoContractMatchingPCIDFound): charge with EIM where offered.
    if (!result.ok && result.failure === "response-code" && String(res.ResponseCode).indexOf("WARNING") === 0 && f20(ctx).eimOffered === true) {
      ctx.facts.pnc = undefined;
      return { kind: "next", step: "Authorization" };
    }
    // [V2G20-2504]: a response that does not hold is rejected; the vehicle installs nothing and stops.
    if (!result.ok) return { kind: "abort", reason: "contract", detail: `CertificateInstallationRes refused (${result.failure}): ${result.detail}` };
    ctx.facts.pnc!.contract = result.contract;
    return { kind: "next", step: "Authorization" };
  },
});

/** The charger asked for the signed MeteringConfirmation (EVSENotification) of its MeterInfo. */
const meteringConfirmation = step({
  id: "MeteringReceipt",
  request: "MeteringConfirmationReq",
  build: () => {
    throw new Error("MeteringConfirmationReq is always signed (a Plug & Charge contract)");
  },
  signed: (ctx) =>
    meteringConfirmationRequest(ctx.config.pnc!.crypto, ctx.facts.pnc!.contract!, ctx.facts.sessionId, f20(ctx).meteringConfirmation!, shape(ctx).dynamic ? undefined : (f20(ctx).scheduleTupleId ?? 1)),
  trace: (ctx) => ({ meterWh: String(f20(ctx).meteringConfirmation?.ChargedEnergyReadingWh) }),
  onResponse(_res, ctx) {
    f20(ctx).meteringConfirmation = undefined;
    return { kind: "next", step: "ChargeLoop" };
  },
});

const serviceDiscovery = step({
  id: "ServiceDiscovery",
  request: "ServiceDiscoveryReq",
  build: () => ({ Header: HEADER_SLOT }),
  onResponse(res, ctx) {
    const wanted = SERVICE_ID[cfg(ctx).transfer];
    const services: { ServiceID: number }[] = res.EnergyTransferServiceList?.Service ?? [];
    for (const s of services) {
      if (s.ServiceID === wanted) {
        f20(ctx).serviceId = wanted;
        return { kind: "next", step: "ServiceDetail" };
      }
    }
    return { kind: "abort", reason: "no-charge-service", detail: `service ${wanted} (${cfg(ctx).transfer}) not offered` };
  },
});

const serviceDetail = step({
  id: "ServiceDetail",
  request: "ServiceDetailReq",
  timeout: V2G_EVCC_MSG_TIMEOUT_LONG_20,
  build: (ctx) => ({ Header: HEADER_SLOT, ServiceID: f20(ctx).serviceId }),
  onResponse(res, ctx) {
    const c = cfg(ctx);
    const mode = c.controlMode ?? "scheduled";
    for (const set of res.ServiceParameterList?.ParameterSet ?? []) {
      const read = readParameterSet(c.transfer, set);
      if (read.controlMode === mode) {
        f20(ctx).parameterSet = read;
        return { kind: "next", step: "ServiceSelection" };
      }
    }
    return { kind: "abort", reason: "no-charge-service", detail: `no ${mode} parameter set for service ${res.ServiceID}` };
  },
});

const serviceSelection = step({
  id: "ServiceSelection",
  request: "ServiceSelectionReq",
  build: (ctx) => ({ Header: HEADER_SLOT, SelectedEnergyTransferService: { ServiceID: f20(ctx).serviceId, ParameterSetID: f20(ctx).parameterSet!.id } }),
  onResponse: () => ({ kind: "next", step: "ChargeParameterDiscovery" }),
});

const scheduleExchange = step({
  id: "ScheduleExchange",
  request: "ScheduleExchangeReq",
  phaseTimer: "ongoing",
  build(ctx) {
    const c = cfg(ctx);
    const bms = bms20(ctx);
    const departure = bms.departureTime?.() ?? ctx.config.departureTime;
    const points = c.maximumSupportingPoints ?? 24;
    if ((c.controlMode ?? "scheduled") === "dynamic") {
      const mode: Record<string, unknown> = { DepartureTime: departure ?? 3600 };
      const min = bms.minimumSocPercent?.();
      const target = bms.targetSocPercent?.();
      if (min !== undefined) mode.MinimumSOC = Math.round(min);
      if (target !== undefined) mode.TargetSOC = Math.round(target);
      putEnergyRequests(mode, ctx);
      return { Header: HEADER_SLOT, MaximumSupportingPoints: points, Dynamic_SEReqControlMode: mode };
    }
    const mode: Record<string, unknown> = {};
    if (departure !== undefined) mode.DepartureTime = departure;
    putEnergyRequests(mode, ctx);
    return { Header: HEADER_SLOT, MaximumSupportingPoints: points, Scheduled_SEReqControlMode: mode };
  },
  onResponse(res, ctx) {
    if (res.EVSEProcessing !== "Finished") return { kind: "repeat", delay: ctx.config.pollInterval };
    const f = f20(ctx);
    const tuple = res.Scheduled_SEResControlMode?.ScheduleTuple?.[0];
    if (tuple !== undefined) {
      f.scheduleTupleId = tuple.ScheduleTupleID;
      const entries: { Duration: number; Power: { Exponent: number; Value: number } }[] = tuple.ChargingSchedule?.PowerSchedule?.PowerScheduleEntries?.PowerScheduleEntry ?? [];
      f.schedule = entries.map((e) => ({ duration: e.Duration, power: fromRational(e.Power) }));
      f.prices = readPriceSchedule(tuple.ChargingSchedule);
      f.powerTolerance = optionalRational(tuple.ChargingSchedule?.PowerSchedule?.PowerTolerance);
    } else if ((cfg(ctx).controlMode ?? "scheduled") === "scheduled") {
      return { kind: "abort", reason: "sequence", detail: "ScheduleExchangeRes without a ScheduleTuple in Scheduled mode" };
    }
    else f.prices = readPriceSchedule(res.Dynamic_SEResControlMode);
    if (ctx.facts.renegotiating || !ctx.dc) return { kind: "next", step: "PowerDelivery" };
    return { kind: "next", step: "CableCheck", actions: [{ kind: "pilot", state: "C" }] };
  },
});

/** The power the EV plans (W, signed): its maximum within the schedule's first step; negative in the Discharge channel. */
function profilePower(ctx: StepContext): number {
  const c = cfg(ctx);
  if (isBpt(c.transfer) && c.channel === "Discharge") return -dischargeLimits(ctx).maxPower;
  const own = ctx.dc ? ctx.bms.dcLimits().maxPower : acMaxPower(ctx);
  const first = f20(ctx).schedule?.[0]?.power;
  return first !== undefined && first < own ? first : own;
}

function flatEntry(ctx: StepContext): { Duration: number; Power: object } {
  return { Duration: ctx.config.departureTime ?? 3600, Power: rational(Math.round(profilePower(ctx))) };
}

/**
 * Scheduled: the EV's profile. Price-aware (config.iso20.priceAware, charging, with the
 * charger's prices): the energy it needs bought in the cheapest intervals until departure (or
 * the schedule's end); otherwise one entry at the EV's maximum within the first step.
 */
function plannedEntries(ctx: StepContext): object[] {
  const f = f20(ctx);
  const c = cfg(ctx);
  if (c.priceAware !== true || f.prices === undefined || f.schedule === undefined || (isBpt(c.transfer) && c.channel === "Discharge")) return [flatEntry(ctx)];
  const schedule = f.schedule.map((s) => ({ duration: s.duration, value: s.power }));
  let total = 0;
  for (const s of schedule) total += s.duration;
  const horizon = bms20(ctx).departureTime?.() ?? ctx.config.departureTime ?? total;
  const own = ctx.dc ? ctx.bms.dcLimits().maxPower : acMaxPower(ctx);
  return planPowerProfile(schedule, f.prices, own, energy(ctx).target, Math.max(1, Math.min(horizon, total)));
}

const powerDelivery = step({
  id: "PowerDelivery",
  request: "PowerDeliveryReq",
  build(ctx) {
    const facts = ctx.facts;
    const c = cfg(ctx);
    if (facts.charging && (facts.stopReason !== undefined || f20(ctx).serviceRenegotiation)) return { Header: HEADER_SLOT, EVProcessing: "Finished", ChargeProgress: "Stop" };
    if (facts.charging && f20(ctx).scheduleRenegotiation) return { Header: HEADER_SLOT, EVProcessing: "Finished", ChargeProgress: "ScheduleRenegotiation" };
    // Standby: no power for now, the session and the loop go on (leaving it is a Start with the profile).
    if (facts.charging && f20(ctx).standbyChange === "enter") return { Header: HEADER_SLOT, EVProcessing: "Finished", ChargeProgress: "Standby" };
    const dynamic = (c.controlMode ?? "scheduled") === "dynamic";
    const profile: Record<string, unknown> = { TimeAnchor: 0n };
    if (dynamic) profile.Dynamic_EVPPTControlMode = {};
    else {
      const mode: Record<string, unknown> = { SelectedScheduleTupleID: f20(ctx).scheduleTupleId ?? 1 };
      // An offered PowerTolerance is answered either way ([V2G20-1601]: declined, the charger renegotiates).
      if (f20(ctx).powerTolerance !== undefined) mode.PowerToleranceAcceptance = c.acceptPowerTolerance === false ? "PowerToleranceNotConfirmed" : "PowerToleranceConfirmed";
      profile.Scheduled_EVPPTControlMode = mode;
    }
    profile.EVPowerProfileEntries = { EVPowerProfileEntry: dynamic ? [flatEntry(ctx)] : plannedEntries(ctx) };
    const body: Record<string, unknown> = { Header: HEADER_SLOT, EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: profile };
    if (isBpt(c.transfer)) body.BPT_ChannelSelection = c.channel ?? "Charge";
    return body;
  },
  trace: (ctx) => ({
    progress: !ctx.facts.charging
      ? "Start"
      : ctx.facts.stopReason !== undefined || f20(ctx).serviceRenegotiation
        ? "Stop"
        : f20(ctx).scheduleRenegotiation
          ? "ScheduleRenegotiation"
          : f20(ctx).standbyChange === "enter"
            ? "Standby"
            : "Start",
  }),
  onResponse(res, ctx) {
    const facts = ctx.facts;
    if (facts.charging && (facts.stopReason !== undefined || f20(ctx).serviceRenegotiation)) {
      facts.charging = false;
      facts.powerStopped = true;
      const actions: VehicleAction[] = ctx.dc ? [{ kind: "contactors", closed: false }, { kind: "pilot", state: "B" }] : [{ kind: "pilot", state: "B" }];
      return { kind: "next", step: ctx.dc && ctx.config.weldingDetection ? "WeldingDetection" : "SessionStop", actions };
    }
    if (facts.charging && f20(ctx).scheduleRenegotiation) {
      // Asked: a new ScheduleExchange follows (facts.renegotiating skips the cable check), then PowerDelivery(Start).
      f20(ctx).scheduleRenegotiation = false;
      return { kind: "next", step: "ScheduleExchange" };
    }
    const f = f20(ctx);
    if (facts.charging && f.standbyChange !== undefined) {
      // WARNING_StandbyNotAllowed: the charger keeps the power on; the EV charges on.
      const entering = f.standbyChange === "enter";
      f.standbyChange = undefined;
      f.standby = entering && res.ResponseCode !== "WARNING_StandbyNotAllowed";
      return { kind: "next", step: "ChargeLoop" };
    }
    facts.charging = true;
    facts.renegotiating = false;
    return { kind: "next", step: "ChargeLoop", actions: ctx.dc ? undefined : [{ kind: "pilot", state: "C" }] };
  },
});

const sessionStop = step({
  id: "SessionStop",
  request: "SessionStopReq",
  build: (ctx) => ({ Header: HEADER_SLOT, ChargingSession: f20(ctx).serviceRenegotiation ? "ServiceRenegotiation" : ctx.facts.pause ? "Pause" : "Terminate" }),
  onResponse(_res, ctx) {
    const f = f20(ctx);
    if (!f.serviceRenegotiation || ctx.facts.stopReason !== undefined) return { kind: "done" };
    // The session goes on: services are chosen anew (the same ones; a vehicle application could change the config).
    f.serviceRenegotiation = false;
    ctx.facts.powerStopped = false;
    return { kind: "next", step: "ServiceDiscovery" };
  },
});

/**
 * EVSENotification of a loop response: Terminate / Pause wind down; ExitStandby ends the EV's
 * standby (PowerDelivery Start); ScheduleRenegotiation asks
 * for a new schedule; ServiceRenegotiation stops power and goes back to ServiceDiscovery through
 * SessionStop(ServiceRenegotiation).
 */
function notification(res: Res, ctx: StepContext, actions: VehicleAction[]): StepResult | undefined {
  switch (res.EVSEStatus?.EVSENotification) {
    case "Terminate":
      return { kind: "wind-down", reason: "evse-stop", detail: "EVSENotification Terminate", actions };
    case "Pause":
      return { kind: "wind-down", reason: "paused", detail: "EVSENotification Pause", actions };
    case "ServiceRenegotiation":
      f20(ctx).serviceRenegotiation = true;
      return { kind: "next", step: "PowerDelivery", actions };
    case "ScheduleRenegotiation":
      f20(ctx).scheduleRenegotiation = true;
      ctx.facts.renegotiating = true;
      return { kind: "next", step: "PowerDelivery", actions };
    case "MeteringConfirmation":
      // Plug & Charge: sign the charger's reading with the contract key (./pnc-metering.ts); without a contract there is nothing to sign with.
      if (ctx.facts.pnc?.contract === undefined || res.MeterInfo === undefined) return undefined;
      f20(ctx).meteringConfirmation = res.MeterInfo;
      return { kind: "next", step: "MeteringReceipt", actions };
    case "ExitStandby": {
      // The charger wants power again: leave standby with PowerDelivery(Start).
      const f = f20(ctx);
      if (!f.standby || f.standbyChange !== undefined) return undefined;
      f.standbyChange = "leave";
      return { kind: "next", step: "PowerDelivery", actions };
    }
  }
  return undefined;
}

function displayParameters(ctx: StepContext): object {
  return { PresentSOC: Math.max(0, Math.min(100, Math.floor(ctx.bms.soc()))), ChargingComplete: ctx.bms.chargingComplete() };
}

// ---- DC -----------------------------------------------------------------------------------

const dcChargeParameterDiscovery = step({
  id: "ChargeParameterDiscovery",
  request: "DC_ChargeParameterDiscoveryReq",
  build(ctx) {
    const limits = ctx.bms.dcLimits();
    const mode: Record<string, unknown> = {
      EVMaximumChargePower: rational(limits.maxPower),
      EVMinimumChargePower: rational(0),
      EVMaximumChargeCurrent: rational(limits.maxCurrent),
      EVMinimumChargeCurrent: rational(0),
      EVMaximumVoltage: rational(limits.maxVoltage),
      EVMinimumVoltage: rational(minVoltage(ctx)),
    };
    const target = bms20(ctx).targetSocPercent?.();
    if (target !== undefined) mode.TargetSOC = Math.round(target);
    const bpt = isBpt(cfg(ctx).transfer);
    if (bpt) {
      const d = dischargeLimits(ctx);
      mode.EVMaximumDischargePower = rational(d.maxPower);
      mode.EVMinimumDischargePower = rational(d.minPower);
      mode.EVMaximumDischargeCurrent = rational(d.maxCurrent);
      mode.EVMinimumDischargeCurrent = rational(0);
    }
    return { Header: HEADER_SLOT, [bpt ? "BPT_DC_CPDReqEnergyTransferMode" : "DC_CPDReqEnergyTransferMode"]: mode };
  },
  onResponse(res, ctx) {
    const mode = res.BPT_DC_CPDResEnergyTransferMode ?? res.DC_CPDResEnergyTransferMode;
    if (mode === undefined) return { kind: "abort", reason: "sequence", detail: "DC_ChargeParameterDiscoveryRes without EVSE parameters" };
    const evse = ctx.facts.evse;
    evse.maxPower = fromRational(mode.EVSEMaximumChargePower);
    evse.maxCurrent = fromRational(mode.EVSEMaximumChargeCurrent);
    evse.maxVoltage = fromRational(mode.EVSEMaximumVoltage);
    evse.minVoltage = fromRational(mode.EVSEMinimumVoltage);
    if (mode.EVSEMaximumDischargePower !== undefined) f20(ctx).evseMaxDischargePower = dischargeIn(f20(ctx), mode.EVSEMaximumDischargePower);
    return { kind: "next", step: "ScheduleExchange", actions: [{ kind: "evse-values", values: { maxPower: evse.maxPower, maxCurrent: evse.maxCurrent, maxVoltage: evse.maxVoltage } }] };
  },
});

const dcCableCheck = step({
  id: "CableCheck",
  request: "DC_CableCheckReq",
  phaseTimer: "cable-check",
  build: () => ({ Header: HEADER_SLOT }),
  onResponse: (res, ctx) => (res.EVSEProcessing === "Finished" ? { kind: "next", step: "PreCharge" } : { kind: "repeat", delay: ctx.config.pollInterval }),
});

const dcPreCharge = step({
  id: "PreCharge",
  request: "DC_PreChargeReq",
  phaseTimer: "pre-charge",
  phaseLimit: V2G_EVCC_PRE_CHARGE_TIMEOUT_20,
  build(ctx) {
    const v = rational(Math.round(ctx.bms.voltage() * 10) / 10);
    return { Header: HEADER_SLOT, EVProcessing: f20(ctx).finishing ? "Finished" : "Ongoing", EVPresentVoltage: v, EVTargetVoltage: v };
  },
  trace: (ctx) => ({ targetVoltage: Math.round(ctx.bms.voltage() * 10) / 10, finishing: f20(ctx).finishing }),
  onResponse(res, ctx) {
    const f = f20(ctx);
    const present = fromRational(res.EVSEPresentVoltage);
    ctx.facts.evse.presentVoltage = present;
    const actions: VehicleAction[] = [{ kind: "evse-values", values: { presentVoltage: present } }];
    if (f.finishing) {
      // The SECC acknowledged EVProcessing=Finished: close the contactors, then PowerDelivery.
      f.finishing = false;
      actions.push({ kind: "contactors", closed: true });
      return { kind: "next", step: "PowerDelivery", actions };
    }
    const complete = ctx.bms.preChargeComplete ? ctx.bms.preChargeComplete(present) : Math.abs(present - ctx.bms.voltage()) <= ctx.config.preChargeTolerance;
    if (complete) f.finishing = true;
    return { kind: "repeat", delay: complete ? Millis(0) : ctx.config.pollInterval, actions };
  },
});

const dcChargeLoop = step({
  id: "ChargeLoop",
  request: "DC_ChargeLoopReq",
  timeout: V2G_EVCC_CHARGE_LOOP_MSG_TIMEOUT_20,
  build(ctx) {
    const { c, bpt, dynamic } = shape(ctx);
    const limits = ctx.bms.dcLimits();
    const d = bpt ? dischargeLimits(ctx) : undefined;
    const mode: Record<string, unknown> = {};
    if (dynamic) {
      putEnergyRequests(mode, ctx);
      mode.EVMaximumChargePower = rational(limits.maxPower);
      mode.EVMinimumChargePower = rational(0);
      mode.EVMaximumChargeCurrent = rational(limits.maxCurrent);
      mode.EVMaximumVoltage = rational(limits.maxVoltage);
      mode.EVMinimumVoltage = rational(minVoltage(ctx));
      if (d !== undefined) {
        mode.EVMaximumDischargePower = rational(d.maxPower);
        mode.EVMinimumDischargePower = rational(d.minPower);
        mode.EVMaximumDischargeCurrent = rational(d.maxCurrent);
      }
    } else {
      const discharging = bpt && c.channel === "Discharge";
      const target = clampedTarget(ctx);
      // Signed target current: negative asks the charger to take energy from the battery; none in standby.
      const current = f20(ctx).standby ? 0 : discharging ? -Math.min(d!.maxCurrent, d!.maxPower / Math.max(1, ctx.bms.voltage())) : target.current;
      mode.EVTargetCurrent = rational(Math.round(current * 10) / 10);
      mode.EVTargetVoltage = rational(Math.round((discharging ? ctx.bms.voltage() : target.voltage) * 10) / 10);
      mode.EVMaximumChargePower = rational(limits.maxPower);
      mode.EVMaximumChargeCurrent = rational(limits.maxCurrent);
      mode.EVMaximumVoltage = rational(limits.maxVoltage);
      if (d !== undefined) {
        mode.EVMaximumDischargePower = rational(d.maxPower);
        mode.EVMaximumDischargeCurrent = rational(d.maxCurrent);
      }
    }
    const name = (bpt ? "BPT_" : "") + (dynamic ? "Dynamic" : "Scheduled") + "_DC_CLReqControlMode";
    return {
      Header: HEADER_SLOT,
      DisplayParameters: displayParameters(ctx),
      MeterInfoRequested: false,
      EVPresentVoltage: rational(Math.round(ctx.bms.voltage() * 10) / 10),
      [name]: mode,
    };
  },
  trace: (ctx) => ({ soc: Math.round(ctx.bms.soc() * 10) / 10 }),
  onResponse(res, ctx) {
    const evse = ctx.facts.evse;
    evse.presentVoltage = fromRational(res.EVSEPresentVoltage);
    evse.presentCurrent = fromRational(res.EVSEPresentCurrent);
    const mode = res.BPT_Dynamic_DC_CLResControlMode ?? res.BPT_Scheduled_DC_CLResControlMode ?? res.Dynamic_DC_CLResControlMode ?? res.Scheduled_DC_CLResControlMode;
    if (mode !== undefined) {
      const maxPower = optionalRational(mode.EVSEMaximumChargePower);
      const maxCurrent = optionalRational(mode.EVSEMaximumChargeCurrent);
      const maxVoltage = optionalRational(mode.EVSEMaximumVoltage);
      if (maxPower !== undefined) evse.maxPower = maxPower;
      if (maxCurrent !== undefined) evse.maxCurrent = maxCurrent;
      if (maxVoltage !== undefined) evse.maxVoltage = maxVoltage;
      if (mode.EVSEMaximumDischargePower !== undefined) f20(ctx).evseMaxDischargePower = dischargeIn(f20(ctx), mode.EVSEMaximumDischargePower);
    }
    const actions: VehicleAction[] = [
      { kind: "evse-values", values: { presentVoltage: evse.presentVoltage, presentCurrent: evse.presentCurrent, maxCurrent: evse.maxCurrent, maxVoltage: evse.maxVoltage, maxPower: evse.maxPower } },
    ];
    return loopOutcome(res, ctx, actions, ctx.config.currentDemandInterval);
  },
});

export function loopOutcome(res: Res, ctx: StepContext, actions: VehicleAction[], interval: Millis): StepResult {
  const told = notification(res, ctx, actions);
  if (told !== undefined) return told;
  const problem = checkBms(ctx);
  if (problem !== undefined) return { ...problem, actions } as StepResult;
  if (ctx.bms.chargingComplete()) return { kind: "wind-down", reason: "charging-complete", actions };
  // The next loop request is due within V2G_EVCC_Sequence_Performance_Time (0.25 s, Tables
  // 216/217): a longer configured interval (the -2 ChargingStatus pace is 0.5 s) is capped, or
  // a conformant charger would end the session 0.5 s after its response.
  const delay = interval > V2G_EVCC_SEQUENCE_PERFORMANCE_TIME_CHARGE_LOOP ? V2G_EVCC_SEQUENCE_PERFORMANCE_TIME_CHARGE_LOOP : interval;
  return { kind: "repeat", delay, actions };
}

const dcWeldingDetection = step({
  id: "WeldingDetection",
  request: "DC_WeldingDetectionReq",
  phaseTimer: "welding-detection",
  build: (ctx) => ({ Header: HEADER_SLOT, EVProcessing: f20(ctx).finishing ? "Finished" : "Ongoing" }),
  onResponse(res, ctx) {
    const f = f20(ctx);
    const present = fromRational(res.EVSEPresentVoltage);
    ctx.facts.evse.presentVoltage = present;
    if (f.finishing) {
      f.finishing = false;
      return { kind: "next", step: "SessionStop" };
    }
    const done = ctx.bms.weldingDetectionComplete ? ctx.bms.weldingDetectionComplete(present) : present < ctx.config.weldingVoltageLimit;
    if (done) f.finishing = true;
    return { kind: "repeat", delay: done ? Millis(0) : ctx.config.pollInterval };
  },
});

// ---- AC -----------------------------------------------------------------------------------

const acChargeParameterDiscovery = step({
  id: "ChargeParameterDiscovery",
  request: "AC_ChargeParameterDiscoveryReq",
  build(ctx) {
    const bpt = isBpt(cfg(ctx).transfer);
    const mode: Record<string, unknown> = { EVMaximumChargePower: rational(acMaxPower(ctx)), EVMinimumChargePower: rational(0) };
    if (bpt) {
      const d = dischargeLimits(ctx);
      mode.EVMaximumDischargePower = rational(d.maxPower);
      mode.EVMinimumDischargePower = rational(d.minPower);
    }
    return { Header: HEADER_SLOT, [bpt ? "BPT_AC_CPDReqEnergyTransferMode" : "AC_CPDReqEnergyTransferMode"]: mode };
  },
  onResponse(res, ctx) {
    const mode = res.BPT_AC_CPDResEnergyTransferMode ?? res.AC_CPDResEnergyTransferMode;
    if (mode === undefined) return { kind: "abort", reason: "sequence", detail: "AC_ChargeParameterDiscoveryRes without EVSE parameters" };
    ctx.facts.evse.maxPower = fromRational(mode.EVSEMaximumChargePower);
    if (mode.EVSEMaximumDischargePower !== undefined) f20(ctx).evseMaxDischargePower = dischargeIn(f20(ctx), mode.EVSEMaximumDischargePower);
    return { kind: "next", step: "ScheduleExchange" };
  },
});

const acChargeLoop = step({
  id: "ChargeLoop",
  request: "AC_ChargeLoopReq",
  timeout: V2G_EVCC_CHARGE_LOOP_MSG_TIMEOUT_20,
  build(ctx) {
    const { c, bpt, dynamic } = shape(ctx);
    const present = bms20(ctx).presentActivePower?.() ?? f20(ctx).evseTargetPower ?? 0;
    const mode: Record<string, unknown> = {};
    if (dynamic) {
      putEnergyRequests(mode, ctx);
      mode.EVMaximumChargePower = rational(acMaxPower(ctx));
      mode.EVMinimumChargePower = rational(0);
      mode.EVPresentActivePower = rational(Math.round(present));
      mode.EVPresentReactivePower = rational(0);
      if (bpt) {
        const d = dischargeLimits(ctx);
        mode.EVMaximumDischargePower = rational(d.maxPower);
        mode.EVMinimumDischargePower = rational(d.minPower);
      }
    } else {
      mode.EVPresentActivePower = rational(Math.round(present));
    }
    const name = (bpt ? "BPT_" : "") + (dynamic ? "Dynamic" : "Scheduled") + "_AC_CLReqControlMode";
    return { Header: HEADER_SLOT, DisplayParameters: displayParameters(ctx), MeterInfoRequested: false, [name]: mode };
  },
  trace: (ctx) => ({ soc: Math.round(ctx.bms.soc() * 10) / 10 }),
  onResponse(res, ctx) {
    const c = cfg(ctx);
    const mode = res.BPT_Dynamic_AC_CLResControlMode ?? res.BPT_Scheduled_AC_CLResControlMode ?? res.Dynamic_AC_CLResControlMode ?? res.Scheduled_AC_CLResControlMode;
    const target = optionalRational(mode?.EVSETargetActivePower);
    const f = f20(ctx);
    if (target !== undefined) f.evseTargetPower = target;
    const perPhase = (c.nominalVoltage ?? 230) * (c.phases ?? 3);
    const power = f.evseTargetPower ?? acMaxPower(ctx);
    // The on-board charger follows the charger's target (the SimVehicle takes it as a current limit).
    const actions: VehicleAction[] = [{ kind: "evse-values", values: { maxCurrent: Math.max(0, power) / perPhase, maxPower: power, nominalVoltage: c.nominalVoltage ?? 230 } }];
    return loopOutcome(res, ctx, actions, ctx.config.chargingStatusInterval);
  },
});

// ---- tables -------------------------------------------------------------------------------

const COMMON = Object.freeze({
  SessionSetup: sessionSetup,
  AuthorizationSetup: authorizationSetup,
  CertificateInstallation: certificateInstallation,
  Authorization: authorization,
  ServiceDiscovery: serviceDiscovery,
  ServiceDetail: serviceDetail,
  ServiceSelection: serviceSelection,
  ScheduleExchange: scheduleExchange,
  PowerDelivery: powerDelivery,
  SessionStop: sessionStop,
});

export const ISO20_DC_EVCC_STEPS: Readonly<Partial<Record<EvccStepId, EvccStep>>> = Object.freeze({
  ...COMMON,
  ChargeParameterDiscovery: dcChargeParameterDiscovery,
  CableCheck: dcCableCheck,
  PreCharge: dcPreCharge,
  ChargeLoop: dcChargeLoop,
  MeteringReceipt: meteringConfirmation,
  WeldingDetection: dcWeldingDetection,
});

export const ISO20_AC_EVCC_STEPS: Readonly<Partial<Record<EvccStepId, EvccStep>>> = Object.freeze({
  ...COMMON,
  ChargeParameterDiscovery: acChargeParameterDiscovery,
  ChargeLoop: acChargeLoop,
  MeteringReceipt: meteringConfirmation,
});

/** The step table of a -20 session. */
export function iso20EvccSteps(config: Iso20EvccConfig): Readonly<Partial<Record<EvccStepId, EvccStep>>> {
  return isDc(config.transfer) ? ISO20_DC_EVCC_STEPS : ISO20_AC_EVCC_STEPS;
}
