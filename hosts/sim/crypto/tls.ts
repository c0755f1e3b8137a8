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
//  - TLS 1.3 middlebox-compatibility mode (RFC 8446 Appendix D.4) is always on in OpenSSL 3:
//    node:tls cannot clear SSL_OP_ENABLE_MIDDLEBOX_COMPAT (`secureOptions` only sets bits;
//    tests/pki-store/tls13-middlebox.test.ts shows it on the wire). `middleboxCompatibility:
//    false` therefore takes the dummy change_cipher_spec records out of the byte stream
//    (CompatibilityRecordFilter) once the ServerHello shows TLS 1.3: they are outside the
//    handshake transcript and a peer must drop them (RFC 8446 §5), so nothing else changes. A
//    server's compatibility behaviour is only that record; a client's ClientHello also carries
//    a 32-byte legacy_session_id, which is in the transcript and stays (the native mbedTLS host
//    has the whole mode as a build option, MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE).
//  - the -2 EVCC's trusted_ca_keys extension and status_request_v2 (multiple OCSP stapling)
//    are not in OpenSSL: the EVCC sends neither; the SECC sends its whole chain to a V2G root
//    and OCSP status reaches the store through the backend (isRevoked).

import * as net from "node:net";
import * as tls from "node:tls";
import { Duplex } from "node:stream";
import { createPrivateKey } from "node:crypto";
import type { IoCallbacks, Listener, ListenerClass, StreamSocket, StreamSocketClass } from "../../../modules/common/io";
import { ImplementationError } from "../../../modules/common/errors";
import type {
  TlsCredentials,
  TlsListener,
  TlsListenerClass,
  TlsListenerOptions,
  TlsSecureOptions,
  TlsSessionInfo,
  TlsSocket,
  TlsSocketClass,
  TlsSocketOptions,
} from "../../../modules/pki-store/tls";
import { NodeTcpSocket } from "../net/tcp";
import { AcceptQueue, boundPort, listenIpv6 } from "../net/listener";
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

/** The raw private key sizes of crypto.ts (P-256 and P-521 scalars, the Ed448 seed). */
const RAW_KEY_SIZE = { "ECDSA-P256-SHA256": 32, "ECDSA-P521-SHA512": 66, Ed448: 57 } as const;

/** A key file's bytes: PEM (PKCS#8 or SEC1) or PKCS#8 DER. */
function keyFileObject(bytes: Uint8Array): ReturnType<typeof privateKeyObject> {
  const data = Buffer.from(bytes);
  return isPem(bytes) ? createPrivateKey(data) : createPrivateKey({ key: data, format: "der", type: "pkcs8" });
}

function isPem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 10)).toString("latin1") === "-----BEGIN";
}

function credentialsOptions(credentials: readonly TlsCredentials[] | undefined): Pick<tls.SecureContextOptions, "cert" | "key"> {
  if (!credentials || credentials.length === 0) return {};
  return {
    // DER certificates, or (a board's PKI read from NVS) the chain file's PEM as it is.
    cert: credentials.map((c) => c.chain.map((der) => (isPem(der) ? Buffer.from(der).toString("latin1") : pem("CERTIFICATE", der))).join("")),
    // The core's raw scalar, or (any other length) the key file's PEM or DER as the PKI store
    // keeps it, as hosts/native-tls takes it (a board's PKI read from NVS holds the files).
    key: credentials.map((c) => (c.key.privateKey.length === RAW_KEY_SIZE[c.key.scheme] ? privateKeyObject(c.key.scheme, c.key.privateKey) : keyFileObject(c.key.privateKey)).export({ format: "pem", type: "pkcs8" }).toString()),
  };
}

/** node:tls options for a profile and role. */
export function nodeTlsOptions(secure: TlsSecureOptions, role: "client" | "server"): tls.TlsOptions & tls.ConnectionOptions {
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

/**
 * Client options: connect to `address`/`port` over TCP, or run the handshake over `over`, an
 * already opened byte stream (the simulated TCP of `xs15118 sim`, see tlsOverStreams); or wrap
 * `from`, a server-side socket whose handshake is done.
 */
export type NodeTlsSocketOptions = TlsSocketOptions | (TlsSocketOptions & { over: Duplex }) | (IoCallbacks & { from: tls.TLSSocket });

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
      this.#tls = options.from; // accepted by a listener: handshake done
      this.#secured();
      return;
    }
    const tlsOptions = nodeTlsOptions(options.secure, "client");
    if (options.secure.middleboxCompatibility === false) {
      // Our own TCP socket under the filter (node:tls would otherwise own it).
      const tcp = "over" in options ? options.over : net.connect({ host: withZoneName(options.address), port: options.port, noDelay: true });
      this.#tls = tls.connect({ ...tlsOptions, socket: new CompatibilityRecordFilter(tcp) });
    } else {
      const where = "over" in options ? { socket: options.over } : { host: withZoneName(options.address), port: options.port };
      this.#tls = tls.connect({ ...tlsOptions, ...where });
    }
    if (options.secure.onKeyLog) {
      const log = options.secure.onKeyLog;
      this.#tls.on("keylog", (line: Buffer) => log(line.toString("latin1").trimEnd()));
    }
    this.#tls.once("secureConnect", () => this.#secured(options.secure.checkPeer));
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

  #secured(checkPeer?: TlsSecureOptions["checkPeer"]): void {
    if (this.#closed) return;
    this.#session = sessionInfo(this.#tls);
    const refusal = checkPeer?.(this.#session);
    if (refusal !== undefined) {
      this.#fail(new Error(`TLS peer refused: ${refusal}`));
      return;
    }
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
 * The server side of the profiles, for any accepted byte stream (a net.Socket of a real port, or
 * a Duplex over the simulated TCP): the handshake runs in tls.Server contexts that never listen
 * themselves; `accept` hands them a connection.
 *
 * "iso2+iso20": OpenSSL keeps one ECDSA key per context, so a P-256 (-2) and a P-521 (-20)
 * leaf cannot share one. The ClientHello is read first and the connection goes to the -20
 * context (TLS 1.3 only, mutual authentication, P-521/Ed448 leaves) when it offers TLS 1.3,
 * else to the -2 context (TLS 1.2, P-256 leaf). The credentials are split by scheme.
 */
class TlsAcceptor {
  readonly #secure: TlsSecureOptions;
  readonly #onSecure: (socket: tls.TLSSocket) => void;
  readonly #onFailure: (reason: string) => void;
  readonly #iso2: tls.Server | undefined;
  readonly #iso20: tls.Server | undefined;
  readonly #single: tls.Server | undefined;

  constructor(secure: TlsSecureOptions, onSecure: (socket: tls.TLSSocket) => void, onFailure: (reason: string) => void) {
    this.#secure = secure;
    this.#onSecure = onSecure;
    this.#onFailure = onFailure;
    if (secure.profile === "iso2+iso20") {
      this.#iso2 = this.#context({ ...secure, profile: "iso2", credentials: secure.credentials?.filter((c) => c.key.scheme === "ECDSA-P256-SHA256") });
      this.#iso20 = this.#context({ ...secure, profile: "iso20", credentials: secure.credentials?.filter((c) => c.key.scheme !== "ECDSA-P256-SHA256") });
    } else this.#single = this.#context(secure);
  }

  /** Runs the handshake on an accepted connection; onSecure or onFailure follows. */
  accept(socket: Duplex): void {
    if (this.#single) this.#single.emit("connection", this.#filtered(socket));
    else this.#dispatch(socket);
  }

  /** The connection as the handshake sees it: without compatibility records when they are off. */
  #filtered(socket: Duplex): Duplex {
    return this.#secure.middleboxCompatibility === false ? new CompatibilityRecordFilter(socket) : socket;
  }

  #context(secure: TlsSecureOptions): tls.Server {
    const server = tls.createServer(nodeTlsOptions(secure, "server"));
    if (this.#secure.onKeyLog) {
      const log = this.#secure.onKeyLog;
      server.on("keylog", (line: Buffer) => log(line.toString("latin1").trimEnd()));
    }
    server.on("secureConnection", (socket) => {
      const refusal = this.#secure.checkPeer?.(sessionInfo(socket));
      if (refusal !== undefined) {
        socket.destroy();
        this.#onFailure(`TLS peer refused: ${refusal}`);
        return;
      }
      socket.setNoDelay?.(true);
      this.#onSecure(socket);
    });
    // A peer certificate that does not verify fails after OpenSSL's handshake (node:tls checks
    // it then and closes): its verification error says why, not the "socket hang up" that follows.
    server.on("tlsClientError", (error, socket) => this.#onFailure(socket?.authorizationError ? `peer certificate not accepted: ${String(socket.authorizationError)}` : error.message));
    return server;
  }

  /** Waits for the whole first record, then gives the connection to the context it asks for. */
  #dispatch(socket: Duplex): void {
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
        this.#onFailure("the first record is not a TLS ClientHello");
        socket.destroy();
        return;
      }
      socket.unshift(buffered);
      // tls.Server's own connection handler takes over, as if it had accepted the socket.
      (offers13 ? this.#iso20! : this.#iso2!).emit("connection", this.#filtered(socket));
    };
    const onError = () => socket.destroy();
    socket.on("data", onData);
    socket.on("error", onError);
  }
}

/** TLS record content types (RFC 8446 §5.1) and the handshake type this filter looks for. */
const RECORD_CHANGE_CIPHER_SPEC = 20;
const RECORD_HANDSHAKE = 22;
const HANDSHAKE_SERVER_HELLO = 2;

/**
 * The negotiated version from a record holding a ServerHello (or HelloRetryRequest): its
 * cipher_suite is one of TLS 1.3's (0x13xx, RFC 8446 Appendix B.4), which no earlier version
 * defines. Undefined when the record is not a ServerHello.
 */
export function serverHelloIsTls13(record: Uint8Array): boolean | undefined {
  if (record.length < 9 || record[0] !== RECORD_HANDSHAKE || record[5] !== HANDSHAKE_SERVER_HELLO) return undefined;
  const sessionIdAt = 9 + 2 + 32; // legacy_version, random
  if (sessionIdAt >= record.length) return undefined;
  const suiteAt = sessionIdAt + 1 + record[sessionIdAt];
  if (suiteAt + 2 > record.length) return undefined;
  return record[suiteAt] === 0x13;
}

/**
 * TLS 1.3 without middlebox-compatibility records, between node:tls and its byte stream: the
 * change_cipher_spec records OpenSSL writes in a TLS 1.3 handshake (RFC 8446 Appendix D.4) are
 * dropped on the way out; everything else passes unchanged. TLS 1.2 needs its ChangeCipherSpec:
 * nothing is dropped until a ServerHello (ours or the peer's) has shown TLS 1.3.
 */
export class CompatibilityRecordFilter extends Duplex {
  readonly #inner: Duplex;
  /** Undefined until the ServerHello went by. */
  #tls13: boolean | undefined;
  /** Outgoing bytes of an incomplete record; incoming bytes until the ServerHello is whole. */
  #outgoing: Buffer = Buffer.alloc(0);
  #incoming: Buffer = Buffer.alloc(0);
  #incomingChecked = false;
  /** Change_cipher_spec records taken out (for the tests). */
  dropped = 0;

  constructor(inner: Duplex) {
    super();
    this.#inner = inner;
    inner.on("data", (chunk: Buffer) => {
      if (!this.#incomingChecked) this.#inspect(chunk);
      if (!this.push(chunk)) inner.pause();
    });
    inner.on("end", () => this.push(null));
    inner.on("error", (error) => this.destroy(error));
    inner.on("close", () => this.destroy());
  }

  override _read(): void {
    this.#inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    let data = this.#outgoing.length > 0 ? Buffer.concat([this.#outgoing, chunk]) : chunk;
    const out: Buffer[] = [];
    let p = 0;
    while (p + 5 <= data.length) {
      const end = p + 5 + data.readUInt16BE(p + 3);
      if (end > data.length) break;
      const record = data.subarray(p, end);
      if (this.#tls13 === undefined && record[0] === RECORD_HANDSHAKE) this.#tls13 = serverHelloIsTls13(record);
      if (record[0] === RECORD_CHANGE_CIPHER_SPEC && this.#tls13 === true) this.dropped++;
      else out.push(record);
      p = end;
    }
    this.#outgoing = Buffer.from(data.subarray(p));
    data = out.length === 1 ? out[0] : Buffer.concat(out);
    if (data.length === 0) callback();
    else this.#inner.write(data, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#inner.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#inner.destroy();
    callback(error);
  }

  /**
   * The peer's first record: a client sees the ServerHello here (a server sees a ClientHello,
   * which says nothing: its own ServerHello, on the way out, decides).
   */
  #inspect(chunk: Buffer): void {
    const data = this.#incoming.length > 0 ? Buffer.concat([this.#incoming, chunk]) : chunk;
    this.#incoming = data;
    if (data.length < 5 || data.length < 5 + data.readUInt16BE(3)) return;
    this.#incomingChecked = true;
    this.#incoming = Buffer.alloc(0);
    const tls13 = serverHelloIsTls13(data.subarray(0, 5 + data.readUInt16BE(3)));
    if (tls13 !== undefined && this.#tls13 === undefined) this.#tls13 = tls13;
  }
}

/** Accepts TLS connections on a real IPv6 port; onReadable counts those whose handshake has completed. */
export class NodeTlsListener implements TlsListener {
  readonly #server: net.Server;
  readonly #options: TlsListenerOptions;
  readonly #queue: AcceptQueue<tls.TLSSocket>;
  /** Handshakes that failed (wrong version, suite, group or certificate), with OpenSSL's reason. */
  readonly handshakeFailures: string[] = [];
  readonly ready: Promise<void>;

  constructor(options: TlsListenerOptions) {
    this.#options = options;
    this.#queue = new AcceptQueue(options.onReadable);
    const acceptor = new TlsAcceptor(options.secure, (socket) => this.#queue.push(socket), (reason) => {
      this.handshakeFailures.push(reason);
      options.onHandshakeFailed?.(reason);
    });
    this.#server = net.createServer({ noDelay: true }, (socket) => acceptor.accept(socket));
    this.ready = listenIpv6(this.#server, options, this.#queue);
  }

  get port(): number {
    return boundPort(this.#server, this.#options.port);
  }

  read(callbacks: IoCallbacks): TlsSocket | undefined {
    const socket = this.#queue.shift();
    return socket ? new NodeTlsSocket({ ...callbacks, from: socket }) : undefined;
  }

  close(): void {
    if (this.#queue.close()) this.#server.close();
  }
}

/**
 * A Node Duplex over one of the core's StreamSockets, so that node:tls runs over the simulated
 * TCP of simulation/vnet: what TLS writes goes to the stream (held until it is writable), what the
 * stream delivers is pushed to TLS. `activity` is told of every byte either way (TlsActivity).
 */
class StreamSocketDuplex extends Duplex {
  readonly #activity: TlsActivity;
  #socket: StreamSocket | undefined;
  #writable = false;
  #held: Buffer[] = [];

  constructor(activity: TlsActivity) {
    super();
    this.#activity = activity;
  }

  /** The callbacks to open the stream with; then attach() the socket. */
  get callbacks(): Required<IoCallbacks> {
    return {
      onReadable: () => this.#drain(),
      onWritable: () => this.#flush(),
      onError: (error) => {
        this.#activity.touch();
        this.push(null); // TLS sees the end of the stream (and reports a truncated handshake itself)
        this.destroy(error.message === "connection closed by peer" ? undefined : error);
      },
    };
  }

  attach(socket: StreamSocket | undefined): void {
    if (!socket) {
      this.destroy(new Error("the stream could not be opened"));
      return;
    }
    this.#socket = socket;
    this.#drain();
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#activity.touch();
    this.#held.push(chunk);
    this.#flush();
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#socket?.close();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#socket?.close();
    callback(error);
  }

  #drain(): void {
    const socket = this.#socket;
    if (!socket) return;
    for (let data = socket.read(); data !== undefined; data = socket.read()) {
      this.#activity.touch();
      this.push(Buffer.from(data));
    }
  }

  #flush(): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#writable = true;
    while (this.#held.length > 0 && this.#writable) {
      // Taken off before write(): a socket may call onWritable from inside write() (hosts/native-net
      // does once bytes it held have gone), and that re-entry must not send the chunk again.
      const chunk = this.#held.shift()!;
      try {
        socket.write(chunk);
      } catch {
        this.#held.unshift(chunk);
        this.#writable = false; // not yet connected, or full: onWritable comes
      }
    }
  }
}

/**
 * Tells a virtual-time host when node:tls has work under way. The simulation's clock is
 * virtual and its steps synchronous, but node:tls processes bytes on later turns of Node's event
 * loop: the host waits (settle) before it advances the clock whenever bytes went in or out.
 */
export class TlsActivity {
  #touched = false;

  touch(): void {
    this.#touched = true;
  }

  /** Bytes moved since the last settle(). */
  get touched(): boolean {
    return this.#touched;
  }

  /** Lets Node's event loop turn until two turns in a row moved no byte. */
  async settle(): Promise<void> {
    let quiet = 0;
    while (quiet < 2) {
      this.#touched = false;
      await new Promise<void>((resolve) => setImmediate(resolve));
      quiet = this.#touched ? 0 : quiet + 1;
    }
    this.#touched = false;
  }
}

/**
 * TLS classes over the core's TCP classes (the simulated IPv6 stack's): the same profiles as
 * NodeTlsSocket/NodeTlsListener, for `xs15118 sim --tls`.
 */
export function tlsOverStreams(io: { Tcp: StreamSocketClass; Listener: ListenerClass }, activity: TlsActivity): { Tls: TlsSocketClass; TlsListener: TlsListenerClass } {
  class StreamTlsSocket extends NodeTlsSocket {
    constructor(options: TlsSocketOptions) {
      const over = new StreamSocketDuplex(activity);
      over.attach(new io.Tcp({ address: options.address, port: options.port, ...over.callbacks }));
      super({ ...options, over });
    }
  }
  class StreamTlsListener implements TlsListener {
    readonly #listener: Listener;
    readonly #queue: AcceptQueue<tls.TLSSocket>;

    constructor(options: TlsListenerOptions) {
      this.#queue = new AcceptQueue(options.onReadable);
      const acceptor = new TlsAcceptor(options.secure, (socket) => {
        activity.touch();
        this.#queue.push(socket);
      }, (reason) => options.onHandshakeFailed?.(reason));
      this.#listener = new io.Listener({
        address: options.address,
        port: options.port,
        onError: options.onError,
        onReadable: (count) => {
          for (let i = 0; i < count; i++) {
            const stream = new StreamSocketDuplex(activity);
            const socket = this.#listener.read(stream.callbacks);
            if (!socket) return;
            stream.attach(socket);
            acceptor.accept(stream);
          }
        },
      });
    }

    get port(): number {
      return this.#listener.port;
    }

    read(callbacks: IoCallbacks): TlsSocket | undefined {
      const socket = this.#queue.shift();
      return socket ? new NodeTlsSocket({ ...callbacks, from: socket }) : undefined;
    }

    close(): void {
      if (this.#queue.close()) this.#listener.close();
    }
  }
  return { Tls: StreamTlsSocket, TlsListener: StreamTlsListener };
}
