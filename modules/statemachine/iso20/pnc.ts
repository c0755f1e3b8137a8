// ISO 15118-20 Plug & Charge (both roles): AuthorizationSetupRes offers PnC with a fresh 16-byte
// GenChallenge; the EV answers AuthorizationReq(PnC) whose PnC_AReqAuthorizationMode carries an
// Id, that GenChallenge and its contract certificate chain, and signs that element with the
// contract key (header Signature: ECDSA P-521/SHA-512 as raw r‖s, or Ed448/SHAKE256; xmldsig over
// the EXI fragment of the CommonMessages grammar, modules/pki-store/xmldsig.ts).
//
// The SECC then checks, in this order: the challenge is the one it gave in this session (then
// spent: a recorded request replayed later fails, WARNING_ChallengeInvalid); the chain validates
// to an MO or V2G root with the clock and the backend's OCSP answers (the store's isRevoked;
// WARNING_Certificate* codes, chain.ts iso20ResponseCode); the signature holds with the leaf's
// key (FAILED_SignatureError). Then the operator authorizes the eMAID (OCPP Authorize with the
// chain's OCSP data) while the EV repeats its request (EVSEProcessing Ongoing).
// PnC only over TLS (contractUsable, iso2/pnc.ts): the SECC offers it nowhere else, and the
// vehicle leaves its contract out of any plain-TCP session (EvccConnection).

import { bytesEqual } from "../../common/index";
import { iso20ResponseCode, nameValue, Oid, SignatureError, signFragments, verifySignature } from "../../pki-store/index";
import type { CryptoHost, SignatureType, StoredChain } from "../../pki-store/index";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { certificateHashData, chainOf, contractUsable, seccPncOf } from "../iso2/pnc";
import type * as cm from "../../exi/generated/iso20_cm/types";

const CHALLENGE_BYTES = 16;
/** The Id of the signed element (any NCName; one signed element per request). */
const SIGNED_ID = "PnCAuthorization";

/** SECC, AuthorizationSetupReq: the PnC offer (a fresh GenChallenge kept in the session), when this connection may use it. */
export function pncOffer(ctx: SeccContext, facts: SeccFacts): cm.PnC_ASResAuthorizationModeType | undefined {
  const pnc = seccPncOf(facts.config);
  if (pnc === undefined || !contractUsable(facts.config, ctx.transport)) return undefined;
  const challenge = pnc.crypto.randomBytes(CHALLENGE_BYTES);
  ctx.pnc = { identified: false, challenge };
  return { GenChallenge: challenge };
}

export type Iso20PncFailure =
  | "WARNING_AuthorizationSelectionInvalid"
  | "WARNING_ChallengeInvalid"
  | "WARNING_CertificateExpired"
  | "WARNING_CertificateNotYetValid"
  | "WARNING_CertificateRevoked"
  | "WARNING_CertificateValidationError"
  | "WARNING_NoCertificateAvailable"
  | "FAILED_SignatureError";

/**
 * SECC, the first AuthorizationReq(PnC): challenge, chain and signature (see above). Undefined
 * when it passes (the session's PnC record then holds the eMAID and OCSP data for the operator).
 * Repetitions while Ongoing are not checked again.
 */
export function identifyContract(req: cm.AuthorizationReqType, ctx: SeccContext, facts: SeccFacts): Iso20PncFailure | undefined {
  const pnc = seccPncOf(facts.config);
  const record = ctx.pnc;
  if (pnc === undefined || record === undefined) return "WARNING_AuthorizationSelectionInvalid";
  if (record.identified) return undefined;
  const mode = req.PnC_AReqAuthorizationMode;
  if (mode === undefined) return "WARNING_AuthorizationSelectionInvalid";
  const challenge = record.challenge;
  if (challenge === undefined || !(mode.GenChallenge instanceof Uint8Array) || !bytesEqual(mode.GenChallenge, challenge)) return "WARNING_ChallengeInvalid";
  // Spent whatever follows: one attempt per challenge.
  record.challenge = undefined;
  // The -2 chain reader: ContractCertificateChainType has the same Certificate + SubCertificates.
  const chain = chainOf(mode.ContractCertificateChain);
  if (chain.length === 0) return "WARNING_NoCertificateAvailable";
  const check = pnc.store.validate(chain, "contract");
  if (!check.ok) return iso20ResponseCode(check.failure) as Iso20PncFailure;
  if (typeof mode.Id !== "string") return "FAILED_SignatureError";
  try {
    verifySignature({
      crypto: pnc.crypto,
      schema: "iso20-cm",
      signature: (req.Header as { Signature?: SignatureType }).Signature,
      scheme: check.leaf.keyScheme,
      publicKey: check.leaf.publicKey,
      fragments: [{ id: mode.Id, fragment: { PnC_AReqAuthorizationMode: mode } }],
    });
  } catch (error) {
    if (error instanceof SignatureError) return "FAILED_SignatureError";
    throw error;
  }
  const emaid = nameValue(check.leaf.subject, Oid.COMMON_NAME) ?? "";
  record.identified = true;
  record.emaid = emaid;
  record.contractKey = check.leaf.publicKey;
  record.contractScheme = check.leaf.keyScheme;
  record.identity = { emaid, chain: certificateHashData(pnc.crypto, check.path, check.anchor) };
  return undefined;
}

/** EVCC: AuthorizationReq(PnC) content and its header Signature, by the contract key over PnC_AReqAuthorizationMode. */
export function pncAuthorizationRequest(crypto: CryptoHost, contract: StoredChain, challenge: Uint8Array): { mode: cm.PnC_AReqAuthorizationModeType; signature: SignatureType } {
  const mode: cm.PnC_AReqAuthorizationModeType = {
    Id: SIGNED_ID,
    GenChallenge: challenge,
    // -20 requires SubCertificates (the MO Sub-CAs); the root stays out.
    ContractCertificateChain: { Certificate: contract.chain[0], SubCertificates: { Certificate: contract.chain.slice(1) } },
  };
  const signature = signFragments({
    crypto,
    schema: "iso20-cm",
    scheme: contract.key.scheme,
    privateKey: contract.key.privateKey,
    fragments: [{ id: SIGNED_ID, fragment: { PnC_AReqAuthorizationMode: mode } }],
  });
  return { mode, signature };
}
