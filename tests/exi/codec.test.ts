// The schema-informed EXI codec: bit reader/writer, value encodings, the smoke vectors of
// every family (decode → encode gives the same bytes), fragments, limits and bad input.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../../modules/common/index";
import { BitReader, BitWriter } from "../../modules/exi/bits";
import { decode, decodeFragment, encode, encodeFragment, ExiError, limits, type SchemaId } from "../../modules/exi/index";
import { fromXmlTree, toXmlTree } from "../../tools/exi-xml/convert";
import { engine, readSharedTsv, sharedSkip } from "../support/shared";

const bytes = (hex: string) => fromHex(hex)!;

/** A stream that claims more nesting than it holds: truncated in the middle of the deepest element. */
function concatDeep(b: Uint8Array): Uint8Array {
  return b.subarray(0, Math.max(2, b.length >> 1));
}

describe("bit writer and reader", () => {
  test("n-bit values, MSB first, padded with zero bits", () => {
    const w = new BitWriter(1);
    w.bits(0x80, 8);
    w.bits(1, 1);
    w.bits(5, 3);
    w.bits(0x3ff, 10);
    const out = w.finish();
    assert.equal(toHex(out), "80dffc");
    const r = new BitReader(out);
    assert.equal(r.bits(8), 0x80);
    assert.equal(r.bit(), 1);
    assert.equal(r.bits(3), 5);
    assert.equal(r.bits(10), 0x3ff);
    assert.equal(r.bits(2), 0);
    assert.throws(() => r.bit(), (e: unknown) => e instanceof ExiError && e.reason === "exi-eof" && e.position === 24);
  });

  test("unsigned integers in 7-bit groups, least significant first, at any bit offset", () => {
    for (const offset of [0, 3]) {
      const w = new BitWriter(2);
      w.bits(0, offset);
      for (const v of [0, 127, 128, 16383, 16384, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER]) w.uint(v);
      w.uintBig(2n ** 64n - 1n);
      w.uintBig(2n ** 160n + 12345n);
      const r = new BitReader(w.finish(), offset);
      for (const v of [0, 127, 128, 16383, 16384, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER]) assert.equal(r.uint(), v);
      assert.equal(r.uintBig(), 2n ** 64n - 1n);
      assert.equal(r.uintBig(), 2n ** 160n + 12345n);
    }
    const w = new BitWriter();
    w.uint(300);
    assert.equal(toHex(w.finish()), "ac02");
    const w2 = new BitWriter();
    w2.uintBig(2n ** 64n - 1n);
    assert.equal(w2.finish().length, 10, "unsignedLong max takes 10 bytes");
  });

  test("byte strings at unaligned positions", () => {
    const w = new BitWriter(1);
    w.bits(1, 1);
    w.bytes(Uint8Array.of(1, 2, 0xff, 0x80));
    const r = new BitReader(w.finish());
    assert.equal(r.bit(), 1);
    assert.deepEqual(Array.from(r.bytes(4)), [1, 2, 0xff, 0x80]);
  });

  test("the writer buffer is reused and grows", () => {
    const big = new Uint8Array(5000).fill(7);
    const a = encode("iso2", { V2G_Message: { Header: { SessionID: big.subarray(0, 8) }, Body: { SessionStopReq: { ChargingSession: "Terminate" } } } });
    const b = encode("iso2", { V2G_Message: { Header: { SessionID: big.subarray(0, 8) }, Body: { SessionStopReq: { ChargingSession: "Terminate" } } } });
    assert.deepEqual(a, b);
    assert.notEqual(a.buffer, b.buffer, "each result is its own copy");
  });
});

describe("value encodings", () => {
  const msg = (body: object) => ({ V2G_Message: { Header: { SessionID: bytes("0102") }, Body: body } });

  test("a bounded integer is an n-bit offset from its minimum; xs:short is sign + magnitude", () => {
    // DIN PhysicalValue: Multiplier -3..3 (3 bits), Value xs:short
    const doc = msg({ PreChargeReq: {
      DC_EVStatus: { EVReady: true, EVErrorCode: "NO_ERROR", EVRESSSOC: 50 },
      EVTargetVoltage: { Multiplier: -3, Unit: "V", Value: -32768 },
      EVTargetCurrent: { Multiplier: 3, Value: 32767 },
    } });
    const back = decode("din", encode("din", doc));
    assert.deepEqual(back, doc);
  });

  test("strings count code points (+2 offset) and are written as code points", () => {
    const doc = { supportedAppProtocolReq: { AppProtocol: [{ ProtocolNamespace: "x😀é", VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 }] } };
    const out = encode("apphand", doc);
    assert.deepEqual(decode("apphand", out), doc);
    // SE(Req)=0 (2 bits) SE(AppProtocol)=0 (1) SE(ProtocolNamespace) (1) CH (1) length 3+2=5, 'x', U+1F600 = 80 ec 07, 'é' = e9 01
    const w = new BitWriter();
    w.bits(0x80, 8); w.bits(0, 2); w.bits(0, 1); w.bits(0, 1); w.bits(0, 1);
    w.uint(5); w.uint(0x78); w.uint(0x1f600); w.uint(0xe9);
    const prefix = w.finish();
    assert.equal(toHex(out.subarray(0, prefix.length - 1)), toHex(prefix.subarray(0, prefix.length - 1)));
  });

  test("xs:integer beyond 64 bits round-trips as bigint", () => {
    const doc = { X509IssuerSerial: { X509IssuerName: "CN=x", X509SerialNumber: -(2n ** 159n) - 7n } };
    assert.deepEqual(decodeFragment("xmldsig", encodeFragment("xmldsig", doc)), doc);
  });

  test("a fragment root whose local name has several namespaces carries $ns", () => {
    for (const ns of ["urn:iso:15118:2:2013:MsgBody", "urn:iso:15118:2:2013:MsgHeader"]) {
      const doc = { SessionID: bytes("0102030405060708"), $ns: ns };
      const out = encodeFragment("iso2", doc);
      assert.deepEqual(decodeFragment("iso2", out), doc);
      assert.deepEqual(fromXmlTree("iso2", toXmlTree("iso2", doc), { fragment: true }), doc);
    }
    assert.notDeepEqual(encodeFragment("iso2", { SessionID: bytes("01"), $ns: "urn:iso:15118:2:2013:MsgBody" }), encodeFragment("iso2", { SessionID: bytes("01"), $ns: "urn:iso:15118:2:2013:MsgHeader" }));
    assert.deepEqual(Object.keys(decodeFragment("iso2", encodeFragment("iso2", { SignedInfo: { CanonicalizationMethod: { Algorithm: "a" }, SignatureMethod: { Algorithm: "b" }, Reference: [{ DigestMethod: { Algorithm: "c" }, DigestValue: bytes("00") }] } }))), ["SignedInfo"]);
  });

  test("an empty simple-content element is a typed empty CH", () => {
    const doc = msg({ SessionSetupReq: { EVCCID: new Uint8Array(0) } });
    const out = encode("iso2", doc);
    assert.deepEqual(decode("iso2", out), doc);
  });

  test("SAScheduleTupleID 0 from the field decodes as 256 and re-encodes to the same bytes", () => {
    // ISO-2 SAIDType 1..255 is an 8-bit offset from 1; an encoder writing 0 produces 0xFF (value-1 = -1 → 255 in 8 bits).
    const doc = msg({ PowerDeliveryReq: { ChargeProgress: "Start", SAScheduleTupleID: 256 } });
    const out = encode("iso2", doc, { checkFacets: false });
    const back = decode("iso2", out) as { V2G_Message: { Body: { PowerDeliveryReq: { SAScheduleTupleID: number } } } };
    assert.equal(back.V2G_Message.Body.PowerDeliveryReq.SAScheduleTupleID, 256);
    assert.deepEqual(encode("iso2", back, { checkFacets: false }), out);
    assert.throws(() => encode("iso2", back), (e: unknown) => e instanceof ExiError && e.reason === "exi-facet");
    assert.throws(() => encode("iso2", msg({ PowerDeliveryReq: { ChargeProgress: "Start", SAScheduleTupleID: 0 } })), (e: unknown) => e instanceof ExiError && e.reason === "exi-facet");
    assert.throws(() => encode("iso2", msg({ PowerDeliveryReq: { ChargeProgress: "Start", SAScheduleTupleID: 257 } })), ExiError);
  });
});

describe("message object ⇄ XML tree", () => {
  test("canonical lexical forms out, tolerant forms in", () => {
    const doc = { V2G_Message: { Header: { SessionID: bytes("0a0bff") }, Body: { CurrentDemandReq: {
      DC_EVStatus: { EVReady: true, EVErrorCode: "NO_ERROR", EVRESSSOC: 7 },
      EVTargetCurrent: { Multiplier: -1, Unit: "A", Value: -5 },
      ChargingComplete: false,
      EVTargetVoltage: { Multiplier: 0, Unit: "V", Value: 400 },
    } } } };
    const tree = toXmlTree("din", doc);
    assert.equal(tree.name, "V2G_Message");
    assert.equal(tree.ns, "urn:din:70121:2012:MsgDef");
    const header = tree.children[0] as { children: { ns: string; children: string[] }[] };
    assert.equal(header.children[0].ns, "urn:din:70121:2012:MsgHeader");
    assert.deepEqual(header.children[0].children, ["0A0BFF"]);
    assert.deepEqual(fromXmlTree("din", tree), doc);
    // 1/0 booleans, lower-case hex, "+5", surrounding blanks are accepted
    const body = ((tree.children[1] as { children: unknown[] }).children[0] as { children: { name: string; children: unknown[] }[] });
    body.children.find((c) => c.name === "ChargingComplete")!.children = ["0"];
    header.children[0].children = [" 0a0bff "];
    const status = body.children.find((c) => c.name === "DC_EVStatus")! as { children: { name: string; children: unknown[] }[] };
    status.children.find((c) => c.name === "EVRESSSOC")!.children = ["+7"];
    assert.deepEqual(fromXmlTree("din", tree), doc);
  });

  test("base64Binary and xs:integer in xmldsig", () => {
    const doc = { X509Data: { X509Certificate: [bytes("00ff10")], X509IssuerSerial: [{ X509IssuerName: "CN=a", X509SerialNumber: 123456789012345678901234567890n }] } };
    const tree = toXmlTree("xmldsig", doc);
    const texts = JSON.stringify(tree);
    assert.match(texts, /"AP8Q"/);
    assert.match(texts, /"123456789012345678901234567890"/);
    assert.deepEqual(fromXmlTree("xmldsig", tree, { fragment: true }), doc);
  });
});

describe("smoke vectors round-trip byte-exact", { skip: sharedSkip() }, () => {
  const rows = readSharedTsv("vectors/oracle/smoke.tsv");
  const families = new Set(rows.map((r) => r[0]));
  for (const family of families) {
    test(family, () => {
      const frag = family.endsWith("+frag");
      const schema = (frag ? family.slice(0, -5) : family) as SchemaId;
      for (const [, name, hex] of rows.filter((r) => r[0] === family)) {
        const obj = frag ? decodeFragment(schema, bytes(hex)) : decode(schema, bytes(hex));
        const again = frag ? encodeFragment(schema, obj) : encode(schema, obj);
        assert.equal(toHex(again), hex, name);
        assert.deepEqual(fromXmlTree(schema, toXmlTree(schema, obj), { fragment: frag }), obj, `${name} through the XML tree`);
      }
    });
  }
});

describe("bad input throws ExiError only", () => {
  const sample = "809a02000000000000000011d01811959401930c00"; // DIN SessionSetupRes-like
  test("header, truncation, unknown schema", () => {
    assert.throws(() => decode("din", bytes("00")), (e: unknown) => e instanceof ExiError && e.reason === "exi-header" && e.position === 0);
    assert.throws(() => decode("din", new Uint8Array(0)), ExiError);
    assert.throws(() => decode("nope" as SchemaId, bytes("80")), ExiError);
    for (let n = 1; n < 12; n++) assert.throws(() => decode("din", bytes(sample).subarray(0, n)), ExiError);
  });

  test("random bytes after the header never escape as another exception", () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const schemas: SchemaId[] = ["apphand", "din", "iso2", "iso20-cm", "iso20-dc", "iso20-ac", "iso20-wpt", "iso20-acdp", "xmldsig"];
    const rounds = engine === "xs" ? 200 : 3000;
    for (let i = 0; i < rounds; i++) {
      const b = new Uint8Array(1 + (rnd() % 64));
      for (let j = 0; j < b.length; j++) b[j] = rnd();
      b[0] = 0x80;
      const schema = schemas[i % schemas.length];
      for (const f of [decode, decodeFragment]) {
        try {
          f(schema, b);
        } catch (e) {
          assert.ok(e instanceof ExiError, `${schema} ${toHex(b)}: ${String(e)}`);
        }
      }
    }
  });

  test("a string length beyond the limit is refused before reading it", () => {
    const w = new BitWriter();
    w.bits(0x80, 8); w.bits(0, 2); w.bits(0, 1); w.bits(0, 1); w.bits(0, 1);
    w.uint(limits.MAX_STRING_LENGTH + 3);
    assert.throws(() => decode("apphand", w.finish()), (e: unknown) => e instanceof ExiError && e.reason === "exi-limit");
  });

  test("deep nesting (ds:Object inside ds:Object) works up to MAX_DEPTH and is refused beyond, without recursion", () => {
    const DS = "http://www.w3.org/2000/09/xmldsig#";
    const nest = (n: number): object => {
      let v: object = { Id: "x" };
      for (let i = 1; i < n; i++) v = { $content: [{ $wildcard: { ns: DS, name: "Object", value: v } }] };
      return { Object: v };
    };
    const ok = nest(limits.MAX_DEPTH - 1);
    const out = encodeFragment("xmldsig", ok);
    // compare by re-encoding (a recursive deepEqual of 63 levels would itself strain the XS stack)
    assert.equal(toHex(encodeFragment("xmldsig", decodeFragment("xmldsig", out))), toHex(out));
    assert.throws(() => encodeFragment("xmldsig", nest(limits.MAX_DEPTH + 1)), (e: unknown) => e instanceof ExiError && e.reason === "exi-limit");
    // the same bytes one level deeper: build them by hand from the ok stream is awkward, so
    // encode with a larger stack of wildcards split at the limit through the decoder instead
    const deeper = encodeFragment("xmldsig", nest(limits.MAX_DEPTH));
    assert.ok(deeper.length > out.length);
    assert.throws(() => decodeFragment("xmldsig", concatDeep(deeper)), ExiError);
  });

  test("encode rejects objects that do not fit the schema", () => {
    assert.throws(() => encode("din", {}), (e: unknown) => e instanceof ExiError && e.reason === "exi-encode");
    assert.throws(() => encode("din", { V2G_Message: { Body: {} } }), /Header|missing|not allowed/);
    assert.throws(() => encode("apphand", { supportedAppProtocolRes: { ResponseCode: "Nope" } }), /enumeration/);
  });
});
