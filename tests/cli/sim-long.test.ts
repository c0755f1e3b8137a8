// @node-only
// @slow — `xs15118 sim`: an ordinary AC charge of a 60 kWh car from 10 to 100 % (5.4 h simulated, ~8 s of CPU).
import { test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";

test("sim: a 60 kWh car charged on AC from 10 to 100 % ends normally within the cap its session gets", async () => {
  const io = bufferIo();
  const code = await main(["sim", "--protocol", "iso2", "--transfer", "ac", "--capacity", "60", "--start-soc", "10", "--target-soc", "100", "--quiet", "--json"], io);
  const s = JSON.parse(io.stdout.join("\n"));
  assert.equal(code, 0, `${s.outcome} ${s.detail ?? ""}`);
  assert.equal(s.outcome, "charging-complete");
  assert.equal(s.protocol, "iso2");
  // 54 kWh through 3 × 16 A (11 kW, 92 % efficient) and the taper above 80 %: about 5.4 h;
  // the cap (1.5 × that + 10 min) is well above, the old fixed 4 h well below.
  assert.ok(s.durationMs > 5 * 3_600_000 && s.durationMs < s.timeLimitMs, `${s.durationMs / 3_600_000} h of ${s.timeLimitMs / 3_600_000} h`);
  // the on-board charger's least output (6 A) ends the charge at the top of the CV phase
  assert.ok(s.socEnd > 99.5, `SoC ${s.socEnd}`);
  assert.ok(s.energyWh > 54_000 && s.energyWh < 62_000, `meter ${s.energyWh} Wh`);
  assert.ok(s.cpuMs < 30_000, `${s.cpuMs} ms of CPU for 5.4 h simulated (about 8 s on the reference machine)`);
});
