// TLS on the Node host (node:tls, OpenSSL 3): the core's TlsSocket and TlsListener
// (modules/pki-store/tls.ts) with the ISO 15118 profiles.
//
//  - "iso2": TLS 1.2 only, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 on secp256r1, ECDSA-SHA256
//    signatures, server authentication only. ISO 15118-2 also lists the static-ECDH suite
//    TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256, which OpenSSL 3 does not implement: not offered
//    here (the firmware's mbedTLS has it).
//  - "iso20": TLS 1.3 only, TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256, groups
//    secp521r1 and x448, signatures ecdsa_secp521r1_sha512 and ed448; the server requests and
//    requires the client's certificate (mutual authentication). With several credentials
//    (P-521 and Ed448 chains) OpenSSL picks the one the peer's signature_algorithms allow.
//  - "iso2+iso20": both on one port (NodeTlsListener reads the ClientHello and hands the
//    connection to the -20 context when it offers TLS 1.3, else to the -2 one); as a client,
//    TLS 1.2 or 1.3 with the union of the suites (the vehicle then withdraws -20 from SAP
//    when TLS 1.2 was negotiated).
//
// Peer chains are verified by OpenSSL against `trustAnchors` (signatures, validity, CA
// constraints); the V2G-specific checks (the SECC leaf's DC=CPO, revocation) are the core's:
// PkiStore.validate on `session.peerChain`. V2G has no host names, so no name is checked.
//
// Gaps in node:tls, and what the stack does instead:
//  - middlebox-compatibility mode (RFC 8446 D.4) is always on in OpenSSL and node:tls cannot
//    clear SSL_OP_ENABLE_MIDDLEBOX_COMPAT: `middleboxCompatibility: false` is refused here.
//  - the -2 EVCC's trusted_ca_keys extension and status_request_v2 (multiple OCSP stapling)
//    are not in OpenSSL: the EVCC sends neither; the SECC sends its whole chain to a V2G root
//    and OCSP status reaches the store through the backend (isRevoked).

import * as net from "node:net";
import * as tls from "node:tls";
import type { IoCallbacks } from "../../../modules/common/io";
import { ImplementationError } from "../../../modules/common/errors";
import type {
  TlsCredentials,
  TlsListener,
  TlsListenerOptions,
  TlsSecureOptions,
  TlsSessionInfo,
  TlsSocket,
  TlsSocketOptions,
} from "../../../modules/pki-store/tls";
import { NodeTcpSocket } from "../net/tcp";
import { withZoneName } from "../net/probe";
import { pem, privateKeyObject } from "../pki/files";

const PROFILE = {
  iso2: {
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
    ciphers: "ECDHE-ECDSA-AES128-SHA256",
    ecdhCurve: "prime256v1",
    sigalgs: "ecdsa_secp256r1_sha256",
  },
  iso20: {
    minVersion: "TLSv1.3",
    maxVersion: "TLSv1.3",
    // node:tls takes the TLS 1.3 suites in `ciphers` too (names starting with TLS_); there is no
    // `ciphersuites` option (it is silently ignored: tests/pki-store/node-tls.test.ts caught that).
    ciphers: "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
    ecdhCurve: "secp521r1:X448",
    sigalgs: "ecdsa_secp521r1_sha512:ed448",
  },
} as const;

function credentialsOptions(credentials: readonly TlsCredentials[] | undefined): Pick<tls.SecureContextOptions, "cert" | "key"> {
  if (!credentials || credentials.length === 0) return {};
  return {
    cert: credentials.map((c) => c.chain.map((der) => pem("CERTIFICATE", der)).join("")),
    key: credentials.map((c) => privateKeyObject(c.key.scheme, c.key.privateKey).export({ format: "pem", type: "pkcs8" }).toString()),
  };
}

/** node:tls options for a profile and role. */
export function nodeTlsOptions(secure: TlsSecureOptions, role: "client" | "server"): tls.TlsOptions & tls.ConnectionOptions {
  if (secure.middleboxCompatibility === false) {
    throw new ImplementationError("node:tls cannot turn TLS 1.3 middlebox-compatibility mode off (OpenSSL sets it by default)");
  }
  const profile = secure.profile === "iso2+iso20" ? PROFILE.iso20 : PROFILE[secure.profile];
  if (!profile) throw new ImplementationError(`unknown TLS profile ${String(secure.profile)}`);
  if (role === "server" && !secure.credentials?.length) throw new ImplementationError("a TLS server needs credentials");
  if (role === "client" && secure.profile === "iso20" && !secure.credentials?.length) {
    throw new ImplementationError("ISO 15118-20 TLS is mutually authenticated: the client needs credentials");
  }
  if (secure.profile === "iso2+iso20") {
    if (role === "server") throw new ImplementationError("the combined profile is two contexts: see NodeTlsListener");
    // A vehicle offering both: TLS 1.2 or 1.3, the union of the suites; it withdraws -20 from
    // SAP when TLS 1.2 was negotiated.
    if (!secure.credentials?.length) throw new ImplementationError("ISO 15118-20 TLS is mutually authenticated: the client needs credentials");
    return {
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.3",
      ciphers: `${PROFILE.iso2.ciphers}:${PROFILE.iso20.ciphers}`,
      ecdhCurve: `${PROFILE.iso20.ecdhCurve}:${PROFILE.iso2.ecdhCurve}`,
      sigalgs: `${PROFILE.iso20.sigalgs}:${PROFILE.iso2.sigalgs}`,
      ...credentialsOptions(secure.credentials),
      ca: secure.trustAnchors.map((der) => pem("CERTIFICATE", der)),
      rejectUnauthorized: true,
      checkServerIdentity: () => undefined,
    };
  }
  const mutual = secure.profile === "iso20";
  return {
    ...profile,
    ...credentialsOptions(secure.credentials),
    ca: secure.trustAnchors.map((der) => pem("CERTIFICATE", der)),
    // The server asks for the client's certificate only in the -20 profile (-2: server auth only).
    requestCert: role === "server" ? mutual : undefined,
    rejectUnauthorized: role === "server" ? mutual : true,
    // No host names in V2G: the chain to the trust anchors is the check.
    checkServerIdentity: () => undefined,
    servername: undefined,
  };
}

function peerChain(socket: tls.TLSSocket): Uint8Array[] {
  const chain: Uint8Array[] = [];
  let certificate = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | Record<string, never>;
  while (certificate && "raw" in certificate && certificate.raw) {
    chain.push(new Uint8Array(certificate.raw));
    const next = certificate.issuerCertificate;
    if (!next || next === certificate || next.fingerprint256 === certificate.fingerprint256) break;
    certificate = next;
  }
  return chain;
}

function sessionInfo(socket: tls.TLSSocket): TlsSessionInfo {
  const cipher = socket.getCipher();
  const ephemeral = socket.getEphemeralKeyInfo() as { name?: string } | null;
  return {
    protocol: socket.getProtocol() as TlsSessionInfo["protocol"],
    cipherSuite: cipher.standardName ?? cipher.name,
    group: ephemeral && ephemeral.name ? ephemeral.name : undefined,
    peerChain: peerChain(socket),
  };
}

export type NodeTlsSocketOptions = TlsSocketOptions | (IoCallbacks & { from: tls.TLSSocket });

/** A TLS connection: its plaintext as a StreamSocket once the handshake is done (the first onWritable). */
export class NodeTlsSocket implements TlsSocket {
  readonly #tls: tls.TLSSocket;
  readonly #callbacks: IoCallbacks;
  #inner: NodeTcpSocket | undefined;
  #session: TlsSessionInfo | undefined;
  #closed = false;

  constructor(options: NodeTlsSocketOptions) {
    this.#callbacks = options;
    if ("from" in options) {
      this.#tls = options.from; // accepted by NodeTlsListener: handshake done
      this.#secured();
      return;
    }
    this.#tls = tls.connect({ ...nodeTlsOptions(options.secure, "client"), host: withZoneName(options.address), port: options.port });
    if (options.secure.onKeyLog) {
      const log = options.secure.onKeyLog;
      this.#tls.on("keylog", (line: Buffer) => log(line.toString("latin1").trimEnd()));
    }
    this.#tls.once("secureConnect", () => this.#secured());
    this.#tls.on("error", (error) => this.#fail(error));
    this.#tls.on("close", () => this.#fail(new Error("connection closed before the TLS handshake finished")));
  }

  get session(): TlsSessionInfo | undefined {
    return this.#session;
  }

  get remoteAddress(): string | undefined {
    return this.#tls.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#tls.remotePort;
  }

  read(): ArrayBuffer | undefined {
    return this.#inner?.read();
  }

  write(data: ArrayBuffer | ArrayBufferView): void {
    if (this.#closed) throw new Error("TLS socket closed");
    if (!this.#inner) throw new RangeError("TLS handshake not finished: wait for onWritable");
    this.#inner.write(data);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#inner) this.#inner.close();
    else this.#tls.destroy();
  }

  #secured(): void {
    if (this.#closed) return;
    this.#session = sessionInfo(this.#tls);
    this.#tls.removeAllListeners("close");
    this.#tls.removeAllListeners("error");
    // From here the TLS socket behaves as a TCP one; NodeTcpSocket gives it the core's shape.
    this.#inner = new NodeTcpSocket({
      from: this.#tls,
      onReadable: (count) => this.#callbacks.onReadable?.(count),
      onWritable: (count) => this.#callbacks.onWritable?.(count),
      onError: (error) => {
        this.#closed = true;
        this.#callbacks.onError?.(error);
      },
    });
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tls.destroy();
    this.#callbacks.onError?.(error);
  }
}

/**
 * Whether a TLS ClientHello offers TLS 1.3 (RFC 8446 §4.2.1: supported_versions lists 0x0304).
 * `record` holds at least one whole TLS record; undefined when it is not a ClientHello.
 */
export function clientHelloOffersTls13(record: Uint8Array): boolean | undefined {
  // Record: type 22 (handshake), version, length; handshake: type 1 (ClientHello), length (3).
  if (record.length < 9 || record[0] !== 0x16 || record[5] !== 0x01) return undefined;
  const end = Math.min(record.length, 5 + ((record[3] << 8) | record[4]));
  let p = 9 + 2 + 32; // legacy_version, random
  if (p >= end) return undefined;
  p += 1 + record[p]; // legacy_session_id
  if (p + 2 > end) return undefined;
  p += 2 + ((record[p] << 8) | record[p + 1]); // cipher_suites
  if (p >= end) return undefined;
  p += 1 + record[p]; // legacy_compression_methods
  if (p + 2 > end) return false; // no extensions: TLS 1.2 at most
  const extensionsEnd = Math.min(end, p + 2 + ((record[p] << 8) | record[p + 1]));
  p += 2;
  while (p + 4 <= extensionsEnd) {
    const type = (record[p] << 8) | record[p + 1];
    const length = (record[p + 2] << 8) | record[p + 3];
    p += 4;
    if (type === 0x002b) {
      const listEnd = Math.min(p + 1 + record[p], p + length, extensionsEnd);
      for (let v = p + 1; v + 2 <= listEnd; v += 2) if (record[v] === 0x03 && record[v + 1] === 0x04) return true;
      return false;
    }
    p += length;
  }
  return false;
}

/** The largest ClientHello record we wait for before choosing (a TLS record is at most 2^14 bytes). */
const MAX_CLIENT_HELLO = 5 + 16_384;

/**
 * Accepts TLS connections; onReadable counts those whose handshake has completed.
 *
 * "iso2+iso20": OpenSSL keeps one ECDSA key per context, so a P-256 (-2) and a P-521 (-20)
 * leaf cannot share one. The listener reads the ClientHello first and hands the connection to
 * the -20 context (TLS 1.3 only, mutual authentication, P-521/Ed448 leaves) when it offers
 * TLS 1.3, else to the -2 context (TLS 1.2, P-256 leaf). The credentials are split by scheme.
 */
export class NodeTlsListener implements TlsListener {
  readonly #server: net.Server;
  readonly #options: TlsListenerOptions;
  readonly #pending: tls.TLSSocket[] = [];
  #closed = false;
  /** Handshakes that failed (wrong version, suite, group or certificate), with OpenSSL's reason. */
  readonly handshakeFailures: string[] = [];
  readonly ready: Promise<void>;

  constructor(options: TlsListenerOptions) {
    this.#options = options;
    const secure = options.secure;
    let server: net.Server;
    if (secure.profile === "iso2+iso20") {
      const iso2 = this.#tlsServer({ ...secure, profile: "iso2", credentials: secure.credentials?.filter((c) => c.key.scheme === "ECDSA-P256-SHA256") });
      const iso20 = this.#tlsServer({ ...secure, profile: "iso20", credentials: secure.credentials?.filter((c) => c.key.scheme !== "ECDSA-P256-SHA256") });
      server = net.createServer({ noDelay: true }, (socket) => this.#dispatch(socket, iso2, iso20));
    } else {
      server = this.#tlsServer(secure);
    }
    this.#server = server;
    server.on("error", (error) => {
      if (this.#closed) return;
      this.close();
      this.#options.onError?.(error);
    });
    this.ready = new Promise((resolve) => server.once("listening", () => resolve()));
    server.listen({ port: options.port, host: options.address ?? "::", ipv6Only: true });
  }

  get port(): number {
    const address = this.#server.address();
    return address && typeof address === "object" ? address.port : this.#options.port;
  }

  read(callbacks: IoCallbacks): TlsSocket | undefined {
    const socket = this.#pending.shift();
    return socket ? new NodeTlsSocket({ ...callbacks, from: socket }) : undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const socket of this.#pending.splice(0)) socket.destroy();
    this.#server.close();
  }

  #tlsServer(secure: TlsSecureOptions): tls.Server {
    const server = tls.createServer(nodeTlsOptions(secure, "server"));
    if (secure.onKeyLog) {
      const log = secure.onKeyLog;
      server.on("keylog", (line: Buffer) => log(line.toString("latin1").trimEnd()));
    }
    server.on("secureConnection", (socket) => {
      if (this.#closed) {
        socket.destroy();
        return;
      }
      socket.setNoDelay(true);
      this.#pending.push(socket);
      this.#options.onReadable?.(this.#pending.length);
    });
    server.on("tlsClientError", (error) => {
      this.handshakeFailures.push(error.message);
    });
    return server;
  }

  /** Waits for the whole first record, then gives the connection to the context it asks for. */
  #dispatch(socket: net.Socket, iso2: tls.Server, iso20: tls.Server): void {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const need = buffered.length >= 5 ? 5 + buffered.readUInt16BE(3) : MAX_CLIENT_HELLO;
      if (buffered.length < Math.min(need, MAX_CLIENT_HELLO)) return;
      socket.removeListener("data", onData);
      socket.removeListener("error", onError);
      socket.pause();
      const offers13 = clientHelloOffersTls13(buffered);
      if (offers13 === undefined) {
        this.handshakeFailures.push("the first record is not a TLS ClientHello");
        socket.destroy();
        return;
      }
      socket.unshift(buffered);
      // tls.Server's own connection handler takes over, as if it had accepted the socket.
      (offers13 ? iso20 : iso2).emit("connection", socket);
    };
    const onError = () => socket.destroy();
    socket.on("data", onData);
    socket.on("error", onError);
  }
}
