// `xs15118 pki init DIR [--profile iso2,iso20,iso20-ed448]`: a complete test PKI
// (hosts/sim/pki/test-pki.ts) written as PEM and DER (hosts/sim/pki/files.ts).

import type { Command } from "../cli";
import { NodeCrypto } from "../crypto/node-crypto";
import { createTestPki, TEST_PKI_PROFILES, type TestPkiProfile } from "../pki/test-pki";
import { writeTestPki } from "../pki/files";
import { EXIT, EXIT_STATUS_HELP, UsageError, parseOptions, usageError } from "./options";

const USAGE = [
  "usage: xs15118 pki init DIR [--profile LIST]",
  "",
  "Creates a test PKI as ISO 15118 lays it out, one folder per profile (default: all):",
  "  iso2         ECDSA secp256r1 / SHA-256 (ISO 15118-2)",
  "  iso20        ECDSA secp521r1 / SHA-512 (ISO 15118-20)",
  "  iso20-ed448  Ed448 (ISO 15118-20)",
  "Each holds V2G root → CPO Sub-CA 1 → Sub-CA 2 → SECC leaf (DC=CPO), V2G root → CPS Sub-CA 1 →",
  "Sub-CA 2 → CPS leaf, OEM root → OEM Sub-CA 1 → Sub-CA 2 → provisioning certificate, MO root →",
  "MO Sub-CA 1 → Sub-CA 2 → contract certificate (CN = eMAID): <name>.pem/.der, <name>.key.pem",
  "(PKCS#8, unencrypted), <leaf>-chain.pem and pki.json. Check with",
  "  openssl verify -CAfile DIR/iso2/v2g-root.pem -untrusted DIR/iso2/secc-chain.pem DIR/iso2/secc.pem",
  "",
  EXIT_STATUS_HELP,
].join("\n");

const command: Command = {
  summary: "create a test PKI (V2G, CPO, CPS, OEM, MO hierarchies) for ISO 15118-2 and -20",
  usage: USAGE,
  run(args, io) {
    let dir: string;
    let profiles: TestPkiProfile[];
    try {
      const parsed = parseOptions("pki", args, [{ name: "--profile", value: "LIST", synonyms: ["--profiles"] }], { positionals: 2, positionalName: "init DIR" });
      const [action, target] = parsed.positionals;
      if (action !== "init") throw new UsageError("pki", action === undefined ? "expected: pki init DIR" : `unknown action '${action}' (init)`);
      if (target === undefined) throw new UsageError("pki", "expected a directory: pki init DIR");
      dir = target;
      const list = parsed.values.get("--profile");
      profiles = typeof list === "string" ? (list.split(",").map((p) => p.trim()) as TestPkiProfile[]) : [...TEST_PKI_PROFILES];
      const unknown = profiles.find((p) => TEST_PKI_PROFILES.indexOf(p) < 0);
      if (unknown !== undefined) throw new UsageError("pki", `unknown profile '${unknown}' (${TEST_PKI_PROFILES.join(", ")})`);
      for (const w of parsed.warnings) io.err(w);
    } catch (error) {
      if (error instanceof UsageError) return usageError(io, error);
      throw error;
    }
    const crypto = new NodeCrypto();
    const now = Math.floor(Date.now() / 1000);
    try {
      for (const profile of profiles) {
        const files = writeTestPki(dir, profile, createTestPki({ crypto, profile, now }));
        io.out(`${profile}: ${files.length} files in ${dir}/${profile}`);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "ENOTDIR" || code === "EEXIST" || code === "EROFS") {
        io.err(`xs15118 pki: cannot write to ${dir}: ${(error as Error).message}`);
        return EXIT.environment;
      }
      throw error;
    }
    return EXIT.ok;
  },
};

export default command;
