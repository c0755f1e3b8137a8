// EXI codec edge cases: integer types at their limits, out-of-range SAScheduleTupleID, empty
// elements, trailing bytes after a valid stream, and the largest arrays the schemas allow.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decode, decodeFragment, encode, ExiError, type ExiErrorReason, type FacetViolation, type SchemaId } from "../../modules/exi/index";
import { toXmlTree } from "../../tools/exi-xml/convert";
import { serializeXml } from "../../tools/exi-xml/xml";
import { fromHex, toHex } from "../../modules/common/index";
import { valuesEqual } from "../support/exi-check";
import { loadOracle, type OracleVector } from "../support/exi-vectors";
import { hasShared, sharedSkip } from "../support/shared";

const SID = fromHex("0102030405060708")!;

function iso2(body: object): object {
  return { V2G_Message: { Header: { SessionID: SID }, Body: body } };
}

function din(body: object): object {
  return { V2G_Message: { Header: { SessionID: SID }, Body: body } };
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x instanceof Uint8Array ? toHex(x) : x)).slice(0, 300);
}

/** encode → decode gives the same object, and re-encoding gives the same bytes. */
function roundTrip(schema: SchemaId, doc: object): Uint8Array {
  const bytes = encode(schema, doc);
  const back = decode(schema, bytes);
  assert.ok(valuesEqual(back, doc), `decoded ${show(back)}\n  expected ${show(doc)}`);
  assert.equal(toHex(encode(schema, back)), toHex(bytes));
  return bytes;
}

function refused(schema: SchemaId, doc: object, what: string, reason: ExiErrorReason = "exi-encode"): void {
  assert.throws(
    () => encode(schema, doc),
    (e: unknown) => e instanceof ExiError && e.reason === reason,
    `${what} must be refused with ExiError ${reason}`,
  );
}

function meter(info: object): object {
  return iso2({ MeteringReceiptReq: { SessionID: SID, MeterInfo: { MeterID: "M1", ...info } } });
}

function physical(multiplier: number, value: number): object {
  return iso2({
    CurrentDemandReq: {
      DC_EVStatus: { EVReady: true, EVErrorCode: "NO_ERROR", EVRESSSOC: 50 },
      EVTargetCurrent: { Multiplier: multiplier, Unit: "A", Value: value },
      ChargingComplete: false,
      EVTargetVoltage: { Multiplier: 0, Unit: "V", Value: 400 },
    },
  });
}

function iso20PowerDelivery(entries: object[], control: object = { Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: 1 } }): object {
  return {
    PowerDeliveryReq: {
      Header: { SessionID: SID, TimeStamp: 1700000000n },
      EVProcessing: "Finished",
      ChargeProgress: "Start",
      EVPowerProfile: { TimeAnchor: 0n, ...control, EVPowerProfileEntries: { EVPowerProfileEntry: entries } },
    },
  };
}

function entry(exponent: number, value: number, duration = 60): object {
  return { Duration: duration, Power: { Exponent: exponent, Value: value } };
}

describe("integer types at their limits", () => {
  test("xs:unsignedLong 0 and 2^64−1 (MeterReading): the maximum is a 10-byte varint", () => {
    const low = roundTrip("iso2", meter({ MeterReading: 0n }));
    const high = roundTrip("iso2", meter({ MeterReading: 18446744073709551615n }));
    assert.equal(high.length - low.length, 9);
  });

  test("xs:long −2^63 and 2^63−1 (TMeter), xs:short −32768 and 32767 (MeterStatus)", () => {
    roundTrip("iso2", meter({ MeterStatus: -32768, TMeter: -9223372036854775808n }));
    roundTrip("iso2", meter({ MeterStatus: 32767, TMeter: 9223372036854775807n }));
    roundTrip("iso2", meter({ MeterStatus: -1, TMeter: -1n }));
  });

  test("PhysicalValue Multiplier −3..3 is a 3-bit offset: both ends round-trip; 4 (bit value 7) breaks the facet both ways", () => {
    roundTrip("iso2", physical(-3, -32768));
    roundTrip("iso2", physical(3, 32767));
    refused("iso2", physical(4, 1), "Multiplier 4", "exi-facet");
    refused("iso2", physical(-4, 1), "Multiplier −4", "exi-facet");
    refused("iso2", physical(5, 1), "Multiplier 5", "exi-facet");
    // What 3 bits can carry a peer may send: a typed error (no real peer is known to send it)
    const bytes = encode("iso2", physical(4, 1), { checkFacets: false });
    assert.throws(() => decode("iso2", bytes), (e: unknown) => e instanceof ExiError && e.reason === "exi-facet" && /EVTargetCurrent\/Multiplier: 4 breaks maxInclusive 3/.test(e.message));
    const seen: FacetViolation[] = [];
    const doc = decode("iso2", bytes, { facets: "lenient", onFacetViolation: (v) => seen.push(v) });
    assert.deepEqual(seen, [{ path: "V2G_Message/Body/CurrentDemandReq/EVTargetCurrent/Multiplier", facet: "maxInclusive", limit: 3, value: 4 }]);
    assert.equal(toHex(encode("iso2", doc, { checkFacets: false })), toHex(bytes));
  });

  test("ISO-20 RationalNumber: Exponent xs:byte −128..127 (8-bit), Value xs:short, Duration unsignedInt max", () => {
    roundTrip("iso20-cm", iso20PowerDelivery([entry(-128, -32768, 0), entry(127, 32767, 4294967295)]));
    refused("iso20-cm", iso20PowerDelivery([entry(128, 0)]), "Exponent 128");
    refused("iso20-cm", iso20PowerDelivery([entry(-129, 0)]), "Exponent −129");
  });

  test("xs:integer beyond 64 bits (X509SerialNumber ±2^200, −1, −2^64) round-trips", () => {
    for (const serial of [2n ** 200n, -(2n ** 200n), -1n, 0n, -(2n ** 64n), 2n ** 64n - 1n]) {
      roundTrip(
        "iso2",
        iso2({
          CertificateInstallationReq: {
            Id: "ID1",
            OEMProvisioningCert: Uint8Array.of(0x30, 0x82),
            ListOfRootCertificateIDs: { RootCertificateID: [{ X509IssuerName: "CN=root", X509SerialNumber: serial }] },
          },
        }),
      );
    }
  });

  test("a wrong JavaScript type for a value is refused, not coerced", () => {
    refused("iso2", physical(0, 1.5), "Value 1.5");
    refused("iso2", meter({ MeterStatus: "1" }), "MeterStatus as a string");
    refused("iso2", iso2({ SessionSetupReq: { EVCCID: "0011" } }), "EVCCID as a string");
  });
});

describe("SAScheduleTupleID outside 1..255 (seen in the wild)", () => {
  const powerDelivery = (id: number): object => iso2({ PowerDeliveryReq: { ChargeProgress: "Start", SAScheduleTupleID: id } });

  test("ISO-2 SAIDType is an 8-bit offset from 1: 1 and 255 round-trip", () => {
    roundTrip("iso2", powerDelivery(1));
    roundTrip("iso2", powerDelivery(255));
  });

  test("bit value 255 decodes faithfully as 256 (a known field violation: kept and reported) and re-encodes to the same bytes on request", () => {
    // 256 is what the bits say; a peer that meant 0 and wrote (0 − 1) & 0xFF sends exactly this.
    refused("iso2", powerDelivery(256), "our own SAScheduleTupleID 256", "exi-facet");
    const bytes = encode("iso2", powerDelivery(256), { checkFacets: false });
    const b255 = encode("iso2", powerDelivery(255));
    let differing = 0;
    for (let i = 0; i < bytes.length; i++) for (let x = bytes[i] ^ b255[i]; x; x &= x - 1) differing++;
    assert.equal(differing, 1, "255 and 256 differ in one bit (offset 254 = 0xFE vs 255 = 0xFF)");
    const seen: FacetViolation[] = [];
    const doc = decode("iso2", bytes, { onFacetViolation: (v) => seen.push(v) }) as { V2G_Message: { Body: { PowerDeliveryReq: { SAScheduleTupleID: number } } } };
    assert.equal(doc.V2G_Message.Body.PowerDeliveryReq.SAScheduleTupleID, 256);
    assert.deepEqual(seen, [{ path: "V2G_Message/Body/PowerDeliveryReq/SAScheduleTupleID", facet: "maxInclusive", limit: 255, value: 256 }]);
    assert.throws(() => decode("iso2", bytes, { facets: "strict" }), (e: unknown) => e instanceof ExiError && e.reason === "exi-facet");
    assert.equal(toHex(encode("iso2", doc, { checkFacets: false })), toHex(bytes));
  });

  test("0 cannot be represented in ISO-2 (offset −1) and is refused; DIN's SAIDType is xs:short, so 0 is fine there", () => {
    refused("iso2", powerDelivery(0), "ISO-2 SAScheduleTupleID 0", "exi-facet");
    roundTrip("din", din({ PowerDeliveryReq: { ReadyToChargeState: true } }));
    roundTrip("din", din({ ChargeParameterDiscoveryRes: dinChargeParameterDiscoveryRes(0) }));
  });
});

function dinChargeParameterDiscoveryRes(tupleId: number): object {
  const pv = (unit: string, value: number): object => ({ Multiplier: 0, Unit: unit, Value: value });
  return {
    ResponseCode: "OK",
    EVSEProcessing: "Finished",
    SAScheduleList: { SAScheduleTuple: [{ SAScheduleTupleID: tupleId, PMaxSchedule: { PMaxScheduleID: 1, PMaxScheduleEntry: [{ RelativeTimeInterval: { start: 0 }, PMax: 100 }] } }] },
    DC_EVSEChargeParameter: {
      DC_EVSEStatus: { EVSEIsolationStatus: "Valid", EVSEStatusCode: "EVSE_Ready", NotificationMaxDelay: 0, EVSENotification: "None" },
      EVSEMaximumCurrentLimit: pv("A", 200),
      EVSEMaximumVoltageLimit: pv("V", 500),
      EVSEMinimumCurrentLimit: pv("A", 0),
      EVSEMinimumVoltageLimit: pv("V", 150),
      EVSEPeakCurrentRipple: pv("A", 1),
    },
  };
}

describe("empty elements", () => {
  test("an empty hexBinary (SessionID) is a typed empty CH: the smoke vector decodes and re-encodes", () => {
    const hex = "809a0011d020004488cd115599dc00";
    const doc = decode("din", fromHex(hex)!) as { V2G_Message: { Header: { SessionID: Uint8Array } } };
    assert.equal(doc.V2G_Message.Header.SessionID.length, 0);
    assert.equal(toHex(encode("din", doc)), hex);
    assert.match(serializeXml(toXmlTree("din", doc)), /<v2gci_h:SessionID\/>/);
  });

  test("an empty Body (BodyElement minOccurs=0) round-trips: DIN 809a001230", () => {
    const doc = decode("din", fromHex("809a001230")!) as { V2G_Message: { Body: object } };
    assert.deepEqual(Object.keys(doc.V2G_Message.Body), []);
    assert.equal(toHex(encode("din", doc)), "809a001230");
    roundTrip("iso2", iso2({}));
  });

  test("empty complex elements (ServiceDiscoveryReq, ISO-20 Dynamic_EVPPTControlMode) and empty strings", () => {
    roundTrip("din", din({ ServiceDiscoveryReq: {} }));
    roundTrip("iso2", iso2({ ServiceDiscoveryReq: {} }));
    roundTrip("iso20-cm", iso20PowerDelivery([entry(0, 1)], { Dynamic_EVPPTControlMode: {} }));
    roundTrip("iso2", meter({ MeterID: "" }));
    roundTrip("iso2", iso2({ SessionSetupReq: { EVCCID: new Uint8Array(0) } }));
  });
});

describe("bytes after the end of a valid stream", { skip: sharedSkip() }, () => {
  const smoke = hasShared() ? smokeVectors() : [];

  test(`a trailing 0x00 after each smoke vector (${smoke.length}) still decodes to the same message`, () => {
    for (const v of smoke) {
      const bytes = fromHex(v.hex)!;
      const padded = new Uint8Array(bytes.length + 1);
      padded.set(bytes);
      assert.ok(valuesEqual(decodeAny(v, padded), decodeAny(v, bytes)), `${v.name}: trailing 0x00`);
    }
  });

  test("any stray trailing byte (e.g. after AC_ChargeLoopRes) is ignored", () => {
    for (const v of smoke) {
      const bytes = fromHex(v.hex)!;
      const padded = new Uint8Array(bytes.length + 2);
      padded.set(bytes);
      padded[bytes.length] = 0xff;
      padded[bytes.length + 1] = 0x5a;
      assert.ok(valuesEqual(decodeAny(v, padded), decodeAny(v, bytes)), `${v.name}: trailing ff 5a`);
    }
  });
});

function smokeVectors(): OracleVector[] {
  const out: OracleVector[] = [];
  for (const [, list] of loadOracle()) for (const v of list) if (v.file === "oracle/smoke.tsv") out.push(v);
  return out;
}

function decodeAny(v: OracleVector, bytes: Uint8Array): object {
  return v.fragment ? decodeFragment(v.schema, bytes) : decode(v.schema, bytes);
}

describe("the largest arrays the schemas allow", () => {
  test("ISO-20 EVPowerProfileEntry × 2048 (maxOccurs 2048) round-trips; a 2049th is refused", () => {
    const entries: object[] = [];
    for (let i = 0; i < 2048; i++) entries.push(entry((i % 256) - 128, (i * 37) % 65536 - 32768, i));
    roundTrip("iso20-cm", iso20PowerDelivery(entries));
    refused("iso20-cm", iso20PowerDelivery([...entries, entry(0, 0)]), "2049 EVPowerProfileEntry");
  });

  test("supportedAppProtocolReq with 20 AppProtocol (maxOccurs 20); 21 are refused", () => {
    const protocols: object[] = [];
    for (let i = 1; i <= 20; i++) protocols.push({ ProtocolNamespace: `urn:test:${i}`, VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: i, Priority: i });
    roundTrip("apphand", { supportedAppProtocolReq: { AppProtocol: protocols } });
    refused("apphand", { supportedAppProtocolReq: { AppProtocol: [...protocols, protocols[0]] } }, "21 AppProtocol");
  });

  test("ISO-2 SAScheduleTuple × 3, each with PMaxScheduleEntry × 1024; a 4th tuple and a 1025th entry are refused", () => {
    const entries = (n: number): object[] => {
      const out: object[] = [];
      for (let i = 0; i < n; i++) out.push({ RelativeTimeInterval: { start: i * 60 }, PMax: { Multiplier: 0, Unit: "W", Value: i } });
      return out;
    };
    const tuple = (id: number, n = 1024): object => ({ SAScheduleTupleID: id, PMaxSchedule: { PMaxScheduleEntry: entries(n) } });
    const res = (tuples: object[]): object =>
      iso2({
        ChargeParameterDiscoveryRes: {
          ResponseCode: "OK",
          EVSEProcessing: "Finished",
          SAScheduleList: { SAScheduleTuple: tuples },
          AC_EVSEChargeParameter: {
            AC_EVSEStatus: { NotificationMaxDelay: 0, EVSENotification: "None", RCD: false },
            EVSENominalVoltage: { Multiplier: 0, Unit: "V", Value: 230 },
            EVSEMaxCurrent: { Multiplier: 0, Unit: "A", Value: 32 },
          },
        },
      });
    roundTrip("iso2", res([tuple(1), tuple(2), tuple(3)]));
    refused("iso2", res([tuple(1, 1), tuple(2, 1), tuple(3, 1), tuple(4, 1)]), "4 SAScheduleTuple");
    refused("iso2", res([tuple(1, 1025)]), "1025 PMaxScheduleEntry");
  });

  test("ISO-2 SubCertificates with 4 certificates of 800 bytes (maxOccurs 4, certificateType maxLength 800)", () => {
    const cert = (seed: number, length = 800): Uint8Array => {
      const c = new Uint8Array(length);
      for (let i = 0; i < c.length; i++) c[i] = (i * 31 + seed) & 0xff;
      return c;
    };
    const chain = (n: number): object => {
      const sub: Uint8Array[] = [];
      for (let i = 0; i < n; i++) sub.push(cert(i + 1));
      return iso2({ PaymentDetailsReq: { eMAID: "DEABCC123456789", ContractSignatureCertChain: { Certificate: cert(0), SubCertificates: { Certificate: sub } } } });
    };
    roundTrip("iso2", chain(4));
    refused("iso2", chain(5), "5 sub-certificates");
    refused("iso2", iso2({ PaymentDetailsReq: { eMAID: "DEABCC123456789", ContractSignatureCertChain: { Certificate: cert(0, 801) } } }), "an 801-byte certificate", "exi-facet");
  });
});
