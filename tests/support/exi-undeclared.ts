// Hand-made EXI streams with undeclared (second-level) productions, EXI 1.0 §8.5.4.4.1, built
// bit by bit from the specification's rules (tests/exi/undeclared.test.ts explains the layout;
// tests/cli/exi.test.ts sends them through the JSON form).

import { grammarOf } from "../../modules/exi/schemas";
import { fromHex } from "../../modules/common/index";

export const DS = "http://www.w3.org/2000/09/xmldsig#";
export const XS = "http://www.w3.org/2001/XMLSchema";
const g = grammarOf("xmldsig")!;

const width = (n: number): number => {
  let b = 0;
  while (1 << b < n) b++;
  return b;
};

/** An EXI body written bit by bit, with the representations of EXI 1.0 §7.1. */
export class Bits {
  s = "10000000"; // header: distinguishing bits 10, no options, version 1 (§5)

  /** An n-bit code or unsigned integer (§7.1.9). */
  code(v: number, w: number): this {
    if (w) this.s += v.toString(2).padStart(w, "0");
    return this;
  }

  /** Unsigned Integer (§7.1.6): 7-bit groups, least significant first, high bit = more. */
  uint(v: number): this {
    do {
      const group = v & 0x7f;
      v = Math.floor(v / 128);
      this.code(group | (v > 0 ? 0x80 : 0), 8);
    } while (v > 0);
    return this;
  }

  /** String (§7.1.10) as a string-table miss: length + 2, then each code point as an Unsigned Integer. */
  str(s: string): this {
    this.uint(s.length + 2);
    for (const ch of s) this.uint(ch.codePointAt(0)!);
    return this;
  }

  /** Binary (§7.1.1): length, then the octets. */
  bin(b: Uint8Array): this {
    this.uint(b.length);
    for (const x of b) this.code(x, 8);
    return this;
  }

  /** QName (§7.1.7) of a uri in the uri partition: index + 1 in ⌈log2(uris + 1)⌉ bits; the local name as a hit (0, index) or a miss (length + 1, code points). */
  qname(uri: string, local: string): this {
    this.code(g.uris.indexOf(uri) + 1, width(g.uris.length + 1));
    const i = g.locals[g.uris.indexOf(uri)].indexOf(local);
    if (i >= 0) return this.uint(0).code(i, width(g.locals[g.uris.indexOf(uri)].length));
    this.uint(local.length + 1);
    for (const ch of local) this.uint(ch.codePointAt(0)!);
    return this;
  }

  /** SD then SE(root) of the schema-informed document grammar (§8.5.1): global elements sorted by qname, SE(*) last. */
  root(name: string): this {
    return this.code(g.docByName.get(name)!, g.docWidth);
  }

  bytes(): Uint8Array {
    const s = this.s.padEnd(Math.ceil(this.s.length / 8) * 8, "0"); // ED has a 0-bit code (§8.5.1, CM/PI pruned); pad to a byte
    const out = new Uint8Array(s.length / 8);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 8, i * 8 + 8), 2);
    return out;
  }
}

export const SIG = fromHex("a1b2")!;

export interface Vector {
  name: string;
  bits: Bits;
  doc: object;
  /** The XML infoset does not show this encoding choice: fromXmlTree gives a conforming encoder's choice instead. */
  xmlEncodesOtherwise?: true;
}

// SignatureValueType: attribute Id (optional), simple content base64Binary. Its grammar:
//   state 0 (Element_i,0): AT(Id) 0, CH 1; escape 2 → 2 bits (⌈log2 3⌉)
//   state 1 (content):     CH 0; escape 1        → 1 bit
//   state 2 (after CH):    EE 0; escape 1        → 1 bit
// Second level of state 0: EE 0, xsi:type 1, xsi:nil 2, AT(*) 3, AT-untyped 4, SE(*) 5, CH 6 → 3 bits
// Second level of state 1: EE 0, AT(*) 1, AT-untyped 2, SE(*) 3, CH 4                       → 3 bits
export const VECTORS: Vector[] = [
  {
    // the field case: <SignatureValue/> with no characters event at all
    name: "undeclared EE in the first start-tag state (empty SignatureValue, no CH)",
    bits: new Bits().root("SignatureValue").code(2, 2) /* escape */.code(0, 3) /* EE */,
    doc: { SignatureValue: { $content: [] } },
    xmlEncodesOtherwise: true, // <SignatureValue/> is written as CH("") EE (standards-notes)
  },
  {
    name: "undeclared EE in the content state (empty SignatureValue with an Id)",
    bits: new Bits().root("SignatureValue").code(0, 2) /* AT(Id) */.str("s1").code(1, 1) /* escape */.code(0, 3) /* EE */,
    doc: { SignatureValue: { Id: "s1", $content: [] } },
    xmlEncodesOtherwise: true,
  },
  {
    name: "xsi:nil=\"true\": TypeEmpty (attributes, then EE)",
    // TypeEmpty state 0: AT(Id) 0, EE 1 (the attribute is optional); escape 2 → 2 bits
    bits: new Bits().root("SignatureValue").code(2, 2).code(2, 3) /* AT(xsi:nil) */.code(1, 1) /* Boolean true */.code(1, 2) /* EE */,
    doc: { SignatureValue: { $nil: true } },
  },
  {
    name: "xsi:nil=\"true\" with a declared attribute: TypeEmpty keeps the attributes",
    // TypeEmpty state 0: AT(Id) 0, EE 1 → 2 bits; after Id (content state): EE 0 / escape 1 → 1 bit
    bits: new Bits().root("SignatureValue").code(2, 2).code(2, 3).code(1, 1).code(0, 2) /* AT(Id) */.str("s1").code(0, 1) /* EE */,
    doc: { SignatureValue: { $nil: true, Id: "s1" } },
  },
  {
    name: "xsi:nil=\"false\" then the ordinary content",
    bits: new Bits().root("SignatureValue").code(2, 2).code(2, 3).code(0, 1) /* false */.code(1, 2) /* CH */.bin(SIG).code(0, 1) /* EE */,
    doc: { SignatureValue: { $nil: false, $value: SIG } },
  },
  {
    name: "xsi:type naming a built-in type (xs:base64Binary): the simple type grammar follows",
    // the value is a QName: uri partition index of xs + 1, local name hit in the xs partition (§7.1.7, Appendix D)
    bits: new Bits().root("SignatureValue").code(2, 2).code(1, 3) /* AT(xsi:type) */.qname(XS, "base64Binary").code(0, 1) /* CH */.bin(SIG).code(0, 1) /* EE */,
    doc: { SignatureValue: { $type: { ns: XS, name: "base64Binary" }, $value: SIG } },
  },
  {
    name: "AT(*): an undeclared attribute (a string: no V2G schema declares global attributes)",
    bits: new Bits().root("SignatureValue").code(2, 2).code(3, 3) /* AT(*) */.qname("", "foo").str("x").code(1, 2) /* CH (still state 0) */.bin(SIG).code(0, 1),
    doc: { SignatureValue: { $attrs: [{ ns: "", name: "foo", value: "x" }], $value: SIG } },
  },
  {
    name: "AT(Id)[untyped value] (third level 0 of 2) and AT(*)[untyped value] (third level 1 of 1)",
    bits: new Bits()
      .root("SignatureValue")
      .code(2, 2).code(4, 3).code(0, 1) /* AT(Id)[untyped] → state 1 */.str("s1")
      .code(1, 1).code(2, 3).code(0, 0) /* AT(*)[untyped]: x = 0 declared attributes in state 1 */.qname("", "bar").str("y")
      .code(0, 1) /* CH */.bin(SIG).code(0, 1),
    doc: { SignatureValue: { $attrs: [{ ns: "", name: "Id", value: "s1", untyped: true }, { ns: "", name: "bar", value: "y", untyped: true }], $value: SIG } },
    xmlEncodesOtherwise: true, // in XML both are plain attributes: AT(Id) typed and AT(*)
  },
  {
    name: "SE(*) in the start tag → content2, then the typed text",
    // the undeclared element x: built-in element grammar (§8.4.3), nothing learned: EE is 0.0 (2-bit second level)
    bits: new Bits().root("SignatureValue").code(2, 2).code(5, 3) /* SE(*) */.qname("", "x").code(0, 2) /* x: EE */.code(0, 1) /* content2: CH */.bin(SIG).code(0, 1),
    doc: { SignatureValue: { $content: [{ $wildcard: { ns: "", name: "x", value: { ns: "", name: "x", attrs: [], children: [] } } }, { $value: SIG }] } },
  },
  {
    name: "CH[untyped value] in a simple-typed element (DigestValue, base64Binary), then EE in content2",
    // simple type grammar: state 0 CH 0 / escape 1; its second level (start tag, Element_i,0): 7 codes, CH[untyped] 6.
    // content2 = copy of state 0: CH 0 / escape 1; its second level: EE 0, SE(*) 1, CH 2 → 2 bits
    bits: new Bits().root("DigestValue").code(1, 1).code(6, 3).str("zz!").code(1, 1).code(0, 2) /* EE */,
    doc: { DigestValue: { $content: ["zz!"] } },
  },
  {
    name: "undeclared EE after a child (RSAKeyValue without Exponent), element content second level",
    // RSAKeyValueType: state 0 SE(Modulus) 0; state 1 SE(Exponent) 0; both 1 bit. Second level of state 1: EE 0, SE(*) 1, CH 2
    bits: new Bits().root("RSAKeyValue").code(0, 1) /* SE(Modulus) */.code(0, 1).bin(SIG).code(0, 1) /* CH, EE */.code(1, 1).code(0, 2) /* EE */,
    doc: { RSAKeyValue: { $content: [{ Modulus: SIG }] } },
  },
  {
    name: "CH[untyped value] and SE(*) between children (element content)",
    bits: new Bits()
      .root("RSAKeyValue")
      .code(0, 1).code(0, 1).bin(SIG).code(0, 1) /* Modulus */
      .code(1, 1).code(2, 2) /* CH[untyped] */.str("t")
      .code(1, 1).code(1, 2) /* SE(*) */.qname(DS, "KeyName").code(0, 1).str("k").code(0, 1) /* ds:KeyName is global: its grammar (string) */
      .code(0, 1) /* SE(Exponent) */.code(0, 1).bin(SIG).code(0, 1)
      .code(0, 1) /* EE */,
    doc: { RSAKeyValue: { $content: [{ Modulus: SIG }, "t", { $wildcard: { ns: DS, name: "KeyName", value: "k" } }, { Exponent: SIG }] } },
  },
  {
    name: "xsi:type naming a schema type (ds:DSAKeyValueType): the element follows that type's grammar",
    // RSAKeyValue state 0: SE(Modulus) 0 / escape 1; second level 7 codes: AT(xsi:type) 1.
    // DSAKeyValueType state 0: SE(P) 0, SE(G) 1, SE(Y) 2 / escape 3 → 2 bits; after Y: SE(J) 0, SE(Seed) 1, EE 2 → 2 bits
    bits: new Bits().root("RSAKeyValue").code(1, 1).code(1, 3).qname(DS, "DSAKeyValueType").code(2, 2) /* SE(Y) */.code(0, 1).bin(SIG).code(0, 1).code(2, 2) /* EE */,
    doc: { RSAKeyValue: { $type: { ns: DS, name: "DSAKeyValueType" }, Y: SIG } },
  },
];

