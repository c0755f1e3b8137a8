// The grammars schemas.ts unpacks at load are what Moddable's preload (xsl) copies into flash.
// xsl in SDK 8.2.3 sizes its table of BigInt digits from the BigInt slots of the heap only and
// then also copies the BigInts that are array elements: one such element (the 2^k facet
// bounds of xs:unsignedInt, xs:long, xs:unsignedLong were) overruns the table and xsl aborts
// with "munmap_chunk(): invalid pointer". A BigInt held as a named property is counted.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SCHEMA_IDS } from "../../modules/exi/index";
import { grammarOf } from "../../modules/exi/schemas";

/** Paths of the BigInts reachable from `root` that are array elements (or integer-keyed properties). */
function bigintElements(root: object, rootName: string): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown, where: string): void => {
    if (typeof value !== "object" || value === null || seen.has(value) || ArrayBuffer.isView(value)) return;
    seen.add(value);
    if (value instanceof Map) {
      for (const [k, v] of value) visit(v, `${where}.get(${String(k)})`);
      return;
    }
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (typeof item === "bigint" && /^\d+$/.test(key)) found.push(`${where}[${key}]`);
      else visit(item, `${where}.${key}`);
    }
  };
  visit(root, rootName);
  return found;
}

test("no grammar keeps a BigInt as an array element (xsl 8.2.3 aborts preloading one)", () => {
  for (const schema of SCHEMA_IDS) assert.deepEqual(bigintElements(grammarOf(schema)!, schema), [], schema);
});

test("the 2^k bounds are still exact BigInts in every grammar (xs:long, xs:unsignedLong)", () => {
  for (const schema of SCHEMA_IDS) {
    const bounds = grammarOf(schema)!.facetBounds;
    assert.ok(bounds.some((b) => b.low === -(1n << 63n) && b.high === (1n << 63n) - 1n), `${schema}: xs:long`);
    assert.ok(bounds.some((b) => b.high === (1n << 64n) - 1n), `${schema}: xs:unsignedLong`);
  }
});
