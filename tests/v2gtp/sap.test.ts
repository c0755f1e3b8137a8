import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  allowedOver,
  PROTOCOLS,
  buildSapRequest,
  negotiate,
  parseProtocolList,
  readSapResponse,
} from "../../modules/v2gtp/index";
import type { AppProtocol, SupportedAppProtocolReq } from "../../modules/v2gtp/index";

const DIN = "urn:din:70121:2012:MsgDef";
const ISO2 = "urn:iso:15118:2:2013:MsgDef";
const TESLA = "urn:tesla:din:2018:MsgDef";

function req(...entries: [string, number, number, number, number][]): SupportedAppProtocolReq {
  return {
    supportedAppProtocolReq: {
      AppProtocol: entries.map(([ns, major, minor, schema, prio]): AppProtocol => ({
        ProtocolNamespace: ns,
        VersionNumberMajor: major,
        VersionNumberMinor: minor,
        SchemaID: schema,
        Priority: prio,
      })),
    },
  };
}

describe("SAP negotiation, charger side", () => {
  test("Audi Q4 (ISO-2 priority 1, DIN priority 2) at a DIN+ISO-2 charger → ISO-2, its SchemaID 0", () => {
    const d = negotiate(req([DIN, 2, 0, 1, 2], [ISO2, 2, 0, 0, 1]), ["din", "iso2"]);
    assert.deepEqual(d.response, { supportedAppProtocolRes: { ResponseCode: "OK_SuccessfulNegotiation", SchemaID: 0 } });
    assert.equal(d.protocol, "iso2");
  });

  test("the vehicle's priority decides, not the charger's list order", () => {
    const d = negotiate(req([DIN, 2, 0, 1, 1], [ISO2, 2, 0, 3, 5]), ["iso2", "din"]);
    assert.equal(d.protocol, "din");
    assert.equal(d.response.supportedAppProtocolRes.SchemaID, 1);
  });

  test("a protocol the charger does not offer is passed over for a lower-priority one", () => {
    const d = negotiate(req([DIN, 2, 0, 1, 1], [ISO2, 2, 0, 0, 2]), ["iso2"]);
    assert.equal(d.protocol, "iso2");
    assert.equal(d.response.supportedAppProtocolRes.SchemaID, 0);
  });

  test("Tesla (unknown namespace first) at a DIN charger → DIN", () => {
    const d = negotiate(req([DIN, 2, 0, 1, 2], [TESLA, 0, 7, 2, 1]), ["din", "iso2"]);
    assert.equal(d.code, "OK_SuccessfulNegotiation");
    assert.equal(d.response.supportedAppProtocolRes.SchemaID, 1);
  });

  test("nothing in common → Failed_NoNegotiation without SchemaID", () => {
    const d = negotiate(req([DIN, 2, 0, 1, 1]), ["iso2", "iso20-dc"]);
    assert.deepEqual(d.response, { supportedAppProtocolRes: { ResponseCode: "Failed_NoNegotiation" } });
    assert.equal(d.protocol, undefined);
  });

  test("another minor version → OK_SuccessfulNegotiationWithMinorDeviation", () => {
    const d = negotiate(req([ISO2, 2, 1, 7, 1]), ["iso2"]);
    assert.equal(d.code, "OK_SuccessfulNegotiationWithMinorDeviation");
    assert.equal(d.response.supportedAppProtocolRes.SchemaID, 7);
  });

  test("another major version is another protocol → Failed_NoNegotiation", () => {
    assert.equal(negotiate(req([ISO2, 1, 0, 7, 1]), ["iso2"]).code, "Failed_NoNegotiation");
    assert.equal(negotiate(req([DIN, 3, 0, 7, 1]), ["din"]).code, "Failed_NoNegotiation");
  });

  test("a higher-priority minor deviation wins over a lower-priority exact match", () => {
    const d = negotiate(req([ISO2, 2, 1, 1, 1], [DIN, 2, 0, 2, 2]), ["din", "iso2"]);
    assert.equal(d.code, "OK_SuccessfulNegotiationWithMinorDeviation");
    assert.equal(d.protocol, "iso2");
  });

  test("when the charger offers two minors of one major, the exact one is used", () => {
    const d = negotiate(req([ISO2, 2, 1, 1, 1]), [
      { namespace: ISO2, major: 2, minor: 0 },
      { namespace: ISO2, major: 2, minor: 1 },
    ]);
    assert.equal(d.code, "OK_SuccessfulNegotiation");
  });

  test("equal priorities: the earlier entry wins", () => {
    const d = negotiate(req([DIN, 2, 0, 1, 1], [ISO2, 2, 0, 2, 1]), ["din", "iso2"]);
    assert.equal(d.protocol, "din");
  });

  test("ISO 15118-20 DC, AC, WPT, ACDP by namespace", () => {
    for (const p of PROTOCOLS.filter((x) => x.id.startsWith("iso20"))) {
      const d = negotiate(req([p.namespace, 1, 0, 9, 1]), [p.id]);
      assert.equal(d.protocol, p.id);
      assert.equal(d.code, "OK_SuccessfulNegotiation");
    }
    // an ISO-20 AC request at a DC-only charger
    assert.equal(negotiate(req(["urn:iso:std:iso:15118:-20:AC", 1, 0, 1, 1]), ["iso20-dc"]).code, "Failed_NoNegotiation");
  });

  test("ISO 15118-20 is not selected over TLS 1.2 or without TLS when the transport is given", () => {
    const r = req(["urn:iso:std:iso:15118:-20:DC", 1, 0, 1, 1], [ISO2, 2, 0, 2, 2]);
    assert.equal(negotiate(r, ["iso20-dc", "iso2"]).protocol, "iso20-dc");
    assert.equal(negotiate(r, ["iso20-dc", "iso2"], { tls: "1.3" }).protocol, "iso20-dc");
    assert.equal(negotiate(r, ["iso20-dc", "iso2"], { tls: "1.2" }).protocol, "iso2");
    assert.equal(negotiate(r, ["iso20-dc"], { tls: "none" }).code, "Failed_NoNegotiation");
  });

  test("over TLS 1.3 only ISO 15118-20 is selected (the -2 profile is TLS 1.2, DIN 70121 has no TLS)", () => {
    const r = req([ISO2, 2, 0, 1, 1], ["urn:iso:std:iso:15118:-20:AC", 1, 0, 2, 2]);
    assert.equal(negotiate(r, ["iso2", "iso20-ac"]).protocol, "iso2", "the EV's first choice without a transport");
    assert.equal(negotiate(r, ["iso2", "iso20-ac"], { tls: "1.3" }).protocol, "iso20-ac");
    assert.equal(negotiate(req([ISO2, 2, 0, 1, 1]), ["iso2", "din"], { tls: "1.3" }).code, "Failed_NoNegotiation");
    assert.equal(allowedOver("1.3", "urn:iso:std:iso:15118:-20:DC"), true);
    assert.equal(allowedOver("1.3", "urn:din:70121:2012:MsgDef"), false);
    assert.equal(allowedOver("1.2", "urn:iso:std:iso:15118:-20:DC"), false);
    assert.equal(allowedOver("none", "urn:iso:15118:2:2013:MsgDef"), true);
  });

  test("malformed requests (no list, empty list, junk entries) → Failed_NoNegotiation, no throw", () => {
    for (const bad of [{}, { supportedAppProtocolReq: {} }, { supportedAppProtocolReq: { AppProtocol: [] } }, { supportedAppProtocolReq: { AppProtocol: [null, 5, {}] } }]) {
      assert.equal(negotiate(bad, ["din", "iso2"]).code, "Failed_NoNegotiation");
    }
  });
});

describe("SAP, vehicle side", () => {
  test("the request lists our protocols with SchemaIDs and priorities in order", () => {
    const r = buildSapRequest(["iso2", "din"]);
    assert.deepEqual(r, req([ISO2, 2, 0, 1, 1], [DIN, 2, 0, 2, 2]));
    const custom = buildSapRequest([{ id: "din", schemaId: 0, priority: 3 }]);
    assert.deepEqual(custom.supportedAppProtocolReq.AppProtocol[0], {
      ProtocolNamespace: DIN,
      VersionNumberMajor: 2,
      VersionNumberMinor: 0,
      SchemaID: 0,
      Priority: 3,
    });
    assert.throws(() => buildSapRequest([]), { reason: "implementation" });
  });

  test("the vehicle and charger functions agree end to end", () => {
    const r = buildSapRequest(["iso20-dc", "iso2", "din"]);
    const d = negotiate(r, ["din", "iso2"]);
    const outcome = readSapResponse(r, d.response);
    assert.ok(outcome.ok);
    assert.equal(outcome.ok && outcome.protocol, "iso2");
  });

  test("the answers a vehicle must reject", () => {
    const r = buildSapRequest(["iso2"]);
    const failed = readSapResponse(r, { supportedAppProtocolRes: { ResponseCode: "Failed_NoNegotiation" } });
    assert.equal(!failed.ok && failed.reason, "failed-no-negotiation");
    const noSchema = readSapResponse(r, { supportedAppProtocolRes: { ResponseCode: "OK_SuccessfulNegotiation" } });
    assert.equal(!noSchema.ok && noSchema.reason, "bad-response");
    const unknown = readSapResponse(r, { supportedAppProtocolRes: { ResponseCode: "OK_SuccessfulNegotiation", SchemaID: 9 } });
    assert.equal(!unknown.ok && unknown.reason, "unknown-schema-id");
    assert.equal(readSapResponse(r, {}).ok, false);
    const minor = readSapResponse(r, { supportedAppProtocolRes: { ResponseCode: "OK_SuccessfulNegotiationWithMinorDeviation", SchemaID: 1 } });
    assert.ok(minor.ok && minor.minorDeviation);
  });

  test("protocol lists from configuration text", () => {
    assert.deepEqual(parseProtocolList("din, ISO2,iso20-dc,,din"), { ids: ["din", "iso2", "iso20-dc"], unknown: [] });
    assert.deepEqual(parseProtocolList("din,chademo"), { ids: ["din"], unknown: ["chademo"] });
  });
});
