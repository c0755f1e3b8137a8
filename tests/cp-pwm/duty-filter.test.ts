// Debounce of vehicle duty readings: one bad PWM period never changes what the vehicle believes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DutyFilter } from "../../modules/cp-pwm/index";

describe("DutyFilter", () => {
  test("nothing is confirmed before `debounce` agreeing readings; then their mean", () => {
    const f = new DutyFilter({ debounce: 3, tolerance: 0.5 });
    assert.ok(Number.isNaN(f.feed(53.2)));
    assert.ok(Number.isNaN(f.feed(53.4)));
    assert.equal(f.feed(53.3), 53.3);
    assert.equal(f.value, 53.3);
  });

  test("a single outlier (a missed edge) is ignored", () => {
    const f = new DutyFilter();
    for (let i = 0; i < 3; i++) f.feed(5);
    assert.equal(f.feed(90), 5);
    assert.equal(f.feed(5), 5);
    assert.equal(f.feed(4.8), 5);
    assert.equal(f.feed(91), 5);
    assert.equal(f.feed(10), 5);
    assert.equal(f.value, 5);
  });

  test("jitter within the tolerance keeps the confirmed value", () => {
    const f = new DutyFilter({ tolerance: 0.5 });
    for (let i = 0; i < 3; i++) f.feed(26.6);
    for (const d of [26.9, 26.2, 27.0, 26.4]) assert.equal(f.feed(d), 26.6);
  });

  test("a real change is confirmed after exactly `debounce` readings", () => {
    const f = new DutyFilter({ debounce: 4 });
    for (let i = 0; i < 4; i++) f.feed(5);
    assert.equal(f.feed(53.3), 5);
    assert.equal(f.feed(53.3), 5);
    assert.equal(f.feed(53.3), 5);
    assert.equal(f.feed(53.3), 53.3);
  });

  test("constant levels (0 %, 100 %) are never averaged with PWM readings", () => {
    const f = new DutyFilter({ debounce: 2, tolerance: 0.5 });
    f.feed(99.8);
    f.feed(100);
    assert.ok(Number.isNaN(f.value));
    f.feed(100);
    assert.equal(f.value, 100);
    f.feed(99.7);
    f.feed(99.7);
    assert.equal(f.value, 99.7);
  });

  test("NaN readings are ignored; reset forgets", () => {
    const f = new DutyFilter({ debounce: 1 });
    f.feed(5);
    assert.equal(f.feed(Number.NaN), 5);
    f.reset();
    assert.ok(Number.isNaN(f.value));
  });
});
