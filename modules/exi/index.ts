// Schema-informed EXI codec (W3C EXI 1.0, the ISO 15118 profile: bit-packed, non-strict
// schema-informed grammars, no string-table value hits emitted). Grammar tables are generated
// from the XSDs by tools/exigen into ./generated/<schema>/.
//
// Message objects follow docs/CONVENTIONS.md: `{ <rootElementLocalName>: content }`.

import { DecodeError } from "../common/errors";
import type { XmlElement } from "./xml-tree";

export type { XmlElement, XmlAttribute } from "./xml-tree";

export type SchemaId =
  | "apphand"
  | "din"
  | "iso2"
  | "iso20-cm"
  | "iso20-dc"
  | "iso20-ac"
  | "iso20-wpt"
  | "iso20-acdp"
  | "xmldsig";

export type ExiErrorReason =
  | "exi-header" // not 0x80
  | "exi-eof" // ran out of bits
  | "exi-event-code" // an event code the grammar does not offer (or an undeclared event we do not support)
  | "exi-value" // a value outside its type (enum index, bad length, bad UTF-8 code point…)
  | "exi-limit" // a hard limit (string/binary length, nesting, element count) exceeded
  | "exi-encode"; // encode: the message object does not fit the schema

/** Malformed EXI input (or, from encode, a message that does not fit the schema). `position` is the bit position. */
export class ExiError extends DecodeError<ExiErrorReason> {
  constructor(reason: ExiErrorReason, message?: string, position = -1) {
    super(reason, message, position);
    this.name = "ExiError";
  }
}

export const SCHEMA_IDS: readonly SchemaId[] = ["apphand", "din", "iso2", "iso20-cm", "iso20-dc", "iso20-ac", "iso20-wpt", "iso20-acdp", "xmldsig"];

function notYet(): never {
  throw new ExiError("exi-encode", "codec not generated yet");
}

/** Encodes a full EXI stream (header byte 0x80). */
export function encode(schema: SchemaId, doc: object): Uint8Array {
  void schema; void doc; return notYet();
}

/** Decodes a full EXI stream. Throws only ExiError. */
export function decode(schema: SchemaId, bytes: Uint8Array): object {
  void schema; void bytes; return notYet();
}

/** Encodes an EXI fragment (for signatures: SignedInfo, the signed body element…). */
export function encodeFragment(schema: SchemaId, doc: object): Uint8Array {
  void schema; void doc; return notYet();
}

export function decodeFragment(schema: SchemaId, bytes: Uint8Array): object {
  void schema; void bytes; return notYet();
}

/** Message object → neutral XML tree (for printing the standard's XML). */
export function toXmlTree(schema: SchemaId, doc: object): XmlElement {
  void schema; void doc; return notYet();
}

/** Neutral XML tree (the standard's XML) → message object, using the schema's types. */
export function fromXmlTree(schema: SchemaId, tree: XmlElement, options?: { fragment?: boolean }): object {
  void schema; void tree; void options; return notYet();
}
