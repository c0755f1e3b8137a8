// Test support: ISO 15118-20 sessions from ../shared/captures replayed against our SECC (the
// car's requests) and our EVCC (the charger's responses).

import { ManualClock } from "../../../modules/common/index";
import { createExiCodec } from "../../../modules/exi/index";
import { messageName, SeccSession } from "../../../modules/statemachine/index";
import type { SeccConfig } from "../../../modules/statemachine/index";
import { EvccSession } from "../../../modules/statemachine/evcc/index";
import type { EvBms, EvccDoc, EvccOutcome } from "../../../modules/statemachine/evcc/index";
import type { V2gSession } from "../../../hosts/sim/pcap/dissect";
import { iso20SchemaOfMessage } from "../../../modules/statemachine/iso20/envelope";
import { fromRational } from "../../../modules/statemachine/iso20/rational";
import { readParameterSet, transferOfService } from "../../../modules/statemachine/iso20/services";
import type { Iso20ControlMode, Iso20Transfer } from "../../../modules/statemachine/iso20/services";

type Doc = Record<string, any>;

function nameOf(doc: object | undefined): string | undefined {
  return doc === undefined ? undefined : messageName(doc);
}

function contentOf(doc: object | undefined): Doc {
  const name = nameOf(doc);
  return name === undefined ? {} : (doc as Doc)[name] ?? {};
}

/** The real charger's first answer of type `name` (an OK one if there is). */
function realResponse(session: V2gSession, name: string): Doc | undefined {
  let any: Doc | undefined;
  for (const m of session.messages) {
    if (m.dir !== "EVSE→EV" || m.type !== name) continue;
    const c = contentOf(m.doc);
    if (String(c.ResponseCode).indexOf("OK") === 0) return c;
    any ??= c;
  }
  return any;
}

/** Our SECC configured like the charger of a -20 capture: services, parameter sets, limits, schedule. */
export function iso20ConfigFor(session: V2gSession): { config: SeccConfig; sessionId?: Uint8Array } {
  const dc = session.sap?.namespace.endsWith(":DC") ?? true;
  const discovery = realResponse(session, "ServiceDiscoveryRes");
  const services: Iso20Transfer[] = [];
  for (const s of discovery?.EnergyTransferServiceList?.Service ?? []) {
    const t = transferOfService(s.ServiceID);
    if (t !== undefined) services.push(t);
  }
  // The parameter sets' control modes in the real charger's order (IDs 1, 2, … as ours).
  const detail = realResponse(session, "ServiceDetailRes");
  const modes: Iso20ControlMode[] = [];
  for (const set of detail?.ServiceParameterList?.ParameterSet ?? []) modes.push(readParameterSet("dc", set).controlMode);
  const cpd = realResponse(session, dc ? "DC_ChargeParameterDiscoveryRes" : "AC_ChargeParameterDiscoveryRes") ?? {};
  const modeDoc = cpd.BPT_DC_CPDResEnergyTransferMode ?? cpd.DC_CPDResEnergyTransferMode ?? cpd.BPT_AC_CPDResEnergyTransferMode ?? cpd.AC_CPDResEnergyTransferMode ?? {};
  const tuple = realResponse(session, "ScheduleExchangeRes")?.Scheduled_SEResControlMode?.ScheduleTuple?.[0];
  const firstPower = tuple?.ChargingSchedule?.PowerSchedule?.PowerScheduleEntries?.PowerScheduleEntry?.[0]?.Power;
  const discharge = fromRational(modeDoc.EVSEMaximumDischargePower);
  const setup = realResponse(session, "SessionSetupRes");
  let sessionId: Uint8Array | undefined;
  for (const m of session.messages) {
    if (m.type === "SessionSetupRes") {
      sessionId = contentOf(m.doc).Header?.SessionID;
      break;
    }
  }
  const config: SeccConfig = {
    evseId: typeof setup?.EVSEID === "string" && setup.EVSEID.length >= 7 ? setup.EVSEID : "ZZ00000",
    energyModes: dc ? ["DC_extended"] : ["AC_three_phase_core"],
    protocols: ["iso20"],
    schedulePower: firstPower === undefined ? undefined : fromRational(firstPower),
    dc: dc
      ? {
          maxVoltage: fromRational(modeDoc.EVSEMaximumVoltage, 1000),
          maxCurrent: fromRational(modeDoc.EVSEMaximumChargeCurrent, 500),
          maxPower: fromRational(modeDoc.EVSEMaximumChargePower, 150_000),
          minVoltage: fromRational(modeDoc.EVSEMinimumVoltage),
          minCurrent: fromRational(modeDoc.EVSEMinimumChargeCurrent),
          peakCurrentRipple: 0,
        }
      : undefined,
    ac: dc ? undefined : { nominalVoltage: 230, maxCurrent: Math.round(fromRational(modeDoc.EVSEMaximumChargePower, 11_000) / 230), phases: 1 },
    iso20: {
      services,
      controlModes: modes.length > 0 ? modes : undefined,
      scheduleTupleId: tuple?.ScheduleTupleID,
      discharge: discharge !== 0 ? { maxPower: Math.abs(discharge), maxCurrent: Math.abs(fromRational(modeDoc.EVSEMaximumDischargeCurrent)) || undefined } : undefined,
      serviceRenegotiation: discovery?.ServiceRenegotiationSupported !== false,
    },
  };
  return { config, sessionId };
}

export interface Iso20ReplayResult {
  requests: number;
  matched: number;
  mismatches: string[];
  processingDiffs: string[];
  encodeErrors: string[];
  stopReason?: string;
  /** Which sign the car used for its discharge limits (BPT sessions). */
  peerNegativeDischarge?: boolean;
}

/** The car's requests into our SECC; each answer compared with the real charger's (type, code, EVSEProcessing). */
export function replayIso20Secc(session: V2gSession): Iso20ReplayResult {
  const { config, sessionId } = iso20ConfigFor(session);
  const clock = new ManualClock();
  const codec = createExiCodec();
  const secc = new SeccSession({ config, clock, randomBytes: (n) => sessionId ?? new Uint8Array(n).fill(0x42), unixTime: () => 1_761_474_994n });
  const result: Iso20ReplayResult = { requests: 0, matched: 0, mismatches: [], processingDiffs: [], encodeErrors: [] };
  const messages = session.messages;
  let last = messages.length > 0 ? messages[0].time : 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.dir !== "EV→EVSE" || m.doc === undefined) continue;
    let real: object | undefined;
    for (let j = i + 1; j < messages.length && messages[j].dir === "EVSE→EV"; j++) {
      if (messages[j].doc !== undefined) {
        real = messages[j].doc;
        break;
      }
    }
    if (real === undefined) break;
    const realType = nameOf(real)!;
    const realContent = contentOf(real);
    mimic(secc, realType, realContent);
    if (m.time > last) clock.advance(m.time - last);
    last = m.time;
    const out = secc.request(m.doc as any);
    result.requests++;
    const ours = out.response;
    const ourType = nameOf(ours) ?? "(none)";
    const ourContent = contentOf(ours);
    if (ours !== undefined) {
      try {
        codec.encode(secc.schemaOf(ours), ours);
      } catch (error) {
        result.encodeErrors.push(`${ourType}: ${(error as Error).message}`);
      }
    }
    const ourCode = String(ourContent.ResponseCode ?? "");
    const realCode = String(realContent.ResponseCode ?? "");
    if (ourType === realType && ourCode === realCode) {
      result.matched++;
      if (ourContent.EVSEProcessing !== realContent.EVSEProcessing) result.processingDiffs.push(`${ourType}: ${realContent.EVSEProcessing} / ${ourContent.EVSEProcessing}`);
    } else result.mismatches.push(`msg ${i} ${m.type}: expected ${realType} ${realCode}, got ${ourType} ${ourCode}`);
    if (out.close) break;
  }
  result.stopReason = secc.stopReason;
  result.peerNegativeDischarge = secc.context?.iso20?.peerNegativeDischarge;
  secc.dispose();
  return result;
}

/** What the real charger's answer shows it knew: authorization, isolation, present values. */
function mimic(secc: SeccSession, realType: string, real: Doc): void {
  if (realType === "AuthorizationRes" && real.EVSEProcessing === "Finished") secc.control({ kind: "authorized", accepted: String(real.ResponseCode).indexOf("OK") === 0 });
  if (realType === "DC_CableCheckRes" && real.EVSEProcessing === "Finished") secc.control({ kind: "cable-check-finished", isolation: "Valid" });
  if (real.EVSEPresentVoltage !== undefined) {
    secc.control({ kind: "present-values", voltage: fromRational(real.EVSEPresentVoltage), current: fromRational(real.EVSEPresentCurrent) });
  }
  if (real.EVSEStatus?.EVSENotification === "Terminate" && secc.evse.notification !== "StopCharging") secc.control({ kind: "stop-charging" });
}

// ---- the charger's responses to our EVCC ----------------------------------------------------

/** A BMS that reports what the car reported at the same point (SoC, voltage, charging complete). */
class FollowingBms implements EvBms {
  soc0 = 10;
  voltageNow = 400;
  complete = false;
  soc(): number {
    return this.soc0;
  }
  ready(): boolean {
    return true;
  }
  errorCode() {
    return "NO_ERROR" as const;
  }
  capacityWh(): number {
    return 60_000;
  }
  energyRequestWh(): number {
    return 40_000;
  }
  bulkSoc(): number | undefined {
    return undefined;
  }
  fullSoc(): number | undefined {
    return undefined;
  }
  dcLimits() {
    return { maxVoltage: 1000, maxCurrent: 300, maxPower: 300_000 };
  }
  voltage(): number {
    return this.voltageNow;
  }
  dcTarget() {
    return { voltage: this.voltageNow, current: 100 };
  }
  acLimits() {
    return { maxVoltage: 230, maxCurrent: 16, minCurrent: 0 };
  }
  chargingComplete(): boolean {
    return this.complete;
  }
  bulkChargingComplete(): boolean {
    return this.complete;
  }
  remainingTimeToFullSoc(): number | undefined {
    return undefined;
  }
  remainingTimeToBulkSoc(): number | undefined {
    return undefined;
  }
  /** PreCharge requests the car sent with EVProcessing=Ongoing, and how many we sent so far. */
  carPreChargeOngoing = 0;
  preCharges = 0;
  /** The car decided (not the voltage): Finished after as many Ongoing requests as it sent. */
  preChargeComplete(): boolean {
    return this.preCharges >= this.carPreChargeOngoing;
  }
  dischargeLimits() {
    return { maxPower: 11_000, maxCurrent: 30 };
  }
}

export interface Iso20EvccReplayResult {
  /** The distinct request types (consecutive repeats folded) the car sent and ours sent. */
  car: string[];
  ours: string[];
  outcome?: EvccOutcome;
  /** The EVCC's log messages. */
  log: string[];
}

/**
 * Our EVCC against the real charger's answers: each of our requests is answered with the real
 * charger's next response of the matching type (loops reuse the last one when the capture's run
 * out), with the real SessionID. The BMS follows the car: its SoC from the car's loop requests;
 * charging is complete when the car said so.
 */
export function replayIso20Evcc(session: V2gSession, transfer: Iso20Transfer, controlMode: Iso20ControlMode): Iso20EvccReplayResult {
  const clock = new ManualClock();
  const codec = createExiCodec();
  const bms = new FollowingBms();
  const byType = new Map<string, Doc[]>();
  const carLoops: Doc[] = [];
  const car: string[] = [];
  for (const m of session.messages) {
    if (m.doc === undefined || m.type === undefined || m.type.indexOf("supportedAppProtocol") === 0) continue;
    if (m.dir === "EVSE→EV") {
      const list = byType.get(m.type) ?? [];
      list.push(m.doc as Doc);
      byType.set(m.type, list);
    } else {
      if (car[car.length - 1] !== m.type) car.push(m.type);
      if (m.type.endsWith("ChargeLoopReq")) carLoops.push(contentOf(m.doc));
      if (m.type === "DC_PreChargeReq") {
        const c = contentOf(m.doc);
        if (c.EVProcessing !== "Finished") bms.carPreChargeOngoing++;
        bms.voltageNow = fromRational(c.EVTargetVoltage, bms.voltageNow);
      }
    }
  }
  const ours: string[] = [];
  const log: string[] = [];
  let loop = 0;
  let evcc!: EvccSession;
  let outcome: EvccOutcome | undefined;
  evcc = new EvccSession({
    config: {
      protocol: "iso20",
      energyTransferMode: transfer.indexOf("dc") === 0 ? "DC_extended" : "AC_three_phase_core",
      evccId: Uint8Array.of(0, 0xe0, 0x4c, 0x68, 0, 0x1d),
      iso20: { transfer, controlMode, evccId: "WMIV1234567890ABCDEX" },
    },
    bms,
    clock,
    logger: { log: (_level, _source, message) => log.push(message) },
    unixTime: () => 1_761_474_994n,
    callbacks: {
      send(doc: EvccDoc) {
        const name = messageName(doc)!;
        const schema = iso20SchemaOfMessage(name);
        codec.decode(schema, codec.encode(schema, doc)); // our request is schema-valid
        if (ours[ours.length - 1] !== name) ours.push(name);
        if (name === "DC_PreChargeReq") bms.preCharges++;
        if (name.endsWith("ChargeLoopReq")) {
          const carLoop = carLoops[Math.min(loop, carLoops.length - 1)];
          bms.soc0 = carLoop?.DisplayParameters?.PresentSOC ?? bms.soc0;
          loop++;
          bms.complete = loop >= carLoops.length;
        }
        const resName = name.replace(/Req$/, "Res");
        const list = byType.get(resName);
        if (list === undefined || list.length === 0) return; // no answer in the capture: our message timeout ends it
        const res = list.length > 1 ? list.shift()! : list[0];
        const response = codec.decode(iso20SchemaOfMessage(resName), codec.encode(iso20SchemaOfMessage(resName), res)) as EvccDoc;
        clock.set(() => evcc.handle({ type: "response", message: response }), 20 as any);
      },
      onStop: (o) => (outcome = o),
    },
  });
  evcc.start();
  for (let i = 0; i < 600 && !evcc.ended; i++) clock.advance(100);
  return { car, ours, outcome, log };
}
