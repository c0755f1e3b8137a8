// ISO 15118-20 SECC handlers of the CommonMessages: SessionSetup, AuthorizationSetup,
// Authorization (EIM), ServiceDiscovery, ServiceDetail, ServiceSelection, ScheduleExchange,
// PowerDelivery, SessionStop. Pure: request, session record, charger facts → HandlerResult.
// FAILED_* answers end the session (the EV must stop after one); the session adds the Header.

import type { SeccFacts } from "../charger-interfaces";
import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { AnyBody } from "../msg-types";
import type { SeccContext } from "../secc/context";
import { evseFault } from "../secc/dc-handlers";
import { authorizationStep, newSession, setupSession } from "../secc/session-setup";
import type * as cm from "../../exi/generated/iso20_cm/types";
import type { Iso20Record } from "./context";
import { rec } from "./context";
import { asciiBytes, HEADER_SLOT } from "./envelope";
import { priceScheduleElement } from "./prices";
import { fromRational, rational } from "./rational";
import { isBpt, isDc, namespaceOf, parameterSetElement, SERVICE_ID, transferOfService } from "./services";
import type { Iso20ParameterSet } from "./services";
import { identifyContract, pncOffer } from "./pnc";
import { certificateInstallationOffered } from "./pnc-certificate";


function res(name: string, code: string, rest?: object): AnyBody {
  return { [name]: { Header: HEADER_SLOT, ResponseCode: code, ...rest } };
}

/** A FAILED_* answer: the response, then the session ends. */
function fail(name: string, code: string, rest?: object): HandlerResult {
  return stop(res(name, code, rest), "failed-response");
}

// ---- SessionSetup -------------------------------------------------------------------------

/**
 * SessionSetupReq: a new session (8-byte SessionID) or the paused one the header names.
 *
 * A resumed session goes on at *_ChargeParameterDiscoveryReq, the one request [V2G20-1032]
 * allows after it (with [V2G20-1843]: [V2G20-2097] AC, [V2G20-2098] DC, [V2G20-5046] WPT): the
 * paused session's authorization and its selected service and parameter set hold for the whole
 * service session ([V2G20-1844], [V2G20-1847]), so AuthorizationSetup and the service steps are
 * not repeated. A paused session that cannot go on there (no service had been selected, it was
 * not authorized, or its service is not offered in the namespace SAP chose now) is not joined:
 * the vehicle gets a new session under a fresh SessionID ([V2G20-2626]), and starts over
 * ([V2G20-2615]–[V2G20-2617]).
 */
export function sessionSetup(req: cm.SessionSetupReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const tupleId = ctx.saScheduleTupleId;
  let code = setupSession({ EVCCID: asciiBytes(req.EVCCID) }, ctx, facts);
  if (code === "OK_OldSessionJoined") {
    const kept = facts.paused?.iso20Service;
    if (facts.paused?.authorized === true && kept !== undefined && selectService(ctx, kept.serviceId, kept.parameterSetId)) {
      return reply(res("SessionSetupRes", code, { EVSEID: facts.config.evseId }), "ChargeParameterDiscovery");
    }
    code = newSession(ctx, facts);
    ctx.saScheduleTupleId = tupleId;
  }
  return reply(res("SessionSetupRes", code, { EVSEID: facts.config.evseId }), "AuthorizationSetup");
}

// ---- Authorization ------------------------------------------------------------------------

/**
 * AuthorizationSetupReq: external identification, and Plug & Charge with a fresh GenChallenge
 * where this charger has the PnC facility and the connection is TLS (./pnc.ts).
 */
export function authorizationSetup(_req: cm.AuthorizationSetupReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const pnc = pncOffer(ctx, facts);
  return reply(
    res("AuthorizationSetupRes", "OK", {
      AuthorizationServices: pnc !== undefined ? ["EIM", "PnC"] : ["EIM"],
      CertificateInstallationService: pnc !== undefined && certificateInstallationOffered(ctx, facts),
      ...(pnc !== undefined ? { PnC_ASResAuthorizationMode: pnc } : { EIM_ASResAuthorizationMode: {} }),
    }),
    "Authorization",
  );
}

/**
 * AuthorizationReq (EIM): Ongoing until the charger's authorizer answers (the first request
 * asks it), then OK/Finished, or WARNING_EIMAuthorizationFailure and the end of the session.
 * PnC was not offered: WARNING_AuthorizationSelectionInvalid.
 */
export function authorization(req: cm.AuthorizationReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const pnc = req.SelectedAuthorizationService === "PnC";
  if (!pnc && req.SelectedAuthorizationService !== "EIM") {
    return stop(res("AuthorizationRes", "WARNING_AuthorizationSelectionInvalid", { EVSEProcessing: "Finished" }), "failed-response");
  }
  if (pnc) {
    // Plug & Charge: challenge, contract chain and signature first (./pnc.ts); a failure ends the session.
    const failure = identifyContract(req, ctx, facts);
    if (failure !== undefined) return stop(res("AuthorizationRes", failure, { EVSEProcessing: "Finished" }), "failed-response");
  }
  const step = authorizationStep(ctx, facts);
  switch (step) {
    case "accepted":
      return reply(res("AuthorizationRes", "OK", { EVSEProcessing: "Finished" }), "ServiceDiscovery");
    case "rejected":
      return stop(res("AuthorizationRes", pnc ? "WARNING_GeneralPnCAuthorizationError" : "WARNING_EIMAuthorizationFailure", { EVSEProcessing: "Finished" }), "failed-response");
    default: {
      const processing = facts.config.authorizationOngoing ?? "Ongoing";
      return reply(res("AuthorizationRes", "OK", { EVSEProcessing: processing }), undefined, step === "request" ? "request-authorization" : undefined);
    }
  }
}

// ---- services -----------------------------------------------------------------------------

/** Services of the offer that belong to the namespace SAP chose (DC with DC_BPT and MCS, AC with AC_BPT, WPT, ACDP). */
function servicesInNamespace(r: Iso20Record): number[] {
  const out: number[] = [];
  for (const transfer of r.offer.services) if (namespaceOf(transfer) === r.namespace) out.push(SERVICE_ID[transfer]);
  return out;
}

/** ServiceDiscoveryReq: the energy transfer services of the negotiated namespace (filtered by the EV's SupportedServiceIDs). */
export function serviceDiscovery(req: cm.ServiceDiscoveryReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const wanted = req.SupportedServiceIDs?.ServiceID;
  const services: cm.ServiceType[] = [];
  const ids = servicesInNamespace(r);
  for (let i = 0; i < ids.length; i++) {
    if (wanted !== undefined && wanted.indexOf(ids[i]) < 0) continue;
    services.push({ ServiceID: ids[i], FreeService: facts.config.freeService === true });
  }
  if (services.length === 0) return fail("ServiceDiscoveryRes", "FAILED_NoEnergyTransferServiceSelected", emptyDiscovery(r));
  r.discovered = true;
  return reply(
    res("ServiceDiscoveryRes", "OK", {
      ServiceRenegotiationSupported: facts.config.iso20?.serviceRenegotiation !== false,
      EnergyTransferServiceList: { Service: services },
    }),
    "ServiceDetail",
  );
}

function emptyDiscovery(r: Iso20Record): object {
  return { ServiceRenegotiationSupported: false, EnergyTransferServiceList: { Service: [{ ServiceID: r.namespace === "dc" ? 2 : 1, FreeService: false }] } };
}

function offeredSets(r: Iso20Record, serviceId: number): readonly Iso20ParameterSet[] | undefined {
  if (servicesInNamespace(r).indexOf(serviceId) < 0) return undefined;
  return r.offer.sets[serviceId];
}

/** ServiceDetailReq: the parameter sets of an offered service; another ID → FAILED_ServiceIDInvalid. */
export function serviceDetail(req: cm.ServiceDetailReqType, ctx: SeccContext): HandlerResult {
  const sets = offeredSets(rec(ctx), req.ServiceID);
  if (sets === undefined || sets.length === 0) {
    return fail("ServiceDetailRes", "FAILED_ServiceIDInvalid", {
      ServiceID: req.ServiceID,
      ServiceParameterList: { ParameterSet: [{ ParameterSetID: 1, Parameter: [{ Name: "Connector", intValue: 2 }] }] },
    });
  }
  const list: cm.ParameterSetType[] = [];
  for (let i = 0; i < sets.length; i++) list.push(parameterSetElement(sets[i]));
  return reply(res("ServiceDetailRes", "OK", { ServiceID: req.ServiceID, ServiceParameterList: { ParameterSet: list } }));
}

/**
 * ServiceSelectionReq: an offered service and one of its parameter sets; value-added services
 * are not offered. Anything else → FAILED_ServiceSelectionInvalid.
 */
export function serviceSelection(req: cm.ServiceSelectionReqType, ctx: SeccContext): HandlerResult {
  const selected = req.SelectedEnergyTransferService;
  const vas = req.SelectedVASList?.SelectedService;
  if (selected === undefined || (vas !== undefined && vas.length > 0) || !selectService(ctx, selected.ServiceID, selected.ParameterSetID)) {
    return fail("ServiceSelectionRes", "FAILED_ServiceSelectionInvalid");
  }
  return reply(res("ServiceSelectionRes", "OK"), "ChargeParameterDiscovery");
}

/**
 * Selects an offered energy transfer service and parameter set (ServiceSelectionReq, or a resumed
 * session's selection, which holds for the whole service session); false when not offered.
 */
export function selectService(ctx: SeccContext, serviceId: number, parameterSetId: number): boolean {
  const r = rec(ctx);
  const sets = offeredSets(r, serviceId);
  let set: Iso20ParameterSet | undefined;
  if (sets !== undefined) for (let i = 0; i < sets.length; i++) if (sets[i].id === parameterSetId) set = sets[i];
  if (set === undefined || transferOfService(serviceId) === undefined) return false;
  r.service = set;
  r.transfer = set.transfer;
  r.controlMode = set.controlMode;
  ctx.dc = isDc(set.transfer);
  ctx.energyMode = set.transfer;
  return true;
}

// ---- ScheduleExchange ---------------------------------------------------------------------

/** The schedule's steps as (duration s, power W): the operator's (ControlEvent schedule), config.pmaxSchedule, or one flat step. */
function scheduleSteps(facts: SeccFacts, maxPoints: number): cm.PowerScheduleEntryType[] {
  const config = facts.config;
  const total = config.scheduleDuration ?? 86400;
  const flat = config.schedulePower ?? maxChargePower(facts);
  const steps = facts.evse.schedule ?? config.pmaxSchedule ?? [{ start: 0, power: flat }];
  const out: cm.PowerScheduleEntryType[] = [];
  const n = Math.min(steps.length, Math.max(1, maxPoints));
  for (let i = 0; i < n; i++) {
    const end = i + 1 < n ? steps[i + 1].start : total;
    out.push({ Duration: Math.max(1, Math.round(end - steps[i].start)), Power: rational(steps[i].power) });
  }
  return out;
}

/** The charger's charge power limit (W): DC power, or AC nominal voltage × current × phases. */
export function maxChargePower(facts: SeccFacts): number {
  const evse = facts.evse;
  if (facts.config.dc !== undefined) return evse.dc.maxPower;
  return evse.ac.nominalVoltage * evse.ac.maxCurrent * evse.ac.phases;
}

/** The power the schedule allows at `offset` s from its start (W). */
export function schedulePowerAt(facts: SeccFacts, offset: number): number {
  const steps = facts.evse.schedule ?? facts.config.pmaxSchedule;
  if (steps === undefined) return facts.config.schedulePower ?? maxChargePower(facts);
  let power = steps[0]?.power ?? 0;
  for (let i = 0; i < steps.length; i++) if (steps[i].start <= offset) power = steps[i].power;
  return power;
}

/**
 * ScheduleExchangeReq: Scheduled → one ScheduleTuple (PowerSchedule from the configured
 * schedule; a DischargingSchedule too for BPT); Dynamic → the EV's mobility needs are noted,
 * the SECC answers with an empty Dynamic_SEResControlMode. The EV's control mode must be the
 * selected parameter set's (else FAILED_WrongChargeParameter).
 */
export function scheduleExchange(req: cm.ScheduleExchangeReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  const dynamic = req.Dynamic_SEReqControlMode;
  const scheduled = req.Scheduled_SEReqControlMode;
  const mode = r.controlMode;
  if ((mode === "dynamic" && dynamic === undefined) || (mode === "scheduled" && scheduled === undefined)) {
    return fail("ScheduleExchangeRes", "FAILED_WrongChargeParameter", { EVSEProcessing: "Finished", Dynamic_SEResControlMode: {} });
  }
  const ev = r.ev;
  const needs = dynamic ?? scheduled!;
  if (needs.DepartureTime !== undefined) ev.departureTime = needs.DepartureTime;
  if (needs.EVTargetEnergyRequest !== undefined) ev.targetEnergy = fromRational(needs.EVTargetEnergyRequest);
  if (needs.EVMaximumEnergyRequest !== undefined) ev.maxEnergy = fromRational(needs.EVMaximumEnergyRequest);
  if (needs.EVMinimumEnergyRequest !== undefined) ev.minEnergy = fromRational(needs.EVMinimumEnergyRequest);
  if (dynamic !== undefined) {
    if (dynamic.MinimumSOC !== undefined) ev.minimumSoc = dynamic.MinimumSOC;
    if (dynamic.TargetSOC !== undefined) ev.targetSoc = dynamic.TargetSOC;
  }
  const next = ctx.renegotiating || !ctx.dc ? "PowerDelivery" : "CableCheck";
  const anchor = facts.unixTime ?? 0n;
  const prices = facts.evse.prices ?? facts.config.iso20?.prices;
  if (mode === "dynamic") {
    const control = prices === undefined ? {} : priceScheduleElement(prices, anchor, facts.config.scheduleDuration ?? 86400);
    return reply(res("ScheduleExchangeRes", "OK", { EVSEProcessing: "Finished", Dynamic_SEResControlMode: control }), next, "ev-needs");
  }
  const entries = scheduleSteps(facts, req.MaximumSupportingPoints);
  const power: cm.PowerScheduleType = { TimeAnchor: anchor, PowerScheduleEntries: { PowerScheduleEntry: entries } };
  // The tolerance the EV's power profile may exceed the schedule by; the EV confirms it (or not)
  // in PowerDelivery(Start) PowerToleranceAcceptance. Once declined it is not offered again, so
  // that the renegotiation it causes ([V2G20-1601]) ends.
  const tolerance = facts.config.iso20?.powerTolerance;
  if (tolerance !== undefined && tolerance > 0 && !r.toleranceDeclined) power.PowerTolerance = rational(tolerance);
  const tuple: cm.ScheduleTupleType = { ScheduleTupleID: r.scheduleTupleId, ChargingSchedule: { PowerSchedule: power } };
  if (prices !== undefined) Object.assign(tuple.ChargingSchedule, priceScheduleElement(prices, anchor, facts.config.scheduleDuration ?? 86400));
  const discharge = facts.config.iso20?.discharge;
  if (r.transfer !== undefined && isBpt(r.transfer) && discharge !== undefined) {
    // The discharging schedule's power is negative: power flowing from the EV (the sign of a
    // PowerSchedule entry gives the direction, unlike the CPD limits, which are magnitudes).
    tuple.DischargingSchedule = {
      PowerSchedule: { TimeAnchor: anchor, PowerScheduleEntries: { PowerScheduleEntry: [{ Duration: facts.config.scheduleDuration ?? 86400, Power: rational(-discharge.maxPower) }] } },
    };
  }
  return reply(res("ScheduleExchangeRes", "OK", { EVSEProcessing: "Finished", Scheduled_SEResControlMode: { ScheduleTuple: [tuple] } }), next, "ev-needs");
}

// ---- PowerDelivery ------------------------------------------------------------------------

/**
 * The EV's power profile against the offer: Scheduled must name the offered ScheduleTupleID
 * (else FAILED_ScheduleSelectionInvalid) and stay within its power plus the tolerance (else
 * FAILED_EVPowerProfileViolation); the profile's control mode must be the selected one (else
 * FAILED_EVPowerProfileInvalid).
 */
function checkPowerProfile(profile: cm.EVPowerProfileType | undefined, r: Iso20Record, facts: SeccFacts): string | undefined {
  if (profile === undefined) return "FAILED_EVPowerProfileInvalid";
  if (r.controlMode === "dynamic") return profile.Dynamic_EVPPTControlMode === undefined ? "FAILED_EVPowerProfileInvalid" : undefined;
  const scheduled = profile.Scheduled_EVPPTControlMode;
  if (scheduled === undefined) return "FAILED_EVPowerProfileInvalid";
  if (scheduled.SelectedScheduleTupleID !== r.scheduleTupleId) return "FAILED_ScheduleSelectionInvalid";
  const entries = profile.EVPowerProfileEntries?.EVPowerProfileEntry ?? [];
  // The offered tolerance counts only when the EV did not decline it (now or before).
  const tolerance = scheduled.PowerToleranceAcceptance === "PowerToleranceNotConfirmed" || r.toleranceDeclined ? 0 : facts.config.iso20?.powerTolerance ?? 0;
  const discharge = facts.config.iso20?.discharge?.maxPower ?? 0;
  let offset = 0;
  for (let i = 0; i < entries.length; i++) {
    const power = fromRational(entries[i].Power);
    const limit = schedulePowerAt(facts, offset);
    // Positive power charges the EV, negative discharges it (within the discharge schedule).
    if (power > limit + tolerance || -power > discharge + tolerance) return "FAILED_EVPowerProfileViolation";
    offset += entries[i].Duration;
  }
  return undefined;
}

/**
 * The response code of an accepted PowerDelivery(Start) in Scheduled mode with a power tolerance
 * offered: OK_PowerToleranceConfirmed when the EV confirms it; when it does not, the SECC wants a
 * new schedule: WARNING_PowerToleranceNotConfirmed, and the loop's EVSENotification asks for
 * ScheduleRenegotiation ([V2G20-1601]).
 */
function toleranceCode(profile: cm.EVPowerProfileType | undefined, r: Iso20Record, facts: SeccFacts): string {
  const acceptance = profile?.Scheduled_EVPPTControlMode?.PowerToleranceAcceptance;
  const offered = (facts.config.iso20?.powerTolerance ?? 0) > 0 && !r.toleranceDeclined;
  if (!offered || acceptance === undefined) return "OK";
  if (acceptance === "PowerToleranceConfirmed") return "OK_PowerToleranceConfirmed";
  r.toleranceRenegotiation = true;
  r.toleranceDeclined = true;
  return "WARNING_PowerToleranceNotConfirmed";
}

/**
 * PowerDeliveryReq. Start: the power profile is checked, BPT_ChannelSelection noted (Discharge
 * only in a BPT service), energy flows → the charge loop. Stop → DC WeldingDetection / AC
 * SessionStop. Standby: no power, the loop goes on (WARNING_StandbyNotAllowed when configured
 * so). ScheduleRenegotiation → a new ScheduleExchange, then PowerDelivery(Start) again.
 */
export function powerDelivery(req: cm.PowerDeliveryReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = rec(ctx);
  switch (req.ChargeProgress) {
    case "Start": {
      // EVProcessing=Ongoing: the EV is not ready yet (contactors closing) and may leave the
      // power profile out; it asks again with Finished (mTLS DC capture: Ongoing without a
      // profile, then Finished with one). Nothing starts until then.
      if (req.EVProcessing !== "Finished" && !ctx.charging) return reply(res("PowerDeliveryRes", "OK"));
      // The charger cannot deliver power now (emergency stop, malfunction): the EV must not close in on it.
      if (evseFault(facts)) return fail("PowerDeliveryRes", "FAILED_PowerDeliveryNotApplied");
      const problem = checkPowerProfile(req.EVPowerProfile, r, facts);
      if (problem !== undefined) return fail("PowerDeliveryRes", problem);
      const channel = req.BPT_ChannelSelection ?? "Charge";
      if (channel === "Discharge" && (r.transfer === undefined || !isBpt(r.transfer))) return fail("PowerDeliveryRes", "FAILED_WrongChargeParameter");
      r.channel = channel;
      r.standby = false;
      r.startedAt = facts.now;
      ctx.renegotiating = false;
      const wasCharging = ctx.charging;
      ctx.charging = true;
      return reply(res("PowerDeliveryRes", toleranceCode(req.EVPowerProfile, r, facts)), "ChargeLoop", wasCharging ? undefined : "start-charging");
    }
    case "Stop":
      ctx.charging = false;
      r.standby = false;
      return reply(res("PowerDeliveryRes", "OK"), ctx.dc ? "WeldingDetection" : "SessionStop", "stop-charging");
    case "Standby":
      if (facts.config.iso20?.standbyAllowed === false) return reply(res("PowerDeliveryRes", "WARNING_StandbyNotAllowed"));
      r.standby = true;
      return reply(res("PowerDeliveryRes", "OK"), "ChargeLoop");
    case "ScheduleRenegotiation":
      ctx.renegotiating = true;
      r.toleranceRenegotiation = false;
      return reply(res("PowerDeliveryRes", "OK"), "ScheduleExchange");
  }
  return fail("PowerDeliveryRes", "FAILED");
}

// ---- SessionStop --------------------------------------------------------------------------

/**
 * SessionStopReq: Terminate ends the session; Pause ends it so that SessionSetupReq can resume
 * it with the same SessionID (FAILED_PauseNotAllowed when configured so); ServiceRenegotiation
 * goes back to ServiceDiscovery (FAILED_NoServiceRenegotiationSupported when not offered).
 */
export function sessionStop(req: cm.SessionStopReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const config = facts.config.iso20;
  switch (req.ChargingSession) {
    case "Pause":
      if (config?.pauseAllowed === false) return fail("SessionStopRes", "FAILED_PauseNotAllowed");
      return stop(res("SessionStopRes", "OK"), "ev-pause");
    case "ServiceRenegotiation": {
      if (config?.serviceRenegotiation === false) return fail("SessionStopRes", "FAILED_NoServiceRenegotiationSupported");
      const r = rec(ctx);
      r.service = undefined;
      r.preChargeFinished = false;
      ctx.cableCheckStarted = false;
      ctx.renegotiating = false;
      const wasCharging = ctx.charging;
      ctx.charging = false;
      return reply(res("SessionStopRes", "OK"), "ServiceDiscovery", wasCharging ? "stop-charging" : undefined);
    }
    default:
      return stop(res("SessionStopRes", "OK"), "ev-terminate");
  }
}
