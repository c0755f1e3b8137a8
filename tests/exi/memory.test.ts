// @node-only @slow — drives an xsnap engine and reads its live heap from engine snapshots (issue 15
// item 3): what an EXI decode needs, and that a charger's long-lived objects do not grow over
// 100 consecutive sessions. The XS side is tests/exi/memory-driver.ts.
//
// Heap = live slots × 16 B (the ESP32's slot) + live chunks at the ESP32's sizes
// (tools/xs/worker.ts liveHeap, tools/xs/heap-census.ts), after the collection a snapshot makes.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { bundleForXs } from "../../tools/xs/bundle";
import { startXsWorker, type LiveHeap, type XsWorker } from "../../tools/xs/worker";
import { hasShared, readSharedTsv } from "../support/shared";

const SLOT = 16;
const DECODE_BUDGET = 8 * 1024;
const heapBytes = (h: LiveHeap): number => h.slots * SLOT + h.chunkBytesEsp32;

let worker: XsWorker;
/** What xsnap itself keeps per evaluation (about one slot and 24 chunk bytes), measured. */
let perEvaluation = 0;

before(async () => {
  worker = await startXsWorker("xs15118-memory-test");
  await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(process.cwd())};`);
  await worker.evaluate(await bundleForXs(`import "./tests/exi/memory-driver";`));
  const a = await worker.liveHeap();
  for (let i = 0; i < 50; i++) await worker.evaluate("0");
  perEvaluation = (heapBytes(await worker.liveHeap()) - heapBytes(a)) / 50;
});
after(() => worker?.close());

/** Live heap after `code` minus before it, less xsnap's own per-evaluation bytes. */
async function heapAfter(code: string): Promise<{ bytes: number; slotsAllocated: number }> {
  const h0 = await worker.liveHeap();
  const m0 = await worker.evaluate("0");
  const m1 = await worker.evaluate(code);
  const h1 = await worker.liveHeap();
  return { bytes: Math.round(heapBytes(h1) - heapBytes(h0) - 2 * perEvaluation), slotsAllocated: m1.currentHeapCount - m0.currentHeapCount };
}

describe("XS heap of EXI decodes (a reused ExiCodec, as on a connection)", { skip: hasShared() ? false : "needs ../shared/vectors/bench_set.tsv" }, () => {
  const rows = hasShared() ? readSharedTsv("vectors/bench_set.tsv").filter((r) => r.length >= 3 && r[1] !== "schema") : [];
  for (const [name, schema, hex] of rows) {
    test(`${name} (${hex.length / 2} B): the decoded message and what the codec keeps ≤ 8 KB; slots allocated ≤ 8 KB; nothing kept once dropped`, async (t) => {
      await worker.evaluate(`__memory.codec(); __memory.message(${JSON.stringify(schema)}, ${JSON.stringify(hex)}); __memory.drop()`);
      const decoded = await heapAfter("__memory.decode()");
      t.diagnostic(`${decoded.bytes} B live after the decode, ${decoded.slotsAllocated * SLOT} B of slots allocated`);
      assert.ok(decoded.bytes <= DECODE_BUDGET, `${decoded.bytes} B live after the decode`);
      assert.ok(decoded.slotsAllocated * SLOT <= DECODE_BUDGET, `${decoded.slotsAllocated} slots allocated by the decode`);
      // the codec must not hold the last message once its user dropped it
      const dropped = await heapAfter("__memory.drop()");
      assert.ok(dropped.bytes <= -decoded.bytes + 64, `${decoded.bytes + dropped.bytes} B still live after dropping the message`);
    });
  }
});

describe("XS heap over 100 consecutive sessions on one charger's objects", () => {
  for (const protocol of ["din", "iso2"] as const) {
    test(`${protocol.toUpperCase()} DC: the live heap after session 100 is the one after session 10`, async (t) => {
      await worker.evaluate(`__memory.stations(${JSON.stringify(protocol)}); __memory.sessions(10)`);
      const growth = await heapAfter("__memory.sessions(90)");
      const start = worker.reports.length;
      await worker.evaluate("__memory.ends()");
      const ends = (worker.reports[start] as { ends: Record<string, number> }).ends;
      assert.deepEqual(ends, { "charging-complete": 100 }, "every session ends normally");
      t.diagnostic(`${growth.bytes} B of live heap after sessions 11–100`);
      // a leak of one small object per session would show as ≥ 16 B × 90
      assert.ok(growth.bytes <= 256, `${growth.bytes} B more live heap after 90 more sessions`);
    });
  }
});
