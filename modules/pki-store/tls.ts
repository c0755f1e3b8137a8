// The TLS host interface: the same ECMA-419 shape as TCP (modules/common/io.ts) — a TLS socket
// is a StreamSocket, a TLS listener a Listener — plus a `secure` options object that says which
// profile, which credentials and which peers to trust. The host runs the handshake (node:tls on
// Node, mbedTLS on the firmware); the core sees plaintext bytes and, once the handshake is
// done, what was negotiated.
//
// Profiles (what each host must offer, and nothing else):
//  - "iso2" (ISO 15118-2): TLS 1.2, server authentication only (the EVCC presents no
//    certificate), ECDSA on secp256r1. The standard's suites are TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256
//    and TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256; OpenSSL 3 (and so node:tls) has no static-ECDH
//    suites, so the Node host offers the ECDHE one only; mbedTLS has both.
//  - "iso20" (ISO 15118-20): TLS 1.3 only, mutual authentication (the SECC requests the
//    vehicle's certificate), TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256, groups
//    secp521r1 and x448, leaf keys on P-521 (or Ed448 where both sides support it).

import type { IoCallbacks, ListenerOptions, StreamSocket, StreamSocketOptions } from "../common/io";

/**
 * "iso2+iso20": both on one port, as an SECC offering both standards needs (SDP gives one TLS
 * port, and the protocol is only chosen by SAP after the handshake): TLS 1.2 with the -2 suite
 * and leaf, or TLS 1.3 with the -20 suites, leaf and mutual authentication, per handshake. The
 * core must then refuse -20 in SAP when `session.protocol` is TLS 1.2.
 */
export type TlsProfile = "iso2" | "iso20" | "iso2+iso20";

/** A private key the host can use for the handshake: raw bytes as in crypto.ts. */
export interface TlsPrivateKey {
  scheme: "ECDSA-P256-SHA256" | "ECDSA-P521-SHA512" | "Ed448";
  privateKey: Uint8Array;
}

/** An own certificate chain and its key. */
export interface TlsCredentials {
  /** DER certificates, leaf first, then the Sub-CAs (the root is not sent, RFC 8446 §4.4.2). */
  chain: Uint8Array[];
  key: TlsPrivateKey;
}

export interface TlsSecureOptions {
  profile: TlsProfile;
  /** Own chain and key: required for a server, and for an "iso20" client. */
  credentials?: TlsCredentials[];
  /** DER trust anchors the peer's chain must lead to (V2G root for the SECC's chain, OEM roots for the vehicle's). */
  trustAnchors: Uint8Array[];
  /** Client: the expected server name, if any (V2G has no host names; usually absent). */
  serverName?: string;
  /**
   * TLS 1.3 middlebox-compatibility mode (RFC 8446 Appendix D.4: a fake session ID and
   * change_cipher_spec records). Undefined: the library's default (on in OpenSSL). Some vehicles
   * fail on it; false leaves the change_cipher_spec records out (the Node host drops them from
   * the stream, hosts/sim/crypto/tls.ts; a client's ClientHello there keeps its session ID; an
   * mbedTLS host builds with or without MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE).
   */
  middleboxCompatibility?: boolean;
  /** Called with each session's secrets in NSS key-log format (for Wireshark), when set. */
  onKeyLog?(line: string): void;
  /**
   * The V2G checks the TLS library does not make, run by the host right after each handshake
   * (typically PkiStore.validate on `session.peerChain`: the SECC leaf's DC=CPO, revocation, the
   * vehicle's OEM chain). A returned reason refuses the peer: the connection is closed (a client
   * reports it through onError, a listener through onHandshakeFailed) and never reaches the core.
   */
  checkPeer?(session: TlsSessionInfo): string | undefined;
}

/** What the handshake settled, available once the socket is writable. */
export interface TlsSessionInfo {
  protocol: "TLSv1.2" | "TLSv1.3";
  /** The IANA suite name, e.g. "TLS_AES_256_GCM_SHA384". */
  cipherSuite: string;
  /** The key-exchange group, e.g. "secp521r1", "x448" (undefined where the host cannot tell). */
  group?: string;
  /** The peer's DER chain as sent, leaf first (empty when it sent none). */
  peerChain: Uint8Array[];
}

/** A TLS connection: a StreamSocket whose bytes are the decrypted application data. */
export interface TlsSocket extends StreamSocket {
  /** Undefined until the handshake has completed (the first onWritable). */
  readonly session: TlsSessionInfo | undefined;
}

/** Client: connects to `address`/`port` and runs the handshake; onWritable first fires after it. */
export interface TlsSocketOptions extends StreamSocketOptions {
  secure: TlsSecureOptions;
}

export type TlsSocketClass = new (options: TlsSocketOptions) => TlsSocket;

/** Server: onReadable(count) counts connections whose handshake has completed. */
export interface TlsListener {
  read(options: IoCallbacks): TlsSocket | undefined;
  close(): void;
  readonly port: number;
}

export interface TlsListenerOptions extends ListenerOptions {
  secure: TlsSecureOptions;
  /**
   * A connection's handshake failed (wrong version, suite, group, or a peer certificate missing
   * or not trusted), with the TLS library's reason: the listener closed that connection and
   * carries on. For the log: the core never sees such a connection.
   */
  onHandshakeFailed?(reason: string): void;
}

export type TlsListenerClass = new (options: TlsListenerOptions) => TlsListener;
