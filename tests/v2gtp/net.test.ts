// @node-only — the Node host's UDP, TCP and listener (hosts/sim/net) on real IPv6 sockets:
// ::1 always (skipped when the machine has no IPv6), link-local with a zone and the ff02::1
// multicast join when an interface with an fe80:: address exists.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { NodeListener, NodeTcpSocket, NodeUdpSocket, ipv6Available, linkLocalInterface, withZoneName, zoneName } from "../../hosts/sim/net/index";
import * as fs from "node:fs";
import { SdpClient, SdpServer, V2gtpConnection, frame } from "../../modules/v2gtp/index";
import type { SdpResult, V2gtpCloseReason } from "../../modules/v2gtp/index";
import type { Clock, Datagram, Millis, TimerHandle } from "../../modules/common/index";
import { fromHex, toHex } from "../../modules/common/index";

const v6 = await ipv6Available();
const noV6 = v6 ? undefined : "no IPv6 on this machine (::1 cannot be bound)";
const link = linkLocalInterface();
const noLink = noV6 ?? (link ? undefined : "no interface with an fe80:: address");

/** A real-time clock for tests that wait on sockets (the core's timers stay injected). */
const realClock: Clock = {
  now: () => performance.now() as Millis,
  set: (cb, delay) => setTimeout(cb, delay) as unknown as TimerHandle,
  clear: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
};

function until<T>(get: () => T | undefined, ms = 2000): Promise<T> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      const v = get();
      if (v !== undefined) resolve(v);
      else if (Date.now() - start > ms) reject(new Error("timed out"));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

const SAP_REQ = fromHex("8000dbab9371d3234b71d1b981899189d191818991d26b9b3a232b30020000040040")!;

describe("UDP on IPv6", { skip: noV6 }, () => {
  test("a datagram to ::1 arrives with its source address and port; the bound port is reported", async () => {
    const got: Datagram[] = [];
    let rx!: NodeUdpSocket;
    rx = new NodeUdpSocket({ port: 0, address: "::1", onReadable: () => { let d; while ((d = rx.read())) got.push(d); } });
    const tx = new NodeUdpSocket({ port: 0, address: "::1" });
    const port = await until(() => rx.port);
    await until(() => tx.port);
    const data = fromHex("01fe9000000000021000")!;
    tx.write(data, "::1", port);
    data.fill(0); // write copied it
    await until(() => got[0]);
    assert.equal(toHex(got[0].data), "01fe9000000000021000");
    assert.equal(got[0].address, "::1");
    assert.equal(got[0].port, tx.port);
    rx.close();
    rx.close();
    tx.close();
  });

  test("SDP server and client over ::1", async () => {
    const server = new SdpServer({ udp: NodeUdpSocket, address: "fe80::1", tcpPort: 15000, tlsPort: 15001, port: 0, bindAddress: "::1" });
    const port = await until(() => server.port);
    let found: SdpResult | undefined;
    const client = new SdpClient({
      udp: NodeUdpSocket,
      clock: realClock,
      security: "tls",
      destination: { address: "::1", port },
      onDiscovered: (r) => (found = r),
      onFailed: (e) => assert.fail(e),
    });
    client.start();
    const result = await until(() => found);
    assert.equal(result.port, 15001);
    assert.equal(result.security, "tls");
    server.close();
    client.close();
  });
});

describe("link-local and multicast", { skip: noLink }, () => {
  test(`the SDP server joins ff02::1 on ${link?.name}; a client asking on ff02::1%${link?.name} finds it`, async (t) => {
    const name = link!.name;
    let serverError: Error | undefined;
    const server = new SdpServer({ udp: NodeUdpSocket, interface: name, address: link!.address, tcpPort: 15000, port: 0, onError: (e) => (serverError = e) });
    const port = await until(() => server.port ?? serverError);
    if (serverError) {
      t.skip(`multicast join refused here: ${serverError.message}`);
      return;
    }
    let found: SdpResult | undefined;
    const client = new SdpClient({
      udp: NodeUdpSocket,
      clock: realClock,
      interface: name,
      security: "none",
      destination: { address: `ff02::1%${name}`, port: port as number },
      onDiscovered: (r) => (found = r),
      onFailed: () => {},
    });
    client.start();
    try {
      const result = await until(() => found, 1500);
      assert.equal(result.connectAddress, `${link!.address}%${name}`);
      assert.equal(result.port, 15000);
    } catch {
      t.skip("no multicast loopback on this interface");
    } finally {
      server.close();
      client.close();
    }
  });

  test("a numeric zone (interface index) is mapped to the interface name", { skip: fs.existsSync("/sys/class/net") ? undefined : "no /sys/class/net" }, () => {
    const index = fs.readFileSync(`/sys/class/net/${link!.name}/ifindex`, "utf8").trim();
    assert.equal(zoneName(index), link!.name);
    assert.equal(withZoneName(`fe80::1%${index}`), `fe80::1%${link!.name}`);
    assert.equal(withZoneName("::1"), "::1");
    assert.equal(zoneName("eth7"), "eth7");
  });

  test("the same with the interface given by index (ff02::1%<index>)", { skip: fs.existsSync("/sys/class/net") ? undefined : "no /sys/class/net" }, async (t) => {
    const index = fs.readFileSync(`/sys/class/net/${link!.name}/ifindex`, "utf8").trim();
    let serverError: Error | undefined;
    const server = new SdpServer({ udp: NodeUdpSocket, interface: index, address: link!.address, tlsPort: 15001, port: 0, onError: (e) => (serverError = e) });
    const port = await until(() => server.port ?? serverError);
    if (serverError) {
      t.skip(`multicast join refused here: ${serverError.message}`);
      return;
    }
    let found: SdpResult | undefined;
    const client = new SdpClient({
      udp: NodeUdpSocket,
      clock: realClock,
      interface: index,
      security: "tls",
      destination: { address: `ff02::1%${index}`, port: port as number },
      onDiscovered: (r) => (found = r),
      onFailed: () => {},
    });
    client.start();
    try {
      const result = await until(() => found, 1500);
      assert.equal(result.port, 15001);
      assert.match(result.connectAddress, /^fe80:.*%/);
    } finally {
      server.close();
      client.close();
    }
  });

  test("TCP to a link-local address with its zone", async () => {
    const accepted: NodeTcpSocket[] = [];
    let listener!: NodeListener;
    listener = new NodeListener({ port: 0, address: "::", onReadable: () => accepted.push(listener.read({}) as NodeTcpSocket) });
    await listener.ready;
    let connected = false;
    const socket = new NodeTcpSocket({ address: `${link!.address}%${link!.name}`, port: listener.port, onWritable: () => (connected = true) });
    await until(() => (connected && accepted.length > 0 ? true : undefined));
    assert.match(accepted[0].remoteAddress ?? "", /^fe80:/);
    socket.close();
    accepted[0].close();
    listener.close();
  });
});

describe("V2GTP connection over TCP on ::1", { skip: noV6 }, () => {
  test("a vehicle sends a SAP request in pieces; the charger answers; both close cleanly", async () => {
    const received: string[] = [];
    const closes: string[] = [];
    let charger: V2gtpConnection | undefined;
    let listener!: NodeListener;
    listener = new NodeListener({
      port: 0,
      address: "::1",
      onReadable: () => {
        charger = new V2gtpConnection({
          open: (cb) => listener.read(cb),
          onMessage: (m) => {
            received.push(`${m.schema}:${toHex(m.payload)}`);
            charger!.send("apphand", fromHex("80400040")!);
          },
          onClose: (r) => closes.push(`charger:${r}`),
        });
      },
    });
    await listener.ready;
    const answers: string[] = [];
    let raw!: NodeTcpSocket;
    const vehicle = new V2gtpConnection({
      open: (cb) => (raw = new NodeTcpSocket({ address: "::1", port: listener.port, ...cb })),
      onMessage: (m) => answers.push(toHex(m.payload)),
      onClose: (r: V2gtpCloseReason) => closes.push(`vehicle:${r}`),
    });
    void vehicle;
    await new Promise((r) => setTimeout(r, 20));
    const bytes = frame(0x8001, SAP_REQ);
    raw.write(bytes.subarray(0, 3)); // a header split over segments, bypassing the framing
    await new Promise((r) => setTimeout(r, 20));
    raw.write(bytes.subarray(3));
    await until(() => answers[0]);
    assert.deepEqual(received, [`apphand:${toHex(SAP_REQ)}`]);
    assert.deepEqual(answers, ["80400040"]);
    vehicle.close();
    await until(() => (closes.length === 2 ? true : undefined));
    assert.deepEqual(closes, ["vehicle:local", "charger:socket"]);
    listener.close();
  });

  test("a peer that stops reading: writes hit a full output, queue, and the connection closes on overflow", async () => {
    const net = await import("node:net");
    const stalled: import("node:net").Socket[] = [];
    const server = net.createServer({ pauseOnConnect: true }, (s) => stalled.push(s)); // never reads
    await new Promise<void>((r) => server.listen(0, "::1", () => r()));
    const port = (server.address() as import("node:net").AddressInfo).port;
    const closes: string[] = [];
    let connected = false;
    const conn = new V2gtpConnection({
      open: (cb) => new NodeTcpSocket({ address: "::1", port, ...cb }),
      maxPayloadLength: 8192,
      onMessage: () => {},
      onConnect: () => (connected = true),
      onClose: (r) => closes.push(r),
    });
    await until(() => (connected ? true : undefined));
    const payload = new Uint8Array(8192);
    for (let i = 0; i < 10_000 && !conn.closed; i++) {
      conn.send(0x8001, payload);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(closes, ["overflow"]);
    for (const s of stalled) s.destroy();
    server.close();
  });

  test("a peer sending a bad header is disconnected", async () => {
    const closes: string[] = [];
    let listener!: NodeListener;
    listener = new NodeListener({
      port: 0,
      address: "::1",
      onReadable: () => {
        new V2gtpConnection({ open: (cb) => listener.read(cb), onMessage: () => {}, onClose: (r) => closes.push(`charger:${r}`) });
      },
    });
    await listener.ready;
    let peerGone = false;
    const raw = new NodeTcpSocket({
      address: "::1",
      port: listener.port,
      onWritable: () => raw.write(fromHex("02fd800100000000")!),
      onError: () => (peerGone = true),
    });
    await until(() => (peerGone ? true : undefined));
    assert.deepEqual(closes, ["charger:v2gtp"]);
    listener.close();
  });
});
