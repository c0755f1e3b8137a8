// ISO 15118-20 in the complete simulated session (pilot → SLAC → SDP → TCP/IPv6 → SAP → -20 →
// unplug): DC, AC and their bidirectional services, Scheduled and Dynamic, over the simulated
// plain TCP (allowed there explicitly).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { runSimulation, type TraceEvent } from "../../simulation/session/simulation";

describe("complete simulated ISO 15118-20 session", () => {
  const cases = [
    ["dc", false, "scheduled"],
    ["ac", false, "dynamic"],
    ["dc", true, "dynamic"],
    ["ac", true, "scheduled"],
  ] as const;
  for (const [transfer, bpt, mode] of cases) {
    test(`${transfer}${bpt ? "_bpt" : ""} ${mode}: SAP picks -20, the vehicle charges to its target and the session ends normally`, () => {
      const trace: TraceEvent[] = [];
      const summary = runSimulation({ protocol: "iso20", transfer, bpt, mode, capacityKWh: 5, startSoc: 70, targetSoc: 75, onTrace: (e) => trace.push(e) });
      assert.equal(summary.ok, true, `${summary.outcome} ${summary.detail ?? ""} ${summary.errors.join("; ")}`);
      assert.equal(summary.protocol, "iso20");
      assert.ok(summary.socEnd >= 75, `SoC ${summary.socEnd}`);
      assert.ok(summary.energyWh > 240 && summary.energyWh < 300, `${summary.energyWh} Wh`);
      const sent = trace.filter((e) => e.message?.direction === "tx").map((e) => e.message!.name);
      const prefix = transfer === "dc" ? "DC_" : "AC_";
      for (const name of ["SessionSetupReq", "AuthorizationSetupReq", "ServiceSelectionReq", `${prefix}ChargeParameterDiscoveryReq`, "ScheduleExchangeReq", "PowerDeliveryReq", "SessionStopReq"]) {
        assert.ok(sent.indexOf(name) >= 0, `${name} in ${sent.join(" ")}`);
      }
    });
  }
});
