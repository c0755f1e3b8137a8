// Handler tests: the pure `handle(req, session, facts)` functions, no session, no clock.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Millis } from "../../../modules/common/index";
import { DIN_SECC, ISO2_SECC, dispatch, initialEvseFacts } from "../../../modules/statemachine/index";
import type { SeccConfig, SeccFacts } from "../../../modules/statemachine/index";
import { newContext } from "../../../modules/statemachine/secc/context";
import { handle as dinCableCheck } from "../../../modules/statemachine/din/secc-cable-check";
import { handle as dinPowerDelivery } from "../../../modules/statemachine/din/secc-power-delivery";
import { handle as dinSessionSetup } from "../../../modules/statemachine/din/secc-session-setup";
import { handle as isoChargeParameterDiscovery } from "../../../modules/statemachine/iso2/secc-charge-parameter-discovery";
import { handle as isoCurrentDemand } from "../../../modules/statemachine/iso2/secc-current-demand";
import { handle as isoSessionStop } from "../../../modules/statemachine/iso2/secc-session-stop";
import { handle as isoAuthorization } from "../../../modules/statemachine/iso2/secc-authorization";
import { AC_CONFIG, DC_CONFIG, EVCCID, dcEvStatus, pv } from "./support";

function facts(config: SeccConfig, patch: Partial<ReturnType<typeof initialEvseFacts>> = {}, extra: Partial<SeccFacts> = {}): SeccFacts {
  return { config, evse: { ...initialEvseFacts(config), ...patch }, now: Millis(0), ...extra };
}

describe("SECC handlers (pure)", () => {
  test("DIN SessionSetupReq with a fresh ID → OK_NewSessionEstablished, next ServiceDiscovery", () => {
    const ctx = newContext("din");
    const id = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const r = dinSessionSetup({ EVCCID }, ctx, facts(DC_CONFIG, {}, { newSessionId: id, unixTime: 1700000000n }));
    assert.equal(r.kind, "reply");
    assert.equal(r.kind === "reply" && r.next, "ServiceDiscovery");
    assert.deepEqual(r.body, { SessionSetupRes: { ResponseCode: "OK_NewSessionEstablished", EVSEID: new Uint8Array(1), DateTimeNow: 1700000000n } });
    assert.deepEqual(ctx.sessionId, id);
    assert.deepEqual(ctx.evccId, EVCCID);
  });

  test("CableCheckReq before the isolation check started → Ongoing + start-cable-check signal", () => {
    const ctx = newContext("din");
    const r = dinCableCheck({ DC_EVStatus: dcEvStatus(50) }, ctx, facts(DC_CONFIG));
    assert.equal(r.kind === "reply" && r.signal, "start-cable-check");
    assert.equal((r.body.CableCheckRes as any).EVSEProcessing, "Ongoing");
    assert.equal(ctx.ev.soc, 50);
  });

  test("CableCheckReq while the check runs → Ongoing, IsolationMonitoringActive (where configured), no second start", () => {
    const ctx = newContext("din");
    ctx.cableCheckStarted = true;
    const r = dinCableCheck({ DC_EVStatus: dcEvStatus() }, ctx, facts({ ...DC_CONFIG, isolationMonitoringStatus: true }));
    assert.equal(r.kind === "reply" && r.signal, undefined);
    assert.equal((r.body.CableCheckRes as any).DC_EVSEStatus.EVSEStatusCode, "EVSE_IsolationMonitoringActive");
  });

  test("CableCheckReq after cable-check-finished (Warning) → Finished, next PreCharge", () => {
    const ctx = newContext("iso2");
    ctx.cableCheckStarted = true;
    const r = dinCableCheck({ DC_EVStatus: dcEvStatus() }, ctx, facts(DC_CONFIG, { cableCheckFinished: true, isolation: "Warning" }));
    assert.equal(r.kind === "reply" && r.next, "PreCharge");
    assert.equal((r.body.CableCheckRes as any).DC_EVSEStatus.EVSEIsolationStatus, "Warning");
  });

  test("DIN PowerDeliveryReq ReadyToChargeState=false → WeldingDetection with stop-charging", () => {
    const ctx = newContext("din");
    ctx.charging = true;
    const r = dinPowerDelivery({ ReadyToChargeState: false }, ctx, facts(DC_CONFIG));
    assert.equal(r.kind === "reply" && r.next, "WeldingDetection");
    assert.equal(r.signal, "stop-charging");
    assert.equal(ctx.charging, false);
  });

  test("ISO-2 CurrentDemandReq → present values, limit flags, EVSEID, tuple ID, meter", () => {
    const ctx = newContext("iso2");
    const r = isoCurrentDemand(
      { DC_EVStatus: dcEvStatus(70), EVTargetCurrent: pv(90, "A"), EVMaximumPowerLimit: pv(50, "W", 3), ChargingComplete: false, EVTargetVoltage: pv(5000, "V", -1) },
      ctx,
      facts(DC_CONFIG, { presentVoltage: 499.5, presentCurrent: 89.9, meterWh: 777 }),
    );
    const res = r.body.CurrentDemandRes as any;
    assert.equal(res.EVSEVoltageLimitAchieved, true, "500 V asked = the 500 V limit");
    assert.equal(res.EVSECurrentLimitAchieved, false);
    assert.deepEqual(res.EVSEPresentVoltage, pv(4995, "V", -1));
    assert.equal(res.EVSEID, "DE*XS1*E0001");
    assert.deepEqual(res.MeterInfo, { MeterID: "SIM-METER-1", MeterReading: 777n });
    assert.equal(ctx.ev.maxPower, 50000);
    assert.equal(r.signal, "current-demand");
  });

  test("CurrentDemandReq after an emergency shutdown → FAILED, EVSE_EmergencyShutdown, stop", () => {
    const r = isoCurrentDemand(
      { DC_EVStatus: dcEvStatus(), EVTargetCurrent: pv(90, "A"), ChargingComplete: false, EVTargetVoltage: pv(400, "V") },
      newContext("iso2"),
      facts(DC_CONFIG, { emergency: true, notification: "StopCharging" }),
    );
    assert.equal(r.kind, "stop");
    assert.equal((r.body.CurrentDemandRes as any).DC_EVSEStatus.EVSEStatusCode, "EVSE_EmergencyShutdown");
  });

  test("ISO-2 ChargeParameterDiscoveryReq AC with AC parameters → AC_EVSEChargeParameter and schedule, next PowerDelivery", () => {
    const ctx = newContext("iso2");
    const r = isoChargeParameterDiscovery(
      { RequestedEnergyTransferMode: "AC_single_phase_core", AC_EVChargeParameter: { EAmount: pv(10, "Wh", 3), EVMaxVoltage: pv(230, "V"), EVMaxCurrent: pv(16, "A"), EVMinCurrent: pv(6, "A") } },
      ctx,
      facts(AC_CONFIG),
    );
    assert.equal(r.kind === "reply" && r.next, "PowerDelivery");
    const res = r.body.ChargeParameterDiscoveryRes as any;
    assert.ok("AC_EVSEChargeParameter" in res && !("DC_EVSEChargeParameter" in res));
    assert.equal(ctx.dc, false);
    assert.equal(ctx.ev.maxCurrent, 16);
  });

  test("ISO-2 ChargeParameterDiscoveryReq DC mode without DC parameters → FAILED_WrongChargeParameter", () => {
    const r = isoChargeParameterDiscovery({ RequestedEnergyTransferMode: "DC_extended" }, newContext("iso2"), facts(DC_CONFIG));
    assert.equal(r.kind, "stop");
    assert.equal((r.body.ChargeParameterDiscoveryRes as any).ResponseCode, "FAILED_WrongChargeParameter");
  });

  test("AuthorizationReq: pending → Ongoing with request-authorization once; accepted → Finished", () => {
    const ctx = newContext("iso2");
    const first = isoAuthorization({}, ctx, facts(DC_CONFIG));
    const second = isoAuthorization({}, ctx, facts(DC_CONFIG));
    assert.equal(first.signal, "request-authorization");
    assert.equal(second.signal, undefined);
    const done = isoAuthorization({}, ctx, facts(DC_CONFIG, { authorization: "accepted" }));
    assert.equal(done.kind === "reply" && done.next, "ChargeParameterDiscovery");
  });

  test("config.authorizationOngoing → Ongoing_WaitingForCustomerInteraction while pending", () => {
    const r = isoAuthorization({}, newContext("iso2"), facts({ ...DC_CONFIG, authorizationOngoing: "Ongoing_WaitingForCustomerInteraction" }));
    assert.equal((r.body.AuthorizationRes as any).EVSEProcessing, "Ongoing_WaitingForCustomerInteraction");
  });

  test("DIN PowerDeliveryReq with a ChargingProfile for another tuple → FAILED_TariffSelectionInvalid", () => {
    const profile = { SAScheduleTupleID: 2, ProfileEntry: [{ ChargingProfileEntryStart: 0, ChargingProfileEntryMaxPower: 4140 }] };
    const r = dinPowerDelivery({ ReadyToChargeState: true, ChargingProfile: profile }, newContext("din"), facts(DC_CONFIG));
    assert.equal((r.body.PowerDeliveryRes as any).ResponseCode, "FAILED_TariffSelectionInvalid");
    const ok = dinPowerDelivery({ ReadyToChargeState: true, ChargingProfile: { ...profile, SAScheduleTupleID: 1 } }, newContext("din"), facts(DC_CONFIG));
    assert.equal((ok.body.PowerDeliveryRes as any).ResponseCode, "OK");
  });

  test("PowerDelivery start during an emergency shutdown → FAILED_PowerDeliveryNotApplied, stop", () => {
    const r = dinPowerDelivery({ ReadyToChargeState: true }, newContext("din"), facts(DC_CONFIG, { emergency: true, notification: "StopCharging" }));
    assert.equal(r.kind, "stop");
    assert.equal((r.body.PowerDeliveryRes as any).ResponseCode, "FAILED_PowerDeliveryNotApplied");
    assert.equal((r.body.PowerDeliveryRes as any).DC_EVSEStatus.EVSEStatusCode, "EVSE_EmergencyShutdown");
  });

  test("SessionStopReq Pause → stop reason ev-pause", () => {
    const r = isoSessionStop({ ChargingSession: "Pause" }, newContext("iso2"), facts(DC_CONFIG));
    assert.equal(r.kind === "stop" && r.reason, "ev-pause");
  });
});

describe("dispatcher", () => {
  test("a request the state does not accept → the failed response of that request type, FAILED_SequenceError", () => {
    const ctx = newContext("iso2");
    ctx.sessionId = new Uint8Array([1]);
    const r = dispatch(ISO2_SECC, ISO2_SECC.states.CableCheck, "WeldingDetectionReq", {}, ctx.sessionId, ctx, facts(DC_CONFIG));
    assert.equal(r?.kind, "stop");
    assert.equal(r?.kind === "stop" && r.reason, "sequence-error");
    assert.equal((r!.body.WeldingDetectionRes as any).ResponseCode, "FAILED_SequenceError");
  });

  test("the sequence is checked before the session ID", () => {
    const ctx = newContext("din");
    ctx.sessionId = new Uint8Array([1]);
    const r = dispatch(DIN_SECC, DIN_SECC.states.CableCheck, "PreChargeReq", {}, new Uint8Array([2]), ctx, facts(DC_CONFIG));
    assert.equal(r?.kind === "stop" && r.reason, "sequence-error");
  });

  test("a wrong session ID on an accepted request → FAILED_UnknownSession", () => {
    const ctx = newContext("din");
    ctx.sessionId = new Uint8Array([1]);
    const r = dispatch(DIN_SECC, DIN_SECC.states.CableCheck, "CableCheckReq", { DC_EVStatus: dcEvStatus() }, new Uint8Array([2]), ctx, facts(DC_CONFIG));
    assert.equal(r?.kind === "stop" && r.reason, "unknown-session");
    assert.equal((r!.body.CableCheckRes as any).ResponseCode, "FAILED_UnknownSession");
  });

  test("an element that is no request of the protocol → undefined (nothing to answer)", () => {
    const ctx = newContext("din");
    assert.equal(dispatch(DIN_SECC, DIN_SECC.states.SessionSetup, "AuthorizationReq", {}, ctx.sessionId, ctx, facts(DC_CONFIG)), undefined);
  });

  test("state records are frozen, accepts[0] is the state's own request", () => {
    for (const p of [DIN_SECC, ISO2_SECC]) {
      for (const [id, state] of Object.entries(p.states)) {
        assert.ok(Object.isFrozen(state), `${p.id} ${id}`);
        assert.equal(state.id, id);
        assert.ok(state.accepts.length >= 1);
      }
    }
    assert.deepEqual(ISO2_SECC.states.PreCharge.accepts, ["PreChargeReq", "PowerDeliveryReq", "SessionStopReq"]);
  });
});
