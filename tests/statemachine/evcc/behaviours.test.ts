import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { collapse, runToEnd, setup } from "./harness";

describe("EVCC: Ongoing retries", () => {
  test("Authorization Ongoing twice → repeated after the poll interval, then ChargeParameterDiscovery", () => {
    const run = setup({
      protocol: "iso2",
      mode: "DC_extended",
      overrides: { AuthorizationReq: (_req, n) => ({ ResponseCode: "OK", EVSEProcessing: n < 3 ? "Ongoing" : "Finished" }) },
    });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "charging-complete");
    assert.equal(run.secc.counts.AuthorizationReq, 3);
    const auth = run.trace.filter((e) => e.direction === "tx" && e.name === "AuthorizationReq").map((e) => e.at);
    assert.ok(auth[1] - auth[0] >= 200, "poll interval between Ongoing retries");
  });

  test("ISO-2 Ongoing_WaitingForCustomerInteraction keeps polling like Ongoing", () => {
    const run = setup({
      protocol: "iso2",
      mode: "AC_three_phase_core",
      overrides: { AuthorizationReq: (_req, n) => ({ ResponseCode: "OK", EVSEProcessing: n < 5 ? "Ongoing_WaitingForCustomerInteraction" : "Finished" }) },
    });
    assert.equal(runToEnd(run)?.reason, "charging-complete");
    assert.equal(run.secc.counts.AuthorizationReq, 5);
  });

  test("DIN ContractAuthentication Ongoing beyond V2G_EVCC_Ongoing_Timer (60 s) → stop timeout-ongoing", () => {
    const run = setup({
      protocol: "din",
      mode: "DC_extended",
      overrides: { ContractAuthenticationReq: () => ({ ResponseCode: "OK", EVSEProcessing: "Ongoing" }) },
    });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "timeout-ongoing");
    assert.equal(outcome?.orderly, false);
    assert.equal(outcome?.step, "Authorization");
    assert.ok(run.clock.now() - 1000 >= 60_000 && run.clock.now() - 1000 < 61_000);
  });

  test("ChargeParameterDiscovery Ongoing (no SASchedules yet) → retried until Finished", () => {
    const run = setup({
      protocol: "iso2",
      mode: "DC_extended",
      overrides: {
        ChargeParameterDiscoveryReq: (_req, n, secc) =>
          n < 4
            ? {
                ResponseCode: "OK",
                EVSEProcessing: "Ongoing",
                DC_EVSEChargeParameter: {
                  DC_EVSEStatus: secc.dcStatus("EVSE_NotReady"),
                  EVSEMaximumCurrentLimit: secc.pv(125, "A"),
                  EVSEMaximumPowerLimit: secc.pv(50000, "W"),
                  EVSEMaximumVoltageLimit: secc.pv(500, "V"),
                  EVSEMinimumCurrentLimit: secc.pv(0, "A"),
                  EVSEMinimumVoltageLimit: secc.pv(150, "V"),
                  EVSEPeakCurrentRipple: secc.pv(2, "A"),
                },
              }
            : undefined,
      },
    });
    assert.equal(runToEnd(run)?.reason, "charging-complete");
    assert.equal(run.secc.counts.ChargeParameterDiscoveryReq, 4);
  });

  test("CableCheck Ongoing / isolation Invalid → repeated; beyond 40 s → timeout-cable-check, pilot back to B", () => {
    const ok = setup({
      protocol: "din",
      mode: "DC_extended",
      overrides: { CableCheckReq: (_r, n, secc) => ({ ResponseCode: "OK", DC_EVSEStatus: secc.dcStatus(n < 3 ? "EVSE_IsolationMonitoringActive" : "EVSE_Ready", "None", n < 3 ? "Invalid" : "Valid"), EVSEProcessing: n < 3 ? "Ongoing" : "Finished" }) },
    });
    assert.equal(runToEnd(ok)?.reason, "charging-complete");
    assert.equal(ok.secc.counts.CableCheckReq, 3);

    const stuck = setup({
      protocol: "din",
      mode: "DC_extended",
      overrides: { CableCheckReq: (_r, _n, secc) => ({ ResponseCode: "OK", DC_EVSEStatus: secc.dcStatus("EVSE_IsolationMonitoringActive", "None", "Invalid"), EVSEProcessing: "Ongoing" }) },
    });
    const outcome = runToEnd(stuck);
    assert.equal(outcome?.reason, "timeout-cable-check");
    assert.deepEqual(stuck.pilot, ["C", "B"]);
  });

  test("PreCharge repeats until the present voltage is within tolerance; a charger that never gets there → timeout-pre-charge (7 s)", () => {
    const run = setup({
      protocol: "iso2",
      mode: "DC_extended",
      overrides: { PreChargeReq: (_r, _n, secc) => ({ ResponseCode: "OK", DC_EVSEStatus: secc.dcStatus(), EVSEPresentVoltage: secc.pv(100, "V") }) },
    });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "timeout-pre-charge");
    assert.equal(outcome?.step, "PreCharge");
    assert.deepEqual(run.contactors, [], "contactors never closed");
  });
});

describe("EVCC: response codes and timeouts", () => {
  test("a FAILED response code → orderly stop with the code as detail, no further request", () => {
    const run = setup({
      protocol: "iso2",
      mode: "DC_extended",
      overrides: { ChargeParameterDiscoveryReq: () => ({ ResponseCode: "FAILED_WrongChargeParameter", EVSEProcessing: "Finished", DC_EVSEChargeParameter: {} }) },
    });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "response-code");
    assert.match(outcome?.detail ?? "", /ChargeParameterDiscoveryRes: FAILED_WrongChargeParameter/);
    assert.equal(run.names()[run.names().length - 1], "ChargeParameterDiscoveryReq");
    assert.equal(run.clock.pending, 0, "no timer left behind");
  });

  test("FAILED during CurrentDemand → contactors open and pilot B at once", () => {
    const run = setup({
      protocol: "din",
      mode: "DC_extended",
      overrides: { CurrentDemandReq: (_r, n) => (n === 5 ? { ResponseCode: "FAILED", DC_EVSEStatus: {}, EVSEPresentVoltage: {}, EVSEPresentCurrent: {} } : undefined) },
    });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "response-code");
    assert.equal(outcome?.step, "CurrentDemand");
    assert.deepEqual(run.contactors, [true, false]);
    assert.deepEqual(run.pilot, ["C", "B"]);
  });

  test("no response within V2G_EVCC_Msg_Timeout (2 s) → stop timeout-message", () => {
    const run = setup({ protocol: "iso2", mode: "AC_three_phase_core", overrides: { PaymentServiceSelectionReq: () => "silence" } });
    run.session.start();
    run.clock.advance(100);
    assert.equal(run.session.step, "PaymentServiceSelection");
    run.clock.advance(1900);
    assert.equal(run.outcome(), undefined);
    run.clock.runAll();
    const outcome = run.outcome();
    assert.equal(outcome?.reason, "timeout-message");
    assert.equal(outcome?.step, "PaymentServiceSelection");
  });

  test("CurrentDemand uses 250 ms, PowerDelivery 5 s", () => {
    const cd = setup({ protocol: "din", mode: "DC_extended", overrides: { CurrentDemandReq: (_r, n) => (n === 3 ? "silence" : undefined) } });
    cd.session.start();
    cd.clock.runAll();
    assert.equal(cd.outcome()?.reason, "timeout-message");
    const sentAt = cd.trace.filter((e) => e.name === "CurrentDemandReq").pop()!.at;
    assert.equal(cd.clock.now() - sentAt, 250);

    const pd = setup({ protocol: "iso2", mode: "DC_extended", overrides: { PowerDeliveryReq: () => "silence" } });
    pd.session.start();
    pd.clock.runAll();
    const at = pd.trace.filter((e) => e.name === "PowerDeliveryReq").pop()!.at;
    assert.equal(pd.clock.now() - at, 5000);
  });

  test("no SessionSetupRes before the CommunicationSetup deadline → timeout-communication-setup", () => {
    // Default: V2G_EVCC_CommunicationSetup_Timer (20 s) from start(); the message timeout
    // (2 s) comes first, so check the deadline with a SECC that keeps the link but is slow.
    const run = setup({ protocol: "iso2", mode: "DC_extended", latency: 1900 });
    // The connection passes the deadline from the first SAP request: here 1.5 s from now.
    const withDeadline = setup({
      protocol: "iso2",
      mode: "DC_extended",
      clock: run.clock,
      latency: 1900,
      config: { communicationSetupDeadline: (run.clock.now() + 1500) as never },
    });
    withDeadline.session.start();
    run.clock.advance(1600);
    assert.equal(withDeadline.outcome()?.reason, "timeout-communication-setup");
    assert.equal(withDeadline.outcome()?.step, "SessionSetup");
  });

  test("a response of the wrong type → stop sequence; a changed SessionID → stop unknown-session", () => {
    const wrong = setup({ protocol: "din", mode: "DC_extended", overrides: { ServiceDiscoveryReq: () => undefined } });
    wrong.session.start();
    wrong.clock.advance(25); // SessionSetupRes handled, ServiceDiscoveryReq in flight
    wrong.session.handle({ type: "response", message: { V2G_Message: { Header: { SessionID: wrong.secc.sessionId }, Body: { CableCheckRes: { ResponseCode: "OK" } } } } as never });
    assert.equal(wrong.outcome()?.reason, "sequence");
    assert.match(wrong.outcome()?.detail ?? "", /expected ServiceDiscoveryRes, got CableCheckRes/);

    const other = setup({
      protocol: "iso2",
      mode: "DC_extended",
      overrides: {
        ServiceDiscoveryReq: (_r, _n, secc) => {
          secc.sessionId = Uint8Array.of(1, 2, 3, 4);
          return undefined;
        },
      },
    });
    assert.equal(runToEnd(other)?.reason, "unknown-session");
  });

  test("link down while charging → stop link-down with contactors opened", () => {
    const run = setup({ protocol: "din", mode: "DC_extended" });
    run.session.start();
    while (run.session.step !== "CurrentDemand") run.clock.advance(10);
    run.clock.advance(1000);
    run.session.handle({ type: "link-down" });
    assert.equal(run.outcome()?.reason, "link-down");
    assert.equal(run.vehicle.contactorsClosed, false);
    assert.equal(run.vehicle.pilotState, "B");
  });

  test("the SECC offers no ExternalPayment or not our energy transfer mode → stop no-charge-service", () => {
    const noEim = setup({
      protocol: "iso2",
      mode: "AC_three_phase_core",
      overrides: {
        ServiceDiscoveryReq: () => ({
          ResponseCode: "OK",
          PaymentOptionList: { PaymentOption: ["Contract"] },
          ChargeService: { ServiceID: 1, ServiceCategory: "EVCharging", FreeService: false, SupportedEnergyTransferMode: { EnergyTransferMode: ["AC_three_phase_core"] } },
        }),
      },
    });
    assert.equal(runToEnd(noEim)?.reason, "no-charge-service");
    const dcOnly = setup({
      protocol: "iso2",
      mode: "AC_three_phase_core",
      overrides: {
        ServiceDiscoveryReq: () => ({
          ResponseCode: "OK",
          PaymentOptionList: { PaymentOption: ["ExternalPayment"] },
          ChargeService: { ServiceID: 1, ServiceCategory: "EVCharging", FreeService: false, SupportedEnergyTransferMode: { EnergyTransferMode: ["DC_extended"] } },
        }),
      },
    });
    assert.equal(runToEnd(dcOnly)?.reason, "no-charge-service");
  });
});

describe("EVCC: stops during charging", () => {
  test("user stop during CurrentDemand → PowerDelivery(Stop), WeldingDetection, SessionStop; reason user-stop", () => {
    const run = setup({ protocol: "iso2", mode: "DC_extended", vehicle: { targetSoc: 100 } });
    run.session.start();
    run.clock.advance(30_000);
    assert.equal(run.session.step, "CurrentDemand");
    run.session.stop();
    run.clock.runAll();
    const outcome = run.outcome();
    assert.equal(outcome?.reason, "user-stop");
    assert.equal(outcome?.orderly, true);
    assert.deepEqual(collapse(run.names()).slice(-4), ["CurrentDemandReq*", "PowerDeliveryReq", "WeldingDetectionReq*", "SessionStopReq"]);
  });

  test("EVSENotification StopCharging in CurrentDemandRes → orderly stop, reason evse-stop", () => {
    const run = setup({
      protocol: "din",
      mode: "DC_extended",
      vehicle: { targetSoc: 100 },
      overrides: {
        CurrentDemandReq: (_r, n, secc) =>
          n === 10
            ? {
                ResponseCode: "OK",
                DC_EVSEStatus: secc.dcStatus("EVSE_Ready", "StopCharging"),
                EVSEPresentVoltage: secc.pv(380, "V"),
                EVSEPresentCurrent: secc.pv(50, "A"),
                EVSECurrentLimitAchieved: false,
                EVSEVoltageLimitAchieved: false,
                EVSEPowerLimitAchieved: false,
              }
            : undefined,
      },
    });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "evse-stop");
    assert.equal(run.secc.counts.CurrentDemandReq, 10);
    assert.deepEqual(collapse(run.names()).slice(-3), ["PowerDeliveryReq", "WeldingDetectionReq*", "SessionStopReq"]);
  });

  test("EVSEMaximumCurrentLimit lowered by the charger → the EV's target current follows", () => {
    const run = setup({
      protocol: "iso2",
      mode: "DC_extended",
      vehicle: { targetSoc: 100 },
      overrides: {
        CurrentDemandReq: (req, n, secc) =>
          n >= 5
            ? {
                ResponseCode: "OK",
                DC_EVSEStatus: secc.dcStatus(),
                EVSEPresentVoltage: secc.pv(380, "V"),
                EVSEPresentCurrent: secc.pv(Math.min(40, req.EVTargetCurrent.Value), "A"),
                EVSECurrentLimitAchieved: true,
                EVSEVoltageLimitAchieved: false,
                EVSEPowerLimitAchieved: false,
                EVSEMaximumCurrentLimit: secc.pv(40, "A"),
                EVSEID: "DE*ABC*E123456",
                SAScheduleTupleID: 1,
              }
            : undefined,
      },
    });
    run.session.start();
    run.clock.advance(20_000);
    const targets = run.trace.filter((e) => e.direction === "tx" && e.name === "CurrentDemandReq").map((e) => e.values.targetCurrent as number);
    assert.ok(targets[0] > 100, `first target ${targets[0]}`);
    assert.equal(targets[targets.length - 1], 40);
    run.session.handle({ type: "control", control: { kind: "abort" } });
    assert.equal(run.outcome()?.reason, "aborted");
  });

  test("AC: EVSENotification StopCharging in ChargingStatusRes → PowerDelivery(Stop), SessionStop", () => {
    const run = setup({
      protocol: "iso2",
      mode: "AC_three_phase_core",
      overrides: {
        ChargingStatusReq: (_r, n, secc) => (n === 3 ? { ResponseCode: "OK", EVSEID: "DE*ABC*E123456", SAScheduleTupleID: 1, AC_EVSEStatus: secc.acStatus("StopCharging") } : undefined),
      },
    });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "evse-stop");
    assert.deepEqual(collapse(run.names()).slice(-3), ["ChargingStatusReq*", "PowerDeliveryReq", "SessionStopReq"]);
    assert.deepEqual(run.pilot, ["C", "B"]);
  });

  test("BMS error code during CurrentDemand → orderly stop, reason ev-error", () => {
    const run = setup({ protocol: "din", mode: "DC_extended", vehicle: { targetSoc: 100 } });
    run.session.start();
    run.clock.advance(10_000);
    run.vehicle.setError("FAILED_EVRESSMalfunction");
    run.clock.runAll();
    assert.equal(run.outcome()?.reason, "ev-error");
    assert.equal(run.outcome()?.detail, "FAILED_EVRESSMalfunction");
    assert.equal(run.outcome()?.orderly, true);
  });

  test("user stop before charging started → straight to SessionStop", () => {
    const run = setup({
      protocol: "iso2",
      mode: "AC_three_phase_core",
      overrides: { AuthorizationReq: () => ({ ResponseCode: "OK", EVSEProcessing: "Ongoing" }) },
    });
    run.session.start();
    run.clock.advance(1000);
    run.session.stop();
    run.clock.runAll();
    assert.equal(run.outcome()?.reason, "user-stop");
    assert.deepEqual(collapse(run.names()).slice(-2), ["AuthorizationReq*", "SessionStopReq"]);
  });
});

describe("EVCC: ISO-2 pause and resume", () => {
  test("pause → SessionStop(Pause); a new session with resumeSessionId joins the old session and charges on", () => {
    const first = setup({ protocol: "iso2", mode: "DC_extended", vehicle: { targetSoc: 100, battery: { capacityKWh: 10, soc: 50, maxCurrent: 125 } } });
    first.session.start();
    first.clock.advance(20_000);
    first.session.pause();
    first.clock.runAll();
    const paused = first.outcome();
    assert.equal(paused?.reason, "paused");
    assert.equal(paused?.paused, true);
    const stop = first.sent[first.sent.length - 1].V2G_Message.Body.SessionStopReq as any;
    assert.equal(stop.ChargingSession, "Pause");
    assert.deepEqual([...paused!.sessionId], [...first.secc.sessionId]);
    const socAfterFirst = first.vehicle.battery.soc;

    const second = setup({
      protocol: "iso2",
      mode: "DC_extended",
      clock: first.clock,
      vehicle: { targetSoc: 60, battery: { capacityKWh: 10, soc: socAfterFirst, maxCurrent: 125 } },
      config: { resumeSessionId: paused!.sessionId },
      overrides: { SessionSetupReq: () => ({ ResponseCode: "OK_OldSessionJoined", EVSEID: "DE*ABC*E123456" }) },
    });
    const outcome = runToEnd(second);
    assert.deepEqual([...second.sent[0].V2G_Message.Header.SessionID], [...paused!.sessionId]);
    assert.equal(second.session.facts.resumed, true);
    assert.equal(outcome?.reason, "charging-complete");
    assert.ok(second.vehicle.battery.soc >= 60);
  });

  test("DIN has no pause: pause() terminates with reason user-stop", () => {
    const run = setup({ protocol: "din", mode: "DC_extended", vehicle: { targetSoc: 100 } });
    run.session.start();
    run.clock.advance(10_000);
    run.session.pause();
    run.clock.runAll();
    assert.equal(run.outcome()?.reason, "user-stop");
    assert.equal(run.outcome()?.paused, false);
  });
});

describe("EVCC: ServiceDetail", () => {
  test("a wanted value-added service in ServiceList → ServiceDetailReq, then selected with its parameter set", () => {
    const run = setup({
      protocol: "iso2",
      mode: "AC_three_phase_core",
      config: { valueAddedServices: [3] },
      overrides: {
        ServiceDiscoveryReq: () => ({
          ResponseCode: "OK",
          PaymentOptionList: { PaymentOption: ["ExternalPayment"] },
          ChargeService: { ServiceID: 1, ServiceCategory: "EVCharging", FreeService: false, SupportedEnergyTransferMode: { EnergyTransferMode: ["AC_three_phase_core"] } },
          ServiceList: { Service: [{ ServiceID: 3, ServiceCategory: "Internet", FreeService: true }, { ServiceID: 2, ServiceCategory: "ContractCertificate", FreeService: true }] },
        }),
      },
    });
    assert.equal(runToEnd(run)?.reason, "charging-complete");
    assert.deepEqual(run.names().slice(0, 4), ["SessionSetupReq", "ServiceDiscoveryReq", "ServiceDetailReq", "PaymentServiceSelectionReq"]);
    const sel = (run.sent[3].V2G_Message.Body as Record<string, any>).PaymentServiceSelectionReq;
    assert.deepEqual(sel.SelectedServiceList.SelectedService, [{ ServiceID: 1 }, { ServiceID: 3, ParameterSetID: 1 }]);
  });
});

describe("EVCC: ISO-2 renegotiation", () => {
  test("EVSENotification ReNegotiation in CurrentDemandRes → PowerDelivery(Renegotiate), ChargeParameterDiscovery, CableCheck, PreCharge, PowerDelivery(Start), charging on", () => {
    const run = setup({
      protocol: "iso2",
      mode: "DC_extended",
      overrides: {
        CurrentDemandReq: (_r, n, secc) =>
          n === 5
            ? {
                ResponseCode: "OK",
                DC_EVSEStatus: secc.dcStatus("EVSE_Ready", "ReNegotiation"),
                EVSEPresentVoltage: secc.pv(380, "V"),
                EVSEPresentCurrent: secc.pv(100, "A"),
                EVSECurrentLimitAchieved: false,
                EVSEVoltageLimitAchieved: false,
                EVSEPowerLimitAchieved: false,
                EVSEID: "DE*ABC*E123456",
                SAScheduleTupleID: 1,
              }
            : undefined,
      },
    });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "charging-complete");
    assert.deepEqual(collapse(run.names()).slice(4), [
      "ChargeParameterDiscoveryReq",
      "CableCheckReq",
      "PreChargeReq*",
      "PowerDeliveryReq",
      "CurrentDemandReq*",
      "PowerDeliveryReq",
      "ChargeParameterDiscoveryReq",
      "CableCheckReq",
      "PreChargeReq", // the scripted charger's output is still at the battery voltage
      "PowerDeliveryReq",
      "CurrentDemandReq*",
      "PowerDeliveryReq",
      "WeldingDetectionReq*",
      "SessionStopReq",
    ]);
    const progress = run.sent.filter((d) => (d.V2G_Message.Body as any).PowerDeliveryReq).map((d) => (d.V2G_Message.Body as any).PowerDeliveryReq.ChargeProgress);
    assert.deepEqual(progress, ["Start", "Renegotiate", "Start", "Stop"]);
    assert.deepEqual(run.contactors, [true, false, true, false]);
  });

  test("the EV renegotiates (AC): PowerDelivery(Renegotiate) → ChargeParameterDiscovery → PowerDelivery(Start); DIN ignores the request", () => {
    const run = setup({ protocol: "iso2", mode: "AC_three_phase_core", vehicle: { targetSoc: 100 } });
    run.session.start();
    run.clock.advance(5_000);
    assert.equal(run.session.step, "ChargingStatus");
    run.session.renegotiate();
    run.clock.advance(5_000);
    run.session.stop();
    run.clock.runAll();
    assert.equal(run.outcome()?.reason, "user-stop");
    const progress = run.sent.filter((d) => (d.V2G_Message.Body as any).PowerDeliveryReq).map((d) => (d.V2G_Message.Body as any).PowerDeliveryReq.ChargeProgress);
    assert.deepEqual(progress, ["Start", "Renegotiate", "Start", "Stop"]);
    assert.deepEqual(run.pilot, ["C", "B", "C", "B"]);

    const din = setup({ protocol: "din", mode: "DC_extended", vehicle: { targetSoc: 100 } });
    din.session.start();
    din.clock.advance(10_000);
    din.session.renegotiate();
    din.clock.advance(1_000);
    assert.equal(din.session.step, "CurrentDemand");
    din.session.handle({ type: "control", control: { kind: "abort" } });
  });
});

describe("EVCC: WeldingDetection", () => {
  test("EVSEPresentVoltage never falls → after 20 s of WeldingDetection the EV ends with SessionStop anyway", () => {
    const run = setup({
      protocol: "iso2",
      mode: "DC_extended",
      overrides: { WeldingDetectionReq: (_r, _n, secc) => ({ ResponseCode: "OK", DC_EVSEStatus: secc.dcStatus(), EVSEPresentVoltage: secc.pv(380, "V") }) },
    });
    const outcome = runToEnd(run);
    assert.equal(outcome?.reason, "charging-complete");
    assert.equal(outcome?.orderly, true);
    const welding = run.trace.filter((e) => e.direction === "tx" && e.name === "WeldingDetectionReq").map((e) => e.at);
    assert.ok(welding[welding.length - 1] - welding[0] >= 19_000 && welding[welding.length - 1] - welding[0] <= 20_000);
    assert.equal(run.names()[run.names().length - 1], "SessionStopReq");
  });

  test("weldingDetection: false → SessionStop right after PowerDelivery(Stop), as many cars do", () => {
    const run = setup({ protocol: "din", mode: "DC_extended", config: { weldingDetection: false } });
    assert.equal(runToEnd(run)?.reason, "charging-complete");
    assert.deepEqual(collapse(run.names()).slice(-2), ["PowerDeliveryReq", "SessionStopReq"]);
  });
});

describe("EVCC: EVCC_Sequence_Performance_Time", () => {
  test("a next request planned later than 40 s after the last response → timeout-sequence-performance", () => {
    const run = setup({ protocol: "iso2", mode: "AC_three_phase_core", config: { chargingStatusInterval: 45_000 as never }, vehicle: { targetSoc: 100 } });
    run.session.start();
    run.clock.advance(10_000);
    assert.equal(run.session.step, "ChargingStatus");
    run.clock.advance(45_000);
    assert.equal(run.outcome()?.reason, "timeout-sequence-performance");
    assert.equal(run.vehicle.pilotState, "B");
  });
});
