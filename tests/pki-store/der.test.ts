// The DER reader (modules/pki-store/der.ts): strict X.690 §10 rules, and the ECDSA signature
// conversion between DER (X.509, OpenSSL) and raw r‖s (V2G messages).

import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../../modules/common/bytes";
import { DerError, DerReader, DerTag, derOid, derSmallInteger, derUnsignedInteger, ecdsaSignatureFromDer } from "../../modules/pki-store/index";
import { ecdsaSignatureToDer } from "../../simulation/pki/der-writer";

const hex = (text: string) => fromHex(text.replace(/\s+/g, ""))!;

function reason(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DerError) return error.reason;
    throw error;
  }
  return "accepted";
}

test("reads nested TLVs with short and long lengths", () => {
  const content = new Uint8Array(200).fill(0x41);
  const bytes = new Uint8Array([0x30, 0x81, 0xce, 0x02, 0x01, 0x05, 0x04, 0x81, 0xc8, ...content]);
  const outer = new DerReader(bytes);
  const sequence = outer.next(DerTag.SEQUENCE);
  outer.finish();
  const inner = DerReader.inside(sequence, bytes);
  assert.equal(derSmallInteger(inner.next(DerTag.INTEGER)), 5);
  assert.equal(inner.peekTag(), DerTag.OCTET_STRING);
  assert.equal(inner.optional(DerTag.BOOLEAN), undefined);
  assert.deepEqual(inner.next(DerTag.OCTET_STRING).content, content);
  inner.finish();
  assert.equal(inner.peekTag(), -1);
});

test("refuses what DER forbids or what does not fit", () => {
  assert.equal(reason(() => new DerReader(hex("3080 0000")).next()), "der-length"); // indefinite length
  assert.equal(reason(() => new DerReader(hex("04 81 05 0102030405")).next()), "der-length"); // long form below 128
  assert.equal(reason(() => new DerReader(hex("04 82 0005 0102030405")).next()), "der-length"); // leading zero length octet
  assert.equal(reason(() => new DerReader(hex("04 05 0102")).next()), "der-truncated");
  assert.equal(reason(() => new DerReader(hex("04")).next()), "der-truncated");
  assert.equal(reason(() => new DerReader(hex("04 85 0000000001 00")).next()), "der-length"); // 5 length octets
  assert.equal(reason(() => new DerReader(hex("1f 01 00")).next()), "der-tag");
  assert.equal(reason(() => new DerReader(hex("02 01 00")).next(DerTag.SEQUENCE)), "der-unexpected");
  assert.equal(reason(() => new DerReader(hex("05 00 05 00")).finish()), "der-trailing");
  assert.equal(reason(() => derUnsignedInteger(new DerReader(hex("02 02 007f")).next())), "der-value"); // non-minimal
  assert.equal(reason(() => derUnsignedInteger(new DerReader(hex("02 01 80")).next())), "der-value"); // negative
  assert.equal(reason(() => derUnsignedInteger(new DerReader(hex("02 00")).next())), "der-value");
});

test("object identifiers: id-ecPublicKey, ecdsa-with-SHA256, secp521r1, id-Ed448", () => {
  const oid = (text: string) => derOid(new DerReader(hex(text)).next(DerTag.OID));
  assert.equal(oid("06 07 2a8648ce3d0201"), "1.2.840.10045.2.1");
  assert.equal(oid("06 08 2a8648ce3d040302"), "1.2.840.10045.4.3.2");
  assert.equal(oid("06 05 2b81040023"), "1.3.132.0.35");
  assert.equal(oid("06 03 2b6571"), "1.3.101.113");
  assert.equal(reason(() => oid("06 02 2a86")), "der-value"); // last octet continues
  assert.equal(reason(() => oid("06 03 2a8001")), "der-value"); // arc with a leading 0x80
});

test("ECDSA signatures: DER ⇄ raw r‖s, with short r/s padded and high bits given a zero octet", () => {
  const raw = new Uint8Array(64);
  raw[31] = 0x7f; // r = 0x7f
  raw.fill(0xff, 32); // s = 2^256 - 1 (high bit set)
  const der = ecdsaSignatureToDer(raw);
  assert.equal(toHex(der), `3026 0201 7f 0221 00${"ff".repeat(32)}`.replace(/\s+/g, ""));
  assert.deepEqual(ecdsaSignatureFromDer(der, 32), raw);
  // P-521: the signature SEQUENCE exceeds 127 bytes, so its length takes the long form.
  const raw521 = new Uint8Array(132).fill(0x01);
  const der521 = ecdsaSignatureToDer(raw521);
  assert.equal(der521[1], 0x81);
  assert.deepEqual(ecdsaSignatureFromDer(der521, 66), raw521);
  assert.equal(reason(() => ecdsaSignatureFromDer(der, 31)), "der-value"); // s longer than the field
  assert.equal(reason(() => ecdsaSignatureFromDer(new Uint8Array([...der, 0]), 32)), "der-trailing");
});
