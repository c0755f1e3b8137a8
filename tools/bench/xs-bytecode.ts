// The XS byte code of modules/, as the Moddable build makes it: every module file compiled by
// the SDK's xsc (release: no debug information, `-e -o DIR -r NAME` as mcconfig's makefiles
// call it) after TypeScript is stripped (esbuild transform, ES2022; mcconfig runs tsc instead,
// which emits the same statements). The .xsb sizes are what xsl links into the firmware's
// preload image, before its own tables. Node only; needs xsc on the PATH or under $MODDABLE.
//
//   npx tsx tools/bench/xs-bytecode.ts        per folder of modules/, and the total
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";

function xscPath(): string | undefined {
  const candidates = [process.env.MODDABLE ? path.join(process.env.MODDABLE, "build/bin/lin/release/xsc") : "", "/opt/moddable/build/bin/lin/release/xsc"];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  const which = spawnSync("which", ["xsc"], { encoding: "utf8" });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/**
 * Byte-code bytes of each file (TypeScript stripped first; a .js module, which may hold host
 * functions in XS syntax, compiled as it is), or undefined without xsc.
 */
export function xsBytecodeOfFiles(files: readonly string[]): Map<string, number> | undefined {
  const xsc = xscPath();
  if (!xsc) return undefined;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-xsb-"));
  try {
    const sizes = new Map<string, number>();
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8");
      const js = file.endsWith(".ts") ? esbuild.transformSync(text, { loader: "ts", format: "esm", target: "es2022" }).code : text;
      const name = path.relative(process.cwd(), path.resolve(file)).replace(/\.(ts|js)$/, "").replace(/[\/\\.]/g, "__");
      const source = path.join(work, `${name}.js`);
      fs.writeFileSync(source, js);
      // -c: host functions (`@ "name"`) allowed, as in the build's makefiles
      const r = spawnSync(xsc, [source, ...(file.endsWith(".js") ? ["-c"] : []), "-e", "-o", work, "-r", name], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`xsc ${file}: ${r.stdout}${r.stderr}`);
      sizes.set(file, fs.statSync(path.join(work, `${name}.xsb`)).size);
    }
    return sizes;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Byte-code bytes per folder of `root` (e.g. "modules"), or undefined without xsc. */
export function xsBytecodeSizes(root = "modules"): Map<string, number> | undefined {
  const files = sourceFiles(root);
  const perFile = xsBytecodeOfFiles(files);
  if (!perFile) return undefined;
  const sizes = new Map<string, number>();
  for (const file of files) {
    const folder = path.relative(root, file).split(path.sep)[0];
    sizes.set(folder, (sizes.get(folder) ?? 0) + perFile.get(file)!);
  }
  return sizes;
}

if (process.argv[1]?.endsWith("xs-bytecode.ts")) {
  const sizes = xsBytecodeSizes();
  if (!sizes) console.log("xsc not found (set $MODDABLE or put $MODDABLE/build/bin/lin/release on the PATH)");
  else {
    let total = 0;
    for (const [folder, bytes] of [...sizes].sort((a, b) => b[1] - a[1])) {
      total += bytes;
      console.log(`modules/${folder}`.padEnd(24), String(bytes).padStart(9), "B");
    }
    console.log("modules/ (all)".padEnd(24), String(total).padStart(9), "B");
  }
}
