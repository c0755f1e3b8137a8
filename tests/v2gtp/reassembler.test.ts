import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PayloadType, V2gtpError, V2gtpReassembler, frame } from "../../modules/v2gtp/index";
import { fromHex, toHex } from "../../modules/common/index";

function collector(options: { maxPayloadLength?: number; payloadTypes?: readonly number[] } = {}) {
  const messages: { type: number; hex: string }[] = [];
  const errors: V2gtpError[] = [];
  const r = new V2gtpReassembler({
    ...options,
    onMessage: (type, payload) => messages.push({ type, hex: toHex(payload) }),
    onError: (e) => errors.push(e),
  });
  return { r, messages, errors };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const SAP_REQ = fromHex("8000dbab9371d3234b71d1b981899189d191818991d26b9b3a232b30020000040040")!;
const SAP_RES = fromHex("80400040")!;
const BIG = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);

describe("V2gtpReassembler", () => {
  const stream = concat(frame(0x8001, SAP_REQ), frame(0x8001, SAP_RES), frame(0x8002, BIG), frame(0x8001, new Uint8Array(0)));
  const expected = [
    { type: 0x8001, hex: toHex(SAP_REQ) },
    { type: 0x8001, hex: toHex(SAP_RES) },
    { type: 0x8002, hex: toHex(BIG) },
    { type: 0x8001, hex: "" },
  ];

  test("several messages in one segment (including an empty payload)", () => {
    const { r, messages, errors } = collector();
    r.push(stream);
    assert.deepEqual(messages, expected);
    assert.deepEqual(errors, []);
    assert.ok(r.idle);
  });

  test("one byte at a time", () => {
    const { r, messages } = collector();
    for (let i = 0; i < stream.length; i++) r.push(stream.subarray(i, i + 1));
    assert.deepEqual(messages, expected);
  });

  test("every split point of a two-message stream, and many irregular segments", () => {
    const two = concat(frame(0x8001, SAP_REQ), frame(0x8001, SAP_RES));
    for (let cut = 0; cut <= two.length; cut++) {
      const { r, messages } = collector();
      r.push(two.subarray(0, cut));
      r.push(two.subarray(cut));
      assert.equal(messages.length, 2, `cut at ${cut}`);
    }
    const { r, messages } = collector();
    let i = 0;
    let size = 1;
    while (i < stream.length) {
      r.push(stream.subarray(i, i + size));
      i += size;
      size = (size * 3 + 1) % 97 || 1;
    }
    assert.deepEqual(messages, expected);
  });

  test("a half-received message is pending, not delivered", () => {
    const { r, messages } = collector();
    r.push(frame(0x8001, SAP_REQ).subarray(0, 20));
    assert.equal(messages.length, 0);
    assert.equal(r.pending, 20);
    assert.equal(r.idle, false);
  });

  test("the payload buffer is reused: a delivered view changes with the next message", () => {
    const views: Uint8Array[] = [];
    const r = new V2gtpReassembler({ onMessage: (_t, p) => views.push(p), onError: () => {} });
    r.push(frame(0x8001, fromHex("aaaa")!));
    r.push(frame(0x8001, fromHex("bbbb")!));
    assert.equal(views[0].buffer, views[1].buffer);
    assert.equal(toHex(views[0]), "bbbb");
  });

  test("a payload over the configured maximum is skipped with v2gtp-length, then the stream goes on", () => {
    const { r, messages, errors } = collector({ maxPayloadLength: 100 });
    r.push(concat(frame(0x8001, new Uint8Array(101)), frame(0x8001, SAP_RES)));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].reason, "v2gtp-length");
    assert.equal(errors[0].action, "skip");
    assert.equal(errors[0].payloadLength, 101);
    assert.deepEqual(messages, [{ type: 0x8001, hex: "80400040" }]);
  });

  test("an unknown payload type is skipped with v2gtp-payload-type", () => {
    const { r, messages, errors } = collector({ payloadTypes: [PayloadType.EXI] });
    r.push(concat(frame(0x9000, fromHex("1000")!), frame(0xa000, new Uint8Array(0)), frame(0x8001, SAP_RES)));
    assert.deepEqual(
      errors.map((e) => [e.reason, e.payloadType, e.position]),
      [
        ["v2gtp-payload-type", 0x9000, 2],
        ["v2gtp-payload-type", 0xa000, 12],
      ],
    );
    assert.equal(messages.length, 1);
  });

  test("a wrong version stops the stream for good (framing lost) until reset", () => {
    const { r, messages, errors } = collector();
    r.push(concat(frame(0x8001, SAP_RES), fromHex("02fd800100000004")!, frame(0x8001, SAP_RES)));
    assert.equal(messages.length, 1);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].reason, "v2gtp-version");
    assert.equal(errors[0].position, 12);
    assert.ok(r.failed);
    r.push(frame(0x8001, SAP_RES));
    assert.equal(messages.length, 1);
    r.reset();
    r.push(frame(0x8001, SAP_RES));
    assert.equal(messages.length, 2);
  });

  test("garbage of every kind never throws out of push", () => {
    let seed = 99;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let round = 0; round < 200; round++) {
      const { r } = collector({ maxPayloadLength: 64 });
      const bytes = new Uint8Array(64);
      for (let k = 0; k < bytes.length; k++) bytes[k] = rnd();
      if (round % 2 === 0) bytes.set([1, 0xfe, 0x80, 1, 0, 0, 0, rnd() & 0x7f]);
      r.push(bytes);
    }
  });
});
