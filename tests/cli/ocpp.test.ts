// @node-only — `xs15118 secc --ocpp URL`: the option, and a CSMS that cannot be reached (exit 3).
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
