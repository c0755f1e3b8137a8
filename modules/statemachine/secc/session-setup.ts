// The steps before charging that DIN 70121 and ISO 15118-2 share: session IDs and resumption,
// payment/service selection checks, external identification, the EV's charge parameters.

import { bytesEqual } from "../../common/index";
import type { SeccFacts } from "../charger-interfaces";
import type { DcEvChargeParameter, PaymentSelectionReq, SessionSetupReq } from "../msg-types";
import type { SeccContext } from "./context";
import { noteEvStatus, noteLimit } from "./context";
import { fromPhysical } from "../physical";
import { contractUsable } from "../iso2/pnc";

/**
 * Sets the session ID. A SessionSetupReq whose header names the paused session of the same EV
 * (same EVCCID, same protocol) joins it (OK_OldSessionJoined, same ID); any other ID, zero
 * included, gets a new session with a fresh random ID (OK_NewSessionEstablished).
 */
export function setupSession(req: SessionSetupReq, ctx: SeccContext, facts: SeccFacts): "OK_NewSessionEstablished" | "OK_OldSessionJoined" {
  const evccId = req.EVCCID instanceof Uint8Array ? req.EVCCID : new Uint8Array(0);
  ctx.evccId = evccId;
  const paused = facts.paused;
  if (paused !== undefined && paused.protocol === ctx.protocol && bytesEqual(paused.evccId, evccId)) {
    ctx.sessionId = paused.sessionId;
    ctx.resumed = true;
    ctx.saScheduleTupleId = paused.saScheduleTupleId;
    return "OK_OldSessionJoined";
  }
  return newSession(ctx, facts);
}

/** A new session under a fresh random SessionID (also where a paused one cannot be joined). */
export function newSession(ctx: SeccContext, facts: SeccFacts): "OK_NewSessionEstablished" {
  ctx.sessionId = facts.newSessionId ?? new Uint8Array(8);
  ctx.resumed = false;
  return "OK_NewSessionEstablished";
}

/** ServicePaymentSelection / PaymentServiceSelection: the option must be offered, the charge service (ID 1) chosen. */
export function checkPaymentSelection(
  req: PaymentSelectionReq,
  ctx: SeccContext,
  facts: SeccFacts,
): "OK" | "FAILED_PaymentSelectionInvalid" | "FAILED_ServiceSelectionInvalid" | "FAILED_NoChargeServiceSelected" {
  const options = facts.config.paymentOptions ?? ["ExternalPayment"];
  if (options.indexOf(req.SelectedPaymentOption as "ExternalPayment") < 0) return "FAILED_PaymentSelectionInvalid";
  // Contract (Plug & Charge) only in ISO-2, with the PnC facility and over TLS (iso2/pnc.ts);
  // DIN 70121 names it but this SECC implements EIM alone there.
  if (req.SelectedPaymentOption !== "ExternalPayment" && !(req.SelectedPaymentOption === "Contract" && ctx.protocol === "iso2" && contractUsable(facts.config, ctx.transport))) {
    return "FAILED_PaymentSelectionInvalid";
  }
  const services = req.SelectedServiceList?.SelectedService ?? [];
  const offered = facts.config.valueAddedServices ?? [];
  let charge = false;
  const selected: number[] = [];
  for (let i = 0; i < services.length; i++) {
    const id = services[i].ServiceID;
    if (id === 1) {
      charge = true;
      continue;
    }
    let known = false;
    for (let j = 0; j < offered.length; j++) if (offered[j].ServiceID === id) known = true;
    if (!known) return "FAILED_ServiceSelectionInvalid"; // a service we did not offer
    selected.push(id);
  }
  if (!charge) return "FAILED_NoChargeServiceSelected";
  ctx.selectedServices = selected;
  ctx.paymentOption = req.SelectedPaymentOption;
  return "OK";
}

/** Where external identification stands: "request" = ask the charger now (first request). */
export type AuthorizationStep = "request" | "pending" | "accepted" | "rejected";

export function authorizationStep(ctx: SeccContext, facts: SeccFacts): AuthorizationStep {
  const auth = facts.evse.authorization;
  if (auth === "accepted" || auth === "rejected") return auth;
  if (!ctx.authorizationRequested) {
    ctx.authorizationRequested = true;
    return "request";
  }
  return "pending";
}

/** Copies the EV's DC charge parameters into the context. */
export function noteDcChargeParameter(ctx: SeccContext, p: DcEvChargeParameter): void {
  noteEvStatus(ctx, p.DC_EVStatus);
  noteLimit(ctx.ev, "maxVoltage", p.EVMaximumVoltageLimit);
  noteLimit(ctx.ev, "maxCurrent", p.EVMaximumCurrentLimit);
  noteLimit(ctx.ev, "maxPower", p.EVMaximumPowerLimit);
  if (p.EVEnergyRequest !== undefined) ctx.ev.energyRequest = fromPhysical(p.EVEnergyRequest);
}
