// Types of tls-native.js (xs-tls.c). Profiles and key forms: v2g-tls.h.
export function tlsConfig(server: boolean, profile: 1 | 2 | 3, middlebox?: boolean): number;
export function tlsCredentials(config: number, chain: ArrayBufferLike[] | Uint8Array[], key: Uint8Array, keyForm: 0 | 1 | 2 | 3): void;
export function tlsAnchor(config: number, der: Uint8Array): void;
export function tlsConfigFree(config: number): void;
export function tlsOpen(config: number): number;
export function tlsFeed(connection: number, data: ArrayBuffer | Uint8Array): number;
export function tlsOutput(connection: number): ArrayBuffer | undefined;
/** 0 handshaking, 1 open, 2 closed, 3 failed (tlsError says why). */
export function tlsStep(connection: number): 0 | 1 | 2 | 3;
export function tlsRead(connection: number): ArrayBuffer | null | undefined;
export function tlsWrite(connection: number, data: ArrayBuffer | ArrayBufferView): void;
export function tlsSession(connection: number): { protocol: "TLSv1.2" | "TLSv1.3"; cipherSuite: string; peerChain: ArrayBuffer[] };
export function tlsError(connection: number): string;
export function tlsClose(connection: number): void;
export function tlsFree(connection: number): void;
/** The mbedTLS version of this build, undefined when the build has no TLS (XS15118_MBEDTLS unset). */
export function tlsBuild(): string | undefined;
/** The IANA names of the suites this build can offer (no static ECDH on mbedTLS 4). */
export function tlsSuites(): string[];
/** ECDSA: scheme 1 P-256/SHA-256, 2 P-521/SHA-512; raw r‖s and uncompressed point. False for bad data. */
export function tlsVerify(scheme: 1 | 2, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
/** 1 SHA-256, 2 SHA-512. */
export function tlsDigest(algorithm: 1 | 2, data: Uint8Array): ArrayBuffer;
/** Process CPU time, and the heap mbedTLS holds and its peak (absent where it cannot be counted); restartPeak starts a new peak. */
export function tlsStats(restartPeak?: boolean): { cpuMicroseconds: number; heap?: number; heapPeak?: number };
