// Preloaded into the charger process of the netns soak (`node --expose-gc --import tsx --import
// ./tools/soak/memory-probe.ts bin/xs15118.js secc …`): on SIGUSR2 it collects garbage and writes
// one line to stderr, `xs15118-memory {json}`, with the process's memory split the way a leak
// hunt needs it: RSS, V8's heap in use (data spaces apart from code spaces), external memory
// and ArrayBuffers, and the active handles and timers. The command itself is `xs15118 secc`
// unchanged; the probe only reads.

import * as v8 from "node:v8";

let snapshots = 0;
const gc = (globalThis as { gc?: () => void }).gc;

process.on("SIGUSR2", () => {
  // Twice: a first collection can leave objects that only a second finds unreachable (weak
  // callbacks, finalizers of sockets' handles).
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  let code = 0;
  let data = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_name.indexOf("code") >= 0) code += space.space_used_size;
    else data += space.space_used_size;
  }
  const resources = (process as unknown as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo?.() ?? [];
  const kinds: Record<string, number> = {};
  for (const r of resources) kinds[r] = (kinds[r] ?? 0) + 1;
  const line = { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, dataHeap: data, codeHeap: code, resources: resources.length, resourceKinds: kinds, gc: gc !== undefined };
  // For a leak hunt: XS15118_SOAK_SNAPSHOTS=DIR also writes a heap snapshot per probe (compare
  // two in Chrome's DevTools, or with tools/soak/snapshot-diff.ts: objects by constructor).
  const dir = process.env.XS15118_SOAK_SNAPSHOTS;
  if (dir) v8.writeHeapSnapshot(`${dir}/charger-${String(++snapshots).padStart(3, "0")}.heapsnapshot`);
  process.stderr.write(`xs15118-memory ${JSON.stringify(line)}\n`);
});
