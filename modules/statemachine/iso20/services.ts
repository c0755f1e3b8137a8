// ISO 15118-20 energy transfer services and their parameter sets (ServiceDiscovery,
// ServiceDetail, ServiceSelection), both roles.
//
// Service IDs as -20 lists them for ServiceDiscoveryRes (the AC BPT and DC captures in
// ../shared/captures/dsV2Gshark offer 1+5 and 2+6): 1 AC, 2 DC, 3 WPT, 4 DC_ACDP, 5 AC_BPT,
// 6 DC_BPT, 7 DC_ACDP_BPT. Parameter names and values as the captures' ServiceDetailRes carry
// them: Connector (AC 1 single phase, 2 three phase; DC 1 core, 2 extended, 3 dual2, 4 dual4),
// ControlMode (1 Scheduled, 2 Dynamic), MobilityNeedsMode (1 provided by the EVCC, 2 by the
// SECC), Pricing (0 none, 1 absolute, 2 levels), EVSENominalVoltage (AC, V), BPTChannel
// (1 Unified, 2 Separated), GeneratorMode (1 GridFollowing, 2 GridForming), and for AC_BPT
// GridCodeIslandingDetectionMethod (1 Active, 2 Passive).
//
// Megawatt charging: the -20:2022 schemas carry no MCS-specific content; MCS runs in the DC
// message set under the service IDs the fielded stacks use, EVerest libiso15118's
// ServiceCategory MCS = 8 and MCS_BPT = 9 (beside AC_DER = 10), with its MCS connector values
// (1 MCS, 4 rMCS, 5 xMCS) in the Connector parameter. Automated connection devices
// (DC_ACDP 4, DC_ACDP_BPT 7) also charge through the DC messages, with the ACDP messages of
// V2G_CI_ACDP.xsd around them (./acdp-secc.ts, ./acdp-evcc.ts).

import type { ParameterSetType, ParameterType } from "../../exi/generated/iso20_cm/types";

export type Iso20Transfer = "ac" | "dc" | "ac_bpt" | "dc_bpt" | "wpt" | "dc_acdp" | "dc_acdp_bpt" | "mcs" | "mcs_bpt";
/** The -20 SAP namespaces (urn:iso:std:iso:15118:-20:DC, :AC, :WPT, :ACDP): the services a session may select belong to one. */
export type Iso20Namespace = "dc" | "ac" | "wpt" | "acdp";
export type Iso20ControlMode = "scheduled" | "dynamic";

export const SERVICE_ID: Readonly<Record<Iso20Transfer, number>> = Object.freeze({
  ac: 1,
  dc: 2,
  wpt: 3,
  dc_acdp: 4,
  ac_bpt: 5,
  dc_bpt: 6,
  dc_acdp_bpt: 7,
  mcs: 8,
  mcs_bpt: 9,
});

/** The transfer of a service ID; undefined for one this stack does not implement (AC_DER 10). */
export function transferOfService(id: number): Iso20Transfer | undefined {
  switch (id) {
    case 1:
      return "ac";
    case 2:
      return "dc";
    case 3:
      return "wpt";
    case 4:
      return "dc_acdp";
    case 5:
      return "ac_bpt";
    case 6:
      return "dc_bpt";
    case 7:
      return "dc_acdp_bpt";
    case 8:
      return "mcs";
    case 9:
      return "mcs_bpt";
  }
  return undefined;
}

/** Energy flows through the DC messages (DC, DC_BPT, the ACDP services and MCS). */
export function isDc(transfer: Iso20Transfer): boolean {
  return transfer !== "ac" && transfer !== "ac_bpt" && transfer !== "wpt";
}

/** The SAP namespace a service belongs to (MCS charges in the DC namespace: the -20:2022 SAP list has none of its own). */
export function namespaceOf(transfer: Iso20Transfer): Iso20Namespace {
  if (transfer === "ac" || transfer === "ac_bpt") return "ac";
  if (transfer === "wpt") return "wpt";
  return isAcdp(transfer) ? "acdp" : "dc";
}

export function isBpt(transfer: Iso20Transfer): boolean {
  return transfer === "ac_bpt" || transfer === "dc_bpt" || transfer === "dc_acdp_bpt" || transfer === "mcs_bpt";
}

/** An automated connection device (pantograph) makes the contact: the ACDP messages run around the DC ones. */
export function isAcdp(transfer: Iso20Transfer): boolean {
  return transfer === "dc_acdp" || transfer === "dc_acdp_bpt";
}

/** Megawatt charging (MCS, MCS_BPT). */
export function isMcs(transfer: Iso20Transfer): boolean {
  return transfer === "mcs" || transfer === "mcs_bpt";
}

/** MCS connector values of the Connector parameter (EVerest libiso15118 McsConnector). */
export const MCS_CONNECTOR: Readonly<{ mcs: number; rmcs: number; xmcs: number }> = Object.freeze({ mcs: 1, rmcs: 4, xmcs: 5 });

/** Bidirectional settings of a BPT service. */
export interface BptSettings {
  /** BPTChannel: one channel for both directions, or separate ones. Default "unified". */
  channel?: "unified" | "separated";
  /** GeneratorMode: follow the grid (V2G) or form it (V2H/V2L while the grid is down). Default "grid-following". */
  generatorMode?: "grid-following" | "grid-forming";
  /** AC_BPT GridCodeIslandingDetectionMethod. Default "active". */
  islandingDetection?: "active" | "passive";
}

/** One parameter set as data (what a ServiceDetailRes carries and ServiceSelection names). */
export interface Iso20ParameterSet {
  readonly id: number;
  readonly transfer: Iso20Transfer;
  readonly controlMode: Iso20ControlMode;
  readonly connector: number;
  readonly mobilityNeedsMode: 1 | 2;
  readonly pricing: 0 | 1 | 2;
  readonly nominalVoltage?: number;
  readonly bpt?: Required<BptSettings>;
}

/**
 * The parameter sets of `transfer`: one per control mode offered, IDs 1, 2, … in that order
 * (the captures number them the same way).
 */
export function parameterSets(
  transfer: Iso20Transfer,
  options: { controlModes: readonly Iso20ControlMode[]; connector?: number; nominalVoltage?: number; bpt?: BptSettings; mobilityNeedsMode?: 1 | 2; pricing?: 0 | 1 | 2 },
): Iso20ParameterSet[] {
  const bpt = isBpt(transfer)
    ? {
        channel: options.bpt?.channel ?? "unified",
        generatorMode: options.bpt?.generatorMode ?? "grid-following",
        islandingDetection: options.bpt?.islandingDetection ?? "active",
      }
    : undefined;
  const out: Iso20ParameterSet[] = [];
  for (let i = 0; i < options.controlModes.length; i++) {
    out.push({
      id: i + 1,
      transfer,
      controlMode: options.controlModes[i],
      connector: options.connector ?? (isMcs(transfer) ? MCS_CONNECTOR.mcs : 2),
      mobilityNeedsMode: options.mobilityNeedsMode ?? 1,
      pricing: options.pricing ?? 0,
      nominalVoltage: transfer === "ac" || transfer === "ac_bpt" ? options.nominalVoltage ?? 230 : undefined,
      bpt,
    });
  }
  return out;
}

function int(name: string, value: number): ParameterType {
  return { Name: name, intValue: value };
}

/** A parameter set as ServiceDetailRes carries it. */
export function parameterSetElement(set: Iso20ParameterSet): ParameterSetType {
  const p: ParameterType[] = [
    int("Connector", set.connector),
    int("ControlMode", set.controlMode === "scheduled" ? 1 : 2),
    int("MobilityNeedsMode", set.mobilityNeedsMode),
    int("Pricing", set.pricing),
  ];
  if (set.nominalVoltage !== undefined) p.push(int("EVSENominalVoltage", set.nominalVoltage));
  if (set.bpt !== undefined) {
    p.push(int("BPTChannel", set.bpt.channel === "unified" ? 1 : 2));
    p.push(int("GeneratorMode", set.bpt.generatorMode === "grid-following" ? 1 : 2));
    if (set.transfer === "ac_bpt") p.push(int("GridCodeIslandingDetectionMethod", set.bpt.islandingDetection === "active" ? 1 : 2));
  }
  return { ParameterSetID: set.id, Parameter: p };
}

function numberOf(p: ParameterType): number | undefined {
  const v = p.intValue ?? p.shortValue ?? p.byteValue;
  if (typeof v === "number") return v;
  if (p.rationalNumber !== undefined) return p.rationalNumber.Value * Math.pow(10, p.rationalNumber.Exponent);
  if (typeof p.boolValue === "boolean") return p.boolValue ? 1 : 0;
  return undefined;
}

/** Reads a ServiceDetailRes parameter set back (EVCC side); unknown names are ignored. */
export function readParameterSet(transfer: Iso20Transfer, set: ParameterSetType): Iso20ParameterSet {
  let controlMode: Iso20ControlMode = "scheduled";
  let connector = 0;
  let mobilityNeedsMode: 1 | 2 = 1;
  let pricing: 0 | 1 | 2 = 0;
  let nominalVoltage: number | undefined;
  let channel: "unified" | "separated" = "unified";
  let generatorMode: "grid-following" | "grid-forming" = "grid-following";
  let islandingDetection: "active" | "passive" = "active";
  const list = set.Parameter ?? [];
  for (let i = 0; i < list.length; i++) {
    const v = numberOf(list[i]);
    if (v === undefined) continue;
    switch (list[i].Name) {
      case "ControlMode":
        controlMode = v === 2 ? "dynamic" : "scheduled";
        break;
      case "Connector":
        connector = v;
        break;
      case "MobilityNeedsMode":
        mobilityNeedsMode = v === 2 ? 2 : 1;
        break;
      case "Pricing":
        pricing = v === 1 ? 1 : v === 2 ? 2 : 0;
        break;
      case "EVSENominalVoltage":
        nominalVoltage = v;
        break;
      case "BPTChannel":
        channel = v === 2 ? "separated" : "unified";
        break;
      case "GeneratorMode":
        generatorMode = v === 2 ? "grid-forming" : "grid-following";
        break;
      case "GridCodeIslandingDetectionMethod":
        islandingDetection = v === 2 ? "passive" : "active";
        break;
    }
  }
  return {
    id: set.ParameterSetID,
    transfer,
    controlMode,
    connector,
    mobilityNeedsMode,
    pricing,
    nominalVoltage,
    bpt: isBpt(transfer) ? { channel, generatorMode, islandingDetection } : undefined,
  };
}
