import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Millis, SettableWallClock, checkValidity, formatLogTime, EARLIEST_PLAUSIBLE_UNIX_MS } from "../../modules/common/index";

const DEC_2026 = Date.UTC(2026, 11, 2, 0, 0, 0);

describe("SettableWallClock", () => {
  test("given no source yet, then the date is unknown and nothing claims to be valid", () => {
    const wall = new SettableWallClock({ clock: new ManualClock() });
    assert.equal(wall.now(), undefined);
    assert.equal(wall.unixSeconds(), undefined);
    assert.equal(wall.source, undefined);
    assert.equal(checkValidity(wall, 0, Number.MAX_SAFE_INTEGER), "no-trusted-time");
  });

  test("given a reading, when monotonic time passes, then the date moves with it", () => {
    const clock = new ManualClock({ start: 5000 });
    const wall = new SettableWallClock({ clock });
    assert.equal(wall.set(DEC_2026, "ntp"), true);
    clock.advance(1500);
    assert.equal(wall.now(), DEC_2026 + 1500);
    assert.equal(wall.unixSeconds(), BigInt(DEC_2026 / 1000 + 1));
    assert.equal(wall.source, "ntp");
  });

  test("a lower-ranked source does not replace a fresh reading, but replaces a stale one", () => {
    const clock = new ManualClock();
    const wall = new SettableWallClock({ clock, refreshAfter: Millis(60_000) });
    wall.set(DEC_2026, "backend");
    assert.equal(wall.set(DEC_2026 + 999_000, "peer"), false);
    assert.equal(wall.now(), DEC_2026);
    assert.equal(wall.set(DEC_2026 + 5000, "ntp"), true, "equal rank replaces");
    clock.advance(60_000);
    assert.equal(wall.set(DEC_2026 + 70_000, "rtc"), true, "stale after refreshAfter");
    assert.equal(wall.source, "rtc");
  });

  test("a reset RTC (a date before the earliest plausible one) is refused", () => {
    const wall = new SettableWallClock({ clock: new ManualClock() });
    assert.equal(wall.set(0, "rtc"), false);
    assert.equal(wall.set(EARLIEST_PLAUSIBLE_UNIX_MS - 1, "rtc"), false);
    assert.equal(wall.set(Number.NaN, "ntp"), false);
    assert.equal(wall.now(), undefined);
  });

  test("invalidate forgets the reading", () => {
    const wall = new SettableWallClock({ clock: new ManualClock() });
    wall.set(DEC_2026, "rtc");
    wall.invalidate();
    assert.equal(wall.now(), undefined);
    assert.equal(wall.set(DEC_2026, "peer"), true, "any source may set it again");
  });
});

describe("checkValidity", () => {
  test("before, inside (bounds inclusive) and after a validity period", () => {
    const clock = new ManualClock();
    const wall = new SettableWallClock({ clock });
    wall.set(DEC_2026, "ntp");
    assert.equal(checkValidity(wall, DEC_2026 + 1, DEC_2026 + 10), "not-yet-valid");
    assert.equal(checkValidity(wall, DEC_2026, DEC_2026), "valid");
    assert.equal(checkValidity(wall, DEC_2026 - 10, DEC_2026 - 1), "expired");
  });
});

describe("formatLogTime", () => {
  test("ISO date when known, time since start otherwise", () => {
    const clock = new ManualClock({ start: 12_345 });
    const wall = new SettableWallClock({ clock });
    assert.equal(formatLogTime(wall, clock), "+12.345 s");
    wall.set(DEC_2026, "ntp");
    assert.equal(formatLogTime(wall, clock), "2026-12-02T00:00:00.000Z");
  });
});
