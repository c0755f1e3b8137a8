// SLAC (ISO 15118-3): HomePlug GP management frames, the EV and EVSE matching state machines,
// the HomePlug AV key derivation, and the QCA7000 SPI driver. What other layers use.
export { decodeHomePlugFrame, encodeHomePlugFrame, isType, MAC_BROADCAST, MAC_LOCAL_MODEM } from "./frame";
export type { HomePlugFrame, SlacMessage, OtherMessage, MmeHeader, MmeFmi, EncodeOptions } from "./frame";
export type * from "./messages";
export { mmtypeName, mmtypeOf, ETHERTYPE_HOMEPLUG, OUI_QUALCOMM } from "./mmtypes";
export { SlacDecodeError } from "./errors";
export type { SlacDecodeReason } from "./errors";
export { SlacEvse } from "./evse";
export type { SlacEvseOptions, SlacEvseState, SlacEvseFailReason, SlacEvseSessionPhase, SlacMatchInfo } from "./evse";
export { SlacEv } from "./ev";
export type { SlacEvOptions, SlacEvState, SlacEvFailReason, SlacEvCandidate, SlacEvMatchInfo } from "./ev";
export { deriveNid, newNetworkKey, NMK_LENGTH, NID_LENGTH } from "./keys";
export { MmeChannel, isHomePlugFrame } from "./channel";
export type { EthernetLinkClass, LinkSpec, ChannelHandlers } from "./channel";
export { ModemControl } from "./modem";
export type { ModemOptions, LinkCheck } from "./modem";
export * as SlacTiming from "./timing";
