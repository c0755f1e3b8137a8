// @node-only @slow — `xs15118 secc|evcc --transfer wpt|acdp` between processes, the longer runs:
// the sessions between two network namespaces joined by a veth pair with the -20 wireless SDP
// (0x9002/0x9003: the vehicle asks for its coupling type, the pad or pantograph answers; needs
// root and iproute2, skips otherwise), and the faults between two processes over loopback.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { jsonLines, proc, session } from "./wireless-support";
import { setUpNetnsPair } from "../support/netns";

const pair = await setUpNetnsPair("w");
const skip = typeof pair === "string" ? pair : undefined;
if (skip) console.log(`# secc-evcc-wireless netns skipped: ${skip}`);

describe("between two network namespaces, found by the wireless SDP", { skip }, () => {
  after(() => {
    if (typeof pair !== "string") pair.cleanup();
  });
  for (const transfer of ["wpt", "acdp"] as const) {
    test(`${transfer}: the vehicle finds the charger with SDPRequestWireless and charges; both sides agree`, async () => {
      if (typeof pair === "string") return;
      const charger = proc(["secc", "--iface", pair.ifSecc, "--port", "0", "--protocols", "iso20", "--transfer", transfer, "--insecure-iso20-plain-tcp", "--fast", "--json", "--quiet", "--verbose"], pair.nsSecc);
      try {
        let ready: Record<string, unknown> | undefined;
        const deadline = Date.now() + 30_000;
        while ((ready = jsonLines(charger.out).find((j) => j.event === "ready")) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.ok(ready, `secc ready: ${charger.err.join("\n")}`);
        const vehicle = proc(["evcc", "--iface", pair.ifEv, "--protocols", "iso20", "--transfer", transfer, "--insecure-iso20-plain-tcp", "--capacity", "2", "--start-soc", "50", "--target-soc", "51", "--max-time", "90", "--json"], pair.nsEv);
        const code = await vehicle.exit;
        assert.equal(code, 0, vehicle.err.slice(-20).join("\n"));
        const summary = jsonLines(vehicle.out)[0];
        assert.equal(summary.reason, "charging-complete");
        assert.ok(vehicle.err.some((l) => /SDP: charger at \[fe80::/.test(l)), "found by SDP on the link");
        assert.ok(charger.err.some((l) => /wireless SDP request answered/.test(l)), `the charger answered 0x9002: ${charger.err.slice(-10).join("\n")}`);
        charger.kill("SIGTERM");
        assert.equal(await charger.exit, 0, charger.err.join("\n"));
        const sessions = jsonLines(charger.out).filter((j) => j.event === "session");
        assert.equal(sessions.length, 1);
        assert.equal(sessions[0].reason, "ev-terminate");
        assert.equal(sessions[0].messages, summary.messages);
      } finally {
        charger.kill("SIGKILL");
      }
    });
  }
});

test("faults between the processes: the pantograph never makes contact (charger) → ACDP_ConnectRes FAILED; the car observes another pad's code (vehicle) → WPT_PairingRes FAILED", async () => {
  const [acdp, wpt] = await Promise.all([session("acdp", ["--device-fault", "no-contact"]), session("wpt", [], ["--device-fault", "other-pad"])]);
  assert.equal(acdp.code, 1);
  assert.equal(acdp.vehicle.reason, "response-code");
  assert.match(String(acdp.vehicle.detail), /ACDP_ConnectRes: FAILED/);
  assert.equal(acdp.sessions[0].reason, "failed-response");
  assert.equal(wpt.code, 1);
  assert.match(String(wpt.vehicle.detail), /WPT_PairingRes: FAILED/);
  assert.equal(wpt.sessions[0].reason, "failed-response");
  assert.equal(wpt.sessions[0].energyWh, 0);
});
