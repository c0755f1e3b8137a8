// Replays a real session's EV requests (from a capture) against our SeccSession, configured
// like the real charger, and compares each answer with the real charger's.
//
// The real charger's answers also drive our charger facts: when it said Authorization Finished,
// we push `authorized` before the request; CableCheck Finished → `cable-check-finished`;
// present voltage/current → `present-values`. Time advances by the real inter-message gaps.

import { ManualClock } from "../../../modules/common/index";
import { encode } from "../../../modules/exi/index";
import { MemorySessionStore, SeccSession, fromPhysical, messageName } from "../../../modules/statemachine/index";
import type { EnergyTransferMode, PhysicalValue, SeccConfig, V2gDocument, ValueAddedService } from "../../../modules/statemachine/index";
import type { V2gSession } from "../../../hosts/sim/pcap/dissect";

export interface ReplayMismatch {
  index: number;
  request: string;
  expected: string;
  got: string;
}

export interface ReplayResult {
  protocol: "din" | "iso2";
  dc: boolean;
  /** Requests fed (SAP included). */
  requests: number;
  /** Answers with the real charger's message type and response code. */
  matched: number;
  mismatches: ReplayMismatch[];
  /** Same type and code, but another EVSEProcessing ("real / ours"). */
  processingDiffs: string[];
  /** Same type and code, another DC EVSEStatusCode ("real / ours"); informative. */
  statusDiffs: string[];
  /** Answers the codec refused to encode. */
  encodeErrors: string[];
  /** Our stop reason (undefined if the capture ended first). */
  stopReason?: string;
}

type Doc = Record<string, any>;

function body(doc: object | undefined): Doc | undefined {
  return (doc as { V2G_Message?: { Body?: Doc } } | undefined)?.V2G_Message?.Body;
}

function content(doc: object | undefined): Doc | undefined {
  const b = body(doc);
  if (b !== undefined) {
    const name = messageName(b);
    return name === undefined ? undefined : b[name];
  }
  const sap = (doc as Doc | undefined)?.supportedAppProtocolRes;
  return sap;
}

function typeOf(doc: object | undefined): string | undefined {
  const b = body(doc);
  if (b !== undefined) return messageName(b);
  return doc === undefined ? undefined : messageName(doc);
}

function num(pv: PhysicalValue | undefined, fallback: number): number {
  return pv === undefined ? fallback : fromPhysical(pv, fallback);
}

/** Our SECC configured like the charger of the capture. */
export function configFor(session: V2gSession, protocol: "din" | "iso2"): { config: SeccConfig; dc: boolean; sessionId?: Uint8Array } {
  const responses = session.messages.filter((m) => m.dir === "EVSE→EV" && m.doc !== undefined);
  const find = (name: string): Doc | undefined => {
    for (const m of responses) if (m.type === name) return content(m.doc);
    return undefined;
  };
  const findOk = (name: string): Doc | undefined => {
    for (const m of responses) if (m.type === name && String(content(m.doc)?.ResponseCode).startsWith("OK")) return content(m.doc);
    return find(name);
  };
  let sessionId: Uint8Array | undefined;
  for (const m of responses) {
    if (m.type === "SessionSetupRes") {
      sessionId = (m.doc as V2gDocument).V2G_Message.Header.SessionID;
      break;
    }
  }
  const setup = find("SessionSetupRes");
  const discovery = findOk("ServiceDiscoveryRes");
  const cpd = findOk("ChargeParameterDiscoveryRes");
  const cpdReq = session.messages.find((m) => m.type === "ChargeParameterDiscoveryReq");
  const reqContent = content(cpdReq?.doc);
  const mode: string | undefined = reqContent?.RequestedEnergyTransferMode ?? reqContent?.EVRequestedEnergyTransferType;
  let modes: string[] = [];
  if (protocol === "iso2") modes = discovery?.ChargeService?.SupportedEnergyTransferMode?.EnergyTransferMode ?? [];
  else if (discovery?.ChargeService?.EnergyTransferType !== undefined) modes = [discovery.ChargeService.EnergyTransferType];
  if (mode !== undefined && modes.indexOf(mode) < 0 && cpd !== undefined && String(cpd.ResponseCode).startsWith("OK")) modes.push(mode);
  if (modes.length === 0) modes = protocol === "din" ? ["DC_extended"] : ["DC_extended", "AC_three_phase_core"];
  const dc = mode !== undefined ? mode.startsWith("DC_") : modes[0].startsWith("DC_");
  const dcp = cpd?.DC_EVSEChargeParameter;
  const acp = cpd?.AC_EVSEChargeParameter;
  let waiting = false;
  for (const m of responses) if (m.type === "AuthorizationRes" && content(m.doc)?.EVSEProcessing === "Ongoing_WaitingForCustomerInteraction") waiting = true;
  let monitoring = false;
  for (const m of responses) if (m.type === "CableCheckRes" && content(m.doc)?.DC_EVSEStatus?.EVSEStatusCode === "EVSE_IsolationMonitoringActive") monitoring = true;
  let meterId: string | undefined;
  let receipt = false;
  for (const m of responses) {
    const c = content(m.doc);
    if (c?.MeterInfo?.MeterID !== undefined && meterId === undefined) meterId = c.MeterInfo.MeterID;
    if (c?.ReceiptRequired === true) receipt = true;
  }
  const options: string[] = protocol === "iso2" ? discovery?.PaymentOptionList?.PaymentOption ?? [] : discovery?.PaymentOptions?.PaymentOption ?? [];
  const tuple = cpd?.SAScheduleList?.SAScheduleTuple?.[0];
  const tupleId: number | undefined = tuple?.SAScheduleTupleID;
  const firstPMax = tuple?.PMaxSchedule?.PMaxScheduleEntry?.[0]?.PMax;
  // The real schedule's first PMax (ISO-2: PhysicalValue; DIN: W as a number).
  const schedulePower = firstPMax === undefined ? undefined : typeof firstPMax === "number" ? firstPMax : fromPhysical(firstPMax);
  const pmaxSchedule = ((tuple?.PMaxSchedule?.PMaxScheduleEntry ?? []) as Doc[]).map((e) => ({
    start: Number(e.RelativeTimeInterval?.start ?? 0),
    power: typeof e.PMax === "number" ? e.PMax : fromPhysical(e.PMax),
  }));
  // Value-added services the real charger offered, with the parameter sets it detailed.
  const services: ValueAddedService[] = [];
  for (const s of (discovery?.ServiceList?.Service ?? []) as Doc[]) {
    const detail = responses.find((m) => m.type === "ServiceDetailRes" && content(m.doc)?.ServiceID === s.ServiceID);
    services.push({ ...(s as ValueAddedService), ParameterSet: content(detail?.doc)?.ServiceParameterList?.ParameterSet });
  }
  const config: SeccConfig = {
    evseId: typeof setup?.EVSEID === "string" && setup.EVSEID.length >= 7 ? setup.EVSEID : "ZZ00000",
    dinEvseId: setup?.EVSEID instanceof Uint8Array ? setup.EVSEID : undefined,
    energyModes: modes as EnergyTransferMode[],
    paymentOptions: (options.length > 0 ? options : ["ExternalPayment"]) as ("ExternalPayment" | "Contract")[],
    saScheduleTupleId: tupleId,
    schedulePower,
    pmaxSchedule,
    valueAddedServices: services,
    dc: {
      maxVoltage: num(dcp?.EVSEMaximumVoltageLimit, 500),
      maxCurrent: num(dcp?.EVSEMaximumCurrentLimit, 100),
      maxPower: num(dcp?.EVSEMaximumPowerLimit, 50000),
      minVoltage: num(dcp?.EVSEMinimumVoltageLimit, 150),
      minCurrent: num(dcp?.EVSEMinimumCurrentLimit, 0),
      peakCurrentRipple: num(dcp?.EVSEPeakCurrentRipple, 0),
    },
    ac: { nominalVoltage: num(acp?.EVSENominalVoltage, 230), maxCurrent: num(acp?.EVSEMaxCurrent, 16), phases: 3 },
    meterId,
    receiptRequired: receipt,
    isolationMonitoringStatus: monitoring,
    authorizationOngoing: waiting ? "Ongoing_WaitingForCustomerInteraction" : "Ongoing",
    protocols: [protocol],
  };
  return { config, dc, sessionId };
}

/** Replays one captured session; `store` is shared by the sessions of one capture (pause/resume). */
export function replaySession(session: V2gSession, store: MemorySessionStore): ReplayResult | undefined {
  const protocol = session.sap?.schema;
  if (protocol !== "din" && protocol !== "iso2") return undefined;
  const { config, dc, sessionId } = configFor(session, protocol);
  const clock = new ManualClock();
  const secc = new SeccSession({
    config,
    clock,
    store,
    randomBytes: (count) => sessionId ?? new Uint8Array(count).fill(0x42),
  });
  const result: ReplayResult = { protocol, dc, requests: 0, matched: 0, mismatches: [], encodeErrors: [], processingDiffs: [], statusDiffs: [] };
  const messages = session.messages;
  let lastTime = messages.length > 0 ? messages[0].time : 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.dir !== "EV→EVSE" || m.doc === undefined) continue;
    // The real answer: the next charger message before the EV's next request.
    let real: object | undefined;
    for (let j = i + 1; j < messages.length && messages[j].dir === "EVSE→EV"; j++) {
      if (messages[j].doc !== undefined) {
        real = messages[j].doc;
        break;
      }
    }
    if (real === undefined) break; // the capture ends (or the charger never answered)
    const realType = typeOf(real)!;
    const realContent = content(real) ?? {};
    mimic(secc, realType, realContent);
    if (m.time > lastTime) clock.advance(m.time - lastTime);
    lastTime = m.time;
    const out = secc.request(m.doc as V2gDocument);
    result.requests++;
    const ours = out.response;
    const ourType = typeOf(ours) ?? "(none)";
    const ourCode = String(content(ours)?.ResponseCode ?? "");
    const realCode = String(realContent.ResponseCode ?? "");
    if (ours !== undefined) {
      try {
        encode(ourType.startsWith("supportedAppProtocol") ? "apphand" : protocol, ours);
      } catch (error) {
        result.encodeErrors.push(`${ourType}: ${(error as Error).message}`);
      }
    }
    if (ourType === realType && ourCode === realCode) {
      result.matched++;
      const ourStatus = content(ours)?.DC_EVSEStatus?.EVSEStatusCode;
      const realStatus = realContent.DC_EVSEStatus?.EVSEStatusCode;
      if (ourStatus !== undefined && realStatus !== undefined && ourStatus !== realStatus) result.statusDiffs.push(`${ourType}: ${String(realStatus)} / ${String(ourStatus)}`);
      const ourProcessing = content(ours)?.EVSEProcessing;
      if (ourProcessing !== undefined && realContent.EVSEProcessing !== undefined && ourProcessing !== realContent.EVSEProcessing) {
        result.processingDiffs.push(`${ourType}: ${String(realContent.EVSEProcessing)} / ${String(ourProcessing)}`);
      }
    }
    else result.mismatches.push({ index: i, request: m.type ?? "?", expected: `${realType} ${realCode}`, got: `${ourType} ${ourCode}` });
    if (out.close) break;
  }
  result.stopReason = secc.stopReason;
  secc.dispose();
  return result;
}

/** Puts into our charger facts what the real charger's answer shows it knew. */
function mimic(secc: SeccSession, realType: string, real: Doc): void {
  const processing = real.EVSEProcessing;
  if ((realType === "AuthorizationRes" || realType === "ContractAuthenticationRes") && processing === "Finished") {
    secc.control({ kind: "authorized", accepted: String(real.ResponseCode).startsWith("OK") });
  }
  if (realType === "CableCheckRes" && processing === "Finished" && String(real.ResponseCode).startsWith("OK")) {
    const iso = real.DC_EVSEStatus?.EVSEIsolationStatus;
    secc.control({ kind: "cable-check-finished", isolation: iso === "Warning" || iso === "No_IMD" ? iso : "Valid" });
  }
  const v = real.EVSEPresentVoltage as PhysicalValue | undefined;
  const a = real.EVSEPresentCurrent as PhysicalValue | undefined;
  if (v !== undefined) secc.control({ kind: "present-values", voltage: fromPhysical(v), current: a === undefined ? 0 : fromPhysical(a) });
  const status = real.DC_EVSEStatus ?? real.AC_EVSEStatus;
  if (status?.EVSENotification === "StopCharging" && secc.evse.notification !== "StopCharging") secc.control({ kind: "stop-charging" });
}
