// The update server of `xs15118 ota serve`: HTTPS on 127.0.0.1 with byte ranges (RFC 9110
// §14), so a device resumes a download after a power cut with `Range: bytes=N-`. Without a
// certificate it makes a self-signed one for 127.0.0.1 (P-256, subjectAltName IP) that a test
// pins as the client's only trust anchor.

import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { NodeCrypto } from "../crypto/node-crypto";
import { encodeName, encodePublicKey } from "../pki/certificate-builder";
import * as der from "../pki/der-writer";
import { pem } from "../pki/files";
import { privateKeyObject } from "../pki/files";
import { ecdsaSignatureToDer } from "../../../simulation/pki/der-writer";

export interface TlsCredentials {
  cert: string;
  key: string;
}

/** A self-signed P-256 certificate for 127.0.0.1, valid for a day. */
export function selfSignedLoopback(now = Date.now()): TlsCredentials {
  const crypto = new NodeCrypto();
  const key = crypto.generateSigningKey("ECDSA-P256-SHA256");
  const algorithm = der.sequence(der.oid("1.2.840.10045.4.3.2")); // ecdsa-with-SHA256
  const name = encodeName({ commonName: "127.0.0.1", organization: "xs15118 update server (test)" });
  // subjectAltName (RFC 5280 §4.2.1.6): iPAddress [7] 127.0.0.1, what a TLS client checks for an IP host.
  const san = der.sequence(der.oid("2.5.29.17"), der.octetString(der.sequence(der.tlv(0x87, Uint8Array.of(127, 0, 0, 1)))));
  const seconds = Math.floor(now / 1000);
  const tbs = der.sequence(
    der.explicit(0, der.unsignedInteger(2)),
    der.unsignedInteger(crypto.randomBytes(8).map((b, i) => (i === 0 ? b & 0x7f : b))),
    algorithm,
    name,
    der.sequence(der.time(seconds - 3600), der.time(seconds + 86_400)),
    name,
    encodePublicKey("ECDSA-P256-SHA256", key.publicKey),
    der.explicit(3, der.sequence(san)),
  );
  const signature = ecdsaSignatureToDer(crypto.sign("ECDSA-P256-SHA256", key.privateKey, tbs));
  const cert = der.sequence(tbs, algorithm, der.bitString(signature));
  return { cert: pem("CERTIFICATE", cert), key: privateKeyObject("ECDSA-P256-SHA256", key.privateKey).export({ format: "pem", type: "pkcs8" }).toString() };
}

export interface OtaServerOptions {
  /** The folder whose files are served (images, key records, configuration records). */
  dir: string;
  port?: number;
  credentials: TlsCredentials;
  /** Test hook: each response is cut off (the socket destroyed) after this many body bytes. */
  cutAfter?: (request: number) => number | undefined;
  log?(line: string): void;
}

export interface OtaServer {
  url: string;
  port: number;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** Parses `bytes=N-` or `bytes=N-M` against a file of `size` bytes; undefined when unsatisfiable. */
export function parseRange(header: string, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start < size && start <= end ? { start, end } : undefined;
}

export function startOtaServer(options: OtaServerOptions): Promise<OtaServer> {
  let requests = 0;
  const log = options.log ?? (() => {});
  const root = path.resolve(options.dir);
  const server = https.createServer({ ...options.credentials, minVersion: "TLSv1.2" }, (req, res) => {
    const number = requests++;
    const name = decodeURIComponent((req.url ?? "/").split("?")[0]).replace(/^\/+/, "");
    const file = path.resolve(root, name);
    if (req.method !== "GET" || !file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(req.method === "GET" ? 404 : 405).end();
      log(`${req.method} /${name}: ${res.statusCode}`);
      return;
    }
    const size = fs.statSync(file).size;
    let start = 0;
    let end = size - 1;
    const range = req.headers.range;
    if (range !== undefined) {
      const r = parseRange(range, size);
      if (r === undefined) {
        res.writeHead(416, { "Content-Range": `bytes */${size}` }).end();
        log(`GET /${name} ${range}: 416`);
        return;
      }
      ({ start, end } = r);
      res.writeHead(206, { "Content-Range": `bytes ${start}-${end}/${size}`, "Content-Length": end - start + 1, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream" });
    } else {
      res.writeHead(200, { "Content-Length": size, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream" });
    }
    log(`GET /${name} bytes ${start}-${end}/${size}: ${res.statusCode}`);
    const body = fs.readFileSync(file).subarray(start, end + 1);
    const cut = options.cutAfter?.(number);
    if (cut !== undefined && cut < body.length) {
      res.write(body.subarray(0, cut), () => res.destroy());
      return;
    }
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `https://127.0.0.1:${port}`,
        port,
        get requests() {
          return requests;
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
