// Peer data never crashes the SECC: odd content in every request type, in every state, gets
// an answer (or a close), never an exception.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import { DIN_REQUESTS, ISO2_REQUESTS, SeccSession } from "../../../modules/statemachine/index";
import { DC_CONFIG, EVCCID, doc, engineIsXs } from "./support";

const ODD_CONTENTS: unknown[] = [
  {},
  null,
  { DC_EVStatus: null, EVTargetVoltage: { Multiplier: "x", Value: null }, EVTargetCurrent: 7 },
  { SelectedServiceList: null, SelectedPaymentOption: 5 },
  { EVCCID: "not bytes", ChargeProgress: 42, SAScheduleTupleID: "1", ReadyToChargeState: "true" },
  { DC_EVChargeParameter: { DC_EVStatus: {} }, RequestedEnergyTransferMode: "DC_extended", EVRequestedEnergyTransferType: "DC_extended" },
  { AC_EVChargeParameter: {}, RequestedEnergyTransferMode: "AC_three_phase_core" },
];

/** Brings a session to `steps` requests into a normal DC flow. */
function sessionAt(protocol: "din" | "iso2", steps: number): { session: SeccSession; id: Uint8Array } {
  const session = new SeccSession({ config: { ...DC_CONFIG, energyModes: ["DC_extended", "AC_three_phase_core"], ac: { nominalVoltage: 230, maxCurrent: 16, phases: 3 } }, clock: new ManualClock(), protocol });
  session.control({ kind: "authorized", accepted: true });
  session.control({ kind: "cable-check-finished", isolation: "Valid" });
  const flow: [string, object][] = [
    ["SessionSetupReq", { EVCCID }],
    ["ServiceDiscoveryReq", {}],
    [protocol === "din" ? "ServicePaymentSelectionReq" : "PaymentServiceSelectionReq", { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } }],
    [protocol === "din" ? "ContractAuthenticationReq" : "AuthorizationReq", {}],
  ];
  let id: Uint8Array = new Uint8Array(1);
  for (let i = 0; i < steps && i < flow.length; i++) {
    session.request(doc(id, flow[i][0], flow[i][1]));
    if (i === 0) id = session.context!.sessionId;
  }
  return { session, id };
}

describe("SECC robustness", () => {
  test("odd content in every request type, in the first five states, never throws", () => {
    for (const protocol of ["din", "iso2"] as const) {
      const names = protocol === "din" ? DIN_REQUESTS : ISO2_REQUESTS;
      for (let steps = 0; steps <= 4; steps++) {
        for (const name of names) {
          for (const content of engineIsXs ? ODD_CONTENTS.slice(0, 3) : ODD_CONTENTS) {
            const { session, id } = sessionAt(protocol, steps);
            const out = session.request(doc(id, name, content as object));
            assert.ok(out.response !== undefined || out.close, `${protocol} ${name} after ${steps} steps`);
          }
        }
      }
    }
  });

  test("a body with no message, or a header without SessionID, is closed, not thrown", () => {
    const { session } = sessionAt("iso2", 1);
    assert.equal(session.request({ V2G_Message: { Header: {} as never, Body: {} } }).close, true);
    const second = sessionAt("din", 1).session;
    assert.equal(second.request({ V2G_Message: { Header: {} as never, Body: { ServiceDiscoveryReq: {} } } }).close, true);
  });
});
