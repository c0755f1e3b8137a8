// V2GTP header (ISO 15118-2 §7.8.3, ISO 15118-20 §7.8): 8 bytes, then the payload.
//
//   byte 0   protocol version          0x01
//   byte 1   inverse protocol version  0xFE
//   byte 2-3 payload type              big endian
//   byte 4-7 payload length            big endian, without the header
//
// Payload types (ISO 15118-2 Table 10 and ISO 15118-20 Table 12, as listed by Josev's
// ISOV20PayloadTypes "See Table 12 of ISO 15118-20", the dsV2Gshark dissector and EVerest's
// cbv2g exi_v2gtp.h; 0x8001/0x8002/0x8003/0x9000/0x9001 also seen in ../shared/captures).
//
// Reaction to bad headers (ISO 15118-2 §7.8.3, V2GTP header validation: version and inverse
// version, payload type, payload length against the receiver's buffer). V2GTP has no negative
// acknowledgement (unlike ISO 13400 DoIP, whose header it borrows): the receiver does not answer
// a message it cannot accept. On TCP a bad version byte means the framing is lost, so the only
// safe reaction is to close the connection; a well-framed message with an unknown type or an
// over-long payload can be skipped. `V2gtpError.action` says which; V2gtpConnection closes on
// both by default, as RISE-V2G ("not a valid V2GTPMessage" → terminateSession) and Josev do.
// The [V2G2-xxx] numbers of these requirements could not be confirmed from public material.

import { DecodeError } from "../common/errors";
import type { SchemaId } from "../exi/index";

export const V2GTP_VERSION = 0x01;
export const V2GTP_INVERSE_VERSION = 0xfe;
export const V2GTP_HEADER_LENGTH = 8;

/** Payload type values. Names follow ISO 15118-20 Table 12 (Josev spells them the same way). */
export const PayloadType = Object.freeze({
  /** EXI: supportedAppProtocol, DIN 70121 and ISO 15118-2 messages (and SAP in -20). */
  EXI: 0x8001,
  /** ISO 15118-20 main stream: CommonMessages. */
  ISO20_MAINSTREAM: 0x8002,
  ISO20_AC_MAINSTREAM: 0x8003,
  ISO20_DC_MAINSTREAM: 0x8004,
  ISO20_ACDP_MAINSTREAM: 0x8005,
  ISO20_WPT_MAINSTREAM: 0x8006,
  // 0x8007-0x8100 reserved. The four below are -20 side streams (no captures show them).
  ISO20_SCHEDULE_RENEGOTIATION: 0x8101,
  ISO20_METERING_CONFIRMATION: 0x8102,
  ISO20_ACDP_SYSTEM_STATUS: 0x8103,
  ISO20_PARKING_STATUS: 0x8104,
  SDP_REQUEST: 0x9000,
  SDP_RESPONSE: 0x9001,
  /** ISO 15118-20 "SDP for wireless communication" (ACDP, WPT). */
  SDP_REQUEST_WIRELESS: 0x9002,
  SDP_RESPONSE_WIRELESS: 0x9003,
  /**
   * SDP with e-mobility service provider (EMSP) ids: not in ISO 15118-20:2022 Table 12 (which
   * reserves 0x9004-0x9FFF), but dissected under these values by dsV2Gshark (2026) and by
   * ChargePoint's open V2GTP dissector; known here so that they are recognised, not served.
   */
  SDP_REQUEST_EMSP: 0x9004,
  SDP_RESPONSE_EMSP: 0x9005,
  // then reserved up to 0x9FFF; 0xA000-0xFFFF manufacturer specific.
});

export type PayloadTypeName = keyof typeof PayloadType;

/** Every payload type this stack knows, for the default accept list. */
export const KNOWN_PAYLOAD_TYPES: readonly number[] = Object.freeze(
  Object.keys(PayloadType).map((k) => PayloadType[k as PayloadTypeName]),
);

/** Types that travel over TCP (EXI streams) — the default accept list of a V2GTP connection. */
export const STREAM_PAYLOAD_TYPES: readonly number[] = Object.freeze([
  PayloadType.EXI,
  PayloadType.ISO20_MAINSTREAM,
  PayloadType.ISO20_AC_MAINSTREAM,
  PayloadType.ISO20_DC_MAINSTREAM,
  PayloadType.ISO20_ACDP_MAINSTREAM,
  PayloadType.ISO20_WPT_MAINSTREAM,
  PayloadType.ISO20_SCHEDULE_RENEGOTIATION,
  PayloadType.ISO20_METERING_CONFIRMATION,
  PayloadType.ISO20_ACDP_SYSTEM_STATUS,
  PayloadType.ISO20_PARKING_STATUS,
]);

/** The name of a payload type ("EXI", "SDP_REQUEST"…), or a hex string for unknown ones. */
export function payloadTypeName(type: number): string {
  for (const k of Object.keys(PayloadType)) if (PayloadType[k as PayloadTypeName] === type) return k;
  return `0x${(type >>> 0).toString(16).padStart(4, "0")}`;
}

/**
 * The EXI schema of an ISO 15118-20 payload type. 0x8001 is not in this table: it carries
 * SAP before the handshake and DIN or ISO-2 after it, so only the session knows
 * (see V2gtpConnection.schemaFor). Side streams (as dsV2Gshark decodes them; no capture has
 * them): metering confirmation and parking status carry CommonMessages, ACDP system status
 * ACDP. Schedule renegotiation (0x8101) mixes schemas — ScheduleExchange/PowerDelivery
 * (CommonMessages) and DC/AC/WPT ChargeParameterDiscovery — so the type alone does not tell:
 * see SCHEDULE_RENEGOTIATION_SCHEMAS.
 */
const ISO20_SCHEMAS: Readonly<Record<number, SchemaId>> = Object.freeze({
  [PayloadType.ISO20_MAINSTREAM]: "iso20-cm",
  [PayloadType.ISO20_AC_MAINSTREAM]: "iso20-ac",
  [PayloadType.ISO20_DC_MAINSTREAM]: "iso20-dc",
  [PayloadType.ISO20_ACDP_MAINSTREAM]: "iso20-acdp",
  [PayloadType.ISO20_WPT_MAINSTREAM]: "iso20-wpt",
  [PayloadType.ISO20_METERING_CONFIRMATION]: "iso20-cm",
  [PayloadType.ISO20_ACDP_SYSTEM_STATUS]: "iso20-acdp",
  [PayloadType.ISO20_PARKING_STATUS]: "iso20-cm",
});

/** The schemas a schedule renegotiation (0x8101) payload may use; the session knows which it expects. */
export const SCHEDULE_RENEGOTIATION_SCHEMAS: readonly SchemaId[] = Object.freeze(["iso20-cm", "iso20-dc", "iso20-ac", "iso20-wpt"] as SchemaId[]);

export function iso20SchemaOf(type: number): SchemaId | undefined {
  return ISO20_SCHEMAS[type];
}

/** The main-stream payload type that carries messages of `schema` (0x8001 for SAP, DIN, ISO-2). */
export function payloadTypeOf(schema: SchemaId): number {
  switch (schema) {
    case "apphand":
    case "din":
    case "iso2":
      return PayloadType.EXI;
    case "iso20-cm":
      return PayloadType.ISO20_MAINSTREAM;
    case "iso20-ac":
      return PayloadType.ISO20_AC_MAINSTREAM;
    case "iso20-dc":
      return PayloadType.ISO20_DC_MAINSTREAM;
    case "iso20-acdp":
      return PayloadType.ISO20_ACDP_MAINSTREAM;
    case "iso20-wpt":
      return PayloadType.ISO20_WPT_MAINSTREAM;
    default:
      return -1; // xmldsig: never a message of its own
  }
}

export type V2gtpErrorReason =
  | "v2gtp-version" // byte 0 is not 0x01 or byte 1 is not its inverse 0xFE
  | "v2gtp-payload-type" // a type the receiver does not accept here
  | "v2gtp-length" // payload longer than the receiver's buffer, or not the datagram's length
  | "v2gtp-truncated" // fewer bytes than the header says (datagrams; end of stream)
  | "sdp-payload"; // an SDP payload with wrong length or reserved field values

/** What the receiver should do about a bad header. */
export type V2gtpErrorAction =
  /** Framing is lost (TCP) or the datagram is garbage: close the connection / drop it. */
  | "close"
  /** The message is well framed; its payload is skipped and the stream continues. */
  | "skip";

/** Bad V2GTP data from the peer. `position` is the byte offset in the stream or datagram. */
export class V2gtpError extends DecodeError<V2gtpErrorReason> {
  readonly action: V2gtpErrorAction;
  /** The header's payload type and length where they were read (else -1). */
  readonly payloadType: number;
  readonly payloadLength: number;

  constructor(
    reason: V2gtpErrorReason,
    message: string,
    options: { position?: number; action?: V2gtpErrorAction; payloadType?: number; payloadLength?: number } = {},
  ) {
    super(reason, message, options.position ?? -1);
    this.name = "V2gtpError";
    this.action = options.action ?? "close";
    this.payloadType = options.payloadType ?? -1;
    this.payloadLength = options.payloadLength ?? -1;
  }
}

export interface V2gtpHeader {
  payloadType: number;
  payloadLength: number;
}

export interface HeaderCheck {
  /** Largest payload accepted (bytes). */
  maxPayloadLength: number;
  /** Accepted payload types; undefined accepts every type in KNOWN_PAYLOAD_TYPES. */
  payloadTypes?: readonly number[];
}

/** Writes a header into `target` at `offset` (no allocation). */
export function writeHeader(target: Uint8Array, offset: number, payloadType: number, payloadLength: number): void {
  target[offset] = V2GTP_VERSION;
  target[offset + 1] = V2GTP_INVERSE_VERSION;
  target[offset + 2] = (payloadType >>> 8) & 0xff;
  target[offset + 3] = payloadType & 0xff;
  target[offset + 4] = (payloadLength >>> 24) & 0xff;
  target[offset + 5] = (payloadLength >>> 16) & 0xff;
  target[offset + 6] = (payloadLength >>> 8) & 0xff;
  target[offset + 7] = payloadLength & 0xff;
}

/** Header plus payload in one new buffer. */
export function frame(payloadType: number, payload: Uint8Array): Uint8Array {
  if (payloadType < 0 || payloadType > 0xffff) throw new RangeError(`payload type ${payloadType} out of range`);
  const out = new Uint8Array(V2GTP_HEADER_LENGTH + payload.length);
  writeHeader(out, 0, payloadType, payload.length);
  out.set(payload, V2GTP_HEADER_LENGTH);
  return out;
}

/**
 * Reads and checks the 8 header bytes at `offset` (the caller guarantees they are there).
 * Throws V2gtpError: version → "close"; unknown type or over-long payload → "skip".
 */
export function readHeader(bytes: Uint8Array, offset: number, check: HeaderCheck, position = offset): V2gtpHeader {
  if (bytes[offset] !== V2GTP_VERSION || bytes[offset + 1] !== V2GTP_INVERSE_VERSION) {
    throw new V2gtpError(
      "v2gtp-version",
      `version 0x${hex2(bytes[offset])}/0x${hex2(bytes[offset + 1])}, expected 0x01/0xfe`,
      { position, action: "close" },
    );
  }
  const payloadType = (bytes[offset + 2] << 8) | bytes[offset + 3];
  // >>> 0 keeps lengths of 2^31 and more positive
  const payloadLength =
    ((bytes[offset + 4] << 24) | (bytes[offset + 5] << 16) | (bytes[offset + 6] << 8) | bytes[offset + 7]) >>> 0;
  const accepted = check.payloadTypes ?? KNOWN_PAYLOAD_TYPES;
  if (accepted.indexOf(payloadType) < 0) {
    throw new V2gtpError("v2gtp-payload-type", `payload type ${payloadTypeName(payloadType)} not accepted`, {
      position: position + 2,
      action: "skip",
      payloadType,
      payloadLength,
    });
  }
  if (payloadLength > check.maxPayloadLength) {
    throw new V2gtpError("v2gtp-length", `payload of ${payloadLength} bytes exceeds the maximum ${check.maxPayloadLength}`, {
      position: position + 4,
      action: "skip",
      payloadType,
      payloadLength,
    });
  }
  return { payloadType, payloadLength };
}

/**
 * A whole V2GTP message in one buffer (a UDP datagram): checks the header and that the
 * payload length is exactly what follows it. Returns a view of the payload (no copy).
 */
export function unframe(
  datagram: Uint8Array,
  check: HeaderCheck,
): { payloadType: number; payload: Uint8Array } {
  if (datagram.length < V2GTP_HEADER_LENGTH) {
    throw new V2gtpError("v2gtp-truncated", `${datagram.length} bytes, shorter than a V2GTP header`, { position: 0 });
  }
  const header = readHeader(datagram, 0, check);
  const available = datagram.length - V2GTP_HEADER_LENGTH;
  if (available < header.payloadLength) {
    throw new V2gtpError("v2gtp-truncated", `header announces ${header.payloadLength} bytes, ${available} follow`, {
      position: datagram.length,
      payloadType: header.payloadType,
      payloadLength: header.payloadLength,
    });
  }
  if (available > header.payloadLength) {
    throw new V2gtpError("v2gtp-length", `header announces ${header.payloadLength} bytes, ${available} follow`, {
      position: V2GTP_HEADER_LENGTH + header.payloadLength,
      payloadType: header.payloadType,
      payloadLength: header.payloadLength,
    });
  }
  return {
    payloadType: header.payloadType,
    payload: datagram.subarray(V2GTP_HEADER_LENGTH, V2GTP_HEADER_LENGTH + header.payloadLength),
  };
}

function hex2(b: number | undefined): string {
  return b === undefined ? "??" : (b < 16 ? "0" : "") + b.toString(16);
}
