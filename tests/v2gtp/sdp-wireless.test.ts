import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CouplingType,
  P2psPpd,
  SdpClient,
  SdpServer,
  UNKNOWN_EVID,
  V2gtpError,
  decodeSdpResponse,
  decodeWirelessSdpRequest,
  decodeWirelessSdpResponse,
  encodeSdpRequest,
  encodeWirelessSdpRequest,
  encodeWirelessSdpResponse,
} from "../../modules/v2gtp/index";
import type { SdpResult, WirelessSdpRequest, WirelessSdpResponse } from "../../modules/v2gtp/index";
import { ManualClock, MemoryLogger, fromHex, toHex } from "../../modules/common/index";
import { FakeUdpNetwork } from "./fake-io";

const unexpected = (value: unknown): void => assert.fail(`unexpected callback: ${String(value)}`);

const BUS: WirelessSdpRequest = {
  security: "tls",
  transport: "tcp",
  p2psPpd: P2psPpd.PPD_ON_INFRASTRUCTURE,
  couplingType: CouplingType.PANTOGRAPH_CROSS_RAIL,
  evid: "B-XS 1234",
  evseId: "",
};

const ANSWER: WirelessSdpResponse = {
  address: "fe80::fc:ff:fe00:1",
  port: 61341,
  security: "none",
  transport: "tcp",
  diagStatus: "finished-with-evseid",
  couplingType: CouplingType.WPT,
  evseId: "DE*XS1*E0WPT",
};

describe("wireless SDP messages (ISO 15118-20 §7.10.1.8, 7.10.1.9)", () => {
  test("a request is 62 bytes in the order of -20 Table 22 under payload type 0x9002", () => {
    const bytes = encodeWirelessSdpRequest(BUS);
    assert.equal(bytes.length, 8 + 62);
    assert.equal(toHex(bytes.subarray(0, 8)), "01fe90020000003e");
    assert.equal(toHex(bytes.subarray(8, 13)), "0000010000"); // TLS, TCP, PPD on infrastructure, cross rail
    assert.equal(String.fromCharCode(...bytes.subarray(13, 22)), "B-XS 1234");
    assert.ok(bytes.subarray(22, 70).every((b) => b === 0), "ids padded with 0x00");
    assert.deepEqual(decodeWirelessSdpRequest(bytes), BUS);
  });

  test("a vehicle without an EVID sends ZZ00000; a named EVSEID travels in bytes 26-62", () => {
    const r = decodeWirelessSdpRequest(encodeWirelessSdpRequest({ ...BUS, evid: "", evseId: "DE*XS1*E0ACD*1234567890123456789012" }));
    assert.equal(r.evid, UNKNOWN_EVID);
    assert.equal(r.evseId.length, 35);
  });

  test("P2PS/PPD flags in the second byte (EVerest's ACDP fork) read as the same flags", () => {
    const bytes = encodeWirelessSdpRequest(BUS);
    bytes[10] = 0x00;
    bytes[11] = 0x01;
    assert.equal(decodeWirelessSdpRequest(bytes).p2psPpd, P2psPpd.PPD_ON_INFRASTRUCTURE);
  });

  test("a response is 59 bytes (-20 Table 26, [V2G20-2294]) under 0x9003 and round-trips", () => {
    const bytes = encodeWirelessSdpResponse(ANSWER);
    assert.equal(bytes.length, 8 + 59);
    assert.equal(toHex(bytes.subarray(0, 8)), "01fe90030000003b");
    assert.equal(toHex(bytes.subarray(24, 30)), "ef9d10000110"); // port, no TLS, TCP, finished with EVSEID, WPT
    assert.deepEqual(decodeWirelessSdpResponse(bytes), ANSWER);
    for (const diagStatus of ["ongoing", "finished-without-evseid", "error-no-secc"] as const) {
      assert.equal(decodeWirelessSdpResponse(encodeWirelessSdpResponse({ ...ANSWER, diagStatus })).diagStatus, diagStatus);
    }
  });

  test("malformed datagrams give V2gtpError reasons, never a crash", () => {
    const good = encodeWirelessSdpRequest(BUS);
    const patched = (at: number, value: number): Uint8Array => {
      const b = good.slice();
      b[at] = value;
      return b;
    };
    const resized = (length: number): Uint8Array => {
      const b = new Uint8Array(8 + length);
      b.set(good.subarray(0, Math.min(good.length, b.length)));
      b[7] = length;
      return b;
    };
    const bad: [string, Uint8Array, string][] = [
      ["61 bytes", resized(61), "sdp-payload"],
      ["63 bytes", resized(63), "sdp-payload"],
      ["the 2-byte request of PLC", encodeSdpRequest({ security: "tls", transport: "tcp" }), "v2gtp-payload-type"],
      ["reserved security", patched(8, 0x20), "sdp-payload"],
      ["reserved transport", patched(9, 0x01), "sdp-payload"],
      ["control byte in the EVID", patched(14, 0x07), "sdp-payload"],
      ["non-ASCII byte in the EVSEID", patched(40, 0xc3), "sdp-payload"],
      ["data after the EVID's end", patched(32, 0x41), "sdp-payload"],
      ["header shorter than announced", good.subarray(0, 40), "v2gtp-truncated"],
      ["bad version", patched(0, 0x02), "v2gtp-version"],
    ];
    for (const [what, bytes, reason] of bad) {
      assert.throws(() => decodeWirelessSdpRequest(bytes), (e: unknown) => e instanceof V2gtpError && e.reason === reason, what);
    }
    const answer = encodeWirelessSdpResponse(ANSWER);
    const unknownDiag = answer.slice();
    unknownDiag[28] = 0x05;
    assert.throws(() => decodeWirelessSdpResponse(unknownDiag), { reason: "sdp-payload" });
    const noPort = answer.slice();
    noPort[24] = noPort[25] = 0;
    assert.throws(() => decodeWirelessSdpResponse(noPort), { reason: "sdp-payload" });
    assert.throws(() => decodeWirelessSdpResponse(fromHex("01fe9001000000141234")!), (e: unknown) => e instanceof V2gtpError);
    // random bytes under the right header: an error or a value, never anything else
    let seed = 7;
    for (let i = 0; i < 300; i++) {
      const b = encodeWirelessSdpRequest(BUS);
      for (let j = 8; j < b.length; j++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        if (seed % 5 === 0) b[j] = seed & 0xff;
      }
      try {
        decodeWirelessSdpRequest(b);
      } catch (e) {
        assert.ok(e instanceof V2gtpError, String(e));
      }
    }
  });

  test("identifiers that do not fit are the caller's error", () => {
    assert.throws(() => encodeWirelessSdpRequest({ ...BUS, evid: "X".repeat(21) }), /longer than 20/);
    assert.throws(() => encodeWirelessSdpResponse({ ...ANSWER, evseId: "É" }), /ASCII/);
  });
});

describe("wireless SDP server and client over a fake link", () => {
  function charger(options: { couplingType?: number; detected?: () => boolean } = {}) {
    const net = new FakeUdpNetwork();
    const clock = new ManualClock();
    const logger = new MemoryLogger();
    net.nextLocalAddress = "fe80::fc:ff:fe00:1%wlan0";
    const answered: string[] = [];
    const detected = options.detected;
    new SdpServer({
      udp: net.Udp,
      interface: "wlan0",
      address: "fe80::fc:ff:fe00:1",
      tcpPort: 61341,
      clock,
      logger,
      wireless: { couplingType: options.couplingType ?? CouplingType.PANTOGRAPH_CROSS_RAIL, evseId: "DE*XS1*E0ACD", ...(detected ? { evidDetected: (evid: string) => evid === BUS.evid && detected() } : {}) },
      onRequest: () => answered.push("wired"),
      onWirelessRequest: (req, res) => answered.push(`${req.evid}:${res.diagStatus}`),
    });
    net.nextLocalAddress = "fe80::2%wlan0";
    return { net, clock, logger, answered };
  }

  function bus(net: FakeUdpNetwork, clock: ManualClock, found: SdpResult[], extra: Partial<ConstructorParameters<typeof SdpClient>[0]> = {}): SdpClient {
    const client = new SdpClient({
      udp: net.Udp,
      clock,
      interface: "wlan0",
      security: "none",
      wireless: { evid: BUS.evid, couplingType: BUS.couplingType, p2psPpd: BUS.p2psPpd },
      onDiscovered: (r) => found.push(r),
      onFailed: unexpected,
      ...extra,
    });
    client.start();
    return client;
  }

  test("a single-SECC charger answers the first request 'finished with EVSEID' ([V2G20-2290])", () => {
    const { net, clock, answered } = charger();
    const found: SdpResult[] = [];
    bus(net, clock, found);
    net.pump();
    assert.deepEqual(answered, ["B-XS 1234:finished-with-evseid"]);
    assert.equal(found.length, 1);
    assert.equal(found[0].connectAddress, "fe80::fc:ff:fe00:1%wlan0");
    assert.deepEqual(found[0].wireless, { diagStatus: "finished-with-evseid", couplingType: 0, evseId: "DE*XS1*E0ACD" });
    assert.equal(net.sent[0].data[3], 0x02, "0x9002 on the way out");
    assert.equal(net.sent[1].data[3], 0x03, "0x9003 back");
  });

  test("with a pairing and positioning device: 'ongoing' until the PPD sees the EVID; each ongoing resets the count", () => {
    let seen = false;
    const { net, clock, answered } = charger({ detected: () => seen });
    const found: SdpResult[] = [];
    const progress: string[] = [];
    bus(net, clock, found, { maxAttempts: 3, onWirelessProgress: (r) => progress.push(r.evseId) });
    for (let i = 0; i < 10; i++) {
      net.pump();
      clock.advance(250);
    }
    assert.equal(found.length, 0, "10 requests, more than maxAttempts, and the client still asks");
    assert.equal(progress.length, 10);
    assert.equal(progress[0], "DE*XS1*E0ACD", "the EVSEID of an ongoing answer reaches the driver display");
    seen = true;
    net.pump();
    clock.advance(250);
    net.pump();
    assert.equal(found.length, 1);
    assert.equal(answered[answered.length - 1], "B-XS 1234:finished-with-evseid");
  });

  test("a request for another coupling or another EVSE goes unanswered; malformed ones are dropped and serving goes on", () => {
    const { net, clock, logger, answered } = charger({ couplingType: CouplingType.WPT });
    const peer = new net.Udp({ port: 0, onReadable: () => unexpected("an answer") });
    peer.write(encodeWirelessSdpRequest(BUS), "ff02::1%wlan0", 15118);
    peer.write(encodeWirelessSdpRequest({ ...BUS, couplingType: CouplingType.WPT, evseId: "DE*XS1*E0OTHER" }), "ff02::1%wlan0", 15118);
    const cut = encodeWirelessSdpRequest(BUS).subarray(0, 30);
    peer.write(cut, "ff02::1%wlan0", 15118);
    net.pump();
    assert.deepEqual(answered, []);
    assert.equal(logger.find("another coupling").length, 1);
    assert.equal(logger.find("another EVSE").length, 1);
    assert.equal(logger.find("invalid wireless SDP request").length, 1);
    peer.close();
    const found: SdpResult[] = [];
    new SdpClient({ udp: net.Udp, clock, interface: "wlan0", security: "none", wireless: { evid: "", couplingType: CouplingType.WPT, p2psPpd: P2psPpd.WPT_LF_ON_INFRASTRUCTURE }, onDiscovered: (r) => found.push(r), onFailed: unexpected }).start();
    net.pump();
    assert.equal(found.length, 1);
    assert.equal(answered[0], `${UNKNOWN_EVID}:finished-with-evseid`);
  });

  test("the same charger still answers the PLC request; a wireless client ignores the PLC answer ([V2G20-2278])", () => {
    const { net, clock, answered } = charger();
    const got: Uint8Array[] = [];
    let peer!: InstanceType<typeof net.Udp>;
    peer = new net.Udp({ port: 0, onReadable: () => got.push(peer.read()!.data) });
    peer.write(encodeSdpRequest({ security: "none", transport: "tcp" }), "ff02::1%wlan0", 15118);
    net.pump();
    assert.deepEqual(answered, ["wired"]);
    assert.equal(decodeSdpResponse(got[0]).port, 61341);
    const logger = new MemoryLogger();
    const found: SdpResult[] = [];
    bus(net, clock, found, { logger });
    peer.write(got[0], "fe80::2%wlan0", net.sockets[net.sockets.length - 1].port);
    net.pump();
    assert.ok(logger.find("invalid SDP response ignored").length >= 1);
    assert.equal(found.length, 1, "the wireless answer was taken");
    assert.ok(found[0].wireless);
  });
});
