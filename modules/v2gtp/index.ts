// V2GTP and what runs on it before the session: framing, reassembly, SDP, the SAP handshake.
export * from "./header";
export { V2gtpReassembler, DEFAULT_MAX_PAYLOAD_LENGTH } from "./reassembler";
export type { ReassemblerOptions } from "./reassembler";
export { V2gtpConnection } from "./connection";
export type { V2gtpConnectionOptions, V2gtpMessage, V2gtpCloseReason, PayloadEncoder } from "./connection";
export * from "./sdp";
export * from "./sdp-wireless";
export { SdpServer, chooseSdpResponse } from "./sdp-server";
export type { SdpServerOptions, SdpWirelessOffer } from "./sdp-server";
export { SdpClient, SdpClientError, SDP_RETRY_INTERVAL, SDP_MAX_ATTEMPTS } from "./sdp-client";
export type { SdpClientOptions, SdpResult, SdpClientErrorReason, SdpWirelessRequest } from "./sdp-client";
export * from "./sap";
export { parseIpv6, formatIpv6, splitZone, isLinkLocal } from "./ipv6";
