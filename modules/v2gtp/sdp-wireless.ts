// SECC Discovery for wireless communication (ISO 15118-20 §7.10.1.8–7.10.1.10): what a vehicle
// on WLAN (ISO 15118-8: WPT, ACDP) sends instead of the 2-byte request, and what the charger
// answers. Its own payload types, SDPRequestWirelessPayloadID 0x9002 and
// SDPResponseWirelessPayloadID 0x9003 (-20 Table 14): a wireless client sends and accepts only
// these, a wireless server accepts and answers only these ([V2G20-2277]–[V2G20-2280]).
//
//   request  (0x9002, 62 bytes, -20 Table 22): Security (1), TransportProtocol (1), P2PS/PPD (2),
//            CouplingType (1), EVID (bytes 6–25: 20), EVSEID (bytes 26–62: 37)
//   response (0x9003, 59 bytes, -20 Table 26, [V2G20-2294] "starts with byte 1 and ends with
//            byte 59"): SECC IP address (16), SECC port (2), Security (1), TransportProtocol (1),
//            DiagStatus (1), CouplingType (1), EVSEID (bytes 23–59: 37)
//
// The -20 text read here gives the byte layout but not Tables 23, 24 and 27 (the P2PS/PPD bits,
// the CouplingType codes, the DiagStatus codes). Those values follow dSPACE's dsV2Gshark
// dissector (2025), the one public reader of these messages that agrees with itself; the
// EVerest libiso15118 ACDP fork (cienporcien) agrees on DiagStatus but puts the P2PS/PPD bits in
// the second byte and numbers the coupling types differently (and sizes the ids 36, not 37).
// So: we send the flags in the first byte (dsV2Gshark) and read them from either byte; an
// unknown coupling type is carried as its number. Identifiers are ASCII, left-aligned, padded
// with 0x00 (the padding is not in what was read; dsV2Gshark shows the field as a C string).

import { V2GTP_HEADER_LENGTH, PayloadType, V2gtpError, frame, unframe } from "./header";
import { ImplementationError } from "../common/errors";
import { readSdpEndpoint, readSecurity, readTransport, securityByte, transportByte, writeSdpEndpoint } from "./sdp";
import type { SdpResponse, SdpSecurity, SdpTransport } from "./sdp";

export const WIRELESS_REQUEST_LENGTH = 62;
export const WIRELESS_RESPONSE_LENGTH = 59;
export const EVID_LENGTH = 20;
export const WIRELESS_EVSEID_LENGTH = 37;

/** The EVID a vehicle sends when it has none to give (EVerest's ACDP fork cites [V2G20-2281]). */
export const UNKNOWN_EVID = "ZZ00000";

/**
 * P2PS/PPD (bytes 3–4): how the vehicle can be paired and positioned — a pairing and
 * positioning device (PPD) on the infrastructure or on the EV, WPT's LF positioning on either
 * side, a camera on the EV, ACD-U infrared, directed WLAN. Bit values as dsV2Gshark reads the
 * field (a big-endian 16-bit value).
 */
export const P2psPpd = Object.freeze({
  PPD_ON_INFRASTRUCTURE: 0x0100,
  PPD_ON_EV: 0x0200,
  WPT_LF_ON_INFRASTRUCTURE: 0x0400,
  WPT_LF_ON_EV: 0x0800,
  WPT_CAM_ON_EV: 0x1000,
  ACD_U_INFRARED: 0x2000,
  ACD_DIRECTED_WLAN: 0x4000,
});

/** CouplingType (byte 5 of the request, 22 of the response): the charger's kind of coupling (dsV2Gshark's table). */
export const CouplingType = Object.freeze({
  /** EN 50696:2021 Annex A.2: infrastructure-mounted inverted pantograph, cross rail contacts. */
  PANTOGRAPH_CROSS_RAIL: 0x00,
  /** EN 50696:2021 Annex A.3: infrastructure-mounted inverted pantograph, in-line contacts. */
  PANTOGRAPH_IN_LINE: 0x01,
  /** EN 50696:2021 Annex A.4: infrastructure-mounted pantograph, contact dome. */
  PANTOGRAPH_DOME: 0x02,
  /** EN 50696:2021 Annex B: EV-mounted pantograph. */
  EV_MOUNTED_PANTOGRAPH: 0x03,
  /** EN 50696:2021 Annex C: ACD underneath the EV. */
  UNDERBODY: 0x04,
  /** EN 50696:2021 Annex D: ACD on the infrastructure, to the side or roof of the EV. */
  SIDE_OR_ROOF: 0x05,
  WPT: 0x10,
  ACD_U_INFRASTRUCTURE: 0x20,
  ACD_U_EV: 0x21,
  ACD_S: 0x30,
  CONDUCTIVE_MANUAL: 0x40,
  NOT_APPLICABLE: 0xff,
});

/** DiagStatus (byte 21 of the response). */
export type WirelessDiagStatus = "ongoing" | "finished-with-evseid" | "finished-without-evseid" | "error-no-secc";

const DIAG_CODES: Readonly<Record<WirelessDiagStatus, number>> = Object.freeze({
  ongoing: 0x00,
  "finished-with-evseid": 0x01,
  "finished-without-evseid": 0x02,
  "error-no-secc": 0x10,
});

export interface WirelessSdpRequest {
  security: SdpSecurity;
  transport: SdpTransport;
  /** P2PS/PPD bits (P2psPpd). */
  p2psPpd: number;
  couplingType: number;
  /** The vehicle's identifier (up to 20 ASCII characters; UNKNOWN_EVID when it gives none). */
  evid: string;
  /** The EVSE the vehicle asks for, when it already knows it ("" otherwise). */
  evseId: string;
}

export interface WirelessSdpResponse extends SdpResponse {
  diagStatus: WirelessDiagStatus;
  couplingType: number;
  /** The charger's EVSEID ("" when it sends none). */
  evseId: string;
}

function invalid(message: string, offset: number): V2gtpError {
  return new V2gtpError("sdp-payload", message, { position: V2GTP_HEADER_LENGTH + offset });
}

/** Writes `text` as ASCII into `length` bytes at `offset`, 0x00-padded. Throws on misuse (too long, not ASCII). */
function writeId(out: Uint8Array, offset: number, length: number, text: string, field: string): void {
  if (text.length > length) throw new ImplementationError(`${field} '${text}' is longer than ${length} characters`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new ImplementationError(`${field} '${text}' is not printable ASCII`);
    out[offset + i] = c;
  }
}

/** Reads an ASCII identifier: up to the first 0x00 (the rest must be padding); other control or non-ASCII bytes are an error. */
function readId(payload: Uint8Array, offset: number, length: number, field: string): string {
  let text = "";
  let end = length;
  for (let i = 0; i < length; i++) {
    const c = payload[offset + i];
    if (c === 0) {
      end = i;
      break;
    }
    if (c < 0x20 || c > 0x7e) throw invalid(`${field}: byte 0x${c.toString(16)} is not printable ASCII`, offset + i);
    text += String.fromCharCode(c);
  }
  for (let i = end; i < length; i++) if (payload[offset + i] !== 0) throw invalid(`${field}: data after its end`, offset + i);
  return text.trim();
}

/**
 * P2PS/PPD as a 16-bit value with the flags where dsV2Gshark reads them; a peer that put them in
 * the second byte (EVerest's ACDP fork) is read the same way.
 */
function readP2psPpd(high: number, low: number): number {
  return high === 0 && low !== 0 ? low << 8 : (high << 8) | low;
}

/** The whole datagram (header + 62 bytes). Throws ImplementationError on misuse (ids too long or not ASCII). */
export function encodeWirelessSdpRequest(request: WirelessSdpRequest): Uint8Array {
  const payload = new Uint8Array(WIRELESS_REQUEST_LENGTH);
  payload[0] = securityByte(request.security);
  payload[1] = transportByte(request.transport);
  payload[2] = (request.p2psPpd >> 8) & 0xff;
  payload[3] = request.p2psPpd & 0xff;
  payload[4] = request.couplingType & 0xff;
  writeId(payload, 5, EVID_LENGTH, request.evid === "" ? UNKNOWN_EVID : request.evid, "EVID");
  writeId(payload, 25, WIRELESS_EVSEID_LENGTH, request.evseId, "EVSEID");
  return frame(PayloadType.SDP_REQUEST_WIRELESS, payload);
}

/** Checks header, payload type 0x9002, length and fields; throws V2gtpError on a bad datagram. */
export function decodeWirelessSdpRequest(datagram: Uint8Array): WirelessSdpRequest {
  const { payload } = unframe(datagram, { maxPayloadLength: 1024, payloadTypes: [PayloadType.SDP_REQUEST_WIRELESS] });
  if (payload.length !== WIRELESS_REQUEST_LENGTH) throw invalid(`wireless SDP request of ${payload.length} bytes, expected ${WIRELESS_REQUEST_LENGTH}`, 0);
  return {
    security: readSecurity(payload[0], V2GTP_HEADER_LENGTH),
    transport: readTransport(payload[1], V2GTP_HEADER_LENGTH + 1),
    p2psPpd: readP2psPpd(payload[2], payload[3]),
    couplingType: payload[4],
    evid: readId(payload, 5, EVID_LENGTH, "EVID"),
    evseId: readId(payload, 25, WIRELESS_EVSEID_LENGTH, "EVSEID"),
  };
}

/** The whole datagram (header + 59 bytes). Throws ImplementationError on misuse (bad address, port, EVSEID). */
export function encodeWirelessSdpResponse(response: WirelessSdpResponse): Uint8Array {
  const payload = new Uint8Array(WIRELESS_RESPONSE_LENGTH);
  writeSdpEndpoint(payload, response);
  payload[20] = DIAG_CODES[response.diagStatus];
  payload[21] = response.couplingType & 0xff;
  writeId(payload, 22, WIRELESS_EVSEID_LENGTH, response.evseId, "EVSEID");
  return frame(PayloadType.SDP_RESPONSE_WIRELESS, payload);
}

function readDiagStatus(b: number): WirelessDiagStatus {
  for (const k of Object.keys(DIAG_CODES) as WirelessDiagStatus[]) if (DIAG_CODES[k] === b) return k;
  throw invalid(`unknown DiagStatus 0x${b.toString(16)}`, 20);
}

/** Checks header, payload type 0x9003, length and fields; throws V2gtpError on a bad datagram. */
export function decodeWirelessSdpResponse(datagram: Uint8Array): WirelessSdpResponse {
  const { payload } = unframe(datagram, { maxPayloadLength: 1024, payloadTypes: [PayloadType.SDP_RESPONSE_WIRELESS] });
  if (payload.length !== WIRELESS_RESPONSE_LENGTH) throw invalid(`wireless SDP response of ${payload.length} bytes, expected ${WIRELESS_RESPONSE_LENGTH}`, 0);
  return {
    ...readSdpEndpoint(payload),
    diagStatus: readDiagStatus(payload[20]),
    couplingType: payload[21],
    evseId: readId(payload, 22, WIRELESS_EVSEID_LENGTH, "EVSEID"),
  };
}
