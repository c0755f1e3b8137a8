// The native calls of update-crypto.c (mbedTLS): SHA-256 and ECDSA P-256 verification for the
// updater (update-crypto-host.ts shapes them as the core's UpdateCrypto and IncrementalHash).
function verifyP256(publicKey, message, signature) @ "xs_update_crypto_verify_p256";

class Sha256 @ "xs_update_crypto_sha256_destructor" {
	constructor() @ "xs_update_crypto_sha256";
	update(data) @ "xs_update_crypto_sha256_update";
	digest() @ "xs_update_crypto_sha256_digest";
}

export default Object.freeze({ verifyP256, Sha256 });
