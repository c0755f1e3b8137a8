// SLAC (ISO 15118-3): HomePlug GP management frames, the EV and EVSE matching state machines,
// the HomePlug AV key derivation, and the QCA7000 SPI driver. What other layers use.
export { decodeHomePlugFrame, encodeHomePlugFrame, isType, MAC_BROADCAST, MAC_LOCAL_MODEM } from "./frame";
export type { HomePlugFrame, SlacMessage, OtherMessage, MmeHeader, MmeFmi, EncodeOptions } from "./frame";
export type * from "./messages";
export { mmtypeName, mmtypeOf, ETHERTYPE_HOMEPLUG, OUI_QUALCOMM } from "./mmtypes";
export { SlacDecodeError } from "./errors";
export type { SlacDecodeReason } from "./errors";
