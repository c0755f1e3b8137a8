import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import type { IoCallbacks, Millis, StreamSocket } from "../../../modules/common/index";
import { EvccConnection } from "../../../modules/statemachine/evcc/index";
import type { EvccConnectionOutcome } from "../../../modules/statemachine/evcc/index";
import { SimVehicle } from "../../../simulation/vehicle/index";

/** A socket that never connects: after 1 ms the host reports `error` (as Node and the simulated
 *  IP stack do for a reset answering the SYN, or an unreachable host). */
function failingSocket(clock: ManualClock, error: Error): (callbacks: Required<IoCallbacks>) => StreamSocket {
  return (callbacks) => {
    let closed = false;
    clock.set(() => {
      if (!closed) callbacks.onError(error);
    }, 1 as Millis);
    return {
      read: () => undefined,
      write: () => undefined, // a host buffers writes while connecting
      close: () => {
        closed = true;
      },
    };
  };
}

function connectWith(error: Error): EvccConnectionOutcome | undefined {
  const clock = new ManualClock();
  const vehicle = new SimVehicle({ clock, battery: { capacityKWh: 10, soc: 50 }, targetSoc: 60 });
  let outcome: EvccConnectionOutcome | undefined;
  new EvccConnection({
    open: failingSocket(clock, error),
    session: { energyTransferMode: "DC_extended", evccId: new Uint8Array(6) },
    bms: vehicle,
    clock,
    onStop: (o) => (outcome = o),
  });
  clock.advance(10);
  return outcome;
}

describe("EvccConnection: a TCP connection that never comes up is not a lost link", () => {
  test("a refusal (code ECONNREFUSED) → connection-refused, with the host's message", () => {
    const outcome = connectWith(Object.assign(new Error("connect ECONNREFUSED ::1:61000"), { code: "ECONNREFUSED" }));
    assert.equal(outcome?.reason, "connection-refused");
    assert.match(outcome?.detail ?? "", /no TCP connection to the charger: connect ECONNREFUSED ::1:61000/);
    assert.equal(outcome?.step, "SupportedAppProtocol");
  });

  test("any other failure before the connection is up → connect-failed", () => {
    const outcome = connectWith(Object.assign(new Error("connect EHOSTUNREACH fe80::1%eth0:61000"), { code: "EHOSTUNREACH" }));
    assert.equal(outcome?.reason, "connect-failed");
    assert.match(outcome?.detail ?? "", /EHOSTUNREACH/);
  });
});
