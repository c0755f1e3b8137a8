// Robustness of the EXI decoder against hostile input: truncations, random bytes, bit flips
// and byte edits of real messages, huge declared lengths and counts, repeated slices, splices,
// wrong schemas, and element nesting far beyond the limit. Every input must decode or throw
// ExiError (nothing else), each within a time bound. A decoded result must re-encode or throw
// ExiError. Deterministic: a fixed PRNG seed; XS runs a smaller count.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decode, decodeFragment, encode, encodeFragment, ExiError, limits, SCHEMA_IDS, type SchemaId } from "../../modules/exi/index";
import { fromXmlTree } from "../../tools/exi-xml/convert";
import { parseXml, serializeXml, XmlError } from "../../tools/exi-xml/xml";
import { diffXml } from "../support/xml-infoset";
import { fromHex } from "../../modules/common/index";
import { every, loadOracle, loadReal } from "../support/exi-vectors";
import { describeError } from "../support/exi-check";
import { BYTE_MUTATORS as MUTATORS } from "../../tools/fuzz/mutators";
import { int, prng } from "../../tools/fuzz/random";
import { exiSeeds } from "../../tools/fuzz/layers-session";
import { engine, hasShared, sharedSkip } from "../support/shared";

const SEED = 0x15118;
const INPUTS = engine === "xs" ? 3000 : 100000;
/** No single decode (plus re-encode of its result) may take longer than this. */
const PER_INPUT_MS = engine === "xs" ? 500 : 50;
/** The whole run (Node); the brief allows 60 s, a normal run takes a fraction. */
const TOTAL_MS = engine === "xs" ? 120000 : 60000;
/** Seeds whose every prefix is decoded. */
const TRUNCATION_SEEDS = engine === "xs" ? 10 : 150;

const now: () => number = (() => {
  const p = (globalThis as { performance?: { now(): number } }).performance;
  return p ? () => p.now() : () => Date.now();
})();

interface Seed {
  schema: SchemaId;
  fragment: boolean;
  bytes: Uint8Array;
}

/** Real messages and oracle vectors of every family: the material the mutators start from (shared with `npm run fuzz -- --layer exi`). */
const seeds = (): Seed[] => exiSeeds(engine === "xs");

interface Finding {
  what: string;
  schema: string;
  hex: string;
}

function hexOf(bytes: Uint8Array, max = 80): string {
  let s = "";
  for (let i = 0; i < Math.min(bytes.length, max); i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return bytes.length > max ? `${s}…(${bytes.length} bytes)` : s;
}

/** Decode (and re-encode a success); returns a finding for anything but a result or ExiError. */
function probe(schema: SchemaId, fragment: boolean, bytes: Uint8Array): { finding?: string; decoded: boolean; reason?: string } {
  let doc: object;
  try {
    doc = fragment ? decodeFragment(schema, bytes) : decode(schema, bytes);
  } catch (error) {
    if (error instanceof ExiError) {
      if (!(error.position >= -1)) return { finding: `ExiError without a position: ${error.message}`, decoded: false };
      return { decoded: false, reason: error.reason };
    }
    return { finding: `decode threw ${describeError(error)}`, decoded: false };
  }
  try {
    if (fragment) encodeFragment(schema, doc);
    else encode(schema, doc);
  } catch (error) {
    if (!(error instanceof ExiError)) return { finding: `re-encoding a decoded result threw ${describeError(error)}`, decoded: true };
  }
  return { decoded: true };
}

function timedProbe(schema: SchemaId, fragment: boolean, bytes: Uint8Array, slow: Finding[], findings: Finding[], reasons: Map<string, number>): void {
  const t0 = now();
  const r = probe(schema, fragment, bytes);
  let ms = now() - t0;
  if (ms > PER_INPUT_MS) {
    // Rule out a GC pause or a scheduler hiccup: the best of three must still be slow.
    for (let k = 0; k < 2 && ms > PER_INPUT_MS; k++) {
      const t1 = now();
      probe(schema, fragment, bytes);
      ms = Math.min(ms, now() - t1);
    }
    if (ms > PER_INPUT_MS) slow.push({ what: `${ms.toFixed(1)} ms`, schema, hex: hexOf(bytes) });
  }
  if (r.finding) findings.push({ what: r.finding, schema: `${schema}${fragment ? "+frag" : ""}`, hex: hexOf(bytes) });
  const key = r.decoded ? "decoded" : (r.reason ?? "?");
  reasons.set(key, (reasons.get(key) ?? 0) + 1);
}

function summary(list: Finding[]): string {
  return list
    .slice(0, 5)
    .map((f) => `${f.schema} ${f.hex}: ${f.what}`)
    .join("\n  ");
}

describe("EXI decoder robustness (fuzz)", { skip: sharedSkip() }, () => {
  const corpus = hasShared() ? seeds() : [];

  test(`${INPUTS} mutated inputs (seed ${SEED}): decode returns or throws ExiError, each within ${PER_INPUT_MS} ms`, (t) => {
    const rnd = prng(SEED);
    const findings: Finding[] = [];
    const slow: Finding[] = [];
    const reasons = new Map<string, number>();
    const perMutator = new Map<string, number>();
    const start = now();
    for (let i = 0; i < INPUTS; i++) {
      const seed = corpus[int(rnd, corpus.length)];
      const other = corpus[int(rnd, corpus.length)].bytes;
      const [name, mutate] = MUTATORS[int(rnd, MUTATORS.length)];
      const bytes = mutate(seed.bytes, rnd, other);
      // One in 16 goes to another schema (or the other mode): a wrong guess of the namespace.
      const wrong = int(rnd, 16) === 0;
      const schema = wrong ? SCHEMA_IDS[int(rnd, SCHEMA_IDS.length)] : seed.schema;
      const fragment = wrong ? int(rnd, 2) === 0 : seed.fragment;
      perMutator.set(name, (perMutator.get(name) ?? 0) + 1);
      timedProbe(schema, fragment, bytes, slow, findings, reasons);
    }
    const total = now() - start;
    t.diagnostic(`${INPUTS} inputs from ${corpus.length} seeds in ${(total / 1000).toFixed(1)} s (${((total * 1000) / INPUTS).toFixed(0)} µs per input)`);
    t.diagnostic(`mutators: ${[...perMutator].map(([k, v]) => `${k} ${v}`).join(", ")}`);
    t.diagnostic(`outcomes: ${[...reasons].map(([k, v]) => `${k} ${v}`).join(", ")}`);
    assert.equal(findings.length, 0, `${findings.length} inputs made the decoder fail other than with ExiError:\n  ${summary(findings)}`);
    assert.equal(slow.length, 0, `${slow.length} inputs took longer than ${PER_INPUT_MS} ms:\n  ${summary(slow)}`);
    assert.ok(total < TOTAL_MS, `the run took ${total.toFixed(0)} ms`);
  });

  test(`every prefix of ${TRUNCATION_SEEDS} seeds (all truncation lengths): ExiError or a decode, within the time bound`, () => {
    const findings: Finding[] = [];
    const slow: Finding[] = [];
    const reasons = new Map<string, number>();
    for (const s of every(corpus, TRUNCATION_SEEDS)) {
      for (let n = 0; n < s.bytes.length; n++) timedProbe(s.schema, s.fragment, s.bytes.subarray(0, n), slow, findings, reasons);
    }
    assert.equal(findings.length, 0, summary(findings));
    assert.equal(slow.length, 0, summary(slow));
  });

  test("an empty input and a wrong header byte are refused with ExiError", () => {
    for (const schema of SCHEMA_IDS) {
      for (const bytes of [new Uint8Array(0), Uint8Array.of(0x00), Uint8Array.of(0x81, 0x00), Uint8Array.of(0xa0, 0x00), Uint8Array.of(0x80)]) {
        assert.throws(() => decode(schema, bytes), ExiError);
        assert.throws(() => decodeFragment(schema, bytes), ExiError);
      }
    }
  });
});

// The other direction, as `xs15118 exi encode --xml` and `exi batch` take it: mutated XML text must
// parse or throw XmlError, a parsed tree must map to a message object or throw ExiError, and the
// object must encode or throw ExiError.

const XML_INPUTS = engine === "xs" ? 1000 : 20000;
const MARKUP = `<>&;"'/=!?[]-:# x\u00e9\u{1F600}`;

function mutateXml(xml: string, rnd: () => number): string {
  const at = int(rnd, xml.length + 1);
  switch (int(rnd, 5)) {
    case 0:
      return xml.slice(0, at);
    case 1:
      return xml.slice(0, at) + xml.slice(Math.min(xml.length, at + 1 + int(rnd, 12)));
    case 2: {
      let insert = "";
      for (let k = 1 + int(rnd, 4); k > 0; k--) insert += MARKUP[int(rnd, MARKUP.length)];
      return xml.slice(0, at) + insert + xml.slice(at);
    }
    case 3: {
      // Move a tag: cut a "<…>" and paste it elsewhere (well-formedness often survives).
      const open = xml.indexOf("<", at);
      const close = open < 0 ? -1 : xml.indexOf(">", open);
      if (close < 0) return xml;
      const tag = xml.slice(open, close + 1);
      const rest = xml.slice(0, open) + xml.slice(close + 1);
      const to = int(rnd, rest.length + 1);
      return rest.slice(0, to) + tag + rest.slice(to);
    }
    default: {
      // Replace a text value between tags with something of another type.
      const gt = xml.indexOf(">", at);
      const lt = gt < 0 ? -1 : xml.indexOf("<", gt);
      if (lt < 0) return xml;
      const values = ["", "-1", "99999999999999999999999", "true", "zz", "0x10", " 5 ", "&amp;", "\u0000"];
      return xml.slice(0, gt + 1) + values[int(rnd, values.length)] + xml.slice(lt);
    }
  }
}

describe("XML input robustness (fuzz)", { skip: sharedSkip() }, () => {
  test(`${XML_INPUTS} mutated reference XML documents: XmlError, ExiError or a result — nothing else`, (t) => {
    const vectors: { schema: SchemaId; fragment: boolean; xml: string }[] = [];
    if (hasShared()) for (const [, list] of loadOracle()) for (const v of every(list, engine === "xs" ? 5 : 60)) vectors.push(v);
    const rnd = prng(SEED + 1);
    const findings: string[] = [];
    const outcomes = new Map<string, number>();
    const count = (k: string): void => {
      outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    };
    for (let i = 0; i < XML_INPUTS; i++) {
      const v = vectors[int(rnd, vectors.length)];
      const text = mutateXml(v.xml, rnd);
      let stage = "parse";
      try {
        const tree = parseXml(text);
        stage = "serialize";
        const again = diffXml(tree, parseXml(serializeXml(tree)));
        if (again.length > 0) findings.push(`serialize → parse changed ${JSON.stringify(text.slice(0, 120))}`);
        stage = "fromXmlTree";
        const doc = fromXmlTree(v.schema, tree, { fragment: v.fragment });
        stage = "encode";
        if (v.fragment) encodeFragment(v.schema, doc);
        else encode(v.schema, doc);
        count("encoded");
      } catch (error) {
        const expected = stage === "parse" ? error instanceof XmlError : error instanceof ExiError;
        if (!expected) findings.push(`${stage} threw ${describeError(error)} for ${JSON.stringify(text.slice(0, 160))}`);
        else count(`${stage}: ${(error as ExiError | XmlError).reason}`);
      }
    }
    t.diagnostic(`outcomes: ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(", ")}`);
    assert.deepEqual(findings.slice(0, 5), [], `${findings.length} of ${XML_INPUTS}`);
  });
});

// Nesting: ds:Object's mixed ##any content takes a declared global ds:Object, so an Object in an
// Object in an Object … is schema-valid at any depth. The encoder builds BASE_DEPTH levels; the decoder's
// input is then stretched to thousands of levels by repeating the bit periods of the opening
// and closing runs (each level adds the same bits), far beyond the decoder's nesting limit.

const DS = "http://www.w3.org/2000/09/xmldsig#";

function nestedObject(depth: number): object {
  let value: object = { $content: ["x"] };
  for (let i = 1; i < depth; i++) value = { $content: [{ $wildcard: { ns: DS, name: "Object", value } }] };
  return { Object: value };
}

function toBits(bytes: Uint8Array): number[] {
  const bits: number[] = [];
  for (const b of bytes) for (let k = 7; k >= 0; k--) bits.push((b >> k) & 1);
  return bits;
}

function fromBits(bits: number[]): Uint8Array {
  const out = new Uint8Array((bits.length + 7) >> 3);
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[i >> 3] |= 0x80 >> (i & 7);
  return out;
}

/** Runs of `bits` with period p (the smallest p that repeats ≥ 20 times; at most two runs). */
function periodicRuns(bits: number[]): { start: number; end: number; period: number }[] {
  const runs: { start: number; end: number; period: number }[] = [];
  for (let p = 1; p <= 64; p++) {
    let i = 0;
    while (i + p < bits.length) {
      let j = i;
      while (j + p < bits.length && bits[j] === bits[j + p]) j++;
      if (j - i >= 20 * p) runs.push({ start: i, end: j + p, period: p });
      i = j + 1;
    }
    if (runs.length >= 2) break;
  }
  return runs.sort((a, b) => a.start - b.start);
}

function stretch(bits: number[], runs: { start: number; period: number }[], times: number): number[] {
  let out = bits.slice();
  // From the last run backwards, so earlier positions stay valid.
  for (const run of runs.slice().sort((a, b) => b.start - a.start)) {
    const unit = out.slice(run.start, run.start + run.period);
    const insert: number[] = [];
    for (let k = 0; k < times; k++) insert.push(...unit);
    out = [...out.slice(0, run.start), ...insert, ...out.slice(run.start)];
  }
  return out;
}

/**
 * Levels the base stream is built with. The encoder keeps an explicit frame stack, so inside
 * XS too it builds documents up to MAX_DEPTH (once it recursed and overflowed the XS stack at
 * about 35–40 levels).
 */
const BASE_DEPTH = 30;

describe("deep nesting", () => {
  test("the encoder builds MAX_DEPTH levels (also inside XS) and refuses deeper documents with ExiError (exi-limit), not by a stack overflow", () => {
    const ok = encodeFragment("xmldsig", nestedObject(limits.MAX_DEPTH));
    assert.ok(decodeFragment("xmldsig", ok));
    for (const depth of [limits.MAX_DEPTH + 1, 5000]) assert.throws(() => encodeFragment("xmldsig", nestedObject(depth)), (e: unknown) => e instanceof ExiError && e.reason === "exi-limit");
  });

  test("a stream nested thousands of levels deep is refused with ExiError (exi-limit), quickly", () => {
    const base = encodeFragment("xmldsig", nestedObject(BASE_DEPTH));
    assert.ok(decodeFragment("xmldsig", base));
    const bits = toBits(base);
    const runs = periodicRuns(bits);
    assert.ok(runs.length >= 1, "the opening and closing runs repeat with a fixed period");
    for (const extra of [40, 1000, engine === "xs" ? 3000 : 20000]) {
      const deep = fromBits(stretch(bits, runs, extra));
      const t0 = now();
      let reason = "decoded";
      try {
        decodeFragment("xmldsig", deep);
      } catch (error) {
        assert.ok(error instanceof ExiError, `${extra} more levels: ${describeError(error)}`);
        reason = error.reason;
      }
      const ms = now() - t0;
      assert.ok(ms < PER_INPUT_MS * 4, `${extra} more levels took ${ms.toFixed(1)} ms`);
      assert.equal(reason, "exi-limit", `${extra} more levels (${deep.length} bytes)`);
    }
  });
});
