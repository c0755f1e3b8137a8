// The power stage's charge limits are read before every request (ChargerBinding), like its
// discharge limits: a derated DC module or AC supply shows in the next charge-loop response
// without an event; a "dc-limits" event still holds until the stage reports a change itself;
// a new session starts from what the stage says now, not from the configuration.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ChargerBinding } from "../../../modules/statemachine/index";
import type { AcLimits, AcSupply, ControlSink, DcLimits, DcPowerModule, EvseFacts } from "../../../modules/statemachine/index";
import { fromRational } from "../../../modules/statemachine/iso20/rational";
import { AC20, DC20, intoChargeLoop, iso20Ev } from "../iso20/support";

class DcModule implements DcPowerModule {
  presentVoltage = 400;
  presentCurrent = 0;
  stageLimits: DcLimits = { ...DC20.dc! };
  targets: number[] = [];
  onEvent?: ControlSink;
  limits(): Readonly<DcLimits> {
    return this.stageLimits;
  }
  startIsolationCheck(): void {}
  setTarget(_voltage: number, current: number): void {
    this.targets.push(current);
  }
  stop(): void {}
}

class Supply implements AcSupply {
  closed = false;
  presentCurrent = 0;
  stageLimits: AcLimits = { ...AC20.ac! };
  onEvent?: ControlSink;
  limits(): Readonly<AcLimits> {
    return this.stageLimits;
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.closed = false;
  }
}

function dcLoop(dc: DcModule) {
  const binding = new ChargerBinding({ dc });
  const ev = iso20Ev(DC20, binding.sessionOptions());
  binding.attach(ev.secc);
  const loop = intoChargeLoop(ev, true);
  const res = () => ev.ok(loop.name, loop.content).Scheduled_DC_CLResControlMode;
  return { ev, binding, res };
}

describe("ChargerBinding: the stage's charge limits read before every request", () => {
  test("ISO 15118-20 DC: a module derated mid-loop (100 → 40 kW, 200 → 60 A) shows in the next DC_ChargeLoopRes, and back", () => {
    const dc = new DcModule();
    const { res } = dcLoop(dc);
    let r = res();
    assert.equal(fromRational(r.EVSEMaximumChargePower), 100_000);
    assert.equal(fromRational(r.EVSEMaximumChargeCurrent), 200);
    dc.stageLimits.maxPower = 40_000;
    dc.stageLimits.maxCurrent = 60;
    r = res();
    assert.equal(fromRational(r.EVSEMaximumChargePower), 40_000, "no event: the module's limits() was read");
    assert.equal(fromRational(r.EVSEMaximumChargeCurrent), 60);
    dc.stageLimits = { ...DC20.dc! }; // a new object with the full rating again
    r = res();
    assert.equal(fromRational(r.EVSEMaximumChargePower), 100_000);
  });

  test("a dc-limits event holds until the module itself reports a change", () => {
    const dc = new DcModule();
    const { ev, res } = dcLoop(dc);
    ev.control({ kind: "dc-limits", limits: { maxCurrent: 100 } });
    assert.equal(fromRational(res().EVSEMaximumChargeCurrent), 100, "the event, the module unchanged");
    assert.equal(fromRational(res().EVSEMaximumChargeCurrent), 100);
    dc.stageLimits.maxCurrent = 150;
    assert.equal(fromRational(res().EVSEMaximumChargeCurrent), 150, "the module's new value wins");
  });

  test("a new session on the same binding starts from the module's limits, not the configuration's", () => {
    const dc = new DcModule();
    dc.stageLimits.maxPower = 30_000;
    const binding = new ChargerBinding({ dc });
    for (let i = 0; i < 2; i++) {
      const ev = iso20Ev(DC20, binding.sessionOptions());
      binding.attach(ev.secc);
      const loop = intoChargeLoop(ev, true);
      assert.equal(fromRational(ev.ok(loop.name, loop.content).Scheduled_DC_CLResControlMode.EVSEMaximumChargePower), 30_000, `session ${i + 1}`);
    }
  });

  test("AC: the supply's maximum current per phase is sampled into the facts before each request too", () => {
    const ac = new Supply();
    const { sample } = new ChargerBinding({ ac }).sessionOptions();
    const evse = { dc: { ...DC20.dc! }, ac: { ...AC20.ac!, maxCurrent: 32 }, presentVoltage: 0, presentCurrent: 0 } as unknown as EvseFacts;
    sample(evse);
    assert.equal(evse.ac.maxCurrent, AC20.ac!.maxCurrent, "the supply's rating, not the facts' first value");
    ac.stageLimits.maxCurrent = 8;
    sample(evse);
    assert.equal(evse.ac.maxCurrent, 8);
    assert.equal(evse.dc.maxPower, DC20.dc!.maxPower, "no DC module: the DC limits stay");
  });
});
