// PhaseSampler: plateau samples from free-running ADC reads bracketed by PWM-phase reads, as
// the ESP32 pilot input takes them; a 1 kHz PWM is modelled in microseconds with random burst
// phases (timer jitter), a 10 µs ADC sampling instant and a 5 µs driver slew after each edge.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PhaseSampler, type PilotSample } from "../../modules/cp-pwm/index";

interface Line {
  duty: number; // percent; 0 and 100 are constant levels
  high: number;
  low: number;
}

function makeRandom(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

/** Phase (1 = high) at time t µs, and the pilot voltage including the slew after an edge. */
function phase(line: Line, t: number): number {
  const p = ((t % 1000) + 1000) % 1000;
  return p < line.duty * 10 ? 1 : 0;
}
function volts(line: Line, t: number): number {
  const now = phase(line, t) === 1 ? line.high : line.low;
  const before = phase(line, t - 5) === 1 ? line.high : line.low;
  return now === before ? now : (now + before) / 2; // mid-slew
}

/**
 * Run `bursts` bursts of `iteration`-µs reads spanning 1.1 ms (a whole PWM period) each;
 * `hint` passes whether the PWM oscillates (a hardware edge counter). Returns the samples.
 */
function run(
  line: Line,
  options: { bursts: number; reads?: number; iteration?: number; maxBursts?: number; seed?: number; hint?: boolean },
): PilotSample[] {
  const sampler = new PhaseSampler({ maxBursts: options.maxBursts ?? 10 });
  const rnd = makeRandom(options.seed ?? 1);
  const out: PilotSample[] = [];
  const sample: PilotSample = { high: 0, low: 0, duty: 0 };
  const step = options.iteration ?? 30;
  for (let b = 0; b < options.bursts; b++) {
    let t = b * 5000 + Math.floor(rnd() * 1000); // a timer every 5 ms, random phase
    const reads = options.reads ?? Math.ceil(1100 / step);
    for (let i = 0; i < reads; i++, t += step) {
      sampler.add(phase(line, t), volts(line, t + 10), phase(line, t + step - 1));
    }
    const oscillating = options.hint === undefined ? undefined : line.duty > 0 && line.duty < 100;
    if (sampler.endBurst(sample, options.hint ? oscillating : undefined)) out.push({ ...sample });
  }
  return out;
}

describe("PhaseSampler", () => {
  test("50 % PWM in state B: every burst publishes +9 V / −12 V exactly (edge reads dropped)", () => {
    const samples = run({ duty: 50, high: 9, low: -12 }, { bursts: 100 });
    assert.equal(samples.length, 100);
    for (const s of samples) {
      assert.equal(s.high, 9);
      assert.equal(s.low, -12);
      assert.ok(Math.abs(s.duty - 50) < 20, `duty ${s.duty}`);
    }
  });

  test("constant +12 V (x1): the high plateau only; −12 V (F): the low plateau only", () => {
    const a = run({ duty: 100, high: 12, low: -12 }, { bursts: 3 });
    assert.equal(a.length, 3);
    assert.ok(Number.isNaN(a[0].low));
    assert.equal(a[0].high, 12);
    assert.equal(a[0].duty, 100);
    const f = run({ duty: 0, high: 12, low: -12 }, { bursts: 3 });
    assert.ok(Number.isNaN(f[0].high));
    assert.equal(f[0].low, -12);
    assert.equal(f[0].duty, 0);
  });

  test("a read whose phase changed during it never counts", () => {
    const s = new PhaseSampler();
    s.add(1, 9, 1);
    s.add(1, 500, 0);
    s.add(0, -500, 1);
    s.add(0, -12, 0);
    const out: PilotSample = { high: 0, low: 0, duty: 0 };
    assert.equal(s.endBurst(out), true);
    assert.deepEqual([out.high, out.low], [9, -12]);
    assert.equal(s.dropped, 2);
  });

  test("the front end's gain and offset apply (raw 0..4095 → −12..+12 V)", () => {
    const s = new PhaseSampler({ gain: 24 / 4095, offset: -12 });
    s.add(1, 4095, 1);
    s.add(0, 0, 0);
    const out: PilotSample = { high: 0, low: 0, duty: 0 };
    s.endBurst(out);
    assert.ok(Math.abs(out.high - 12) < 1e-9 && Math.abs(out.low + 12) < 1e-9);
  });

  test("5 % with 30 µs reads (phase reads 29 µs apart, under the 50 µs high phase): every sample is right", () => {
    const samples = run({ duty: 5, high: 9, low: -12 }, { bursts: 200, iteration: 30 });
    assert.ok(samples.length >= 100, `${samples.length} samples from 200 bursts`);
    for (const s of samples) assert.deepEqual([s.high, s.low], [9, -12]);
  });

  test("the limit: 5 % with 60 µs reads and an edge-counter hint publishes nothing rather than guess", () => {
    const samples = run({ duty: 5, high: 9, low: -12 }, { bursts: 200, iteration: 60, hint: true });
    assert.equal(samples.length, 0);
  });

  test("the limit without the hint: 60 µs reads can miss the 5 % high phase and read −12 V only (why the hint exists)", () => {
    const samples = run({ duty: 5, high: 9, low: -12 }, { bursts: 200, iteration: 60 });
    assert.ok(samples.some((s) => Number.isNaN(s.high)), "some bursts never saw the high phase");
  });

  test("with the hint, constant levels still publish one plateau", () => {
    const a = run({ duty: 100, high: 12, low: -12 }, { bursts: 3, hint: true });
    assert.equal(a.length, 3);
    assert.ok(Number.isNaN(a[0].low));
    const f = run({ duty: 0, high: 12, low: -12 }, { bursts: 3, hint: true });
    assert.equal(f.length, 3);
    assert.ok(Number.isNaN(f[0].high));
  });

  test("from 10 % to 90 %, 30 µs reads publish a sample every burst (at 96 % the 40 µs low phase is the short one)", () => {
    for (const duty of [10, 26.6, 53.3, 90]) {
      const samples = run({ duty, high: 6, low: -12 }, { bursts: 50, iteration: 30, seed: duty * 10 });
      assert.equal(samples.length, 50, `${duty} %`);
      for (const s of samples) assert.deepEqual([s.high, s.low], [6, -12]);
    }
  });
});
