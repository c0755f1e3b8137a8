// DER encoding (X.690 §10) of the few ASN.1 types a certificate needs, for the test PKI
// generator. Each function returns a complete TLV; constructed types take their children's TLVs.

import { derLengthOctets } from "../../../simulation/pki/der-writer";
import { concatBytes as concat } from "../../../modules/common/bytes";


export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return concat([Uint8Array.from([tag, ...derLengthOctets(content.length)]), content]);
}

export const sequence = (...children: Uint8Array[]) => tlv(0x30, concat(children));
export const set = (...children: Uint8Array[]) => tlv(0x31, concat(children));
/** Context-specific constructed [n] (EXPLICIT tagging). */
export const explicit = (n: number, child: Uint8Array) => tlv(0xa0 | n, child);
export const octetString = (bytes: Uint8Array) => tlv(0x04, bytes);
export const bitString = (bytes: Uint8Array) => tlv(0x03, concat([Uint8Array.of(0), bytes]));
export const booleanTrue = () => tlv(0x01, Uint8Array.of(0xff));

/** A non-negative INTEGER from its big-endian magnitude (minimal form). */
export function unsignedInteger(magnitude: Uint8Array | number): Uint8Array {
  let bytes: number[];
  if (typeof magnitude === "number") {
    bytes = [];
    for (let v = magnitude; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  } else bytes = Array.from(magnitude);
  while (bytes.length > 1 && bytes[0] === 0) bytes.shift();
  if (bytes.length === 0) bytes = [0];
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const out: number[] = [];
  const push = (value: number) => {
    const group: number[] = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) group.unshift(0x80 | (v & 0x7f));
    out.push(...group);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(0x06, Uint8Array.from(out));
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
export const printableString = (text: string) => tlv(0x13, ascii(text));
export const ia5String = (text: string) => tlv(0x16, ascii(text));
export const utf8String = (text: string) => tlv(0x0c, new TextEncoder().encode(text));

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; seconds, Z. */
export function time(secondsSince1970: number): Uint8Array {
  const d = new Date(secondsSince1970 * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  const year = d.getUTCFullYear();
  return year < 2050 ? tlv(0x17, ascii(`${two(year % 100)}${rest}`)) : tlv(0x18, ascii(`${year}${rest}`));
}

export { concat };
