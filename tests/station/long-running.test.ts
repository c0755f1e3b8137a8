// A charger serves for months: nothing it keeps may grow with the number of sessions. The
// leaks the netns soak (`npm run soak -- --netns`) found, each pinned here: the simulated
// authorizer kept every EVCCID it was asked for, and the SECC service's default store of paused
// sessions had no bound (an EV that pauses and never comes back stayed forever).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import type { Millis } from "../../modules/common/index";
import type { ListenerClass, UdpSocketClass } from "../../modules/common/io";
import { SeccService, chargerConfig } from "../../modules/station/secc-service";
import { SimAuthorizer } from "../../simulation/charger/authorization";
import { SimChargerHardware } from "../../simulation/station/charger-station";

describe("what a long-running charger keeps is bounded", () => {
  test("the simulated authorizer keeps the latest 16 requests, not every one", () => {
    const auth = new SimAuthorizer({ clock: new ManualClock(), delay: 10 as Millis });
    for (let i = 0; i < 1000; i++) auth.authorize(Uint8Array.of(2, 0, 0, 0, i >> 8, i & 0xff));
    assert.equal(auth.requests.length, 16);
    assert.equal(auth.requests[15], "0200000003e7", "the latest is last");
  });

  test("a SECC service without storage keeps at most 8 paused sessions (the oldest go), like one with storage", () => {
    const clock = new ManualClock();
    const config = chargerConfig(["dc"], ["iso2"], undefined);
    const hardware = new SimChargerHardware({ clock, config, transfer: ["dc"] });
    // Never started: the store is there from construction, no socket is opened.
    const unused = undefined as unknown as UdpSocketClass & ListenerClass;
    const service = new SeccService({ clock, io: { Udp: unused, Listener: unused, address: "::1" }, config, hardware: hardware.parts, random: (n) => new Uint8Array(n) });
    for (let i = 0; i < 100; i++) {
      service.store.save({ protocol: "iso2", sessionId: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, i), evccId: Uint8Array.of(2, 0, 0, 0, 0, i), paymentOption: "ExternalPayment", energyMode: "DC_extended", saScheduleTupleId: 1, pausedAt: clock.now() });
    }
    assert.equal(service.store.size, 8);
    assert.ok(service.store.find(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 99)) !== undefined, "the latest pause is kept");
    assert.equal(service.store.find(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0)), undefined, "the oldest went");
  });
});
