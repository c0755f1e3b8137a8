// `xs15118 ota key|pack|sign|serve|fetch`: makes, signs and serves signed update images (and the
// vendor's key-rotation and configuration records) for the updater of modules/ota, and fetches
// one as a device would (resuming over HTTP ranges).

import * as fs from "node:fs";
import type { Command, CliIo } from "../cli";
import { EXIT, EXIT_STATUS_HELP, UsageError, environmentError, flag, numberOption, parseOptions, parseOrExit, stringOption, choiceOption, usageError } from "./options";
import type { OptionSpec, ParsedOptions } from "./options";
import { IMAGE_HEADER_SIZE, parseImageHeader, updateKeyId } from "../../../modules/ota/index";
import { makeConfigChange, makeRotation, packImage, signImage } from "../../../simulation/ota/pack";
import type { ImageKind } from "../../../modules/ota/index";
import { fromHex, toHex } from "../../../modules/common/bytes";
import { NodeCrypto } from "../crypto/node-crypto";
import { generateKeyPem, publicKeyFromPem, signerFromPem } from "../ota/keys";
import { selfSignedLoopback, startOtaServer } from "../ota/server";
import { downloadUpdate } from "../ota/download";

const USAGE = [
  "usage: xs15118 ota key --out KEY.pem",
  "       xs15118 ota pack FILE --kind firmware|mod --version N --board ID [--security-counter N] --out IMAGE",
  "       xs15118 ota sign IMAGE --key KEY.pem [--out SIGNED]",
  "       xs15118 ota sign --rotate NEW.pem --key KEY.pem --sequence N --min-version N [--retire] [--revoke KEYID]... --out RECORD",
  "       xs15118 ota sign --revoke KEYID... --key KEY.pem --sequence N --out RECORD",
  "       xs15118 ota sign --config SETTINGS --board ID --key KEY.pem --sequence N --out RECORD",
  "       xs15118 ota serve DIR [--port N] [--cert CERT.pem --tls-key KEY.pem | --write-cert CERT.pem]",
  "       xs15118 ota fetch URL --ca CERT.pem --out FILE",
  "",
  "Signed over-the-air updates (modules/ota/README.md has the formats and the design):",
  "  key    a new ECDSA P-256 update key (PKCS#8 PEM); its key id is printed",
  "  pack   the image header (kind, board, version, anti-rollback counter, length, SHA-256) and the",
  "         payload, not yet signed (an ESP-IDF app .bin, or a mod's .xsa)",
  "  sign   signs a packed image with the vendor's update key; with --rotate a key-rotation record",
  "         (the current key signs the next one, valid from --min-version; --retire revokes the",
  "         signer), with --revoke alone a revocation record, with --config a configuration change",
  "         (name=value lines) for one board",
  "  serve  HTTPS on 127.0.0.1 with byte ranges (resumable downloads) for the files of DIR; without",
  "         --cert a self-signed certificate for 127.0.0.1 is made (--write-cert saves it for clients)",
  "  fetch  downloads URL over HTTPS trusting only --ca, resuming an interrupted transfer, and checks",
  "         the image's header and digest (not its signature: the device does that)",
  "",
  EXIT_STATUS_HELP,
].join("\n");

const OPTIONS: readonly OptionSpec[] = [
  { name: "--out", value: "FILE" },
  { name: "--kind", value: "KIND" },
  { name: "--version", value: "N" },
  { name: "--board", value: "ID" },
  { name: "--security-counter", value: "N" },
  { name: "--key", value: "KEY.pem" },
  { name: "--rotate", value: "NEW.pem" },
  { name: "--sequence", value: "N" },
  { name: "--min-version", value: "N" },
  { name: "--retire" },
  { name: "--revoke", value: "KEYID", repeatable: true },
  { name: "--config", value: "SETTINGS" },
  { name: "--port", value: "N" },
  { name: "--cert", value: "CERT.pem" },
  { name: "--tls-key", value: "KEY.pem" },
  { name: "--write-cert", value: "CERT.pem" },
  { name: "--ca", value: "CERT.pem" },
];

const U32 = 0xffffffff;

function required(parsed: ParsedOptions, name: string): string {
  const v = stringOption(parsed, name);
  if (v === undefined) throw new UsageError("ota", `${name} is required`);
  return v;
}

function requiredNumber(parsed: ParsedOptions, name: string): number {
  const n = numberOption("ota", parsed, name, 0, U32, true);
  if (n === undefined) throw new UsageError("ota", `${name} is required`);
  return n;
}

function keyId(hex: string): Uint8Array {
  const id = fromHex(hex);
  if (!id || id.length !== 8) throw new UsageError("ota", `--revoke ${hex}: a key id is 16 hex digits`);
  return id;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parseOrExit(io, () => {
    if (sub === undefined || ["key", "pack", "sign", "serve", "fetch"].indexOf(sub) < 0) throw new UsageError("ota", `unknown subcommand ${sub ?? "(none)"}: key, pack, sign, serve or fetch`);
    return parseOptions("ota", rest, OPTIONS, { positionals: "any" });
  });
  if (typeof parsed === "number") return parsed;
  const file = (name: string) => {
    try {
      return fs.readFileSync(name);
    } catch (error) {
      throw new EnvironmentFailure(`cannot read ${name}: ${(error as Error).message}`);
    }
  };
  const write = (name: string, data: Uint8Array | string) => {
    try {
      fs.writeFileSync(name, data);
    } catch (error) {
      throw new EnvironmentFailure(`cannot write ${name}: ${(error as Error).message}`);
    }
  };
  try {
    const exact = (n: number) => {
      if (parsed.positionals.length !== n) throw new UsageError("ota", `ota ${sub} takes ${n} argument${n === 1 ? "" : "s"}`);
    };
    if (sub === "key") {
      exact(0);
      const out = required(parsed, "--out");
      const pem = generateKeyPem();
      write(out, pem);
      io.out(`update key ${toHex(updateKeyId(new NodeCrypto(), publicKeyFromPem(pem)))} written to ${out}`);
      return EXIT.ok;
    }
    if (sub === "pack") {
      exact(1);
      const kind = choiceOption<ImageKind>("ota", parsed, "--kind", ["firmware", "mod"], "image kind");
      if (kind === undefined) throw new UsageError("ota", "--kind is required");
      const options = { kind, version: requiredNumber(parsed, "--version"), board: required(parsed, "--board"), securityCounter: numberOption("ota", parsed, "--security-counter", 0, U32, true) ?? 0 };
      const out = required(parsed, "--out");
      const payload = new Uint8Array(file(parsed.positionals[0]));
      let image: Uint8Array;
      try {
        image = packImage(options, payload, new Uint8Array(8));
      } catch (error) {
        throw new UsageError("ota", (error as Error).message);
      }
      write(out, image);
      io.out(`${kind} ${options.version} for ${options.board}: ${payload.length} bytes, SHA-256 ${toHex(image.subarray(52, 84))}, unsigned → ${out}`);
      return EXIT.ok;
    }
    if (sub === "sign") {
      const signer = signerFromPem(file(required(parsed, "--key")).toString("utf8"));
      const signerId = toHex(updateKeyId(signer.crypto, signer.publicKey));
      const revoked = (parsed.lists.get("--revoke") ?? []).map(keyId);
      const rotate = stringOption(parsed, "--rotate");
      const config = stringOption(parsed, "--config");
      if (rotate !== undefined || (revoked.length > 0 && config === undefined && parsed.positionals.length === 0)) {
        exact(0);
        const out = required(parsed, "--out");
        const newKey = rotate === undefined ? undefined : publicKeyFromPem(file(rotate).toString("utf8"));
        const record = makeRotation({ sequence: requiredNumber(parsed, "--sequence"), minVersion: numberOption("ota", parsed, "--min-version", 0, U32, true) ?? 0, newKey, retireSigner: flag(parsed, "--retire"), revoked }, signer);
        write(out, record);
        io.out(`key record signed by ${signerId}${newKey ? `: new key ${toHex(updateKeyId(signer.crypto, newKey))}` : ""}${revoked.length ? `, revokes ${revoked.map(toHex).join(" ")}` : ""} → ${out}`);
        return EXIT.ok;
      }
      if (config !== undefined) {
        exact(0);
        const out = required(parsed, "--out");
        const record = makeConfigChange(requiredNumber(parsed, "--sequence"), required(parsed, "--board"), new Uint8Array(file(config)), signer);
        write(out, record);
        io.out(`configuration change signed by ${signerId} → ${out}`);
        return EXIT.ok;
      }
      exact(1);
      const input = new Uint8Array(file(parsed.positionals[0]));
      let header;
      try {
        header = parseImageHeader(input);
      } catch (error) {
        io.err(`xs15118 ota: ${parsed.positionals[0]}: ${(error as Error).message}`);
        return EXIT.failed;
      }
      if (input.length !== IMAGE_HEADER_SIZE + header.length) {
        io.err(`xs15118 ota: ${parsed.positionals[0]}: ${input.length - IMAGE_HEADER_SIZE} payload bytes, the header says ${header.length}`);
        return EXIT.failed;
      }
      const out = stringOption(parsed, "--out") ?? parsed.positionals[0];
      write(out, signImage(input, signer));
      io.out(`${header.kind} ${header.version} signed by ${signerId} → ${out}`);
      return EXIT.ok;
    }
    if (sub === "serve") {
      exact(1);
      const cert = stringOption(parsed, "--cert");
      const tlsKey = stringOption(parsed, "--tls-key");
      if ((cert === undefined) !== (tlsKey === undefined)) throw new UsageError("ota", "--cert and --tls-key go together");
      const credentials = cert && tlsKey ? { cert: file(cert).toString("utf8"), key: file(tlsKey).toString("utf8") } : selfSignedLoopback();
      const writeCert = stringOption(parsed, "--write-cert");
      if (writeCert) write(writeCert, credentials.cert);
      let server;
      try {
        server = await startOtaServer({ dir: parsed.positionals[0], port: numberOption("ota", parsed, "--port", 0, 65535, true), credentials, log: (line) => io.out(line) });
      } catch (error) {
        return environmentError(io, "ota", `cannot serve: ${(error as Error).message}`);
      }
      io.out(`serving ${parsed.positionals[0]} on ${server.url}/ (Ctrl-C stops)`);
      await new Promise<void>((resolve) => process.once("SIGINT", resolve).once("SIGTERM", resolve));
      await server.close();
      return EXIT.ok;
    }
    // fetch
    exact(1);
    const out = required(parsed, "--out");
    const ca = file(required(parsed, "--ca")).toString("utf8");
    const sink = new FileSink();
    const result = await downloadUpdate(parsed.positionals[0], sink, { ca, log: (line) => io.err(line) });
    if (result.status !== "verified") {
      io.err(`xs15118 ota: ${parsed.positionals[0]}: ${result.status === "refused" ? result.message : result.status === "interrupted" ? result.why : result.status}`);
      return EXIT.failed;
    }
    write(out, sink.bytes());
    io.out(`${sink.header!.kind} ${sink.header!.version} for ${sink.header!.board}: ${sink.header!.length} bytes, digest verified → ${out}`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error);
    if (error instanceof EnvironmentFailure) return environmentError(io, "ota", error.message);
    throw error;
  }
}

class EnvironmentFailure extends Error {}

/** `ota fetch`: collects the image in memory, checking the header's digest at the end. */
class FileSink {
  readonly #parts: Uint8Array[] = [];
  #length = 0;
  header: ReturnType<typeof parseImageHeader> | undefined;

  downloadFrom(): number {
    return this.#length;
  }

  receive(chunk: Uint8Array): import("../../../modules/ota/index").ReceiveResult {
    this.#parts.push(chunk.slice());
    this.#length += chunk.length;
    if (this.header === undefined && this.#length >= IMAGE_HEADER_SIZE) {
      try {
        this.header = parseImageHeader(this.bytes());
      } catch (error) {
        return { status: "refused", reason: "malformed", message: (error as Error).message };
      }
    }
    if (this.header === undefined || this.#length < IMAGE_HEADER_SIZE + this.header.length) return { status: "more" };
    const digest = new NodeCrypto().digest("SHA-256", this.bytes().subarray(IMAGE_HEADER_SIZE, IMAGE_HEADER_SIZE + this.header.length));
    return toHex(digest) === toHex(this.header.digest) ? { status: "verified" } : { status: "refused", reason: "digest-mismatch", message: "payload does not match the header's SHA-256" };
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.#parts);
  }
}

const command: Command = { summary: "signed over-the-air updates: make a key, pack, sign (images, key rotation, configuration), serve over HTTPS with ranges, fetch", usage: USAGE, run };
export default command;
