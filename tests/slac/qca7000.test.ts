import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Millis, Xs15118Error, toHex } from "../../modules/common/index";
import {
  Qca7000FrameDecoder,
  Qca7000Link,
  qcaFrame,
  SPI_REG_INTR_ENABLE,
  SPI_INT_CPU_ON,
  SPI_INT_PKT_AVLBL,
  SPI_INT_RDBUF_ERR,
  SPI_INT_WRBUF_ERR,
  type Qca7000LinkOptions,
} from "../../modules/slac/qca7000";
import { SlacEv, SlacEvse } from "../../modules/slac/index";
import { Qca7000Model, bridgeToModem } from "../../simulation/slac/qca7000-model";
import { Powerline } from "../../simulation/powerline";
import { mac, seededRandom } from "./support/sim";

function ethFrame(tag: number, length = 64): Uint8Array {
  const f = new Uint8Array(length);
  f.set([0x02, 0, 0, 0, 0, 0x99], 0);
  f.set([0x02, 0, 0, 0, 0, 0x11], 6);
  f[12] = 0x88;
  f[13] = 0xe1;
  for (let i = 14; i < length; i++) f[i] = (tag + i) & 0xff;
  return f;
}

function rig(extra: Partial<Qca7000LinkOptions> = {}) {
  const clock = new ManualClock();
  const model = new Qca7000Model({ clock });
  const received: Uint8Array[] = [];
  const errors: Error[] = [];
  let writable = 0;
  const link: Qca7000Link = new Qca7000Link({
    spi: { io: model.Spi, hz: 12_000_000, mode: 3 },
    interrupt: { io: model.Interrupt, pin: 21 },
    clock,
    mac: mac(0x11),
    onReadable: () => {
      for (let f = link.read(); f; f = link.read()) received.push(f);
    },
    onWritable: () => writable++,
    onError: (e) => errors.push(e),
    ...extra,
  });
  return { clock, model, link, received, errors, writable: () => writable };
}

describe("QCA7000 framing", () => {
  test("transmit framing: SOF 4×AA, LE length, 2 reserved, frame padded to 60, EOF 55 55", () => {
    const framed = qcaFrame(new Uint8Array(20).fill(7));
    assert.equal(framed.length, 70);
    assert.equal(toHex(framed.subarray(0, 8)), "aaaaaaaa3c000000");
    assert.equal(framed[8], 7);
    assert.equal(framed[28], 0);
    assert.equal(toHex(framed.subarray(68)), "5555");
  });

  test("the receive decoder re-synchronises after garbage, a bad SOF, a bad length and a bad EOF", () => {
    const d = new Qca7000FrameDecoder();
    const good = ethFrame(1);
    const hw = (f: Uint8Array): Uint8Array => {
      const framed = qcaFrame(f);
      const out = new Uint8Array(4 + framed.length);
      out[3] = framed.length & 0xff;
      out[2] = framed.length >> 8;
      out.set(framed, 4);
      return out;
    };
    const badSof = hw(good);
    badSof[6] = 0x00;
    const badEof = hw(good);
    badEof[badEof.length - 2] = 0x00;
    const badLen = hw(good);
    badLen[8] = 10; // 10 < 60
    badLen[9] = 0;
    const stream = [new Uint8Array([1, 2, 3, 0xaa, 0x55]), badSof, hw(ethFrame(2)), badEof, badLen, hw(ethFrame(3))];
    const frames: Uint8Array[] = [];
    // Byte at a time, to cross every state boundary.
    for (const chunk of stream) for (let i = 0; i < chunk.length; i++) frames.push(...d.push(chunk.subarray(i, i + 1)));
    assert.deepEqual(frames.map((f) => f[14]), [(2 + 14) & 0xff, (3 + 14) & 0xff]);
    assert.ok(d.framingErrors >= 4, `${d.framingErrors} errors`);
  });
});

describe("QCA7000 driver against the behavioural model", () => {
  test("start-up: signature read twice (the first read is unreliable), interrupts enabled, ready", () => {
    const r = rig();
    assert.equal(r.link.state, "sync");
    r.clock.advance(1);
    assert.equal(r.link.state, "ready");
    assert.equal(r.model.register(SPI_REG_INTR_ENABLE), SPI_INT_CPU_ON | SPI_INT_PKT_AVLBL | SPI_INT_RDBUF_ERR | SPI_INT_WRBUF_ERR);
    assert.equal(r.writable(), 1, "onWritable once ready");
    assert.deepEqual(r.errors, []);
  });

  test("interrupt-driven receive: several frames in one read buffer come out in order", () => {
    const r = rig();
    r.clock.advance(1);
    r.model.receive(ethFrame(1));
    r.model.receive(ethFrame(2, 300));
    r.model.receive(ethFrame(3, 1514));
    r.clock.advance(1);
    assert.equal(r.received.length, 3);
    assert.deepEqual(r.received[1], ethFrame(2, 300));
    assert.equal(r.received[2].length, 1514);
    assert.equal(r.model.readBufferBytes, 0);
    assert.equal(r.link.stats.rxFrames, 3);
  });

  test("transmit: the frame is framed, written after checking the write space, and padded to 60 bytes", () => {
    const r = rig();
    r.clock.advance(1);
    r.link.write(ethFrame(5, 42));
    r.link.write(ethFrame(6, 600));
    r.clock.advance(5);
    assert.equal(r.model.transmitted.length, 2);
    assert.equal(r.model.transmitted[0].length, 60);
    assert.deepEqual(r.model.transmitted[0].subarray(0, 42), ethFrame(5, 42));
    assert.deepEqual(r.model.transmitted[1], ethFrame(6, 600));
    assert.equal(r.model.stats.badCommands, 0);
  });

  test("no write space: frames wait, the queue fills, write() throws, onWritable when it drains", () => {
    const r = rig({ txQueue: 2 });
    r.clock.advance(1);
    const release = r.model.occupy(3163);
    r.link.write(ethFrame(1));
    r.link.write(ethFrame(2));
    assert.throws(() => r.link.write(ethFrame(3)), /full/);
    r.clock.advance(100);
    assert.equal(r.model.transmitted.length, 0);
    const before = r.writable();
    release();
    r.clock.advance(10);
    assert.equal(r.model.transmitted.length, 2);
    assert.equal(r.writable(), before + 1);
    r.link.write(ethFrame(3));
    r.clock.advance(5);
    assert.equal(r.model.transmitted.length, 3);
  });

  test("write buffer stuck full for over a second: the driver resets the modem and recovers", () => {
    const r = rig();
    r.clock.advance(1);
    const release = r.model.occupy(3163);
    r.link.write(ethFrame(1));
    r.clock.advance(1100);
    assert.equal(r.link.stats.resets, 1);
    void release; // the reboot frees the buffer
    r.clock.advance(2000);
    assert.equal(r.link.state, "ready");
    r.link.write(ethFrame(2));
    r.clock.advance(5);
    assert.ok(r.model.transmitted.some((f) => f[14] === ((2 + 14) & 0xff)));
  });

  for (const how of ["sof", "eof", "length", "hw-length"] as const) {
    test(`corrupted frame (${how}) is dropped, the next good frame still arrives`, () => {
      const r = rig();
      r.clock.advance(1);
      r.model.receiveRaw(r.model.corruptFrame(ethFrame(1), how));
      r.model.receive(ethFrame(2));
      r.clock.advance(2);
      r.model.receive(ethFrame(3));
      r.clock.advance(2);
      const tags = r.received.map((f) => f[14] - 14);
      assert.ok(tags.indexOf(1) < 0, "the corrupted frame is not delivered");
      assert.ok(tags.indexOf(3) >= 0, `later frames arrive (got ${tags.join(",")})`);
      assert.ok(r.link.stats.framingErrors >= 1);
      assert.deepEqual(r.errors, []);
    });
  }

  test("random garbage in the read buffer between frames: every good frame is recovered", () => {
    const r = rig();
    r.clock.advance(1);
    const rnd = seededRandom(42);
    for (let i = 0; i < 20; i++) {
      r.model.receiveRaw(rnd(17));
      r.model.receive(ethFrame(i));
      r.clock.advance(1);
    }
    assert.ok(r.received.length >= 18, `${r.received.length} of 20`);
    for (const f of r.received) assert.equal(f.length, 64);
  });

  test("stuck bus from the start (MISO 0xFF): onError qca-stuck-bus after maxSyncFailures, link unusable", () => {
    const r = rig({ maxSyncFailures: 5 });
    r.model.stuck = "high";
    r.clock.advance(2000);
    assert.equal(r.link.state, "failed");
    assert.equal(r.errors.length, 1);
    assert.ok(Xs15118Error.is(r.errors[0], "qca-stuck-bus"));
    assert.throws(() => r.link.write(ethFrame(1)));
  });

  test("bus stuck low for a while during operation: the signature check notices, the driver re-synchronises", () => {
    const r = rig({ checkInterval: Millis(200) });
    r.clock.advance(1);
    r.model.stuck = "low";
    r.clock.advance(500);
    assert.equal(r.link.state, "sync");
    r.model.stuck = undefined;
    r.clock.advance(500);
    assert.equal(r.link.state, "ready");
    assert.ok(r.link.stats.resyncs >= 1);
    r.model.receive(ethFrame(9));
    r.clock.advance(2);
    assert.equal(r.received.length, 1);
    assert.deepEqual(r.errors, []);
  });

  test("modem reboot (CPU_ON): buffers lost, the driver re-synchronises and traffic resumes", () => {
    const r = rig();
    r.clock.advance(1);
    r.model.reboot();
    r.clock.advance(100);
    assert.equal(r.link.state, "ready");
    r.model.receive(ethFrame(4));
    r.clock.advance(2);
    assert.equal(r.received.length, 1);
  });

  test("write/read buffer error interrupts: the driver soft-resets the modem (SPI_CONFIG) and recovers", () => {
    const r = rig();
    r.clock.advance(1);
    r.model.raiseError("write");
    r.clock.advance(200);
    assert.equal(r.link.stats.resets, 1);
    assert.equal(r.model.stats.resets, 1);
    assert.equal(r.link.state, "ready");
    r.model.raiseError("read");
    r.clock.advance(200);
    assert.equal(r.link.stats.resets, 2);
    r.link.write(ethFrame(8));
    r.clock.advance(5);
    assert.equal(r.model.transmitted.length, 1);
  });

  test("close() is idempotent and silences callbacks", () => {
    const r = rig();
    r.clock.advance(1);
    r.link.close();
    r.link.close();
    r.model.receive(ethFrame(1));
    r.clock.advance(10);
    assert.equal(r.received.length, 0);
    assert.equal(r.link.state, "closed");
  });
});

describe("SLAC through the QCA7000 driver", () => {
  test("an EVSE whose modem is a QCA7000 on SPI matches an EV over the simulated powerline", () => {
    const clock = new ManualClock();
    const line = new Powerline({ clock });
    const evseModem = line.addModem({ hostMac: mac(0x20, 0x0a) });
    const evModem = line.addModem({ hostMac: mac(0x30, 0x0e) });
    line.setAttenuation(evseModem, evModem, 25);
    // The QCA7000 model's powerline side is the simulated modem (SPI ⇄ powerline bridge).
    const chip = new Qca7000Model({ clock });
    bridgeToModem(chip, evseModem);
    const random = seededRandom(77);
    const evse = new SlacEvse({
      link: { io: Qca7000Link as never, spi: { io: chip.Spi }, interrupt: { io: chip.Interrupt }, clock, mac: evseModem.hostMac },
      clock,
      random,
    });
    const ev = new SlacEv({ link: { io: evModem.Link }, clock, random });
    evse.start();
    clock.advance(10);
    ev.start();
    clock.advance(4000);
    assert.equal(evse.state, "matched");
    assert.equal(ev.state, "matched");
    assert.equal(toHex(ev.match!.evseMac), toHex(evseModem.hostMac));
  });
});
