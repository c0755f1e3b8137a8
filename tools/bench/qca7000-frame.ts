// node --import tsx tools/bench/qca7000-frame.ts [N]
// Issue 18 item 3: what the JavaScript QCA7000 driver (modules/slac/qca7000.ts, the ESP32's
// hosts/esp32/qca7000-link.ts) costs per Ethernet frame inside XS (xsnap: meter units, desktop
// µs), received and sent, at the frame sizes the link carries: a SLAC MME (60 B), a V2GTP
// message in TCP over IPv6 (300 B), a full frame (1,514 B). "driver" is the whole path of one
// frame — interrupt, register reads and writes, the buffer transfer, framing, the queue — against
// a QCA7000 stand-in that answers at once; "framing" is qcaFrame / Qca7000FrameDecoder alone.
import { bundleForXs } from "../xs/bundle";
import { startXsWorker } from "../xs/worker";

const n = Number(process.argv[2] ?? 2000);
const SIZES = [60, 300, 1514];
const script = await bundleForXs(`
import { ManualClock } from "./modules/common/manual-clock";
import { Qca7000Link, Qca7000FrameDecoder, qcaFrame, qcaHostFrame } from "./modules/slac/qca7000";

function ethFrame(length) {
  const f = new Uint8Array(length);
  f.set([2, 0, 0, 0, 0, 0x99, 2, 0, 0, 0, 0, 0x11, 0x86, 0xdd], 0);
  for (let i = 14; i < length; i++) f[i] = i & 0xff;
  return f;
}

// A QCA7000 that answers at once: register reads from a table, the read buffer copied in one
// piece, written frames dropped. Its own cost is a few operations per SPI transfer, so what is
// measured is the driver (the behavioural model of simulation/ clocks every byte through an
// array and would dominate).
function fastQca(clock) {
  let pending;
  let written = 0;
  let onInterrupt = () => {};
  const regs = new Map([[0x1a00, 0xaa55], [0x0200, 3163], [0x0400, 0]]);
  class Spi {
    transfer(b) {
      const cmd = (b[0] << 8) | b[1];
      const reg = cmd & 0x3fff;
      if (cmd & 0x4000) {
        if (cmd & 0x8000) {
          const v = reg === 0x0c00 ? (pending ? 1 : 0) : reg === 0x0300 ? (pending ? pending.length : 0) : (regs.get(reg) ?? 0);
          b[2] = v >> 8;
          b[3] = v & 0xff;
        } else regs.set(reg, (b[2] << 8) | b[3]);
      } else if (cmd & 0x8000) {
        b.set(pending, 2);
        pending = undefined;
      } else written++;
    }
    flush() {}
    close() {}
  }
  class Interrupt {
    constructor(options) { onInterrupt = options.onReadable; }
    read() { return pending ? 1 : 0; }
    close() {}
  }
  return { Spi, Interrupt, arrive(bytes) { pending = bytes; onInterrupt(); }, written: () => written };
}

function rig() {
  const clock = new ManualClock();
  const qca = fastQca(clock);
  let received = 0;
  const link = new Qca7000Link({
    spi: { io: qca.Spi, hz: 12000000, mode: 3 },
    interrupt: { io: qca.Interrupt, pin: 21 },
    clock,
    mac: Uint8Array.of(2, 0, 0, 0, 0, 0x11),
    onReadable: () => { for (let f = link.read(); f; f = link.read()) received++; },
    onWritable: () => {},
    onError: (e) => { throw e; },
  });
  clock.advance(1);
  if (link.state !== "ready") throw new Error("the stand-in did not synchronise: " + link.state);
  return { clock, qca, link, count: () => received };
}

const ops = new Map();
globalThis.__setup = (kind, size) => {
  const frame = ethFrame(size);
  if (kind === "rx driver") {
    const r = rig();
    const hw = qcaHostFrame(frame);
    let expected = 0;
    ops.set(kind + size, () => { r.qca.arrive(hw); if (r.count() !== ++expected) throw new Error("frame lost"); });
  } else if (kind === "tx driver") {
    const r = rig();
    let expected = 0;
    ops.set(kind + size, () => { r.link.write(frame); r.clock.advance(1); if (r.qca.written() !== ++expected) throw new Error("frame not sent"); });
  } else if (kind === "rx framing") {
    const hw = qcaHostFrame(frame);
    const d = new Qca7000FrameDecoder();
    ops.set(kind + size, () => d.push(hw));
  } else {
    ops.set(kind + size, () => qcaFrame(frame));
  }
};
globalThis.__run = (kind, size, count) => {
  const f = ops.get(kind + size);
  const t0 = performance.now();
  for (let k = 0; k < count; k++) f();
  const ms = performance.now() - t0;
  issueCommand(new TextEncoder().encode(JSON.stringify({ op: "report", ms })).buffer);
};
`);

const worker = await startXsWorker("xs15118-qca7000-frame");
try {
  await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(process.cwd())};`);
  await worker.evaluate(script);
  console.log(["path", ...SIZES.map((s) => `${s} B: meter / µs`)].join("\t"));
  for (const kind of ["rx driver", "tx driver", "rx framing", "tx framing"]) {
    const cells = [kind];
    for (const size of SIZES) {
      await worker.evaluate(`__setup(${JSON.stringify(kind)}, ${size})`);
      const base = await worker.evaluate(`__run(${JSON.stringify(kind)}, ${size}, 0)`);
      const meters: number[] = [], times: number[] = [];
      for (let r = 0; r < 3; r++) {
        const before = worker.reports.length;
        const m = await worker.evaluate(`__run(${JSON.stringify(kind)}, ${size}, ${n})`);
        meters.push((m.compute - base.compute) / n);
        times.push(((worker.reports[before] as { ms: number }).ms * 1000) / n);
      }
      const mid = (v: number[]) => v.sort((a, b) => a - b)[1];
      cells.push(`${mid(meters).toFixed(0)} / ${mid(times).toFixed(1)}`);
    }
    console.log(cells.join("\t"));
  }
} finally {
  await worker.close();
}
