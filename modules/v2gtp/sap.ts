// supportedAppProtocol handshake (ISO 15118-2 §8.2, DIN 70121 §8.x, ISO 15118-20 §8.3.1):
// the vehicle lists the protocols it speaks, with priorities; the charger picks one.
//
// Rules applied (ISO 15118-2 §8.2.1 and the AppProtocol semantics in the apphand schema):
//  - a protocol matches when ProtocolNamespace and VersionNumberMajor are equal; only then
//    can the two sides talk (a different major version is a different protocol);
//  - among the matches the charger takes the one the vehicle ranks highest
//    (Priority 1 is the highest; on a tie the earlier entry);
//  - the same minor version → OK_SuccessfulNegotiation, another minor version →
//    OK_SuccessfulNegotiationWithMinorDeviation; no match (unknown namespaces, other major
//    versions, an empty list) → Failed_NoNegotiation, without SchemaID;
//  - the response echoes the SchemaID the vehicle gave the chosen entry.
//
// Works on message objects shaped as the EXI codec returns them (docs/CONVENTIONS.md).

import { ImplementationError } from "../common/errors";
import type { SchemaId } from "../exi/index";
import type { AppProtocolType, supportedAppProtocolReqType, supportedAppProtocolResType } from "../exi/generated/apphand/types";

/** ResponseCode of supportedAppProtocolRes. */
export type SapResponseCode = supportedAppProtocolResType["ResponseCode"];

/** One AppProtocol entry (the generated apphand type). */
export type AppProtocol = AppProtocolType;

/** The message objects, in the codec's shape `{ <root>: content }` with the generated types. */
export interface SupportedAppProtocolReq {
  supportedAppProtocolReq: supportedAppProtocolReqType;
}

export interface SupportedAppProtocolRes {
  supportedAppProtocolRes: supportedAppProtocolResType;
}

/** The protocols this stack implements, by short id (used in configuration and the CLI). */
export type ProtocolId = "din" | "iso2" | "iso20-dc" | "iso20-ac" | "iso20-wpt" | "iso20-acdp";

export interface ProtocolInfo {
  id: ProtocolId;
  namespace: string;
  major: number;
  minor: number;
  /** EXI schema of the messages after the handshake (the first one, for ISO-20: CommonMessages). */
  schema: SchemaId;
  /** The energy-transfer schema for ISO 15118-20 ids (DC, AC, WPT, ACDP). */
  transferSchema?: SchemaId;
}

/** Namespaces and versions as real vehicles send them (../shared/vectors/real/apphand.tsv). */
export const PROTOCOLS: readonly ProtocolInfo[] = Object.freeze([
  Object.freeze({ id: "din", namespace: "urn:din:70121:2012:MsgDef", major: 2, minor: 0, schema: "din" }),
  Object.freeze({ id: "iso2", namespace: "urn:iso:15118:2:2013:MsgDef", major: 2, minor: 0, schema: "iso2" }),
  Object.freeze({ id: "iso20-dc", namespace: "urn:iso:std:iso:15118:-20:DC", major: 1, minor: 0, schema: "iso20-cm", transferSchema: "iso20-dc" }),
  Object.freeze({ id: "iso20-ac", namespace: "urn:iso:std:iso:15118:-20:AC", major: 1, minor: 0, schema: "iso20-cm", transferSchema: "iso20-ac" }),
  Object.freeze({ id: "iso20-wpt", namespace: "urn:iso:std:iso:15118:-20:WPT", major: 1, minor: 0, schema: "iso20-cm", transferSchema: "iso20-wpt" }),
  Object.freeze({ id: "iso20-acdp", namespace: "urn:iso:std:iso:15118:-20:ACDP", major: 1, minor: 0, schema: "iso20-cm", transferSchema: "iso20-acdp" }),
] as ProtocolInfo[]);

export function protocolInfo(id: ProtocolId): ProtocolInfo {
  for (const p of PROTOCOLS) if (p.id === id) return p;
  throw new ImplementationError(`unknown protocol id '${id}'`);
}

export function isProtocolId(text: string): text is ProtocolId {
  for (const p of PROTOCOLS) if (p.id === text) return true;
  return false;
}

/** Our protocol of a namespace, if we know it. */
export function protocolOfNamespace(namespace: string): ProtocolInfo | undefined {
  for (const p of PROTOCOLS) if (p.namespace === namespace) return p;
  return undefined;
}

/** "din,iso2,iso20-dc" → ids; unknown names are returned in `unknown`. */
export function parseProtocolList(text: string): { ids: ProtocolId[]; unknown: string[] } {
  const ids: ProtocolId[] = [];
  const unknown: string[] = [];
  for (const part of text.split(",")) {
    const name = part.trim().toLowerCase();
    if (name.length === 0) continue;
    if (isProtocolId(name)) {
      if (ids.indexOf(name) < 0) ids.push(name);
    } else unknown.push(part.trim());
  }
  return { ids, unknown };
}

/** A protocol a charger offers: one of ours, or any namespace/version (for tests, other versions). */
export type OfferedProtocol = ProtocolId | { namespace: string; major: number; minor: number; id?: ProtocolId };

interface Offer {
  namespace: string;
  major: number;
  minor: number;
  id?: ProtocolId;
}

function toOffer(p: OfferedProtocol): Offer {
  if (typeof p === "string") {
    const info = protocolInfo(p);
    return { namespace: info.namespace, major: info.major, minor: info.minor, id: info.id };
  }
  return { namespace: p.namespace, major: p.major, minor: p.minor, id: p.id ?? protocolOfNamespace(p.namespace)?.id };
}

export interface SapOptions {
  /**
   * The transport security of this connection. When given and not "1.3", ISO 15118-20 is not
   * selected. Undefined: no such filter (test benches run -20 without TLS).
   */
  tls?: "none" | "1.2" | "1.3";
}

const ISO20_NAMESPACE_PREFIX = "urn:iso:std:iso:15118:-20:";

/**
 * Whether a protocol may run over a connection's transport security:
 *  - ISO 15118-20 requires TLS 1.3 ([V2G20-2356] as cited by open implementations): never over
 *    TLS 1.2 or plain TCP (the caller lifts the plain-TCP rule for test benches by passing no
 *    `tls` at all);
 *  - ISO 15118-2's TLS profile is TLS 1.2 with the cipher suites of its Table 7 ([V2G2-602]),
 *    all TLS 1.2 suites, and DIN 70121 defines no TLS: over TLS 1.3 (the -20 profile, which the
 *    vehicle entered with its -20 certificate) only -20 is selected.
 */
export function allowedOver(tls: "none" | "1.2" | "1.3", namespace: string): boolean {
  const iso20 = namespace.indexOf(ISO20_NAMESPACE_PREFIX) === 0;
  return tls === "1.3" ? iso20 : !iso20;
}

/** The charger's decision. */
export interface SapDecision {
  response: SupportedAppProtocolRes;
  code: SapResponseCode;
  /** The vehicle's entry that was chosen (absent on Failed_NoNegotiation). */
  chosen?: AppProtocol;
  /** Our protocol id of the chosen entry, when it is one we implement. */
  protocol?: ProtocolId;
}

function entriesOf(request: unknown): AppProtocol[] {
  const body = (request as { supportedAppProtocolReq?: { AppProtocol?: unknown } } | undefined)?.supportedAppProtocolReq;
  const list = body?.AppProtocol;
  if (!Array.isArray(list)) return [];
  const out: AppProtocol[] = [];
  for (const e of list) {
    if (e && typeof e === "object" && typeof (e as AppProtocol).ProtocolNamespace === "string") out.push(e as AppProtocol);
  }
  return out;
}

/**
 * Charger side: choose from the vehicle's request by its priorities among the `offer`ed
 * protocols. Never throws on peer data: anything unusable is Failed_NoNegotiation.
 */
export function negotiate(
  request: SupportedAppProtocolReq | object,
  offer: readonly OfferedProtocol[],
  options: SapOptions = {},
): SapDecision {
  let offers = offer.map(toOffer);
  if (options.tls !== undefined) offers = offers.filter((o) => allowedOver(options.tls!, o.namespace));
  let best: AppProtocol | undefined;
  let bestOffer: Offer | undefined;
  for (const entry of entriesOf(request)) {
    let match: Offer | undefined;
    for (const o of offers) {
      if (o.namespace === entry.ProtocolNamespace && o.major === Number(entry.VersionNumberMajor)) {
        // prefer an offer with the same minor version when several share namespace and major
        if (match === undefined || o.minor === Number(entry.VersionNumberMinor)) match = o;
      }
    }
    if (match === undefined) continue;
    if (best === undefined || Number(entry.Priority) < Number(best.Priority)) {
      best = entry;
      bestOffer = match;
    }
  }
  if (best === undefined || bestOffer === undefined) {
    return {
      code: "Failed_NoNegotiation",
      response: { supportedAppProtocolRes: { ResponseCode: "Failed_NoNegotiation" } },
    };
  }
  const code: SapResponseCode =
    Number(best.VersionNumberMinor) === bestOffer.minor ? "OK_SuccessfulNegotiation" : "OK_SuccessfulNegotiationWithMinorDeviation";
  return {
    code,
    chosen: best,
    protocol: bestOffer.id,
    response: { supportedAppProtocolRes: { ResponseCode: code, SchemaID: Number(best.SchemaID) } },
  };
}

/** A protocol a vehicle asks for, with optional explicit SchemaID and Priority. */
export type RequestedProtocol =
  | ProtocolId
  | { id: ProtocolId; schemaId?: number; priority?: number; minor?: number }
  | { namespace: string; major: number; minor: number; schemaId?: number; priority?: number };

/**
 * Vehicle side: the request for `protocols`, most preferred first. Unless given, SchemaIDs
 * are 1, 2, … and priorities 1, 2, … in list order (the schema allows SchemaID 0..255,
 * Priority 1..20, at most 20 entries).
 */
export function buildSapRequest(protocols: readonly RequestedProtocol[]): SupportedAppProtocolReq {
  if (protocols.length === 0 || protocols.length > 20) {
    throw new ImplementationError(`a supportedAppProtocolReq carries 1 to 20 protocols, not ${protocols.length}`);
  }
  const list: AppProtocol[] = [];
  protocols.forEach((p, i) => {
    let namespace: string;
    let major: number;
    let minor: number;
    let schemaId = i + 1;
    let priority = i + 1;
    if (typeof p === "string") {
      const info = protocolInfo(p);
      namespace = info.namespace;
      major = info.major;
      minor = info.minor;
    } else {
      if ("id" in p) {
        const info = protocolInfo(p.id);
        namespace = info.namespace;
        major = info.major;
        minor = p.minor ?? info.minor;
      } else {
        namespace = p.namespace;
        major = p.major;
        minor = p.minor;
      }
      if (p.schemaId !== undefined) schemaId = p.schemaId;
      if (p.priority !== undefined) priority = p.priority;
    }
    if (!(schemaId >= 0 && schemaId <= 255) || !(priority >= 1 && priority <= 20)) {
      throw new ImplementationError(`SchemaID ${schemaId} / Priority ${priority} out of range`);
    }
    list.push({ ProtocolNamespace: namespace, VersionNumberMajor: major, VersionNumberMinor: minor, SchemaID: schemaId, Priority: priority });
  });
  return { supportedAppProtocolReq: { AppProtocol: list } };
}

export type SapOutcome =
  | { ok: true; code: SapResponseCode; entry: AppProtocol; protocol?: ProtocolId; minorDeviation: boolean }
  | { ok: false; reason: "failed-no-negotiation" | "bad-response" | "unknown-schema-id"; code?: string; message: string };

/** Vehicle side: what the charger's response means for the request we sent. */
export function readSapResponse(request: SupportedAppProtocolReq, response: SupportedAppProtocolRes | object): SapOutcome {
  const res = (response as Partial<SupportedAppProtocolRes>).supportedAppProtocolRes;
  if (!res || typeof res !== "object") return { ok: false, reason: "bad-response", message: "not a supportedAppProtocolRes" };
  const code = res.ResponseCode;
  if (code === "Failed_NoNegotiation") {
    return { ok: false, reason: "failed-no-negotiation", code, message: "the charger supports none of our protocols" };
  }
  if (code !== "OK_SuccessfulNegotiation" && code !== "OK_SuccessfulNegotiationWithMinorDeviation") {
    return { ok: false, reason: "bad-response", code: String(code), message: `unknown ResponseCode ${String(code)}` };
  }
  if (res.SchemaID === undefined) {
    return { ok: false, reason: "bad-response", code, message: `${code} without SchemaID` };
  }
  for (const entry of request.supportedAppProtocolReq.AppProtocol) {
    if (entry.SchemaID === Number(res.SchemaID)) {
      return {
        ok: true,
        code,
        entry,
        protocol: protocolOfNamespace(entry.ProtocolNamespace)?.id,
        minorDeviation: code === "OK_SuccessfulNegotiationWithMinorDeviation",
      };
    }
  }
  return { ok: false, reason: "unknown-schema-id", code, message: `SchemaID ${res.SchemaID} is not in our request` };
}
