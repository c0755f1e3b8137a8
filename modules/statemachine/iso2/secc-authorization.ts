// ISO 15118-2 SECC: AuthorizationReq → Ongoing until identification answers.
// EIM: the request is empty. Plug & Charge (Contract): the first AuthorizationReq must carry
// PaymentDetailsRes's GenChallenge (else FAILED_ChallengeInvalid) and be signed by the contract
// key validated in PaymentDetails (else FAILED_SignatureError); the challenge is then spent, so
// a recorded AuthorizationReq replayed into a later session fails. Repetitions while Ongoing are
// not checked again.

import { bytesEqual } from "../../common/index";
import { SignatureError, verifySignature } from "../../pki-store/index";
import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { AuthorizationReq, iso2 } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { authorizationStep } from "../secc/session-setup";
import { seccState } from "../secc/types";
import { iso2FailedResponse } from "./failed-responses";
import { seccPncOf } from "./pnc";
import { handle as sessionStop } from "./secc-session-stop";

/** The Plug & Charge checks of the first AuthorizationReq; the failure code, or undefined when it passes. */
function contractIdentification(req: iso2.AuthorizationReqType, ctx: SeccContext, facts: SeccFacts): "FAILED_ChallengeInvalid" | "FAILED_SignatureError" | undefined {
  const record = ctx.pnc!;
  const challenge = record.challenge;
  if (challenge === undefined || !(req.GenChallenge instanceof Uint8Array) || !bytesEqual(req.GenChallenge, challenge)) return "FAILED_ChallengeInvalid";
  if (typeof req.Id !== "string") return "FAILED_SignatureError";
  try {
    verifySignature({
      crypto: seccPncOf(facts.config)!.crypto,
      schema: "iso2",
      signature: ctx.requestSignature,
      scheme: record.contractScheme!,
      publicKey: record.contractKey!,
      fragments: [{ id: req.Id, fragment: { AuthorizationReq: req } }],
    });
  } catch (error) {
    if (error instanceof SignatureError) return "FAILED_SignatureError";
    throw error;
  }
  record.challenge = undefined;
  record.identified = true;
  return undefined;
}

export function handle(req: AuthorizationReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  if (ctx.paymentOption === "Contract" && ctx.pnc !== undefined && !ctx.pnc.identified) {
    const code = contractIdentification(req as iso2.AuthorizationReqType, ctx, facts);
    if (code !== undefined) return stop(iso2FailedResponse("AuthorizationReq", code)!, "failed-response");
  }
  const step = authorizationStep(ctx, facts);
  const body = {
    AuthorizationRes: {
      ResponseCode: step === "rejected" ? "FAILED" : "OK",
      EVSEProcessing: step === "accepted" || step === "rejected" ? "Finished" : (facts.config.authorizationOngoing ?? "Ongoing"),
    },
  };
  if (step === "rejected") return stop(body, "failed-response");
  if (step === "accepted") return reply(body, "ChargeParameterDiscovery");
  return reply(body, undefined, step === "request" ? "request-authorization" : undefined);
}

export const state = seccState({ id: "Authorization", on: { AuthorizationReq: handle, SessionStopReq: sessionStop }, timeout: "ongoing" });
