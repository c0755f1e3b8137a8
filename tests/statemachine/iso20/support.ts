// Test support for ISO 15118-20: SECC configurations and a scripted EV that talks to a
// SeccSession at object level, with every request and response through the EXI codec (so the
// messages are schema-valid both ways).

import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import { createExiCodec } from "../../../modules/exi/index";
import type { SchemaId } from "../../../modules/exi/index";
import { SeccSession } from "../../../modules/statemachine/index";
import type { ControlEvent, SeccConfig, SeccSessionOptions, SessionStore } from "../../../modules/statemachine/index";
import { iso20SchemaOfMessage } from "../../../modules/statemachine/iso20/envelope";

export const DC20: SeccConfig = {
  evseId: "DE*XS1*E0001",
  energyModes: ["DC_extended"],
  protocols: ["iso20", "iso2", "din"],
  dc: { maxVoltage: 900, maxCurrent: 200, maxPower: 100_000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5 },
  meterId: "SIM-METER-1",
  iso20: { discharge: { maxPower: 11_000, maxCurrent: 30 } },
};

export const AC20: SeccConfig = {
  evseId: "DE*XS1*E0002",
  energyModes: ["AC_three_phase_core"],
  protocols: ["iso20", "iso2"],
  ac: { nominalVoltage: 230, maxCurrent: 16, phases: 3 },
  meterId: "SIM-METER-2",
  iso20: { discharge: { maxPower: 7_000 } },
};

export const EVCCID = "WMIV1234567890ABCDEX";
export const UNIX = 1_761_474_994n;

export function r(value: number, exponent = 0) {
  return { Exponent: exponent, Value: value };
}

export interface Iso20Ev {
  clock: ManualClock;
  secc: SeccSession;
  sessionId: Uint8Array;
  /** Sends a request (content without Header), returns the decoded response content. */
  send(name: string, content?: object): Record<string, any>;
  /** Like send, and asserts ResponseCode OK (or `code`). */
  ok(name: string, content?: object, code?: string): Record<string, any>;
  control(event: ControlEvent): void;
  stopReason(): string | undefined;
}

export function iso20Ev(config: SeccConfig, options: Partial<SeccSessionOptions> & { store?: SessionStore; resume?: Uint8Array } = {}): Iso20Ev {
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock({ start: 1000 });
  const codec = createExiCodec();
  let stopped: string | undefined;
  const secc = new SeccSession({ config, clock, protocol: "iso20", unixTime: () => UNIX, onStop: (reason) => (stopped = reason), ...options });
  const ev: Iso20Ev = {
    clock,
    secc,
    sessionId: options.resume ?? new Uint8Array(8),
    send(name, content = {}) {
      const schema: SchemaId = iso20SchemaOfMessage(name);
      const request = codec.decode(schema, codec.encode(schema, { [name]: { Header: { SessionID: ev.sessionId, TimeStamp: UNIX }, ...content } }));
      const out = secc.request(request as any);
      assert.ok(out.response !== undefined, `no response to ${name}`);
      const resName = Object.keys(out.response!)[0];
      assert.equal(resName, name.replace(/Req$/, "Res"));
      const resSchema = secc.schemaOf(out.response!);
      assert.equal(resSchema, schema);
      const decoded = codec.decode(resSchema, codec.encode(resSchema, out.response!)) as Record<string, any>;
      const res = decoded[resName];
      assert.equal(res.Header.TimeStamp, UNIX);
      if (name === "SessionSetupReq") ev.sessionId = res.Header.SessionID;
      else if (res.ResponseCode !== "FAILED_UnknownSession") assert.deepEqual(res.Header.SessionID, ev.sessionId);
      clock.advance(20);
      return res;
    },
    ok(name, content, code = "OK") {
      const res = ev.send(name, content);
      assert.equal(res.ResponseCode, code, `${name}: ${res.ResponseCode}`);
      return res;
    },
    control: (event) => secc.control(event),
    stopReason: () => stopped,
  };
  return ev;
}

/** SessionSetup … ServiceSelection with EIM (authorized up front); returns the ServiceDetailRes content. */
export function setUpTo(ev: Iso20Ev, serviceId: number, parameterSetId = 1): Record<string, any> {
  ev.ok("SessionSetupReq", { EVCCID }, "OK_NewSessionEstablished");
  ev.ok("AuthorizationSetupReq");
  ev.control({ kind: "authorized", accepted: true });
  assert.equal(ev.ok("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} }).EVSEProcessing, "Finished");
  ev.ok("ServiceDiscoveryReq");
  const detail = ev.ok("ServiceDetailReq", { ServiceID: serviceId });
  ev.ok("ServiceSelectionReq", { SelectedEnergyTransferService: { ServiceID: serviceId, ParameterSetID: parameterSetId } });
  return detail;
}

/** A DC (service 2) or AC (service 1) Scheduled session driven into its charge loop; returns the loop request's name and content. */
/** A 150 kW, 300 A, 200–800 V vehicle's DC_ChargeParameterDiscoveryReq limits. */
export const DC_CPD_LIMITS = Object.freeze({
  EVMaximumChargePower: r(150, 3),
  EVMinimumChargePower: r(0),
  EVMaximumChargeCurrent: r(300),
  EVMinimumChargeCurrent: r(0),
  EVMaximumVoltage: r(800),
  EVMinimumVoltage: r(200),
});

export function intoChargeLoop(ev: Iso20Ev, dc: boolean): { name: string; content: object } {
  setUpTo(ev, dc ? 2 : 1, 1);
  if (dc) {
    ev.ok("DC_ChargeParameterDiscoveryReq", { DC_CPDReqEnergyTransferMode: DC_CPD_LIMITS });
  } else {
    ev.ok("AC_ChargeParameterDiscoveryReq", { AC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(11, 3), EVMinimumChargePower: r(0) } });
  }
  ev.ok("ScheduleExchangeReq", { MaximumSupportingPoints: 12, Scheduled_SEReqControlMode: {} });
  if (dc) {
    ev.ok("DC_CableCheckReq"); // starts the isolation check: Ongoing
    ev.control({ kind: "cable-check-finished", isolation: "Valid" });
    assert.equal(ev.ok("DC_CableCheckReq").EVSEProcessing, "Finished");
    ev.control({ kind: "present-values", voltage: 400, current: 0 });
    ev.ok("DC_PreChargeReq", { EVProcessing: "Finished", EVPresentVoltage: r(400), EVTargetVoltage: r(400) });
  }
  const profile = { TimeAnchor: 0n, Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: 1 }, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(10, 3) }] } };
  ev.ok("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: profile });
  assert.equal(ev.secc.state, "ChargeLoop");
  return dc
    ? { name: "DC_ChargeLoopReq", content: { MeterInfoRequested: false, EVPresentVoltage: r(400), Scheduled_DC_CLReqControlMode: { EVTargetCurrent: r(25), EVTargetVoltage: r(410) } } }
    : { name: "AC_ChargeLoopReq", content: { MeterInfoRequested: false, Scheduled_AC_CLReqControlMode: { EVPresentActivePower: r(10, 3) } } };
}
