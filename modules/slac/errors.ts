// Typed errors of the SLAC layer: frame decoding and QCA7000 SPI faults.
import { DecodeError } from "../common/errors";

export type SlacDecodeReason =
  | "not-homeplug" // ethertype is not 0x88E1
  | "truncated" // shorter than the fields its MMTYPE requires
  | "mmv" // management message version we do not know
  | "qca-framing"; // QCA7000 SPI framing error (bad start/end of frame, length out of range)

export class SlacDecodeError extends DecodeError<SlacDecodeReason> {
  constructor(reason: SlacDecodeReason, message?: string, position = -1) {
    super(reason, message, position);
    this.name = "SlacDecodeError";
  }
}
