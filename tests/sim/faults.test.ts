import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { startSimulation, TIME_LIMIT_OUTCOME, type SimulationSummary } from "../../simulation/session/simulation";
import { FAULTS, faultCatalogueText, injectFaults, parseFaultSpec, type FaultDefinition } from "../../simulation/faults/catalogue";
import { engine } from "../support/shared";

/** A short charge (5 % of 5 kWh) so each fault run costs a fraction of a second. */
const SHORT = Object.freeze({ capacityKWh: 5, startSoc: 70, targetSoc: 75, seed: 7 });
/** Nothing may hang: every faulty run ends within 3 min of simulated time (a normal one needs 30 s DC, 95 s AC). */
const CAP_MS = 180_000;

interface FaultRun {
  summary: SimulationSummary;
  logs: string[];
  /** The charger at the end of the session, before the simulation's own teardown. */
  atEnd: { current: number; contactors: boolean; acClosed: boolean; live: boolean };
}

function runWithFault(definition: FaultDefinition, protocol: "din" | "iso2" | "iso20", transfer: "dc" | "ac"): FaultRun {
  const logs: string[] = [];
  let atEnd: FaultRun["atEnd"] | undefined;
  const sim = startSimulation({
    ...SHORT,
    protocol,
    transfer,
    limit: CAP_MS as never,
    logger: { log: (level, source, message) => level !== "debug" && level !== "trace" && logs.push(`${source}: ${message}`) },
    inject: (world) => {
      injectFaults([{ name: definition.name }])(world);
      // The state of the charger when the vehicle is unplugged (the simulation closes it then).
      const check = (): void => {
        const charger = world.charger;
        if (charger !== undefined) atEnd = { current: charger.dc?.presentCurrent ?? charger.ac?.presentCurrent ?? 0, contactors: charger.dc?.contactorsClosed ?? false, acClosed: charger.ac?.closed ?? false, live: charger.connection !== undefined };
        world.clock.set(check, 100 as never);
      };
      check();
    },
  });
  while (!sim.done) sim.advance(1000);
  return { summary: sim.summary!, logs, atEnd: atEnd ?? { current: 0, contactors: false, acClosed: false, live: false } };
}

const DC_ONLY = new Set(["isolation-fault", "contactor-weld"]);
const PROTOCOLS = ["din", "iso2", "iso20"] as const;

describe("fault injection: every fault of the catalogue ends as the standard defines, nothing hangs, the charger is left safe", () => {
  let index = 0;
  for (const definition of FAULTS) {
    const cases: ["din" | "iso2" | "iso20", "dc" | "ac"][] = [];
    // Node: every protocol DC, and ISO-2 / -20 AC; inside XS one protocol per fault, in turn.
    if (engine === "xs") cases.push([PROTOCOLS[index % 3], "dc"]);
    else {
      for (const p of PROTOCOLS) cases.push([p, "dc"]);
      if (!DC_ONLY.has(definition.name)) cases.push(["iso2", "ac"], ["iso20", "ac"]);
    }
    index++;
    for (const [protocol, transfer] of cases) {
      test(`${definition.name} (${protocol} ${transfer}) → ${definition.outcomes.join(" | ")}`, () => {
        const { summary, logs, atEnd } = runWithFault(definition, protocol, transfer);
        const why = `${summary.outcome} ${summary.detail ?? ""}\n${logs.join("\n")}`;
        assert.notEqual(summary.outcome, TIME_LIMIT_OUTCOME, `hung: ${why}`);
        assert.ok(definition.outcomes.indexOf(summary.outcome) >= 0, `outcome ${why}`);
        // An orderly end (SessionStop) where the fault is bridged or the EV stops on its own.
        if (definition.orderly !== undefined) assert.equal(summary.ok, definition.orderly, why);
        for (const line of definition.logs) assert.ok(logs.some((l) => line.test(l)), `no log line ${line}: ${why}`);
        // Safe at the unplug: no current, DC contactors open, AC contactor open, no session.
        assert.equal(atEnd.current, 0, `current at the end: ${atEnd.current} A`);
        assert.equal(atEnd.contactors, false, "DC contactors open at the end");
        assert.equal(atEnd.acClosed, false, "AC contactor open at the end");
        assert.equal(atEnd.live, false, "no live session at the end");
        // The meter counts what went into the battery plus the losses (DC module, on-board
        // charger), never energy that flowed nowhere.
        const battery = ((summary.socEnd - summary.socStart) / 100) * SHORT.capacityKWh * 1000;
        assert.ok(summary.energyWh >= battery - 0.5 && summary.energyWh <= battery * 1.2 + 2, `meter ${summary.energyWh.toFixed(1)} Wh for ${battery.toFixed(1)} Wh into the battery`);
      });
    }
  }

  test("--fault NAME@TIME parses; an unknown name or a bad time is refused with the reason", () => {
    assert.deepEqual(parseFaultSpec("tcp-reset"), { name: "tcp-reset" });
    assert.deepEqual(parseFaultSpec("plc-outage@20"), { name: "plc-outage", at: 20_000 });
    assert.deepEqual(parseFaultSpec("pilot-e@1.5m"), { name: "pilot-e", at: 90_000 });
    assert.deepEqual(parseFaultSpec("unplug@500ms"), { name: "unplug", at: 500 });
    assert.match(String(parseFaultSpec("melt-down")), /unknown fault 'melt-down'/);
    assert.match(String(parseFaultSpec("unplug@soon")), /fault time 'soon'/);
  });

  test("a fault at a given time strikes then: tcp-reset@12s ends the session at 12 s, not at the default trigger", () => {
    const logs: { time: number; text: string }[] = [];
    const sim = startSimulation({ ...SHORT, inject: injectFaults([{ name: "tcp-reset", at: 12_000 }]), onTrace: (e) => logs.push({ time: e.time, text: e.text }) });
    while (!sim.done) sim.advance(1000);
    const struck = logs.find((l) => l.text.indexOf("fault tcp-reset injected") >= 0);
    assert.ok(struck !== undefined && struck.time >= 12_000 && struck.time < 12_100, `struck at ${struck?.time}`);
    assert.equal(sim.summary!.outcome, "link-down");
  });

  test("the catalogue text names every fault with the end it should have", () => {
    const text = faultCatalogueText().join("\n");
    for (const f of FAULTS) assert.match(text, new RegExp(`^${f.name} `, "m"));
    assert.ok(FAULTS.length >= 15);
  });
});
