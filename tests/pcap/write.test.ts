import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  PcapngWriter,
  SyntheticTcpSession,
  internetChecksum,
  pseudoHeader,
  udpFrame,
  v2gtpMessage,
  ipv4Packet,
  tcpSegment,
  TCP_ACK,
} from "../../simulation/pcap/write";
import type { Endpoint } from "../../simulation/pcap/write";
import { readCapture } from "../../simulation/pcap/read";
import { dissectCapture, extractV2gSessions, hex, parseIp } from "../../hosts/sim/pcap/dissect";

const ev: Endpoint = {
  mac: new Uint8Array([0x02, 0, 0, 0, 0, 0x01]),
  ip: new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 1]),
  port: 50000,
};
const evse: Endpoint = {
  mac: new Uint8Array([0x02, 0, 0, 0, 0, 0x02]),
  ip: new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 2]),
  port: 61341,
};

/** Verifies the IP header (IPv4) and the TCP/UDP checksum of every IP frame of a capture. */
function checkChecksums(bytes: Uint8Array): number {
  const c = readCapture(bytes);
  let checked = 0;
  for (const f of c.frames) {
    const ip = parseIp(f.eth!.ethertype, f.eth!.payload);
    if (ip === undefined) continue;
    if (ip.src.length === 4) assert.equal(internetChecksum([f.eth!.payload.subarray(0, 20)]), 0, `frame ${f.number}: IPv4 header checksum`);
    const sum = internetChecksum([pseudoHeader(ip.src, ip.dst, ip.protocol, ip.payload.length), ip.payload]);
    assert.equal(sum, 0, `frame ${f.number}: ${ip.protocol === 6 ? "TCP" : "UDP"} checksum`);
    checked++;
  }
  return checked;
}

describe("pcapng writer", () => {
  test("the Internet checksum: RFC 1071 example and odd lengths", () => {
    // RFC 1071 §3: 0001 f203 f4f5 f6f7 → sum ddf2, checksum 220d
    assert.equal(internetChecksum([new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])]), 0x220d);
    // split across parts at an odd boundary gives the same result
    assert.equal(internetChecksum([new Uint8Array([0x00, 0x01, 0xf2]), new Uint8Array([0x03, 0xf4, 0xf5, 0xf6, 0xf7])]), 0x220d);
    assert.equal(internetChecksum([new Uint8Array([0xab])]), ~0xab00 & 0xffff);
  });

  test("write then read back: SHB/IDB/EPB, timestamps to the µs, frames byte for byte", () => {
    const w = new PcapngWriter({ interfaceName: "seth0" });
    const f1 = new Uint8Array(60).fill(7);
    const f2 = new Uint8Array(1514).fill(9);
    w.addFrame(1700000000123.456, f1);
    w.addFrame(1700000001000.001, f2, "a comment");
    assert.equal(w.frameCount, 2);
    const c = readCapture(w.toBytes());
    assert.equal(c.format, "pcapng");
    assert.deepEqual(c.warnings, []);
    assert.equal(c.interfaces.length, 1);
    assert.equal(c.interfaces[0].linkType, 1);
    assert.equal(c.interfaces[0].name, "seth0");
    assert.equal(c.frames.length, 2);
    assert.equal(c.frames[0].time, 1700000000123.456);
    assert.equal(c.frames[1].time, 1700000001000.001);
    assert.deepEqual(c.frames[0].data, f1);
    assert.deepEqual(c.frames[1].data, f2);
  });

  test("TLS key-log lines go into a Decryption Secrets Block ahead of the packets (added after them), and read back", () => {
    const w = new PcapngWriter();
    w.addFrame(1000, new Uint8Array(60).fill(1));
    const lines = ["CLIENT_RANDOM 0102 0a0b", "SERVER_TRAFFIC_SECRET_0 0304 0c0d"];
    w.addTlsKeyLog(lines);
    w.addTlsKeyLog([]); // nothing: no block
    w.addFrame(2000, new Uint8Array(61).fill(2));
    const bytes = w.toBytes();
    const c = readCapture(bytes);
    assert.deepEqual(c.warnings, []);
    assert.equal(c.frames.length, 2);
    assert.equal(c.tlsKeyLog, `${lines.join("\n")}\n`);
    // Block order: SHB, IDB, DSB (type 0x0000000a), then the packets (Wireshark reads the keys first).
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const types: number[] = [];
    for (let o = 0; o < bytes.length; o += view.getUint32(o + 4, true)) types.push(view.getUint32(o, true));
    assert.deepEqual(types, [0x0a0d0d0a, 1, 0x0a, 6, 6]);
  });

  test("a synthetic session (SDP, handshake, V2GTP both ways, FIN) has correct checksums and dissects back", () => {
    const w = new PcapngWriter();
    const multicast: Endpoint = { mac: new Uint8Array([0x33, 0x33, 0, 0, 0, 1]), ip: new Uint8Array(16), port: 15118 };
    multicast.ip[0] = 0xff;
    multicast.ip[1] = 0x02;
    multicast.ip[15] = 1;
    const t0 = 1700000000000;
    w.addFrame(t0, udpFrame({ ...ev, port: 50001 }, multicast, v2gtpMessage(0x9000, new Uint8Array([0x10, 0x00]))));
    const res = new Uint8Array(20);
    res.set(evse.ip, 0);
    res[16] = evse.port >> 8;
    res[17] = evse.port & 0xff;
    res[18] = 0x10;
    w.addFrame(t0 + 1, udpFrame({ ...evse, port: 15118 }, { ...ev, port: 50001 }, v2gtpMessage(0x9001, res)));
    const tcp = new SyntheticTcpSession(w, ev, evse, 0xfffffff0); // the sequence number wraps
    tcp.open(t0 + 10);
    const big = new Uint8Array(4000).map((_, i) => i & 0xff);
    tcp.send(true, v2gtpMessage(0x8001, new Uint8Array([0x80, 1, 2])), t0 + 20);
    tcp.send(false, v2gtpMessage(0x8001, new Uint8Array([0x80, 3])), t0 + 30);
    tcp.send(true, v2gtpMessage(0x8001, big), t0 + 40); // 3 segments
    tcp.send(false, v2gtpMessage(0x8004, new Uint8Array([0x80, 4])), t0 + 50);
    tcp.close(true, t0 + 60);
    const bytes = w.toBytes();
    assert.equal(checkChecksums(bytes), w.frameCount);

    const r = dissectCapture(readCapture(bytes), { decodeExi: false });
    const sdp = r.messages.filter((m) => m.layer === "sdp");
    assert.deepEqual(
      sdp.map((m) => [m.type, m.fields]),
      [
        ["SECCDiscoveryReq", { security: "none", transport: "tcp" }],
        ["SECCDiscoveryRes", { address: "fe80::ff:fe00:2", port: 61341, security: "none", transport: "tcp" }],
      ],
    );
    const [s] = extractV2gSessions(readCapture(bytes), { decodeExi: false });
    assert.equal(s.ev.port, 50000);
    assert.equal(s.evse.port, 61341);
    assert.deepEqual(
      s.messages.map((m) => [m.dir, m.payloadType, m.exi.length, m.schema]),
      [
        ["EV→EVSE", 0x8001, 3, "apphand"],
        ["EVSE→EV", 0x8001, 2, "apphand"],
        ["EV→EVSE", 0x8001, 4000, undefined], // no SAP decoded (EXI off): schema unknown
        ["EVSE→EV", 0x8004, 2, "iso20-dc"],
      ],
    );
    assert.equal(hex(s.messages[2].exi), hex(big));
    assert.ok(s.messages[2].firstFrame < s.messages[2].frame, "a message over 3 segments spans frames");
    assert.equal(s.messages[2].time, t0 + 40);
    assert.deepEqual(s.notes, []);
  });

  test("IPv4 frames: header checksum and TCP over the IPv4 pseudo-header", () => {
    const w = new PcapngWriter();
    const a: Endpoint = { mac: ev.mac, ip: new Uint8Array([192, 168, 0, 1]), port: 40000 };
    const b: Endpoint = { mac: evse.mac, ip: new Uint8Array([192, 168, 0, 2]), port: 15118 };
    const tcp = new SyntheticTcpSession(w, a, b);
    tcp.open(0);
    tcp.send(true, v2gtpMessage(0x8001, new Uint8Array([0x80, 0])), 1);
    tcp.close(false, 2);
    assert.equal(checkChecksums(w.toBytes()), w.frameCount);
    const seg = tcpSegment(a.ip, b.ip, { srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_ACK });
    assert.equal(ipv4Packet(a.ip, b.ip, 6, seg).length, 40);
  });
});
