import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError, ImplementationError, ProtocolError, Xs15118Error, fromHex, toHex, bytesEqual } from "../../modules/common/index";

describe("typed errors", () => {
  test("a DecodeError carries its reason and position and is an Xs15118Error", () => {
    const error = new DecodeError<"v2gtp-version">("v2gtp-version", "version 0x02", 0);
    assert.ok(error instanceof Xs15118Error);
    assert.ok(error instanceof Error);
    assert.equal(error.reason, "v2gtp-version");
    assert.equal(error.position, 0);
    assert.ok(Xs15118Error.is(error, "v2gtp-version"));
    assert.ok(!Xs15118Error.is(error, "exi-grammar"));
    assert.match(error.message, /v2gtp-version/);
  });

  test("ProtocolError.isCode recognises the response code", () => {
    const error = new ProtocolError("sequence", "FAILED_SequenceError", "CableCheckReq before ChargeParameterDiscovery");
    assert.ok(ProtocolError.isCode(error, "FAILED_SequenceError"));
    assert.ok(!ProtocolError.isCode(error, "FAILED"));
    assert.ok(!ProtocolError.isCode(new ImplementationError("x")));
  });
});

describe("hex helpers", () => {
  test("round trip, with whitespace and 0x tolerated", () => {
    const bytes = fromHex("0x01 fe 80 01")!;
    assert.equal(toHex(bytes), "01fe8001");
    assert.ok(bytesEqual(bytes, Uint8Array.of(1, 0xfe, 0x80, 1)));
  });

  test("malformed hex gives undefined, not an exception", () => {
    assert.equal(fromHex("abc"), undefined);
    assert.equal(fromHex("zz"), undefined);
  });
});
