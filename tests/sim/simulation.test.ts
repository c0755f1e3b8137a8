import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { runSimulation, type TraceEvent } from "../../simulation/session/simulation";
import { PcapngWriter } from "../../simulation/pcap/write";
import { readCapture } from "../../simulation/pcap/read";
import { dissectCapture } from "../../hosts/sim/pcap/dissect";

/** A short session: 5 kWh battery from 70 to 75 % (250 Wh), so it also runs quickly inside XS. */
function short(protocol: "din" | "iso2", transfer: "dc" | "ac") {
  const writer = new PcapngWriter();
  const trace: TraceEvent[] = [];
  const summary = runSimulation({
    protocol,
    transfer,
    capacityKWh: 5,
    startSoc: 70,
    targetSoc: 75,
    epochMs: Date.UTC(2026, 10, 21),
    onTrace: (e) => trace.push(e),
    onFrame: (t, f) => writer.addFrame(t, f),
  });
  return { summary, trace, capture: readCapture(writer.toBytes()) };
}

describe("complete simulated session: pilot → SLAC → SDP → TCP/IPv6 → SAP → session → unplug", () => {
  for (const [protocol, transfer] of [["din", "dc"], ["iso2", "dc"], ["iso2", "ac"]] as const) {
    test(`${protocol} ${transfer}: ends normally with the energy the battery needed, and a readable capture`, () => {
      const { summary, trace, capture } = short(protocol, transfer);
      assert.equal(summary.ok, true, `${summary.outcome} ${summary.detail ?? ""} ${summary.errors.join("; ")}`);
      assert.equal(summary.protocol, protocol);
      assert.equal(summary.outcome, "charging-complete");
      assert.deepEqual(summary.errors, []);
      assert.ok(summary.socEnd >= 75 && summary.socEnd < 76, `SoC ${summary.socEnd}`);
      // 5 % of 5 kWh is 250 Wh into the pack; the meter counts the losses too.
      assert.ok(summary.energyWh > 250 && summary.energyWh < 300, `meter ${summary.energyWh} Wh`);
      assert.ok(summary.slac.attenuationDb! < 30, "matched the charger it is plugged into, not the neighbour");

      // The trace tells the story in order.
      const order = ["vehicle plugged in", "EV matched EVSE", "vehicle found the charger", "→ supportedAppProtocolReq", "→ SessionStopReq", "vehicle unplugged"];
      let at = 0;
      for (const step of order) {
        const i = trace.findIndex((e, k) => k >= at && e.text.indexOf(step) >= 0);
        assert.ok(i >= 0, `trace lacks '${step}' after line ${at}`);
        at = i;
      }

      // The capture holds SLAC, SDP and the V2G conversation, all decodable.
      const { messages } = dissectCapture(capture);
      const types = new Set(messages.map((m) => m.type));
      for (const t of ["CM_SLAC_PARM.REQ", "CM_SLAC_MATCH.CNF", "supportedAppProtocolReq", "SessionSetupReq", "PowerDeliveryReq", "SessionStopRes"]) assert.ok(types.has(t), `capture lacks ${t}`);
      assert.ok(messages.some((m) => m.layer === "sdp"), "capture lacks SDP");
      const v2g = messages.filter((m) => m.layer === "v2gtp");
      assert.equal(v2g.length, summary.messages);
      assert.ok(v2g.every((m) => !("error" in m.fields)), "every V2G message in the capture decodes");
    });
  }
});
