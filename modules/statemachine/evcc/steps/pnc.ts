// ISO 15118-2 Plug & Charge steps of the EVCC (Contract selected): CertificateInstallation when
// the vehicle has no usable contract, CertificateUpdate when it expires within
// EvccConfig.pnc.renewWithin, PaymentDetails (contract chain → GenChallenge) and the
// signed MeteringReceipt the charger asks for with ReceiptRequired. The signed AuthorizationReq
// is in authorization.ts. What is signed and checked: ../iso2-pnc.ts.

import type { Iso2 } from "../../../exi/index";
import { acceptContract, certificateInstallationReq, certificateUpdateReq, meteringReceiptReq, OEM_PROVISIONING_SLOT, paymentDetailsReq } from "../iso2-pnc";
import type { EvccStep, StepContext, StepResult } from "../step";
import { V2G_EVCC_MSG_TIMEOUT, V2G_EVCC_MSG_TIMEOUT_LONG } from "../timeouts";

function pncOf(ctx: StepContext) {
  const pnc = ctx.config.pnc;
  const facts = ctx.facts.pnc;
  if (pnc === undefined || facts === undefined) throw new Error("Plug & Charge step without EvccConfig.pnc");
  return { pnc, facts };
}

export const certificateInstallation: EvccStep<Iso2.CertificateInstallationResType> = Object.freeze({
  id: "CertificateInstallation",
  // CertificateInstallation waits for the backend: the long message timeout (5 s).
  timeout: V2G_EVCC_MSG_TIMEOUT_LONG,
  names: () => ({ request: "CertificateInstallationReq", response: "CertificateInstallationRes" }),
  request(ctx) {
    const { pnc } = pncOf(ctx);
    const signed = certificateInstallationReq(pnc.crypto, pnc.store);
    return { name: signed.name, body: signed.body, signature: signed.signature, trace: { roots: signed.body.ListOfRootCertificateIDs.RootCertificateID.length } };
  },
  onResponse(res, ctx): StepResult {
    const { pnc, facts } = pncOf(ctx);
    const oem = pnc.store.ownChain(OEM_PROVISIONING_SLOT)!;
    const result = acceptContract(pnc.crypto, pnc.store, res, facts.responseSignature, oem.key.privateKey);
    if (!result.ok) return { kind: "abort", reason: "contract", detail: `CertificateInstallationRes refused (${result.failure}): ${result.detail}` };
    facts.contract = result.contract;
    return { kind: "next", step: "PaymentDetails" };
  },
} satisfies EvccStep<Iso2.CertificateInstallationResType>);

export const certificateUpdate: EvccStep<Iso2.CertificateUpdateResType> = Object.freeze({
  id: "CertificateUpdate",
  timeout: V2G_EVCC_MSG_TIMEOUT_LONG,
  names: () => ({ request: "CertificateUpdateReq", response: "CertificateUpdateRes" }),
  request(ctx) {
    const { pnc, facts } = pncOf(ctx);
    const signed = certificateUpdateReq(pnc.crypto, pnc.store, facts.contract!);
    return { name: signed.name, body: signed.body, signature: signed.signature, trace: { eMAID: signed.body.eMAID } };
  },
  onResponse(res, ctx): StepResult {
    const { pnc, facts } = pncOf(ctx);
    // The new key comes encrypted for the key of the contract it replaces.
    const result = acceptContract(pnc.crypto, pnc.store, res, facts.responseSignature, facts.contract!.key.privateKey);
    if (!result.ok) return { kind: "abort", reason: "contract", detail: `CertificateUpdateRes refused (${result.failure}): ${result.detail}` };
    facts.contract = result.contract;
    facts.renewing = false;
    return { kind: "next", step: "PaymentDetails" };
  },
} satisfies EvccStep<Iso2.CertificateUpdateResType>);

export const paymentDetails: EvccStep<Iso2.PaymentDetailsResType> = Object.freeze({
  id: "PaymentDetails",
  timeout: V2G_EVCC_MSG_TIMEOUT_LONG,
  names: () => ({ request: "PaymentDetailsReq", response: "PaymentDetailsRes" }),
  request(ctx) {
    const { facts } = pncOf(ctx);
    const body = paymentDetailsReq(facts.contract!).PaymentDetailsReq;
    return { name: "PaymentDetailsReq", body, trace: { eMAID: body.eMAID } };
  },
  onResponse(res, ctx): StepResult {
    const { facts } = pncOf(ctx);
    if (!(res.GenChallenge instanceof Uint8Array) || res.GenChallenge.length !== 16) return { kind: "abort", reason: "contract", detail: "PaymentDetailsRes without a 16-byte GenChallenge" };
    facts.challenge = res.GenChallenge;
    return { kind: "next", step: "Authorization" };
  },
} satisfies EvccStep<Iso2.PaymentDetailsResType>);

export const meteringReceipt: EvccStep<Iso2.MeteringReceiptResType> = Object.freeze({
  id: "MeteringReceipt",
  timeout: V2G_EVCC_MSG_TIMEOUT,
  names: () => ({ request: "MeteringReceiptReq", response: "MeteringReceiptRes" }),
  request(ctx) {
    const { pnc, facts } = pncOf(ctx);
    const signed = meteringReceiptReq(pnc.crypto, facts.contract!, { SessionID: ctx.facts.sessionId, SAScheduleTupleID: ctx.facts.saScheduleTupleId, MeterInfo: facts.meterInfo! });
    return { name: signed.name, body: signed.body, signature: signed.signature, trace: { meter: facts.meterInfo?.MeterReading === undefined ? undefined : String(facts.meterInfo.MeterReading) } };
  },
  onResponse(_res, ctx): StepResult {
    const { facts } = pncOf(ctx);
    const back = facts.receiptReturn ?? "ChargingStatus";
    facts.meterInfo = undefined;
    return { kind: "next", step: back, delay: back === "ChargingStatus" ? ctx.config.chargingStatusInterval : ctx.config.currentDemandInterval };
  },
} satisfies EvccStep<Iso2.MeteringReceiptResType>);

/**
 * ChargingStatusRes / CurrentDemandRes with ReceiptRequired in a PnC session: sign the MeterInfo
 * next, then return to `loop`; undefined when no receipt is due.
 */
export function receiptDue(ctx: StepContext, res: { ReceiptRequired?: boolean; MeterInfo?: Iso2.MeterInfoType }, loop: "ChargingStatus" | "CurrentDemand"): StepResult | undefined {
  const facts = ctx.facts.pnc;
  if (facts?.contract === undefined || res.ReceiptRequired !== true || res.MeterInfo === undefined) return undefined;
  facts.meterInfo = res.MeterInfo;
  facts.receiptReturn = loop;
  return { kind: "next", step: "MeteringReceipt" };
}
