// The simulator's no-SLAC ISO 15118-20 sessions (simulation/session/direct-iso20.ts): a truck on
// an MCS charger, a car on a wireless pad, a bus under a pantograph, each over a direct
// Ethernet link (no pilot PWM, no SLAC) with SDP, TCP, SAP and the -20 session; every frame is
// captured. Faults of the device models end with the codes of modules/statemachine/iso20.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { runDirectSimulation } from "../../simulation/session/direct-iso20";
import type { DirectService } from "../../simulation/session/direct-iso20";

describe("simulator: ISO 15118-20 over a direct link (MCS, WPT, ACDP)", () => {
  for (const service of ["mcs", "mcs_bpt", "wpt", "acdp"] as DirectService[]) {
    test(`${service}: SDP, SAP and the whole session to the target SoC, frames captured`, () => {
      let frames = 0;
      const sdp: string[] = [];
      const s = runDirectSimulation({ service, onFrame: () => frames++, onTrace: (e) => e.source === "sdp" && sdp.push(e.text) });
      assert.equal(s.outcome, "charging-complete", `${s.outcome}: ${s.detail}`);
      assert.equal(s.ok, true);
      assert.deepEqual(s.errors, []);
      assert.ok(s.socEnd >= s.socStart + 3 - 1e-6, `SoC ${s.socStart} → ${s.socEnd}`);
      assert.ok(frames > 200, `${frames} frames`);
      assert.equal(sdp.length, 1, "the vehicle found the charger by SDP");
      // WLAN (WPT, ACDP): the -20 wireless SDP (0x9002/0x9003); MCS: the wired one.
      assert.equal(/wireless SDP: DE\*XS1\*E0(WPT|ACD), finished-with-evseid/.test(sdp[0]), service === "wpt" || service === "acdp", sdp[0]);
      if (service.indexOf("mcs") === 0) assert.ok(s.peakCurrent > 2500 && s.peakCurrent <= 3000, `peak ${s.peakCurrent} A`);
    });
  }

  test("fault drills: pantograph without contact, pairing code of another pad", () => {
    const acdp = runDirectSimulation({ service: "acdp", faults: { pantographNoContact: true } });
    assert.equal(acdp.outcome, "response-code", `${acdp.outcome}: ${acdp.detail}`);
    assert.match(acdp.detail ?? "", /ACDP_ConnectRes: FAILED/);
    const wpt = runDirectSimulation({ service: "wpt", faults: { pairingCode: 0xbeef } });
    assert.equal(wpt.outcome, "response-code", `${wpt.outcome}: ${wpt.detail}`);
    assert.match(wpt.detail ?? "", /WPT_PairingRes: FAILED/);
  });
});
