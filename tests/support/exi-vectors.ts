// The EXI test vectors of ../shared/vectors, as typed rows, for the vector, XML and fuzz tests
// and the benchmarks. Works on Node and inside XS (through tests/support/shared.ts).

import type { SchemaId } from "../../modules/exi/index";
import { engine, listShared, readSharedTsv } from "./shared";

export interface OracleVector {
  /** File family as written: "iso2", "iso2+frag", … */
  family: string;
  schema: SchemaId;
  fragment: boolean;
  name: string;
  hex: string;
  xml: string;
  /** 1-based row number among the file's data rows (for messages). */
  row: number;
  file: string;
}

export interface RealVector {
  schema: SchemaId;
  hex: string;
  capture: string;
  roundtrip: "SAME" | "DIFF" | "DECODE_ERR";
  /** Reference decode; empty for the messages XML cannot carry (NUL characters, facet violations). */
  xml: string;
  row: number;
  file: string;
}

export interface BenchVector {
  name: string;
  schema: SchemaId;
  hex: string;
}

export function parseFamily(family: string): { schema: SchemaId; fragment: boolean } {
  const fragment = family.endsWith("+frag");
  return { schema: (fragment ? family.slice(0, -5) : family) as SchemaId, fragment };
}

/** Oracle vectors grouped by family, smoke.tsv first then random/<family>.tsv. */
export function loadOracle(): Map<string, OracleVector[]> {
  const byFamily = new Map<string, OracleVector[]>();
  const files = ["oracle/smoke.tsv", ...listShared("vectors/oracle/random").filter((f) => f.endsWith(".tsv")).map((f) => `oracle/random/${f}`)];
  for (const file of files) {
    const rows = readSharedTsv(`vectors/${file}`);
    rows.forEach((cols, index) => {
      const [family, name, hex, xml] = cols;
      const { schema, fragment } = parseFamily(family);
      const list = byFamily.get(family) ?? [];
      if (list.length === 0) byFamily.set(family, list);
      list.push({ family, schema, fragment, name, hex, xml: xml ?? "", row: index + 1, file });
    });
  }
  return byFamily;
}

/** Real-traffic messages grouped by schema (one file per schema). */
export function loadReal(): Map<SchemaId, RealVector[]> {
  const bySchema = new Map<SchemaId, RealVector[]>();
  for (const f of listShared("vectors/real").filter((name) => name.endsWith(".tsv"))) {
    const file = `real/${f}`;
    const list: RealVector[] = [];
    readSharedTsv(`vectors/${file}`).forEach((cols, index) => {
      const [schema, hex, capture, roundtrip, xml] = cols;
      list.push({ schema: schema as SchemaId, hex, capture, roundtrip: roundtrip as RealVector["roundtrip"], xml: xml ?? "", row: index + 1, file });
    });
    if (list.length > 0) bySchema.set(list[0].schema, list);
  }
  return bySchema;
}

export function loadBenchSet(): BenchVector[] {
  return readSharedTsv("vectors/bench_set.tsv").map(([name, schema, hex]) => ({ name, schema: schema as SchemaId, hex }));
}

/**
 * Inside XS only a representative subset runs (the whole corpus would take many minutes):
 * every `step`-th item, always including the first and the last, at most about `target` items.
 * On Node: everything.
 */
export function sample<T>(items: T[], target: number): { items: T[]; step: number } {
  if (engine !== "xs" || items.length <= target) return { items, step: 1 };
  const step = Math.ceil(items.length / target);
  const out = items.filter((_, k) => k % step === 0);
  if (out[out.length - 1] !== items[items.length - 1]) out.push(items[items.length - 1]);
  return { items: out, step };
}

/** Every n-th item (on every engine), at most about `target` of them. */
export function every<T>(items: T[], target: number): T[] {
  if (items.length <= target) return items;
  const step = Math.ceil(items.length / target);
  return items.filter((_, k) => k % step === 0);
}

/** "321 vectors" on Node, "33 of 321 vectors (every 10th)" inside XS. */
export function countLabel(taken: number, total: number, step: number, noun = "vectors"): string {
  return step === 1 ? `${total} ${noun}` : `${taken} of ${total} ${noun} (every ${step}th)`;
}
