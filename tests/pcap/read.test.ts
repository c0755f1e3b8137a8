import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readCapture, isCapture, CaptureFormatError, linkView } from "../../simulation/pcap/read";
import { readShared, sharedSkip } from "../support/shared";
import { bytesOf, classicPcap, concatBytes, ethFrame, listCaptures, ngBlock, representative } from "./support";

const frameA = ethFrame(0xff, 0x02, 0x88e1, new Uint8Array([1, 0x64, 0x60, 0, 0]));
const frameB = ethFrame(0x04, 0x05, 0x86dd, new Uint8Array(40));

describe("pcap reader: classic pcap", () => {
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      test(`${le ? "little" : "big"}-endian, ${nano ? "ns" : "µs"} timestamps`, () => {
        const frac = nano ? 123456789 : 123456;
        const file = classicPcap(le, nano, 1, [
          [1700000000, frac, frameA],
          [1700000001, 0, frameB],
        ]);
        assert.ok(isCapture(file));
        const c = readCapture(file);
        assert.equal(c.format, "pcap");
        assert.equal(c.frames.length, 2);
        assert.deepEqual(c.warnings, []);
        assert.equal(c.frames[0].number, 1);
        assert.ok(Math.abs(c.frames[0].time - (1700000000123.456 + (nano ? 0.000789 : 0))) < 0.0005);
        assert.equal(c.frames[1].time, 1700000001000);
        assert.equal(c.frames[0].eth?.ethertype, 0x88e1);
        assert.equal(c.frames[1].eth?.ethertype, 0x86dd);
        assert.deepEqual(Array.from(c.frames[0].eth!.src), [2, 2, 2, 2, 2, 2]);
        assert.equal(c.frames[0].eth!.payload.length, 5);
      });
    }
  }

  test("a file cut inside a record keeps the frames before it and warns", () => {
    const file = classicPcap(true, false, 1, [
      [1, 0, frameA],
      [2, 0, frameB],
    ]);
    const c = readCapture(file.subarray(0, file.length - 10));
    assert.equal(c.frames.length, 2);
    assert.equal(c.frames[1].data.length, frameB.length - 10);
    assert.match(c.warnings[0], /truncated/);
    const c2 = readCapture(file.subarray(0, 24 + 16 + frameA.length + 7));
    assert.equal(c2.frames.length, 1);
    assert.match(c2.warnings[0], /truncated record header/);
  });

  test("the snap length cut shows as originalLength > data.length", () => {
    const c = readCapture(classicPcap(true, false, 1, [[1, 0, frameA, 1500]]));
    assert.equal(c.frames[0].originalLength, 1500);
    assert.equal(c.frames[0].data.length, frameA.length);
  });

  test("not a capture: CaptureFormatError", () => {
    assert.equal(isCapture(new Uint8Array([1, 2, 3, 4])), false);
    assert.throws(() => readCapture(new Uint8Array([1, 2, 3, 4, 5, 6])), CaptureFormatError);
    assert.throws(() => readCapture(new Uint8Array(2)), CaptureFormatError);
  });
});

describe("pcap reader: link types", () => {
  const ipv6 = new Uint8Array(40);
  ipv6[0] = 0x60;
  test("Linux cooked SLL (113): the address is the sender's", () => {
    const sll = concatBytes([bytesOf(false, [["u16", 0], ["u16", 1], ["u16", 6], ["raw", new Uint8Array([1, 2, 3, 4, 5, 6, 0, 0])], ["u16", 0x86dd]]), ipv6]);
    const c = readCapture(classicPcap(true, false, 113, [[1, 0, sll]]));
    const eth = c.frames[0].eth!;
    assert.equal(eth.ethertype, 0x86dd);
    assert.deepEqual(Array.from(eth.src), [1, 2, 3, 4, 5, 6]);
    assert.equal(eth.payload.length, 40);
  });
  test("Linux cooked SLL2 (276)", () => {
    const sll2 = concatBytes([
      bytesOf(false, [["u16", 0x88e1], ["u16", 0], ["u32", 3], ["u16", 1], ["u8", 4], ["u8", 6], ["raw", new Uint8Array([9, 8, 7, 6, 5, 4, 0, 0])]]),
      new Uint8Array([1, 0x64, 0x60, 0, 0]),
    ]);
    const c = readCapture(classicPcap(false, true, 276, [[1, 0, sll2]]));
    const eth = c.frames[0].eth!;
    assert.equal(eth.ethertype, 0x88e1);
    assert.deepEqual(Array.from(eth.src), [9, 8, 7, 6, 5, 4]);
    assert.equal(eth.payload.length, 5);
  });
  test("raw IP (101, 228, 229): ethertype from the IP version", () => {
    assert.equal(linkView(101, ipv6)?.ethertype, 0x86dd);
    assert.equal(linkView(229, ipv6)?.ethertype, 0x86dd);
    const v4 = new Uint8Array(20);
    v4[0] = 0x45;
    assert.equal(linkView(228, v4)?.ethertype, 0x0800);
  });
  test("802.1Q tags are stripped; unknown link types have no view", () => {
    const tagged = concatBytes([new Uint8Array(12), new Uint8Array([0x81, 0x00, 0x00, 0x05, 0x88, 0xe1, 1, 2, 3])]);
    const v = linkView(1, tagged)!;
    assert.equal(v.ethertype, 0x88e1);
    assert.deepEqual(v.vlans, [5]);
    assert.equal(v.payload.length, 3);
    assert.equal(linkView(999, tagged), undefined);
    const c = readCapture(classicPcap(true, false, 999, [[1, 0, tagged]]));
    assert.equal(c.frames[0].eth, undefined);
    assert.match(c.warnings[0], /link type 999/);
  });
});

describe("pcap reader: pcapng", () => {
  const shb = (le: boolean) => ngBlock(le, 0x0a0d0d0a, bytesOf(le, [["u32", 0x1a2b3c4d], ["u16", 1], ["u16", 0], ["u32", 0xffffffff], ["u32", 0xffffffff]]));
  const idb = (le: boolean, linkType: number, tsresol?: number) =>
    ngBlock(
      le,
      1,
      bytesOf(le, [["u16", linkType], ["u16", 0], ["u32", 0], ...(tsresol === undefined ? [] : ([["u16", 9], ["u16", 1], ["u8", tsresol], ["u8", 0], ["u16", 0], ["u32", 0]] as const))] as never),
    );
  const epb = (le: boolean, ifId: number, ts: bigint, data: Uint8Array) =>
    ngBlock(le, 6, concatBytes([bytesOf(le, [["u32", ifId], ["u32", Number(ts >> 32n)], ["u32", Number(ts & 0xffffffffn)], ["u32", data.length], ["u32", data.length]]), data, new Uint8Array((4 - (data.length % 4)) % 4)]));

  for (const le of [true, false]) {
    test(`${le ? "little" : "big"}-endian: two interfaces (µs default, ns, 2^-10), EPB and SPB`, () => {
      const file = concatBytes([
        shb(le),
        idb(le, 1),
        idb(le, 1, 9),
        idb(le, 113, 0x8a),
        epb(le, 0, 1700000000123456n, frameA),
        epb(le, 1, 1700000000123456789n, frameB),
        epb(le, 2, 1024n * 5n + 512n, concatBytes([bytesOf(false, [["u16", 0], ["u16", 1], ["u16", 6], ["raw", new Uint8Array(8)], ["u16", 0x88e1]]), new Uint8Array(3)])),
        ngBlock(le, 3, concatBytes([bytesOf(le, [["u32", frameA.length]]), frameA, new Uint8Array((4 - (frameA.length % 4)) % 4)])),
        ngBlock(le, 5, new Uint8Array(16)), // ISB: ignored
      ]);
      const c = readCapture(file);
      assert.equal(c.format, "pcapng");
      assert.deepEqual(c.warnings, []);
      assert.equal(c.interfaces.length, 3);
      assert.equal(c.interfaces[1].unitsPerSecond, 1e9);
      assert.equal(c.interfaces[2].unitsPerSecond, 1024);
      assert.equal(c.frames.length, 4);
      assert.equal(c.frames[0].time, 1700000000123.456);
      assert.ok(Math.abs(c.frames[1].time - 1700000000123.456789) < 0.001);
      assert.equal(c.frames[1].interfaceId, 1);
      assert.equal(c.frames[2].time, 5500);
      assert.equal(c.frames[2].linkType, 113);
      assert.equal(c.frames[2].eth?.ethertype, 0x88e1);
      assert.equal(c.frames[3].data.length, frameA.length); // SPB: interface 0, no timestamp
      assert.equal(c.frames[3].interfaceId, 0);
    });
  }

  test("a second section resets the interfaces; a truncated block ends with a warning", () => {
    const file = concatBytes([shb(true), idb(true, 1), epb(true, 0, 1n, frameA), shb(false), idb(false, 113), idb(false, 1), epb(false, 1, 2n, frameB)]);
    const c = readCapture(file);
    assert.equal(c.frames.length, 2);
    assert.equal(c.interfaces.length, 3);
    assert.equal(c.frames[1].interfaceId, 2);
    assert.equal(c.frames[1].linkType, 1);
    const cut = readCapture(file.subarray(0, file.length - 6));
    assert.equal(cut.frames.length, 1);
    assert.match(cut.warnings[0], /truncated/);
  });
});

describe("pcap reader: the captures in ../shared", { skip: sharedSkip() }, () => {
  const files = listCaptures();
  test("there are captures of the three families", () => {
    assert.ok(files.length >= 100, `${files.length} captures`);
    for (const family of ["dsV2Gshark", "everest-logfiles", "tux-evse-binding"]) assert.ok(files.some((f) => f.includes(family)), family);
  });
  test("every capture parses: Ethernet frames with plausible timestamps, SLAC or IP in each", () => {
    for (const f of representative(files)) {
      const c = readCapture(readShared(f)!);
      assert.ok(c.frames.length >= 20, `${f}: ${c.frames.length} frames`);
      assert.ok(c.interfaces.every((i) => i.linkType === 1), `${f}: Ethernet only`);
      const first = c.frames[0].time;
      assert.ok(first > Date.UTC(2015, 0, 1) && first < Date.UTC(2030, 0, 1), `${f}: time ${first}`);
      let eth = 0;
      for (const fr of c.frames) {
        assert.ok(fr.time >= first - 1000, `${f}: frame ${fr.number} goes back in time`);
        if (fr.eth) eth++;
      }
      // only a runt last record (file cut short) may lack the Ethernet view
      assert.ok(eth >= c.frames.length - 1, `${f}: ${eth}/${c.frames.length} with an Ethernet view`);
      for (const w of c.warnings) assert.match(w, /truncated|damaged record header at byte \d+: skipped/, `${f}: ${w}`);
    }
  });
  test("known frame counts", () => {
    const known: [string, number][] = [
      ["captures/dsV2Gshark/DIN_DC_DS5366_Josev.pcapng", 443],
      ["captures/dsV2Gshark/ISO-20_BPT_AC_DS5366_Josev.pcapng", 192],
      ["captures/tux-evse-binding/iso15118-v2g-protocol-handshake.pcapng", 48],
    ];
    for (const [f, n] of known) assert.equal(readCapture(readShared(f)!).frames.length, n, f);
  });
  test("a decryption secrets block carries the TLS key log", () => {
    const c = readCapture(readShared("captures/tux-evse-binding/hello-tls-with-secrets.pcapng")!);
    assert.match(c.tlsKeyLog ?? "", /CLIENT_HANDSHAKE_TRAFFIC_SECRET|CLIENT_RANDOM/);
  });
});

test("a damaged record (stray bytes) is skipped to the next plausible record", () => {
  const good = classicPcap(true, false, 1, [
    [1700000000, 1, frameA],
    [1700000000, 2, frameB],
    [1700000001, 3, frameA],
  ]);
  const second = 24 + 16 + frameA.length;
  const damaged = concatBytes([good.subarray(0, second), new Uint8Array([0, 0xff, 0xff, 0xff, 0x7f]), good.subarray(second)]);
  const c = readCapture(damaged);
  assert.equal(c.frames.length, 3);
  assert.match(c.warnings[0], /damaged record header at byte \d+: skipped 5 bytes/);
  assert.equal(c.frames[2].time, 1700000001000.003);
});
