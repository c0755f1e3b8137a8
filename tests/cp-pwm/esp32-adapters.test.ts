// @node-only — hosts/esp32 pilot adapters against stand-ins for embedded:io/* (bundled with
// esbuild; see support/embedded-mocks.ts): PWM/Digital output levels, phase-gated sampling on a
// modelled 1 kHz PWM, S2, and a ChargerPilot running on them.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as esbuild from "esbuild";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as fs from "node:fs";
import * as os from "node:os";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const MOCKS = path.join(HERE, "support/embedded-mocks.ts");

const NAMES: Record<string, string> = {
  "embedded:io/pwm": "PWM",
  "embedded:io/digital": "Digital",
  "embedded:io/analog": "Analog",
  "embedded:io/pulsecount": "PulseCount",
  timer: "Timer",
};

type Any = any; // the bundle is loaded at run time; its classes are checked by tsc -p hosts/esp32
let m: Any;

before(async () => {
  const result = await esbuild.build({
    stdin: {
      contents: [
        `export * from "./hosts/esp32/pilot-output";`,
        `export * from "./hosts/esp32/pilot-input";`,
        `export * from "./hosts/esp32/pilot-s2";`,
        `export * from "./hosts/esp32/pilot";`,
        `export * from "./modules/cp-pwm/index";`,
        `export { ManualClock, Millis } from "./modules/common/index";`,
        `export { bench, resetBench, benchNow } from ${JSON.stringify(MOCKS)};`,
      ].join("\n"),
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    write: false,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    logLevel: "silent",
    plugins: [
      {
        name: "embedded-mocks",
        setup(build) {
          build.onResolve({ filter: /^(embedded:io\/|timer$)/ }, (args) => ({ path: args.path, namespace: "mock" }));
          build.onLoad({ filter: /.*/, namespace: "mock" }, (args) => ({
            contents: `export { ${NAMES[args.path]} as default } from ${JSON.stringify(MOCKS)};`,
            resolveDir: ROOT,
            loader: "ts",
          }));
        },
      },
    ],
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-esp32-"));
  const file = path.join(dir, "bundle.mjs");
  try {
    fs.writeFileSync(file, result.outputFiles[0].text);
    m = await import(pathToFileURL(file).href);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true }); // loaded: the file is no longer needed
  }
});

/** Run the adapters with Date.now() on bench time. */
function onBench<T>(fn: () => T): T {
  const real = Date.now;
  Date.now = m.benchNow;
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}

let seed = 1;
function jitter(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % 1000;
}

function fire(timer: { callback: () => void; cleared: boolean }, times = 1): void {
  onBench(() => {
    for (let i = 0; i < times && !timer.cleared; i++) {
      m.bench.micros += 7_000 + jitter(); // the next timer tick, at any phase of the PWM
      timer.callback();
    }
  });
}

describe("Esp32PilotOutput", () => {
  test("starts at +12 V as a constant Digital level; a duty opens a 1 kHz PWM, floored to the resolution", () => {
    m.resetBench();
    const out = new m.Esp32PilotOutput({ pin: 25 });
    assert.equal(m.bench.pins.get(25), 1);
    out.write(53.3);
    const pwm = m.bench.made.find((x: Any) => x.kind === "PWM");
    assert.equal(pwm.options.hz, 1000);
    assert.deepEqual(m.bench.pwmWrites.at(-1), [25, 545]); // floor(0.533 × 1024): 53.22 %, never more
    out.write(5);
    assert.deepEqual(m.bench.pwmWrites.at(-1), [25, 51]);
    out.write(m.PilotLevel.MinusTwelve);
    assert.ok(m.bench.closed.includes("PWM 25"));
    assert.equal(m.bench.pins.get(25), 0);
  });

  test("0 V needs an enable pin; with one, Zero switches the stage off and any level back on", () => {
    m.resetBench();
    const plain = new m.Esp32PilotOutput({ pin: 25 });
    assert.equal(plain.canZero, false);
    assert.throws(() => plain.write(m.PilotLevel.Zero), (e: unknown) => m.CpPwmError.is(e, "no-zero-output"));
    const out = new m.Esp32PilotOutput({ pin: 25, enable: 26 });
    assert.equal(out.canZero, true);
    out.write(m.PilotLevel.Zero);
    assert.equal(m.bench.pins.get(26), 0);
    out.write(5);
    assert.equal(m.bench.pins.get(26), 1);
  });

  test("an inverting stage writes the complement, still never more +12 V time than asked", () => {
    m.resetBench();
    const out = new m.Esp32PilotOutput({ pin: 25, invert: true });
    assert.equal(m.bench.pins.get(25), 0, "+12 V is logic 0");
    out.write(53.3);
    assert.deepEqual(m.bench.pwmWrites.at(-1), [25, 1024 - 545]);
  });

  test("close: stage off, idempotent, writes afterwards throw", () => {
    m.resetBench();
    const out = new m.Esp32PilotOutput({ pin: 25, enable: 26 });
    out.close();
    out.close();
    assert.equal(m.bench.pins.get(26), 0);
    assert.throws(() => out.write(50), (e: unknown) => m.CpPwmError.is(e, "closed"));
  });
});

describe("Esp32PilotInput", () => {
  test("calibration sizes a burst to span a PWM period (2 + 20 + 2 µs per read → 46 reads)", () => {
    m.resetBench();
    const input = onBench(() => new m.Esp32PilotInput({ analog: 34, gate: 35 }));
    assert.ok(Math.abs(input.readMicros - 24) < 1, `${input.readMicros}`);
    assert.equal(m.bench.timers[0].interval, 10);
    input.close();
    assert.equal(m.bench.timers[0].cleared, true);
  });

  test("50 % PWM in B: one sample per timer tick, +9 V / −12 V within the ADC's resolution", () => {
    m.resetBench();
    let readable = 0;
    const input = onBench(() => new m.Esp32PilotInput({ analog: 34, gate: 35, onReadable: () => readable++ }));
    m.bench.duty = 50;
    m.bench.high = 9;
    fire(m.bench.timers[0], 20);
    assert.equal(readable, 20);
    const s = input.read();
    assert.ok(Math.abs(s.high - 9) < 0.01 && Math.abs(s.low + 12) < 0.01, `${s.high} ${s.low}`);
    assert.equal(input.read(), undefined, "one sample, read once");
    input.close();
  });

  test("constant +12 V: high only; constant −12 V: low only", () => {
    m.resetBench();
    const input = onBench(() => new m.Esp32PilotInput({ analog: 34, gate: 35 }));
    fire(m.bench.timers[0]);
    let s = input.read();
    assert.ok(Math.abs(s.high - 12) < 0.01 && Number.isNaN(s.low));
    m.bench.duty = 0;
    fire(m.bench.timers[0]);
    s = input.read();
    assert.ok(Number.isNaN(s.high) && Math.abs(s.low + 12) < 0.01);
    input.close();
  });

  test("5 %: every published sample has both plateaus right (never a fake −12 V-only F)", () => {
    m.resetBench();
    const input = onBench(() => new m.Esp32PilotInput({ analog: 34, gate: 35 }));
    m.bench.duty = 5;
    m.bench.high = 9;
    let published = 0;
    for (let i = 0; i < 100; i++) {
      fire(m.bench.timers[0]);
      const s = input.read();
      if (!s) continue;
      published++;
      assert.ok(Math.abs(s.high - 9) < 0.01 && Math.abs(s.low + 12) < 0.01, `${s.high} ${s.low}`);
    }
    assert.ok(published > 30, `${published} of 100 ticks`);
    input.close();
  });

  test("with a PulseCount, an oscillating PWM always waits for both plateaus", () => {
    m.resetBench();
    const input = onBench(() => new m.Esp32PilotInput({ analog: 34, gate: 35, counter: { signal: 36, control: 37 } }));
    assert.ok(m.bench.made.some((x: Any) => x.kind === "PulseCount"));
    m.bench.duty = 5;
    m.bench.high = 6;
    for (let i = 0; i < 50; i++) {
      m.bench.pulses += 7;
      fire(m.bench.timers[0]);
      const s = input.read();
      if (s) assert.ok(!Number.isNaN(s.high) && !Number.isNaN(s.low));
    }
    input.close();
  });
});

describe("Esp32S2Switch", () => {
  test("write(1) closes S2 (active-high or active-low); close opens it", () => {
    m.resetBench();
    const s2 = new m.Esp32S2Switch({ pin: 27 });
    assert.equal(m.bench.pins.get(27), 0);
    s2.write(1);
    assert.equal(m.bench.pins.get(27), 1);
    s2.close();
    assert.equal(m.bench.pins.get(27), 0);
    const low = new m.Esp32S2Switch({ pin: 28, activeLow: true });
    assert.equal(m.bench.pins.get(28), 1);
    low.write(1);
    assert.equal(m.bench.pins.get(28), 0);
  });
});

describe("Esp32ProximityInput (PP)", () => {
  /** The ADC reads the 1 kΩ pull-up divider at `ohms` (the mock maps −12..+12 V onto 0..4095). */
  const divider = (ohms: number): void => {
    const f = ohms === Infinity ? 1 : ohms / (ohms + 1000);
    m.bench.high = m.bench.low = f * 24 - 12;
  };

  test("analog: each timer tick reads Rc from the divider; the coded currents come out right; full scale is open", () => {
    m.resetBench();
    const readings: number[] = [];
    const pp = new m.Esp32ProximityInput({ pin: 36, onReadable: () => readings.push(pp.read()) });
    const timer = m.bench.timers.at(-1);
    assert.equal(timer.interval, 20);
    for (const ohms of [100, 220, 680, 1500, Infinity]) {
      divider(ohms);
      fire(timer);
    }
    assert.deepEqual(readings.map(m.cableCurrentForProximity), [63, 32, 20, 13, undefined]);
    assert.ok(Math.abs(readings[2] - 680) < 5, `${readings[2]} Ω`);
    assert.equal(readings[4], Infinity);
    assert.equal(pp.read(), undefined, "nothing new");
    pp.close();
    assert.equal(timer.cleared, true);
    assert.ok(m.bench.closed.includes("Analog"));
  });

  test("digital: a plug-present input reads NaN (plugged, no coding) or Infinity (open)", () => {
    m.resetBench();
    const readings: number[] = [];
    const pp = new m.Esp32ProximityInput({ pin: 32, digital: true, onReadable: () => readings.push(pp.read()) });
    const timer = m.bench.timers.at(-1);
    m.bench.duty = 100; // the mock's Digital reads 1
    fire(timer);
    m.bench.duty = 0;
    fire(timer);
    assert.deepEqual(readings, [Number.NaN, Infinity]);
    pp.close();
  });

  test("createEsp32VehiclePilot with `proximity`: the pilot reads the cable's current and the unplug", () => {
    m.resetBench();
    const ev = onBench(() => m.createEsp32VehiclePilot({ input: { analog: 34, gate: 35 }, s2: { pin: 27 }, proximity: { pin: 36 } }));
    const timer = m.bench.timers.find((t: Any) => t.interval === 20);
    assert.equal(ev.hasProximity, true);
    divider(680);
    fire(timer, 3);
    assert.equal(ev.plugged, true);
    assert.equal(ev.cableCurrent, 20);
    divider(Infinity);
    fire(timer, 3);
    assert.equal(ev.plugged, false);
    ev.close();
  });
});

describe("ChargerPilot on the ESP32 adapters", () => {
  test("B at +12 V → PWM 53.3 % (nominal 32 A) → the vehicle closes S2 (C) → power; opens → power off", () => {
    m.resetBench();
    m.bench.high = 9;
    const clock = new m.ManualClock();
    const events: Any[] = [];
    const pilot = onBench(() =>
      m.createEsp32ChargerPilot({
        clock,
        mode: "nominal",
        maxCurrent: 32,
        input: { analog: 34, gate: 35 },
        output: { pin: 25 },
        onEvent: (e: Any) => events.push(e),
      }),
    );
    // The line follows the output: PWM writes set the duty seen by the gate.
    const timer = m.bench.timers[0];
    const tick = (n: number) => {
      for (let i = 0; i < n; i++) {
        const w = m.bench.pwmWrites.at(-1);
        const pwmOpen = m.bench.made.some((x: Any) => x.kind === "PWM") && !m.bench.closed.includes("PWM 25");
        m.bench.duty = pwmOpen && w ? (w[1] / 1024) * 100 : (m.bench.pins.get(25) ?? 0) * 100;
        fire(timer);
      }
    };
    tick(5);
    assert.equal(pilot.state, "B2");
    assert.deepEqual(m.bench.pwmWrites.at(-1), [25, 545]);
    m.bench.high = 6;
    tick(5);
    assert.equal(pilot.state, "C2");
    assert.equal(pilot.powerAllowed, true);
    m.bench.high = 9;
    tick(3);
    assert.equal(pilot.powerAllowed, false, "3 samples at 10 ms: within 100 ms");
    pilot.close();
    assert.equal(timer.cleared, true);
  });
});
