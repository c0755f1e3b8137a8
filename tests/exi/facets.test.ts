// The encoder holds to the decoder's limits (modules/exi/limits.ts) and to the schema facets of
// what we send (exi-limit, exi-facet); a peer's facet violation is a typed error unless it is
// one that fielded peers are known to send (the decoder's "field" policy, modules/exi/README.md).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromHex, MemoryLogger, toHex } from "../../modules/common/index";
import { createExiCodec, decode, decodeFragment, encode, encodeFragment, ExiError, limits, logFacetViolations, type ExiErrorReason, type FacetViolation, type SchemaId } from "../../modules/exi/index";

const SID = fromHex("0102030405060708")!;
const DS = "http://www.w3.org/2000/09/xmldsig#";

function v2g(body: object): object {
  return { V2G_Message: { Header: { SessionID: SID }, Body: body } };
}

function iso20SessionSetup(evccId: string): object {
  return { SessionSetupReq: { Header: { SessionID: SID, TimeStamp: 1700000000n }, EVCCID: evccId } };
}

function refusedWith(reason: ExiErrorReason, pattern: RegExp, run: () => unknown): void {
  assert.throws(run, (e: unknown) => e instanceof ExiError && e.reason === reason && pattern.test(e.message));
}

/** Encoded without the facet check (as a peer's encoder might), then decoded by default: a typed error naming the path. */
function peerViolationRefused(schema: SchemaId, doc: object, pattern: RegExp): Uint8Array {
  const bytes = encode(schema, doc, { checkFacets: false });
  refusedWith("exi-facet", pattern, () => decode(schema, bytes));
  return bytes;
}

describe("the encoder refuses what its own decoder refuses (limits.ts)", () => {
  test("a 100,000-character string: exi-limit; MAX_STRING_LENGTH code points encode and decode", () => {
    refusedWith("exi-limit", /KeyName: a string of 100000 code points/, () => encodeFragment("xmldsig", { KeyName: "k".repeat(100000) }));
    const longest = "k".repeat(limits.MAX_STRING_LENGTH);
    assert.equal((decodeFragment("xmldsig", encodeFragment("xmldsig", { KeyName: longest })) as { KeyName: string }).KeyName, longest);
    refusedWith("exi-limit", /MAX_STRING_LENGTH/, () => encodeFragment("xmldsig", { KeyName: `${longest}k` }));
    // a qname literal too (an undeclared element's name inside a wildcard)
    const name = "n".repeat(limits.MAX_STRING_LENGTH + 1);
    refusedWith("exi-limit", /a name of/, () => encodeFragment("xmldsig", { Object: { $content: [{ $wildcard: { ns: "urn:x", name, value: { ns: "urn:x", name, attrs: [], children: [] } } }] } }));
  });

  test("a 70,000-byte binary: exi-limit; MAX_BINARY_LENGTH bytes encode and decode", () => {
    refusedWith("exi-limit", /DigestValue: 70000 bytes/, () => encodeFragment("xmldsig", { DigestValue: new Uint8Array(70000) }));
    const largest = new Uint8Array(limits.MAX_BINARY_LENGTH).fill(0xa5);
    assert.equal((decodeFragment("xmldsig", encodeFragment("xmldsig", { DigestValue: largest })) as { DigestValue: Uint8Array }).DigestValue.length, limits.MAX_BINARY_LENGTH);
    refusedWith("exi-limit", /MAX_BINARY_LENGTH/, () => encodeFragment("xmldsig", { DigestValue: new Uint8Array(limits.MAX_BINARY_LENGTH + 1) }));
  });

  test("an xs:integer of more than MAX_INTEGER_GROUPS 7-bit groups: exi-limit; the largest that fits decodes", () => {
    const serial = (x: bigint): object => v2g({ CertificateInstallationReq: { Id: "ID1", OEMProvisioningCert: Uint8Array.of(0x30), ListOfRootCertificateIDs: { RootCertificateID: [{ X509IssuerName: "CN=root", X509SerialNumber: x }] } } });
    const bits = BigInt(7 * limits.MAX_INTEGER_GROUPS);
    for (const x of [(1n << bits) - 1n, -(1n << bits)]) assert.ok(decode("iso2", encode("iso2", serial(x))));
    refusedWith("exi-limit", /X509SerialNumber: an integer beyond MAX_INTEGER_GROUPS/, () => encode("iso2", serial(1n << bits)));
    refusedWith("exi-limit", /MAX_INTEGER_GROUPS/, () => encode("iso2", serial(-(1n << bits) - 1n)));
  });

  test("a number beyond 2^53 is refused (not an exact integer; 1e300 would be a 143-group varint the decoder refuses)", () => {
    refusedWith("exi-encode", /expected/, () => encode("iso2", v2g({ MeteringReceiptReq: { SessionID: SID, MeterInfo: { MeterID: "M", MeterReading: 1e300 } } })));
  });

  test("more than MAX_ELEMENTS elements: exi-limit; exactly MAX_ELEMENTS encode and decode", () => {
    const object = (children: number): object => {
      const items: unknown[] = [];
      for (let i = 0; i < children; i++) items.push({ $wildcard: { ns: DS, name: "KeyName", value: "k" } });
      return { Object: { $content: items } };
    };
    const most = encodeFragment("xmldsig", object(limits.MAX_ELEMENTS - 1)); // + the Object itself
    assert.ok(decodeFragment("xmldsig", most));
    refusedWith("exi-limit", /MAX_ELEMENTS/, () => encodeFragment("xmldsig", object(limits.MAX_ELEMENTS)));
  });
});

describe("length facets of what we send (exi-facet)", () => {
  test("a 10,000-byte EVCCID is refused by encode: DIN (maxLength 8), ISO-2 (6), ISO-20 (255 characters)", () => {
    const big = new Uint8Array(10000);
    refusedWith("exi-facet", /V2G_Message\/Body\/SessionSetupReq\/EVCCID: 10000 breaks maxLength 8/, () => encode("din", v2g({ SessionSetupReq: { EVCCID: big } })));
    refusedWith("exi-facet", /V2G_Message\/Body\/SessionSetupReq\/EVCCID: 10000 breaks maxLength 6/, () => encode("iso2", v2g({ SessionSetupReq: { EVCCID: big } })));
    refusedWith("exi-facet", /SessionSetupReq\/EVCCID: 10000 breaks maxLength 255/, () => encode("iso20-cm", iso20SessionSetup("E".repeat(10000))));
    // the longest the schemas allow still goes out
    assert.ok(encode("din", v2g({ SessionSetupReq: { EVCCID: new Uint8Array(8) } })));
    assert.ok(encode("iso2", v2g({ SessionSetupReq: { EVCCID: new Uint8Array(6) } })));
    assert.ok(encode("iso20-cm", iso20SessionSetup("E".repeat(255))));
    refusedWith("exi-facet", /breaks maxLength 6/, () => encode("iso2", v2g({ SessionSetupReq: { EVCCID: new Uint8Array(7) } })));
  });

  test("a 10,000-byte EVCCID from a peer is a typed decode error; lenient decoding keeps it and reports it", () => {
    peerViolationRefused("din", v2g({ SessionSetupReq: { EVCCID: new Uint8Array(10000) } }), /EVCCID: 10000 breaks maxLength 8/);
    peerViolationRefused("iso20-cm", iso20SessionSetup("E".repeat(10000)), /EVCCID: 10000 breaks maxLength 255/);
    const bytes = peerViolationRefused("iso2", v2g({ SessionSetupReq: { EVCCID: new Uint8Array(10000) } }), /V2G_Message\/Body\/SessionSetupReq\/EVCCID: 10000 breaks maxLength 6/);
    const seen: FacetViolation[] = [];
    const doc = decode("iso2", bytes, { facets: "lenient", onFacetViolation: (v) => seen.push(v) }) as { V2G_Message: { Body: { SessionSetupReq: { EVCCID: Uint8Array } } } };
    assert.equal(doc.V2G_Message.Body.SessionSetupReq.EVCCID.length, 10000);
    assert.deepEqual(seen, [{ path: "V2G_Message/Body/SessionSetupReq/EVCCID", facet: "maxLength", limit: 6, value: 10000 }]);
  });

  test("length and minLength: ISO-2 eMAID (minLength 14, maxLength 15), xmldsig-free SessionID length", () => {
    const payment = (emaid: string): object => v2g({ PaymentDetailsReq: { eMAID: emaid, ContractSignatureCertChain: { Certificate: Uint8Array.of(0x30) } } });
    assert.ok(encode("iso2", payment("DEABCC123456789")));
    refusedWith("exi-facet", /PaymentDetailsReq\/eMAID: 13 breaks minLength 14/, () => encode("iso2", payment("DEABCC1234567")));
    refusedWith("exi-facet", /eMAID: 16 breaks maxLength 15/, () => encode("iso2", payment("DEABCC1234567890")));
    // DIN/ISO-2 SessionID: hexBinary maxLength 8
    refusedWith("exi-facet", /V2G_Message\/Header\/SessionID: 9 breaks maxLength 8/, () => encode("iso2", { V2G_Message: { Header: { SessionID: new Uint8Array(9) }, Body: {} } }));
    peerViolationRefused("iso2", { V2G_Message: { Header: { SessionID: new Uint8Array(9) }, Body: {} } }, /Header\/SessionID: 9 breaks maxLength 8/);
  });
});

describe("range facets the EXI representation does not bound (exi-facet)", () => {
  const dcStatus = { EVReady: true, EVErrorCode: "NO_ERROR", EVRESSSOC: 50 };
  const cableCheck = (soc: number): object => v2g({ CableCheckReq: { DC_EVStatus: { ...dcStatus, EVRESSSOC: soc } } });

  test("EVRESSSOC 0..100 is a 7-bit offset: 101..127 fit the bits but break maxInclusive (ISO-2, DIN)", () => {
    assert.ok(encode("iso2", cableCheck(100)));
    refusedWith("exi-facet", /CableCheckReq\/DC_EVStatus\/EVRESSSOC: 101 breaks maxInclusive 100/, () => encode("iso2", cableCheck(101)));
    refusedWith("exi-facet", /EVRESSSOC: 127 breaks maxInclusive 100/, () => encode("din", cableCheck(127)));
    peerViolationRefused("iso2", cableCheck(127), /EVRESSSOC: 127 breaks maxInclusive 100/);
  });

  test("xs:unsignedShort, xs:short, xs:unsignedInt, xs:long, xs:unsignedLong at their bounds", () => {
    const meter = (info: object): object => v2g({ MeteringReceiptReq: { SessionID: SID, MeterInfo: { MeterID: "M1", ...info } } });
    refusedWith("exi-facet", /MeterStatus: 32768 breaks maxInclusive 32767/, () => encode("iso2", meter({ MeterStatus: 32768 })));
    refusedWith("exi-facet", /MeterStatus: -32769 breaks minInclusive -32768/, () => encode("iso2", meter({ MeterStatus: -32769 })));
    refusedWith("exi-facet", /TMeter: 9223372036854775808 breaks maxInclusive 9223372036854775807/, () => encode("iso2", meter({ TMeter: 2n ** 63n })));
    refusedWith("exi-facet", /TMeter: -9223372036854775809 breaks minInclusive -9223372036854775808/, () => encode("iso2", meter({ TMeter: -(2n ** 63n) - 1n })));
    refusedWith("exi-facet", /MeterReading: 18446744073709551616 breaks maxInclusive 18446744073709551615/, () => encode("iso2", meter({ MeterReading: 2n ** 64n })));
    assert.ok(encode("iso2", meter({ MeterStatus: -32768, TMeter: -(2n ** 63n), MeterReading: 2n ** 64n - 1n })));
    peerViolationRefused("iso2", meter({ MeterReading: 2n ** 64n }), /MeterReading: 18446744073709551616 breaks maxInclusive/);
    // NotificationMaxDelay: ISO-2 xs:unsignedShort, DIN xs:unsignedInt; an unsigned varint, bounded by the facet only
    const status = (delay: number): object => v2g({ CableCheckRes: { ResponseCode: "OK", DC_EVSEStatus: { EVSEIsolationStatus: "Valid", EVSEStatusCode: "EVSE_Ready", NotificationMaxDelay: delay, EVSENotification: "None" }, EVSEProcessing: "Finished" } });
    assert.ok(encode("iso2", status(65535)));
    refusedWith("exi-facet", /NotificationMaxDelay: 65536 breaks maxInclusive 65535/, () => encode("iso2", status(65536)));
    peerViolationRefused("iso2", status(65536), /NotificationMaxDelay: 65536 breaks maxInclusive 65535/);
    assert.ok(encode("din", status(2 ** 32 - 1)));
    refusedWith("exi-facet", /NotificationMaxDelay: 4294967296 breaks maxInclusive 4294967295/, () => encode("din", status(2 ** 32)));
    // ISO-2 DepartureTime is xs:unsignedInt
    const departure = (t: number): object => v2g({ ChargeParameterDiscoveryReq: { RequestedEnergyTransferMode: "AC_three_phase_core", AC_EVChargeParameter: { DepartureTime: t, EAmount: { Multiplier: 0, Unit: "Wh", Value: 1 }, EVMaxVoltage: { Multiplier: 0, Unit: "V", Value: 400 }, EVMaxCurrent: { Multiplier: 0, Unit: "A", Value: 16 }, EVMinCurrent: { Multiplier: 0, Unit: "A", Value: 6 } } } });
    assert.ok(encode("iso2", departure(2 ** 32 - 1)));
    refusedWith("exi-facet", /DepartureTime: 4294967296 breaks maxInclusive 4294967295/, () => encode("iso2", departure(2 ** 32)));
  });

  test("minInclusive: ISO-20 numericIDType 1..2^32−1 (an unsigned varint) refuses 0; SAP Priority 1..20 refuses 21", () => {
    const control = (id: number): object => ({
      PowerDeliveryReq: {
        Header: { SessionID: SID, TimeStamp: 1n },
        EVProcessing: "Finished",
        ChargeProgress: "Start",
        EVPowerProfile: { TimeAnchor: 0n, Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: id }, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 60, Power: { Exponent: 0, Value: 1 } }] } },
      },
    });
    assert.ok(encode("iso20-cm", control(1)));
    refusedWith("exi-facet", /SelectedScheduleTupleID: 0 breaks minInclusive 1/, () => encode("iso20-cm", control(0)));
    peerViolationRefused("iso20-cm", control(0), /SelectedScheduleTupleID: 0 breaks minInclusive 1/);
    const sap = (priority: number): object => ({ supportedAppProtocolReq: { AppProtocol: [{ ProtocolNamespace: "urn:iso:15118:2:2013:MsgDef", VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: priority }] } });
    assert.ok(encode("apphand", sap(20)));
    refusedWith("exi-facet", /AppProtocol\/Priority: 21 breaks maxInclusive 20/, () => encode("apphand", sap(21)));
    peerViolationRefused("apphand", sap(21), /Priority: 21 breaks maxInclusive 20/);
  });

  test("the violations real cars send are accepted by default and reported: ISO-2 MaxNumberOfPhasesInUse 4", () => {
    const profile = (phases: number): object => v2g({ PowerDeliveryReq: { ChargeProgress: "Start", SAScheduleTupleID: 1, ChargingProfile: { ProfileEntry: [{ ChargingProfileEntryStart: 0, ChargingProfileEntryMaxPower: { Multiplier: 0, Unit: "W", Value: 11000 }, ChargingProfileEntryMaxNumberOfPhasesInUse: phases }] } } });
    refusedWith("exi-facet", /ChargingProfileEntryMaxNumberOfPhasesInUse: 4 breaks maxInclusive 3/, () => encode("iso2", profile(4)));
    const bytes = encode("iso2", profile(4), { checkFacets: false });
    const seen: FacetViolation[] = [];
    const doc = decode("iso2", bytes, { onFacetViolation: (v) => seen.push(v) });
    assert.equal(seen.length, 1);
    assert.equal(seen[0].path, "V2G_Message/Body/PowerDeliveryReq/ChargingProfile/ProfileEntry/ChargingProfileEntryMaxNumberOfPhasesInUse");
    assert.equal(toHex(encode("iso2", doc, { checkFacets: false })), toHex(bytes));
    refusedWith("exi-facet", /MaxNumberOfPhasesInUse: 4/, () => decode("iso2", bytes, { facets: "strict" }));
    // what SeccConnection / EvccConnection do with it: one warning naming the value
    const logger = new MemoryLogger();
    createExiCodec(logFacetViolations(logger, "secc")).decode("iso2", bytes);
    assert.deepEqual(logger.entries.map((e) => [e.level, e.source, e.fields]), [["warn", "secc", { path: seen[0].path, facet: "maxInclusive", limit: "3", value: "4" }]]);
  });
});
