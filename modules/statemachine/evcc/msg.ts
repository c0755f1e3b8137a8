// The message types the EVCC reads and writes: the generated DIN 70121 and ISO 15118-2 types
// (modules/exi/generated/{din,iso2}), combined where the EVCC treats both protocols alike.

import type { Din, Iso2 } from "../../exi/index";

export type EvccSchema = "din" | "iso2";

/** `{ V2G_Message: { Header, Body } }` of either protocol: what decode("din" | "iso2", bytes) returns. */
export type V2gMessageDoc = { V2G_Message: Din.V2G_MessageType } | { V2G_Message: Iso2.V2G_MessageType };

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

/** The single element of a Body: its name and content; undefined for an empty Body. */
export function bodyElement(doc: V2gMessageDoc): { name: string; content: AnyResponse } | undefined {
  const body = doc?.V2G_Message?.Body as Record<string, object | undefined> | undefined;
  if (body === undefined || body === null) return undefined;
  for (const name in body) {
    const content = body[name];
    if (content !== undefined) return { name, content: content as AnyResponse };
  }
  return undefined;
}

/** Builds the request document (the body content is checked by the codec when encoded). */
export function requestDoc(sessionId: Uint8Array, name: string, content: object): V2gMessageDoc {
  return { V2G_Message: { Header: { SessionID: sessionId }, Body: { [name]: content } } } as V2gMessageDoc;
}
