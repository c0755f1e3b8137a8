// The message types the EVCC reads and writes: the generated DIN 70121 and ISO 15118-2 types
// (modules/exi/generated/{din,iso2}), combined where the EVCC treats both protocols alike.

import type { Din, Iso2 } from "../../exi/index";
import type { Iso20Document } from "../iso20/envelope";
import { setIso20Header } from "../iso20/envelope";
import type { SignatureType } from "../../pki-store/index";

/** The schemas of the V2G_Message protocols (DIN 70121, ISO 15118-2). */
export type EvccSchema = "din" | "iso2";
/** Every protocol the EVCC speaks: the V2G_Message ones and ISO 15118-20 (its own message families). */
export type EvccProtocol = EvccSchema | "iso20";

/** `{ V2G_Message: { Header, Body } }` of either protocol: what decode("din" | "iso2", bytes) returns. */
export type V2gMessageDoc = { V2G_Message: Din.V2G_MessageType } | { V2G_Message: Iso2.V2G_MessageType };

/** Any document the EVCC sends or receives: DIN/ISO-2 V2G_Message, or an ISO 15118-20 message (its own root element). */
export type EvccDoc = V2gMessageDoc | Iso20Document;

type DinBody = Din.BodyType;
type Iso2Body = Iso2.BodyType;

/** The content of Body element `N` in either protocol (`BodyOf<"CurrentDemandReq">`). */
export type BodyOf<N extends string> = NonNullable<(N extends keyof DinBody ? DinBody[N] : never) | (N extends keyof Iso2Body ? Iso2Body[N] : never)>;
/** The content of response `N` in either protocol (`ResOf<"CurrentDemandRes">`). */
export type ResOf<N extends string> = BodyOf<N>;

export type DcEvseStatus = Din.DC_EVSEStatusType | Iso2.DC_EVSEStatusType;
export type AcEvseStatus = Din.AC_EVSEStatusType | Iso2.AC_EVSEStatusType;

/** A response seen generically (sequence checks, trace): its ResponseCode and whatever else. */
export interface AnyResponse {
  readonly ResponseCode?: string;
  readonly [field: string]: unknown;
}

/**
 * The single element of a Body: its name and content; undefined for an empty Body. For an
 * ISO 15118-20 document (no V2G_Message) the root element itself.
 */
export function bodyElement(doc: EvccDoc): { name: string; content: AnyResponse } | undefined {
  const v2g = (doc as { V2G_Message?: { Body?: object } } | undefined)?.V2G_Message;
  const body = (v2g === undefined ? doc : v2g.Body) as Record<string, object | undefined> | undefined;
  if (body === undefined || body === null) return undefined;
  for (const name in body) {
    const content = body[name];
    if (content !== undefined) return { name, content: content as AnyResponse };
  }
  return undefined;
}

/** The header's SessionID of a response (DIN/ISO-2 V2G_Message header, or the -20 message's own Header). */
export function headerSessionId(doc: EvccDoc, element: { content: AnyResponse } | undefined): unknown {
  const v2g = (doc as { V2G_Message?: { Header?: { SessionID?: unknown } } }).V2G_Message;
  if (v2g !== undefined) return v2g.Header?.SessionID;
  return (element?.content.Header as { SessionID?: unknown } | undefined)?.SessionID;
}

/**
 * Builds the request document (the body content is checked by the codec when encoded). -20:
 * the message is the root element and carries the Header (SessionID, TimeStamp) itself.
 */
export function requestDoc(sessionId: Uint8Array, name: string, content: object, iso20?: { timeStamp: bigint }, signature?: SignatureType): EvccDoc {
  if (iso20 !== undefined) return setIso20Header({ [name]: content }, sessionId, iso20.timeStamp, signature);
  const header = signature === undefined ? { SessionID: sessionId } : { SessionID: sessionId, Signature: signature };
  return { V2G_Message: { Header: header, Body: { [name]: content } } } as V2gMessageDoc;
}
