// ISO 15118-20 message documents: every message is its own root element with the Header
// inside (`{ SessionSetupReq: { Header: { SessionID, TimeStamp }, EVCCID } }`), where DIN and
// ISO-2 wrap a Body in V2G_Message. The message families travel in their own schemas and
// V2GTP payload types (0x8002 CommonMessages, 0x8003 AC, 0x8004 DC; modules/v2gtp/header.ts).

import type { SchemaId } from "../../exi/index";
import type { SignatureType } from "../../pki-store/index";

/** An ISO 15118-20 document: `{ <MessageName>: { Header, … } }`. */
export type Iso20Document = { [messageName: string]: object };

/** The header every -20 message carries (MessageHeaderType: SessionID 8 bytes, TimeStamp in Unix seconds; Signature where signed). */
export interface Iso20Header {
  SessionID: Uint8Array;
  TimeStamp: bigint;
  Signature?: SignatureType;
}

/**
 * Handlers write this as the first property of a response (so the encoder sees the properties
 * in schema order); the session replaces it with the real header before sending. Empty (a
 * typed array cannot be frozen for the preload), so a response sent without its header fails
 * to encode instead of carrying a wrong one.
 */
export const HEADER_SLOT: Readonly<Record<string, never>> = Object.freeze({});

/** The schema of an -20 message by its name: DC_* → iso20-dc, AC_* → iso20-ac, the rest CommonMessages. */
export function iso20SchemaOfMessage(name: string): SchemaId {
  if (name.charCodeAt(2) === 95 /* _ */) {
    if (name.indexOf("DC_") === 0) return "iso20-dc";
    if (name.indexOf("AC_") === 0) return "iso20-ac";
  }
  if (name.indexOf("ACDP_") === 0) return "iso20-acdp";
  if (name.indexOf("WPT_") === 0) return "iso20-wpt";
  return "iso20-cm";
}

/** The header's SessionID of a -20 request content, or an empty array. */
export function iso20SessionIdOf(content: unknown): Uint8Array {
  const header = (content as { Header?: { SessionID?: unknown } } | undefined)?.Header;
  return header?.SessionID instanceof Uint8Array ? header.SessionID : new Uint8Array(0);
}

/**
 * Puts the header into the content of a one-message document (which is the document itself),
 * with the message's Signature where it is signed (Plug & Charge: AuthorizationReq(PnC)).
 */
export function setIso20Header(doc: Iso20Document, sessionId: Uint8Array, timeStamp: bigint, signature?: Iso20Header["Signature"]): Iso20Document {
  // Object.keys: a for-in loop costs XS twice as much (an iterator object), every message
  const names = Object.keys(doc);
  if (names.length > 0) {
    (doc[names[0]] as { Header?: Iso20Header }).Header = signature === undefined ? { SessionID: sessionId, TimeStamp: timeStamp } : { SessionID: sessionId, TimeStamp: timeStamp, Signature: signature };
  }
  return doc;
}

/** EVCCID is a string in -20 (the EV's MAC or VIN text); as bytes for the session record. */
export function asciiBytes(text: unknown): Uint8Array {
  if (typeof text !== "string") return new Uint8Array(0);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
