// @node-only — `xs15118 sap --offer LIST HEX` (hosts/sim/commands/sap.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../hosts/sim/cli";
import { decode } from "../../modules/exi/index";
import { fromHex } from "../../modules/common/index";
import { bufferIo } from "../support/cli-io";

// The DIN-only request (DIN 2.0, SchemaID 1, Priority 1) of dsV2Gshark/DIN_DC_DS5366_Josev,
// from ../shared/vectors/real/apphand.tsv; the real charger answered 80400040 (OK, SchemaID 1).
const DIN_REQ = "8000dbab9371d3234b71d1b981899189d191818991d26b9b3a232b30020000040040";

function codecSkip(): string | undefined {
  try {
    decode("apphand", fromHex(DIN_REQ)!);
    return undefined;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return /not (implemented|generated)/i.test(message) ? `EXI codec unavailable (${message})` : undefined;
  }
}

describe("xs15118 sap", () => {
  test("usage errors exit 2: no --offer, unknown protocol; a request that is not hex exits 1 and says where", async () => {
    let io = bufferIo();
    assert.equal(await main(["sap", DIN_REQ], io), 2);
    assert.match(io.stderr.join("\n"), /--offer LIST is required/);
    io = bufferIo();
    assert.equal(await main(["sap", "--offer", "din,chademo", DIN_REQ], io), 2);
    assert.match(io.stderr.join("\n"), /unknown protocol 'chademo'/);
    io = bufferIo();
    // bad input, like `exi decode`'s: the operation failed on it (1), the command line was fine
    assert.equal(await main(["sap", "--offer", "din", "zz"], io), 1);
    assert.equal(io.stderr.join("\n"), "xs15118 sap: the request is not hex: 'z' at position 1 is not a hex digit");
  });

  test("--help shows the usage", async () => {
    const io = bufferIo();
    assert.equal(await main(["sap", "--help"], io), 0);
    assert.match(io.stdout.join("\n"), /--offer LIST/);
  });

  test("a bad V2GTP header is reported, not thrown", async () => {
    const io = bufferIo();
    assert.equal(await main(["sap", "--offer", "din", "01fe900000000002" + "1000"], io), 1);
    assert.match(io.stderr.join("\n"), /bad V2GTP header/);
  });

  test("the DIN-only request of a Josev test bench, at a DIN + ISO-2 charger", { skip: codecSkip() }, async () => {
    const io = bufferIo();
    assert.equal(await main(["sap", "--offer", "din,iso2", DIN_REQ], io), 0, io.stderr.join("\n"));
    assert.deepEqual(io.stdout, ["80400040", '{"supportedAppProtocolRes":{"ResponseCode":"OK_SuccessfulNegotiation","SchemaID":1}}']);
  });

  test("the same request framed with V2GTP gets a framed answer; at an ISO-2-only charger it fails", { skip: codecSkip() }, async () => {
    let io = bufferIo();
    assert.equal(await main(["sap", "--offer=din", "01fe800100000022" + DIN_REQ], io), 0);
    assert.equal(io.stdout[0], "01fe80010000000480400040");
    io = bufferIo(DIN_REQ + "\n");
    assert.equal(await main(["sap", "--offer", "iso2"], io), 0);
    assert.equal(io.stdout[1], '{"supportedAppProtocolRes":{"ResponseCode":"Failed_NoNegotiation"}}');
  });

  test("while the codec is a stub the command says so and exits 1", { skip: codecSkip() ? undefined : "the codec is here" }, async () => {
    const io = bufferIo();
    assert.equal(await main(["sap", "--offer", "din", DIN_REQ], io), 1);
    assert.match(io.stderr.join("\n"), /cannot decode the request/);
  });
});
