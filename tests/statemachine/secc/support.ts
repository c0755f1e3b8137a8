// Test support for the SECC: configurations, request builders and a scripted EV.

import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import { decode, encode } from "../../../modules/exi/index";
import type { ChargerFeedback, SeccConfig, SessionStore } from "../../../modules/statemachine/index";
import { SeccSession } from "../../../modules/statemachine/index";
import type { PhysicalUnit, iso2, SeccOutput, SeccSessionOptions, SeccTraceEntry, V2gDocument } from "../../../modules/statemachine/index";

export const DC_CONFIG: SeccConfig = {
  evseId: "DE*XS1*E0001",
  energyModes: ["DC_extended", "DC_core"],
  dc: {
    maxVoltage: 500,
    maxCurrent: 200,
    maxPower: 100000,
    minVoltage: 150,
    minCurrent: 0,
    peakCurrentRipple: 5,
    currentRegulationTolerance: 1,
    energyToBeDelivered: 50000,
  },
  meterId: "SIM-METER-1",
};

export const AC_CONFIG: SeccConfig = {
  evseId: "DE*XS1*E0002",
  energyModes: ["AC_three_phase_core", "AC_single_phase_core"],
  ac: { nominalVoltage: 230, maxCurrent: 32, phases: 3 },
  meterId: "SIM-METER-2",
};

export const EVCCID = new Uint8Array([0x00, 0x7d, 0xfa, 0x07, 0x5e, 0x4a]);
export const ZERO_ID = new Uint8Array(1);

export function pv(value: number, unit: PhysicalUnit, multiplier = 0): iso2.PhysicalValueType {
  return { Multiplier: multiplier, Unit: unit, Value: value };
}

export function dcEvStatus(soc = 40, ready = true) {
  return { EVReady: ready, EVErrorCode: "NO_ERROR" as const, EVRESSSOC: soc };
}

export function doc(sessionId: Uint8Array, name: string, content: object = {}): V2gDocument {
  return { V2G_Message: { Header: { SessionID: sessionId }, Body: { [name]: content } } };
}

/** Records every feedback call as "name(args)". */
export function recordingFeedback(calls: string[]): ChargerFeedback {
  return {
    sessionStarted: (info) => calls.push(`sessionStarted(${info.protocol},${info.resumed})`),
    requestAuthorization: () => calls.push("requestAuthorization"),
    startCableCheck: (v) => calls.push(`startCableCheck(${v})`),
    preCharge: (v, i) => calls.push(`preCharge(${v},${i})`),
    dcTarget: (v, i) => calls.push(`dcTarget(${v},${i})`),
    startCharging: (m) => calls.push(`startCharging(${m})`),
    stopCharging: (m) => calls.push(`stopCharging(${m})`),
    weldingDetection: () => calls.push("weldingDetection"),
    sessionStopped: (r) => calls.push(`sessionStopped(${r})`),
  };
}

/** A scripted EV talking to one SeccSession. */
export class ScriptedEv {
  readonly clock: ManualClock;
  readonly session: SeccSession;
  readonly calls: string[] = [];
  readonly trace: SeccTraceEntry[] = [];
  readonly stops: string[] = [];
  sessionId: Uint8Array = ZERO_ID;
  last: SeccOutput | undefined;
  /** Encode every response with the EXI codec (encode succeeds = schema-valid). */
  validate = true;

  constructor(
    config: SeccConfig,
    options: { protocol?: "din" | "iso2"; store?: SessionStore; clock?: ManualClock; extra?: Partial<SeccSessionOptions> } = {},
  ) {
    this.clock = options.clock ?? new ManualClock();
    let n = 0;
    this.session = new SeccSession({
      config,
      clock: this.clock,
      protocol: options.protocol,
      store: options.store,
      feedback: recordingFeedback(this.calls),
      trace: (e) => this.trace.push(e),
      onStop: (r) => this.stops.push(r),
      randomBytes: (count) => {
        const out = new Uint8Array(count);
        n++;
        for (let i = 0; i < count; i++) out[i] = (0x10 * n + i) & 0xff;
        return out;
      },
      ...options.extra,
    });
  }

  /** Sends a request and returns the response content, checking the response name. */
  send(name: string, content: object = {}, sessionId: Uint8Array = this.sessionId): Record<string, any> {
    const out = this.session.request(doc(sessionId, name, content));
    this.last = out;
    const resName = name.replace(/Req$/, "Res");
    assert.ok(out.response !== undefined, `no response to ${name}`);
    const body = (out.response as V2gDocument).V2G_Message.Body as Record<string, any>;
    assert.ok(resName in body, `expected ${resName}, got ${Object.keys(body).join()}`);
    if (this.validate) encodes((this.session.protocol ?? "iso2") as "din" | "iso2", out.response);
    if (name === "SessionSetupReq") this.sessionId = (out.response as V2gDocument).V2G_Message.Header.SessionID;
    return body[resName];
  }
}

/** Encodes `doc` with the codec (throws if it does not fit the schema) and checks it decodes back. */
export function encodes(schema: "din" | "iso2" | "apphand", doc: object): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = encode(schema, doc);
  } catch (error) {
    assert.fail(`${schema} response does not encode: ${(error as Error).message}\n${describe(doc)}`);
  }
  decode(schema, bytes);
  return bytes;
}

function describe(doc: object): string {
  return JSON.stringify(doc, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : typeof v === "bigint" ? `${v}n` : v));
}

/** True inside the XS engine (keep data-heavy loops small there). */
export { engine } from "../../support/shared";
import { engine as hostEngine } from "../../support/shared";
export const engineIsXs = hostEngine === "xs";
