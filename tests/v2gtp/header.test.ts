import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  KNOWN_PAYLOAD_TYPES,
  PayloadType,
  V2gtpError,
  frame,
  iso20SchemaOf,
  payloadTypeName,
  payloadTypeOf,
  readHeader,
  unframe,
  writeHeader,
} from "../../modules/v2gtp/index";
import { DecodeError, fromHex, toHex } from "../../modules/common/index";

const CHECK = { maxPayloadLength: 8192 };

describe("V2GTP header", () => {
  test("a SAP request frame from DIN_DC_DS5366_Josev encodes to the captured header", () => {
    // supportedAppProtocolReq, 35 bytes of EXI (../shared/vectors/real/apphand.tsv row 1)
    const exi = fromHex("8000dbab9371d3234b71d1b981899189d191818991d26b9b3a232b30020000040040")!;
    const bytes = frame(PayloadType.EXI, exi);
    assert.equal(toHex(bytes.subarray(0, 8)), "01fe800100000022");
    assert.deepEqual(unframe(bytes, CHECK), { payloadType: 0x8001, payload: exi });
  });

  test("writeHeader writes lengths of 2^31 and more without sign trouble, and readHeader reads them back", () => {
    const buf = new Uint8Array(8);
    writeHeader(buf, 0, 0x8004, 0xfffffffe);
    assert.equal(toHex(buf), "01fe8004fffffffe");
    assert.deepEqual(readHeader(buf, 0, { maxPayloadLength: 0xffffffff }), { payloadType: 0x8004, payloadLength: 0xfffffffe });
  });

  test("the payload types of ISO 15118-2 and -20 have their table values", () => {
    assert.equal(PayloadType.EXI, 0x8001);
    assert.equal(PayloadType.ISO20_MAINSTREAM, 0x8002);
    assert.equal(PayloadType.ISO20_AC_MAINSTREAM, 0x8003);
    assert.equal(PayloadType.ISO20_DC_MAINSTREAM, 0x8004);
    assert.equal(PayloadType.ISO20_ACDP_MAINSTREAM, 0x8005);
    assert.equal(PayloadType.ISO20_WPT_MAINSTREAM, 0x8006);
    assert.equal(PayloadType.SDP_REQUEST, 0x9000);
    assert.equal(PayloadType.SDP_RESPONSE, 0x9001);
    assert.equal(PayloadType.SDP_REQUEST_WIRELESS, 0x9002);
    assert.equal(PayloadType.SDP_RESPONSE_WIRELESS, 0x9003);
    assert.equal(PayloadType.SDP_REQUEST_EMSP, 0x9004);
    assert.equal(PayloadType.SDP_RESPONSE_EMSP, 0x9005);
    assert.equal(KNOWN_PAYLOAD_TYPES.length, 16);
    assert.equal(payloadTypeName(0x8004), "ISO20_DC_MAINSTREAM");
    assert.equal(payloadTypeName(0xa123), "0xa123");
  });

  test("schemas map to payload types and back", () => {
    assert.equal(payloadTypeOf("apphand"), 0x8001);
    assert.equal(payloadTypeOf("din"), 0x8001);
    assert.equal(payloadTypeOf("iso2"), 0x8001);
    assert.equal(payloadTypeOf("iso20-cm"), 0x8002);
    assert.equal(payloadTypeOf("iso20-ac"), 0x8003);
    assert.equal(payloadTypeOf("iso20-dc"), 0x8004);
    assert.equal(payloadTypeOf("iso20-acdp"), 0x8005);
    assert.equal(payloadTypeOf("iso20-wpt"), 0x8006);
    assert.equal(payloadTypeOf("xmldsig"), -1);
    for (const s of ["iso20-cm", "iso20-ac", "iso20-dc", "iso20-acdp", "iso20-wpt"] as const) {
      assert.equal(iso20SchemaOf(payloadTypeOf(s)), s);
    }
    assert.equal(iso20SchemaOf(0x8001), undefined);
    assert.equal(iso20SchemaOf(0x8101), undefined, "schedule renegotiation mixes schemas");
    assert.equal(iso20SchemaOf(0x8102), "iso20-cm");
    assert.equal(iso20SchemaOf(0x8103), "iso20-acdp");
    assert.equal(iso20SchemaOf(0x8104), "iso20-cm");
  });

  describe("bad headers give typed errors, never a crash", () => {
    const cases: [string, string, string, string][] = [
      ["wrong version", "02fd800100000002", "v2gtp-version", "close"],
      ["right version, wrong inverse", "01ff800100000002", "v2gtp-version", "close"],
      ["unknown payload type", "01fe123400000002", "v2gtp-payload-type", "skip"],
      ["oversize length", "01fe800100002001", "v2gtp-length", "skip"],
    ];
    for (const [name, hex, reason, action] of cases) {
      test(`${name} → ${reason} (${action})`, () => {
        const bytes = fromHex(hex)!;
        assert.throws(
          () => readHeader(bytes, 0, CHECK),
          (e: unknown) => {
            assert.ok(e instanceof V2gtpError);
            assert.ok(e instanceof DecodeError);
            assert.equal(e.reason, reason);
            assert.equal(e.action, action);
            return true;
          },
        );
      });
    }

    test("a type outside the receiver's accept list is refused even if known", () => {
      const bytes = frame(0x9000, new Uint8Array([0x10, 0]));
      assert.throws(() => unframe(bytes, { maxPayloadLength: 64, payloadTypes: [0x8001] }), { reason: "v2gtp-payload-type" });
    });

    test("datagrams: short, truncated and trailing bytes", () => {
      assert.throws(() => unframe(fromHex("01fe90")!, CHECK), { reason: "v2gtp-truncated" });
      assert.throws(() => unframe(fromHex("01fe9000000000021000")!.subarray(0, 9), CHECK), { reason: "v2gtp-truncated" });
      assert.throws(() => unframe(fromHex("01fe900000000002100000")!, CHECK), { reason: "v2gtp-length" });
    });

    test("a random stream of bytes only ever throws V2gtpError", () => {
      let seed = 12345;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
      for (let i = 0; i < 2000; i++) {
        const bytes = new Uint8Array(8 + (i % 5));
        for (let k = 0; k < bytes.length; k++) bytes[k] = rnd();
        if (i % 3 === 0) {
          bytes[0] = 1;
          bytes[1] = 0xfe;
        }
        try {
          unframe(bytes, CHECK);
        } catch (e) {
          assert.ok(e instanceof V2gtpError, String(e));
        }
      }
    });
  });
});
