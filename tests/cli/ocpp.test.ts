// @node-only — `xs15118 secc --ocpp URL` (the option, a CSMS that cannot be reached) and `xs15118 sim --ocpp` (a whole session against the test CSMS on loopback).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { main } from "../../hosts/sim/cli";
import { parseSeccArgs } from "../../hosts/sim/commands/secc";
import { bufferIo } from "../support/cli-io";

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("xs15118 secc --ocpp", () => {
  test("takes ws://HOST:PORT/[PATH/]ID; anything else exits 2 naming the expected form", async () => {
    assert.equal(parseSeccArgs(["--no-sdp", "--ocpp", "ws://127.0.0.1:9220/ocpp/CS1"]).ocpp, "ws://127.0.0.1:9220/ocpp/CS1");
    assert.equal(parseSeccArgs(["--no-sdp"]).ocpp, undefined);
    const io = bufferIo();
    assert.equal(await main(["secc", "--no-sdp", "--ocpp", "ws://127.0.0.1:9220"], io), 2);
    assert.match(io.stderr.join("\n"), /ws:\/\/HOST:PORT\/\[PATH\/\]ID/);
  });

  test("a CSMS that does not answer ends the charger before it serves: exit 3 with the URL", async () => {
    const url = `ws://127.0.0.1:${await closedPort()}/CS1`;
    const io = bufferIo();
    const code = await main(["secc", "--no-sdp", "--port", "0", "--quiet", "--ocpp", url], io);
    assert.equal(code, 3);
    assert.match(io.stderr.join("\n"), new RegExp(`OCPP CSMS ${url.replace(/[/.]/g, "\\$&")}`));
  });
});

describe("xs15118 sim --ocpp", () => {
  test("a whole ISO-2 DC session reports to the test CSMS: every message valid, the EV's needs at each ChargeParameterDiscovery, the CSMS's TxProfile taken as the schedule", async () => {
    const io = bufferIo();
    const code = await main(["sim", "--ocpp", "--json", "--quiet", "--target-soc", "65"], io);
    assert.equal(code, 0, io.stderr.join("\n"));
    const out = JSON.parse(io.stdout.join("\n")) as { ok: boolean; ocpp: { received: Record<string, number>; sent: Record<string, number>; invalid: string[]; schedule: { start: number; power: number }[] } };
    assert.equal(out.ok, true);
    assert.deepEqual(out.ocpp.invalid, []);
    assert.equal(out.ocpp.received.BootNotification, 1);
    assert.equal(out.ocpp.received.Authorize, 1);
    assert.ok(out.ocpp.received.TransactionEvent >= 4, `${out.ocpp.received.TransactionEvent} TransactionEvents`);
    // Through the charging point's feedback gate (it used to drop the EV's needs).
    assert.ok(out.ocpp.received.NotifyEVChargingNeeds >= 1);
    assert.equal(out.ocpp.sent.SetChargingProfile, 1);
    assert.ok(out.ocpp.received.NotifyEVChargingSchedule >= 1, "the EV's ChargingProfile at PowerDelivery Start");
    assert.deepEqual(out.ocpp.schedule, [{ start: 0, power: 50_000 }, { start: 600, power: 30_000 }]);
  });
});
