// pcapng Systemd Journal Export Blocks: what the simulator records beside the frames (pilot,
// SLAC, power status, summary) and reads back from a capture.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PcapngWriter } from "../../simulation/pcap/write";
import { readCapture } from "../../simulation/pcap/read";

const FRAME = new Uint8Array(60).fill(0x11);

test("journal entries go between the frames as block type 9 and come back with their time and fields", () => {
  const writer = new PcapngWriter();
  writer.addFrame(1_700_000_000_000, FRAME);
  writer.addJournalEntry(1_700_000_000_250.5, { SYSLOG_IDENTIFIER: "xs15118", MESSAGE: "pilot: charger sees B2 (5 % PWM)", XS15118_VALUES: '{"soc":60.5}' });
  writer.addFrame(1_700_000_000_500, FRAME);
  const bytes = writer.toBytes();
  // The entry's block sits between the two packets: SHB, IDB, EPB, journal, EPB.
  const types: number[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let o = 0; o < bytes.length; o += dv.getUint32(o + 4, true)) types.push(dv.getUint32(o, true));
  assert.deepEqual(types, [0x0a0d0d0a, 1, 6, 9, 6]);
  const capture = readCapture(bytes);
  assert.equal(capture.frames.length, 2);
  assert.equal(capture.warnings.length, 0);
  assert.deepEqual(capture.journal, [{ time: 1_700_000_000_250.5, fields: { SYSLOG_IDENTIFIER: "xs15118", MESSAGE: "pilot: charger sees B2 (5 % PWM)", XS15118_VALUES: '{"soc":60.5}' } }]);
});

test("journal values: UTF-8 kept, a newline becomes a space (one line per field), '=' in a value kept", () => {
  const writer = new PcapngWriter();
  writer.addJournalEntry(1000, { MESSAGE: "EV→EVSE 50 °C\nsecond line", XS15118_X: "a=b" });
  const [entry] = readCapture(writer.toBytes()).journal!;
  assert.equal(entry.time, 1000);
  assert.equal(entry.fields.MESSAGE, "EV→EVSE 50 °C second line");
  assert.equal(entry.fields.XS15118_X, "a=b");
});

test("a journal block without a timestamp is skipped with a warning; the frames still read", () => {
  const writer = new PcapngWriter();
  writer.addFrame(0, FRAME);
  const good = writer.toBytes();
  const text = new Uint8Array([0x4d, 0x3d, 0x78, 0x0a]); // "M=x\n"
  const block = new Uint8Array(12 + 4);
  const dv = new DataView(block.buffer);
  dv.setUint32(0, 9, true);
  dv.setUint32(4, block.length, true);
  block.set(text, 8);
  dv.setUint32(12, block.length, true);
  const bytes = new Uint8Array(good.length + block.length);
  bytes.set(good);
  bytes.set(block, good.length);
  const capture = readCapture(bytes);
  assert.equal(capture.frames.length, 1);
  assert.equal(capture.journal, undefined);
  assert.match(capture.warnings.join(), /journal block .* without __REALTIME_TIMESTAMP/);
});
