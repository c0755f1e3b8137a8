import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PcapngWriter, ethernetFrame, ipv6Packet, tcpSegment, v2gtpMessage, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from "../../simulation/pcap/write";
import type { Endpoint } from "../../simulation/pcap/write";
import { readCapture } from "../../simulation/pcap/read";
import { dissectCapture, extractV2gSessions, hex } from "../../hosts/sim/pcap/dissect";
import type { DissectOptions } from "../../hosts/sim/pcap/dissect";
import { fromHex } from "../../modules/common/index";

const EV: Endpoint = { mac: new Uint8Array([2, 0, 0, 0, 0, 1]), ip: ip6(1), port: 50000 };
const EVSE: Endpoint = { mac: new Uint8Array([2, 0, 0, 0, 0, 2]), ip: ip6(2), port: 61341 };

function ip6(last: number): Uint8Array {
  const a = new Uint8Array(16);
  a[0] = 0xfe;
  a[1] = 0x80;
  a[15] = last;
  return a;
}

/** Writes raw TCP segments; sequence offsets count from the first data byte (EV 1000, EVSE 5000; the SYNs are at -1). */
class Script {
  readonly w = new PcapngWriter();
  private t = 1700000000000;
  constructor(
    readonly ev = EV,
    readonly evse = EVSE,
  ) {}
  seg(fromEv: boolean, seqOffset: number, flags: number, payload?: Uint8Array, ackOffset?: number): this {
    const a = fromEv ? this.ev : this.evse;
    const b = fromEv ? this.evse : this.ev;
    const isn = fromEv ? 1000 : 5000;
    const peerIsn = fromEv ? 5000 : 1000;
    const fields = { srcPort: a.port, dstPort: b.port, seq: isn + seqOffset, ack: flags & TCP_ACK ? peerIsn + (ackOffset ?? 0) : 0, flags, payload };
    const frame = ethernetFrame({ dst: b.mac, src: a.mac, ethertype: 0x86dd, payload: ipv6Packet(a.ip, b.ip, 6, tcpSegment(a.ip, b.ip, fields)) });
    this.w.addFrame((this.t += 10), frame);
    return this;
  }
  handshake(): this {
    return this.seg(true, -1, TCP_SYN).seg(false, -1, TCP_SYN | TCP_ACK).seg(true, 0, TCP_ACK);
  }
  /** Data from EV/EVSE at stream offset `offset` (0 = first byte after the SYN), acknowledging `ackOffset` peer bytes. */
  data(fromEv: boolean, offset: number, payload: Uint8Array, ackOffset?: number): this {
    return this.seg(fromEv, offset, TCP_PSH | TCP_ACK, payload, ackOffset);
  }
  ack(fromEv: boolean, ackOffset: number): this {
    return this.seg(fromEv, 0, TCP_ACK, undefined, ackOffset);
  }
  sessions(options: DissectOptions = { decodeExi: false }) {
    return extractV2gSessions(readCapture(this.w.toBytes()), options);
  }
  dissect(options: DissectOptions = { decodeExi: false }) {
    return dissectCapture(readCapture(this.w.toBytes()), options);
  }
}

const msg = (n: number, len = 10) => v2gtpMessage(0x8001, new Uint8Array(len).fill(n));
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
};
const payloads = (s: ReturnType<Script["sessions"]>[number]) => s.messages.map((m) => `${m.dir === "EV→EVSE" ? "ev" : "evse"}:${m.exi[0]}:${m.exi.length}`);

describe("TCP reassembly", () => {
  test("several V2GTP messages in one segment, one message over several segments", () => {
    const m3 = msg(3, 3000);
    const [s] = new Script()
      .handshake()
      .data(true, 0, cat(msg(1), msg(2)))
      .data(true, 36, m3.subarray(0, 1000))
      .data(true, 1036, m3.subarray(1000, 2500))
      .data(true, 2536, m3.subarray(2500))
      .sessions();
    assert.deepEqual(payloads(s), ["ev:1:10", "ev:2:10", "ev:3:3000"]);
    assert.equal(s.messages[0].frame, s.messages[1].frame);
    assert.equal(s.messages[2].firstFrame, 5);
    assert.equal(s.messages[2].frame, 7);
    assert.deepEqual(s.notes, []);
  });

  test("out-of-order segments are put back in order", () => {
    const both = cat(msg(1), msg(2), msg(3));
    const [s] = new Script()
      .handshake()
      .data(true, 36, both.subarray(36)) // third message first
      .data(true, 10, both.subarray(10, 36)) // then the middle
      .data(true, 0, both.subarray(0, 10)) // then the start
      .sessions();
    assert.deepEqual(payloads(s), ["ev:1:10", "ev:2:10", "ev:3:10"]);
    // each message is timed by the frame that completed it: all by the last one here
    assert.ok(s.messages.every((m) => m.frame === 6));
  });

  test("retransmissions and overlapping segments are used once", () => {
    const data = cat(msg(1), msg(2), msg(3));
    const [s] = new Script()
      .handshake()
      .data(true, 0, data.subarray(0, 20))
      .data(true, 0, data.subarray(0, 20)) // plain retransmission
      .data(true, 10, data.subarray(10, 40)) // overlaps the first, brings new bytes
      .data(true, 30, data.subarray(30)) // overlaps again
      .data(true, 0, data) // everything again
      .sessions();
    assert.deepEqual(payloads(s), ["ev:1:10", "ev:2:10", "ev:3:10"]);
    assert.match(s.notes.join(), /retransmitted/);
  });

  test("both directions interleave by completing frame", () => {
    const [s] = new Script()
      .handshake()
      .data(true, 0, msg(1))
      .data(false, 0, msg(2), 19)
      .data(true, 18, msg(3), 19)
      .data(false, 18, msg(4), 37)
      .sessions();
    assert.deepEqual(payloads(s), ["ev:1:10", "evse:2:10", "ev:3:10", "evse:4:10"]);
    assert.deepEqual(
      s.messages.map((m) => m.dir),
      ["EV→EVSE", "EVSE→EV", "EV→EVSE", "EVSE→EV"],
    );
  });

  test("bytes never captured: the cut message is reported, parsing resumes at the next header", () => {
    const data = cat(msg(1), msg(2, 30), msg(3));
    const r = new Script()
      .handshake()
      .data(true, 0, data.subarray(0, 25)) // message 1 and the start of 2
      // bytes 25..49 were lost by the capture (not by the network: the EVSE acknowledges them)
      .data(true, 50, data.subarray(50))
      .ack(false, data.length)
      .dissect();
    const [s] = r.sessions;
    assert.deepEqual(payloads(s), ["ev:1:10", "ev:3:10"]);
    const errors = r.messages.filter((m) => m.type === "V2GTP error");
    assert.ok(errors.length >= 1);
    assert.match(errors[0].error!, /missing from the capture/);
    assert.match(s.notes.join(), /gaps/);
  });

  test("a capture that starts mid-connection (no SYN): the SDP port tells the EVSE, else the first sender is the EV", () => {
    const [s] = new Script().data(false, 0, msg(2)).data(true, 0, msg(1)).sessions();
    // no SDP: the first data sender is taken as the EV (wrong here, but the best guess)
    assert.equal(s.ev.port, EVSE.port);
    const script = new Script();
    script.w.addFrame(
      1,
      ethernetFrame({
        dst: EV.mac,
        src: EVSE.mac,
        ethertype: 0x86dd,
        payload: ipv6Packet(EVSE.ip, EV.ip, 17, udpWithSdpResponse()),
      }),
    );
    const [s2] = script.data(false, 0, msg(2)).data(true, 0, msg(1)).sessions();
    assert.equal(s2.evse.port, EVSE.port);
    assert.deepEqual(payloads(s2), ["evse:2:10", "ev:1:10"]);
  });

  test("a new connection on the same ports after FIN is a new session", () => {
    const script = new Script().handshake().data(true, 0, msg(1)).seg(true, 18, TCP_FIN | TCP_ACK).seg(false, 0, TCP_FIN | TCP_ACK, undefined, 19);
    // second connection: new ISNs far away
    const w = script.w;
    const a = EV;
    const b = EVSE;
    const seg = (from: Endpoint, to: Endpoint, seq: number, ack: number, flags: number, payload?: Uint8Array) =>
      w.addFrame(1700000009999, ethernetFrame({ dst: to.mac, src: from.mac, ethertype: 0x86dd, payload: ipv6Packet(from.ip, to.ip, 6, tcpSegment(from.ip, to.ip, { srcPort: from.port, dstPort: to.port, seq, ack, flags, payload })) }));
    seg(a, b, 900000, 0, TCP_SYN);
    seg(b, a, 700000, 900001, TCP_SYN | TCP_ACK);
    seg(a, b, 900001, 700001, TCP_ACK | TCP_PSH, msg(7));
    const sessions = script.sessions();
    assert.equal(sessions.length, 2);
    assert.deepEqual(payloads(sessions[1]), ["ev:7:10"]);
  });

  test("TLS streams are reported as TLS records; other TCP protocols are ignored", () => {
    const record = (type: number, len: number) => cat(new Uint8Array([type, 3, 3, len >> 8, len & 0xff]), new Uint8Array(len));
    const hello = cat(new Uint8Array([22, 3, 1, 0, 8]), new Uint8Array([1, 0, 0, 4, 3, 3, 0, 0]));
    const r = new Script().handshake().data(true, 0, hello).data(false, 0, cat(record(22, 40), record(23, 100)), 14).dissect();
    assert.equal(r.sessions.length, 1);
    assert.equal(r.sessions[0].tls, true);
    assert.deepEqual(r.sessions[0].messages, []);
    const tls = r.messages.filter((m) => m.layer === "tls");
    assert.deepEqual(
      tls.map((m) => [m.dir, m.fields.content, m.fields.handshake]),
      [
        ["EV→EVSE", "Handshake", "ClientHello"],
        ["EVSE→EV", "Handshake", "encrypted"],
        ["EVSE→EV", "ApplicationData", undefined],
      ],
    );
    const http = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const other = new Script().handshake().data(true, 0, http).dissect();
    assert.equal(other.sessions.length, 0);
    assert.equal(other.messages.length, 0);
  });
});

function udpWithSdpResponse(): Uint8Array {
  const body = new Uint8Array(20);
  body.set(EVSE.ip, 0);
  body[16] = EVSE.port >> 8;
  body[17] = EVSE.port & 0xff;
  body[18] = 0x10;
  const v = v2gtpMessage(0x9001, body);
  const udp = new Uint8Array(8 + v.length);
  udp[0] = 15118 >> 8;
  udp[1] = 15118 & 0xff;
  udp[2] = 50001 >> 8;
  udp[3] = 50001 & 0xff;
  udp[5] = udp.length;
  udp.set(v, 8);
  return udp;
}

describe("SAP negotiation selects the schema (real messages, EXI codec)", () => {
  // supportedAppProtocolReq offering DIN (SchemaID 1) and ISO-2 (SchemaID 0), from real sessions
  const REQ = "8000dbab9371d3234b71d1b981899189d191818991d26b9b3a232b30020000040401d75726e3a69736f3a31353131383a323a323031333a4d73674465660040000000080";
  const cases: [string, string, string, string][] = [
    // res SchemaID 1 → DIN; then a DIN SessionSetupReq
    ["80400040", "din", "809a004011d018038131a0007400", "urn:din:70121:2012:MsgDef"],
    // res SchemaID 0 → ISO-2; then an ISO-2 SessionSetupReq
    ["80400000", "iso2", "8098004011d01801f7e820c45c00", "urn:iso:15118:2:2013:MsgDef"],
  ];
  for (const [res, schema, setup, namespace] of cases) {
    test(`SchemaID in the response → ${schema}`, () => {
      const req = v2gtpMessage(0x8001, fromHex(REQ)!);
      const s1 = v2gtpMessage(0x8001, fromHex(res)!);
      const s2 = v2gtpMessage(0x8001, fromHex(setup)!);
      const r = new Script().handshake().data(true, 0, req).data(false, 0, s1, req.length).data(true, req.length, s2, s1.length).dissect({});
      const [s] = r.sessions;
      assert.equal(s.sap?.namespace, namespace);
      assert.equal(s.sap?.schema, schema);
      assert.deepEqual(
        s.messages.map((m) => [m.schema, m.type, m.error]),
        [
          ["apphand", "supportedAppProtocolReq", undefined],
          ["apphand", "supportedAppProtocolRes", undefined],
          [schema, "SessionSetupReq", undefined],
        ],
      );
      assert.equal(hex(s.messages[2].exi), setup);
      const line = r.messages.find((m) => m.type === "SessionSetupReq")!;
      assert.equal(line.schema, schema);
      assert.ok(line.fields.EVCCID instanceof Uint8Array);
    });
  }

  test("undecodable EXI is reported per message and the listing goes on", () => {
    const req = v2gtpMessage(0x8001, fromHex(REQ)!);
    const bad = v2gtpMessage(0x8001, new Uint8Array([0x80, 0xff, 0xff, 0xff]));
    const r = new Script().handshake().data(true, 0, req).data(false, 0, bad, req.length).data(true, req.length, msg(9), bad.length).dissect({});
    const v = r.messages.filter((m) => m.layer === "v2gtp");
    assert.equal(v.length, 3);
    assert.equal(v[0].type, "supportedAppProtocolReq");
    assert.ok(v[1].error !== undefined && v[1].error.length > 0);
    assert.ok(v[2].error !== undefined);
  });
});
