/*
 * What checking a signed update needs of cryptography, from mbedTLS (the library ESP-IDF ships;
 * on the ESP32 its SHA-256 runs on the SHA accelerator): SHA-256, one-shot and incremental (the
 * updater hashes a 1.5 MB slot in 4 KiB pieces), and ECDSA P-256 verification of the image
 * header's signature (modules/ota/image.ts: r‖s over SHA-256 of the signed bytes).
 *
 * Needs only mbedTLS 3.x and XS, no other ESP-IDF API: it also compiles on Linux against an
 * mbedTLS built from its sources (hosts/esp32/README.md, "Updates").
 */
#include "xsmc.h"
#include "xsHost.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/sha256.h"

#define P256_POINT_SIZE 65 /* 04 ‖ X ‖ Y (SEC 1 §2.3.3, uncompressed) */
#define P256_SIGNATURE_SIZE 64 /* r ‖ s */

/* verifyP256(publicKey, message, signature) → boolean; anything malformed is false. */
void xs_update_crypto_verify_p256(xsMachine *the)
{
	void *key, *message, *signature;
	xsUnsignedValue keyLength, messageLength, signatureLength;
	unsigned char hash[32];
	mbedtls_ecp_group group;
	mbedtls_ecp_point point;
	mbedtls_mpi r, s;
	int ok;

	xsmcGetBufferReadable(xsArg(0), &key, &keyLength);
	xsmcGetBufferReadable(xsArg(2), &signature, &signatureLength);
	if ((P256_POINT_SIZE != keyLength) || (P256_SIGNATURE_SIZE != signatureLength)) {
		xsmcSetFalse(xsResult);
		return;
	}
	/* Read last: no XS allocation happens between this and the use of the pointers. */
	xsmcGetBufferReadable(xsArg(1), &message, &messageLength);
	if (0 != mbedtls_sha256(message, messageLength, hash, 0)) {
		xsmcSetFalse(xsResult);
		return;
	}

	mbedtls_ecp_group_init(&group);
	mbedtls_ecp_point_init(&point);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	ok = (0 == mbedtls_ecp_group_load(&group, MBEDTLS_ECP_DP_SECP256R1))
		&& (0 == mbedtls_ecp_point_read_binary(&group, &point, key, keyLength))
		&& (0 == mbedtls_ecp_check_pubkey(&group, &point))
		&& (0 == mbedtls_mpi_read_binary(&r, signature, 32))
		&& (0 == mbedtls_mpi_read_binary(&s, (unsigned char *)signature + 32, 32))
		&& (0 == mbedtls_ecdsa_verify(&group, hash, sizeof(hash), &point, &r, &s));
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecp_point_free(&point);
	mbedtls_ecp_group_free(&group);
	xsmcSetBoolean(xsResult, ok);
}

void xs_update_crypto_sha256_destructor(void *data)
{
	if (data) {
		mbedtls_sha256_free((mbedtls_sha256_context *)data);
		c_free(data);
	}
}

void xs_update_crypto_sha256(xsMachine *the)
{
	mbedtls_sha256_context *context = c_malloc(sizeof(mbedtls_sha256_context));
	if (!context)
		xsUnknownError("no memory");
	mbedtls_sha256_init(context);
	if (0 != mbedtls_sha256_starts(context, 0)) {
		xs_update_crypto_sha256_destructor(context);
		xsUnknownError("sha256 start failed");
	}
	xsmcSetHostData(xsThis, context);
}

void xs_update_crypto_sha256_update(xsMachine *the)
{
	mbedtls_sha256_context *context = xsmcGetHostData(xsThis);
	void *data;
	xsUnsignedValue length;
	if (!context)
		xsUnknownError("digest already taken");
	xsmcGetBufferReadable(xsArg(0), &data, &length);
	if (0 != mbedtls_sha256_update(context, data, length))
		xsUnknownError("sha256 update failed");
}

/* The digest as an ArrayBuffer(32); the object is spent afterwards. */
void xs_update_crypto_sha256_digest(xsMachine *the)
{
	mbedtls_sha256_context *context = xsmcGetHostData(xsThis);
	unsigned char hash[32];
	int result;
	if (!context)
		xsUnknownError("digest already taken");
	result = mbedtls_sha256_finish(context, hash);
	xs_update_crypto_sha256_destructor(context);
	xsmcSetHostData(xsThis, NULL);
	if (0 != result)
		xsUnknownError("sha256 finish failed");
	xsmcSetArrayBuffer(xsResult, hash, sizeof(hash));
}
