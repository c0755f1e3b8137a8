// @node-only @slow — hosts/esp32/qca7000/qca7000-netif.c, unchanged, on Linux against lwIP's own
// core (Espressif's fork, from $XS15118_ESP_IDF_SRC/components/lwip/lwip; no OS, IPv6 only) and a
// simulated QCA7000 behind its SPI calls (support/netif-harness: the chip's registers and buffers,
// stand-ins for FreeRTOS, the ESP-IDF drivers and the XS API; the driver task on a thread of its own
// in lockstep). Both of the netif's paths are exercised through lwIP: frames the chip delivers
// become pbufs that lwIP answers (ND, UDP to ff02::1 as SDP sends it), lwIP's pbufs become the
// chip's SPI frames, byte for byte what the JavaScript driver (modules/slac/qca7000.ts) frames;
// HomePlug AV frames go up to JavaScript and down from it. Skips without the lwIP sources or `cc`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { toHex, fromHex } from "../../modules/common/index";
import { qcaFrame } from "../../modules/slac/qca7000";
import { linkLocalOf } from "../../simulation/vnet/stack";
import { ethernetFrame, internetChecksum, ipv6Packet, pseudoHeader, udpDatagram, IPPROTO_UDP } from "../../simulation/pcap/write";

const ROOT = process.cwd();
const HARNESS = path.join(ROOT, "tests/esp32/support/netif-harness");
const LWIP = path.join(process.env.XS15118_ESP_IDF_SRC ?? "", "components/lwip/lwip/src");

function skipReason(): string | false {
  if (!process.env.XS15118_ESP_IDF_SRC) return "$XS15118_ESP_IDF_SRC is not set: no lwIP sources (see hosts/esp32/README.md, \"Compiling against ESP-IDF\")";
  if (!fs.existsSync(path.join(LWIP, "core/netif.c"))) return `no lwIP sources at ${LWIP}`;
  if (spawnSync("cc", ["--version"]).status !== 0) return "no C compiler (cc)";
  return false;
}

const ETHERTYPE_IPV6 = 0x86dd;
const ICMPV6 = 58;
const OUR_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x99); // the harness's
const PEER_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x11);
const OUR_IP = linkLocalOf(OUR_MAC);
const PEER_IP = linkLocalOf(PEER_MAC);
const ALL_NODES = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
const ALL_NODES_MAC = Uint8Array.of(0x33, 0x33, 0, 0, 0, 1);

interface Sent {
  frame: Uint8Array;
  ethertype: number;
  nextHeader?: number;
  icmpType?: number;
}

/** A buffer write the chip saw: it must be the JavaScript driver's framing of one Ethernet frame. */
function unframe(spi: Uint8Array): Sent {
  const length = spi[4] | (spi[5] << 8);
  const frame = spi.subarray(8, 8 + length);
  assert.deepEqual(toHex(spi), toHex(qcaFrame(frame)), "framed as the JavaScript driver frames");
  const ethertype = (frame[12] << 8) | frame[13];
  if (ethertype !== ETHERTYPE_IPV6) return { frame, ethertype };
  // MLD messages carry a hop-by-hop header (router alert, RFC 2711) before the ICMPv6 message.
  const hopByHop = frame[20] === 0;
  const nextHeader = hopByHop ? frame[54] : frame[20];
  const upper = hopByHop ? 54 + (frame[55] + 1) * 8 : 54;
  return { frame, ethertype, nextHeader, icmpType: nextHeader === ICMPV6 ? frame[upper] : undefined };
}

/** A neighbour advertisement (RFC 4861 §4.4) from the peer, solicited, with its link-layer address. */
function neighbourAdvertisement(): Uint8Array {
  const icmp = new Uint8Array(32);
  icmp[0] = 136;
  icmp[4] = 0x60; // S and O
  icmp.set(PEER_IP, 8);
  icmp[24] = 2; // target link-layer address option, 8 bytes
  icmp[25] = 1;
  icmp.set(PEER_MAC, 26);
  const sum = internetChecksum([pseudoHeader(PEER_IP, OUR_IP, ICMPV6, icmp.length), icmp]);
  icmp[2] = sum >> 8;
  icmp[3] = sum & 0xff;
  return ethernetFrame({ dst: OUR_MAC, src: PEER_MAC, ethertype: ETHERTYPE_IPV6, payload: ipv6Packet(PEER_IP, OUR_IP, ICMPV6, icmp, 255) });
}

class Harness {
  readonly #program: string;
  readonly #commands: string[] = [];
  constructor(program: string) {
    this.#program = program;
  }
  send(...commands: string[]): this {
    this.#commands.push(...commands);
    return this;
  }
  /** Runs the commands so far in a fresh harness; its output lines. */
  run(): string[] {
    return execFileSync(this.#program, { input: this.#commands.join("\n") + "\n", timeout: 30_000 }).toString().trim().split("\n");
  }
}

const sentOf = (lines: string[]) => lines.filter((l) => l.startsWith("T ")).map((l) => unframe(fromHex(l.slice(2))!));

test("the native QCA7000 netif on lwIP: frames to pbufs and back through a simulated chip, SLAC frames up to JavaScript and down", { skip: skipReason(), timeout: 10 * 60_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-netif-lwip-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lwipSources = [
    ...fs.readdirSync(path.join(LWIP, "core")).filter((f) => f.endsWith(".c")).map((f) => path.join(LWIP, "core", f)),
    ...fs.readdirSync(path.join(LWIP, "core/ipv6")).filter((f) => f.endsWith(".c")).map((f) => path.join(LWIP, "core/ipv6", f)),
    path.join(LWIP, "netif/ethernet.c"),
  ];
  // lwIP's own warnings are not ours (-w); the netif, the framing and the harness build with -Werror.
  execFileSync("cc", ["-c", "-std=gnu99", "-O1", "-w", `-I${HARNESS}`, `-I${path.join(LWIP, "include")}`, ...lwipSources], { cwd: dir });
  const program = path.join(dir, "netif-harness");
  const objects = fs.readdirSync(dir).filter((f) => f.endsWith(".o")).map((f) => path.join(dir, f));
  execFileSync("cc", [
    "-std=gnu99", "-O1", "-Wall", "-Wextra", "-Werror",
    `-I${HARNESS}`, `-I${path.join(LWIP, "include")}`, `-I${path.join(ROOT, "hosts/esp32/qca7000")}`,
    path.join(HARNESS, "harness.c"), path.join(ROOT, "hosts/esp32/qca7000/qca7000-frame.c"), ...objects, "-lpthread", "-o", program,
  ]);

  await t.test("the constructor brings the chip up (signature, interrupts) and the link up makes lwIP announce itself: DAD and MLD, framed for the chip", () => {
    const lines = new Harness(program).send("Q", "L 1", "TIME 3000", "Q", "N").run();
    assert.deepEqual(lines.filter((l) => l.startsWith("S ")), ["S ready", "S ready"]);
    // What the IP side (native-ip.ts) takes as the sockets' zone and the station's address.
    const named = lines.find((l) => l.startsWith("N "))?.split(" ") ?? [];
    assert.match(named[1] ?? "", /^qc\d+$/, lines.join("\n"));
    assert.equal(named[2]?.toLowerCase(), "fe80::ff:fe00:99", "the link-local address from the MAC");
    const sent = sentOf(lines);
    assert.ok(sent.length >= 2, lines.join("\n"));
    for (const s of sent) {
      assert.equal(s.ethertype, ETHERTYPE_IPV6);
      assert.deepEqual(s.frame.subarray(6, 12), OUR_MAC, "from this interface's MAC");
    }
    const dad = sent.find((s) => s.icmpType === 135);
    assert.ok(dad, "a duplicate-address probe (neighbour solicitation) for the link-local address");
    assert.deepEqual(dad!.frame.subarray(62, 78), OUR_IP, "its target: fe80::ff:fe00:99, from the MAC");
    assert.ok(sent.some((s) => s.icmpType === 131), "an MLD report");
  });

  await t.test("an SDP-like UDP datagram to ff02::1 reaches lwIP's socket; the unicast answer waits for ND, then leaves through the chip", () => {
    const request = Uint8Array.of(0x01, 0xfe, 0x90, 0x00, 0x00, 0x00, 0x00, 0x02, 0x10, 0x00);
    const datagram = ethernetFrame({ dst: ALL_NODES_MAC, src: PEER_MAC, ethertype: ETHERTYPE_IPV6, payload: ipv6Packet(PEER_IP, ALL_NODES, IPPROTO_UDP, udpDatagram(PEER_IP, ALL_NODES, 50000, 15118, request), 1) });
    const h = new Harness(program).send("L 1", "TIME 3000", "U 15118", `R ${toHex(datagram)}`);
    let lines = h.run();
    const received = lines.filter((l) => l.startsWith("P "));
    assert.deepEqual(received, [`P ${toHex(request)}`], "the datagram's payload, through the netif's input and lwIP's IPv6 and UDP");
    const afterRequest = sentOf(lines.slice(lines.indexOf(received[0])));
    const solicitation = afterRequest.find((s) => s.icmpType === 135);
    assert.ok(solicitation, "lwIP asks for the peer's MAC first");
    assert.deepEqual(solicitation!.frame.subarray(62, 78), PEER_IP);
    assert.ok(!afterRequest.some((s) => s.nextHeader === IPPROTO_UDP), "the answer waits for the neighbour");

    lines = h.send(`R ${toHex(neighbourAdvertisement())}`).run();
    const answers = sentOf(lines).filter((s) => s.nextHeader === IPPROTO_UDP);
    assert.equal(answers.length, 1, lines.join("\n"));
    const f = answers[0].frame;
    assert.deepEqual(f.subarray(0, 6), PEER_MAC, "to the advertised MAC");
    assert.deepEqual(f.subarray(22, 38), OUR_IP, "from the link-local address");
    assert.deepEqual(f.subarray(38, 54), PEER_IP);
    const udp = f.subarray(54, 54 + ((f[18] << 8) | f[19]));
    assert.equal((udp[0] << 8) | udp[1], 15118);
    assert.equal((udp[2] << 8) | udp[3], 50000);
    assert.deepEqual(udp.subarray(8), request.slice().reverse());
    assert.equal(internetChecksum([pseudoHeader(OUR_IP, PEER_IP, IPPROTO_UDP, udp.length), udp]), 0, "lwIP's UDP checksum holds");
  });

  await t.test("HomePlug AV frames go up to JavaScript (onReadable, read) even in one read buffer with an IPv6 frame, and down from it (write) framed for the chip", () => {
    const mme = ethernetFrame({ dst: OUR_MAC, src: PEER_MAC, ethertype: 0x88e1, payload: Uint8Array.of(0x01, 0x65, 0x60, 0, 0, 1, 2, 3) });
    const datagram = ethernetFrame({ dst: ALL_NODES_MAC, src: PEER_MAC, ethertype: ETHERTYPE_IPV6, payload: ipv6Packet(PEER_IP, ALL_NODES, IPPROTO_UDP, udpDatagram(PEER_IP, ALL_NODES, 50000, 15118, Uint8Array.of(7)), 1) });
    const reply = ethernetFrame({ dst: PEER_MAC, src: OUR_MAC, ethertype: 0x88e1, payload: Uint8Array.of(0x01, 0x66, 0x60) });
    const lines = new Harness(program).send("L 1", "U 15118", `R ${toHex(mme)} ${toHex(datagram)}`, "X", "X", `W ${toHex(reply)}`).run();
    assert.ok(lines.includes("C onReadable 1"), lines.join("\n"));
    assert.deepEqual(lines.filter((l) => l.startsWith("M ")), [`M ${toHex(mme)}`], "read once, then nothing more");
    assert.ok(lines.includes("P 07"), "the IPv6 frame behind it in the same buffer reached lwIP");
    const written = sentOf(lines).filter((s) => s.ethertype === 0x88e1);
    assert.deepEqual(written.map((s) => toHex(s.frame)), [toHex(reply)]);
  });

  await t.test("a full write buffer holds the frame until the chip has room; a frame too long or a closed driver throws to JavaScript", () => {
    const mme = ethernetFrame({ dst: PEER_MAC, src: OUR_MAC, ethertype: 0x88e1, payload: Uint8Array.of(0x01, 0x64, 0x60) });
    const lines = new Harness(program).send("SPACE 40", `W ${toHex(mme)}`, "Q", "SPACE 3163", `W ${toHex(new Uint8Array(1523))}`, "CLOSE", "Q", `W ${toHex(mme)}`).run();
    const ready = lines.indexOf("S ready");
    assert.ok(ready >= 0, lines.join("\n"));
    assert.ok(!lines.slice(0, ready).some((l) => l.startsWith("T ")), "nothing written while the chip has 40 bytes free");
    const after = lines.slice(ready);
    assert.deepEqual(sentOf(after).map((s) => toHex(s.frame)), [toHex(mme)], "written once the chip has room");
    assert.ok(after.includes("E frame too long"), lines.join("\n"));
    assert.ok(after.includes("S closed"));
    assert.equal(after.at(-1), "E modem not ready");
  });

  await t.test("a bus that stops answering, with no interrupt, is found by the once-a-second signature check and reported to JavaScript (as modules/slac/qca7000.ts does)", () => {
    const lines = new Harness(program).send("L 1", "TIME 1500", "Q", "STUCK", "TIME 15000", "Q").run();
    const states = lines.filter((l) => l.startsWith("S "));
    assert.deepEqual(states, ["S ready", "S failed"], lines.join("\n"));
    assert.deepEqual(lines.filter((l) => l.startsWith("C onError")), ["C onError qca-stuck-bus"]);
  });
});
