// Every negative response in the failed-response tables is schema-valid (the codec encodes it).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DIN_REQUESTS, ISO2_REQUESTS, dinFailedResponse, iso2FailedResponse } from "../../../modules/statemachine/index";
import { encodes } from "./support";

const HEADER = { SessionID: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) };

describe("failed responses", () => {
  test("DIN: one for each of the 17 request types, each encodes, each carries the code", () => {
    assert.equal(DIN_REQUESTS.length, 17);
    for (const name of DIN_REQUESTS) {
      const body = dinFailedResponse(name, "FAILED_SequenceError")!;
      const resName = name.replace(/Req$/, "Res");
      assert.equal((body[resName] as any).ResponseCode, "FAILED_SequenceError", name);
      encodes("din", { V2G_Message: { Header: HEADER, Body: body } });
    }
  });

  test("ISO-2: one for each of the 17 request types, AC and DC variants, each encodes", () => {
    assert.equal(ISO2_REQUESTS.length, 17);
    for (const name of ISO2_REQUESTS) {
      for (const ac of [false, true]) {
        const body = iso2FailedResponse(name, "FAILED", ac)!;
        encodes("iso2", { V2G_Message: { Header: HEADER, Body: body } });
      }
    }
    assert.ok("AC_EVSEStatus" in (iso2FailedResponse("PowerDeliveryReq", "FAILED", true)!.PowerDeliveryRes as object));
  });

  test("each call builds a fresh object (a caller may change it)", () => {
    assert.notEqual(dinFailedResponse("CableCheckReq", "FAILED"), dinFailedResponse("CableCheckReq", "FAILED"));
    assert.equal(dinFailedResponse("NoSuchReq", "FAILED"), undefined);
  });
});
