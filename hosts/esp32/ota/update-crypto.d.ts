// update-crypto.js (native, update-crypto.c: mbedTLS), for TypeScript.
declare const updateCrypto: {
  verifyP256(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  Sha256: new () => { update(data: Uint8Array): void; digest(): ArrayBuffer };
};
export default updateCrypto;
