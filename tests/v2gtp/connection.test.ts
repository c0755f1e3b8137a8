import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { V2gtpConnection, frame } from "../../modules/v2gtp/index";
import type { V2gtpCloseReason, V2gtpError, V2gtpMessage } from "../../modules/v2gtp/index";
import { fromHex, toHex } from "../../modules/common/index";
import { FakeStream } from "./fake-io";
import { createExiCodec } from "../../modules/exi/index";

const SAP_REQ = fromHex("8000dbab9371d3234b71d1b981899189d191818991d26b9b3a232b30020000040040")!;

function open(options: { maxPayloadLength?: number; closeOnHeaderError?: boolean } = {}) {
  let stream!: FakeStream;
  const messages: { type: number; schema: string | undefined; hex: string }[] = [];
  const errors: V2gtpError[] = [];
  const closes: V2gtpCloseReason[] = [];
  let connected = 0;
  const conn = new V2gtpConnection({
    ...options,
    open: (callbacks) => (stream = new FakeStream(callbacks)),
    onMessage: (m: V2gtpMessage) => messages.push({ type: m.payloadType, schema: m.schema, hex: toHex(m.payload) }),
    onError: (e) => errors.push(e),
    onConnect: () => connected++,
    onClose: (reason) => closes.push(reason),
  });
  return { conn, stream, messages, errors, closes, connected: () => connected };
}

describe("V2gtpConnection", () => {
  test("a SAP request in two segments arrives once, tagged apphand", () => {
    const { stream, messages } = open();
    const bytes = frame(0x8001, SAP_REQ);
    stream.peerWrite(bytes.subarray(0, 5));
    stream.peerWrite(bytes.subarray(5));
    assert.deepEqual(messages, [{ type: 0x8001, schema: "apphand", hex: toHex(SAP_REQ) }]);
  });

  test("after the handshake 0x8001 carries the chosen protocol; ISO-20 types carry their schemas", () => {
    const { conn, stream, messages } = open();
    conn.selectProtocol("din");
    stream.peerWrite(frame(0x8001, fromHex("809a")!));
    conn.selectProtocol("iso20-dc");
    stream.peerWrite(frame(0x8002, fromHex("80")!));
    stream.peerWrite(frame(0x8004, fromHex("80")!));
    stream.peerWrite(frame(0x8001, fromHex("80")!));
    assert.deepEqual(
      messages.map((m) => m.schema),
      ["din", "iso20-cm", "iso20-dc", undefined],
    );
  });

  test("send frames the payload in one write, by schema or by payload type", () => {
    const { conn, stream } = open();
    assert.equal(conn.send("apphand", fromHex("80400040")!), true);
    assert.equal(conn.send("iso20-ac", fromHex("80")!), true);
    assert.equal(conn.send(0x8004, new Uint8Array(0)), true);
    assert.deepEqual(stream.written.map(toHex), ["01fe80010000000480400040", "01fe80030000000180", "01fe800400000000"]);
    assert.throws(() => conn.send("xmldsig", new Uint8Array(1)), { reason: "implementation" });
  });

  test("sendEncoded encodes into the output buffer after the header: send()'s frame, a larger message once more into a larger buffer", () => {
    const { conn, stream } = open();
    const codec = createExiCodec();
    const doc = codec.decode("apphand", SAP_REQ);
    assert.equal(conn.sendEncoded("apphand", codec, "apphand", doc), true);
    // a payload longer than the 520-byte output buffer: encoded a second time into one it fits
    const calls: number[] = [];
    const long = { encode: () => assert.fail("encode() where encodeInto is"), encodeInto: (_s: string, _d: object, out: Uint8Array, offset: number) => (calls.push(out.length), out.length - offset < 600 ? 600 : (out.fill(7, offset, offset + 600), 600)) };
    assert.equal(conn.sendEncoded(0x8004, long, "iso20-dc", {}), true);
    assert.deepEqual(calls, [520, 1040]);
    assert.equal(toHex(stream.written[0]), toHex(frame(0x8001, SAP_REQ)));
    assert.equal(toHex(stream.written[1]), toHex(frame(0x8004, new Uint8Array(600).fill(7))));
    // an encoder's error: nothing sent; closed: nothing encoded
    assert.throws(() => conn.sendEncoded("apphand", codec, "apphand", { nonsense: 1 }), { reason: "exi-encode" });
    conn.close();
    assert.equal(conn.sendEncoded("apphand", { encode: () => assert.fail("encoded after close"), encodeInto: () => assert.fail("encoded after close") }, "apphand", doc), false);
    assert.equal(stream.written.length, 2);
  });

  test("sendEncoded with an encoder that has no encodeInto (a test's codec): encoded, then sent as send() sends it", () => {
    const { conn, stream } = open();
    const plain = { encode: () => SAP_REQ };
    assert.equal(conn.sendEncoded("apphand", plain, "apphand", {}), true);
    assert.equal(toHex(stream.written[0]), toHex(frame(0x8001, SAP_REQ)));
  });

  test("writes that find the output full wait for onWritable, in order; onConnect fires once", () => {
    const { conn, stream, connected } = open();
    stream.full = true;
    conn.send(0x8001, fromHex("01")!);
    conn.send(0x8001, fromHex("02")!);
    assert.equal(stream.written.length, 0);
    stream.full = false;
    stream.callbacks.onWritable?.(1024);
    stream.callbacks.onWritable?.(1024);
    assert.deepEqual(stream.written.map(toHex), ["01fe80010000000101", "01fe80010000000102"]);
    assert.equal(connected(), 1);
  });

  test("a peer that never reads: the queue overflows and the connection closes", () => {
    const { conn, stream, closes } = open({ maxPayloadLength: 100 });
    stream.full = true;
    for (let i = 0; i < 10 && !conn.closed; i++) conn.send(0x8001, new Uint8Array(100));
    assert.deepEqual(closes, ["overflow"]);
    assert.equal(stream.closed, true);
    assert.equal(conn.send(0x8001, new Uint8Array(1)), false);
  });

  test("a wrong version closes the connection with a v2gtp-version error", () => {
    const { stream, errors, closes, messages } = open();
    stream.peerWrite(fromHex("02fd800100000001aa")!);
    stream.peerWrite(frame(0x8001, SAP_REQ));
    assert.deepEqual(errors.map((e) => e.reason), ["v2gtp-version"]);
    assert.deepEqual(closes, ["v2gtp"]);
    assert.equal(stream.closed, true);
    assert.equal(messages.length, 0);
  });

  test("an oversize payload closes by default, or is skipped with closeOnHeaderError: false", () => {
    const a = open({ maxPayloadLength: 16 });
    a.stream.peerWrite(frame(0x8001, new Uint8Array(17)));
    assert.deepEqual(a.closes, ["v2gtp"]);
    assert.equal(a.errors[0].reason, "v2gtp-length");
    const b = open({ maxPayloadLength: 16, closeOnHeaderError: false });
    b.stream.peerWrite(frame(0x8001, new Uint8Array(17)));
    b.stream.peerWrite(frame(0x9000, fromHex("1000")!)); // SDP has no business on TCP
    b.stream.peerWrite(frame(0x8001, fromHex("80")!));
    assert.deepEqual(b.errors.map((e) => e.reason), ["v2gtp-length", "v2gtp-payload-type"]);
    assert.deepEqual(b.closes, []);
    assert.equal(b.messages.length, 1);
  });

  test("a socket error or peer close ends the connection once; close() afterwards is harmless", () => {
    const { conn, stream, closes } = open();
    stream.callbacks.onError?.(new Error("reset by peer"));
    conn.close();
    conn.close();
    assert.deepEqual(closes, ["socket"]);
    stream.peerWrite(frame(0x8001, SAP_REQ));
  });

  test("no message is delivered after close() even if data was already there", () => {
    const { conn, stream, messages, closes } = open();
    conn.close();
    stream.peerWrite(frame(0x8001, SAP_REQ));
    assert.equal(messages.length, 0);
    assert.deepEqual(closes, ["local"]);
  });

  test("a message handler may answer synchronously from inside onMessage", () => {
    let stream!: FakeStream;
    const conn: V2gtpConnection = new V2gtpConnection({
      open: (cb) => (stream = new FakeStream(cb)),
      onMessage: (m) => {
        conn.send(m.schema!, fromHex("80400040")!);
      },
    });
    stream.peerWrite(frame(0x8001, SAP_REQ));
    assert.deepEqual(stream.written.map(toHex), ["01fe80010000000480400040"]);
  });
});
