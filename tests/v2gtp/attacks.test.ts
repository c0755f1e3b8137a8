// Attacks on V2GTP and SDP (issue 16 item 4): oversize declared lengths, reassembly exhaustion
// (memory a peer can make the charger hold), and a flood of SDP requests.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, MemoryLogger } from "../../modules/common/index";
import type { Datagram, UdpSocketOptions } from "../../modules/common/io";
import { DEFAULT_MAX_PAYLOAD_LENGTH, SdpServer, V2gtpConnection, V2gtpReassembler, encodeSdpRequest, frame, writeHeader } from "../../modules/v2gtp/index";
import type { V2gtpCloseReason } from "../../modules/v2gtp/index";
import { FakeStream } from "./fake-io";

function header(payloadType: number, length: number): Uint8Array {
  const h = new Uint8Array(8);
  writeHeader(h, 0, payloadType, length);
  return h;
}

describe("oversize V2GTP lengths and reassembly exhaustion", () => {
  for (const length of [DEFAULT_MAX_PAYLOAD_LENGTH + 1, 0x7fffffff, 0xffffffff]) {
    test(`a header declaring ${length} bytes closes the connection at once, before any payload byte is taken`, () => {
      let stream: FakeStream | undefined;
      const closes: V2gtpCloseReason[] = [];
      const errors: string[] = [];
      const conn = new V2gtpConnection({
        open: (callbacks) => (stream = new FakeStream(callbacks)),
        onMessage: () => assert.fail("no message"),
        onError: (e) => errors.push(e.reason),
        onClose: (reason) => closes.push(reason),
      });
      stream!.peerWrite(header(0x8001, length));
      assert.deepEqual(errors, ["v2gtp-length"]);
      assert.deepEqual(closes, ["v2gtp"]);
      assert.equal(stream!.closed, true);
      conn.close();
    });
  }

  test("skipping oversize payloads (closeOnHeaderError: false) holds no more memory than the maximum: 1 MB skipped, the next message still arrives", () => {
    const payloads: Uint8Array[] = [];
    const errors: string[] = [];
    const r = new V2gtpReassembler({ maxPayloadLength: 1024, onMessage: (_t, p) => payloads.push(p), onError: (e) => errors.push(e.reason) });
    r.push(header(0x8001, 1 << 20));
    const chunk = new Uint8Array(4096).fill(0xaa);
    for (let i = 0; i < 256; i++) r.push(chunk);
    r.push(frame(0x8001, Uint8Array.of(0x80, 0x01)));
    assert.deepEqual(errors, ["v2gtp-length"]);
    assert.equal(payloads.length, 1);
    assert.deepEqual([...payloads[0]], [0x80, 0x01]);
    // The delivered payload is a view into the reassembler's one buffer: its size is the bound.
    assert.ok(payloads[0].buffer.byteLength <= 1024, `buffer ${payloads[0].buffer.byteLength}`);
  });

  test("a peer that declares the maximum and never completes makes the buffer grow to the maximum, never past it, and it is reused", () => {
    const payloads: Uint8Array[] = [];
    const r = new V2gtpReassembler({ onMessage: (_t, p) => payloads.push(p), onError: () => assert.fail("no error") });
    for (let round = 0; round < 3; round++) {
      r.push(header(0x8001, DEFAULT_MAX_PAYLOAD_LENGTH));
      r.push(new Uint8Array(DEFAULT_MAX_PAYLOAD_LENGTH));
    }
    assert.equal(payloads.length, 3);
    assert.equal(payloads[0].buffer, payloads[2].buffer);
    assert.equal(payloads[0].buffer.byteLength, DEFAULT_MAX_PAYLOAD_LENGTH);
    r.push(header(0x8001, DEFAULT_MAX_PAYLOAD_LENGTH));
    r.push(new Uint8Array(100));
    assert.equal(r.pending, 108);
    // How long such a half message may wait: the session timers close it (see
    // tests/statemachine/secc/slowloris.test.ts); how many may wait at once: ChargingPoint's maxCandidates.
  });
});

/** A UDP socket for the SDP server; the test hands datagrams in and sees what is answered to whom. */
class FloodUdp {
  static last: FloodUdp;
  readonly options: UdpSocketOptions;
  readonly inbox: Datagram[] = [];
  readonly answered = new Map<string, number>();
  readonly port = 15118;
  constructor(options: UdpSocketOptions) {
    this.options = options;
    FloodUdp.last = this;
  }
  deliver(data: Uint8Array, address: string): void {
    this.inbox.push({ data, address, port: 49152 });
    this.options.onReadable?.(this.inbox.length);
  }
  read(): Datagram | undefined {
    return this.inbox.shift();
  }
  write(_data: Uint8Array, address: string): void {
    this.answered.set(address, (this.answered.get(address) ?? 0) + 1);
  }
  close(): void {}
}

describe("a flood of SDP requests", () => {
  const CAR = "fe80::c4";
  const request = encodeSdpRequest({ security: "none", transport: "tcp" });

  test("the real car is answered every time while one source sends 1,000 requests a second and 500 spoofed sources send more; a flooding source gets 8 answers a second; at most two warnings a second (the first invalid datagram, the summary)", () => {
    const clock = new ManualClock({ start: 1000 });
    const logger = new MemoryLogger();
    new SdpServer({ udp: FloodUdp as never, address: "fe80::1", tcpPort: 50000, port: 0, clock, logger });
    const udp = FloodUdp.last;
    let carRequests = 0;
    for (let ms = 0; ms < 5000; ms++) {
      udp.deliver(request, "fe80::bad"); // 1,000 a second from one source
      udp.deliver(Uint8Array.of(0x01, 0xfe, 0x90, 0x00, 0, 0, 0, 9), "fe80::bad"); // and garbage
      udp.deliver(request, `fe80::${(ms % 500).toString(16)}:1`); // a spoofed source each time
      if (ms % 250 === 0) {
        udp.deliver(request, CAR); // the car asks every 250 ms
        carRequests++;
      }
      clock.advance(1);
    }
    assert.equal(udp.answered.get(CAR), carRequests);
    assert.equal(udp.answered.get("fe80::bad"), 8 * 5);
    // Each spoofed source asked 10 times (twice a second): all answered, within its bound.
    assert.equal(udp.answered.get("fe80::0:1"), 10);
    const lines = logger.entries.filter((e) => e.level === "warn");
    assert.ok(lines.length <= 2 * 5 + 1, `${lines.length} warn lines`);
    assert.ok(lines.some((e) => e.message === "SDP flood bounded in the last second"));
  });

  test("regression: without the bound every request of a flood was answered (a reflector toward a spoofed address); without a clock it still is, as before", () => {
    for (const clock of [new ManualClock(), undefined]) {
      new SdpServer({ udp: FloodUdp as never, address: "fe80::1", tcpPort: 50000, port: 0, clock });
      const udp = FloodUdp.last;
      for (let i = 0; i < 100; i++) udp.deliver(request, "fe80::bad");
      assert.equal(udp.answered.get("fe80::bad"), clock ? 8 : 100);
    }
  });

  test("the bound forgets a source after a second, and the table of sources stays bounded", () => {
    const clock = new ManualClock();
    new SdpServer({ udp: FloodUdp as never, address: "fe80::1", tcpPort: 50000, port: 0, clock, answersPerSecond: 2 });
    const udp = FloodUdp.last;
    for (let i = 0; i < 5; i++) udp.deliver(request, CAR);
    assert.equal(udp.answered.get(CAR), 2);
    clock.advance(1000);
    for (let i = 0; i < 5; i++) udp.deliver(request, CAR);
    assert.equal(udp.answered.get(CAR), 4);
    // 10,000 distinct sources in one second: each one answered (the table holds 64 counted ones).
    for (let i = 0; i < 10000; i++) udp.deliver(request, `fe80::${i.toString(16)}:2`);
    assert.equal(udp.answered.size, 1 + 10000);
  });
});
