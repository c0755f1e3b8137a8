// ISO 15118-2 SECC, Plug & Charge after PaymentServiceSelection(Contract):
//  - CertificateInstallationReq (signed by the OEM provisioning key) → the backend's signed
//    CertificateInstallationRes; CertificateUpdateReq (signed by the current contract key, chain
//    validated) → CertificateUpdateRes. Both stay here: PaymentDetailsReq follows.
//  - PaymentDetailsReq: the contract chain is validated against the MO/V2G roots, the clock, OCSP
//    (the store's isRevoked) and the eMAID; OK answers a fresh 16-byte GenChallenge.
// Every failure answers the code the standard prescribes (chain: FAILED_CertChainError,
// FAILED_CertificateExpired, FAILED_CertificateRevoked, FAILED_NoCertificateAvailable; message
// signature: FAILED_SignatureError) and ends the session.

import { iso2ResponseCode, parseCertificate, SignatureError, verifySignature, type SignatureScheme } from "../../pki-store/index";
import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { iso2 } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { seccState } from "../secc/types";
import { iso2FailedResponse } from "./failed-responses";
import { certificateHashData, chainOf, seccPncOf, type ContractProvisioningResult } from "./pnc";
import { handle as sessionStop } from "./secc-session-stop";

const CHALLENGE_BYTES = 16;

function failed(request: string, code: string): HandlerResult {
  return stop(iso2FailedResponse(request, code)!, "failed-response");
}

/** Verifies the request's header Signature over the request element (Id) with `publicKey`; undefined when it holds. */
function signatureProblem(ctx: SeccContext, facts: SeccFacts, name: string, req: { Id?: string }, scheme: SignatureScheme, publicKey: Uint8Array): string | undefined {
  const pnc = seccPncOf(facts.config)!;
  if (typeof req.Id !== "string") return "the request carries no Id to sign";
  try {
    verifySignature({ crypto: pnc.crypto, schema: "iso2", signature: ctx.requestSignature, scheme, publicKey, fragments: [{ id: req.Id, fragment: { [name]: req } }] });
    return undefined;
  } catch (error) {
    if (error instanceof SignatureError) return error.message;
    throw error;
  }
}

function provisioned(name: "CertificateInstallationRes" | "CertificateUpdateRes", result: ContractProvisioningResult, ctx: SeccContext): HandlerResult {
  if (!result.ok) return failed(name === "CertificateInstallationRes" ? "CertificateInstallationReq" : "CertificateUpdateReq", result.code);
  ctx.responseSignature = result.signature;
  return reply({ [name]: { ResponseCode: "OK", ...result.response } });
}

export function certificateInstallation(req: iso2.CertificateInstallationReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const pnc = seccPncOf(facts.config);
  if (pnc === undefined || ctx.pnc === undefined) return failed("CertificateInstallationReq", "FAILED_SequenceError");
  let scheme: SignatureScheme;
  let publicKey: Uint8Array;
  try {
    const oem = parseCertificate(req.OEMProvisioningCert);
    scheme = oem.keyScheme;
    publicKey = oem.publicKey;
  } catch {
    return failed("CertificateInstallationReq", "FAILED_CertChainError");
  }
  if (signatureProblem(ctx, facts, "CertificateInstallationReq", req, scheme, publicKey) !== undefined) return failed("CertificateInstallationReq", "FAILED_SignatureError");
  if (pnc.provisioning === undefined) return failed("CertificateInstallationReq", "FAILED_NoCertificateAvailable");
  return provisioned("CertificateInstallationRes", pnc.provisioning.install({ oemProvisioningCertificate: req.OEMProvisioningCert, rootCertificateIds: req.ListOfRootCertificateIDs }), ctx);
}

export function certificateUpdate(req: iso2.CertificateUpdateReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const pnc = seccPncOf(facts.config);
  if (pnc === undefined || ctx.pnc === undefined) return failed("CertificateUpdateReq", "FAILED_SequenceError");
  const chain = chainOf(req.ContractSignatureCertChain);
  // An update renews a contract about to expire: the chain must still be valid, revoked ones refused.
  const check = pnc.store.validate(chain, "contract", { emaid: req.eMAID });
  if (!check.ok) return failed("CertificateUpdateReq", iso2ResponseCode(check.failure));
  if (signatureProblem(ctx, facts, "CertificateUpdateReq", req, check.leaf.keyScheme, check.leaf.publicKey) !== undefined) return failed("CertificateUpdateReq", "FAILED_SignatureError");
  if (pnc.provisioning === undefined) return failed("CertificateUpdateReq", "FAILED_NoCertificateAvailable");
  return provisioned("CertificateUpdateRes", pnc.provisioning.update({ contractChain: chain, emaid: req.eMAID, rootCertificateIds: req.ListOfRootCertificateIDs }), ctx);
}

export function paymentDetails(req: iso2.PaymentDetailsReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const pnc = seccPncOf(facts.config);
  if (pnc === undefined || ctx.pnc === undefined) return failed("PaymentDetailsReq", "FAILED_SequenceError");
  const check = pnc.store.validate(chainOf(req.ContractSignatureCertChain), "contract", { emaid: req.eMAID });
  if (!check.ok) return failed("PaymentDetailsReq", iso2ResponseCode(check.failure));
  ctx.pnc.contractKey = check.leaf.publicKey;
  ctx.pnc.contractScheme = check.leaf.keyScheme;
  ctx.pnc.emaid = req.eMAID;
  ctx.pnc.identity = { emaid: req.eMAID, chain: certificateHashData(pnc.crypto, check.path, check.anchor) };
  ctx.pnc.challenge = pnc.crypto.randomBytes(CHALLENGE_BYTES);
  return reply({ PaymentDetailsRes: { ResponseCode: "OK", GenChallenge: ctx.pnc.challenge, EVSETimeStamp: facts.unixTime ?? 0n } }, "Authorization");
}

export const state = seccState({
  id: "PaymentDetails",
  on: { PaymentDetailsReq: paymentDetails, CertificateInstallationReq: certificateInstallation, CertificateUpdateReq: certificateUpdate, SessionStopReq: sessionStop },
});
