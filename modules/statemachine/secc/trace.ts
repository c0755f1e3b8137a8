// Key values of a message for the live trace: one short line per message, built only when a
// trace hook is installed (never on the untraced hot path).

import type { PhysicalValue } from "../msg-types";
import { fromPhysical } from "../physical";

const KEYS: readonly string[] = Object.freeze([
  "ResponseCode",
  "EVSEProcessing",
  "ChargeProgress",
  "ReadyToChargeState",
  "ChargingSession",
  "RequestedEnergyTransferMode",
  "EVRequestedEnergyTransferType",
  "SelectedPaymentOption",
  "EVTargetVoltage",
  "EVTargetCurrent",
  "EVSEPresentVoltage",
  "EVSEPresentCurrent",
  "EVSEMaxCurrent",
  "ChargingComplete",
  "SAScheduleTupleID",
  "SchemaID",
]);

function unitOf(pv: PhysicalValue): string {
  return typeof pv.Unit === "string" ? pv.Unit : "";
}

function value(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "object" && "Value" in (v as object) && "Multiplier" in (v as object)) {
    const pv = v as PhysicalValue;
    return `${fromPhysical(pv)}${unitOf(pv)}`;
  }
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return undefined;
}

/** "EVTargetVoltage=400V EVTargetCurrent=100A SOC=42% status=EVSE_Ready" for a body content. */
export function summarize(name: string, content: unknown): string {
  if (content === undefined || content === null || typeof content !== "object") return "";
  const c = content as Record<string, unknown>;
  const parts: string[] = [];
  for (let i = 0; i < KEYS.length; i++) {
    const v = value(c[KEYS[i]]);
    if (v !== undefined) parts.push(`${KEYS[i]}=${v}`);
  }
  const evStatus = (c.DC_EVStatus ?? (c.DC_EVChargeParameter as Record<string, unknown> | undefined)?.DC_EVStatus) as
    | Record<string, unknown>
    | undefined;
  if (evStatus !== undefined && typeof evStatus.EVRESSSOC === "number") parts.push(`SOC=${evStatus.EVRESSSOC}%`);
  const evseStatus = c.DC_EVSEStatus as Record<string, unknown> | undefined;
  if (evseStatus !== undefined) {
    parts.push(`status=${String(evseStatus.EVSEStatusCode)}`);
    if (evseStatus.EVSEIsolationStatus !== undefined) parts.push(`isolation=${String(evseStatus.EVSEIsolationStatus)}`);
    if (evseStatus.EVSENotification !== "None") parts.push(`notification=${String(evseStatus.EVSENotification)}`);
  }
  if (name === "SessionSetupReq" && c.EVCCID instanceof Uint8Array) {
    let hex = "";
    for (let i = 0; i < c.EVCCID.length; i++) hex += (c.EVCCID[i] < 16 ? "0" : "") + c.EVCCID[i].toString(16);
    parts.push(`EVCCID=${hex}`);
  }
  return parts.join(" ");
}
