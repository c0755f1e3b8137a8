// A DER reader (ITU-T X.690 §10, the distinguished encoding of BER) for X.509 certificates
// and ECDSA signatures. Parsing only, no cryptography. Strict: definite lengths in their
// shortest form, no indefinite length, no trailing bytes where a structure must end —
// a certificate is signed over its exact bytes, so a lenient parser would accept what the
// signature does not cover.

import { DecodeError } from "../common/errors";

export type DerErrorReason = "der-truncated" | "der-length" | "der-tag" | "der-unexpected" | "der-trailing" | "der-value";

export class DerError extends DecodeError<DerErrorReason> {
  constructor(reason: DerErrorReason, message: string, position: number) {
    super(reason, message, position);
    this.name = "DerError";
  }
}

/** Universal tags (X.690 §8.x; X.680 §8.6) the certificate profile uses. */
export const DerTag = Object.freeze({
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
});

/** One TLV: `tag` is the identifier octet (class, constructed bit and number < 31). */
export interface DerElement {
  tag: number;
  /** Offset of the identifier octet in the buffer the reader was given. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the element. */
  end: number;
  /** The content bytes (a view, no copy). */
  content: Uint8Array;
}

/** Reads consecutive TLVs from `bytes[offset, end)`. */
export class DerReader {
  readonly bytes: Uint8Array;
  #position: number;
  readonly #end: number;

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.bytes = bytes;
    this.#position = offset;
    this.#end = end;
  }

  get position(): number {
    return this.#position;
  }

  get done(): boolean {
    return this.#position >= this.#end;
  }

  /** The next element's tag without consuming it, or -1 at the end. */
  peekTag(): number {
    return this.done ? -1 : this.bytes[this.#position];
  }

  next(expectedTag?: number): DerElement {
    const start = this.#position;
    if (start >= this.#end) throw new DerError("der-truncated", "an element was expected", start);
    const tag = this.bytes[start];
    // High-tag-number form (number 31+) appears nowhere in X.509 as profiled here.
    if ((tag & 0x1f) === 0x1f) throw new DerError("der-tag", "high tag numbers are not supported", start);
    if (expectedTag !== undefined && tag !== expectedTag) {
      throw new DerError("der-unexpected", `tag 0x${tag.toString(16)} where 0x${expectedTag.toString(16)} was expected`, start);
    }
    let p = start + 1;
    if (p >= this.#end) throw new DerError("der-truncated", "no length octet", p);
    let length = this.bytes[p++];
    if (length & 0x80) {
      const count = length & 0x7f;
      // 0x80 is BER's indefinite length, forbidden in DER (X.690 §10.1); more than 4 octets cannot fit.
      if (count === 0 || count > 4) throw new DerError("der-length", "indefinite or oversized length", p - 1);
      if (p + count > this.#end) throw new DerError("der-truncated", "length octets cut off", p);
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + this.bytes[p++];
      // X.690 §10.1: the shortest form — long form only from 128, without leading zero octets.
      if (length < 0x80 || this.bytes[p - count] === 0) throw new DerError("der-length", "length not in its shortest form", p - count - 1);
    }
    if (p + length > this.#end) throw new DerError("der-truncated", `content of ${length} bytes runs past the end`, p);
    this.#position = p + length;
    return { tag, start, contentStart: p, end: p + length, content: this.bytes.subarray(p, p + length) };
  }

  /** The next element if it has `tag`, else undefined (for OPTIONAL and DEFAULT components). */
  optional(tag: number): DerElement | undefined {
    return this.peekTag() === tag ? this.next(tag) : undefined;
  }

  /** A reader over a constructed element's content. */
  static inside(element: DerElement, bytes: Uint8Array): DerReader {
    if (!(element.tag & 0x20)) throw new DerError("der-unexpected", "a constructed element was expected", element.start);
    return new DerReader(bytes, element.contentStart, element.end);
  }

  /** Throws unless every byte has been read. */
  finish(): void {
    if (this.#position !== this.#end) throw new DerError("der-trailing", "bytes after the last element", this.#position);
  }
}

/** The unsigned magnitude of a non-negative DER INTEGER, minimal-form checked (X.690 §8.3.2). */
export function derUnsignedInteger(element: DerElement): Uint8Array {
  const c = element.content;
  if (c.length === 0) throw new DerError("der-value", "empty INTEGER", element.start);
  if (c.length > 1 && ((c[0] === 0 && !(c[1] & 0x80)) || (c[0] === 0xff && c[1] & 0x80))) {
    throw new DerError("der-value", "INTEGER not in its shortest form", element.start);
  }
  if (c[0] & 0x80) throw new DerError("der-value", "negative INTEGER", element.start);
  return c[0] === 0 && c.length > 1 ? c.subarray(1) : c;
}

/** A small non-negative INTEGER (version, pathLenConstraint) as a number. */
export function derSmallInteger(element: DerElement): number {
  const magnitude = derUnsignedInteger(element);
  if (magnitude.length > 6) throw new DerError("der-value", "INTEGER too large", element.start);
  let value = 0;
  for (let i = 0; i < magnitude.length; i++) value = value * 256 + magnitude[i];
  return value;
}

/** A BIT STRING's bytes; X.509 keys and signatures use whole octets (no unused bits). */
export function derBitStringBytes(element: DerElement): Uint8Array {
  const c = element.content;
  if (c.length === 0 || c[0] !== 0) throw new DerError("der-value", "BIT STRING with unused bits", element.start);
  return c.subarray(1);
}

/** Dotted text of an OBJECT IDENTIFIER (X.690 §8.19). */
export function derOid(element: DerElement): string {
  const c = element.content;
  if (c.length === 0 || c[c.length - 1] & 0x80) throw new DerError("der-value", "malformed OBJECT IDENTIFIER", element.start);
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < c.length; i++) {
    if (value === 0 && c[i] === 0x80) throw new DerError("der-value", "OID arc with a leading zero octet", element.start + i);
    value = value * 128 + (c[i] & 0x7f);
    if (value > 0x1fffffffffff) throw new DerError("der-value", "OID arc too large", element.start + i);
    if (!(c[i] & 0x80)) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - first * 40);
      } else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join(".");
}

/** An ECDSA-Sig-Value (RFC 5480 §2.2 / SEC 1) DER → raw r‖s, each left-padded to `fieldBytes`. */
export function ecdsaSignatureFromDer(der: Uint8Array, fieldBytes: number): Uint8Array {
  const outer = new DerReader(der);
  const sequence = outer.next(DerTag.SEQUENCE);
  outer.finish();
  const inner = DerReader.inside(sequence, der);
  const r = derUnsignedInteger(inner.next(DerTag.INTEGER));
  const s = derUnsignedInteger(inner.next(DerTag.INTEGER));
  inner.finish();
  if (r.length > fieldBytes || s.length > fieldBytes) throw new DerError("der-value", "r or s longer than the field", 0);
  const raw = new Uint8Array(2 * fieldBytes);
  raw.set(r, fieldBytes - r.length);
  raw.set(s, 2 * fieldBytes - s.length);
  return raw;
}
