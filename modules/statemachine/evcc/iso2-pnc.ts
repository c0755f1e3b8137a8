// ISO 15118-2 Plug & Charge on the EVCC: the signed requests the vehicle sends and the checks
// on what it receives. Pure functions over the CryptoHost and the vehicle's PkiStore (V2G and MO
// roots, its OEM provisioning chain and key in the own slot "oem-provisioning", installed contracts).
//
//  - CertificateInstallationReq: Id, the OEM provisioning certificate, the V2G roots it trusts;
//    signed by the OEM provisioning key. CertificateUpdateReq: the current contract chain and
//    eMAID, signed by the current contract key.
//  - CertificateInstallationRes / UpdateRes: the SA provisioning (CPS) chain must validate to a
//    V2G root, its leaf must have signed all four Id elements (contract chain, encrypted key, DH
//    key, eMAID); the key transported (key-transport.ts) must belong to the new contract
//    certificate, and the contract chain must validate (MO or V2G root, eMAID = CN) before it is
//    installed.
//  - PaymentDetailsReq: the eMAID and the contract chain. AuthorizationReq: Id and the SECC's
//    GenChallenge, signed by the contract key. MeteringReceiptReq: Id, signed by the contract key.
//  - ChargeParameterDiscoveryRes: each SalesTariff must be signed (header Signature) by the key
//    that issued the contract leaf (MO Sub-CA 2), whose chain leads to the MO root; else the
//    vehicle ignores the SalesTariffs (checkSalesTariffs).

import {
  decryptContractKeyIso2,
  KeyTransportError,
  nameValue,
  Oid,
  parseCertificate,
  SignatureError,
  signFragments,
  verifySignature,
  type Certificate,
  type ChainFailure,
  type CryptoHost,
  type PkiStore,
  type SignatureType,
  type StoredChain,
} from "../../pki-store/index";
import type { iso2 } from "../msg-types";
import { certificateChain, chainOf } from "../iso2/pnc";
import { OEM_PROVISIONING_SLOT, rootCertificateIds } from "../pnc-roots";

export { OEM_PROVISIONING_SLOT, rootCertificateIds } from "../pnc-roots";

/** What the vehicle brings for Plug & Charge (EvccConfig.pnc). */
export interface Iso2EvccPnc {
  readonly crypto: CryptoHost;
  /** V2G and MO roots, the OEM provisioning chain and key (own slot "oem-provisioning"), installed contracts. */
  readonly store: PkiStore;
  /**
   * Renew the contract with CertificateUpdate when it expires within this many seconds (and the
   * charger offers the Certificate service); `now` gives Unix seconds. Absent: never renew.
   */
  readonly renewWithin?: number;
  readonly now?: () => number;
  /**
   * A SalesTariff whose signature does not hold (or is missing in PnC): ISO 15118-2 has the EVCC
   * ignore it, behaving as if none was received, and allows it to close the connection as well.
   * "ignore" (default): charge on the PMaxSchedule alone; "close": end the session.
   */
  readonly invalidSalesTariff?: "ignore" | "close";
}

/** True when `contract` expires within `pnc.renewWithin` seconds. */
export function contractDueForRenewal(pnc: Iso2EvccPnc, contract: StoredChain): boolean {
  if (pnc.renewWithin === undefined || pnc.now === undefined) return false;
  return parseCertificate(contract.chain[0]).notAfter - pnc.now() < pnc.renewWithin;
}

/** The session's PnC record on the EVCC (EvccFacts.pnc), made when the charger offers Contract. */
export interface Iso2EvccPncFacts {
  /** The charger lists the Certificate service (ServiceID 2). */
  certificateService: boolean;
  /** The contract in use (installed, or installed in this session). */
  contract?: StoredChain;
  /** PaymentServiceSelection asked for the Certificate service's Update (the contract expires soon). */
  renewing?: boolean;
  /** PaymentDetailsRes's GenChallenge, to sign in AuthorizationReq. */
  challenge?: Uint8Array;
  /** The last response's header Signature (set by the session for each response). */
  responseSignature?: SignatureType;
  /** ReceiptRequired: the MeterInfo to sign and the loop step to return to. */
  meterInfo?: iso2.MeterInfoType;
  receiptReturn?: "ChargingStatus" | "CurrentDemand";
  /** The SalesTariffs of the last ChargeParameterDiscoveryRes whose signature held (the vehicle may plan by them). */
  salesTariffs?: iso2.SalesTariffType[];
}

/** The first installed contract that still validates (expired or revoked ones are skipped). */
export function usableContract(store: PkiStore): StoredChain | undefined {
  const emaids = store.contracts();
  for (let i = 0; i < emaids.length; i++) {
    const contract = store.contract(emaids[i]);
    if (contract !== undefined && store.validate(contract.chain, "contract").ok) return contract;
  }
  return undefined;
}

/** A request body with the Signature for its header. */
export interface SignedRequest<N extends string, B> {
  readonly name: N;
  readonly body: B;
  readonly signature: SignatureType;
}

function signedOne<N extends string, B extends { Id?: string }>(crypto: CryptoHost, name: N, body: B, key: StoredChain["key"]): SignedRequest<N, B> {
  const signature = signFragments({ crypto, schema: "iso2", scheme: key.scheme, privateKey: key.privateKey, fragments: [{ id: body.Id!, fragment: { [name]: body } }] });
  return { name, body, signature };
}

export function certificateInstallationReq(crypto: CryptoHost, store: PkiStore): SignedRequest<"CertificateInstallationReq", iso2.CertificateInstallationReqType> {
  const oem = store.ownChain(OEM_PROVISIONING_SLOT);
  if (oem === undefined) throw new Error("the vehicle has no OEM provisioning certificate");
  return signedOne(crypto, "CertificateInstallationReq", { Id: "ID1", OEMProvisioningCert: oem.chain[0], ListOfRootCertificateIDs: rootCertificateIds(store) }, oem.key);
}

export function certificateUpdateReq(crypto: CryptoHost, store: PkiStore, contract: StoredChain): SignedRequest<"CertificateUpdateReq", iso2.CertificateUpdateReqType> {
  const emaid = contractEmaid(contract);
  return signedOne(crypto, "CertificateUpdateReq", { Id: "ID1", ContractSignatureCertChain: certificateChain(contract.chain), eMAID: emaid, ListOfRootCertificateIDs: rootCertificateIds(store) }, contract.key);
}

/**
 * The eMAID of a contract for ISO-2 messages: its leaf's CN without "-" separators (eMAIDType
 * holds 14–15 characters; "DE-XS1-C12345678" is sent as "DEXS1C12345678", which the SECC
 * matches against the CN ignoring separators and case).
 */
export function contractEmaid(contract: StoredChain): string {
  return (nameValue(parseCertificate(contract.chain[0]).subject, Oid.COMMON_NAME) ?? "").replace(/-/g, "");
}

export function paymentDetailsReq(contract: StoredChain): { PaymentDetailsReq: iso2.PaymentDetailsReqType } {
  return { PaymentDetailsReq: { eMAID: contractEmaid(contract), ContractSignatureCertChain: certificateChain(contract.chain) } };
}

export function authorizationReq(crypto: CryptoHost, contract: StoredChain, challenge: Uint8Array): SignedRequest<"AuthorizationReq", iso2.AuthorizationReqType> {
  return signedOne(crypto, "AuthorizationReq", { Id: "ID1", GenChallenge: challenge }, contract.key);
}

export function meteringReceiptReq(crypto: CryptoHost, contract: StoredChain, receipt: Omit<iso2.MeteringReceiptReqType, "Id">): SignedRequest<"MeteringReceiptReq", iso2.MeteringReceiptReqType> {
  return signedOne(crypto, "MeteringReceiptReq", { Id: "ID1", ...receipt }, contract.key);
}

/**
 * Why a received contract was not installed:
 *  - response-code: the SECC answered a FAILED_* code;
 *  - cps-chain: the SA provisioning chain does not validate for the CPS role (ChainFailure in detail);
 *  - signature: the CPS signature does not cover and match the four elements;
 *  - key: the transported key cannot be opened or does not belong to the contract certificate;
 *  - contract-chain: the new contract chain does not validate.
 */
export type ContractInstallFailure = "response-code" | "cps-chain" | "signature" | "key" | "contract-chain";

export type ContractInstallResult =
  | { readonly ok: true; readonly emaid: string; readonly contract: StoredChain }
  | { readonly ok: false; readonly failure: ContractInstallFailure; readonly detail: string; readonly chainFailure?: ChainFailure };

/**
 * Checks a CertificateInstallationRes / CertificateUpdateRes (its header Signature beside it) and
 * installs the contract into the store. `vehicleKey`: the private key the key was encrypted for
 * (OEM provisioning key for an installation, the replaced contract's key for an update).
 */
export function acceptContract(
  crypto: CryptoHost,
  store: PkiStore,
  res: iso2.CertificateInstallationResType | iso2.CertificateUpdateResType,
  signature: SignatureType | undefined,
  vehicleKey: Uint8Array,
): ContractInstallResult {
  if (res.ResponseCode !== "OK") return { ok: false, failure: "response-code", detail: res.ResponseCode };
  const cps = store.validate(chainOf(res.SAProvisioningCertificateChain), "cps");
  if (!cps.ok) return { ok: false, failure: "cps-chain", detail: cps.detail, chainFailure: cps.failure };
  const contractChain = res.ContractSignatureCertChain;
  const parts = [
    { id: contractChain.Id, fragment: { ContractSignatureCertChain: contractChain } },
    { id: res.ContractSignatureEncryptedPrivateKey.Id, fragment: { ContractSignatureEncryptedPrivateKey: res.ContractSignatureEncryptedPrivateKey } },
    { id: res.DHpublickey.Id, fragment: { DHpublickey: res.DHpublickey } },
    { id: res.eMAID.Id, fragment: { eMAID: res.eMAID } },
  ];
  for (const p of parts) if (typeof p.id !== "string") return { ok: false, failure: "signature", detail: "a signed element carries no Id" };
  try {
    verifySignature({ crypto, schema: "iso2", signature, scheme: cps.leaf.keyScheme, publicKey: cps.leaf.publicKey, fragments: parts as { id: string; fragment: object }[] });
  } catch (error) {
    if (error instanceof SignatureError) return { ok: false, failure: "signature", detail: error.message };
    throw error;
  }
  const chain = chainOf(contractChain);
  let leafKey: Uint8Array;
  try {
    leafKey = parseCertificate(chain[0]).publicKey;
  } catch (error) {
    return { ok: false, failure: "contract-chain", detail: (error as Error).message };
  }
  let privateKey: Uint8Array;
  try {
    privateKey = decryptContractKeyIso2(crypto, vehicleKey, { dhPublicKey: res.DHpublickey.$value, encryptedPrivateKey: res.ContractSignatureEncryptedPrivateKey.$value }, leafKey);
  } catch (error) {
    if (error instanceof KeyTransportError) return { ok: false, failure: "key", detail: error.message };
    throw error;
  }
  const check = store.validate(chain, "contract", { emaid: res.eMAID.$value });
  if (!check.ok) return { ok: false, failure: "contract-chain", detail: check.detail, chainFailure: check.failure };
  const contract: StoredChain = { chain, key: { scheme: check.leaf.keyScheme, privateKey } };
  store.installContract(chain, contract.key);
  return { ok: true, emaid: res.eMAID.$value, contract };
}

/** The outcome of checkSalesTariffs: the verified tariffs, or why they are to be ignored. */
export type SalesTariffCheck =
  | { readonly ok: true; readonly tariffs: iso2.SalesTariffType[] }
  | { readonly ok: false; readonly detail: string };

/**
 * The certificate whose key must have signed a SalesTariff: the one that issued the contract leaf
 * (ISO 15118-2: the same private key that issued the contract certificate used in this
 * connection, i.e. MO Sub-CA 2), taken from the contract's validated path to the MO root.
 */
function salesTariffSigner(store: PkiStore, contract: StoredChain): { ok: true; certificate: Certificate } | { ok: false; detail: string } {
  const check = store.validate(contract.chain, "contract");
  if (!check.ok) return { ok: false, detail: `the contract chain no longer validates: ${check.detail}` };
  return { ok: true, certificate: check.path.length > 1 ? check.path[1] : check.anchor };
}

/**
 * Checks the SalesTariffs of an ISO-2 ChargeParameterDiscoveryRes in a Plug & Charge session:
 * every tuple's SalesTariff needs an Id, and the response header's Signature must cover each of
 * them, with the contract issuer's key. No SalesTariff: nothing to check.
 */
export function checkSalesTariffs(crypto: CryptoHost, store: PkiStore, contract: StoredChain, tuples: readonly iso2.SAScheduleTupleType[], signature: SignatureType | undefined): SalesTariffCheck {
  const tariffs: iso2.SalesTariffType[] = [];
  const fragments: { id: string; fragment: object }[] = [];
  for (const tuple of tuples) {
    const tariff = tuple.SalesTariff;
    if (tariff === undefined) continue;
    if (typeof tariff.Id !== "string") return { ok: false, detail: `SalesTariff ${tariff.SalesTariffID} carries no Id, so no signature can cover it` };
    tariffs.push(tariff);
    fragments.push({ id: tariff.Id, fragment: { SalesTariff: tariff } });
  }
  if (tariffs.length === 0) return { ok: true, tariffs };
  const signer = salesTariffSigner(store, contract);
  if (!signer.ok) return signer;
  try {
    verifySignature({ crypto, schema: "iso2", signature, scheme: signer.certificate.keyScheme, publicKey: signer.certificate.publicKey, fragments });
  } catch (error) {
    if (error instanceof SignatureError) return { ok: false, detail: `${error.reason}: ${error.message}` };
    throw error;
  }
  return { ok: true, tariffs };
}
