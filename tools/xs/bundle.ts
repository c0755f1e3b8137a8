// Bundles TypeScript for the XS engine with esbuild: one classic script, no imports left.
//
// Tests import "node:test" and "node:assert/strict"; inside XS those resolve to our own small
// implementations (tests/harness/xs-node-test.ts, xs-assert.ts), and tests/support/host-node
// (file access through node:fs) becomes tests/support/host-xs (file access through the
// worker's issueCommand). Anything else from Node fails the bundle, so a test that needs Node
// must say `// @node-only` on its first line.

import * as esbuild from "esbuild";
import * as path from "node:path";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const XS_ALIASES: Record<string, string> = {
  "node:test": path.join(ROOT, "tests/harness/xs-node-test.ts"),
  "node:assert/strict": path.join(ROOT, "tests/harness/xs-assert.ts"),
  "node:assert": path.join(ROOT, "tests/harness/xs-assert.ts"),
};

const xsAliasPlugin: esbuild.Plugin = {
  name: "xs-aliases",
  setup(build) {
    build.onResolve({ filter: /^node:(test|assert)/ }, (args) => {
      const target = XS_ALIASES[args.path];
      return target ? { path: target } : { errors: [{ text: `${args.path} is not available inside XS` }] };
    });
    // "xs-file:<name>" marks where a test file's cases begin (see run-xs-tests.ts).
    build.onResolve({ filter: /^xs-file:/ }, (args) => ({ path: args.path.slice(8), namespace: "xs-file" }));
    build.onLoad({ filter: /.*/, namespace: "xs-file" }, (args) => ({
      contents: `globalThis.__xsCurrentFile = ${JSON.stringify(args.path)};`,
      loader: "js",
    }));
    build.onResolve({ filter: /host-node$/ }, (args) => ({
      path: path.join(path.resolve(args.resolveDir), args.path.replace(/host-node$/, "host-xs.ts")),
    }));
    // XS 13 (xsnap) evaluates a class's static field initializers before it has set up the
    // instance field initializers, so `static BASE = new Point(...)` in a class that has instance
    // fields throws "not initialized yet" (tests/harness/xs-harness.test.ts shows it). The
    // portable crypto libraries (@noble/*) do exactly that; lower their static fields to
    // assignments after the class, which is what the specification's order amounts to.
    build.onLoad({ filter: /[\\/]node_modules[\\/]@noble[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const lowered = await esbuild.transform(source, { loader: "js", format: "esm", target: "es2022", supported: { "class-static-field": false } });
      return { contents: lowered.code, loader: "js" };
    });
    build.onResolve({ filter: /^node:|^(fs|path|os|net|dgram|child_process|crypto)$/ }, (args) => ({
      errors: [{ text: `${args.path} (imported by ${args.importer}) is not available inside XS; mark the test // @node-only` }],
    }));
  },
};

/** Bundle `source` (TypeScript, resolved from the repository root) into one XS script. */
export async function bundleForXs(source: string, options?: { minify?: boolean }): Promise<string> {
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: ROOT, loader: "ts", sourcefile: "xs-entry.ts" },
    bundle: true,
    write: false,
    format: "iife",
    // XS 13 implements ES2022 syntax; keeping esbuild at es2022 leaves #private, static blocks
    // and bigint untouched so XS runs what Moddable would.
    target: "es2022",
    platform: "neutral",
    minify: options?.minify ?? false,
    keepNames: false,
    plugins: [xsAliasPlugin],
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

/** Minified size in bytes of an entry point bundled alone (for code-size figures). */
export async function minifiedSize(entry: string): Promise<number> {
  return minifiedBundleSize({ entryPoints: [path.resolve(ROOT, entry)] });
}

/** Bytes of one minified bundle of every module in `files` (each re-exported whole, as the size figures count a set of modules). */
export async function minifiedModulesSize(files: readonly string[]): Promise<number> {
  const contents = files.map((f, i) => `export * as m${i} from ${JSON.stringify(path.resolve(ROOT, f))};`).join("\n");
  return minifiedBundleSize({ stdin: { contents, resolveDir: ROOT, loader: "ts" } });
}

async function minifiedBundleSize(input: Pick<esbuild.BuildOptions, "entryPoints" | "stdin">): Promise<number> {
  const result = await esbuild.build({ ...input, bundle: true, write: false, format: "esm", target: "es2022", platform: "neutral", minify: true, logLevel: "silent" });
  return result.outputFiles[0].contents.length;
}
