import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import type { Millis, TimerHandle } from "../../../modules/common/index";
import { DC_CONFIG, EVCCID, ScriptedEv } from "./support";

/** A ManualClock that refuses to loop: more than 1000 timers set at one instant is a timer re-arming itself for ever. */
class GuardedClock extends ManualClock {
  #at = -1;
  #count = 0;
  override set(callback: () => void, delay: Millis): TimerHandle {
    if (this.now() !== this.#at) {
      this.#at = this.now();
      this.#count = 0;
    } else if (++this.#count > 1000) throw new Error(`a timer re-arms itself at ${this.now()} ms (delay ${delay} ms)`);
    return super.set(callback, delay);
  }
}

// Found by `xs15118 sim --fault ev-silent --transfer ac` (simulation/faults): the simulated
// clock has fractional milliseconds (0.1 ms IP latency), and V2G_SECC_Sequence_Timeout, which
// re-arms itself for the time left since the last response, was left with 7.3e-12 ms; now +
// that rest is now again, so it re-armed at the same instant for ever and the process hung.
test("V2G_SECC_Sequence_Timeout with fractional clock times: a sub-millisecond rest counts as expired (no endless re-arming)", () => {
  const clock = new GuardedClock();
  const ev = new ScriptedEv(DC_CONFIG, { protocol: "iso2", clock });
  clock.advance(9001.5);
  ev.send("SessionSetupReq", { EVCCID });
  clock.advance(100.4); // 9101.9: the second response re-arms for the rest at the first timer's end
  ev.send("ServiceDiscoveryReq", {});
  clock.advance(61_000);
  assert.equal(ev.session.stopReason, "timeout-sequence");
});
