import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  SDP_MAX_ATTEMPTS,
  SdpClient,
  SdpClientError,
  SdpServer,
  V2gtpError,
  chooseSdpResponse,
  decodeSdpRequest,
  decodeSdpResponse,
  encodeSdpRequest,
  encodeSdpResponse,
  formatIpv6,
  parseIpv6,
} from "../../modules/v2gtp/index";
import type { SdpResult } from "../../modules/v2gtp/index";
import { ManualClock, MemoryLogger, Millis, fromHex, toHex } from "../../modules/common/index";
import { FakeUdpNetwork } from "./fake-io";

const unexpected = (value: unknown): void => assert.fail(`unexpected callback: ${String(value)}`);

describe("SDP messages", () => {
  test("the request of a car asking for no TLS, as captured (everest-logfiles)", () => {
    assert.equal(toHex(encodeSdpRequest({ security: "none", transport: "tcp" })), "01fe9000000000021000");
    assert.deepEqual(decodeSdpRequest(fromHex("01fe9000000000020000")!), { security: "tls", transport: "tcp" });
  });

  test("an Extended SDP v1 request (VIN, inlet type, TLVs) is read for its security; the answer stays standard", () => {
    const vin = "WVWZZZE1ZMP000001";
    const payload = [0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];
    for (let i = 0; i < vin.length; i++) payload.push(vin.charCodeAt(i));
    payload.push(0x00, 0x01, 0x00, 0x03, 0x41, 0x42, 0x43); // TLV 1 (EMSP ids) "ABC"
    const header = [0x01, 0xfe, 0x90, 0x00, 0, 0, 0, payload.length];
    const request = decodeSdpRequest(new Uint8Array(header.concat(payload)));
    assert.equal(request.security, "tls");
    assert.equal(request.transport, "tcp");
    assert.equal(request.extended?.vin, vin);
    assert.equal(request.extended?.inletType, 3);
    assert.deepEqual(request.extended?.tlvs.map((t) => [t.type, toHex(t.value)]), [[1, "414243"]]);
    const cut = header.concat(payload);
    cut[7] -= 1;
    assert.throws(() => decodeSdpRequest(new Uint8Array(cut.slice(0, -1))), { reason: "sdp-payload" });
  });

  test("a response round-trips, port big endian", () => {
    const bytes = encodeSdpResponse({ address: "fe80::fc:ff:fe00:1", port: 61341, security: "none", transport: "tcp" });
    assert.equal(toHex(bytes), "01fe900100000014fe8000000000000000fc00fffe000001ef9d1000");
    assert.deepEqual(decodeSdpResponse(bytes), { address: "fe80::fc:ff:fe00:1", port: 61341, security: "none", transport: "tcp" });
  });

  test("bad datagrams give V2gtpError reasons, never a crash", () => {
    const bad: [string, string][] = [
      ["01fe9000000000031000aa", "sdp-payload"], // 3-byte request
      ["01fe9000000000022000", "sdp-payload"], // reserved security value
      ["01fe9000000000021001", "sdp-payload"], // reserved transport value
      ["01fe9001000000021000", "v2gtp-payload-type"], // a response where a request is expected
      ["01fe90000000000210", "v2gtp-truncated"],
      ["02fd9000000000021000", "v2gtp-version"],
    ];
    for (const [hex, reason] of bad) {
      assert.throws(() => decodeSdpRequest(fromHex(hex)!), (e: unknown) => e instanceof V2gtpError && e.reason === reason, hex);
    }
    const noPort = encodeSdpResponse({ address: "fe80::1", port: 1, security: "tls", transport: "tcp" });
    noPort[8 + 17] = 0;
    assert.throws(() => decodeSdpResponse(noPort), { reason: "sdp-payload" });
  });

  test("IPv6 text: RFC 5952 output, zones, embedded IPv4, malformed input", () => {
    assert.equal(formatIpv6(parseIpv6("FE80:0:0:0:0202:B3FF:FE1E:8329%eth0")!), "fe80::202:b3ff:fe1e:8329");
    assert.equal(formatIpv6(parseIpv6("::1")!), "::1");
    assert.equal(formatIpv6(parseIpv6("::")!), "::");
    assert.equal(formatIpv6(parseIpv6("2001:db8:0:0:1:0:0:1")!), "2001:db8::1:0:0:1");
    assert.equal(formatIpv6(parseIpv6("2001:db8:0:1:1:1:1:1")!), "2001:db8:0:1:1:1:1:1");
    assert.equal(formatIpv6(parseIpv6("::ffff:192.0.2.1")!), "::ffff:c000:201");
    for (const bad of ["", "1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "fe80::g", "::1.2.3.400"]) {
      assert.equal(parseIpv6(bad), undefined, bad);
    }
  });

  test("the charger answers with the security asked for when it offers it, else with what it has", () => {
    const both = { address: "fe80::1", tcpPort: 15000, tlsPort: 15001 };
    assert.deepEqual(chooseSdpResponse({ security: "tls", transport: "tcp" }, both), { address: "fe80::1", port: 15001, security: "tls", transport: "tcp" });
    assert.equal(chooseSdpResponse({ security: "none", transport: "udp" }, both)!.port, 15000);
    assert.equal(chooseSdpResponse({ security: "none", transport: "tcp" }, { address: "fe80::1", tlsPort: 1 })!.security, "tls");
    assert.equal(chooseSdpResponse({ security: "tls", transport: "tcp" }, { address: "fe80::1", tcpPort: 2 })!.security, "none");
  });
});

describe("SDP server and client over a fake link", () => {
  function setup(options: { tcpPort?: number; tlsPort?: number } = { tcpPort: 61341 }) {
    const net = new FakeUdpNetwork();
    const clock = new ManualClock();
    net.nextLocalAddress = "fe80::fc:ff:fe00:1%eth0";
    const seen: string[] = [];
    const server = new SdpServer({
      udp: net.Udp,
      interface: "eth0",
      address: "fe80::fc:ff:fe00:1",
      ...options,
      onRequest: (req, res) => seen.push(`${req.security}->${res.security}:${res.port}`),
    });
    net.nextLocalAddress = "fe80::2%eth0";
    return { net, clock, server, seen };
  }

  test("the server joins ff02::1 on its interface at port 15118", () => {
    const { net } = setup();
    assert.equal(net.sockets[0].port, 15118);
    assert.deepEqual(net.sockets[0].groups, ["ff02::1%eth0"]);
  });

  test("a vehicle finds the charger at the first request; the link-local address gets the zone", () => {
    const { net, clock, seen } = setup();
    const found: SdpResult[] = [];
    const client = new SdpClient({ udp: net.Udp, clock, interface: "eth0", security: "none", onDiscovered: (r) => found.push(r), onFailed: unexpected });
    client.start();
    assert.equal(net.sent[0].to, "ff02::1%eth0");
    assert.equal(net.sent[0].port, 15118);
    net.pump();
    assert.deepEqual(seen, ["none->none:61341"]);
    assert.equal(found.length, 1);
    assert.equal(found[0].connectAddress, "fe80::fc:ff:fe00:1%eth0");
    assert.equal(found[0].port, 61341);
    assert.equal(found[0].attempts, 1);
    assert.equal(clock.pending, 0, "no retry timer left");
    assert.equal(net.sockets.length, 1, "the client closed its socket");
  });

  test("with no charger: 50 requests, 250 ms apart, then sdp-timeout after the last wait", () => {
    const net = new FakeUdpNetwork();
    const clock = new ManualClock();
    const failures: SdpClientError[] = [];
    const client = new SdpClient({ udp: net.Udp, clock, interface: "eth0", security: "tls", onDiscovered: unexpected, onFailed: (e) => failures.push(e) });
    client.start();
    clock.advance(249);
    assert.equal(net.sent.length, 1);
    clock.advance(1);
    assert.equal(net.sent.length, 2);
    clock.advance(250 * 48);
    assert.equal(net.sent.length, SDP_MAX_ATTEMPTS);
    assert.equal(failures.length, 0);
    clock.advance(249);
    assert.equal(failures.length, 0);
    clock.advance(1);
    assert.equal(failures.length, 1);
    assert.equal(failures[0].reason, "sdp-timeout");
    assert.equal(clock.now(), 50 * 250);
    clock.advance(10_000);
    assert.equal(net.sent.length, SDP_MAX_ATTEMPTS);
  });

  test("a charger that appears late is found on a retry", () => {
    const net = new FakeUdpNetwork();
    const clock = new ManualClock();
    const found: SdpResult[] = [];
    const client = new SdpClient({ udp: net.Udp, clock, security: "none", interface: "eth0", onDiscovered: (r) => found.push(r), onFailed: unexpected });
    client.start();
    clock.advance(1000); // 5 requests lost
    net.pump();
    new SdpServer({ udp: net.Udp, interface: "eth0", address: "fe80::1", tcpPort: 15000 });
    clock.advance(250);
    net.pump();
    assert.equal(found.length, 1);
    assert.equal(found[0].attempts, 6);
  });

  test("a vehicle requiring TLS ignores a plain-only charger and fails, reporting the offer", () => {
    const { net, clock } = setup({ tcpPort: 15000 });
    const failures: SdpClientError[] = [];
    const logger = new MemoryLogger();
    const client = new SdpClient({ udp: net.Udp, clock, security: "tls", interface: "eth0", maxAttempts: 3, logger, onDiscovered: unexpected, onFailed: (e) => failures.push(e) });
    client.start();
    for (let i = 0; i < 4; i++) {
      net.pump();
      clock.advance(250);
    }
    assert.equal(failures.length, 1);
    assert.equal(failures[0].lastOffer?.security, "none");
    assert.ok(logger.find("other security").length >= 1);
  });

  test("acceptOtherSecurity takes the plain offer", () => {
    const { net, clock } = setup({ tcpPort: 15000 });
    const found: SdpResult[] = [];
    new SdpClient({ udp: net.Udp, clock, security: "tls", acceptOtherSecurity: true, interface: "eth0", onDiscovered: (r) => found.push(r), onFailed: unexpected }).start();
    net.pump();
    assert.equal(found[0].security, "none");
  });

  test("the server drops garbage and wireless requests without answering, and keeps serving", () => {
    const { net, clock } = setup({ tlsPort: 15001 });
    const logger = new MemoryLogger();
    const peer = new net.Udp({ port: 0, onReadable: () => {} });
    for (const hex of ["deadbeef", "01fe9002000000021000", "01fe90000000000210", "01fe9000000000024000"]) peer.write(fromHex(hex)!, "ff02::1%eth0", 15118);
    net.pump();
    assert.equal(net.sent.length, 4, "no answers");
    const found: SdpResult[] = [];
    new SdpClient({ udp: net.Udp, clock, security: "tls", interface: "eth0", logger, onDiscovered: (r) => found.push(r), onFailed: unexpected }).start();
    net.pump();
    assert.equal(found[0].port, 15001);
  });

  test("a vehicle sending an Extended SDP request gets the standard 20-byte answer", () => {
    const { net, seen } = setup({ tcpPort: 15000, tlsPort: 15001 });
    const got: Uint8Array[] = [];
    let peer!: InstanceType<typeof net.Udp>;
    peer = new net.Udp({ port: 0, onReadable: () => got.push(peer.read()!.data) });
    const payload = [0x00, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x01];
    for (let i = 0; i < 17; i++) payload.push(0x30);
    peer.write(new Uint8Array([0x01, 0xfe, 0x90, 0x00, 0, 0, 0, payload.length].concat(payload)), "ff02::1%eth0", 15118);
    net.pump();
    assert.deepEqual(seen, ["none->none:15000"]);
    assert.equal(got.length, 1);
    assert.equal(decodeSdpResponse(got[0]).port, 15000);
  });

  test("misuse throws: retry interval under 250 ms, more than 50 tries, no port to offer", () => {
    const net = new FakeUdpNetwork();
    const clock = new ManualClock();
    const base = { udp: net.Udp, clock, security: "none" as const, onDiscovered: () => {}, onFailed: () => {} };
    assert.throws(() => new SdpClient({ ...base, retryInterval: Millis(200) }), { reason: "implementation" });
    assert.throws(() => new SdpClient({ ...base, maxAttempts: 51 }), { reason: "implementation" });
    assert.throws(() => new SdpServer({ udp: net.Udp, address: "fe80::1" }), { reason: "implementation" });
    assert.throws(() => new SdpServer({ udp: net.Udp, address: "nonsense", tcpPort: 1 }), { reason: "implementation" });
  });

  test("close() stops the client: no more requests, no callbacks, twice is harmless", () => {
    const net = new FakeUdpNetwork();
    const clock = new ManualClock();
    const client = new SdpClient({ udp: net.Udp, clock, security: "none", onDiscovered: unexpected, onFailed: unexpected });
    client.start();
    client.close();
    client.close();
    clock.advance(60_000);
    assert.equal(net.sent.length, 1);
  });
});
