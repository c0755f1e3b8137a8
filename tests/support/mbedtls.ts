// mbedTLS for the native TLS tests (hosts/native-tls): where a build of it is, and the harness
// compiled against it. mbedTLS is not part of the project: the tests skip cleanly where no build
// is found. Two majors: 3.6 ($XS15118_MBEDTLS, or /opt/mbedtls-3.6/install) and 4.0 with
// TF-PSA-Crypto, the one ESP-IDF v6.0 ships ($XS15118_MBEDTLS4, or /opt/mbedtls-4.0/install):
// each a prefix with include/mbedtls/ssl.h and lib/libmbedtls.a, built with
// MBEDTLS_PLATFORM_MEMORY; see hosts/native-tls/README.md.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

// The runner (tools/run-tests.js) runs from the repository root.
const REPO = process.cwd();

export type MbedtlsMajor = 3 | 4;

/** The mbedTLS prefix of that major (3.6 unless told), or undefined. */
export function mbedtlsPrefix(major: MbedtlsMajor = 3): string | undefined {
  const prefix = major === 3 ? (process.env.XS15118_MBEDTLS ?? "/opt/mbedtls-3.6/install") : (process.env.XS15118_MBEDTLS4 ?? "/opt/mbedtls-4.0/install");
  return fs.existsSync(path.join(prefix, "include", "mbedtls", "ssl.h")) && fs.existsSync(path.join(prefix, "lib", "libmbedtls.a")) ? prefix : undefined;
}

/** `false`, or why the native TLS tests cannot run here. */
export function mbedtlsSkip(major: MbedtlsMajor = 3): string | false {
  if (!mbedtlsPrefix(major)) return major === 3 ? "no mbedTLS 3.6 build (set XS15118_MBEDTLS to its install prefix)" : "no mbedTLS 4.0 build (set XS15118_MBEDTLS4 to its install prefix)";
  if (spawnSync("cc", ["--version"]).status !== 0) return "no C compiler (cc)";
  return false;
}

/** The static libraries of the prefix, in link order (everest and p256m exist in 3.6 builds;
 *  4.0's libmbedcrypto.a is TF-PSA-Crypto's libtfpsacrypto.a under its old name). */
export function mbedtlsLibraries(prefix: string): string[] {
  return ["libmbedtls.a", "libmbedx509.a", "libmbedcrypto.a", "libeverest.a", "libp256m.a"]
    .map((name) => path.join(prefix, "lib", name))
    .filter((file) => fs.existsSync(file));
}

/** Compiles hosts/native-tls/harness.c with the engine into `dir`; returns the program's path. */
export function buildTlsHarness(dir: string, major: MbedtlsMajor = 3): string {
  const prefix = mbedtlsPrefix(major)!;
  const out = path.join(dir, `v2g-tls-harness-${major}`);
  const source = path.join(REPO, "hosts", "native-tls");
  const result = spawnSync(
    "cc",
    ["-O2", "-Wall", "-Wextra", "-Werror", `-I${path.join(prefix, "include")}`, path.join(source, "v2g-tls.c"), path.join(source, "heap-count.c"), path.join(source, "harness.c"), "-o", out, ...mbedtlsLibraries(prefix)],
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`compiling the TLS harness failed:\n${result.stderr}`);
  return out;
}
