// The dissector on the real captures in ../shared, checked against ../shared/vectors/real (the
// EXI messages taken from the same captures by other tools): every V2G message we extract must
// be one of them, with the same schema, and every vector of a plain-TCP capture must come out.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readCapture } from "../../simulation/pcap/read";
import { dissectCapture, hex } from "../../hosts/sim/pcap/dissect";
import { engine, readShared, readSharedTsv, sharedSkip } from "../support/shared";
import { listCaptures, representative } from "./support";

function loadVectors(schemas: string[]): Map<string, string> {
  const byKey = new Map<string, string>(); // "schema:hex" → capture
  for (const schema of schemas) for (const row of readSharedTsv(`vectors/real/${schema}.tsv`)) if (row[2]) byKey.set(`${row[0]}:${row[1]}`, row[2]);
  return byKey;
}

describe("dissecting the shared captures", { skip: sharedSkip() }, () => {
  const files = representative(listCaptures());
  const schemas = engine === "xs" ? ["apphand", "iso20-cm", "iso20-ac", "iso20-dc"] : ["apphand", "din", "iso2", "iso20-cm", "iso20-ac", "iso20-dc"];
  const checkable = (schema: string | undefined) => schema !== undefined && schemas.indexOf(schema) >= 0;

  test("every V2G message decodes and is one of the reference vectors of its capture, with the same schema", () => {
    const vectors = loadVectors(schemas);
    const produced = new Set<string>();
    const damaged = new Set<string>();
    let total = 0;
    for (const f of files) {
      const capture = readCapture(readShared(f)!);
      if (capture.warnings.some((w) => /damaged/.test(w))) damaged.add(f.slice("captures/".length));
      const r = dissectCapture(capture);
      for (const s of r.sessions) {
        if (s.tls) {
          assert.equal(s.messages.length, 0, `${f}: TLS session ${s.index} has no plain messages`);
          continue;
        }
        for (const m of s.messages) {
          total++;
          assert.equal(m.error, undefined, `${f} frame ${m.frame}: ${m.error}`);
          assert.ok(m.type !== undefined && m.doc !== undefined, `${f} frame ${m.frame}: decoded`);
          const key = `${m.schema}:${hex(m.exi)}`;
          produced.add(key);
          if (!checkable(m.schema) || damaged.has(f.slice("captures/".length))) continue;
          assert.ok(vectors.has(key), `${f} frame ${m.frame}: ${key.slice(0, 60)}… is not a reference vector`);
        }
      }
      // no stream-level errors in these captures
      for (const m of r.messages) assert.notEqual(m.type, "V2GTP error", `${f} frame ${m.frame}: ${m.error}`);
    }
    assert.ok(total > 0);
    if (engine === "xs") return;
    // every vector from a capture without TLS came out of that capture
    const tlsCaptures = /TLS|mTLS/;
    for (const [key, capture] of vectors) {
      if (tlsCaptures.test(capture)) continue;
      assert.ok(produced.has(key), `${capture}: vector ${key.slice(0, 60)}… not extracted`);
    }
  });

  test("SLAC and SDP of every capture decode", () => {
    for (const f of files) {
      const r = dissectCapture(readCapture(readShared(f)!), { decodeExi: false });
      const slac = r.messages.filter((m) => m.layer === "slac");
      const sdp = r.messages.filter((m) => m.layer === "sdp");
      if (!/hello-tls/.test(f) && !/protocol-handshake|session-set/.test(f)) assert.ok(slac.length > 0, `${f}: SLAC messages`);
      // one truncated last frame is the only SLAC decode error in all captures
      assert.ok(slac.filter((m) => m.error !== undefined).every((m) => /truncated/.test(m.error!)), f);
      for (const m of sdp) {
        assert.equal(m.error, undefined, `${f} frame ${m.frame}: ${m.error}`);
        assert.ok(m.type === "SECCDiscoveryReq" || m.type === "SECCDiscoveryRes", m.type);
      }
    }
  });
});
