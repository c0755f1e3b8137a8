import { DecodeError } from "../common/errors";

export type ExiErrorReason =
  | "exi-header" // first byte is not 0x80
  | "exi-eof" // ran out of bits
  | "exi-event-code" // an event code the grammar does not offer (or an undeclared production in a position EXI 1.0 forbids)
  | "exi-value" // a value outside its representation (enum index, code point, integer size…)
  | "exi-limit" // a hard limit (modules/exi/limits.ts) was exceeded
  | "exi-facet" // a value breaks its schema facet (length, minLength, maxLength, minInclusive, maxInclusive)
  | "exi-name" // a qname read from the stream is not an XML name (local name not an NCName, URI with characters XML forbids)
  | "exi-encode"; // encode: the message object does not fit the schema

/** Malformed EXI input (or, from encode, a message object that does not fit the schema). `position` is the bit position. */
export class ExiError extends DecodeError<ExiErrorReason> {
  constructor(reason: ExiErrorReason, message?: string, position = -1) {
    super(reason, message, position);
    this.name = "ExiError";
  }
}
