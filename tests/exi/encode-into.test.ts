// ExiCodec.encodeInto (issue 15): the stream written straight into a caller's buffer after its
// V2GTP header, no array of its own (on Node a result over 64 bytes is an off-heap ArrayBuffer,
// a third of a 76-byte CurrentDemandRes's encode). Same bytes as encode(), the header left as
// it was, a buffer too short reported by the length, and the codec's own buffer given back.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createExiCodec, ExiError } from "../../modules/exi/index";
import { fromHex, toHex } from "../../modules/common/bytes";
import { loadBenchSet } from "../support/exi-vectors";
import { sharedSkip } from "../support/shared";

const SAP_REQ = fromHex("8000dbab9371d3234b71d1b981899189d191818991d26b9b3a232b30020000040040")!;
const HEADER = 8;

/** A buffer whose bytes all read 0xa5, so that a write outside the stream shows. */
function marked(size: number): Uint8Array {
  return new Uint8Array(size).fill(0xa5);
}

function currentDemandRes(meterReading: bigint): object {
  const pv = (Value: number, Unit: string, Multiplier = 0) => ({ Multiplier, Unit, Value });
  return {
    V2G_Message: {
      Header: { SessionID: fromHex("b850bffc7cee6f2f")! },
      Body: {
        CurrentDemandRes: {
          ResponseCode: "OK",
          DC_EVSEStatus: { NotificationMaxDelay: 0, EVSENotification: "None", EVSEIsolationStatus: "Valid", EVSEStatusCode: "EVSE_Ready" },
          EVSEPresentVoltage: pv(3595, "V", -1),
          EVSEPresentCurrent: pv(1, "A", -1),
          EVSECurrentLimitAchieved: false,
          EVSEVoltageLimitAchieved: false,
          EVSEPowerLimitAchieved: false,
          EVSEMaximumVoltageLimit: pv(900, "V"),
          EVSEMaximumCurrentLimit: pv(25, "A"),
          EVSEMaximumPowerLimit: pv(10000, "W"),
          EVSEID: "DE*PNX*E12345*1",
          SAScheduleTupleID: 1,
          MeterInfo: { MeterID: "powermeter_dc", MeterReading: meterReading },
        },
      },
    },
  };
}

describe("ExiCodec.encodeInto", () => {
  test("writes encode()'s bytes after the header and nothing else; returns their length", () => {
    const codec = createExiCodec();
    const doc = codec.decode("apphand", SAP_REQ);
    const out = marked(64);
    const n = codec.encodeInto("apphand", doc, out, HEADER);
    assert.equal(n, SAP_REQ.length);
    assert.equal(toHex(out.subarray(HEADER, HEADER + n)), toHex(SAP_REQ));
    assert.ok(out.subarray(0, HEADER).every((b) => b === 0xa5), "the header's bytes are untouched");
    assert.ok(out.subarray(HEADER + n).every((b) => b === 0xa5), "nothing is written after the stream");
    // the codec's own buffer is back: encode() still returns the stream in an array of its own
    const again = codec.encode("apphand", doc);
    assert.equal(toHex(again), toHex(SAP_REQ));
    assert.notEqual(again.buffer, out.buffer);
  });

  test("a loop response through the generated code, alternating with encode(): the same bytes each time", () => {
    // the generated encoder's cache of SessionID / EVSEID / MeterID (fast.ts) holds octets, not
    // positions: it replays them into whichever buffer is written
    const codec = createExiCodec();
    const out = marked(128);
    for (let i = 0; i < 4; i++) {
      const doc = currentDemandRes(BigInt(305757 + i * 1000));
      const expected = toHex(createExiCodec().encode("iso2", doc));
      const n = codec.encodeInto("iso2", doc, out, HEADER);
      assert.equal(toHex(out.subarray(HEADER, HEADER + n)), expected, `encodeInto, message ${i}`);
      assert.equal(toHex(codec.encode("iso2", doc)), expected, `encode, message ${i}`);
    }
    assert.equal(toHex(codec.encode("iso2", currentDemandRes(305757n))), "8098022e142fff1f3b9bcbd0e000000020408408b1c020c00400003102101c06180c80c50904e01144452a504e582a4531323334352a3100000f706f7765726d657465725f646306eea091a0");
  });

  test("a buffer too short: the length says so, and a buffer of that size then takes the stream", () => {
    const codec = createExiCodec();
    const doc = codec.decode("apphand", SAP_REQ);
    const short = marked(HEADER + 10);
    const n = codec.encodeInto("apphand", doc, short, HEADER);
    assert.equal(n, SAP_REQ.length);
    assert.ok(HEADER + n > short.length);
    assert.ok(short.subarray(0, HEADER).every((b) => b === 0xa5), "the header's bytes are untouched");
    // exactly the size: the writer may move to a grown copy before the last bytes (it keeps a
    // margin), the stream is copied back
    const exact = marked(HEADER + n);
    assert.equal(codec.encodeInto("apphand", doc, exact, HEADER), n);
    assert.equal(toHex(exact.subarray(HEADER)), toHex(SAP_REQ));
    assert.ok(exact.subarray(0, HEADER).every((b) => b === 0xa5));
  });

  test("an object that does not fit the schema: encode()'s error, and the codec works on", () => {
    const codec = createExiCodec();
    const out = marked(64);
    assert.throws(() => codec.encodeInto("apphand", { supportedAppProtocolReq: { AppProtocol: [{ Nonsense: 1 }] } }, out, HEADER), (e) => e instanceof ExiError && e.reason === "exi-encode");
    const doc = codec.decode("apphand", SAP_REQ);
    assert.equal(toHex(codec.encode("apphand", doc)), toHex(SAP_REQ));
    const n = codec.encodeInto("apphand", doc, out, 0);
    assert.equal(toHex(out.subarray(0, n)), toHex(SAP_REQ));
  });

  test("every bench_set message: encodeInto's bytes are encode()'s", { skip: sharedSkip() }, () => {
    const codec = createExiCodec();
    const out = new Uint8Array(HEADER + 8192);
    for (const v of loadBenchSet()) {
      const doc = codec.decode(v.schema, fromHex(v.hex)!);
      const n = codec.encodeInto(v.schema, doc, out, HEADER);
      assert.equal(toHex(out.subarray(HEADER, HEADER + n)), toHex(codec.encode(v.schema, doc)), v.name);
    }
  });
});
