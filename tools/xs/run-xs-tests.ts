// Bundles test files for XS, runs them in xsnap workers, and returns one report per case.

import { bundleForXs, ROOT } from "./bundle";
import { startXsWorker } from "./worker";

export interface XsCaseReport {
  name: string;
  status: "pass" | "fail" | "skip";
  message?: string;
  /** How long the case ran inside XS (its subtests not included). */
  ms?: number;
}

/**
 * At most this many test files go into one bundle. esbuild hoists every module's top-level
 * bindings into one scope, and XS gives that scope's frame its slots on the stack: a bundle of
 * all ~200 portable files overflowed xsnap's stack while loading ("exited: stack overflow"), and
 * by 2026-12-02 (Plug & Charge, OTA, the -20 device flows) so did bundles of 60; 30 load.
 */
const FILES_PER_BUNDLE = 30;

/**
 * Runs `files` inside XS and returns their cases in file order. With `workers` > 1 the files
 * are dealt round-robin to that many lanes running side by side; each lane runs its files in
 * bundles of at most FILES_PER_BUNDLE, one fresh xsnap worker per bundle.
 */
export async function runXsTests(files: string[], workers = 1): Promise<{ reports: XsCaseReport[]; error?: string }> {
  const lanes = Math.max(1, Math.min(workers, files.length));
  const laneFiles = Array.from({ length: lanes }, (_, lane) => files.filter((_, i) => i % lanes === lane));
  const groups: string[][] = [];
  const laneGroups = laneFiles.map((lane) => {
    const bundles: string[][] = [];
    const count = Math.ceil(lane.length / FILES_PER_BUNDLE);
    // spread evenly: 61 files make bundles of 31 and 30, not 60 and 1
    for (let b = 0; b < count; b++) bundles.push(lane.filter((_, i) => i % count === b));
    groups.push(...bundles);
    return bundles;
  });
  const laneResults = await Promise.all(
    laneGroups.map(async (bundles) => {
      const out: { reports: XsCaseReport[]; error?: string }[] = [];
      for (const bundle of bundles) out.push(await runInOneWorker(bundle));
      return out;
    }),
  );
  const results = laneResults.flat();
  const order = new Map(files.map((f, i) => [f, i]));
  const fileIndex = (r: XsCaseReport): number => order.get(r.name.split(" > ", 1)[0]) ?? files.length;
  const reports = results.flatMap((r) => r.reports).sort((a, b) => fileIndex(a) - fileIndex(b));
  const errors = results.flatMap((r, i) => (r.error ? [groups.length > 1 ? `${r.error} (worker of ${groups[i].join(", ")})` : r.error] : []));
  return { reports, error: errors.length > 0 ? errors.join("; ") : undefined };
}

async function runInOneWorker(files: string[]): Promise<{ reports: XsCaseReport[]; error?: string }> {
  const script = await bundleForXs(orderedImports(files));
  const worker = await startXsWorker("xs15118-tests");
  try {
    await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(ROOT)};`);
    await worker.evaluate(script);
    await worker.evaluate("globalThis.__xsRunTests()");
    const all = worker.reports as { name: string; status: string; message?: string }[];
    const done = all.some((r) => r.status === "done");
    const reports = all.filter((r) => r.status !== "done") as XsCaseReport[];
    return { reports, error: done ? undefined : "the XS test run did not finish (an exception escaped or a promise never settled)" };
  } catch (error) {
    return { reports: worker.reports as XsCaseReport[], error: `XS evaluation failed: ${String(error)}` };
  } finally {
    await worker.close();
  }
}

/**
 * ES module imports are hoisted, so the file name that prefixes each file's cases is set by a
 * tiny virtual module imported just before that file (modules evaluate in import order).
 */
function orderedImports(files: string[]): string {
  return files.map((f) => `import "xs-file:${f}";\nimport "./${f}";`).join("\n");
}
