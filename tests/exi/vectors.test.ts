// The EXI codec against ../shared/vectors: the oracle vectors (EXIficient/OpenV2G/libcbv2g
// agree on every byte) both ways, and the real-traffic messages (decode, byte-identical
// re-encode, the reference decode's XML both ways). Inside XS a representative subset of each
// family runs.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { SchemaId } from "../../modules/exi/index";
import { countLabel, loadOracle, loadReal, sample, type OracleVector, type RealVector } from "../support/exi-vectors";
import { checkDecode, checkEncodeXml, checkNoCrash, checkRoundTrip } from "../support/exi-check";
import { hasShared, sharedSkip } from "../support/shared";

/** Vectors per family inside XS (the whole corpus takes minutes there). */
const XS_ORACLE_PER_FAMILY = 25;
const XS_REAL_PER_SCHEMA = 20;
/** Failures listed in an assertion message. */
const SHOW = 5;

function report(failures: string[], total: number, what: string): string {
  return `${failures.length} of ${total} ${what} failed:\n  ${failures.slice(0, SHOW).join("\n  ")}${failures.length > SHOW ? "\n  …" : ""}`;
}

describe("EXI oracle vectors (../shared/vectors/oracle)", { skip: sharedSkip() }, () => {
  const oracle = hasShared() ? loadOracle() : new Map<string, OracleVector[]>();
  for (const [family, all] of oracle) {
    const { items, step } = sample(all, XS_ORACLE_PER_FAMILY);
    const label = countLabel(items.length, all.length, step);

    test(`${family} (${label}): decode gives the reference XML infoset`, (t) => {
      const failures: string[] = [];
      let lexical = 0;
      for (const v of items) {
        const r = checkDecode(v, v.hex, v.xml);
        if (r.failure) failures.push(`${v.file}:${v.row} ${v.name}: ${r.failure}`);
        else if (r.lexicalOnly) lexical++;
      }
      t.diagnostic(`${family}: ${items.length - failures.length} of ${items.length} pass (${lexical} equal only as typed values: lexical forms such as +5, 1/0 or hex case)`);
      assert.equal(failures.length, 0, report(failures, items.length, "decodes"));
    });

    test(`${family} (${label}): encoding the reference XML gives exactly the reference bytes`, (t) => {
      const failures: string[] = [];
      for (const v of items) {
        const f = checkEncodeXml(v, v.xml, v.hex);
        if (f) failures.push(`${v.file}:${v.row} ${v.name}: ${f}`);
      }
      t.diagnostic(`${family}: ${items.length - failures.length} of ${items.length} pass`);
      assert.equal(failures.length, 0, report(failures, items.length, "encodes"));
    });
  }
});

describe("EXI real-traffic messages (../shared/vectors/real)", { skip: sharedSkip() }, () => {
  const real = hasShared() ? loadReal() : new Map<SchemaId, RealVector[]>();
  for (const [schema, rows] of real) {
    const same = rows.filter((r) => r.roundtrip === "SAME");
    const odd = rows.filter((r) => r.roundtrip !== "SAME");
    const { items, step } = sample(same, XS_REAL_PER_SCHEMA);
    const target = { schema, fragment: false };

    test(`${schema} (${countLabel(items.length, same.length, step, "SAME messages")}): decode, identical re-encode, reference XML both ways`, (t) => {
      const failures: string[] = [];
      let lexical = 0;
      let withXml = 0;
      for (const r of items) {
        const d = checkDecode(target, r.hex, r.xml);
        if (d.failure) {
          failures.push(`${r.file}:${r.row} (${r.capture}): ${d.failure}`);
          continue;
        }
        if (r.xml !== "") withXml++;
        if (d.lexicalOnly) lexical++;
        const f = checkRoundTrip(target, r.hex, d.doc) ?? (r.xml !== "" ? checkEncodeXml(target, r.xml, r.hex) : undefined);
        if (f) failures.push(`${r.file}:${r.row} (${r.capture}): ${f}`);
      }
      t.diagnostic(`${schema}: ${items.length - failures.length} of ${items.length} pass; ${withXml} compared with the reference XML (${lexical} equal only as typed values)`);
      assert.equal(failures.length, 0, report(failures, items.length, "messages"));
    });

    if (odd.length > 0) {
      test(`${schema} (${odd.length} DIFF/DECODE_ERR messages): no crash, only ExiError`, (t) => {
        const failures: string[] = [];
        const outcomes = new Map<string, number>();
        for (const r of odd) {
          const { failure, outcome } = checkNoCrash(target, r.hex);
          if (failure) failures.push(`${r.file}:${r.row} (${r.roundtrip}): ${failure}`);
          const key = `${r.roundtrip} → ${outcome}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
        for (const [key, count] of outcomes) t.diagnostic(`${schema}: ${count} × ${key}`);
        assert.equal(failures.length, 0, report(failures, odd.length, "messages"));
      });
    }
  }
});
