// Undeclared (second-level) productions of the non-strict schema-informed grammars, EXI 1.0
// §8.5.4.4.1, as the V2G profile uses them (bit-packed, no preserve options, not
// self-contained: ER, CM, PI, NS and SC are pruned, §8.3). Every stream here is built bit by
// bit from the specification's rules, each event code commented with its clause; no second
// EXI implementation runs here (EXIficient is Java; npm's exificient.js needs its own grammar
// files), so the derivation is the reference.
//
// The second level of a schema-informed element grammar state, in this order:
//   start tag (Element_i,j with 0 ≤ j ≤ content):
//     EE (only when the state has none) · AT(xsi:type) · AT(xsi:nil) (these two in Element_i,0
//     only) · AT(*) · AT(qname_k)[untyped] / AT(*)[untyped] (third level: the state's declared
//     attributes, then *) · SE(*) → content2 · CH[untyped] → content2
//   element content (j > content) and content2:
//     EE (only when the state has none) · SE(*) · CH[untyped]
// The first level has one more code than the state's declared productions: the escape (n).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decode, encode, ExiError } from "../../modules/exi/index";
import { fromXmlTree, toXmlTree } from "../../tools/exi-xml/convert";
import { parseXml, serializeXml } from "../../tools/exi-xml/xml";
import { fromHex, toHex } from "../../modules/common/index";
import { valuesEqual } from "../support/exi-check";
import { Bits, DS, SIG, VECTORS, XS } from "../support/exi-undeclared";

const XSI = "http://www.w3.org/2001/XMLSchema-instance";

describe("undeclared (second-level) productions, EXI 1.0 §8.5.4.4.1", () => {
  for (const v of VECTORS) {
    test(`${v.name}: decodes, and encodes back to the same bytes`, () => {
      const bytes = v.bits.bytes();
      const doc = decode("xmldsig", bytes);
      assert.ok(valuesEqual(doc, v.doc), `${JSON.stringify(doc, (_k, x) => (x instanceof Uint8Array ? toHex(x) : x))}`);
      assert.equal(toHex(encode("xmldsig", doc)), toHex(bytes));
    });
    test(`${v.name}: the XML form carries it`, () => {
      const tree = toXmlTree("xmldsig", v.doc);
      const text = serializeXml(tree);
      const back = fromXmlTree("xmldsig", parseXml(text));
      const bytes = encode("xmldsig", back);
      if (v.xmlEncodesOtherwise) assert.equal(serializeXml(toXmlTree("xmldsig", decode("xmldsig", bytes))), text);
      else assert.equal(toHex(bytes), toHex(v.bits.bytes()), text);
    });
  }

  test("the XML of an xsi:type and an xsi:nil element", () => {
    assert.equal(serializeXml(toXmlTree("xmldsig", { RSAKeyValue: { $type: { ns: DS, name: "DSAKeyValueType" }, Y: SIG } })), `<ds:RSAKeyValue xmlns:ds="${DS}" xmlns:xsi="${XSI}" xsi:type="ds:DSAKeyValueType"><ds:Y>obI=</ds:Y></ds:RSAKeyValue>`);
    assert.equal(serializeXml(toXmlTree("xmldsig", { SignatureValue: { $nil: true } })), `<ds:SignatureValue xmlns:ds="${DS}" xmlns:xsi="${XSI}" xsi:nil="true"/>`);
  });

  test("the field case inside an ISO-2 message: an empty ds:SignatureValue in the header's signature", () => {
    const signature = {
      SignedInfo: { CanonicalizationMethod: { Algorithm: "http://www.w3.org/TR/canonical-exi/" }, SignatureMethod: { Algorithm: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" }, Reference: [{ URI: "#id1", DigestMethod: { Algorithm: "http://www.w3.org/2001/04/xmlenc#sha256" }, DigestValue: SIG }] },
      SignatureValue: { $content: [] },
    };
    const doc = { V2G_Message: { Header: { SessionID: fromHex("0102030405060708")!, Signature: signature }, Body: { AuthorizationReq: { Id: "id1", GenChallenge: fromHex("00112233445566778899aabbccddeeff")! } } } };
    const bytes = encode("iso2", doc);
    const back = decode("iso2", bytes) as typeof doc;
    assert.deepEqual(back.V2G_Message.Header.Signature.SignatureValue, { $content: [] });
    assert.equal(toHex(encode("iso2", back)), toHex(bytes));
    // the same message with a typed empty value (CH "" EE) is 1 bit + 1 octet longer in that place: different bytes
    const typed = { ...signature, SignatureValue: { $value: new Uint8Array(0) } };
    assert.notEqual(toHex(encode("iso2", { V2G_Message: { ...doc.V2G_Message, Header: { ...doc.V2G_Message.Header, Signature: typed } } })), toHex(bytes));
  });

  test("our own messages never take the second level unless the object asks for it", () => {
    // a missing required child or value stays an encode error (a bug of ours must not reach the wire)
    for (const doc of [{ RSAKeyValue: { Modulus: SIG } }, { SignatureValue: {} }, { SignatureValue: { Id: "a" } }]) {
      assert.throws(() => encode("xmldsig", doc), (e: unknown) => e instanceof ExiError && e.reason === "exi-encode", JSON.stringify(doc));
    }
  });

  test("xsi:type and xsi:nil after another attribute, or twice, are refused (they come first, §8.5.4.4.1)", () => {
    const twice = new Bits().root("SignatureValue").code(2, 2).code(2, 3).code(0, 1).code(2, 2).code(2, 3).code(0, 1).code(1, 2).bin(SIG).code(0, 1);
    assert.throws(() => decode("xmldsig", twice.bytes()), (e: unknown) => e instanceof ExiError && e.reason === "exi-event-code");
    const late = new Bits().root("SignatureValue").code(2, 2).code(3, 3).qname("", "foo").str("x").code(2, 2).code(1, 3).qname(XS, "base64Binary").code(0, 1).bin(SIG).code(0, 1);
    assert.throws(() => decode("xmldsig", late.bytes()), (e: unknown) => e instanceof ExiError && e.reason === "exi-event-code");
  });

  test("xsi:type naming a built-in type the codec has no representation for is refused, not misread", () => {
    const bits = new Bits().root("SignatureValue").code(2, 2).code(1, 3).qname(XS, "dateTime").code(0, 1);
    assert.throws(() => decode("xmldsig", bits.bytes()), (e: unknown) => e instanceof ExiError && e.reason === "exi-event-code");
  });
});
