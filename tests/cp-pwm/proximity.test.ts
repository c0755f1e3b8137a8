// The vehicle inlet's proximity contact (PP): the IEC 61851-1 Annex B cable coding, and
// VehiclePilot's optional PP input (debounced; a plug-out opens S2).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import {
  VehiclePilot,
  cableCurrentForProximity,
  proximityPlugged,
  type ProximityInput,
  type ProximityInputOptions,
  type VehiclePilotEvent,
} from "../../modules/cp-pwm/index";
import { FakeVehicleLine } from "./support/fake-line";

describe("PP cable coding (IEC 61851-1 Annex B)", () => {
  test("the nominal resistors code 63, 32, 20 and 13 A; readings anywhere in their ranges too", () => {
    assert.deepEqual([100, 220, 680, 1500].map(cableCurrentForProximity), [63, 32, 20, 13]);
    assert.deepEqual([75, 149, 150, 329, 330, 999, 1000, 2200].map(cableCurrentForProximity), [63, 63, 32, 32, 20, 20, 13, 13]);
  });

  test("open (Infinity, above 2200 Ω) is no plug; below 75 Ω and a digital input (NaN) are a plug without a coded current", () => {
    for (const open of [Number.POSITIVE_INFINITY, 2201, 1e6]) {
      assert.equal(proximityPlugged(open), false, `${open}`);
      assert.equal(cableCurrentForProximity(open), undefined);
    }
    for (const uncoded of [Number.NaN, 0, 74]) {
      assert.equal(proximityPlugged(uncoded), true, `${uncoded}`);
      assert.equal(cableCurrentForProximity(uncoded), undefined);
    }
  });
});

/** A PP input whose readings the test gives, one per call of `give`. */
function proximityStandIn() {
  const state = { onReadable: undefined as ((count: number) => void) | undefined, queue: [] as number[], closed: false };
  class StandIn implements ProximityInput {
    constructor(options: ProximityInputOptions) {
      state.onReadable = options.onReadable;
    }
    read(): number | undefined {
      return state.closed ? undefined : state.queue.shift();
    }
    close(): void {
      state.closed = true;
    }
  }
  return {
    spec: { io: StandIn },
    state,
    give(...ohms: number[]): void {
      state.queue.push(...ohms);
      state.onReadable?.(state.queue.length);
    },
  };
}

function setup() {
  const clock = new ManualClock();
  const line = new FakeVehicleLine(clock);
  line.duty = 5;
  const pp = proximityStandIn();
  const events: VehiclePilotEvent[] = [];
  const pilot = new VehiclePilot({ ...line.vehicle, proximity: pp.spec, ready: true, onEvent: (e) => events.push(e) });
  return { clock, line, pp, pilot, events, proximity: () => events.filter((e) => e.type === "proximity") };
}

describe("VehiclePilot with a proximity input", () => {
  test("a plug-in is confirmed after 3 agreeing readings, with the cable's current", () => {
    const c = setup();
    assert.equal(c.pilot.hasProximity, true);
    assert.equal(c.pilot.plugged, undefined, "no reading yet");
    c.pp.give(680, 680);
    assert.equal(c.pilot.plugged, undefined, "two readings are not enough");
    c.pp.give(680);
    assert.equal(c.pilot.plugged, true);
    assert.equal(c.pilot.cableCurrent, 20);
    assert.deepEqual(c.proximity(), [{ type: "proximity", plugged: true, cableCurrent: 20, ohms: 680 }]);
    c.pilot.close();
    assert.equal(c.pp.state.closed, true, "closed with the pilot");
  });

  test("one or two open readings (a bouncing contact) change nothing; three unplug", () => {
    const c = setup();
    c.pp.give(220, 220, 220);
    c.pp.give(Infinity, Infinity, 220, Infinity, 220);
    assert.equal(c.pilot.plugged, true);
    assert.equal(c.proximity().length, 1);
    c.pp.give(Infinity, Infinity, Infinity);
    assert.equal(c.pilot.plugged, false);
    assert.equal(c.pilot.cableCurrent, undefined);
    assert.deepEqual(c.proximity().at(-1), { type: "proximity", plugged: false, cableCurrent: undefined, ohms: Infinity });
    c.pilot.close();
  });

  test("a plug-out while charging opens S2 at once, though the pilot still shows the charger's PWM", () => {
    const c = setup();
    c.pp.give(220, 220, 220);
    c.line.follow();
    c.clock.advance(50);
    assert.equal(c.pilot.s2Closed, true, "ready at 5 %: S2 closed (state C)");
    c.pp.give(Infinity, Infinity, Infinity);
    assert.equal(c.pilot.s2Closed, false);
    assert.deepEqual(c.line.s2Writes.at(-1)?.[1], 0);
    c.pp.give(220, 220, 220);
    c.clock.advance(50);
    assert.equal(c.pilot.s2Closed, true, "plugged again: S2 follows readiness again");
    c.pilot.close();
  });

  test("without a proximity input nothing changes: plugged and cableCurrent stay undefined", () => {
    const clock = new ManualClock();
    const line = new FakeVehicleLine(clock);
    line.duty = 5;
    const pilot = new VehiclePilot({ ...line.vehicle, ready: true });
    clock.advance(50);
    assert.equal(pilot.hasProximity, false);
    assert.equal(pilot.plugged, undefined);
    assert.equal(pilot.cableCurrent, undefined);
    assert.equal(pilot.s2Closed, true);
    pilot.close();
  });
});
