// ISO 15118-20 requires TLS 1.3: over a plain TCP (or TLS 1.2) connection neither side chooses
// it unless an explicitly insecure option says so (test benches, until TLS lands).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import { SeccSession } from "../../../modules/statemachine/index";
import { buildSapRequest } from "../../../modules/v2gtp/index";
import { DC20 } from "./support";
import { run, stack } from "./stack-support";

function sap(config: typeof DC20, offer: Parameters<typeof buildSapRequest>[0]) {
  const secc = new SeccSession({ config, clock: new ManualClock() });
  const out = secc.request(buildSapRequest(offer));
  return { code: (out.response as { supportedAppProtocolRes: { ResponseCode: string } }).supportedAppProtocolRes.ResponseCode, protocol: secc.protocol };
}

describe("ISO 15118-20 only with TLS 1.3, or behind an insecure option", () => {
  test("SECC over plain TCP: -20 is not chosen; -2 is when offered; insecureWithoutTls allows -20", () => {
    const plain = { ...DC20, transport: "none" as const };
    assert.deepEqual(sap(plain, ["iso20-dc"]), { code: "Failed_NoNegotiation", protocol: undefined });
    assert.equal(sap(plain, ["iso20-dc", "iso2"]).protocol, "iso2");
    assert.equal(sap({ ...plain, iso20: { ...DC20.iso20, insecureWithoutTls: true } }, ["iso20-dc", "iso2"]).protocol, "iso20");
    assert.equal(sap({ ...DC20, transport: "1.3" }, ["iso20-dc", "iso2"]).protocol, "iso20");
  });

  test("EVCC over plain TCP leaves -20 out of its offer unless insecureIso20WithoutTls", () => {
    assert.equal(run(stack({ transfer: "dc", mode: "scheduled", evccTransport: "none" }))?.protocol, "iso2");
    assert.equal(run(stack({ transfer: "dc", mode: "scheduled", evccTransport: "none", insecureIso20WithoutTls: true }))?.protocol, "iso20");
  });
});
