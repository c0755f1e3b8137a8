import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseXml, serializeXml, XmlError, XML_NAMESPACE } from "../../tools/exi-xml/xml";
import type { XmlElement } from "../../modules/exi/xml-tree";
import { DecodeError } from "../../modules/common/index";
import { diffXml, diffXmlText, lexicalKinds, onlyLexical, describeDifferences } from "../support/xml-infoset";
import { countLabel, loadOracle, loadReal, sample } from "../support/exi-vectors";
import { engine, sharedSkip } from "../support/shared";

const APP = "urn:iso:15118:2:2010:AppProtocol";
const DIN_D = "urn:din:70121:2012:MsgDef";
const DIN_H = "urn:din:70121:2012:MsgHeader";

function el(ns: string, name: string, children: (XmlElement | string)[] = [], attrs: XmlElement["attrs"] = []): XmlElement {
  return { ns, name, attrs, children };
}

describe("parseXml", () => {
  test("resolves prefixes; unqualified local elements are in no namespace", () => {
    const tree = parseXml(
      `<ns4:supportedAppProtocolRes xmlns:ns4="${APP}"><ResponseCode>OK_SuccessfulNegotiation</ResponseCode><SchemaID>1</SchemaID></ns4:supportedAppProtocolRes>`,
    );
    assert.deepEqual(tree, el(APP, "supportedAppProtocolRes", [el("", "ResponseCode", ["OK_SuccessfulNegotiation"]), el("", "SchemaID", ["1"])]));
  });

  test("default namespace applies to elements, not to attributes; xmlns='' undeclares it", () => {
    const tree = parseXml(`<a xmlns="urn:x" xmlns:p="urn:p" k="1" p:k="2" xml:lang="de"><b xmlns=""><p:c/></b></a>`);
    assert.equal(tree.ns, "urn:x");
    assert.deepEqual(tree.attrs, [
      { ns: "", name: "k", value: "1" },
      { ns: "urn:p", name: "k", value: "2" },
      { ns: XML_NAMESPACE, name: "lang", value: "de" },
    ]);
    const b = tree.children[0] as XmlElement;
    assert.equal(b.ns, "");
    assert.equal((b.children[0] as XmlElement).ns, "urn:p");
  });

  test("a redeclared prefix is scoped to its element", () => {
    const tree = parseXml(`<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"/><p:c/></p:a>`);
    assert.deepEqual(
      tree.children.map((c) => (c as XmlElement).ns),
      ["urn:2", "urn:1"],
    );
  });

  test("entities, numeric references (also beyond the BMP), CDATA and line ends", () => {
    const tree = parseXml(`<a>&lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#x1F600; <![CDATA[<x>&amp;]]>\r\nend</a>`);
    assert.deepEqual(tree.children, [`<>&"' AB\u{1F600} <x>&amp;\nend`]);
  });

  test("attribute values: references decoded, literal tabs and newlines normalised to spaces", () => {
    const tree = parseXml(`<a v='x&#9;y\tz&#10;"q"'/>`);
    assert.equal(tree.attrs[0].value, 'x\ty z\n"q"');
  });

  test("comments, processing instructions, the declaration, a DOCTYPE and a BOM are skipped", () => {
    const tree = parseXml(`\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE a [<!ENTITY e "x">]>\n<!-- c --><a><?pi x?>t<!-- c -->u</a>\n<!-- after -->\n`);
    assert.deepEqual(tree, el("", "a", ["tu"]));
  });

  test("whitespace-only text is dropped between child elements but kept as a leaf value", () => {
    const tree = parseXml(`<a>\n  <b>  </b>\n  <c> x </c>\n</a>`);
    assert.deepEqual(tree, el("", "a", [el("", "b", ["  "]), el("", "c", [" x "])]));
    const kept = parseXml(`<a> <b/> </a>`, { keepWhitespace: true });
    assert.deepEqual(kept.children, [" ", el("", "b"), " "]);
  });

  test("mixed content keeps its non-blank text in order", () => {
    const tree = parseXml(`<a>one<b/>two <c/> </a>`);
    assert.deepEqual(tree.children, ["one", el("", "b"), "two ", el("", "c")]);
  });

  const malformed: [string, string][] = [
    ["<a><b></a>", "xml-syntax"],
    ["<a>", "xml-syntax"],
    ["<a/><b/>", "xml-syntax"],
    ["text<a/>", "xml-syntax"],
    ["<p:a/>", "xml-namespace"],
    ["<a p:x='1'/>", "xml-namespace"],
    ["<a>&nbsp;</a>", "xml-entity"],
    ["<a>&#x110000;</a>", "xml-entity"],
    ["<a>&amp</a>", "xml-entity"],
    ["<a x='1' x='2'/>", "xml-syntax"],
    ["<a x=1/>", "xml-syntax"],
    ["<a x='<'/>", "xml-syntax"],
    ["<a><![CDATA[x</a>", "xml-syntax"],
    ["<a><!-- x</a>", "xml-syntax"],
    ["", "xml-syntax"],
    ["<a xmlns:p=''/>", "xml-namespace"],
    ["<a b='1'c='2'/>", "xml-syntax"],
    ["<1a/>", "xml-syntax"],
  ];
  for (const [text, reason] of malformed) {
    test(`malformed ${JSON.stringify(text)} → XmlError ${reason}`, () => {
      assert.throws(
        () => parseXml(text),
        (error: unknown) => error instanceof XmlError && error instanceof DecodeError && error.reason === reason && error.position >= 0,
      );
    });
  }

  test("deep nesting: iterative (no stack overflow), bounded by maxDepth", () => {
    const depth = engine === "xs" ? 5000 : 20000;
    const deep = "<a>".repeat(depth) + "</a>".repeat(depth);
    assert.throws(() => parseXml(deep), (e: unknown) => e instanceof XmlError && /deeper/.test(e.message));
    let tree = parseXml(deep, { maxDepth: depth });
    let levels = 1;
    while (tree.children.length > 0) {
      tree = tree.children[0] as XmlElement;
      levels++;
    }
    assert.equal(levels, depth);
  });
});

describe("serializeXml", () => {
  test("declares every namespace with a prefix on the root; unqualified children stay unprefixed", () => {
    const tree = el(APP, "supportedAppProtocolRes", [el("", "ResponseCode", ["OK"])]);
    assert.equal(serializeXml(tree), `<app:supportedAppProtocolRes xmlns:app="${APP}"><ResponseCode>OK</ResponseCode></app:supportedAppProtocolRes>`);
  });

  test("uses the vectors' family prefixes and invents ns1… for unknown namespaces", () => {
    const tree = el(DIN_D, "V2G_Message", [el(DIN_D, "Header", [el(DIN_H, "SessionID", ["00"])]), el("urn:other", "X", [], [{ ns: "urn:a", name: "k", value: "v" }])]);
    const text = serializeXml(tree);
    assert.equal(
      text,
      `<v2gci_d:V2G_Message xmlns:v2gci_d="${DIN_D}" xmlns:v2gci_h="${DIN_H}" xmlns:ns1="urn:other" xmlns:ns2="urn:a">` +
        `<v2gci_d:Header><v2gci_h:SessionID>00</v2gci_h:SessionID></v2gci_d:Header><ns1:X ns2:k="v"/></v2gci_d:V2G_Message>`,
    );
    assert.deepEqual(parseXml(text), tree);
  });

  test("escapes markup and keeps the output on one line; control characters survive as references", () => {
    const value = `a<b>&"c'\n\t\r\u0000\u0001 \u{1F600}`;
    const tree = el("", "a", [value], [{ ns: "", name: "v", value }]);
    const text = serializeXml(tree);
    assert.ok(!/[\n\r\t]/.test(text));
    assert.deepEqual(parseXml(text), tree);
  });

  test("a lone surrogate is written as a reference and reads back (EXI strings may carry one)", () => {
    const tree = el("", "a", ["x\uD800y\uDC00", "z"], [{ ns: "", name: "v", value: "\uDFFF" }]);
    const text = serializeXml(tree);
    assert.match(text, /x&#55296;y&#56320;z/);
    assert.deepEqual(parseXml(text), el("", "a", ["x\uD800y\uDC00z"], [{ ns: "", name: "v", value: "\uDFFF" }]));
  });

  test("empty elements are written self-closed; the optional declaration comes first", () => {
    assert.equal(serializeXml(el("", "a", [el("", "b", [""])]), { declaration: true }), `<?xml version="1.0" encoding="UTF-8"?><a><b/></a>`);
  });
});

describe("infoset comparison", () => {
  test("prefixes, declaration placement and attribute order do not matter", () => {
    const a = parseXml(`<p:a xmlns:p="urn:x" xmlns:q="urn:q" q:k="1" j="2"><p:b>t</p:b></p:a>`);
    const b = parseXml(`<a xmlns="urn:x" j="2" xmlns:r="urn:q" r:k="1"><b xmlns:unused="urn:u">t</b></a>`);
    assert.deepEqual(diffXml(a, b), []);
  });

  test("the vectors' own two spellings of one DIN message compare equal (ns7/ns8 vs v2gci_* prefixes)", () => {
    const a = `<ns7:V2G_Message xmlns:ns7="${DIN_D}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ns8="${DIN_H}"><ns7:Header><ns8:SessionID>00</ns8:SessionID></ns7:Header></ns7:V2G_Message>`;
    const b = `<v2gci_d:V2G_Message xmlns:v2gci_d="${DIN_D}"><v2gci_d:Header xmlns:v2gci_h="${DIN_H}"><v2gci_h:SessionID>00</v2gci_h:SessionID></v2gci_d:Header></v2gci_d:V2G_Message>`;
    assert.deepEqual(diffXmlText(a, b), []);
  });

  test("element order, names, namespaces and text do matter", () => {
    const a = parseXml(`<a><b/><c/></a>`);
    assert.equal(diffXml(a, parseXml(`<a><c/><b/></a>`))[0].what, "children");
    assert.equal(diffXml(a, parseXml(`<a xmlns="urn:z"><b/><c/></a>`))[0].what, "element");
    assert.equal(diffXml(a, parseXml(`<a><b/></a>`))[0].what, "children");
    const t = diffXml(parseXml(`<a>x</a>`), parseXml(`<a>y</a>`));
    assert.equal(t.length, 1);
    assert.equal(t[0].lexical, undefined);
  });

  test("differences that are only lexical name the types under which the values agree", () => {
    assert.deepEqual(lexicalKinds("+007", "7"), ["integer", "decimal"]);
    assert.deepEqual(lexicalKinds("1", "true"), ["boolean"]);
    assert.deepEqual(lexicalKinds("00ab", "00AB"), ["hexBinary"]);
    assert.deepEqual(lexicalKinds("AAEC\nAw==", "AAECAw=="), ["base64Binary"]);
    assert.deepEqual(lexicalKinds("abc", "abd"), []);
    const d = diffXml(parseXml(`<a><b>+5</b><c>1</c></a>`), parseXml(`<a><b>5</b><c>true</c></a>`));
    assert.ok(onlyLexical(d), describeDifferences(d));
    assert.ok(!onlyLexical(diffXml(parseXml(`<a>1</a>`), parseXml(`<a>2</a>`))));
  });

  test("empty text equals an empty element; whitespace-only leaf text is a value", () => {
    assert.deepEqual(diffXml(parseXml(`<a><b></b></a>`), parseXml(`<a><b/></a>`)), []);
    assert.equal(diffXml(parseXml(`<a><b> </b></a>`), parseXml(`<a><b/></a>`)).length, 1);
  });
});

describe("XML of the vectors", { skip: sharedSkip() }, () => {
  test("every oracle vector's XML parses and survives serialize → parse with the same infoset", () => {
    const failures: string[] = [];
    let total = 0;
    for (const [family, vectors] of loadOracle()) {
      for (const v of sample(vectors, 8).items) {
        total++;
        try {
          const tree = parseXml(v.xml);
          const again = parseXml(serializeXml(tree));
          const d = diffXml(tree, again);
          if (d.length > 0) failures.push(`${family} ${v.name} row ${v.row}: ${describeDifferences(d)}`);
        } catch (error) {
          failures.push(`${family} ${v.name} row ${v.row}: ${String(error)}`);
        }
      }
    }
    assert.ok(total > 0);
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${total} failed`);
  });

  test("real messages' reference XML parses and survives serialize → parse", () => {
    const failures: string[] = [];
    for (const [schema, rows] of loadReal()) {
      const { items, step } = sample(
        rows.filter((r) => r.xml !== ""),
        engine === "xs" ? 5 : 1500,
      );
      for (const r of items) {
        try {
          const tree = parseXml(r.xml);
          const d = diffXml(tree, parseXml(serializeXml(tree)));
          if (d.length > 0) failures.push(`${schema} row ${r.row}: ${describeDifferences(d)}`);
        } catch (error) {
          failures.push(`${schema} row ${r.row}: ${String(error)}`);
        }
      }
      void step;
    }
    assert.deepEqual(failures.slice(0, 5), []);
  });

  test("counts are reported per family", (t) => {
    for (const [family, vectors] of loadOracle()) {
      const { items, step } = sample(vectors, 8);
      t.diagnostic(`${family}: ${countLabel(items.length, vectors.length, step)}`);
    }
  });
});
