// Bundles test files for XS, runs them in one xsnap worker, and returns one report per case.

import { bundleForXs, ROOT } from "./bundle";
import { startXsWorker } from "./worker";

export interface XsCaseReport {
  name: string;
  status: "pass" | "fail" | "skip";
  message?: string;
}

export async function runXsTests(files: string[]): Promise<{ reports: XsCaseReport[]; error?: string }> {
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
