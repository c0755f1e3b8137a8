// The bidirectional scenarios in the complete simulated session (`xs15118 sim --scenario`):
// ISO 15118-20 DC_BPT / AC_BPT in Dynamic control, the site energy manager read every loop, the
// bidirectional power stage and the vehicle's battery carrying the energy both ways. Short
// windows of each scenario (minutes of virtual time); tests/sim/bpt-scenarios-long has them whole.
//
// Signs as modules/statemachine/iso20/bpt.ts: power positive into the EV, negative out of it.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { runSimulation } from "../../simulation/session/simulation";
import { BIDIRECTIONAL_EFFICIENCY } from "../../simulation/charger/index";
import { assertBalance, assertFollowsIsland, assertSocPath, run } from "./bpt-support";
import { PcapngWriter } from "../../simulation/pcap/write";
import { readCapture } from "../../simulation/pcap/read";

const H = 3600;

describe("bidirectional scenarios in the complete simulated session", () => {
  test("v2g (DC_BPT): charges while the price is low, exports from the 17:00 peak on, until it leaves", () => {
    const startOfDay = 16 * H + 57 * 60;
    const { summary, flow } = run({ transfer: "dc", scenario: "v2g", scenarioOptions: { startOfDay, durationMs: 6 * 60_000 } });
    assert.equal(summary.scenario, "v2g");
    assert.equal(summary.outcome, "charging-complete", "the car left at its departure time");
    const tod = (ms: number) => startOfDay + ms / 1000;
    const before = flow.filter((f) => tod(f.time) < 17 * H && f.direction !== "idle");
    const peak = flow.filter((f) => tod(f.time) >= 17 * H + 5 && tod(f.time) < startOfDay + 6 * 60 - 5);
    assert.ok(before.length > 5 && before.every((f) => f.direction === "charge"), "before the peak: charging");
    assert.ok(peak.length > 5 && peak.every((f) => f.direction === "discharge" && f.power < -10_000), `in the peak: exporting ~11 kW (${peak.map((f) => Math.round(f.power)).join(" ")})`);
    assert.ok(summary.energyChargedWh > 300 && summary.energyDischargedWh > 300, `${summary.energyChargedWh} / ${summary.energyDischargedWh} Wh`);
    assert.ok(summary.socPath.max > summary.socStart && summary.socEnd < summary.socPath.max);
    assertBalance(summary, 5000, BIDIRECTIONAL_EFFICIENCY.dc);
    assertSocPath(summary);
  });

  test("v2h (AC_BPT, grid down): the car follows PV − house load within the inverter's slew, both directions", () => {
    const startOfDay = 17 * H + 27 * 60;
    const { summary, flow } = run({ transfer: "ac", scenario: "v2h", scenarioOptions: { startOfDay, durationMs: 10 * 60_000 } });
    const compared = assertFollowsIsland(flow, startOfDay, 60);
    assert.ok(compared > 40, `${compared} samples compared`);
    assert.ok(summary.energyChargedWh > 5 && summary.energyDischargedWh > 5, `surplus PV into the car, then the evening load out of it: ${summary.energyChargedWh} / ${summary.energyDischargedWh} Wh`);
    assertBalance(summary, 5000, BIDIRECTIONAL_EFFICIENCY.ac);
    assertSocPath(summary);
  });

  test("v2l (DC_BPT): the fixed load until the minimum SoC, then the session ends", () => {
    const { summary, flow } = run({ transfer: "dc", scenario: "v2l", startSoc: 52, scenarioOptions: { minSoc: 50, fixedLoad: 3000 } });
    assert.equal(summary.outcome, "charging-complete");
    assert.ok(summary.socEnd >= 49.9 && summary.socEnd <= 50.1, `ends at its minimum SoC: ${summary.socEnd}`);
    assert.ok(summary.socPath.min >= 49.9, `never below it: ${summary.socPath.min}`);
    const steady = flow.filter((f) => f.direction === "discharge" && f.soc < 51.8 && f.soc > 50.1);
    assert.ok(steady.length > 5 && steady.every((f) => Math.abs(f.power + 3000) <= 30), `3 kW out: ${steady.map((f) => Math.round(f.power)).join(" ")}`);
    assert.equal(summary.energyChargedWh, 0);
    assert.ok(summary.energyDischargedWh > 90 && summary.energyDischargedWh < 110, `${summary.energyDischargedWh} Wh (2 % of 5 kWh less the losses)`);
    assertBalance(summary, 5000, BIDIRECTIONAL_EFFICIENCY.dc);
  });

  test("the capture of a scenario is valid pcapng with every frame", () => {
    const writer = new PcapngWriter({ interfaceName: "plc0" });
    const { summary } = run({ transfer: "ac", scenario: "v2l", startSoc: 51, scenarioOptions: { minSoc: 50, fixedLoad: 5000 }, onFrame: (t, frame) => writer.addFrame(t, frame) });
    const capture = readCapture(writer.toBytes());
    assert.equal(capture.format, "pcapng");
    assert.equal(capture.frames.length, writer.frameCount);
    assert.ok(summary.energyDischargedWh > 0);
  });

  test("without BPT the summary has the same fields: charged = the meter, discharged 0", () => {
    const summary = runSimulation({ protocol: "iso2", transfer: "dc", capacityKWh: 5, startSoc: 70, targetSoc: 72 });
    assert.equal(summary.ok, true);
    assert.equal(summary.energyDischargedWh, 0);
    assert.equal(summary.lossesWh, 0);
    assert.equal(summary.energyChargedWh, Math.round(summary.energyWh * 10) / 10);
    assert.equal(summary.scenario, undefined);
    assertSocPath(summary);
    assert.ok(summary.socPath.end >= 72 && summary.socPath.min === 70);
  });
});
