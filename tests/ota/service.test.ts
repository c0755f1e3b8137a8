// The firmware's update service (modules/ota/service.ts) on the simulated charger of
// tests/ota/support.ts and an in-memory update server behind an ECMA-419-shaped HTTP client
// (ranges, cut connections, the body delivered over the ManualClock): no download during a
// charging session, resuming after a cut, health confirmed only once the session layer is up and
// the self-test passes, rolled back otherwise, and an up-to-date device writes nothing.
// Runs on Node and in XS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Seconds } from "../../modules/common/index";
import type { Millis } from "../../modules/common/index";
import { UpdateService } from "../../modules/ota/index";
import { Device, image } from "./support";
import { UpdateServer } from "./update-server";

const FIRMWARE = "/esp32-qca7000/firmware.x5u";

/** The device's service, built anew at each power-on as the firmware does. */
function start(device: Device, server: UpdateServer, sessionLayer: { up: boolean }): UpdateService {
  const service = new UpdateService({
    updater: device.updater,
    clock: device.clock,
    activity: { sessionActive: () => device.sessionActive },
    connect: () => server.connect(),
    paths: [FIRMWARE],
    sessionLayerUp: () => sessionLayer.up,
    logger: device.log,
  });
  service.start();
  return service;
}

test("a newer firmware is fetched at the first check, verified, activated and confirmed once the session layer is up", () => {
  const device = new Device();
  const server = new UpdateServer(() => device.clock);
  server.files.set(FIRMWARE, image("firmware", 2));
  const layer = { up: false };
  let service = start(device, server, layer);
  device.clock.advance(Seconds(61));
  assert.equal(device.flash.restartRequested, "restart", "activated: nobody charges");
  assert.equal(server.requests.length, 1);
  service.close();

  device.boot();
  service = start(device, server, layer);
  assert.equal(device.running("firmware"), 2);
  assert.equal(device.updater.phase, "pending");
  device.clock.advance(Seconds(70));
  assert.equal(device.updater.phase, "pending", "not confirmed before the session layer is up");
  layer.up = true;
  device.clock.advance(Seconds(5));
  assert.equal(device.updater.phase, "idle");
  assert.equal(device.updater.installed.firmware, 2);
  assert.equal(device.flash.states[device.flash.running], "valid", "marked valid for the bootloader");
  // The next check finds the same version: the transfer stops after the header, nothing written.
  device.clock.advance(Seconds(61));
  assert.equal(server.requests.length, 2);
  assert.equal(device.updater.phase, "idle");
  assert.ok(device.log.entries.some((e) => /firmware 2 on the server, 2 installed: up to date/.test(e.message)));
  service.close();
});

test("a new firmware whose session layer never comes up is rolled back by its health timer", () => {
  const device = new Device({ healthTimeout: Seconds(120) });
  const server = new UpdateServer(() => device.clock);
  server.files.set(FIRMWARE, image("firmware", 2));
  let service = start(device, server, { up: false });
  device.clock.advance(Seconds(61));
  service.close();
  device.boot();
  service = start(device, server, { up: false });
  device.clock.advance(Seconds(121));
  assert.equal(device.flash.restartRequested, "rollback");
  service.close();
  device.boot();
  assert.equal(device.running("firmware"), 1, "the bootloader went back to the old firmware");
  assert.equal(device.updater.installed.firmware, 1);
});

test("a failed self-test rolls the new firmware back even with the session layer up", () => {
  const device = new Device();
  const server = new UpdateServer(() => device.clock);
  server.files.set(FIRMWARE, image("firmware", 2));
  let service = start(device, server, { up: true });
  device.clock.advance(Seconds(61));
  service.close();
  device.boot();
  device.selfTestPasses = false;
  service = start(device, server, { up: true });
  device.clock.advance(Seconds(59));
  assert.equal(device.updater.phase, "pending", "a new image runs a minute before it is judged");
  device.clock.advance(Seconds(1));
  assert.equal(device.flash.restartRequested, "rollback");
  service.close();
  device.boot();
  assert.equal(device.running("firmware"), 1);
});

test("nothing is downloaded while a session runs, and a session that starts mid-download stops the transfer", () => {
  const device = new Device({ resumable: true });
  const server = new UpdateServer(() => device.clock);
  server.files.set(FIRMWARE, image("firmware", 2));
  device.sessionActive = true;
  const service = start(device, server, { up: true });
  device.clock.advance(Seconds(61 + 120));
  assert.equal(server.requests.length, 0, "no request during the session");
  device.sessionActive = false;
  for (let t = 0; t < 60_000 && server.requests.length === 0; t++) device.clock.advance(1 as Millis);
  assert.equal(server.requests.length, 1, "asked at the next retry after the session");
  // A few pieces of 1,000 bytes have arrived after 5 ms; the vehicle plugs in.
  device.clock.advance(5 as Millis);
  device.sessionActive = true;
  device.clock.advance(Seconds(1));
  assert.equal(device.updater.phase, "downloading");
  assert.equal(device.flash.restartRequested, undefined);
  const written = server.requests.length;
  device.clock.advance(Seconds(300));
  assert.equal(server.requests.length, written, "no request while the session lasts");
  device.sessionActive = false;
  device.clock.advance(Seconds(61));
  assert.match(server.requests[server.requests.length - 1].range ?? "", /^bytes=\d+-$/, "resumed with a byte range");
  assert.equal(device.flash.restartRequested, "restart");
  service.close();
});

test("a cut connection is resumed with a byte range on a resumable flash and started again on embedded:update", () => {
  for (const resumable of [true, false]) {
    const device = new Device({ resumable });
    const server = new UpdateServer(() => device.clock);
    server.files.set(FIRMWARE, image("firmware", 2));
    server.cutAfter = 6000;
    const service = start(device, server, { up: true });
    device.clock.advance(Seconds(61));
    assert.equal(device.flash.restartRequested, undefined, `${resumable}: cut, not finished`);
    // Without resuming, the retry may bring another image: its region must be erased again
    // (NOR flash only clears bits), not written over the first one's bytes.
    if (!resumable) server.files.set(FIRMWARE, image("firmware", 3));
    device.clock.advance(Seconds(61));
    assert.equal(device.flash.restartRequested, "restart", `${resumable}: finished on the retry`);
    assert.equal(server.requests.length, 2);
    if (resumable) assert.match(server.requests[1].range ?? "", /^bytes=\d+-$/);
    else assert.equal(server.requests[1].range, undefined, "embedded:update erases on open: from the start");
    service.close();
    device.boot();
    assert.equal(device.running("firmware"), resumable ? 2 : 3);
  }
});

test("no image on the server: the device asks again at the next check", () => {
  const device = new Device();
  const server = new UpdateServer(() => device.clock);
  const service = start(device, server, { up: true });
  device.clock.advance(Seconds(61));
  assert.equal(server.requests.length, 1);
  device.clock.advance(Seconds(3600));
  assert.equal(server.requests.length, 1, "no retry storm on a 404");
  device.clock.advance(Seconds(5 * 3600));
  assert.equal(server.requests.length, 2);
  assert.equal(device.updater.phase, "idle");
  service.close();
});
