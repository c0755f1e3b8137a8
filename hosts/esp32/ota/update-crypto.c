/*
 * What checking a signed update needs of cryptography: SHA-256, one-shot and incremental (the
 * updater hashes a 1.5 MB slot in 4 KiB pieces), and ECDSA P-256 verification of the image
 * header's signature (modules/ota/image.ts: r‖s over SHA-256 of the signed bytes).
 *
 * Through the PSA Crypto API, not mbedTLS's legacy functions: ESP-IDF v6.0 (the version the
 * Moddable SDK builds with) ships mbedTLS 4.0, whose cryptography is TF-PSA-Crypto 1.0, where
 * mbedtls_sha256_* and mbedtls_ecdsa_* are private; PSA is its public interface, and on the
 * ESP32 its SHA-256 runs on the SHA accelerator through ESP-IDF's PSA driver. The same calls
 * exist in mbedTLS 3.6, so this file also compiles and runs on Linux against an mbedTLS 3.6
 * build (tests/ota/update-crypto-native.test.ts) and is checked against ESP-IDF's headers by
 * tests/project/esp-idf-compile.test.ts (hosts/esp32/README.md, "Compiling against ESP-IDF").
 */
#if defined(ESP_PLATFORM) && !defined(MBEDTLS_CONFIG_FILE)
/* Moddable's esp32 makefile compiles this file outside ESP-IDF's CMake, so it does not get the
   mbedtls component's definitions. They are the library's configuration: without them
   psa_hash_operation_t would be laid out for mbedTLS's default configuration, not for the
   library ESP-IDF built (with its SHA driver's context), and the two would disagree. */
#define MBEDTLS_CONFIG_FILE "mbedtls/esp_config.h"
#define TF_PSA_CRYPTO_USER_CONFIG_FILE "mbedtls/esp_config.h"
#endif

#include "xsmc.h"
#include "xsHost.h"
#include "psa/crypto.h"

#define P256_POINT_SIZE 65 /* 04 ‖ X ‖ Y (SEC 1 §2.3.3, uncompressed) */
#define P256_SIGNATURE_SIZE 64 /* r ‖ s, the PSA signature format for ECDSA */
#define SHA256_SIZE 32

/* psa_crypto_init() is idempotent; ESP-IDF calls it at start-up, a Linux test does not. */
static int cryptoReady(void)
{
	return PSA_SUCCESS == psa_crypto_init();
}

/* verifyP256(publicKey, message, signature) → boolean; anything malformed is false. */
void xs_update_crypto_verify_p256(xsMachine *the)
{
	void *key, *message, *signature;
	xsUnsignedValue keyLength, messageLength, signatureLength;
	uint8_t hash[SHA256_SIZE];
	size_t hashLength = 0;
	psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
	psa_key_id_t id = PSA_KEY_ID_NULL;
	int ok;

	xsmcGetBufferReadable(xsArg(0), &key, &keyLength);
	xsmcGetBufferReadable(xsArg(2), &signature, &signatureLength);
	if ((P256_POINT_SIZE != keyLength) || (P256_SIGNATURE_SIZE != signatureLength) || !cryptoReady()) {
		xsmcSetFalse(xsResult);
		return;
	}
	/* Read last: no XS allocation happens between this and the use of the pointers. */
	xsmcGetBufferReadable(xsArg(1), &message, &messageLength);

	psa_set_key_type(&attributes, PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1));
	psa_set_key_bits(&attributes, 256);
	psa_set_key_usage_flags(&attributes, PSA_KEY_USAGE_VERIFY_HASH);
	psa_set_key_algorithm(&attributes, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
	/* The import refuses a point that is not on the curve (the PSA specification's import rule
	   for ECC public keys), which the legacy code checked with mbedtls_ecp_check_pubkey. */
	ok = (PSA_SUCCESS == psa_import_key(&attributes, key, keyLength, &id))
		&& (PSA_SUCCESS == psa_hash_compute(PSA_ALG_SHA_256, message, messageLength, hash, sizeof(hash), &hashLength))
		&& (PSA_SUCCESS == psa_verify_hash(id, PSA_ALG_ECDSA(PSA_ALG_SHA_256), hash, hashLength, signature, signatureLength));
	psa_destroy_key(id); /* PSA_KEY_ID_NULL is accepted and does nothing */
	psa_reset_key_attributes(&attributes);
	xsmcSetBoolean(xsResult, ok);
}

void xs_update_crypto_sha256_destructor(void *data)
{
	if (data) {
		psa_hash_abort((psa_hash_operation_t *)data);
		c_free(data);
	}
}

void xs_update_crypto_sha256(xsMachine *the)
{
	psa_hash_operation_t *operation;
	if (!cryptoReady())
		xsUnknownError("crypto unavailable");
	operation = c_malloc(sizeof(psa_hash_operation_t));
	if (!operation)
		xsUnknownError("no memory");
	*operation = psa_hash_operation_init();
	if (PSA_SUCCESS != psa_hash_setup(operation, PSA_ALG_SHA_256)) {
		xs_update_crypto_sha256_destructor(operation);
		xsUnknownError("sha256 start failed");
	}
	xsmcSetHostData(xsThis, operation);
}

void xs_update_crypto_sha256_update(xsMachine *the)
{
	psa_hash_operation_t *operation = xsmcGetHostData(xsThis);
	void *data;
	xsUnsignedValue length;
	if (!operation)
		xsUnknownError("digest already taken");
	xsmcGetBufferReadable(xsArg(0), &data, &length);
	if (PSA_SUCCESS != psa_hash_update(operation, data, length))
		xsUnknownError("sha256 update failed");
}

/* The digest as an ArrayBuffer(32); the object is spent afterwards. */
void xs_update_crypto_sha256_digest(xsMachine *the)
{
	psa_hash_operation_t *operation = xsmcGetHostData(xsThis);
	uint8_t hash[SHA256_SIZE];
	size_t length = 0;
	psa_status_t status;
	if (!operation)
		xsUnknownError("digest already taken");
	status = psa_hash_finish(operation, hash, sizeof(hash), &length);
	xs_update_crypto_sha256_destructor(operation);
	xsmcSetHostData(xsThis, NULL);
	if ((PSA_SUCCESS != status) || (SHA256_SIZE != length))
		xsUnknownError("sha256 finish failed");
	xsmcSetArrayBuffer(xsResult, hash, sizeof(hash));
}
