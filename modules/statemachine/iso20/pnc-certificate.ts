// ISO 15118-20 CertificateInstallation (Plug & Charge, both roles; 7.9.2.5 and 8.3.5).
//
// AuthorizationSetupRes says CertificateInstallationService=true where the charger can reach a
// contract provisioning backend (and the link is TLS). A vehicle without a usable contract then
// sends, before its AuthorizationReq, CertificateInstallationReq: its OEM provisioning chain
// (SignedCertificateChainType with an Id), the V2G roots it trusts and how many contracts it
// takes, signed by the OEM provisioning key over OEMProvisioningCertificateChain (xmldsig over
// the CommonMessages EXI fragment, as the signed AuthorizationReq). The SECC checks that
// signature (FAILED_SignatureError), the OEM chain where it holds OEM roots (WARNING_Certificate*
// codes), and hands the request to the backend (OCPP 2.0.1 Get15118EVCertificate): the answer is
// the CPS chain and SignedInstallationData — the contract chain, ECDHCurve, DHPublicKey and the
// encrypted contract key (modules/pki-store/key-transport-iso20.ts) — signed by the CPS over
// SignedInstallationData; the SECC passes the CPS signature on in the response header.
// The vehicle validates the CPS chain to a V2G root, verifies the CPS signature, opens the key
// (GCM tag, PCID+SKI additional data), checks it belongs to the contract certificate, validates
// the contract chain, installs it, and goes on to AuthorizationReq(PnC) with it. Any failure
// rejects the response [V2G20-2504]: the vehicle stops (the EV has no response code to send).
// When the backend has no contract for the vehicle (a WARNING code) the session goes on, and a
// vehicle the charger also offered EIM charges with that.

import { nameValue, Oid, parseCertificate, SignatureError, signFragments, verifySignature, iso20ResponseCode } from "../../pki-store/index";
import { decryptContractKeyIso20, KeyTransportError } from "../../pki-store/index";
import type { ChainFailure, CryptoHost, PkiStore, SignatureType, StoredChain } from "../../pki-store/index";
import type { SeccFacts } from "../charger-interfaces";
import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { SeccContext } from "../secc/context";
import { chainOf, contractUsable, seccPncOf, type Iso2SeccPnc } from "../iso2/pnc";
import { OEM_PROVISIONING_SLOT, rootCertificateIds } from "../pnc-roots";
import type * as cm from "../../exi/generated/iso20_cm/types";
import { HEADER_SLOT } from "./envelope";

/** What the SECC passes to the backend for one CertificateInstallationReq (its signature checked). */
export interface Iso20CertificateInstallationRequest {
  /** OEM provisioning certificate first, then its Sub-CAs. */
  readonly oemProvisioningChain: readonly Uint8Array[];
  /** The PCID: the OEM provisioning certificate's CN. */
  readonly pcid: string;
  readonly rootCertificateIds: cm.CertificateInstallationReqType["ListOfRootCertificateIDs"];
  readonly maximumContractCertificateChains: number;
  readonly prioritizedEmaids?: readonly string[];
}

/** The backend's answer: the response content (CPS-signed) or a -20 code. */
export type Iso20ContractProvisioningResult =
  | {
      readonly ok: true;
      readonly response: Pick<cm.CertificateInstallationResType, "CPSCertificateChain" | "SignedInstallationData" | "RemainingContractCertificateChains">;
      /** The CPS's Signature over SignedInstallationData (goes into the response header). */
      readonly signature: SignatureType;
    }
  | { readonly ok: false; readonly code: "WARNING_NoContractMatchingPCIDFound" | "WARNING_eMSPUnknown" | "WARNING_NoCertificateAvailable" | "WARNING_CertificateValidationError" | "FAILED" };

/**
 * Contract provisioning for -20 (the SA / eMSP and CPS behind the charger). Synchronous, like the
 * -2 one (`ContractProvisioning` in ../iso2/pnc.ts); a backend object may implement both. The
 * simulated one: hosts/sim/pki/contract-provisioning.ts.
 */
export interface Iso20ContractProvisioning {
  installIso20(request: Iso20CertificateInstallationRequest): Iso20ContractProvisioningResult;
}

/** The charger's -20 provisioning backend, where its PnC facility has one. */
export function iso20Provisioning(pnc: Iso2SeccPnc | undefined): Iso20ContractProvisioning | undefined {
  const provisioning = pnc?.provisioning as Partial<Iso20ContractProvisioning> | undefined;
  return provisioning !== undefined && typeof provisioning.installIso20 === "function" ? (provisioning as Iso20ContractProvisioning) : undefined;
}

/** AuthorizationSetupRes.CertificateInstallationService: a -20 backend, and a connection PnC may use. */
export function certificateInstallationOffered(ctx: SeccContext, facts: SeccFacts): boolean {
  return iso20Provisioning(seccPncOf(facts.config)) !== undefined && contractUsable(facts.config, ctx.transport);
}

const SIGNED_ID = "OEMProvisioningChain";

function installationRes(code: string): cm.CertificateInstallationResType {
  // A refusal still carries the schema's required elements: empty placeholders of the right sizes.
  return {
    Header: HEADER_SLOT as unknown as cm.CertificateInstallationResType["Header"],
    ResponseCode: code as cm.CertificateInstallationResType["ResponseCode"],
    EVSEProcessing: "Finished",
    CPSCertificateChain: { Certificate: new Uint8Array(1) },
    SignedInstallationData: {
      Id: "None",
      ContractCertificateChain: { Certificate: new Uint8Array(1), SubCertificates: { Certificate: [new Uint8Array(1)] } },
      ECDHCurve: "SECP521",
      DHPublicKey: new Uint8Array(133),
      SECP521_EncryptedPrivateKey: new Uint8Array(94),
    },
    RemainingContractCertificateChains: 0,
  };
}

/** A refused installation: the response code, and the session ends (the EV has nothing to go on with). */
export function refusedInstallation(code: string): HandlerResult {
  return stop({ CertificateInstallationRes: installationRes(code) }, "failed-response");
}

/**
 * SECC, CertificateInstallationReq (in the Authorization state, before AuthorizationReq; the EV
 * may repeat it for more contracts). OK answers stay in Authorization.
 */
export function certificateInstallation(req: cm.CertificateInstallationReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const pnc = seccPncOf(facts.config);
  const backend = iso20Provisioning(pnc);
  // Not offered (no backend, or plain TCP): the request is out of place.
  if (pnc === undefined || backend === undefined || !contractUsable(facts.config, ctx.transport)) return refusedInstallation("FAILED_SequenceError");
  const chain = chainOf(req.OEMProvisioningCertificateChain);
  if (chain.length === 0) return refusedInstallation("WARNING_CertificateValidationError");
  let leaf;
  try {
    leaf = parseCertificate(chain[0]);
  } catch {
    return refusedInstallation("WARNING_CertificateValidationError");
  }
  const id = req.OEMProvisioningCertificateChain.Id;
  try {
    verifySignature({
      crypto: pnc.crypto,
      schema: "iso20-cm",
      signature: (req.Header as { Signature?: SignatureType }).Signature,
      scheme: leaf.keyScheme,
      publicKey: leaf.publicKey,
      fragments: [{ id, fragment: { OEMProvisioningCertificateChain: req.OEMProvisioningCertificateChain } }],
    });
  } catch (error) {
    if (error instanceof SignatureError) return refusedInstallation("FAILED_SignatureError");
    throw error;
  }
  // The OEM chain where this charger holds OEM roots; otherwise the backend (PCP) judges it.
  if (pnc.store.trustAnchors("oem").length > 0) {
    const check = pnc.store.validate(chain, "oem-provisioning");
    if (!check.ok) return refusedInstallation(iso20ResponseCode(check.failure));
  }
  const result = backend.installIso20({
    oemProvisioningChain: chain,
    pcid: nameValue(leaf.subject, Oid.COMMON_NAME) ?? "",
    rootCertificateIds: req.ListOfRootCertificateIDs,
    maximumContractCertificateChains: req.MaximumContractCertificateChains,
    prioritizedEmaids: req.PrioritizedEMAIDs?.EMAID,
  });
  // The backend has no contract (WARNING_*): the session goes on (the EV may use EIM); FAILED ends it.
  if (!result.ok) return result.code === "FAILED" ? refusedInstallation(result.code) : reply({ CertificateInstallationRes: installationRes(result.code) }, "Authorization");
  ctx.responseSignature = result.signature;
  return reply({ CertificateInstallationRes: { Header: HEADER_SLOT, ResponseCode: "OK", EVSEProcessing: "Finished", ...result.response } }, "Authorization");
}

// ---- EVCC ---------------------------------------------------------------------------------

/** The vehicle's OEM provisioning chain and PCID, if its store holds them. */
export function oemProvisioning(store: PkiStore): { chain: StoredChain; pcid: string } | undefined {
  const oem = store.ownChain(OEM_PROVISIONING_SLOT);
  if (oem === undefined) return undefined;
  return { chain: oem, pcid: nameValue(parseCertificate(oem.chain[0]).subject, Oid.COMMON_NAME) ?? "" };
}

/** EVCC: CertificateInstallationReq content and its header Signature, by the OEM provisioning key. */
export function certificateInstallationRequest(crypto: CryptoHost, store: PkiStore, maximumContracts = 1): { body: cm.CertificateInstallationReqType; signature: SignatureType } {
  const oem = store.ownChain(OEM_PROVISIONING_SLOT);
  if (oem === undefined) throw new Error("the vehicle has no OEM provisioning certificate");
  const chain: cm.CertificateInstallationReqType["OEMProvisioningCertificateChain"] = { Id: SIGNED_ID, Certificate: oem.chain[0] };
  if (oem.chain.length > 1) chain.SubCertificates = { Certificate: oem.chain.slice(1) };
  const signature = signFragments({ crypto, schema: "iso20-cm", scheme: oem.key.scheme, privateKey: oem.key.privateKey, fragments: [{ id: SIGNED_ID, fragment: { OEMProvisioningCertificateChain: chain } }] });
  const body = {
    Header: HEADER_SLOT as unknown as cm.CertificateInstallationReqType["Header"],
    OEMProvisioningCertificateChain: chain,
    ListOfRootCertificateIDs: rootCertificateIds(store),
    MaximumContractCertificateChains: maximumContracts,
  };
  return { body, signature };
}

/**
 * Why a -20 CertificateInstallationRes was refused (the vehicle stops, [V2G20-2504]):
 * response-code (a WARNING/FAILED code), cps-chain, signature (the CPS signature over
 * SignedInstallationData), key (the key transport: tag, curve, key not the certificate's),
 * contract-chain (the new chain does not validate, or its leaf has no SKI for the AAD).
 */
export type Iso20ContractInstallFailure = "response-code" | "cps-chain" | "signature" | "key" | "contract-chain";

export type Iso20ContractInstallResult =
  | { readonly ok: true; readonly emaid: string; readonly contract: StoredChain }
  | { readonly ok: false; readonly failure: Iso20ContractInstallFailure; readonly detail: string; readonly chainFailure?: ChainFailure };

/** EVCC: checks a CertificateInstallationRes (its header Signature inside) and installs the contract. */
export function acceptContractIso20(crypto: CryptoHost, store: PkiStore, res: cm.CertificateInstallationResType): Iso20ContractInstallResult {
  if (res.ResponseCode !== "OK" && res.ResponseCode !== "OK_CertificateExpiresSoon") return { ok: false, failure: "response-code", detail: res.ResponseCode };
  const oem = oemProvisioning(store);
  if (oem === undefined) return { ok: false, failure: "key", detail: "no OEM provisioning key to open the contract key with" };
  const cps = store.validate(chainOf(res.CPSCertificateChain), "cps");
  if (!cps.ok) return { ok: false, failure: "cps-chain", detail: cps.detail, chainFailure: cps.failure };
  const data = res.SignedInstallationData;
  if (typeof data.Id !== "string") return { ok: false, failure: "signature", detail: "SignedInstallationData carries no Id" };
  try {
    verifySignature({
      crypto,
      schema: "iso20-cm",
      signature: (res.Header as { Signature?: SignatureType }).Signature,
      scheme: cps.leaf.keyScheme,
      publicKey: cps.leaf.publicKey,
      fragments: [{ id: data.Id, fragment: { SignedInstallationData: data } }],
    });
  } catch (error) {
    if (error instanceof SignatureError) return { ok: false, failure: "signature", detail: error.message };
    throw error;
  }
  const chain = chainOf(data.ContractCertificateChain);
  let leaf;
  try {
    leaf = parseCertificate(chain[0]);
  } catch (error) {
    return { ok: false, failure: "contract-chain", detail: (error as Error).message };
  }
  if (leaf.subjectKeyId === undefined) return { ok: false, failure: "contract-chain", detail: "the contract certificate has no subjectKeyIdentifier (the key transport's additional data needs it)" };
  const encrypted = data.ECDHCurve === "SECP521" ? data.SECP521_EncryptedPrivateKey : data.ECDHCurve === "X448" ? data.X448_EncryptedPrivateKey : undefined;
  if (encrypted === undefined) return { ok: false, failure: "key", detail: `ECDHCurve ${data.ECDHCurve} without its ${data.ECDHCurve}_EncryptedPrivateKey${data.TPM_EncryptedPrivateKey !== undefined ? " (TPM_EncryptedPrivateKey: this vehicle has no TPM)" : ""}` };
  if (data.ECDHCurve === "X448" || leaf.keyScheme !== "ECDSA-P521-SHA512") {
    // An Ed448 contract key is 57 bytes (RFC 8032), the X448 element carries 56: not settled here.
    return { ok: false, failure: "key", detail: `contract key transport for ${leaf.keyScheme} over ${data.ECDHCurve} is not supported (P-521 over SECP521 only)` };
  }
  let privateKey: Uint8Array;
  try {
    privateKey = decryptContractKeyIso20(crypto, oem.chain.key.privateKey, { ecdhCurve: data.ECDHCurve, dhPublicKey: data.DHPublicKey, encryptedPrivateKey: encrypted }, { pcid: oem.pcid, contractSki: leaf.subjectKeyId }, leaf.publicKey);
  } catch (error) {
    if (error instanceof KeyTransportError) return { ok: false, failure: "key", detail: `${error.reason}: ${error.message}` };
    throw error;
  }
  const check = store.validate(chain, "contract");
  if (!check.ok) return { ok: false, failure: "contract-chain", detail: check.detail, chainFailure: check.failure };
  const contract: StoredChain = { chain, key: { scheme: check.leaf.keyScheme, privateKey } };
  store.installContract(chain, contract.key);
  return { ok: true, emaid: nameValue(check.leaf.subject, Oid.COMMON_NAME) ?? "", contract };
}
