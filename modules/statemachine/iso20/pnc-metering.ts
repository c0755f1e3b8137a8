// ISO 15118-20 MeteringConfirmation (Plug & Charge, both roles): the vehicle signs the meter
// reading the charger asks it to confirm.
//
// The charger asks in a charge-loop response: EVSEStatus.EVSENotification=MeteringConfirmation
// with the MeterInfo to confirm, where it requires receipts (SeccConfig.receiptRequired), has a
// meter, and the EV identified itself with a contract: first once the meter has counted energy,
// then every METERING_CONFIRMATION_PERIOD after the last confirmation (the public -20 text gives
// no period; one a minute is our choice, so a long session carries signed readings throughout).
// The EV answers MeteringConfirmationReq whose SignedMeteringData (Id, SessionID, that MeterInfo,
// the control mode: Scheduled with its SelectedScheduleTupleID or Dynamic) is signed with the
// contract key in the header Signature (xmldsig over the CommonMessages EXI fragment, like the
// signed AuthorizationReq). The charger verifies it with the contract key it validated at
// Authorization, and that it covers this session and the reading it sent:
// FAILED_MeteringSignatureNotValid otherwise (and the session ends). Then the loop goes on.

import { bytesEqual } from "../../common/index";
import { SignatureError, signFragments, verifySignature } from "../../pki-store/index";
import type { CryptoHost, SignatureType, StoredChain } from "../../pki-store/index";
import type { SeccFacts } from "../charger-interfaces";
import { reply, stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { SeccContext } from "../secc/context";
import type { Iso20Record } from "./context";
import type * as cm from "../../exi/generated/iso20_cm/types";
import type { MeterInfoType } from "../../exi/generated/shared/iso20-common-types";
import { seccPncOf } from "../iso2/pnc";
import { HEADER_SLOT } from "./envelope";

/**
 * MeterInfo when the charger has a meter ID (the EV asked with MeterInfoRequested). Here and not
 * in secc-loop.ts, which uses it too: a vehicle's image carries this module (both roles) and
 * none of the SECC's loop.
 */
export function meterInfoOf(facts: SeccFacts): cm.MeterInfoType | undefined {
  const id = facts.config.meterId;
  if (id === undefined) return undefined;
  const wh = facts.evse.meterWh;
  return { MeterID: id, ChargedEnergyReadingWh: BigInt(Math.max(0, Math.round(wh))) };
}

const SIGNED_ID = "MeteringData";
/** Time between two confirmations in one session (ms). */
export const METERING_CONFIRMATION_PERIOD = 60_000;

/** Ask now: not yet asked and the meter counted energy, or the last confirmation is a period old. */
function confirmationDue(metering: Iso20Record["metering"], meterInfo: MeterInfoType, now: number): boolean {
  if (metering === undefined) return meterInfo.ChargedEnergyReadingWh > 0n;
  return metering.confirmed && now - metering.at >= METERING_CONFIRMATION_PERIOD;
}

/**
 * SECC: wraps a charge-loop handler (DC, AC) so that an OK loop response of a PnC session that
 * requires receipts asks for the MeteringConfirmation when one is due. Other answers pass unchanged.
 */
export function withMeteringConfirmation<R>(handler: (req: R, ctx: SeccContext, facts: SeccFacts) => HandlerResult): (req: R, ctx: SeccContext, facts: SeccFacts) => HandlerResult {
  return (req, ctx, facts) => {
    const result = handler(req, ctx, facts);
    const r = ctx.iso20;
    if (result.kind !== "reply" || r === undefined || facts.config.receiptRequired !== true || ctx.pnc?.identified !== true) return result;
    const name = Object.keys(result.body)[0];
    const body = (result.body as Record<string, Record<string, unknown>>)[name];
    const meterInfo = (body.MeterInfo as MeterInfoType | undefined) ?? meterInfoOf(facts);
    // Not while the charger already says something else (Terminate, renegotiation): then next time.
    if (meterInfo === undefined || body.ResponseCode !== "OK" || body.EVSEStatus !== undefined || !confirmationDue(r.metering, meterInfo, facts.now)) return result;
    r.metering = { meterInfo, confirmed: false, at: facts.now };
    // Schema order: Header, ResponseCode, EVSEStatus, MeterInfo, then the rest as it was.
    const out: Record<string, unknown> = { Header: body.Header, ResponseCode: body.ResponseCode, EVSEStatus: { NotificationMaxDelay: facts.config.notificationMaxDelay ?? 0, EVSENotification: "MeteringConfirmation" }, MeterInfo: meterInfo };
    for (const key of Object.keys(body)) if (!(key in out)) out[key] = body[key];
    return { ...result, body: { [name]: out } } as HandlerResult;
  };
}

function refused(code: "FAILED_MeteringSignatureNotValid" | "FAILED_SequenceError"): HandlerResult {
  return stop({ MeteringConfirmationRes: { Header: HEADER_SLOT, ResponseCode: code } }, "failed-response");
}

function sameReading(a: MeterInfoType, b: MeterInfoType): boolean {
  return a.MeterID === b.MeterID && a.ChargedEnergyReadingWh === b.ChargedEnergyReadingWh && a.BPT_DischargedEnergyReadingWh === b.BPT_DischargedEnergyReadingWh;
}

/** SECC, MeteringConfirmationReq (in the loop state, after the charger asked for it). */
export function meteringConfirmation(req: cm.MeteringConfirmationReqType, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const r = ctx.iso20;
  const pnc = ctx.pnc;
  const crypto = seccPncOf(facts.config)?.crypto;
  if (r?.metering === undefined || r.metering.confirmed || pnc?.contractKey === undefined || pnc.contractScheme === undefined || crypto === undefined) return refused("FAILED_SequenceError");
  const data = req.SignedMeteringData;
  try {
    verifySignature({
      crypto,
      schema: "iso20-cm",
      signature: (req.Header as { Signature?: SignatureType }).Signature,
      scheme: pnc.contractScheme,
      publicKey: pnc.contractKey,
      fragments: [{ id: data.Id, fragment: { SignedMeteringData: data } }],
    });
  } catch (error) {
    if (error instanceof SignatureError) return refused("FAILED_MeteringSignatureNotValid");
    throw error;
  }
  // A valid signature over another session or another reading confirms nothing.
  if (!(data.SessionID instanceof Uint8Array) || !bytesEqual(data.SessionID, ctx.sessionId) || !sameReading(data.MeterInfo, r.metering.meterInfo)) return refused("FAILED_MeteringSignatureNotValid");
  r.metering.confirmed = true;
  r.metering.at = facts.now;
  return reply({ MeteringConfirmationRes: { Header: HEADER_SLOT, ResponseCode: "OK" } }, "ChargeLoop");
}

/**
 * EVCC: MeteringConfirmationReq for `meterInfo`, signed by the contract key. `scheduleTupleId`
 * for Scheduled control, undefined for Dynamic.
 */
export function meteringConfirmationRequest(
  crypto: CryptoHost,
  contract: StoredChain,
  sessionId: Uint8Array,
  meterInfo: MeterInfoType,
  scheduleTupleId: number | undefined,
): { body: cm.MeteringConfirmationReqType; signature: SignatureType } {
  const data: cm.SignedMeteringDataType = { Id: SIGNED_ID, SessionID: sessionId, MeterInfo: meterInfo };
  if (scheduleTupleId !== undefined) data.Scheduled_SMDTControlMode = { SelectedScheduleTupleID: scheduleTupleId };
  else data.Dynamic_SMDTControlMode = {};
  const signature = signFragments({ crypto, schema: "iso20-cm", scheme: contract.key.scheme, privateKey: contract.key.privateKey, fragments: [{ id: SIGNED_ID, fragment: { SignedMeteringData: data } }] });
  return { body: { Header: HEADER_SLOT as unknown as cm.MeteringConfirmationReqType["Header"], SignedMeteringData: data }, signature };
}
