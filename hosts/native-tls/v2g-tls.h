/*
 * ISO 15118 TLS on mbedTLS 3.6 or 4.0: one engine that serves (SECC) and connects (EVCC).
 *
 * The engine is transport-free: ciphertext goes in with v2g_tls_feed() and comes out of
 * v2g_tls_output(), so the same C runs over a POSIX socket (Linux: hosts/linux), an lwIP
 * socket (ESP32) or the XS TCP class of any host; plaintext goes through v2g_tls_read() and
 * v2g_tls_write(). Nothing in here blocks.
 *
 * Profiles (modules/pki-store/tls.ts describes the same ones for the core):
 *   V2G_TLS_ISO2   ISO 15118-2 [V2G2-600..605]: TLS 1.2, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
 *                  and the static TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256 (not on mbedTLS 4,
 *                  which removed static ECDH), secp256r1, server authentication only.
 *   V2G_TLS_ISO20  ISO 15118-20 (clause 7.7.3): TLS 1.3, TLS_AES_256_GCM_SHA384 and
 *                  TLS_CHACHA20_POLY1305_SHA256, groups secp521r1 and x448, signatures
 *                  ecdsa_secp521r1_sha512, mutual authentication (the server requires the
 *                  vehicle's certificate).
 *   V2G_TLS_BOTH   both on one port: the server picks its chain and whether it asks for the
 *                  client's certificate from the version the ClientHello settled (the P-256
 *                  chain and no request for TLS 1.2, the P-521 chain and a required client
 *                  certificate for TLS 1.3); the client offers both.
 */
#ifndef V2G_TLS_H
#define V2G_TLS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	V2G_TLS_ISO2 = 1,
	V2G_TLS_ISO20 = 2,
	V2G_TLS_BOTH = 3
} v2g_tls_profile;

/* How a private key is given: PKCS#8 / SEC1 in PEM or DER (the PKI store's files), or the
   raw private scalar the core's TlsPrivateKey carries (modules/pki-store/tls.ts). */
typedef enum {
	V2G_TLS_KEY_ENCODED = 0,
	V2G_TLS_KEY_RAW_P256 = 1,
	V2G_TLS_KEY_RAW_P521 = 2,
	V2G_TLS_KEY_RAW_ED448 = 3 /* refused: mbedTLS 3.6 has no Ed448 */
} v2g_tls_key_form;

typedef enum {
	V2G_TLS_HANDSHAKING = 0,
	V2G_TLS_OPEN = 1,
	V2G_TLS_CLOSED = 2, /* the peer sent close_notify or v2g_tls_close() was called */
	V2G_TLS_FAILED = 3  /* see v2g_tls_error() */
} v2g_tls_state;

typedef struct v2g_tls_config v2g_tls_config;
typedef struct v2g_tls v2g_tls;

/* A configuration holds what every connection of one station shares: the credentials, the
   trust anchors, the random generator and mbedTLS's ssl_config. On failure NULL, and the
   reason in err. */
v2g_tls_config *v2g_tls_config_new(int server, v2g_tls_profile profile, char *err, size_t err_size);
/* Own chain (leaf first, each certificate PEM or DER; PEM may hold several) and its key. */
int v2g_tls_config_add_credentials(v2g_tls_config *config, const uint8_t *const *certs, const size_t *cert_sizes, int cert_count,
	const uint8_t *key, size_t key_size, v2g_tls_key_form key_form);
/* A trust anchor (PEM or DER) the peer's chain must lead to. */
int v2g_tls_config_add_anchor(v2g_tls_config *config, const uint8_t *cert, size_t size);
/* TLS 1.3 middlebox compatibility (RFC 8446 D.4). mbedTLS decides it at compile time
   (MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE): asking for the other setting fails with the reason. */
int v2g_tls_config_set_middlebox_compatibility(v2g_tls_config *config, int on);
int v2g_tls_middlebox_compatibility_compiled(void);
/* Narrow the offer to one suite and/or one group by IANA name (tests and interop checks):
   "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", "x448", ... NULL keeps the profile's list. */
int v2g_tls_config_restrict(v2g_tls_config *config, const char *suite, const char *group);
/* Finishes the configuration; connections can be made afterwards. */
int v2g_tls_config_ready(v2g_tls_config *config);
const char *v2g_tls_config_error(const v2g_tls_config *config);
/* The IANA name of the index-th suite this build can offer (all profiles), NULL past the end:
   mbedTLS 4 has no TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256 (static ECDH). */
const char *v2g_tls_suite_available(int index);
void v2g_tls_config_free(v2g_tls_config *config);

/* One connection. The configuration must outlive it. */
v2g_tls *v2g_tls_new(v2g_tls_config *config, char *err, size_t err_size);
/* NSS key-log lines (Wireshark), one call per line without the newline. */
void v2g_tls_set_keylog(v2g_tls *tls, void (*on_line)(void *context, const char *line), void *context);

/* Ciphertext from the peer; returns how many bytes were taken (less when the input queue is full). */
size_t v2g_tls_feed(v2g_tls *tls, const uint8_t *data, size_t size);
/* Ciphertext for the peer: the pending bytes, then v2g_tls_consume_output() with what was sent. */
const uint8_t *v2g_tls_output(v2g_tls *tls, size_t *size);
void v2g_tls_consume_output(v2g_tls *tls, size_t size);

/* Advances the handshake (and reads alerts); call after each feed. */
v2g_tls_state v2g_tls_step(v2g_tls *tls);
/* Plaintext: bytes read (0 when none is waiting), or -1 when closed or failed. */
int v2g_tls_read(v2g_tls *tls, uint8_t *buffer, size_t size);
/* Encrypts all of data into the output; 0, or -1 when not open. */
int v2g_tls_write(v2g_tls *tls, const uint8_t *data, size_t size);
/* Queues close_notify (RFC 8446 6.1). */
void v2g_tls_close(v2g_tls *tls);
const char *v2g_tls_error(const v2g_tls *tls);

/* What the handshake settled (valid once V2G_TLS_OPEN). */
const char *v2g_tls_protocol(const v2g_tls *tls); /* "TLSv1.2" | "TLSv1.3" */
const char *v2g_tls_suite(const v2g_tls *tls);    /* IANA name */
/* The peer's chain as sent, leaf first: the index-th certificate's DER, or NULL past the end. */
const uint8_t *v2g_tls_peer_certificate(const v2g_tls *tls, int index, size_t *size);

void v2g_tls_free(v2g_tls *tls);

#ifdef __cplusplus
}
#endif

#endif
