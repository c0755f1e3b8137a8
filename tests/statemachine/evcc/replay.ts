// Test support: replay a real charger's responses (from a capture) to our EVCC and compare
// each request our EVCC sends with the request type the real car sent at that point.
//
// The BMS follows the car: ReplayBms reports the values of the car's own request at the same
// position (SoC, PreCharge target, CurrentDemand targets), so our EVCC sees the battery the
// charger saw. The car's own decisions to end the charging loop (user, BMS) are given to our
// EVCC as a stop/pause control when the car's next request leaves the loop.

import { ManualClock } from "../../../modules/common/index";
import type { Millis } from "../../../modules/common/index";
import { EVCC_STEPS, EvccSession, fromPhysical } from "../../../modules/statemachine/evcc/index";
import type { DcEvErrorCode, EnergyTransferMode, EvBms, EvccOutcome, EvccSchema, V2gMessageDoc } from "../../../modules/statemachine/evcc/index";

export interface ReplayPair {
  req: V2gMessageDoc;
  reqName: string;
  res?: V2gMessageDoc;
}

export interface ReplayResult {
  protocol: EvccSchema;
  mode: EnergyTransferMode;
  /** Car requests our EVCC reproduced, in order. */
  matched: number;
  /** Car loop requests after the EVSE's stop that our EVCC (stopping at once) did not send. */
  carOnly: number;
  total: number;
  /** First difference: what the car sent and what we sent (undefined when all matched). */
  mismatch?: { index: number; car: string; ours: string };
  outcome?: EvccOutcome;
  /** Controls injected to follow the car's decisions. */
  controls: string[];
  /** Where the car and the standard part ways, and the replay stopped or skipped on purpose. */
  deviations: string[];
  /** The session used Plug & Charge (Contract): out of scope for this EIM EVCC; not replayed. */
  skipped?: string;
}

function body(doc: V2gMessageDoc | undefined): { name: string; content: any } | undefined {
  const b = doc?.V2G_Message?.Body;
  if (!b) return undefined;
  const name = Object.keys(b)[0];
  return name === undefined ? undefined : { name, content: (b as any)[name] };
}

/** A BMS that reports what the car reported in its request at the same point of the session. */
export class ReplayBms implements EvBms {
  req: any = {};
  cpd: any = {};
  lastSoc = 50;
  lastVoltage = 400;
  /** The car's next request type: its PreCharge / WeldingDetection decisions follow from it. */
  nextName = "";

  follow(pair: ReplayPair | undefined): void {
    const b = body(pair?.req);
    if (!b) return;
    this.nextName = b.name;
    this.req = b.content ?? {};
    if (b.name === "ChargeParameterDiscoveryReq") this.cpd = b.content;
    const status = this.req.DC_EVStatus ?? this.req.DC_EVPowerDeliveryParameter?.DC_EVStatus;
    if (status?.EVRESSSOC !== undefined) this.lastSoc = Number(status.EVRESSSOC);
    const v = fromPhysical(this.req.EVTargetVoltage);
    if (v !== undefined && b.name === "PreChargeReq") this.lastVoltage = v;
  }

  #dc(): any {
    return this.cpd.DC_EVChargeParameter ?? {};
  }

  soc(): number {
    return this.lastSoc;
  }
  ready(): boolean {
    return true;
  }
  errorCode(): DcEvErrorCode {
    return "NO_ERROR";
  }
  capacityWh(): number {
    return fromPhysical(this.#dc().EVEnergyCapacity) ?? 60_000;
  }
  energyRequestWh(): number {
    return fromPhysical(this.#dc().EVEnergyRequest) ?? fromPhysical(this.cpd.AC_EVChargeParameter?.EAmount) ?? 20_000;
  }
  bulkSoc(): number | undefined {
    return this.#dc().BulkSOC;
  }
  fullSoc(): number | undefined {
    return this.#dc().FullSOC;
  }
  dcLimits(): { maxVoltage: number; maxCurrent: number; maxPower: number } {
    const dc = this.#dc();
    return { maxVoltage: fromPhysical(dc.EVMaximumVoltageLimit) ?? 450, maxCurrent: fromPhysical(dc.EVMaximumCurrentLimit) ?? 200, maxPower: fromPhysical(dc.EVMaximumPowerLimit) ?? 100_000 };
  }
  voltage(): number {
    return this.lastVoltage;
  }
  dcTarget(): { voltage: number; current: number } {
    return { voltage: fromPhysical(this.req.EVTargetVoltage) ?? this.lastVoltage, current: fromPhysical(this.req.EVTargetCurrent) ?? 0 };
  }
  acLimits(): { maxVoltage: number; maxCurrent: number; minCurrent: number } {
    const ac = this.cpd.AC_EVChargeParameter ?? {};
    return { maxVoltage: fromPhysical(ac.EVMaxVoltage) ?? 400, maxCurrent: fromPhysical(ac.EVMaxCurrent) ?? 16, minCurrent: fromPhysical(ac.EVMinCurrent) ?? 6 };
  }
  chargingComplete(): boolean {
    return false;
  }
  bulkChargingComplete(): boolean {
    return false;
  }
  remainingTimeToFullSoc(): number | undefined {
    return undefined;
  }
  remainingTimeToBulkSoc(): number | undefined {
    return undefined;
  }
  preChargeComplete(): boolean {
    return this.nextName !== "PreChargeReq";
  }
  weldingDetectionComplete(): boolean {
    return this.nextName !== "WeldingDetectionReq";
  }
}

/** The car's request/response pairs of one session, in order (SAP excluded). */
export function pairsOf(messages: { dir: string; schema?: string; doc?: object; type?: string }[], protocol: EvccSchema): ReplayPair[] {
  const pairs: ReplayPair[] = [];
  for (const m of messages) {
    if (m.schema !== protocol || m.doc === undefined) continue;
    if (m.dir === "EV→EVSE") pairs.push({ req: m.doc as V2gMessageDoc, reqName: m.type ?? "?" });
    else if (pairs.length > 0 && pairs[pairs.length - 1].res === undefined) pairs[pairs.length - 1].res = m.doc as V2gMessageDoc;
  }
  return pairs;
}

const LOOP_REQUESTS = ["CurrentDemandReq", "ChargingStatusReq"];

function modeOf(pairs: ReplayPair[]): EnergyTransferMode {
  const cpd = body(pairs.find((p) => p.reqName === "ChargeParameterDiscoveryReq")?.req)?.content;
  const requested = cpd?.EVRequestedEnergyTransferType ?? cpd?.RequestedEnergyTransferMode;
  if (requested !== undefined) return requested;
  // No ChargeParameterDiscovery (the car gave up before): take what the charger offered.
  const sd = body(pairs.find((p) => p.reqName === "ServiceDiscoveryReq")?.res)?.content;
  const offered = sd?.ChargeService?.SupportedEnergyTransferMode?.EnergyTransferMode?.[0] ?? sd?.ChargeService?.EnergyTransferType;
  return offered !== undefined && String(offered).indexOf("AC") === 0 ? offered : "DC_extended";
}

export function replay(protocol: EvccSchema, pairs: ReplayPair[]): ReplayResult {
  const mode = modeOf(pairs);
  const result: ReplayResult = { protocol, mode, matched: 0, carOnly: 0, total: pairs.length, controls: [], deviations: [] };
  const payment = body(pairs.find((p) => /PaymentS.*SelectionReq/.test(p.reqName))?.req)?.content?.SelectedPaymentOption;
  if (payment === "Contract") {
    result.skipped = "Plug & Charge (SelectedPaymentOption Contract)";
    return result;
  }
  const evccId: Uint8Array = body(pairs[0]?.req)?.content?.EVCCID ?? Uint8Array.of(0, 1, 2, 3, 4, 5);
  const services: number[] = [];
  for (const p of pairs) if (p.reqName === "ServiceDetailReq") services.push(Number(body(p.req)!.content.ServiceID));
  const clock = new ManualClock();
  const bms = new ReplayBms();
  bms.follow(pairs.find((p) => p.reqName === "ChargeParameterDiscoveryReq"));
  bms.follow(pairs[0]);
  const sent: V2gMessageDoc[] = [];
  let outcome: EvccOutcome | undefined;
  const session = new EvccSession({
    config: {
      protocol,
      energyTransferMode: mode,
      evccId,
      valueAddedServices: services,
      weldingDetection: pairs.some((p) => p.reqName === "WeldingDetectionReq"),
      pollInterval: 50 as Millis,
      currentDemandInterval: 50 as Millis,
      chargingStatusInterval: 50 as Millis,
    },
    bms,
    clock,
    callbacks: { send: (d) => sent.push(d as V2gMessageDoc), onStop: (o) => (outcome = o) },
  });
  session.start();
  let ours = 0; // index into `sent`
  for (let i = 0; i < pairs.length; i++) {
    const mine = body(sent[ours])?.name ?? (outcome ? `(ended: ${outcome.reason})` : "(nothing)");
    const car = pairs[i].reqName;
    if (mine !== car) {
      // The charger asked to stop and we wound down at once; the car took a few more loop rounds.
      const carSkips = mine === "PowerDeliveryReq" && LOOP_REQUESTS.indexOf(car) >= 0;
      let j = i;
      while (carSkips && j < pairs.length && LOOP_REQUESTS.indexOf(pairs[j].reqName) >= 0) j++;
      if (carSkips && j < pairs.length && pairs[j].reqName === "PowerDeliveryReq") {
        result.deviations.push(`EVCC stopped at once on the EVSE's stop; the car sent ${j - i} more ${car}`);
        result.carOnly += j - i;
        i = j;
      } else {
        if (carSkips && j === pairs.length) result.deviations.push(`EVCC stopped at once on the EVSE's stop; the car sent ${j - i} more ${car} until the capture ends`);
        else if (mine === "PowerDeliveryReq" && car === "SessionStopReq") result.deviations.push("the car skipped PowerDelivery(Stop) before SessionStop (not per the standard)");
        result.mismatch = { index: i, car, ours: mine };
        break;
      }
    }
    result.matched++;
    ours++;
    const res = pairs[i].res;
    if (res === undefined) break; // the capture ends here
    bms.follow(pairs[i + 1]);
    session.handle({ type: "response", message: res });
    if (session.ended) {
      if (i + 1 < pairs.length) {
        const next = pairs[i + 1].reqName;
        if (outcome?.reason === "response-code") {
          result.deviations.push(
            next === "SessionStopReq"
              ? `after ${outcome.detail} the car sent SessionStopReq; the EVCC closes at once, as the SECC does after a FAILED response`
              : `the car went on with ${next} after a FAILED response (${outcome.detail})`,
          );
        } else if (outcome?.reason === "no-charge-service") {
          result.deviations.push(`EVCC ended at ServiceDiscovery (${outcome.detail}); the car went on with ${next}`);
        }
        result.mismatch = { index: i + 1, car: next, ours: `(ended: ${outcome?.reason} ${outcome?.detail ?? ""})` };
      }
      break;
    }
    // Follow the car's own decision to end the loop or the session (user, BMS).
    const next = pairs[i + 1];
    if (next !== undefined) {
      const planned = EVCC_STEPS[session.step]!.names(protocol).request;
      if (next.reqName === "PowerDeliveryReq" && body(next.req)?.content?.ChargeProgress === "Renegotiate") {
        if (planned !== "PowerDeliveryReq") {
          result.controls.push(`renegotiate before #${i + 1} (in ${session.step})`);
          session.renegotiate();
        }
      } else if (planned !== next.reqName && (next.reqName === "PowerDeliveryReq" || next.reqName === "SessionStopReq") && session.facts.stopReason === undefined) {
        const pause = body(next.req)?.content?.ChargingSession === "Pause";
        result.controls.push(`${pause ? "pause" : "stop"} before ${next.reqName} #${i + 1} (in ${session.step})`);
        if (pause) session.pause();
        else session.stop();
      }
    }
    const before = sent.length;
    for (let t = 0; t < 1200 && sent.length === before && !session.ended; t++) clock.advance(50);
  }
  result.outcome = outcome;
  return result;
}
