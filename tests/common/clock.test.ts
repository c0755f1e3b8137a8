import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Millis, Seconds, elapsed } from "../../modules/common/index";

describe("ManualClock", () => {
  test("given two timers, when time advances past both, then they fire in due order", () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.set(() => fired.push("late"), Millis(200));
    clock.set(() => fired.push("early"), Millis(100));
    clock.advance(150);
    assert.deepEqual(fired, ["early"]);
    assert.equal(clock.now(), 150);
    clock.advance(50);
    assert.deepEqual(fired, ["early", "late"]);
  });

  test("a cleared timer never fires, and clearing twice is harmless", () => {
    const clock = new ManualClock();
    let fired = false;
    const handle = clock.set(() => (fired = true), Seconds(1));
    clock.clear(handle);
    clock.clear(handle);
    clock.clear(undefined);
    clock.advance(5000);
    assert.equal(fired, false);
    assert.equal(clock.pending, 0);
  });

  test("a callback that schedules another sees the time of its own deadline", () => {
    const clock = new ManualClock({ start: 1000 });
    const seen: number[] = [];
    clock.set(() => {
      seen.push(clock.now());
      clock.set(() => seen.push(clock.now()), Millis(10));
    }, Millis(5));
    clock.advance(100);
    assert.deepEqual(seen, [1005, 1015]);
    assert.equal(elapsed(clock, Millis(1000)), 100);
  });

  test("runAll drains the queue and reports the time spent", () => {
    const clock = new ManualClock();
    clock.set(() => {}, Seconds(60));
    assert.equal(clock.runAll(), 60_000);
  });
});
