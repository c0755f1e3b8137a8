// What the backend behind the charger does and the charger and vehicle only receive: the
// contract key transport's sending side (the MO / CPS encrypts the contract certificate's private
// key for the vehicle: ISO 15118-2 V2G2-818, ISO 15118-20 §7.9.2.5.2) and the mobility
// operator's signature over a SalesTariff (ISO 15118-2). The simulated backend (hosts/sim/pki)
// and the tests, on Node and in XS, run it; the device never does, so it lives outside
// modules/. The receiving sides and the key derivations stay in modules/pki-store
// (key-transport.ts, key-transport-iso20.ts) and modules/statemachine/iso2/pnc.ts.

import { concatBytes } from "../../modules/common/bytes";
import { ImplementationError } from "../../modules/common/errors";
import { ISO20_KEY_TRANSPORT, iso20KeyTransportAad, iso20SessionKey, iso2SessionKey, signFragments } from "../../modules/pki-store/index";
import type { CryptoHost, Iso20EcdhCurve, Iso20EncryptedContractKey, Iso20KeyTransportBinding, Iso2EncryptedContractKey, SignatureScheme } from "../../modules/pki-store/index";
import type { SignedSalesTariff } from "../../modules/statemachine/iso2/pnc";
import type { iso2 } from "../../modules/statemachine/msg-types";

/** ISO 15118-2: the AES-128-CBC IV sent before the ciphertext, and the P-256 private key (V2G2-818). */
const ISO2_IV_BYTES = 16;
const ISO2_CONTRACT_KEY_BYTES = 32;
/** ISO 15118-20: the AES-256-GCM IV, 96 bits [V2G20-2497]. */
const ISO20_IV_BYTES = 12;

/**
 * Sender side (the backend stand-in behind the SECC): encrypts `contractPrivateKey` (32 bytes)
 * for the vehicle whose static P-256 public key is `vehiclePublicKey` (from its OEM provisioning
 * or current contract certificate).
 */
export function encryptContractKeyIso2(crypto: CryptoHost, vehiclePublicKey: Uint8Array, contractPrivateKey: Uint8Array): Iso2EncryptedContractKey {
  if (contractPrivateKey.length !== ISO2_CONTRACT_KEY_BYTES) throw new ImplementationError("the contract private key must be 32 bytes");
  const ephemeral = crypto.generateAgreementKey("P-256");
  const z = crypto.deriveSharedSecret("P-256", ephemeral.privateKey, vehiclePublicKey);
  if (!z) throw new ImplementationError("the vehicle's public key is not a P-256 point");
  const iv = crypto.randomBytes(ISO2_IV_BYTES);
  const ciphertext = crypto.aes128CbcEncrypt(iso2SessionKey(crypto, z), iv, contractPrivateKey);
  return { dhPublicKey: ephemeral.publicKey, encryptedPrivateKey: concatBytes([iv, ciphertext]) };
}

/**
 * Sender side (the backend stand-in behind the SECC): encrypts `contractPrivateKey` (66 bytes
 * P-521, 56 bytes X448) for the vehicle whose static public key on `curve` is `vehiclePublicKey`
 * (its OEM provisioning certificate's key).
 */
export function encryptContractKeyIso20(
  crypto: CryptoHost,
  curve: Iso20EcdhCurve,
  vehiclePublicKey: Uint8Array,
  contractPrivateKey: Uint8Array,
  binding: Iso20KeyTransportBinding,
): Iso20EncryptedContractKey {
  const spec = ISO20_KEY_TRANSPORT[curve];
  if (contractPrivateKey.length !== spec.privateKey) throw new ImplementationError(`the contract private key must be ${spec.privateKey} bytes for ${curve}`);
  if (curve === "SECP521" && (contractPrivateKey[0] & 0xfe) !== 0) throw new ImplementationError("a P-521 private key has at most 521 bits");
  const ephemeral = crypto.generateAgreementKey(spec.agreement);
  const z = crypto.deriveSharedSecret(spec.agreement, ephemeral.privateKey, vehiclePublicKey);
  if (!z) throw new ImplementationError(`the vehicle's public key is not a ${spec.agreement} key`);
  const iv = crypto.randomBytes(ISO20_IV_BYTES);
  const sealed = crypto.aes256GcmEncrypt(iso20SessionKey(crypto, z), iv, contractPrivateKey, iso20KeyTransportAad(binding));
  z.fill(0);
  return { ecdhCurve: curve, dhPublicKey: ephemeral.publicKey, encryptedPrivateKey: concatBytes([iv, sealed]) };
}

/**
 * Signs a SalesTariff as the mobility operator does (the simulated backend and tests): one
 * Reference to `#<Id>` over the SalesTariff's EXI fragment in the ISO-2 grammar.
 */
export function signSalesTariff(crypto: CryptoHost, signer: { readonly scheme: SignatureScheme; readonly privateKey: Uint8Array }, tariff: iso2.SalesTariffType & { readonly Id: string }): SignedSalesTariff {
  const signature = signFragments({ crypto, schema: "iso2", scheme: signer.scheme, privateKey: signer.privateKey, fragments: [{ id: tariff.Id, fragment: { SalesTariff: tariff } }] });
  return { tariff, signature };
}
