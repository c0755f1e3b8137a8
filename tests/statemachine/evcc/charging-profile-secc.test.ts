// Issue 10 item 1: our EVCC against a charger that insists on a ChargingProfile (our SECC with
// requireChargingProfile, which also checks every profile against its PMaxSchedule at every
// instant), over EXI as on the wire. `chargingProfile: "omit"` is the EVCC as it was before.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromPhysical } from "../../../modules/statemachine/evcc/index";
import type { EnergyTransferMode, EvccSchema, PhysicalValue } from "../../../modules/statemachine/evcc/index";
import { setup, runToEnd } from "./harness";
import { pair, run } from "./with-secc";
import type { Pair } from "./with-secc";

/** 40 steps of 2 min, 20–47 kW (AC: 2–11 kW, below the car's 11.04 kW): more than a ChargingProfile's 24 entries can copy. */
function steps(ac: boolean): { start: number; power: number }[] {
  const out: { start: number; power: number }[] = [];
  for (let i = 0; i < 40; i++) out.push({ start: i * 120, power: ac ? 2_000 + ((i * 7) % 10) * 1_000 : 20_000 + ((i * 7) % 10) * 3_000 });
  return out;
}
const STEPS = steps(false);

interface SentProfile {
  progress: string | boolean;
  tuple?: number;
  entries?: { start: number; power: number; phases?: number }[];
}

/** The PowerDeliveryReqs the EVCC sent, with their profiles in W. */
function powerDeliveries(p: Pair | { sent: Pair["sent"] }): SentProfile[] {
  const out: SentProfile[] = [];
  for (const doc of p.sent) {
    const req = (doc.V2G_Message.Body as any).PowerDeliveryReq;
    if (req === undefined) continue;
    const profile = req.ChargingProfile;
    out.push({
      progress: req.ChargeProgress ?? req.ReadyToChargeState,
      tuple: profile?.SAScheduleTupleID ?? req.SAScheduleTupleID,
      entries: profile?.ProfileEntry.map((e: any) => ({
        start: e.ChargingProfileEntryStart,
        power: typeof e.ChargingProfileEntryMaxPower === "number" ? e.ChargingProfileEntryMaxPower : fromPhysical(e.ChargingProfileEntryMaxPower as PhysicalValue)!,
        ...(e.ChargingProfileEntryMaxNumberOfPhasesInUse !== undefined ? { phases: e.ChargingProfileEntryMaxNumberOfPhasesInUse } : {}),
      })),
    });
  }
  return out;
}

/** Every second of the schedule (sorted steps, each until the next): the profile at or below it. */
function assertUnder(entries: { start: number; power: number }[], schedule: readonly { start: number; power: number }[], end: number, label: string): void {
  assert.ok(entries.length >= 1 && entries.length <= 24, `${label}: ${entries.length} entries`);
  let k = 0;
  let j = 0;
  for (let t = 0; t < end; t++) {
    while (k + 1 < entries.length && entries[k + 1].start <= t) k++;
    while (j + 1 < schedule.length && schedule[j + 1].start <= t) j++;
    if (entries[k].power > schedule[j].power) assert.fail(`${label}: ${entries[k].power} W at ${t} s above the schedule's ${schedule[j].power} W`);
  }
}

/** Runs until energy flows, charges 3 s, then the user stops; returns the outcome. Short, so that the EXI round trips stay cheap inside XS. */
function chargeBriefly(p: Pair): ReturnType<Pair["evccOutcome"]> {
  p.evcc.start();
  for (let i = 0; i < 1200 && !p.evcc.ended && p.evcc.step !== "CurrentDemand" && p.evcc.step !== "ChargingStatus"; i++) p.clock.advance(100);
  p.clock.advance(3_000);
  p.evcc.stop();
  for (let i = 0; i < 600 && !p.evcc.ended; i++) p.clock.advance(100);
  return p.evccOutcome();
}

const CASES: [EvccSchema, EnergyTransferMode][] = [
  ["iso2", "DC_extended"],
  ["iso2", "AC_three_phase_core"],
  ["din", "DC_extended"],
];

describe("EVCC ⇄ SECC that requires a ChargingProfile (requireChargingProfile), over EXI", () => {
  for (const [protocol, mode] of CASES) {
    const pmaxSchedule = steps(mode.indexOf("AC") === 0);
    const secc = { requireChargingProfile: true, pmaxSchedule };

    test(`${protocol} ${mode}: without a profile (the EVCC before the fix, now "omit") → FAILED_ChargingProfileInvalid`, () => {
      const p = pair({ protocol, mode, secc, codec: true, config: { chargingProfile: "omit" } });
      const outcome = run(p);
      assert.equal(outcome?.reason, "response-code");
      assert.equal(outcome?.detail, "PowerDeliveryRes: FAILED_ChargingProfileInvalid");
      assert.equal(p.seccStop(), "failed-response");
      assert.equal(powerDeliveries(p)[0].entries, undefined);
    });

    test(`${protocol} ${mode}: the profile from the 40-step PMaxSchedule → accepted, energy flows, the session ends in order`, () => {
      const p = pair({ protocol, mode, secc, codec: true });
      const outcome = chargeBriefly(p);
      assert.equal(outcome?.reason, "user-stop", outcome?.detail);
      assert.equal(outcome?.orderly, true);
      assert.equal(p.seccStop(), "ev-terminate");
      assert.ok(p.meter.energyWh > 0, "energy was delivered");
      const pd = powerDeliveries(p);
      const start = pd[0];
      assert.equal(start.progress, protocol === "din" ? true : "Start");
      assert.equal(start.tuple, 1);
      assertUnder(start.entries!, pmaxSchedule, 86400, `${protocol} ${mode}`);
      assert.equal(start.entries!.length, 24, "40 steps merged into 24 entries");
      // AC: the phases the EV draws on; DC: none (the element is about AC phases).
      assert.equal(start.entries![0].phases, mode === "AC_three_phase_core" ? 3 : undefined);
      // The profile goes with Start only.
      assert.equal(pd[pd.length - 1].entries, undefined);
      const tx = p.trace.find((e) => e.direction === "tx" && e.name === "PowerDeliveryReq");
      assert.equal(tx?.values.profileEntries, 24);
    });
  }

  test("the vehicle's own limit caps the profile: an 11 kW AC car (16 A × 230 V × 3) under a 22 kW schedule", () => {
    const p = pair({ protocol: "iso2", mode: "AC_three_phase_core", secc: { requireChargingProfile: true, ac: { nominalVoltage: 230, maxCurrent: 32, phases: 3 } }, codec: true });
    assert.equal(chargeBriefly(p)?.reason, "user-stop");
    assert.deepEqual(powerDeliveries(p)[0].entries, [{ start: 0, power: 11_040, phases: 3 }]);
  });

  test("a charger that does not insist still gets the profile and accepts it (the default)", () => {
    const p = pair({ protocol: "iso2", mode: "DC_extended" });
    assert.equal(run(p)?.reason, "charging-complete");
    const entries = powerDeliveries(p)[0].entries!;
    assert.equal(entries.length, 1);
    assert.ok(entries[0].power <= 50_000);
  });
});

describe("ChargingProfile after ISO-2 renegotiation", () => {
  test("our SECC requires a profile: PowerDelivery(Start) after Renegotiate carries one again, accepted", () => {
    const p = pair({ protocol: "iso2", mode: "DC_extended", vehicle: { targetSoc: 61 }, secc: { requireChargingProfile: true, pmaxSchedule: STEPS } });
    p.evcc.start();
    while (p.evcc.step !== "CurrentDemand" && !p.evcc.ended) p.clock.advance(100);
    p.clock.advance(5_000);
    p.secc.control({ kind: "renegotiate" });
    for (let i = 0; i < 3600 && !p.evcc.ended; i++) p.clock.advance(1000);
    assert.equal(p.evccOutcome()?.reason, "charging-complete", p.evccOutcome()?.detail);
    const pd = powerDeliveries(p);
    assert.deepEqual(
      pd.map((x) => [x.progress, x.entries?.length]),
      [
        ["Start", 24],
        ["Renegotiate", undefined],
        ["Start", 24],
        ["Stop", undefined],
      ],
    );
  });

  test("the charger offers a new tuple when renegotiating: the second Start's profile follows the new tuple and its schedule", () => {
    const second = [
      { RelativeTimeInterval: { start: 0 }, PMax: { Multiplier: 0, Unit: "W", Value: 9_000 } },
      { RelativeTimeInterval: { start: 600, duration: 3000 }, PMax: { Multiplier: 0, Unit: "W", Value: 4_500 } },
    ];
    const run = setup({
      protocol: "iso2",
      mode: "DC_extended",
      vehicle: { targetSoc: 100 },
      codec: undefined,
      overrides: {
        ChargeParameterDiscoveryReq: (_req, count, secc) => {
          if (count === 1) return undefined;
          return {
            ResponseCode: "OK",
            EVSEProcessing: "Finished",
            SAScheduleList: { SAScheduleTuple: [{ SAScheduleTupleID: 7, PMaxSchedule: { PMaxScheduleEntry: second } }] },
            DC_EVSEChargeParameter: {
              DC_EVSEStatus: secc.dcStatus(),
              EVSEMaximumCurrentLimit: secc.pv(125, "A"),
              EVSEMaximumPowerLimit: secc.pv(9_000, "W"),
              EVSEMaximumVoltageLimit: secc.pv(500, "V"),
              EVSEMinimumCurrentLimit: secc.pv(0, "A"),
              EVSEMinimumVoltageLimit: secc.pv(150, "V"),
              EVSEPeakCurrentRipple: secc.pv(2, "A"),
            },
          };
        },
      },
    });
    run.session.start();
    while (run.session.step !== "CurrentDemand" && !run.session.ended) run.clock.advance(100);
    run.clock.advance(2_000);
    run.session.renegotiate();
    while ((run.session.step !== "CurrentDemand" || run.names().filter((n) => n === "PowerDeliveryReq").length < 3) && !run.session.ended) run.clock.advance(100);
    run.session.stop();
    run.clock.runAll(600_000);
    const pd = powerDeliveries(run);
    assert.equal(pd[0].tuple, 1);
    assert.deepEqual(pd[0].entries, [{ start: 0, power: 50_000 }]);
    assert.equal(pd[1].progress, "Renegotiate");
    assert.equal(pd[2].progress, "Start");
    assert.equal(pd[2].tuple, 7);
    assert.deepEqual(pd[2].entries, [
      { start: 0, power: 9_000 },
      { start: 600, power: 4_500 },
    ]);
    assert.equal(run.outcome()?.reason, "user-stop");
  });

  test("the scripted charger's schedule on DIN: the profile names its SAScheduleTupleID", () => {
    const r = setup({ protocol: "din", mode: "DC_extended" });
    assert.equal(runToEnd(r)?.reason, "charging-complete");
    assert.deepEqual(powerDeliveries(r)[0], { progress: true, tuple: 1, entries: [{ start: 0, power: 32_767 }] });
  });
});
