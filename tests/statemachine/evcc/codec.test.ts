import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decode, encode } from "../../../modules/exi/index";
import type { EnergyTransferMode, EvccSchema } from "../../../modules/statemachine/evcc/index";
import { collapse, runToEnd, setup } from "./harness";

const CASES: [EvccSchema, EnergyTransferMode][] = [
  ["din", "DC_extended"],
  ["iso2", "DC_extended"],
  ["iso2", "AC_three_phase_core"],
  ["iso2", "AC_single_phase_core"],
  ["iso2", "DC_core"],
];

describe("EVCC requests through the EXI codec", () => {
  for (const [protocol, mode] of CASES) {
    test(`${protocol} ${mode}: every request encodes (schema-valid) and decodes back to what was sent; the session completes over EXI`, () => {
      const encoded = new Map<string, number>();
      const run = setup({
        protocol,
        mode,
        codec: { encode, decode },
        onEncoded: (name, bytes) => encoded.set(name, bytes.length),
        config: { departureTime: 3600, maxEntriesSAScheduleTuple: 3 },
      });
      const outcome = runToEnd(run);
      assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
      for (const doc of run.sent) {
        const back = decode(protocol, encode(protocol, doc)) as typeof doc;
        assert.deepEqual(back, doc);
      }
      const names = collapse(run.names()).map((n) => n.replace("*", ""));
      for (const n of names) assert.ok(encoded.has(n), `${n} encoded`);
      // EXI keeps CurrentDemandReq small (real cars: 40-60 bytes).
      if (encoded.has("CurrentDemandReq")) assert.ok(encoded.get("CurrentDemandReq")! < 64);
    });
  }

  test("ServiceDetail, the resume SessionID and SessionStop(Pause) encode too (ISO-2)", () => {
    const run = setup({
      protocol: "iso2",
      mode: "AC_three_phase_core",
      codec: { encode, decode },
      config: { valueAddedServices: [3], resumeSessionId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) },
      overrides: {
        SessionSetupReq: () => ({ ResponseCode: "OK_OldSessionJoined", EVSEID: "DE*ABC*E123456" }),
        ServiceDiscoveryReq: () => ({
          ResponseCode: "OK",
          PaymentOptionList: { PaymentOption: ["ExternalPayment"] },
          ChargeService: { ServiceID: 1, ServiceCategory: "EVCharging", FreeService: false, SupportedEnergyTransferMode: { EnergyTransferMode: ["AC_three_phase_core"] } },
          ServiceList: { Service: [{ ServiceID: 3, ServiceCategory: "Internet", FreeService: true }] },
        }),
      },
      vehicle: { targetSoc: 100 },
    });
    run.session.start();
    run.clock.advance(10_000);
    run.session.pause();
    run.clock.runAll();
    assert.equal(run.outcome()?.reason, "paused");
    assert.ok(run.names().indexOf("ServiceDetailReq") > 0);
  });
});
