// @node-only — the whole firmware linked for the RP2350 (Raspberry Pi Pico 2, hosts/rp2350).
// @slow — mcconfig runs one tsc per module, then the SDK's C: ~45 minutes on a loaded 2-core machine.
//
// Built with the Moddable SDK and the Raspberry Pi Pico SDK as hosts/rp2350/README.md says.
// Runs only where $MODDABLE names an SDK with its tools on the PATH and $PICO_SDK_DIR a Pico SDK
// 2.2.0 with its pioasm built, beside pico-extras and a configured pico-examples (the Moddable
// pico makefile reads its generated headers), with arm-none-eabi-gcc under $PICO_GCC_ROOT
// (default /usr) and picotool at $PICOTOOL; elsewhere it skips and says what is missing. The
// build goes to a temporary directory (removed afterwards).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectProblems, run } from "../support/moddable-build";

const ROOT = process.cwd();
const env = process.env;
const PICO_SDK_DIR = env.PICO_SDK_DIR ?? "";
const PICO_ROOT = env.PICO_ROOT ?? path.dirname(PICO_SDK_DIR);
const PICO_GCC_ROOT = env.PICO_GCC_ROOT ?? "/usr";
const PICOTOOL = env.PICOTOOL ?? path.join(PICO_SDK_DIR, "build/_deps/picotool/picotool");

function skipReason(): string | false {
  if (!env.MODDABLE) return "$MODDABLE is not set: no Moddable SDK";
  if (spawnSync("which", ["mcconfig"]).status !== 0) return "mcconfig is not on the PATH";
  if (!PICO_SDK_DIR || !fs.existsSync(path.join(PICO_SDK_DIR, "pico_sdk_version.cmake"))) return "$PICO_SDK_DIR does not name a Pico SDK";
  const needed: [string, string][] = [
    [path.join(PICO_SDK_DIR, "build/pioasm/pioasm"), "pioasm (built in $PICO_SDK_DIR/build/pioasm)"],
    [path.join(PICO_SDK_DIR, "lib/tinyusb/src"), "the Pico SDK's tinyusb submodule"],
    [path.join(PICO_ROOT, "pico-extras"), "pico-extras beside the Pico SDK"],
    [path.join(PICO_ROOT, "pico-examples/build/generated/pico_base"), "a configured pico-examples (cmake -B build) beside the Pico SDK"],
    [path.join(PICO_GCC_ROOT, "bin/arm-none-eabi-gcc"), "arm-none-eabi-gcc under $PICO_GCC_ROOT"],
    [PICOTOOL, "picotool ($PICOTOOL)"],
  ];
  for (const [file, what] of needed) if (!fs.existsSync(file)) return `no ${what}: ${file}`;
  return false;
}

/** The Pico SDK's version from its CMake file (a release archive is not a git checkout). */
function sdkVersion(): string {
  const text = fs.readFileSync(path.join(PICO_SDK_DIR, "pico_sdk_version.cmake"), "utf8");
  const part = (name: string) => /(\d+)/.exec(new RegExp(`set\\(PICO_SDK_VERSION_${name}\\s+(\\d+)`).exec(text)?.[1] ?? "")?.[1] ?? "0";
  return `${part("MAJOR")}.${part("MINOR")}.${part("REVISION")}`;
}

const skip = skipReason();

test("the whole firmware links for the Raspberry Pi Pico 2 and fits its flash and RAM", { skip, timeout: 60 * 60_000 }, async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-rp2350-"));
  t.after(() => fs.rmSync(out, { recursive: true, force: true }));
  const pico = { PICO_ROOT, PICO_SDK_DIR, PICO_GCC_ROOT, PICO_EXTRAS_DIR: path.join(PICO_ROOT, "pico-extras"), PICO_EXAMPLES_DIR: path.join(PICO_ROOT, "pico-examples") };
  const configured = await run("mcconfig", ["-p", "pico/pico_2", "-o", out, "./manifest.json"], { env: pico });
  assert.equal(configured.status, 0, configured.output);
  const makefile = path.join(out, "tmp/pico/pico_2/release", path.basename(ROOT), "makefile");
  // SHELL: the SDK's version check uses `[[`, which Debian's /bin/sh (dash) lacks.
  // PICO_SDK_VERSION: the makefile asks git, and a release archive has no .git.
  const built = await run("make", ["-j2", "-f", makefile, "SHELL=/bin/bash", `PICO_SDK_VERSION=${sdkVersion()}`, `UF2CONV=${PICOTOOL}`, "build"], { env: pico });
  assert.equal(built.status, 0, built.output.slice(-4000));
  assert.deepEqual(projectProblems(built.output, ROOT), []);

  const elf = path.join(out, "bin/pico/pico_2/release", path.basename(ROOT), "xs_pico.elf");
  assert.ok(fs.existsSync(elf), `no ${elf}`);
  assert.ok(fs.existsSync(elf.replace(/\.elf$/, ".uf2")), "no .uf2 for the BOOTSEL drive");
  const size = spawnSync(path.join(PICO_GCC_ROOT, "bin/arm-none-eabi-size"), [elf]).stdout.toString();
  const [text, data, bss] = size.split("\n")[1].trim().split(/\s+/).map(Number);
  t.diagnostic(`xs_pico.elf: text ${text} B, data ${data} B, bss ${bss} B`);
  assert.ok(text + data <= 4 * 1024 * 1024, `flash: ${text + data} B of 4 MB`);
  assert.ok(data + bss <= 520 * 1024, `RAM: ${data + bss} B of 520 KB`);
});
