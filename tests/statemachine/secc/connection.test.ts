import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, MemoryLogger } from "../../../modules/common/index";
import { decode, encode } from "../../../modules/exi/index";
import { frame } from "../../../modules/v2gtp/index";
import { SeccConnection } from "../../../modules/statemachine/secc/connection";
import type { SeccTraceEntry } from "../../../modules/statemachine/index";
import { FakeStream } from "../../v2gtp/fake-io";
import { DC_CONFIG, EVCCID, doc } from "./support";

const SAP_REQ = {
  supportedAppProtocolReq: {
    AppProtocol: [
      { ProtocolNamespace: "urn:din:70121:2012:MsgDef", VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: 2 },
      { ProtocolNamespace: "urn:iso:15118:2:2013:MsgDef", VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 2, Priority: 1 },
    ],
  },
};

/** Splits V2GTP frames out of a byte stream. */
function frames(bytes: Uint8Array): { type: number; payload: Uint8Array }[] {
  const out: { type: number; payload: Uint8Array }[] = [];
  let o = 0;
  while (o + 8 <= bytes.length) {
    const type = (bytes[o + 2] << 8) | bytes[o + 3];
    const len = ((bytes[o + 4] << 24) | (bytes[o + 5] << 16) | (bytes[o + 6] << 8) | bytes[o + 7]) >>> 0;
    out.push({ type, payload: bytes.subarray(o + 8, o + 8 + len) });
    o += 8 + len;
  }
  return out;
}

function setup(beforeRequest?: (schema: string, payload: Uint8Array) => Promise<void> | undefined) {
  const clock = new ManualClock();
  let stream!: FakeStream;
  const closes: string[] = [];
  const trace: SeccTraceEntry[] = [];
  const conn = new SeccConnection({
    config: DC_CONFIG,
    clock,
    open: (callbacks) => (stream = new FakeStream(callbacks)),
    onClose: (reason) => closes.push(reason),
    trace: (e) => trace.push(e),
    beforeRequest,
  });
  const responses = (schema: "apphand" | "iso2") => frames(stream.output()).map((f) => decode(f.type === 0x8001 && schema === "apphand" ? "apphand" : schema, f.payload));
  return { clock, conn, stream: () => stream, closes, trace, responses };
}

describe("SeccConnection (V2GTP + EXI + SeccSession)", () => {
  test("beforeRequest holds a request until the host's promise settles (e.g. the operator's certificate answer), then the session answers it", async () => {
    let release!: () => void;
    const seen: string[] = [];
    const { conn, stream } = setup((schema, payload) => {
      seen.push(`${schema}:${payload.length > 0}`);
      return schema === "iso2" ? new Promise<void>((resolve) => (release = resolve)) : undefined;
    });
    stream().peerWrite(frame(0x8001, encode("apphand", SAP_REQ)));
    assert.equal(frames(stream().output()).length, 1, "SAP answered at once");
    stream().peerWrite(frame(0x8001, encode("iso2", doc(new Uint8Array(1), "SessionSetupReq", { EVCCID }))));
    assert.equal(frames(stream().output()).length, 1, "held");
    release();
    await Promise.resolve();
    await Promise.resolve();
    const out = frames(stream().output());
    assert.equal(out.length, 2);
    assert.equal((decode("iso2", out[1].payload) as any).V2G_Message.Body.SessionSetupRes.ResponseCode, "OK_NewSessionEstablished");
    assert.deepEqual(seen, ["apphand:true", "iso2:true"]);
  });

  test("SAP, then ISO-2 SessionSetup and ServiceDiscovery over V2GTP bytes", () => {
    const { conn, stream, trace } = setup();
    stream().peerWrite(frame(0x8001, encode("apphand", SAP_REQ)));
    const sap = decode("apphand", frames(stream().output())[0].payload);
    assert.deepEqual(sap, { supportedAppProtocolRes: { ResponseCode: "OK_SuccessfulNegotiation", SchemaID: 2 } });
    assert.equal(conn.session.protocol, "iso2");
    stream().peerWrite(frame(0x8001, encode("iso2", doc(new Uint8Array(1), "SessionSetupReq", { EVCCID }))));
    const setupRes = decode("iso2", frames(stream().output())[1].payload) as any;
    assert.equal(setupRes.V2G_Message.Body.SessionSetupRes.ResponseCode, "OK_NewSessionEstablished");
    const sessionId = setupRes.V2G_Message.Header.SessionID;
    stream().peerWrite(frame(0x8001, encode("iso2", doc(sessionId, "ServiceDiscoveryReq", {}))));
    const sd = decode("iso2", frames(stream().output())[2].payload) as any;
    assert.equal(sd.V2G_Message.Body.ServiceDiscoveryRes.ResponseCode, "OK");
    assert.deepEqual(
      trace.map((t) => `${t.direction} ${t.message}`),
      ["rx supportedAppProtocolReq", "tx supportedAppProtocolRes", "rx SessionSetupReq", "tx SessionSetupRes", "rx ServiceDiscoveryReq", "tx ServiceDiscoveryRes"],
    );
    assert.equal(conn.closed, false);
  });

  test("a sequence error is answered, then the TCP connection closes", () => {
    const { conn, stream, closes } = setup();
    stream().peerWrite(frame(0x8001, encode("apphand", SAP_REQ)));
    stream().peerWrite(frame(0x8001, encode("iso2", doc(new Uint8Array(1), "SessionSetupReq", { EVCCID }))));
    const sessionId = (decode("iso2", frames(stream().output())[1].payload) as any).V2G_Message.Header.SessionID;
    stream().peerWrite(frame(0x8001, encode("iso2", doc(sessionId, "PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 }))));
    const res = decode("iso2", frames(stream().output())[2].payload) as any;
    assert.equal(res.V2G_Message.Body.PowerDeliveryRes.ResponseCode, "FAILED_SequenceError");
    assert.equal(conn.closed, true);
    assert.equal(stream().closed, true);
    assert.deepEqual(closes, ["sequence-error"]);
  });

  test("the sequence timeout closes the TCP connection without a response", () => {
    const { clock, conn, stream, closes } = setup();
    stream().peerWrite(frame(0x8001, encode("apphand", SAP_REQ)));
    stream().peerWrite(frame(0x8001, encode("iso2", doc(new Uint8Array(1), "SessionSetupReq", { EVCCID }))));
    clock.advance(60_000);
    assert.equal(conn.closed, true);
    assert.equal(stream().closed, true);
    assert.deepEqual(closes, ["timeout-sequence"]);
    assert.equal(clock.pending, 0);
  });

  test("bytes that do not decode close the connection; the session sees a link-down", () => {
    const { conn, stream, closes } = setup();
    stream().peerWrite(frame(0x8001, new Uint8Array([0x80, 0xff, 0xff, 0xff])));
    assert.equal(conn.closed, true);
    assert.equal(conn.session.stopReason, "link-down");
    assert.equal(closes.length, 1);
  });

  test("the EV closing the socket is a link-down", () => {
    const { conn, stream } = setup();
    stream().peerWrite(frame(0x8001, encode("apphand", SAP_REQ)));
    stream().callbacks.onError?.(new Error("peer closed"));
    assert.equal(conn.closed, true);
    assert.equal(conn.session.stopReason, "link-down");
  });

  test("a response later than V2G_SECC_Msg_Performance_Time is logged", () => {
    const clock = new ManualClock();
    const logger = new MemoryLogger();
    let stream!: FakeStream;
    new SeccConnection({
      config: DC_CONFIG,
      clock,
      logger,
      open: (callbacks) => (stream = new FakeStream(callbacks)),
      // A slow encoder: 2 s per response.
      codec: { decode, encode: (schema, d) => (clock.advance(2000), encode(schema, d)) },
    });
    stream.peerWrite(frame(0x8001, encode("apphand", SAP_REQ)));
    assert.equal(logger.find("supportedAppProtocolRes took 2000 ms (limit 1500 ms)").length, 1);
  });
});
