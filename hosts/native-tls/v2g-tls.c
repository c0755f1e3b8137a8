/*
 * ISO 15118 TLS engine on mbedTLS 3.6 and on mbedTLS 4.0 with TF-PSA-Crypto 1.0 (ESP-IDF v6.0's,
 * which the Moddable SDK 8.2.3 builds the ESP32 with); see v2g-tls.h for the profiles.
 *
 * The two differ where mbedTLS 4 moved to PSA Crypto (its docs/4.0-migration-guide.md): no
 * f_rng arguments and no mbedtls_ssl_conf_rng (everything draws on psa_generate_random()), the
 * ecp/ecdsa/ctr_drbg APIs private, and no static-ECDH TLS 1.2 suites. Both versions here take
 * their randomness from PSA, and raw keys go in through psa_import_key(); only the calls whose
 * signatures differ are under MBEDTLS_VERSION_MAJOR.
 *
 * mbedTLS must be built with (all on in its default configuration but the first):
 *   MBEDTLS_PLATFORM_MEMORY (only to count the heap: hosts/native-tls/harness.c),
 *   MBEDTLS_SSL_PROTO_TLS1_2, MBEDTLS_SSL_PROTO_TLS1_3, MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED,
 *   MBEDTLS_KEY_EXCHANGE_ECDH_ECDSA_ENABLED (3.6 only), MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED,
 *   MBEDTLS_ECP_DP_SECP256R1_ENABLED, MBEDTLS_ECP_DP_SECP521R1_ENABLED, MBEDTLS_ECP_DP_CURVE448_ENABLED,
 *   MBEDTLS_GCM_C, MBEDTLS_CHACHAPOLY_C, MBEDTLS_CIPHER_MODE_CBC (on 4.0 the PSA_WANT_ names:
 *   PSA_WANT_ECC_SECP_R1_256/521, PSA_WANT_ECC_MONTGOMERY_448, PSA_WANT_ALG_GCM,
 *   PSA_WANT_ALG_CHACHA20_POLY1305, PSA_WANT_ALG_CBC_NO_PADDING), MBEDTLS_SSL_KEEP_PEER_CERTIFICATE,
 *   MBEDTLS_SSL_KEYING_MATERIAL_EXPORT (key log), and for middlebox compatibility
 *   MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE (a compile option, not a run-time one).
 */
#include "v2g-tls.h"

/* The Moddable Linux build compiles this file without mbedTLS when XS15118_MBEDTLS is unset
   (hosts/linux/manifest.json): nothing of it is built then, xs-tls.c says so. */
#ifndef XS15118_WITHOUT_MBEDTLS

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls-config.h"
#include "mbedtls/build_info.h"
#include "mbedtls/error.h"
#include "mbedtls/pk.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/psa_util.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"
#include "psa/crypto.h"

#if MBEDTLS_VERSION_MAJOR >= 4
/* mbedTLS 4 draws every random number from psa_generate_random(): no f_rng arguments. */
#define V2G_TLS_RNG
#else
/* mbedTLS 3.6 still asks for a generator: PSA's, so that both versions run on one. */
#define V2G_TLS_RNG , mbedtls_psa_get_random, MBEDTLS_PSA_RANDOM_STATE
#endif

/* ISO 15118-2 [V2G2-602] names two TLS 1.2 suites; mbedTLS 4 dropped the static-ECDH one (its
   4.0 ChangeLog: the static ECDH key exchanges were removed), so there the charger offers the
   ECDHE suite alone and says so when a vehicle offers only the static one (note_client_hello). */
#if defined(MBEDTLS_KEY_EXCHANGE_ECDH_ECDSA_ENABLED)
#define V2G_TLS_STATIC_ECDH 1
#else
#define V2G_TLS_STATIC_ECDH 0
#endif
#define V2G_TLS_IANA_ECDHE_ECDSA_AES_128_CBC_SHA256 0xC023
#define V2G_TLS_IANA_ECDH_ECDSA_AES_128_CBC_SHA256 0xC025

#if !defined(MBEDTLS_SSL_PROTO_TLS1_3) || !defined(MBEDTLS_SSL_PROTO_TLS1_2)
#error "xs15118 needs mbedTLS with TLS 1.2 and TLS 1.3 (ESP-IDF: CONFIG_MBEDTLS_SSL_PROTO_TLS1_3=y in the sdkconfig, off by default)"
#endif

#define V2G_TLS_MAX_CREDENTIALS 4
#define V2G_TLS_INPUT_LIMIT (34 * 1024) /* two records of 16 KB plus headers */

typedef struct {
	mbedtls_x509_crt chain;
	mbedtls_pk_context key;
	size_t curve_bits; /* 256: secp256r1 (-2), 521: secp521r1 (-20) */
} v2g_tls_credential;

struct v2g_tls_config {
	int server;
	v2g_tls_profile profile;
	int ready;
	mbedtls_ssl_config ssl;
	mbedtls_x509_crt anchors;
	int anchor_count;
	v2g_tls_credential credentials[V2G_TLS_MAX_CREDENTIALS];
	int credential_count;
	int suites[5];
	uint16_t groups[4];
	uint16_t sig_algs[3];
	char error[256];
};

typedef struct {
	uint8_t *bytes;
	size_t size;
	size_t capacity;
} v2g_tls_buffer;

struct v2g_tls {
	v2g_tls_config *config;
	mbedtls_ssl_context ssl;
	v2g_tls_buffer input;
	size_t input_read; /* bytes of input already taken by mbedTLS */
	v2g_tls_buffer output;
	v2g_tls_state state;
	/* The server's reading of the first ClientHello: which ISO 15118-2 suites it offers. */
	int hello_seen, hello_offers_ecdhe, hello_offers_static_ecdh;
	void (*on_key_line)(void *, const char *);
	void *key_context;
	char error[400];
};

/* The suites by IANA name, for v2g_tls_suite() and v2g_tls_config_restrict(). */
static const struct {
	int id;
	const char *name;
} v2g_tls_suite_names[] = {
	{MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
#if V2G_TLS_STATIC_ECDH
	{MBEDTLS_TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256"},
#endif
	{MBEDTLS_TLS1_3_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384"},
	{MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256"},
};

static const struct {
	uint16_t id;
	const char *name;
} v2g_tls_group_names[] = {
	{MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, "secp256r1"},
	{MBEDTLS_SSL_IANA_TLS_GROUP_SECP521R1, "secp521r1"},
	{MBEDTLS_SSL_IANA_TLS_GROUP_X448, "x448"},
};

static void describe(char *out, size_t size, const char *what, int code)
{
	char reason[120];
	mbedtls_strerror(code, reason, sizeof(reason));
	snprintf(out, size, "%s: %s (-0x%04x)", what, reason, (unsigned)-code);
}

static int config_fail(v2g_tls_config *config, const char *what, int code)
{
	if (code)
		describe(config->error, sizeof(config->error), what, code);
	else
		snprintf(config->error, sizeof(config->error), "%s", what);
	return -1;
}

v2g_tls_config *v2g_tls_config_new(int server, v2g_tls_profile profile, char *err, size_t err_size)
{
	v2g_tls_config *config;

	if (profile < V2G_TLS_ISO2 || profile > V2G_TLS_BOTH) {
		snprintf(err, err_size, "unknown TLS profile %d", (int)profile);
		return NULL;
	}
	/* TLS 1.3 in mbedTLS 3.6 runs its key schedule and key exchanges through PSA, and the
	   engine's random numbers come from it on both versions (mbedTLS 4 has no other). */
	if (psa_crypto_init() != PSA_SUCCESS) {
		snprintf(err, err_size, "psa_crypto_init failed");
		return NULL;
	}
	config = mbedtls_calloc(1, sizeof(*config));
	if (!config) {
		snprintf(err, err_size, "no memory for the TLS configuration");
		return NULL;
	}
	config->server = server;
	config->profile = profile;
	mbedtls_ssl_config_init(&config->ssl);
	mbedtls_x509_crt_init(&config->anchors);

	/* The profile's offer; v2g_tls_config_restrict() may narrow it. */
	int n = 0;
	if (profile & V2G_TLS_ISO20) {
		config->suites[n++] = MBEDTLS_TLS1_3_AES_256_GCM_SHA384;
		config->suites[n++] = MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256;
	}
	if (profile & V2G_TLS_ISO2) {
		/* [V2G2-602]: both suites; ECDHE first for its forward secrecy. mbedTLS 4 has the
		   ECDHE one only: [V2G2-600ff] ask the SECC for both and the EVCC for at least one,
		   so a charger on it serves every vehicle that offers ECDHE (OpenSSL-based ones have
		   nothing else) and refuses, saying why, the rest. */
		config->suites[n++] = MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256;
#if V2G_TLS_STATIC_ECDH
		config->suites[n++] = MBEDTLS_TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256;
#endif
	}
	config->suites[n] = 0;
	n = 0;
	if (profile & V2G_TLS_ISO20) {
		config->groups[n++] = MBEDTLS_SSL_IANA_TLS_GROUP_SECP521R1;
		config->groups[n++] = MBEDTLS_SSL_IANA_TLS_GROUP_X448;
	}
	if (profile & V2G_TLS_ISO2)
		config->groups[n++] = MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1;
	config->groups[n] = MBEDTLS_SSL_IANA_TLS_GROUP_NONE;
	n = 0;
	if (profile & V2G_TLS_ISO20)
		config->sig_algs[n++] = MBEDTLS_TLS1_3_SIG_ECDSA_SECP521R1_SHA512;
	if (profile & V2G_TLS_ISO2)
		config->sig_algs[n++] = MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256;
	config->sig_algs[n] = MBEDTLS_TLS1_3_SIG_NONE;
	return config;
}

static int parse_certificates(mbedtls_x509_crt *into, const uint8_t *bytes, size_t size)
{
	/* mbedTLS parses PEM only from a NUL-terminated buffer whose size counts the NUL. */
	if (size > 0 && bytes[size - 1] != 0 && memchr(bytes, '-', size < 16 ? size : 16)) {
		uint8_t *copy = mbedtls_calloc(1, size + 1);
		int code;
		if (!copy)
			return MBEDTLS_ERR_X509_ALLOC_FAILED;
		memcpy(copy, bytes, size);
		copy[size] = 0;
		code = mbedtls_x509_crt_parse(into, copy, size + 1);
		mbedtls_free(copy);
		return code;
	}
	return mbedtls_x509_crt_parse(into, bytes, size);
}

static int parse_key(mbedtls_pk_context *key, const uint8_t *bytes, size_t size, v2g_tls_key_form form)
{
	int code;
	if (form == V2G_TLS_KEY_ENCODED) {
		uint8_t *copy = mbedtls_calloc(1, size + 1);
		if (!copy)
			return MBEDTLS_ERR_SSL_ALLOC_FAILED;
		memcpy(copy, bytes, size);
		copy[size] = 0;
		/* A PEM key needs the NUL counted; a DER one must not have it. */
		code = mbedtls_pk_parse_key(key, copy, memchr(bytes, '-', size < 16 ? size : 16) ? size + 1 : size, NULL, 0 V2G_TLS_RNG);
		mbedtls_platform_zeroize(copy, size);
		mbedtls_free(copy);
		return code;
	}
	/* The raw private scalar: into PSA (which derives the public key), then copied into the pk
	   context mbedTLS's TLS signs with; the same calls on 3.6 and 4.0. */
	psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
	mbedtls_svc_key_id_t id = MBEDTLS_SVC_KEY_ID_INIT;
	psa_set_key_type(&attributes, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
	psa_set_key_bits(&attributes, form == V2G_TLS_KEY_RAW_P256 ? 256 : 521);
	psa_set_key_usage_flags(&attributes, PSA_KEY_USAGE_EXPORT | PSA_KEY_USAGE_SIGN_HASH);
	psa_set_key_algorithm(&attributes, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
	code = psa_import_key(&attributes, bytes, size, &id);
	if (code != PSA_SUCCESS)
		return code == PSA_ERROR_INSUFFICIENT_MEMORY ? MBEDTLS_ERR_SSL_ALLOC_FAILED : MBEDTLS_ERR_PK_KEY_INVALID_FORMAT;
	code = mbedtls_pk_copy_from_psa(id, key);
	psa_destroy_key(id);
	return code;
}

/* Whether the key can sign ECDSA: ISO 15118 has no other TLS signature. */
static int is_ecdsa_key(mbedtls_pk_context *key)
{
#if MBEDTLS_VERSION_MAJOR >= 4
	return mbedtls_pk_can_do_psa(key, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH), PSA_KEY_USAGE_SIGN_HASH) ||
		mbedtls_pk_can_do_psa(key, PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_ANY_HASH), PSA_KEY_USAGE_SIGN_HASH);
#else
	return mbedtls_pk_can_do(key, MBEDTLS_PK_ECKEY);
#endif
}

int v2g_tls_config_add_credentials(v2g_tls_config *config, const uint8_t *const *certs, const size_t *cert_sizes, int cert_count,
	const uint8_t *key, size_t key_size, v2g_tls_key_form key_form)
{
	v2g_tls_credential *credential;
	int code, i;

	if (key_form == V2G_TLS_KEY_RAW_ED448)
		/* ISO 15118-20 allows Ed448 leaves; mbedTLS 3.6 has no Ed448 (no EdDSA at all), so the
		   firmware presents its secp521r1 chain, which the standard also defines. */
		return config_fail(config, "Ed448 keys are not supported by mbedTLS: use the secp521r1 chain", 0);
	if (config->credential_count == V2G_TLS_MAX_CREDENTIALS)
		return config_fail(config, "too many credentials", 0);
	credential = &config->credentials[config->credential_count];
	mbedtls_x509_crt_init(&credential->chain);
	mbedtls_pk_init(&credential->key);
	for (i = 0; i < cert_count; i++) {
		code = parse_certificates(&credential->chain, certs[i], cert_sizes[i]);
		if (code)
			goto fail;
	}
	if (cert_count == 0) {
		code = 0;
		config_fail(config, "credentials without a certificate", 0);
		goto fail_quiet;
	}
	code = parse_key(&credential->key, key, key_size, key_form);
	if (code)
		goto fail;
	if (!is_ecdsa_key(&credential->key)) {
		config_fail(config, "the key is not an EC key (ISO 15118 uses ECDSA)", 0);
		goto fail_quiet;
	}
	code = mbedtls_pk_check_pair(&credential->chain.pk, &credential->key V2G_TLS_RNG);
	if (code) {
		config_fail(config, "the key does not match the leaf certificate", code);
		goto fail_quiet;
	}
	credential->curve_bits = mbedtls_pk_get_bitlen(&credential->key);
	config->credential_count++;
	return 0;
fail:
	config_fail(config, "credentials", code);
fail_quiet:
	mbedtls_x509_crt_free(&credential->chain);
	mbedtls_pk_free(&credential->key);
	return -1;
}

int v2g_tls_config_add_anchor(v2g_tls_config *config, const uint8_t *cert, size_t size)
{
	int code = parse_certificates(&config->anchors, cert, size);
	if (code)
		return config_fail(config, "trust anchor", code);
	config->anchor_count++;
	return 0;
}

int v2g_tls_middlebox_compatibility_compiled(void)
{
#if defined(MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE)
	return 1;
#else
	return 0;
#endif
}

int v2g_tls_config_set_middlebox_compatibility(v2g_tls_config *config, int on)
{
	if (!on == !v2g_tls_middlebox_compatibility_compiled())
		return 0;
	return config_fail(config, on ? "middlebox compatibility needs mbedTLS built with MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE"
	                              : "this mbedTLS was built with MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE: it cannot be turned off at run time",
		0);
}

int v2g_tls_config_restrict(v2g_tls_config *config, const char *suite, const char *group)
{
	size_t i;
	if (suite) {
		for (i = 0; i < sizeof(v2g_tls_suite_names) / sizeof(v2g_tls_suite_names[0]); i++)
			if (!strcmp(suite, v2g_tls_suite_names[i].name))
				break;
		if (i == sizeof(v2g_tls_suite_names) / sizeof(v2g_tls_suite_names[0]))
			return config_fail(config,
				!V2G_TLS_STATIC_ECDH && !strcmp(suite, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256")
					? "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256: this mbedTLS has no static-ECDH suites (mbedTLS 4 removed them)"
					: "unknown suite",
				0);
		config->suites[0] = v2g_tls_suite_names[i].id;
		config->suites[1] = 0;
	}
	if (group) {
		for (i = 0; i < sizeof(v2g_tls_group_names) / sizeof(v2g_tls_group_names[0]); i++)
			if (!strcmp(group, v2g_tls_group_names[i].name))
				break;
		if (i == sizeof(v2g_tls_group_names) / sizeof(v2g_tls_group_names[0]))
			return config_fail(config, "unknown group", 0);
		config->groups[0] = v2g_tls_group_names[i].id;
		config->groups[1] = MBEDTLS_SSL_IANA_TLS_GROUP_NONE;
	}
	return 0;
}

/* A TLS 1.2 handshake uses the secp256r1 chain ([V2G2-605]), a TLS 1.3 one the others. */
static int credential_fits(const v2g_tls_credential *credential, int tls13)
{
	return tls13 ? credential->curve_bits != 256 : credential->curve_bits == 256;
}

/* Server, after the ClientHello: the chain and client authentication for the version settled. */
static int select_for_version(mbedtls_ssl_context *ssl)
{
	v2g_tls *tls = mbedtls_ssl_get_user_data_p(ssl);
	v2g_tls_config *config = tls->config;
	int tls13 = mbedtls_ssl_get_version_number(ssl) == MBEDTLS_SSL_VERSION_TLS1_3;
	int i, found = 0;

	mbedtls_ssl_set_hs_own_cert(ssl, NULL, NULL);
	for (i = 0; i < config->credential_count; i++) {
		if (!credential_fits(&config->credentials[i], tls13))
			continue;
		if (mbedtls_ssl_set_hs_own_cert(ssl, &config->credentials[i].chain, &config->credentials[i].key))
			return MBEDTLS_ERR_SSL_ALLOC_FAILED;
		found = 1;
	}
	if (!found) {
		snprintf(tls->error, sizeof(tls->error), "no %s certificate configured for %s", tls13 ? "secp521r1" : "secp256r1",
			tls13 ? "TLS 1.3" : "TLS 1.2");
		return MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE;
	}
	/* -2: server authentication only [V2G2-608]; -20: the vehicle's certificate is required. */
	mbedtls_ssl_set_hs_authmode(ssl, tls13 ? MBEDTLS_SSL_VERIFY_REQUIRED : MBEDTLS_SSL_VERIFY_NONE);
	return 0;
}

int v2g_tls_config_ready(v2g_tls_config *config)
{
	int code, i;
	if (config->ready)
		return 0;
	code = mbedtls_ssl_config_defaults(&config->ssl, config->server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
		MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (code)
		return config_fail(config, "ssl configuration", code);
#if MBEDTLS_VERSION_MAJOR < 4
	mbedtls_ssl_conf_rng(&config->ssl, mbedtls_psa_get_random, MBEDTLS_PSA_RANDOM_STATE);
#endif
	mbedtls_ssl_conf_min_tls_version(&config->ssl,
		config->profile & V2G_TLS_ISO2 ? MBEDTLS_SSL_VERSION_TLS1_2 : MBEDTLS_SSL_VERSION_TLS1_3);
	mbedtls_ssl_conf_max_tls_version(&config->ssl,
		config->profile & V2G_TLS_ISO20 ? MBEDTLS_SSL_VERSION_TLS1_3 : MBEDTLS_SSL_VERSION_TLS1_2);
	mbedtls_ssl_conf_ciphersuites(&config->ssl, config->suites);
	mbedtls_ssl_conf_groups(&config->ssl, config->groups);
	mbedtls_ssl_conf_sig_algs(&config->ssl, config->sig_algs);
	/* No renegotiation, no session resumption: each V2G communication session is one handshake. */
	mbedtls_ssl_conf_renegotiation(&config->ssl, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_CLI_C)
	if (!config->server)
		mbedtls_ssl_conf_session_tickets(&config->ssl, MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
#endif
	if (config->anchor_count)
		mbedtls_ssl_conf_ca_chain(&config->ssl, &config->anchors, NULL);
	if (config->server) {
		if (config->credential_count == 0)
			return config_fail(config, "a TLS server needs credentials", 0);
		mbedtls_ssl_conf_cert_cb(&config->ssl, select_for_version);
		if ((config->profile & V2G_TLS_ISO20) && config->anchor_count == 0)
			return config_fail(config, "ISO 15118-20 TLS is mutually authenticated: the server needs the OEM roots", 0);
	} else {
		if (config->anchor_count == 0)
			return config_fail(config, "a TLS client needs the trust anchors of the server's chain", 0);
		mbedtls_ssl_conf_authmode(&config->ssl, MBEDTLS_SSL_VERIFY_REQUIRED);
		for (i = 0; i < config->credential_count; i++) {
			/* The client certificate answers a TLS 1.3 CertificateRequest only (-2 has none). */
			if (!credential_fits(&config->credentials[i], 1))
				continue;
			code = mbedtls_ssl_conf_own_cert(&config->ssl, &config->credentials[i].chain, &config->credentials[i].key);
			if (code)
				return config_fail(config, "client credentials", code);
		}
		if (config->profile == V2G_TLS_ISO20 && config->credential_count == 0)
			return config_fail(config, "ISO 15118-20 TLS is mutually authenticated: the client needs credentials", 0);
	}
	config->ready = 1;
	return 0;
}

const char *v2g_tls_suite_available(int index)
{
	if (index < 0 || (size_t)index >= sizeof(v2g_tls_suite_names) / sizeof(v2g_tls_suite_names[0]))
		return NULL;
	return v2g_tls_suite_names[index].name;
}

const char *v2g_tls_config_error(const v2g_tls_config *config)
{
	return config->error;
}

void v2g_tls_config_free(v2g_tls_config *config)
{
	int i;
	if (!config)
		return;
	for (i = 0; i < config->credential_count; i++) {
		mbedtls_x509_crt_free(&config->credentials[i].chain);
		mbedtls_pk_free(&config->credentials[i].key);
	}
	mbedtls_x509_crt_free(&config->anchors);
	mbedtls_ssl_config_free(&config->ssl);
	mbedtls_free(config);
}

static int buffer_append(v2g_tls_buffer *buffer, const uint8_t *data, size_t size)
{
	if (buffer->size + size > buffer->capacity) {
		size_t capacity = buffer->capacity ? buffer->capacity : 1024;
		uint8_t *bytes;
		while (capacity < buffer->size + size)
			capacity *= 2;
		/* Through mbedTLS's allocator, so that the heap it counts is the whole connection's. */
		bytes = mbedtls_calloc(1, capacity);
		if (!bytes)
			return -1;
		if (buffer->size)
			memcpy(bytes, buffer->bytes, buffer->size);
		mbedtls_free(buffer->bytes);
		buffer->bytes = bytes;
		buffer->capacity = capacity;
	}
	memcpy(buffer->bytes + buffer->size, data, size);
	buffer->size += size;
	return 0;
}

static void buffer_drop_front(v2g_tls_buffer *buffer, size_t size)
{
	if (size >= buffer->size) {
		buffer->size = 0;
		return;
	}
	memmove(buffer->bytes, buffer->bytes + size, buffer->size - size);
	buffer->size -= size;
}

static int send_to_output(void *context, const unsigned char *data, size_t size)
{
	v2g_tls *tls = context;
	if (buffer_append(&tls->output, data, size))
		return MBEDTLS_ERR_SSL_ALLOC_FAILED;
	return (int)size;
}

static int receive_from_input(void *context, unsigned char *data, size_t size)
{
	v2g_tls *tls = context;
	size_t waiting = tls->input.size - tls->input_read;
	if (waiting == 0)
		return MBEDTLS_ERR_SSL_WANT_READ;
	if (size > waiting)
		size = waiting;
	memcpy(data, tls->input.bytes + tls->input_read, size);
	tls->input_read += size;
	if (tls->input_read == tls->input.size) {
		tls->input.size = 0;
		tls->input_read = 0;
	}
	return (int)size;
}

static void hex(char *out, const unsigned char *bytes, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;
	for (i = 0; i < size; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * size] = 0;
}

static void export_key(void *context, mbedtls_ssl_key_export_type type, const unsigned char *secret, size_t secret_size,
	const unsigned char client_random[32], const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
	v2g_tls *tls = context;
	const char *label;
	char line[64 + 65 + 2 * 64 + 4];
	(void)server_random;
	(void)prf;
	switch (type) {
	case MBEDTLS_SSL_KEY_EXPORT_TLS12_MASTER_SECRET: label = "CLIENT_RANDOM"; break;
	case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_HANDSHAKE_TRAFFIC_SECRET: label = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"; break;
	case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_HANDSHAKE_TRAFFIC_SECRET: label = "SERVER_HANDSHAKE_TRAFFIC_SECRET"; break;
	case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_APPLICATION_TRAFFIC_SECRET: label = "CLIENT_TRAFFIC_SECRET_0"; break;
	case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_APPLICATION_TRAFFIC_SECRET: label = "SERVER_TRAFFIC_SECRET_0"; break;
	default: return;
	}
	if (secret_size > 64)
		return;
	/* NSS key-log format: LABEL <client_random hex> <secret hex>. */
	int n = snprintf(line, sizeof(line), "%s ", label);
	hex(line + n, client_random, 32);
	n += 64;
	line[n++] = ' ';
	hex(line + n, secret, secret_size);
	tls->on_key_line(tls->key_context, line);
}

v2g_tls *v2g_tls_new(v2g_tls_config *config, char *err, size_t err_size)
{
	v2g_tls *tls;
	int code;
	if (v2g_tls_config_ready(config)) {
		snprintf(err, err_size, "%s", config->error);
		return NULL;
	}
	tls = mbedtls_calloc(1, sizeof(*tls));
	if (!tls) {
		snprintf(err, err_size, "no memory for a TLS connection");
		return NULL;
	}
	tls->config = config;
	mbedtls_ssl_init(&tls->ssl);
	code = mbedtls_ssl_setup(&tls->ssl, &config->ssl);
	if (code) {
		describe(err, err_size, "ssl setup", code);
		v2g_tls_free(tls);
		return NULL;
	}
	mbedtls_ssl_set_user_data_p(&tls->ssl, tls);
	mbedtls_ssl_set_bio(&tls->ssl, tls, send_to_output, receive_from_input, NULL);
	/* V2G has no host names: the chain to the anchors is the check (PkiStore then checks the
	   V2G specifics). mbedTLS 3.6.3+ refuses a verifying client without this explicit NULL. */
	if (!config->server)
		mbedtls_ssl_set_hostname(&tls->ssl, NULL);
	tls->state = V2G_TLS_HANDSHAKING;
	return tls;
}

void v2g_tls_set_keylog(v2g_tls *tls, void (*on_line)(void *, const char *), void *context)
{
	tls->on_key_line = on_line;
	tls->key_context = context;
	mbedtls_ssl_set_export_keys_cb(&tls->ssl, on_line ? export_key : NULL, tls);
}

/* Server: which ISO 15118-2 suites the first ClientHello offers (RFC 5246 7.4.1.2), read from
   the first bytes fed, so that a refusal can say why. A ClientHello split over several reads
   is left unread: the refusal then keeps mbedTLS's own reason. */
static void note_client_hello(v2g_tls *tls, const uint8_t *data, size_t size)
{
	size_t at, end, suites_end;
	tls->hello_seen = 1;
	/* record header (5), handshake header (4), client_version (2), random (32) */
	if (size < 5 + 4 + 2 + 32 + 1 || data[0] != 22 || data[5] != 1)
		return;
	end = 5 + (((size_t)data[3] << 8) | data[4]);
	if (end > size)
		return;
	at = 5 + 4 + 2 + 32;
	at += 1 + data[at]; /* session_id */
	if (at + 2 > end)
		return;
	suites_end = at + 2 + (((size_t)data[at] << 8) | data[at + 1]);
	if (suites_end > end)
		return;
	for (at += 2; at + 2 <= suites_end; at += 2) {
		unsigned suite = ((unsigned)data[at] << 8) | data[at + 1];
		if (suite == V2G_TLS_IANA_ECDHE_ECDSA_AES_128_CBC_SHA256)
			tls->hello_offers_ecdhe = 1;
		else if (suite == V2G_TLS_IANA_ECDH_ECDSA_AES_128_CBC_SHA256)
			tls->hello_offers_static_ecdh = 1;
	}
}

size_t v2g_tls_feed(v2g_tls *tls, const uint8_t *data, size_t size)
{
	size_t room;
	if (tls->config->server && !tls->hello_seen && size)
		note_client_hello(tls, data, size);
	if (tls->input_read) {
		buffer_drop_front(&tls->input, tls->input_read);
		tls->input_read = 0;
	}
	room = tls->input.size < V2G_TLS_INPUT_LIMIT ? V2G_TLS_INPUT_LIMIT - tls->input.size : 0;
	if (size > room)
		size = room;
	if (size && buffer_append(&tls->input, data, size))
		return 0;
	return size;
}

const uint8_t *v2g_tls_output(v2g_tls *tls, size_t *size)
{
	*size = tls->output.size;
	return tls->output.bytes;
}

void v2g_tls_consume_output(v2g_tls *tls, size_t size)
{
	buffer_drop_front(&tls->output, size);
}

static v2g_tls_state fail(v2g_tls *tls, const char *what, int code)
{
	char reason[200];
	if (tls->error[0] == 0 && !V2G_TLS_STATIC_ECDH && tls->config->server && tls->hello_offers_static_ecdh &&
		!tls->hello_offers_ecdhe && (tls->config->profile & V2G_TLS_ISO2)) {
		/* [V2G2-602] lets an EVCC offer only the static suite, which mbedTLS 4 does not have. */
		describe(reason, sizeof(reason), what, code);
		snprintf(tls->error, sizeof(tls->error),
			"%s: the vehicle offers TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256 (static ECDH) and not "
			"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, the only ISO 15118-2 suite of mbedTLS %d",
			reason, MBEDTLS_VERSION_MAJOR);
	}
	if (tls->error[0] == 0) {
		describe(reason, sizeof(reason), what, code);
		uint32_t flags = mbedtls_ssl_get_verify_result(&tls->ssl);
		if (code == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags != 0 && flags != (uint32_t)-1) {
			char info[100];
			mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags);
			info[strcspn(info, "\n")] = 0;
			snprintf(tls->error, sizeof(tls->error), "%s: %s", reason, info);
		} else
			snprintf(tls->error, sizeof(tls->error), "%s", reason);
	}
	tls->state = V2G_TLS_FAILED;
	return tls->state;
}

v2g_tls_state v2g_tls_step(v2g_tls *tls)
{
	int code;
	if (tls->state != V2G_TLS_HANDSHAKING)
		return tls->state;
	code = mbedtls_ssl_handshake(&tls->ssl);
	if (code == 0)
		tls->state = V2G_TLS_OPEN;
	else if (code != MBEDTLS_ERR_SSL_WANT_READ && code != MBEDTLS_ERR_SSL_WANT_WRITE)
		return fail(tls, "handshake", code);
	return tls->state;
}

int v2g_tls_read(v2g_tls *tls, uint8_t *buffer, size_t size)
{
	int code, again = 0;
	if (tls->state != V2G_TLS_OPEN)
		return -1;
	for (;;) {
		code = mbedtls_ssl_read(&tls->ssl, buffer, size);
		if (code > 0)
			return code;
		if (code == MBEDTLS_ERR_SSL_WANT_READ || code == MBEDTLS_ERR_SSL_WANT_WRITE) {
			/* mbedTLS also answers WANT_READ right after it took a TLS 1.3 post-handshake
			   message (a NewSessionTicket), with the records behind it still queued here: read
			   on, or a reply that came in the same segment as the tickets waits for the next
			   one (a hang with a Node charger, which sends two tickets). Bounded, as each call
			   consumes a record. */
			if ((tls->input.size > tls->input_read || mbedtls_ssl_check_pending(&tls->ssl)) && ++again < 64)
				continue;
			return 0;
		}
		/* TLS 1.3 tickets a server sends after the handshake: not used (no resumption). */
		if (code == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
			continue;
		if (code == 0 || code == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
			tls->state = V2G_TLS_CLOSED;
			return -1;
		}
		fail(tls, "read", code);
		return -1;
	}
}

int v2g_tls_write(v2g_tls *tls, const uint8_t *data, size_t size)
{
	size_t done = 0;
	if (tls->state != V2G_TLS_OPEN)
		return -1;
	while (done < size) {
		int code = mbedtls_ssl_write(&tls->ssl, data + done, size - done);
		if (code < 0) {
			fail(tls, "write", code);
			return -1;
		}
		done += (size_t)code;
	}
	return 0;
}

void v2g_tls_close(v2g_tls *tls)
{
	if (tls->state == V2G_TLS_OPEN)
		mbedtls_ssl_close_notify(&tls->ssl);
	if (tls->state != V2G_TLS_FAILED)
		tls->state = V2G_TLS_CLOSED;
}

const char *v2g_tls_error(const v2g_tls *tls)
{
	return tls->error;
}

const char *v2g_tls_protocol(const v2g_tls *tls)
{
	return mbedtls_ssl_get_version_number(&tls->ssl) == MBEDTLS_SSL_VERSION_TLS1_3 ? "TLSv1.3" : "TLSv1.2";
}

const char *v2g_tls_suite(const v2g_tls *tls)
{
	int id = mbedtls_ssl_get_ciphersuite_id_from_ssl(&tls->ssl);
	size_t i;
	for (i = 0; i < sizeof(v2g_tls_suite_names) / sizeof(v2g_tls_suite_names[0]); i++)
		if (v2g_tls_suite_names[i].id == id)
			return v2g_tls_suite_names[i].name;
	return mbedtls_ssl_get_ciphersuite(&tls->ssl);
}

const uint8_t *v2g_tls_peer_certificate(const v2g_tls *tls, int index, size_t *size)
{
	const mbedtls_x509_crt *cert = mbedtls_ssl_get_peer_cert(&tls->ssl);
	while (cert && index-- > 0)
		cert = cert->next;
	if (!cert || cert->raw.len == 0)
		return NULL;
	*size = cert->raw.len;
	return cert->raw.p;
}

void v2g_tls_free(v2g_tls *tls)
{
	if (!tls)
		return;
	mbedtls_ssl_free(&tls->ssl);
	mbedtls_free(tls->input.bytes);
	mbedtls_free(tls->output.bytes);
	mbedtls_free(tls);
}

#endif /* XS15118_WITHOUT_MBEDTLS */
