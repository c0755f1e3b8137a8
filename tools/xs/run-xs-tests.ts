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
 * Runs `files` inside XS and returns their cases in file order. With `workers` > 1 the files
 * are dealt round-robin to that many xsnap workers (one bundle each) running side by side.
 */
export async function runXsTests(files: string[], workers = 1): Promise<{ reports: XsCaseReport[]; error?: string }> {
  const lanes = Math.max(1, Math.min(workers, files.length));
  const groups = Array.from({ length: lanes }, (_, lane) => files.filter((_, i) => i % lanes === lane));
  const results = await Promise.all(groups.map((group) => runInOneWorker(group)));
  const order = new Map(files.map((f, i) => [f, i]));
  const fileIndex = (r: XsCaseReport): number => order.get(r.name.split(" > ", 1)[0]) ?? files.length;
  const reports = results.flatMap((r) => r.reports).sort((a, b) => fileIndex(a) - fileIndex(b));
  const errors = results.flatMap((r, i) => (r.error ? [lanes > 1 ? `${r.error} (worker of ${groups[i].join(", ")})` : r.error] : []));
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
