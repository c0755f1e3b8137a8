// @node-only @slow — the XS stack the device's operations need fits the stack manifest.json gives
// the ESP32 (platforms.esp32.creation.stack), measured in xsnap by tools/xs/stack-probe.ts.
//
// Budget: measured slots (beyond an empty call) + HOST_BASE + MARGIN ≤ creation.stack.
//  - HOST_BASE: the native frame through which the Moddable event loop calls the socket's
//    onReadable (xsBeginHost + the call); the measured connection ops start at that callback.
//  - MARGIN: what the figures do not cover: request/handler paths the probe does not drive
//    (certificate and AC messages, error and logging paths with a device logger), slots per
//    frame that may differ between xsnap's XS and the SDK's XS (≈ 30 frames deep), and room
//    for the session code to grow before this test asks for a larger stack.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { sharedSkip } from "../support/shared";
import { StackProbe, benchSetOps, connectionOps, deepestRealOps, longStringOps, seccOps, type StackFigure } from "../../tools/xs/stack-probe";

const HOST_BASE = 16;
const MARGIN = 128;

const manifest = JSON.parse(fs.readFileSync(path.join(process.cwd(), "manifest.json"), "utf8"));
const STACK: number = manifest.platforms.esp32.creation.stack;

function worst(figures: StackFigure[]): StackFigure {
  return figures.reduce((a, b) => ((b.slots ?? 0) > (a.slots ?? 0) ? b : a));
}

// Timeouts only catch a hang: the measurement overflows fresh xsnap workers again and again,
// 45 s on two idle cores, about 150 s on a slower 2-core machine, several times that on a busy one.
test("device operations fit the ESP32 XS stack (manifest creation.stack) with margin", { skip: sharedSkip(), timeout: 900_000 }, async () => {
  const probe = new StackProbe();
  try {
    const calibration = await probe.calibrate();
    for (const c of calibration.checks) assert.ok(c.ok, `stack probe calibration: ${c.what}`);
    const figures = await probe.measure([...benchSetOps(), ...deepestRealOps(), ...seccOps(), ...connectionOps()]);
    const failed = figures.filter((f) => f.slots === undefined);
    assert.deepEqual(failed, [], "every operation runs and is measured");
    const top = worst(figures);
    const need = top.slots! + HOST_BASE + MARGIN;
    assert.ok(
      need <= STACK,
      `${top.name} needs ${top.slots} slots; + ${HOST_BASE} host + ${MARGIN} margin = ${need} > creation.stack ${STACK} (raise it: ${16} B a slot)`,
    );
  } finally {
    await probe.close();
  }
});

test(
  "decoding a long string needs no more stack than a short one (a hostile EV chooses string lengths)",
  {
    skip: sharedSkip(),
    timeout: 300_000,
  },
  async () => {
    const probe = new StackProbe(1);
    try {
      const [short, long] = await probe.measure(longStringOps([64, 1024]));
      assert.ok(short.slots !== undefined && long.slots !== undefined, `${short.error ?? ""} ${long.error ?? ""}`);
      assert.ok(long.slots! - short.slots! <= 16, `${long.name}: ${long.slots} slots, ${short.name}: ${short.slots}`);
      assert.ok(long.slots! + HOST_BASE + MARGIN <= STACK, `${long.name}: ${long.slots} slots`);
    } finally {
      await probe.close();
    }
  },
);
