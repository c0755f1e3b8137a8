// The portable CryptoHost (noble libraries); see noble-crypto.ts.
export { NobleCrypto, platformEntropy, type EntropySource } from "./noble-crypto";
