// @node-only @slow — hosts/esp32's C compiled against ESP-IDF's own headers (FreeRTOS, spi_master,
// gpio, app_update, lwIP, mbedTLS 4 / TF-PSA-Crypto) with the include paths and definitions the
// Moddable SDK's esp32 makefile gives it. ESP-IDF's Xtensa toolchain cannot be had here, so
// Debian's arm-none-eabi-gcc (32-bit, little-endian, newlib, like the ESP32's) compiles each file
// to assembly at -O2 with the Xtensa predefines; it does not assemble (the headers' inline
// assembly is Xtensa's). Needs $XS15118_ESP_IDF_SRC (hosts/esp32/README.md, "Compiling against
// ESP-IDF"), $MODDABLE with mcconfig on the PATH, and arm-none-eabi-gcc; skips and says which is
// missing elsewhere. mcconfig writes only the makefile (< 1 s); nothing is built with the SDK.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CROSS_CC, ESP_IDF_SRC, XTENSA_PREDEFINES, espIdfSkip, reentShim, sdkconfigHeader } from "../support/esp-idf";

const ROOT = process.cwd();

function skipReason(): string | false {
  if (!process.env.MODDABLE) return "$MODDABLE is not set: no Moddable SDK (its esp32 makefile gives the include paths)";
  if (spawnSync("which", ["mcconfig"]).status !== 0) return "mcconfig is not on the PATH";
  return espIdfSkip();
}

/** A make variable of the generated makefile, expanded with IDF_PATH at the ESP-IDF sources. */
function makeVariable(makefile: string, name: string): string[] {
  const result = spawnSync(
    "make",
    ["-f", makefile, "--no-print-directory", `IDF_PATH=${ESP_IDF_SRC}`, "IDF_VERSION=v6.0", "--eval", `xs15118-print: ; @echo $(${name})`, "xs15118-print"],
    { encoding: "utf8", cwd: path.dirname(makefile) },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim().split(/\s+/).filter(Boolean);
}

/** The -D, -U and -I of Moddable's C_FLAGS (its Xtensa options and warning choices left out). */
function preprocessorOptions(flags: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i];
    if (flag === "-D" || flag === "-U" || flag === "-I") kept.push(flag, flags[++i]);
    else if (/^-[DUI]./.test(flag)) kept.push(flag);
  }
  return kept;
}

const skip = skipReason();

test("hosts/esp32's C compiles against ESP-IDF's headers with the Moddable esp32 build's flags", { skip, timeout: 10 * 60_000 }, (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-esp-idf-cc-"));
  t.after(() => fs.rmSync(out, { recursive: true, force: true }));
  const configured = spawnSync("mcconfig", ["-d", "-p", "esp32", "-o", out, "./manifest.json"], { encoding: "utf8", cwd: ROOT });
  assert.equal(configured.status, 0, configured.stdout + configured.stderr);
  const buildDir = path.join(out, "tmp/esp32/debug", path.basename(ROOT));
  const makefile = path.join(buildDir, "makefile");
  const text = fs.readFileSync(makefile, "utf8");

  // Our C files: the makefile's object rules whose source is in this repository.
  const sources = [...text.matchAll(/^\$\(TMP_DIR\)\/\S+\.c\.o: (\S+\.c)/gm)].map((m) => m[1]).filter((file) => file.startsWith(ROOT + path.sep));
  const expected = ["hosts/esp32/ota/ota-boot.c", "hosts/esp32/ota/update-crypto.c", "hosts/esp32/qca7000/qca7000-frame.c", "hosts/esp32/qca7000/qca7000-netif.c", "hosts/native-net/sockets-xs.c", "hosts/native-net/v2g-sockets.c", "hosts/native-tls/heap-count.c", "hosts/native-tls/v2g-tls.c", "hosts/native-tls/xs-tls.c"];
  assert.deepEqual(sources.map((file) => path.relative(ROOT, file)).sort(), expected);

  // What idf.py and xsl would have generated: sdkconfig.h (the build's merged sdkconfig.mc over
  // ESP-IDF's defaults), mc.xs.h (the xsID_ names our C uses), and the newlib stand-in.
  const generated = path.join(out, "generated");
  fs.mkdirSync(path.join(generated, "sys"), { recursive: true });
  const merged = path.join(buildDir, "xsProj-esp32/sdkconfig.mc");
  fs.writeFileSync(path.join(generated, "sdkconfig.h"), sdkconfigHeader(fs.existsSync(merged) ? fs.readFileSync(merged, "utf8") : ""));
  const ids = new Set(sources.flatMap((file) => [...fs.readFileSync(file, "utf8").matchAll(/\bxsID_\w+/g)].map((m) => m[0])));
  fs.writeFileSync(path.join(generated, "mc.xs.h"), [...ids].map((id, i) => `#define ${id} ${i + 1}`).join("\n") + "\n");
  fs.writeFileSync(path.join(generated, "sys/reent.h"), reentShim());

  const options = [
    ...XTENSA_PREDEFINES,
    `-I${generated}`,
    ...makeVariable(makefile, "C_DEFINES"),
    ...makeVariable(makefile, "C_INCLUDES"),
    ...preprocessorOptions(makeVariable(makefile, "C_FLAGS")),
  ];
  // The mbedTLS 4 / TF-PSA-Crypto include paths come from hosts/esp32/ota/manifest.json.
  assert.ok(options.some((o) => o.endsWith("/components/mbedtls/mbedtls/tf-psa-crypto/include")), "the manifest's mbedTLS include paths are in C_FLAGS");

  const report: string[] = [];
  for (const source of sources) {
    const result = spawnSync(
      CROSS_CC,
      ["-S", "-O2", "-std=gnu17", "-mcpu=cortex-m4", "-Wall", "-Wextra", "-Werror=implicit-function-declaration", ...options, source, "-o", path.join(out, path.basename(source) + ".s")],
      { encoding: "utf8" },
    );
    const diagnostics = result.stderr.split("\n").filter((line) => /(warning|error):/.test(line));
    const ours = diagnostics.filter((line) => line.startsWith(ROOT + path.sep));
    report.push(`${path.relative(ROOT, source)}: ${result.status === 0 ? "compiled" : "FAILED"}, ${ours.length} diagnostics in our code, ${diagnostics.length - ours.length} in ESP-IDF's headers`);
    assert.equal(result.status, 0, `${source}:\n${result.stderr}`);
    assert.deepEqual(ours, [], `${source}: warnings in our code`);
  }
  console.log(`ESP-IDF at ${ESP_IDF_SRC} with ${CROSS_CC}:\n  ${report.join("\n  ")}`);

  // The mbedTLS the native TLS engine sees on the board: ESP-IDF's mbedtls/esp_config.h over this
  // build's sdkconfig (hosts/native-tls/mbedtls-config.h names it, as ESP-IDF's CMake does for
  // its own library). mbedTLS 4 without static ECDH, with what -2 and -20 need.
  const defined = spawnSync(CROSS_CC, ["-E", "-dM", "-std=gnu17", "-mcpu=cortex-m4", ...options, path.join(ROOT, "hosts/native-tls/v2g-tls.c")], { encoding: "utf8" });
  assert.equal(defined.status, 0, defined.stderr);
  const macro = (name: string) => new RegExp(`^#define ${name}(?: (.*))?$`, "m").exec(defined.stdout);
  assert.equal(macro("MBEDTLS_VERSION_MAJOR")?.[1], "4");
  for (const name of ["MBEDTLS_SSL_PROTO_TLS1_2", "MBEDTLS_SSL_PROTO_TLS1_3", "MBEDTLS_SSL_SRV_C", "MBEDTLS_SSL_CLI_C", "MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED", "MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED", "MBEDTLS_SSL_KEEP_PEER_CERTIFICATE", "MBEDTLS_X509_CRT_PARSE_C", "MBEDTLS_PLATFORM_MEMORY", "PSA_WANT_ECC_SECP_R1_256", "PSA_WANT_ECC_SECP_R1_521", "PSA_WANT_ALG_GCM", "PSA_WANT_ALG_CBC_NO_PADDING", "PSA_WANT_ALG_SHA_384"]) {
    assert.ok(macro(name), `the engine needs ${name} in ESP-IDF's mbedTLS configuration`);
  }
  assert.equal(macro("MBEDTLS_KEY_EXCHANGE_ECDH_ECDSA_ENABLED"), null, "mbedTLS 4 has no static ECDH");
  // ESP-IDF's Kconfig leaves TLS 1.3 and ChaCha20-Poly1305 off by default (the stand-in above has
  // TLS 1.3 on): the firmware's own sdkconfig must turn them on (hosts/native-tls/README.md), or an
  // ESP-IDF build stops at the engine's #error (TLS 1.3) or -20 offers AES-256-GCM alone.
  const sdkconfig = fs.readFileSync("hosts/esp32/sdkconfig/sdkconfig.defaults", "utf8");
  const unset = ["CONFIG_MBEDTLS_SSL_PROTO_TLS1_3", "CONFIG_MBEDTLS_CHACHA20_C", "CONFIG_MBEDTLS_CHACHAPOLY_C"].filter((name) => !new RegExp(`^${name}=y$`, "m").test(sdkconfig));
  assert.deepEqual(unset, [], "hosts/esp32/sdkconfig/sdkconfig.defaults must turn these on");
  const optional = ["PSA_WANT_ECC_MONTGOMERY_448", "PSA_WANT_ALG_CHACHA20_POLY1305", "MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE"];
  console.log(`native TLS on ESP-IDF's mbedTLS ${macro("MBEDTLS_VERSION_STRING")?.[1]?.replace(/"/g, "")}: ${optional.map((name) => `${name} ${macro(name) ? "on" : "off"}`).join(", ")}`);
});
