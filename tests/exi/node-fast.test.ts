// @node-only
// The Node host's generated codecs (hosts/sim/exi-fast: every message of every family, both
// ways, registered with createExiCodec({ fast })) against the table interpreter: the same object
// from every real-traffic message and oracle vector, the same bytes from every decoded message,
// the same error from streams and objects that do not fit. Node only: XS and the firmware never
// load that code (modules/exi keeps its loop messages only, for flash).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Decoder, Encoder } from "../../modules/exi/codec";
import { createExiCodec, ExiError, type FastCodec } from "../../modules/exi/index";
import { grammarOf, type SchemaId } from "../../modules/exi/schemas";
import type { Grammar } from "../../modules/exi/tables";
import { NODE_FAST } from "../../hosts/sim/exi-fast/index";
import { loadBenchSet, loadOracle, loadReal } from "../support/exi-vectors";
import { hasShared, sharedSkip } from "../support/shared";
import { fromHex as hexBytes, toHex } from "../../modules/common/bytes";

function fromHex(hex: string): Uint8Array {
  return hexBytes(hex)!;
}

/** The result or the error (reason and message) of `f`. */
function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (e) {
    assert.ok(e instanceof ExiError, `not an ExiError: ${String(e)}`);
    return { reason: e.reason, message: e.message };
  }
}

/** The family's grammar without any generated code (the interpreter alone). */
function plain(schema: SchemaId): Grammar {
  return Object.freeze({ ...grammarOf(schema)!, fast: undefined });
}

/** Whether the host's code handles `bytes` itself (no fallback to the interpreter). */
function handles(fast: FastCodec, g: Grammar, bytes: Uint8Array): boolean {
  const d = new Decoder();
  d.reset(g, bytes);
  try {
    return fast.decode(d) !== undefined;
  } catch {
    return false;
  }
}

const SCHEMAS = Object.keys(NODE_FAST) as SchemaId[];

describe("the Node host's generated codecs (hosts/sim/exi-fast) = the table interpreter", { skip: sharedSkip() }, () => {
  const real = hasShared() ? loadReal() : new Map();
  const oracle = hasShared() ? [...loadOracle().values()].flat().filter((v) => !v.fragment) : [];

  test("every family with messages has them", () => {
    assert.deepEqual(SCHEMAS.slice().sort(), ["apphand", "din", "iso2", "iso20-ac", "iso20-acdp", "iso20-cm", "iso20-dc", "iso20-wpt"]);
  });

  for (const schema of SCHEMAS) {
    test(`${schema}: same objects and bytes for all real traffic and vectors`, (t) => {
      const g = grammarOf(schema)!, p = plain(schema), fast = NODE_FAST[schema]!;
      const rows = [...(real.get(schema) ?? []).map((v: { hex: string }) => v.hex), ...oracle.filter((v) => v.schema === schema).map((v) => v.hex)];
      const hostDec = new Decoder(), slow = new Decoder();
      const hostEnc = new Encoder(), slowEnc = new Encoder();
      let decoded = 0, encoded = 0;
      for (const hex of rows) {
        const bytes = fromHex(hex);
        const a = outcome(() => hostDec.decode(g, bytes, false, fast));
        const b = outcome(() => slow.decode(p, bytes, false));
        assert.deepEqual(a, b, `decode ${hex}`);
        if (handles(fast, g, bytes)) decoded++;
        const doc = (b as { ok?: Record<string, unknown> }).ok;
        if (!doc) continue;
        for (const checkFacets of [true, false]) {
          const x = outcome(() => toHex(hostEnc.encode(g, doc, false, checkFacets, fast)));
          const y = outcome(() => toHex(slowEnc.encode(p, doc, false, checkFacets)));
          assert.deepEqual(x, y, `encode ${hex} checkFacets ${checkFacets}`);
        }
        slowEnc.reset(g);
        try {
          if (fast.encode(slowEnc, doc)) encoded++;
        } catch {
          // the interpreter's
        }
      }
      t.diagnostic(`${schema}: ${rows.length} messages the same; the generated code decoded ${decoded} and encoded ${encoded} itself`);
      assert.ok(rows.length === 0 || decoded > 0);
    });
  }

  test("broken streams: the interpreter's result or error", () => {
    for (const schema of SCHEMAS) {
      const g = grammarOf(schema)!, p = plain(schema), fast = NODE_FAST[schema]!;
      // a few messages of each name the generated code handles
      const byName = new Map<string, Uint8Array>();
      for (const v of [...(real.get(schema) ?? []), ...oracle.filter((o) => o.schema === schema)]) {
        const bytes = fromHex(v.hex as string);
        if (bytes.length > 200 || !handles(fast, g, bytes)) continue;
        const doc = new Decoder().decode(p, bytes, false) as { V2G_Message?: { Body?: object } };
        const name = Object.keys(doc.V2G_Message?.Body ?? doc)[0];
        if (!byName.has(name)) byName.set(name, bytes);
      }
      const hostDec = new Decoder(), slow = new Decoder();
      for (const bytes of [...byName.values()].slice(0, 6)) {
        for (let cut = 1; cut < bytes.length; cut++) {
          const b = bytes.subarray(0, cut);
          assert.deepEqual(outcome(() => hostDec.decode(g, b, false, fast)), outcome(() => slow.decode(p, b, false)), `${schema} cut ${cut}`);
        }
        for (let bit = 8; bit < bytes.length * 8; bit++) {
          const b = bytes.slice();
          b[bit >> 3] ^= 0x80 >> (bit & 7);
          assert.deepEqual(outcome(() => hostDec.decode(g, b, false, fast)), outcome(() => slow.decode(p, b, false)), `${schema} bit ${bit}`);
        }
      }
    }
  });

  test("objects that do not fit: the interpreter's error", () => {
    const g = grammarOf("iso2")!, p = plain("iso2"), fast = NODE_FAST.iso2!;
    const req = (over: Record<string, unknown>) => ({
      V2G_Message: { Header: { SessionID: new Uint8Array(8) }, Body: { SessionSetupReq: { EVCCID: new Uint8Array(6), ...over } } },
    });
    const cases: Record<string, unknown>[] = [{}, { EVCCID: new Uint8Array(7) }, { EVCCID: "00" }, { Extra: 1 }, { EVCCID: undefined }, { $content: [] }];
    const hostEnc = new Encoder(), slowEnc = new Encoder();
    for (const over of cases) {
      const doc = req(over);
      for (const checkFacets of [true, false]) {
        assert.deepEqual(outcome(() => toHex(hostEnc.encode(g, doc, false, checkFacets, fast))), outcome(() => toHex(slowEnc.encode(p, doc, false, checkFacets))), JSON.stringify(Object.keys(over)));
      }
    }
  });

  test("createExiCodec({ fast }) gives the same bytes and objects for every bench_set message", () => {
    const host = createExiCodec({ fast: NODE_FAST }), device = createExiCodec();
    for (const { name, schema, hex } of loadBenchSet()) {
      const bytes = fromHex(hex);
      const doc = device.decode(schema, bytes);
      assert.deepEqual(host.decode(schema, bytes), doc, name);
      assert.equal(toHex(host.encode(schema, doc)), toHex(device.encode(schema, doc)), name);
    }
  });
});
