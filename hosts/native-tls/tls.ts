// The core's TLS classes (modules/pki-store/tls.ts: TlsSocket, TlsListener) on the mbedTLS
// engine (v2g-tls.c through xs-tls.c), over any of the host's TCP classes: the TCP socket
// carries the ciphertext, the engine runs the handshake and the records, the core reads and
// writes plaintext. The same profiles as the Node host (hosts/sim/crypto/tls.ts), plus what
// OpenSSL lacks: the static TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256 of ISO 15118-2 — on mbedTLS
// 3.6 only: mbedTLS 4 (ESP-IDF v6.0's) removed static ECDH, so there the -2 charger offers
// the ECDHE suite alone (onNotice says so once) and refuses a vehicle offering only the static
// one with that reason ([V2G2-600ff] ask the EVCC for at least one of the two).
// What mbedTLS lacks: Ed448 (an Ed448 credential is refused with the reason: the firmware
// presents its secp521r1 chain), OCSP stapling and trusted_ca_keys (the store learns
// revocation from the backend instead), and a run-time switch for TLS 1.3 middlebox
// compatibility (a compile option: MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE; asking for the
// other setting fails with that reason).

import { tlsAnchor, tlsBuild, tlsClose, tlsConfig, tlsConfigFree, tlsCredentials, tlsError, tlsFeed, tlsFree, tlsOpen, tlsOutput, tlsRead, tlsSession, tlsStats, tlsStep, tlsSuites, tlsWrite } from "./tls-native";
import type { IoCallbacks, Listener, ListenerClass, StreamSocket, StreamSocketClass } from "../../modules/common/io";
import type { TlsListener, TlsListenerClass, TlsListenerOptions, TlsSecureOptions, TlsSessionInfo, TlsSocket, TlsSocketClass, TlsSocketOptions } from "../../modules/pki-store/tls";

const PROFILE = Object.freeze({ iso2: 1, iso20: 2, "iso2+iso20": 3 } as const);
const KEY_FORM = Object.freeze({ "ECDSA-P256-SHA256": 1, "ECDSA-P521-SHA512": 2, Ed448: 3 } as const);
const RAW_KEY_SIZE = Object.freeze({ "ECDSA-P256-SHA256": 32, "ECDSA-P521-SHA512": 66, Ed448: 57 } as const);
/** v2g-tls.h V2G_TLS_KEY_ENCODED: PKCS#8 or SEC1, PEM or DER, as the PKI store's key files hold it. */
const KEY_ENCODED = 0;
const STATE_OPEN = 1;
const STATE_FAILED = 3;

/** An engine configuration for a role, from the core's `secure` options. */
function configure(secure: TlsSecureOptions, server: boolean): number {
  const config = tlsConfig(server, PROFILE[secure.profile], secure.middleboxCompatibility);
  try {
    for (const c of secure.credentials ?? []) {
      // ISO 15118-20 allows Ed448 leaves, mbedTLS has no Ed448: a station with both chains
      // presents the secp521r1 one; one with Ed448 alone cannot run TLS 1.3 here.
      if (c.key.scheme === "Ed448" && (secure.credentials?.length ?? 0) > 1) continue;
      // The core's raw scalar, or (any other length) the key file's PEM/DER as the store keeps it.
      const form = c.key.privateKey.length === RAW_KEY_SIZE[c.key.scheme] ? KEY_FORM[c.key.scheme] : KEY_ENCODED;
      tlsCredentials(config, c.chain, c.key.privateKey, form);
    }
    for (const anchor of secure.trustAnchors) tlsAnchor(config, anchor);
  } catch (error) {
    tlsConfigFree(config);
    throw error;
  }
  return config;
}

/** What one handshake cost on this machine (nativeTls's onHandshake). */
export interface TlsHandshakeFigures {
  role: "client" | "server";
  protocol: string;
  cipherSuite: string;
  /** From the first byte the engine produced or took to the handshake's end, round trips included. */
  wallMs: number;
  /** The process's CPU time over the same span (the runtime's other work included). */
  cpuMs: number;
  /** The most mbedTLS held during the handshake above heapBeforeBytes (absent where it cannot count). */
  heapPeakBytes?: number;
  /** What mbedTLS held as the handshake began: the configurations (certificates, keys, random generator) and this connection's context and two record buffers. */
  heapBeforeBytes?: number;
}

export interface NativeTlsHooks {
  onHandshake?(figures: TlsHandshakeFigures): void;
  /** Once, when nativeTls() is set up: what this build's mbedTLS cannot offer of the standards' suites. */
  onNotice?(line: string): void;
}

const STATIC_ECDH_SUITE = "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256";

/** One TLS connection over a TCP socket: the engine between the socket's bytes and the core's. */
class EngineSocket implements TlsSocket {
  readonly #secure: TlsSecureOptions;
  readonly #connection: number;
  readonly #plain: ArrayBuffer[] = [];
  #callbacks: IoCallbacks;
  #tcp: StreamSocket | undefined;
  #session: TlsSessionInfo | undefined;
  #closed = false;
  /** The handshake completed and the peer passed checkPeer (onSecure is called once then). */
  #onSecure: ((socket: EngineSocket) => void) | undefined;
  #onFailure: ((reason: string) => void) | undefined;
  /** A client's own configuration, freed with the connection (a listener's is shared). */
  readonly #ownConfig: number | undefined;
  readonly #role: "client" | "server";
  readonly #onHandshake: NativeTlsHooks["onHandshake"];
  #started: { wall: number; cpu: number; heap?: number } | undefined;

  constructor(config: number, secure: TlsSecureOptions, callbacks: IoCallbacks, hooks: { onSecure?(s: EngineSocket): void; onFailure?(reason: string): void; ownConfig?: boolean; server: boolean; onHandshake?: NativeTlsHooks["onHandshake"] }) {
    this.#secure = secure;
    this.#role = hooks.server ? "server" : "client";
    this.#onHandshake = hooks.onHandshake;
    this.#ownConfig = hooks.ownConfig ? config : undefined;
    this.#callbacks = callbacks;
    this.#connection = tlsOpen(config);
    this.#onSecure = hooks.onSecure;
    this.#onFailure = hooks.onFailure;
  }

  /** The TCP socket is connected (client) or accepted (server): start the handshake. */
  attach(tcp: StreamSocket): void {
    this.#tcp = tcp;
    if (this.#onHandshake) {
      const stats = tlsStats(true);
      this.#started = { wall: Date.now(), cpu: stats.cpuMicroseconds, heap: stats.heap };
    }
    this.pump();
  }

  /** The socket's callbacks, given by a listener's read(). */
  rebind(callbacks: IoCallbacks): void {
    this.#callbacks = callbacks;
    if (this.#plain.length > 0) this.#callbacks.onReadable?.(this.#plain.length);
  }

  get session(): TlsSessionInfo | undefined {
    return this.#session;
  }

  /** Ciphertext from TCP into the engine, the engine's records out to TCP, plaintext up. */
  pump(): void {
    if (this.#closed || !this.#tcp) return;
    for (let data = this.#tcp.read(); data !== undefined; data = this.#tcp.read()) {
      if (tlsFeed(this.#connection, data) !== data.byteLength) return this.#fail("the peer sent more than the engine can queue");
    }
    const state = tlsStep(this.#connection);
    this.#flush();
    if (state === STATE_FAILED) return this.#fail(tlsError(this.#connection));
    if (state !== STATE_OPEN) return;
    if (this.#session === undefined) {
      const s = tlsSession(this.#connection);
      this.#session = { protocol: s.protocol, cipherSuite: s.cipherSuite, peerChain: s.peerChain.map((b) => new Uint8Array(b)) };
      if (this.#started) this.#report(s.protocol, s.cipherSuite, this.#started);
      const refusal = this.#secure.checkPeer?.(this.#session);
      if (refusal !== undefined) return this.#fail(refusal);
      const onSecure = this.#onSecure;
      this.#onSecure = undefined;
      if (onSecure) onSecure(this);
      else this.#callbacks.onWritable?.(65536);
    }
    let count = 0;
    for (let plain = tlsRead(this.#connection); plain !== undefined; plain = tlsRead(this.#connection)) {
      if (plain === null) return this.#fail("the peer closed the TLS connection");
      this.#plain.push(plain);
      count++;
    }
    this.#flush();
    if (count > 0) this.#callbacks.onReadable?.(this.#plain.reduce((n, b) => n + b.byteLength, 0));
  }

  #report(protocol: string, cipherSuite: string, started: { wall: number; cpu: number; heap?: number }): void {
    const stats = tlsStats();
    this.#onHandshake?.({
      role: this.#role,
      protocol,
      cipherSuite,
      wallMs: Date.now() - started.wall,
      cpuMs: (stats.cpuMicroseconds - started.cpu) / 1000,
      ...(stats.heapPeak !== undefined && started.heap !== undefined ? { heapPeakBytes: stats.heapPeak - started.heap, heapBeforeBytes: started.heap } : {}),
    });
  }

  #flush(): void {
    for (let out = tlsOutput(this.#connection); out !== undefined; out = tlsOutput(this.#connection)) this.#tcp?.write(out);
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    const onFailure = this.#onFailure;
    this.close();
    if (this.#session === undefined && onFailure) onFailure(reason);
    else this.#callbacks.onError?.(new Error(`TLS: ${reason}`));
  }

  read(): ArrayBuffer | undefined {
    return this.#plain.shift();
  }

  write(data: ArrayBuffer | ArrayBufferView): void {
    if (this.#closed || this.#session === undefined) throw new Error("TLS: not open");
    tlsWrite(this.#connection, data);
    this.#flush();
  }

  get remoteAddress(): string | undefined {
    return this.#tcp?.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#tcp?.remotePort;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    tlsClose(this.#connection);
    this.#flush();
    tlsFree(this.#connection);
    if (this.#ownConfig !== undefined) tlsConfigFree(this.#ownConfig);
    this.#tcp?.close();
  }
}

/** The core's TLS classes on the engine, over the host's TCP classes. */
export function nativeTls(io: { Tcp: StreamSocketClass; Listener: ListenerClass }, hooks: NativeTlsHooks = {}): { Tls: TlsSocketClass; TlsListener: TlsListenerClass } {
  if (hooks.onNotice && !tlsSuites().includes(STATIC_ECDH_SUITE)) {
    hooks.onNotice(`TLS on mbedTLS ${tlsBuild()}: ISO 15118-2 offers TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 only, this mbedTLS has no static ${STATIC_ECDH_SUITE}; a vehicle offering only that one is refused`);
  }
  class NativeTlsSocket extends EngineSocket {
    constructor(options: TlsSocketOptions) {
      const config = configure(options.secure, false);
      super(config, options.secure, options, { ownConfig: true, server: false, onHandshake: hooks.onHandshake });
      const tcp = new io.Tcp({
        address: options.address,
        port: options.port,
        onWritable: () => this.pump(),
        onReadable: () => this.pump(),
        onError: (error) => options.onError?.(error),
      });
      this.attach(tcp);
    }
  }

  class NativeTlsListener implements TlsListener {
    readonly #listener: Listener;
    readonly #config: number;
    readonly #ready: EngineSocket[] = [];
    readonly #options: TlsListenerOptions;

    constructor(options: TlsListenerOptions) {
      this.#options = options;
      this.#config = configure(options.secure, true);
      this.#listener = new io.Listener({
        address: options.address,
        port: options.port,
        onReadable: (count) => {
          for (let i = 0; i < count; i++) this.#accept();
        },
        onError: options.onError,
      });
    }

    #accept(): void {
      let socket: EngineSocket | undefined = undefined;
      const tcp = this.#listener.read({ onReadable: () => socket?.pump(), onWritable: () => socket?.pump(), onError: () => socket?.close() });
      if (!tcp) return;
      socket = new EngineSocket(this.#config, this.#options.secure, {}, {
        onSecure: (s) => {
          this.#ready.push(s);
          this.#options.onReadable?.(this.#ready.length);
        },
        onFailure: (reason) => this.#options.onHandshakeFailed?.(reason),
        server: true,
        onHandshake: hooks.onHandshake,
      });
      socket.attach(tcp);
    }

    get port(): number {
      return this.#listener.port;
    }

    read(callbacks: IoCallbacks): TlsSocket | undefined {
      const socket = this.#ready.shift();
      if (socket === undefined) return undefined;
      socket.rebind(callbacks);
      // The connection is writable now (ECMA-419: the first onWritable after read()).
      callbacks.onWritable?.(65536);
      return socket;
    }

    close(): void {
      this.#listener.close();
      for (const s of this.#ready.splice(0)) s.close();
      tlsConfigFree(this.#config);
    }
  }

  return { Tls: NativeTlsSocket as unknown as TlsSocketClass, TlsListener: NativeTlsListener as unknown as TlsListenerClass };
}
