/*
 * XS binding of the TLS engine (v2g-tls.c) for Moddable builds: host functions on small
 * integer handles (tls-native.js declares them; tls.ts builds the core's TlsSocket and
 * TlsListener over any TCP class with them). A failure throws with the engine's reason.
 */
#include "xsmc.h"

#include <string.h>
#include <time.h>

#ifdef XS15118_WITHOUT_MBEDTLS
/* Built without mbedTLS (XS15118_MBEDTLS unset, hosts/linux/manifest.json): tlsBuild() answers
   undefined and every other call throws with the reason, so the station says it has no TLS. */
#define XS15118_NO_TLS(name) \
	void name(xsMachine *the) { xsUnknownError("no TLS in this build: rebuild with XS15118_MBEDTLS set to an mbedTLS 3.6 install prefix"); }
void xs15118_tls_build(xsMachine *the) {}
XS15118_NO_TLS(xs15118_tls_config)
XS15118_NO_TLS(xs15118_tls_credentials)
XS15118_NO_TLS(xs15118_tls_anchor)
XS15118_NO_TLS(xs15118_tls_config_free)
XS15118_NO_TLS(xs15118_tls_open)
XS15118_NO_TLS(xs15118_tls_feed)
XS15118_NO_TLS(xs15118_tls_output)
XS15118_NO_TLS(xs15118_tls_step)
XS15118_NO_TLS(xs15118_tls_read)
XS15118_NO_TLS(xs15118_tls_write)
XS15118_NO_TLS(xs15118_tls_session)
XS15118_NO_TLS(xs15118_tls_error)
XS15118_NO_TLS(xs15118_tls_close)
XS15118_NO_TLS(xs15118_tls_free)
XS15118_NO_TLS(xs15118_tls_verify)
XS15118_NO_TLS(xs15118_tls_digest)
XS15118_NO_TLS(xs15118_tls_stats)
XS15118_NO_TLS(xs15118_tls_suites)
#else

#include "mbedtls-config.h"
#include "mbedtls/build_info.h"
#include "psa/crypto.h"

#include "heap-count.h"
#include "v2g-tls.h"

#define MAX_CONFIGS 4
#define MAX_CONNECTIONS 8

static v2g_tls_config *configs[MAX_CONFIGS];
static v2g_tls *connections[MAX_CONNECTIONS];
static int heap_counted, heap_available;

static v2g_tls_config *config_of(xsMachine *the, int argument)
{
	int id = xsmcToInteger(xsArg(argument));
	if (id < 0 || id >= MAX_CONFIGS || !configs[id])
		xsRangeError("no such TLS configuration");
	return configs[id];
}

static v2g_tls *connection_of(xsMachine *the)
{
	int id = xsmcToInteger(xsArg(0));
	if (id < 0 || id >= MAX_CONNECTIONS || !connections[id])
		xsRangeError("no such TLS connection");
	return connections[id];
}

/* tlsConfig(server, profile, middlebox?) → handle */
void xs15118_tls_config(xsMachine *the)
{
	char err[200];
	int id;
	for (id = 0; id < MAX_CONFIGS && configs[id]; id++)
		;
	if (id == MAX_CONFIGS)
		xsRangeError("too many TLS configurations");
	if (!heap_counted) {
		/* Before mbedTLS's first allocation: the heap figures of tlsStats(). */
		heap_counted = 1;
		heap_available = heap_count_install() == 0;
	}
	configs[id] = v2g_tls_config_new(xsmcTest(xsArg(0)), (v2g_tls_profile)xsmcToInteger(xsArg(1)), err, sizeof(err));
	if (!configs[id])
		xsUnknownError("%s", err);
	if (xsmcArgc > 2 && xsmcTypeOf(xsArg(2)) != xsUndefinedType) {
		if (v2g_tls_config_set_middlebox_compatibility(configs[id], xsmcTest(xsArg(2)))) {
			xsUnknownError("%s", v2g_tls_config_error(configs[id]));
		}
	}
	xsmcSetInteger(xsResult, id);
}

/* tlsCredentials(config, [der, ...], key, keyForm) */
void xs15118_tls_credentials(xsMachine *the)
{
	v2g_tls_config *config = config_of(the, 0);
	const uint8_t *certs[6];
	size_t sizes[6];
	void *data;
	xsUnsignedValue size;
	int count, i;
	xsmcVars(1);
	xsmcGet(xsVar(0), xsArg(1), xsID("length"));
	count = xsmcToInteger(xsVar(0));
	if (count < 1 || count > 6)
		xsRangeError("a chain of 1 to 6 certificates");
	for (i = 0; i < count; i++) {
		xsmcGetIndex(xsVar(0), xsArg(1), i);
		xsmcGetBufferReadable(xsVar(0), &data, &size);
		certs[i] = data;
		sizes[i] = size;
	}
	/* The buffers stay reachable (arguments) and unmoved while the engine copies them. */
	xsmcGetBufferReadable(xsArg(2), &data, &size);
	if (v2g_tls_config_add_credentials(config, certs, sizes, count, data, size, (v2g_tls_key_form)xsmcToInteger(xsArg(3))))
		xsUnknownError("%s", v2g_tls_config_error(config));
}

void xs15118_tls_anchor(xsMachine *the)
{
	v2g_tls_config *config = config_of(the, 0);
	void *data;
	xsUnsignedValue size;
	xsmcGetBufferReadable(xsArg(1), &data, &size);
	if (v2g_tls_config_add_anchor(config, data, size))
		xsUnknownError("%s", v2g_tls_config_error(config));
}

void xs15118_tls_config_free(xsMachine *the)
{
	int id = xsmcToInteger(xsArg(0));
	if (id >= 0 && id < MAX_CONFIGS && configs[id]) {
		v2g_tls_config_free(configs[id]);
		configs[id] = NULL;
	}
}

/* tlsOpen(config) → connection handle */
void xs15118_tls_open(xsMachine *the)
{
	v2g_tls_config *config = config_of(the, 0);
	char err[200];
	int id;
	for (id = 0; id < MAX_CONNECTIONS && connections[id]; id++)
		;
	if (id == MAX_CONNECTIONS)
		xsRangeError("too many TLS connections");
	connections[id] = v2g_tls_new(config, err, sizeof(err));
	if (!connections[id])
		xsUnknownError("%s", err);
	xsmcSetInteger(xsResult, id);
}

/* tlsFeed(connection, ciphertext) → bytes taken */
void xs15118_tls_feed(xsMachine *the)
{
	v2g_tls *tls = connection_of(the);
	void *data;
	xsUnsignedValue size;
	xsmcGetBufferReadable(xsArg(1), &data, &size);
	xsmcSetInteger(xsResult, (xsIntegerValue)v2g_tls_feed(tls, data, size));
}

/* tlsOutput(connection) → the pending ciphertext (taken), or undefined */
void xs15118_tls_output(xsMachine *the)
{
	v2g_tls *tls = connection_of(the);
	size_t size;
	const uint8_t *data = v2g_tls_output(tls, &size);
	if (size == 0)
		return;
	xsmcSetArrayBuffer(xsResult, (void *)data, size);
	v2g_tls_consume_output(tls, size);
}

/* tlsStep(connection) → 0 handshaking, 1 open, 2 closed, 3 failed */
void xs15118_tls_step(xsMachine *the)
{
	xsmcSetInteger(xsResult, v2g_tls_step(connection_of(the)));
}

/* tlsRead(connection) → plaintext, undefined when none waits, null when closed or failed */
void xs15118_tls_read(xsMachine *the)
{
	v2g_tls *tls = connection_of(the);
	uint8_t buffer[1024];
	int got = v2g_tls_read(tls, buffer, sizeof(buffer));
	if (got > 0)
		xsmcSetArrayBuffer(xsResult, buffer, got);
	else if (got < 0)
		xsmcSetNull(xsResult);
}

void xs15118_tls_write(xsMachine *the)
{
	v2g_tls *tls = connection_of(the);
	void *data;
	xsUnsignedValue size;
	xsmcGetBufferReadable(xsArg(1), &data, &size);
	if (v2g_tls_write(tls, data, size))
		xsUnknownError("%s", v2g_tls_error(tls));
}

/* tlsSession(connection) → {protocol, cipherSuite, peerChain: [ArrayBuffer]} */
void xs15118_tls_session(xsMachine *the)
{
	v2g_tls *tls = connection_of(the);
	const uint8_t *der;
	size_t size;
	int i;
	xsmcVars(2);
	xsmcSetNewObject(xsResult);
	xsmcSetString(xsVar(0), (char *)v2g_tls_protocol(tls));
	xsmcSet(xsResult, xsID("protocol"), xsVar(0));
	xsmcSetString(xsVar(0), (char *)v2g_tls_suite(tls));
	xsmcSet(xsResult, xsID("cipherSuite"), xsVar(0));
	xsmcSetNewArray(xsVar(0), 0);
	for (i = 0; (der = v2g_tls_peer_certificate(tls, i, &size)) != NULL; i++) {
		xsmcSetArrayBuffer(xsVar(1), (void *)der, size);
		xsmcSetIndex(xsVar(0), i, xsVar(1));
	}
	xsmcSet(xsResult, xsID("peerChain"), xsVar(0));
}

void xs15118_tls_error(xsMachine *the)
{
	xsmcSetString(xsResult, (char *)v2g_tls_error(connection_of(the)));
}

/* tlsClose(connection): queues close_notify (take it with tlsOutput) */
void xs15118_tls_close(xsMachine *the)
{
	v2g_tls_close(connection_of(the));
}

void xs15118_tls_free(xsMachine *the)
{
	int id = xsmcToInteger(xsArg(0));
	if (id >= 0 && id < MAX_CONNECTIONS && connections[id]) {
		v2g_tls_free(connections[id]);
		connections[id] = NULL;
	}
}

/* tlsBuild() → the mbedTLS version this build was compiled against ("3.6.6", "4.0.0"): the
   headers' string, since mbedtls_version_get_string() changed its signature in 4.0 and
   needs MBEDTLS_VERSION_C, which a board's configuration may leave out. */
void xs15118_tls_build(xsMachine *the)
{
	xsmcSetString(xsResult, MBEDTLS_VERSION_STRING);
}

/* tlsSuites() → the IANA names of the suites this build can offer (v2g_tls_suite_available) */
void xs15118_tls_suites(xsMachine *the)
{
	const char *name;
	int i;
	xsmcVars(1);
	xsmcSetNewArray(xsResult, 0);
	for (i = 0; (name = v2g_tls_suite_available(i)) != NULL; i++) {
		xsmcSetString(xsVar(0), (xsStringValue)name);
		xsmcSetIndex(xsResult, i, xsVar(0));
	}
}

/* tlsVerify(scheme, publicKey, message, signature) → boolean: ECDSA over the scheme's hash, the
   raw r‖s signature and the uncompressed public key of modules/pki-store/crypto.ts (scheme 1
   P-256/SHA-256, 2 P-521/SHA-512). Bad peer data answers false, never throws. */
void xs15118_tls_verify(xsMachine *the)
{
	/* Through PSA Crypto, the one interface mbedTLS 3.6 and 4.0 (where ecp/ecdsa are private)
	   share; PSA's ECDSA signature is the same raw r‖s. */
	int scheme = xsmcToInteger(xsArg(0));
	psa_algorithm_t algorithm = PSA_ALG_ECDSA(scheme == 1 ? PSA_ALG_SHA_256 : PSA_ALG_SHA_512);
	size_t half = scheme == 1 ? 32 : 66;
	void *key, *message, *signature;
	xsUnsignedValue key_size, message_size, signature_size;
	psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
	mbedtls_svc_key_id_t id = MBEDTLS_SVC_KEY_ID_INIT;
	int ok;
	if (scheme != 1 && scheme != 2)
		xsRangeError("tlsVerify: scheme 1 (P-256) or 2 (P-521)");
	if (psa_crypto_init() != PSA_SUCCESS)
		xsUnknownError("tlsVerify: psa_crypto_init failed");
	xsmcGetBufferReadable(xsArg(1), &key, &key_size);
	xsmcGetBufferReadable(xsArg(3), &signature, &signature_size);
	if (signature_size != 2 * half) {
		xsmcSetFalse(xsResult);
		return;
	}
	psa_set_key_type(&attributes, PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1));
	psa_set_key_bits(&attributes, scheme == 1 ? 256 : 521);
	psa_set_key_usage_flags(&attributes, PSA_KEY_USAGE_VERIFY_MESSAGE);
	psa_set_key_algorithm(&attributes, algorithm);
	/* The buffers stay where they are: nothing below allocates in the XS heap. A point off
	   the curve fails the import (PSA checks it), which answers false like a bad signature. */
	xsmcGetBufferReadable(xsArg(2), &message, &message_size);
	ok = psa_import_key(&attributes, key, key_size, &id) == PSA_SUCCESS &&
		psa_verify_message(id, algorithm, message, message_size, signature, signature_size) == PSA_SUCCESS;
	psa_destroy_key(id);
	xsmcSetBoolean(xsResult, ok);
}

/* tlsDigest(algorithm, data) → ArrayBuffer: 1 SHA-256, 2 SHA-512 */
void xs15118_tls_digest(xsMachine *the)
{
	int algorithm = xsmcToInteger(xsArg(0));
	uint8_t hash[64];
	size_t hash_size = 0;
	void *data;
	xsUnsignedValue size;
	if (algorithm != 1 && algorithm != 2)
		xsRangeError("tlsDigest: 1 (SHA-256) or 2 (SHA-512)");
	if (psa_crypto_init() != PSA_SUCCESS)
		xsUnknownError("tlsDigest: psa_crypto_init failed");
	xsmcGetBufferReadable(xsArg(1), &data, &size);
	if (psa_hash_compute(algorithm == 1 ? PSA_ALG_SHA_256 : PSA_ALG_SHA_512, data, size, hash, sizeof(hash), &hash_size) != PSA_SUCCESS)
		xsUnknownError("tlsDigest failed");
	xsmcSetArrayBuffer(xsResult, hash, hash_size);
}

/* tlsStats(restartPeak?) → {cpuMicroseconds, heap, heapPeak}: the process's CPU time and the
   heap mbedTLS holds and held at most (heap figures undefined where mbedTLS cannot count). */
void xs15118_tls_stats(xsMachine *the)
{
	struct timespec cpu;
#ifdef CLOCK_PROCESS_CPUTIME_ID
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
#else
	/* A microcontroller without per-process CPU time (one task runs XS): the monotonic clock. */
	clock_gettime(CLOCK_MONOTONIC, &cpu);
#endif
	xsmcVars(1);
	xsmcSetNewObject(xsResult);
	xsmcSetNumber(xsVar(0), (double)cpu.tv_sec * 1e6 + (double)cpu.tv_nsec / 1e3);
	xsmcSet(xsResult, xsID("cpuMicroseconds"), xsVar(0));
	if (heap_available) {
		xsmcSetInteger(xsVar(0), (xsIntegerValue)heap_count_now());
		xsmcSet(xsResult, xsID("heap"), xsVar(0));
		xsmcSetInteger(xsVar(0), (xsIntegerValue)heap_count_peak());
		xsmcSet(xsResult, xsID("heapPeak"), xsVar(0));
	}
	if (xsmcArgc > 0 && xsmcTest(xsArg(0)))
		heap_count_restart_peak();
}

#endif /* XS15118_WITHOUT_MBEDTLS */
