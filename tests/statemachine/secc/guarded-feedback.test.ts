// The session's exception boundary toward the charger (modules/statemachine/secc/guarded-feedback.ts)
// on a feedback given as a class instance: ChargingPoint's per-connection gate and
// ChargerBinding's feedback are classes (their methods once on the prototype, not 17 closures
// each: issue 15, one station ≤ 64 KB of XS heap), so the guard must find prototype methods too.

import { test } from "node:test";
import assert from "node:assert/strict";
import { guardFeedback } from "../../../modules/statemachine/secc/guarded-feedback";
import type { ChargerFeedback } from "../../../modules/statemachine/index";

class Recorder implements ChargerFeedback {
  readonly calls: string[] = [];
  dcTarget(voltage: number, current: number): void {
    this.calls.push(`dcTarget ${voltage} ${current}`);
  }
  startCableCheck(): void {
    throw new Error("isolation monitor gone");
  }
}

class Derived extends Recorder {
  weldingDetection(): void {
    this.calls.push("weldingDetection");
  }
}

test("a class's methods are guarded and called on the instance; a throw goes to onThrow with the callback's name", () => {
  const thrown: string[] = [];
  const target = new Derived();
  const fb = guardFeedback(target, (name, error) => thrown.push(`${name}: ${(error as Error).message}`));
  fb.dcTarget?.(400, 125);
  fb.weldingDetection?.();
  fb.startCableCheck?.(500);
  assert.deepEqual(target.calls, ["dcTarget 400 125", "weldingDetection"]);
  assert.deepEqual(thrown, ["startCableCheck: isolation monitor gone"]);
  // what the class does not have stays absent (the session skips it)
  assert.equal(fb.acTarget, undefined);
  assert.equal((fb as Record<string, unknown>).constructor, Object);
});

test("a plain object's own callbacks are guarded as before", () => {
  const seen: number[] = [];
  const fb = guardFeedback({ acTarget: (w) => void seen.push(w) }, () => assert.fail("nothing throws"));
  fb.acTarget?.(7000);
  assert.deepEqual(seen, [7000]);
  assert.equal(fb.dcTarget, undefined);
});
