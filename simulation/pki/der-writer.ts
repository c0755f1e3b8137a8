// DER writing (X.690 §10) that only the simulated PKI, the OTA test server and the tests need:
// the device reads DER (modules/pki-store/der.ts) and signs raw r‖s (XML signatures), so the
// writing side stays out of the core. Portable: tests run it in XS too.

import { DerError, DerTag } from "../../modules/pki-store/der";

/** The length octets of a TLV (X.690 §10.1: the shortest form). */
export function derLengthOctets(length: number): number[] {
  if (length < 0x80) return [length];
  const octets: number[] = [];
  for (let v = length; v > 0; v = Math.floor(v / 256)) octets.unshift(v & 0xff);
  return [0x80 | octets.length, ...octets];
}

function derIntegerFromMagnitude(magnitude: Uint8Array): number[] {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const body = Array.from(magnitude.subarray(i));
  if (body[0] & 0x80) body.unshift(0);
  return [DerTag.INTEGER, ...derLengthOctets(body.length), ...body];
}

/** Raw r‖s → ECDSA-Sig-Value DER (for X.509 signatures and OpenSSL). */
export function ecdsaSignatureToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new DerError("der-value", "a raw ECDSA signature has two equal halves", 0);
  const half = raw.length / 2;
  const body = [...derIntegerFromMagnitude(raw.subarray(0, half)), ...derIntegerFromMagnitude(raw.subarray(half))];
  return new Uint8Array([DerTag.SEQUENCE, ...derLengthOctets(body.length), ...body]);
}
