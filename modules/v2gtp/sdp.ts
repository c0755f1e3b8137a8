// SECC Discovery Protocol messages (ISO 15118-2 §7.10.1, DIN 70121 §8.x, ISO 15118-20 §7.10):
// V2GTP over UDP, port 15118, the vehicle asking on the link-local multicast group ff02::1.
//
//   request  (0x9000, 2 bytes):  Security, TransportProtocol
//   response (0x9001, 20 bytes): SECC IPv6 address (16), SECC port (2, big endian),
//                                Security, TransportProtocol
//   Security: 0x00 TLS, 0x10 no transport security. TransportProtocol: 0x00 TCP, 0x10 reserved (UDP).
//
// Confirmed in ../shared/captures: 115 requests (96 × 0x10 0x00, 19 × 0x00 0x00) and 115
// responses of 20 bytes (security 0x10 and 0x00 both seen, transport always 0x00).

import { V2GTP_HEADER_LENGTH, PayloadType, V2gtpError, frame, unframe } from "./header";
import { formatIpv6, parseIpv6 } from "./ipv6";
import { ImplementationError } from "../common/errors";

export const SDP_PORT = 15118;
export const SDP_MULTICAST_ADDRESS = "ff02::1";

export const SDP_SECURITY_TLS = 0x00;
export const SDP_SECURITY_NONE = 0x10;
export const SDP_TRANSPORT_TCP = 0x00;
export const SDP_TRANSPORT_UDP = 0x10;

export type SdpSecurity = "tls" | "none";
export type SdpTransport = "tcp" | "udp";

export interface SdpRequest {
  security: SdpSecurity;
  transport: SdpTransport;
  /** Present when the vehicle sent an Extended SDP request (see decodeSdpRequest). */
  extended?: ExtendedSdpRequest;
}

/**
 * "Extended SDP" version 1: a 0x9000 request longer than 2 bytes — ESDP version (2, 0x0001),
 * reserved (2), Security, TransportProtocol, charge-port inlet type (2), VIN (17 ASCII), then
 * TLVs (type 2, length 2, value). Not ISO 15118; the layout is the one ChargePoint's open
 * Wireshark dissector reads (SAE/CharIN field practice). We read it so that such a vehicle still
 * gets the standard answer; its fields are reported, not acted on.
 */
export interface ExtendedSdpRequest {
  version: number;
  inletType: number;
  vin: string;
  tlvs: { type: number; value: Uint8Array }[];
}

export interface SdpResponse {
  /** The charger's IPv6 address, RFC 5952 text without a zone. */
  address: string;
  port: number;
  security: SdpSecurity;
  transport: SdpTransport;
}

const REQUEST_LENGTH = 2;
const RESPONSE_LENGTH = 20;

export function securityByte(s: SdpSecurity): number {
  return s === "tls" ? SDP_SECURITY_TLS : SDP_SECURITY_NONE;
}

export function transportByte(t: SdpTransport): number {
  return t === "tcp" ? SDP_TRANSPORT_TCP : SDP_TRANSPORT_UDP;
}

/** Security byte → value; a reserved value is a V2gtpError at `position` (in the datagram). */
export function readSecurity(b: number, position: number): SdpSecurity {
  if (b === SDP_SECURITY_TLS) return "tls";
  if (b === SDP_SECURITY_NONE) return "none";
  throw new V2gtpError("sdp-payload", `reserved Security value 0x${b.toString(16)}`, { position });
}

export function readTransport(b: number, position: number): SdpTransport {
  if (b === SDP_TRANSPORT_TCP) return "tcp";
  if (b === SDP_TRANSPORT_UDP) return "udp";
  throw new V2gtpError("sdp-payload", `reserved TransportProtocol value 0x${b.toString(16)}`, { position });
}

/** The whole datagram (V2GTP header + 2 bytes). */
export function encodeSdpRequest(request: SdpRequest): Uint8Array {
  return frame(PayloadType.SDP_REQUEST, new Uint8Array([securityByte(request.security), transportByte(request.transport)]));
}

/** Checks header, payload type 0x9000 and length; throws V2gtpError on bad datagrams. */
export function decodeSdpRequest(datagram: Uint8Array): SdpRequest {
  const { payload } = unframe(datagram, { maxPayloadLength: 1024, payloadTypes: [PayloadType.SDP_REQUEST] });
  if (payload.length === REQUEST_LENGTH) {
    return {
      security: readSecurity(payload[0], V2GTP_HEADER_LENGTH),
      transport: readTransport(payload[1], V2GTP_HEADER_LENGTH + 1),
    };
  }
  if (payload.length >= ESDP_FIXED_LENGTH && payload[0] === 0 && payload[1] === 1) return decodeExtended(payload);
  throw new V2gtpError("sdp-payload", `SDP request of ${payload.length} bytes, expected ${REQUEST_LENGTH}`, {
    position: V2GTP_HEADER_LENGTH,
  });
}

/** ESDP v1 fixed part: version 2, reserved 2, security 1, transport 1, inlet type 2, VIN 17. */
const ESDP_FIXED_LENGTH = 25;

function decodeExtended(payload: Uint8Array): SdpRequest {
  const at = V2GTP_HEADER_LENGTH;
  const security = readSecurity(payload[4], at + 4);
  const transport = readTransport(payload[5], at + 5);
  let vin = "";
  for (let i = 8; i < 25; i++) vin += String.fromCharCode(payload[i]);
  const tlvs: { type: number; value: Uint8Array }[] = [];
  let o = ESDP_FIXED_LENGTH;
  while (o + 4 <= payload.length) {
    const type = (payload[o] << 8) | payload[o + 1];
    const length = (payload[o + 2] << 8) | payload[o + 3];
    if (o + 4 + length > payload.length) {
      throw new V2gtpError("sdp-payload", `Extended SDP TLV 0x${type.toString(16)} runs past the payload`, { position: at + o });
    }
    tlvs.push({ type, value: payload.slice(o + 4, o + 4 + length) });
    o += 4 + length;
  }
  if (o !== payload.length) throw new V2gtpError("sdp-payload", "Extended SDP: trailing bytes after the TLVs", { position: at + o });
  return {
    security,
    transport,
    extended: { version: 1, inletType: (payload[6] << 8) | payload[7], vin, tlvs },
  };
}

/** The whole datagram (V2GTP header + 20 bytes). Throws on API misuse (bad address or port). */
export function encodeSdpResponse(response: SdpResponse): Uint8Array {
  const payload = new Uint8Array(RESPONSE_LENGTH);
  writeSdpEndpoint(payload, response);
  return frame(PayloadType.SDP_RESPONSE, payload);
}

/** Bytes 1–20 of an SDP response (wired and wireless): address, port, Security, TransportProtocol. Throws on misuse. */
export function writeSdpEndpoint(payload: Uint8Array, response: SdpResponse): void {
  const address = parseIpv6(response.address);
  if (!address) throw new ImplementationError(`'${response.address}' is not an IPv6 address`);
  if (!(Number.isInteger(response.port) && response.port > 0 && response.port <= 0xffff)) {
    throw new ImplementationError(`port ${response.port} out of range`);
  }
  payload.set(address, 0);
  payload[16] = response.port >> 8;
  payload[17] = response.port & 0xff;
  payload[18] = securityByte(response.security);
  payload[19] = transportByte(response.transport);
}

/** Reads bytes 1–20 of an SDP response (wired and wireless); a port of 0 or reserved values are V2gtpErrors. */
export function readSdpEndpoint(payload: Uint8Array): SdpResponse {
  const port = (payload[16] << 8) | payload[17];
  if (port === 0) throw new V2gtpError("sdp-payload", "SDP response with port 0", { position: V2GTP_HEADER_LENGTH + 16 });
  return {
    address: formatIpv6(payload.subarray(0, 16)),
    port,
    security: readSecurity(payload[18], V2GTP_HEADER_LENGTH + 18),
    transport: readTransport(payload[19], V2GTP_HEADER_LENGTH + 19),
  };
}

export function decodeSdpResponse(datagram: Uint8Array): SdpResponse {
  const { payload } = unframe(datagram, { maxPayloadLength: 64, payloadTypes: [PayloadType.SDP_RESPONSE] });
  if (payload.length !== RESPONSE_LENGTH) {
    throw new V2gtpError("sdp-payload", `SDP response of ${payload.length} bytes, expected ${RESPONSE_LENGTH}`, {
      position: V2GTP_HEADER_LENGTH,
    });
  }
  return readSdpEndpoint(payload);
}
