// Replay of every real supportedAppProtocol handshake in ../shared/vectors/real/apphand.tsv
// (taken from ../shared/captures: 25 car models against EVerest, Josev and RISE-V2G chargers).
// Each request is offered to our charger configured like the real one, which must answer the
// same (protocol, SchemaID) — or Failed_NoNegotiation where the real one did.
//
// "Configured like the real charger": the real answer tells which entry it chose, so the real
// charger offered that protocol and none the vehicle ranked higher. Our charger gets that
// protocol, the vehicle's lower-ranked protocols and every protocol the vehicle did not ask
// for; a Failed_NoNegotiation capture gets only protocols the vehicle did not ask for.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { negotiate, protocolOfNamespace, PROTOCOLS } from "../../modules/v2gtp/index";
import type { AppProtocol, ProtocolId, SupportedAppProtocolReq } from "../../modules/v2gtp/index";
import { decode, encode } from "../../modules/exi/index";
import { fromHex, toHex } from "../../modules/common/index";
import { readSharedTsv, sharedSkip } from "../support/shared";

interface Handshake {
  capture: string;
  requestHex: string;
  request: SupportedAppProtocolReq;
  responseHex: string;
  code: string;
  schemaId?: number;
}

const ENTRY = /<AppProtocol><ProtocolNamespace>([^<]*)<\/ProtocolNamespace><VersionNumberMajor>(\d+)<\/VersionNumberMajor><VersionNumberMinor>(\d+)<\/VersionNumberMinor><SchemaID>(\d+)<\/SchemaID><Priority>(\d+)<\/Priority><\/AppProtocol>/g;

function requestFromXml(xml: string): SupportedAppProtocolReq {
  const list: AppProtocol[] = [];
  ENTRY.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ENTRY.exec(xml)) !== null) {
    list.push({ ProtocolNamespace: m[1], VersionNumberMajor: +m[2], VersionNumberMinor: +m[3], SchemaID: +m[4], Priority: +m[5] });
  }
  return { supportedAppProtocolReq: { AppProtocol: list } };
}

function handshakes(): Handshake[] {
  const rows = readSharedTsv("vectors/real/apphand.tsv").filter((r) => r[0] === "apphand");
  const out: Handshake[] = [];
  rows.forEach((row, i) => {
    if (!row[4].includes("supportedAppProtocolReq")) return;
    const res = rows.slice(i + 1).find((r) => r[2] === row[2] && r[4].includes("supportedAppProtocolRes"));
    if (!res) return;
    const code = /<ResponseCode>(\w+)<\/ResponseCode>/.exec(res[4])![1];
    const schema = /<SchemaID>(\d+)<\/SchemaID>/.exec(res[4]);
    out.push({
      capture: row[2],
      requestHex: row[1],
      request: requestFromXml(row[4]),
      responseHex: res[1],
      code,
      schemaId: schema ? +schema[1] : undefined,
    });
  });
  return out;
}

/** The real charger's configuration as far as its answer reveals it (see the file comment). */
function offerLike(h: Handshake): ProtocolId[] {
  const entries = h.request.supportedAppProtocolReq.AppProtocol;
  const asked = new Set(entries.map((e) => protocolOfNamespace(e.ProtocolNamespace)?.id));
  const offer: ProtocolId[] = PROTOCOLS.map((p) => p.id).filter((id) => !asked.has(id));
  if (h.code.startsWith("OK")) {
    const chosen = entries.find((e) => e.SchemaID === h.schemaId)!;
    for (const e of entries) {
      const id = protocolOfNamespace(e.ProtocolNamespace)?.id;
      if (id && (e === chosen || e.Priority > chosen.Priority)) offer.push(id);
    }
  }
  return offer;
}

const data = sharedSkip() ? [] : handshakes();

describe("SAP replay against real captures", { skip: sharedSkip() }, () => {
  test("the table holds the 101 real handshakes, every request parsed", () => {
    assert.equal(data.length, 101);
    for (const h of data) assert.ok(h.request.supportedAppProtocolReq.AppProtocol.length >= 1, h.capture);
  });

  test("object level: our charger, configured like the real one, picks the same protocol and SchemaID", () => {
    const mismatches: string[] = [];
    const counts: Record<string, number> = {};
    for (const h of data) {
      const d = negotiate(h.request, offerLike(h));
      const ok = h.code.startsWith("OK");
      const same = ok ? d.code === h.code && d.response.supportedAppProtocolRes.SchemaID === h.schemaId : d.code === "Failed_NoNegotiation";
      if (!same) mismatches.push(`${h.capture}: real ${h.code}/${h.schemaId}, ours ${d.code}/${d.response.supportedAppProtocolRes.SchemaID}`);
      counts[d.protocol ?? "failed"] = (counts[d.protocol ?? "failed"] ?? 0) + 1;
    }
    assert.deepEqual(mismatches, []);
    // 4 Failed_NoNegotiation (EQC, Ampera-E, 2 × Tesla at ISO-2-only chargers), the rest split DIN/ISO-2/ISO-20
    assert.deepEqual(counts, { din: 31, iso2: 63, "iso20-ac": 1, "iso20-dc": 2, failed: 4 });
  });

  test("a DIN + ISO-2 charger (EVerest's usual set) fails only the three ISO-20-only test-bench vehicles", () => {
    let failed = 0;
    for (const h of data) if (negotiate(h.request, ["din", "iso2"]).code === "Failed_NoNegotiation") failed++;
    assert.equal(failed, 3); // the three ISO-20-only test-bench vehicles
  });
});

// Byte level: needs the EXI codec (modules/exi), written in parallel. Skips while it is a stub.
function codecSkip(): string | undefined {
  if (sharedSkip()) return sharedSkip();
  try {
    decode("apphand", fromHex(data[0].requestHex)!);
    return undefined;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return /not (implemented|generated)/i.test(message) ? `EXI codec unavailable (${message})` : undefined;
  }
}

describe("SAP replay, byte level (EXI decode → negotiate → encode)", { skip: codecSkip() }, () => {
  test("every real request decodes to the reference XML's AppProtocol list", () => {
    for (const h of data) {
      const doc = decode("apphand", fromHex(h.requestHex)!) as SupportedAppProtocolReq;
      assert.deepEqual(doc, h.request, h.capture);
    }
  });

  test("our encoded answer equals the real charger's bytes wherever it answered OK", () => {
    const diffs: string[] = [];
    for (const h of data) {
      const doc = decode("apphand", fromHex(h.requestHex)!);
      const d = negotiate(doc, offerLike(h));
      const bytes = toHex(encode("apphand", d.response));
      if (h.code.startsWith("OK") && bytes !== h.responseHex) diffs.push(`${h.capture}: real ${h.responseHex}, ours ${bytes}`);
      if (!h.code.startsWith("OK")) assert.equal(d.code, "Failed_NoNegotiation");
      // the real answer decodes to what the reference XML says
      const real = decode("apphand", fromHex(h.responseHex)!) as { supportedAppProtocolRes: { ResponseCode: string; SchemaID?: number } };
      assert.equal(real.supportedAppProtocolRes.ResponseCode, h.code);
    }
    assert.deepEqual(diffs, []);
  });
});
