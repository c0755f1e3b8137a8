// Qnames read from the stream (SE(*), AT(*), xsi:type) must be XML names: a local name is an
// NCName (XML 1.0 5th ed. §2.3, Namespaces in XML 1.0 §3), a namespace URI has no character
// XML cannot carry. Anything else is ExiError("exi-name"): the XML and JSON output of a decoded
// message stays well-formed and on one line, and no V2G schema produces such a name.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decode, encode, ExiError } from "../../modules/exi/index";
import { toXmlTree } from "../../tools/exi-xml/convert";
import { isXmlName } from "../../modules/exi/codec";
import { serializeXml } from "../../tools/exi-xml/xml";
import { fromHex } from "../../modules/common/index";

/** ISO-20 message bytes read with the WPT grammar (issue 10): the root SE(*) reads the local name "\u001e?|". */
const WRONG_SCHEMA = fromHex("809a020f1fbe067f77fd9d90e00040800001028611081018000000040a1209c010308f07018385610000")!;

/**
 * xmldsig document with one undeclared root element: SD, SE(*) (code 24 of 25 in 5 bits,
 * §8.5.1), then the qname (§7.1.7) with uri `uriCode` (3 bits: 0 = a new uri string) and a
 * new local name, then EE of the built-in grammar (2-bit second level 0, §8.4.3).
 */
function undeclaredRoot(uri: string | undefined, local: string): Uint8Array {
  let bits = "10000000" + (24).toString(2).padStart(5, "0");
  const chars = (s: string) => {
    for (const ch of s) bits += ch.codePointAt(0)!.toString(2).padStart(8, "0"); // code points < 128: one byte each
  };
  if (uri === undefined) bits += "001"; // uri "" (partition index 0, written + 1)
  else {
    bits += "000" + (uri.length).toString(2).padStart(8, "0"); // a new uri: its length, then the characters
    chars(uri);
  }
  bits += (local.length + 1).toString(2).padStart(8, "0");
  chars(local);
  bits += "00";
  bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, "0");
  return Uint8Array.from({ length: bits.length / 8 }, (_, i) => parseInt(bits.slice(i * 8, i * 8 + 8), 2));
}

const nameError = (e: unknown) => e instanceof ExiError && e.reason === "exi-name";

describe("qnames that are not XML names", () => {
  test("the issue's message: ExiError exi-name, not an element named \\u001e?|", () => {
    assert.throws(() => decode("iso20-wpt", WRONG_SCHEMA), (e: unknown) => nameError(e) && /not an XML name/.test((e as Error).message));
  });

  test("an undeclared element's local name: control characters, a leading digit, a colon, empty → exi-name", () => {
    for (const bad of ["a\u001eb", "1a", "a:b", "", "a b", "-a"]) assert.throws(() => decode("xmldsig", undeclaredRoot(undefined, bad)), nameError, JSON.stringify(bad));
  });

  test("a namespace URI with a control character → exi-name", () => {
    assert.throws(() => decode("xmldsig", undeclaredRoot("urn:a\nb", "x")), nameError);
  });

  test("well-formed names are decoded, and print as one line of XML", () => {
    for (const good of ["x", "_a.b-c", "Ab9"]) {
      const doc = decode("xmldsig", undeclaredRoot(undefined, good)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(doc), [good]);
    }
    const doc = decode("xmldsig", undeclaredRoot("urn:x", "y"));
    assert.equal(serializeXml(toXmlTree("xmldsig", doc)), '<ns1:y xmlns:ns1="urn:x"/>');
  });

  test("isXmlName follows the XML 1.0 NameStartChar / NameChar productions", () => {
    for (const s of ["a", "A1", "_", "\u00c0", "\u0370x", "\u2070", "\u3001", "\ud800\udc00", "a\u0300", "a\u203f"]) assert.ok(isXmlName(s, false), JSON.stringify(s));
    for (const s of ["", "1", ".a", "\u00d7", "\u037e", "\u2000", "\ud800", "a\udc00", "a\u001e", "\ufffe"]) assert.ok(!isXmlName(s, false), JSON.stringify(s));
    assert.ok(isXmlName("", true));
    assert.ok(isXmlName("urn:iso:15118:2:2013:MsgDef", true));
    assert.ok(!isXmlName("urn:\u0000", true));
  });

  test("the encoder refuses such a name too (a bug of ours must not reach the wire)", () => {
    assert.throws(() => encode("xmldsig", { bad: { ns: "", name: "a\u001eb", attrs: [], children: [] } }), (e: unknown) => e instanceof ExiError && e.reason === "exi-encode");
  });
});
