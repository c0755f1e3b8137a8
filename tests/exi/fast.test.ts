// The generated code of the charging-loop messages (modules/exi/generated/<family>/fast.ts)
// against the table interpreter: the same object from every real-traffic message and oracle
// vector, the same bytes from every decoded message, the same error from objects and streams
// that do not fit; and it does handle the loop messages (it does not just give up on them).
// Inside XS a subset of each schema runs.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Decoder, Encoder } from "../../modules/exi/codec";
import { ExiError } from "../../modules/exi/error";
import { grammarOf, type SchemaId } from "../../modules/exi/schemas";
import type { Grammar } from "../../modules/exi/tables";
import { loadOracle, loadReal, sample } from "../support/exi-vectors";
import { hasShared, sharedSkip } from "../support/shared";

const FAST: readonly SchemaId[] = ["din", "iso2", "iso20-dc", "iso20-ac"];
const XS_PER_SCHEMA = 40;
/** The messages each family generates code for (tools/exigen/fast.ts HOT_MESSAGES): the charger decodes the request, encodes the response. */
const LOOP: Readonly<Record<string, { request: RegExp; response: RegExp }>> = {
  din: { request: /^CurrentDemandReq$/, response: /^CurrentDemandRes$/ },
  iso2: { request: /^(CurrentDemandReq|ChargingStatusReq)$/, response: /^(CurrentDemandRes|ChargingStatusRes)$/ },
  "iso20-dc": { request: /^DC_ChargeLoopReq$/, response: /^DC_ChargeLoopRes$/ },
  "iso20-ac": { request: /^AC_ChargeLoopReq$/, response: /^AC_ChargeLoopRes$/ },
};

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += (x < 16 ? "0" : "") + x.toString(16);
  return s;
}

/** The family's grammar, and the same without its generated code (the interpreter alone). */
function grammars(schema: SchemaId): { g: Grammar; plain: Grammar } {
  const g = grammarOf(schema)!;
  assert.ok(g.fast, `${schema} has generated code`);
  return { g, plain: Object.freeze({ ...g, fast: undefined }) };
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

/** The message's name (the root, or the body element inside V2G_Message), and whether it carries what is left to the interpreter: a signature, a -20 Receipt (arrays). */
function message(doc: Record<string, unknown>): { name: string; regular: boolean } {
  const root = Object.keys(doc)[0];
  const v2g = doc.V2G_Message as { Header?: Record<string, unknown>; Body?: Record<string, unknown> } | undefined;
  const name = root === "V2G_Message" && v2g?.Body ? Object.keys(v2g.Body)[0] ?? "" : root;
  const content = (v2g?.Body ? v2g.Body[name] : doc[root]) as Record<string, unknown> | undefined;
  const header = (v2g ? v2g.Header : content?.Header) as Record<string, unknown> | undefined;
  return { name, regular: header?.Signature === undefined && content?.Receipt === undefined };
}

describe("generated code of the loop messages (fast.ts) = the table interpreter", { skip: sharedSkip() }, () => {
  const real = hasShared() ? loadReal() : new Map();
  const oracle = hasShared() ? [...loadOracle().values()].flat().filter((v) => !v.fragment) : [];

  for (const schema of FAST) {
    test(`${schema}: same objects and bytes for real traffic and vectors; the loop messages take the generated code`, (t) => {
      const { g, plain } = grammars(schema);
      const rows = [...(real.get(schema) ?? []).map((v: { hex: string }) => ({ hex: v.hex, real: true })), ...oracle.filter((v) => v.schema === schema).map((v) => ({ hex: v.hex, real: false }))];
      const { items } = sample(rows, XS_PER_SCHEMA);
      const fast = new Decoder(), slow = new Decoder();
      const fastEnc = new Encoder(), slowEnc = new Encoder();
      const loop = LOOP[schema];
      const missed: string[] = [];
      let requests = 0, responses = 0;
      for (const { hex, real: isReal } of items) {
        const bytes = fromHex(hex);
        const a = outcome(() => fast.decode(g, bytes, false));
        const b = outcome(() => slow.decode(plain, bytes, false));
        assert.deepEqual(a, b, `decode ${hex}`);
        const doc = (b as { ok?: Record<string, unknown> }).ok;
        if (!doc) continue;
        const x = outcome(() => toHex(fastEnc.encode(g, doc, false, false)));
        const y = outcome(() => toHex(slowEnc.encode(plain, doc, false, false)));
        assert.deepEqual(x, y, `encode ${hex}`);
        // a regular loop message of real traffic takes the generated code (no fallback)
        const { name, regular } = message(doc);
        if (!isReal || !regular) continue;
        if (loop.request.test(name)) {
          requests++;
          slow.reset(g, bytes);
          const handled = outcome(() => g.fast!.decode(slow) !== undefined);
          if ((handled as { ok?: boolean }).ok !== true) missed.push(`decode ${name} ${hex}`);
        }
        if (loop.response.test(name)) {
          responses++;
          slowEnc.reset(g);
          const handled = outcome(() => g.fast!.encode(slowEnc, doc));
          if ((handled as { ok?: boolean }).ok !== true) missed.push(`encode ${name} ${hex}`);
        }
      }
      t.diagnostic(`${schema}: ${items.length} messages the same; the generated code took ${requests} loop requests and ${responses} loop responses of real traffic`);
      assert.deepEqual(missed, []);
    });
  }

  test("objects that do not fit: the interpreter's error, not the generated code's guess", () => {
    const { g, plain } = grammars("din");
    const pv = (Value: unknown, Unit: unknown = "V", Multiplier: unknown = 0) => ({ Multiplier, Unit, Value });
    const res = (over: Record<string, unknown>) => ({
      V2G_Message: {
        Header: { SessionID: new Uint8Array(8) },
        Body: {
          CurrentDemandRes: {
            ResponseCode: "OK",
            DC_EVSEStatus: { EVSEIsolationStatus: "Valid", EVSEStatusCode: "EVSE_Ready", NotificationMaxDelay: 0, EVSENotification: "None" },
            EVSEPresentVoltage: pv(400),
            EVSEPresentCurrent: pv(100, "A"),
            EVSECurrentLimitAchieved: false,
            EVSEVoltageLimitAchieved: false,
            EVSEPowerLimitAchieved: false,
            ...over,
          },
        },
      },
    });
    const cases: Record<string, unknown>[] = [
      {},
      { EVSEMaximumVoltageLimit: pv(500) },
      { EVSEPresentVoltage: pv(40000) }, // beyond xs:short
      { EVSEPresentVoltage: pv(1.5) },
      { EVSEPresentVoltage: pv(400, "Volt") },
      { EVSEPresentVoltage: pv(400, "V", 4) }, // Multiplier −3..3
      { EVSEPresentVoltage: { ...pv(400), Extra: 1 } },
      { EVSEPresentVoltage: { ...pv(400), $content: [] } },
      { EVSEPresentVoltage: { Unit: "V", Value: 400 } }, // Multiplier missing
      { EVSEPresentVoltage: [pv(400)] },
      { EVSEPresentVoltage: undefined },
      { EVSECurrentLimitAchieved: 0 },
      { ResponseCode: "Nope" },
      { ResponseCode: { $type: { ns: "", name: "x" } } },
      { Unknown: true },
      { EVSEMaximumPowerLimit: pv(1, "W"), EVSEMaximumVoltageLimit: pv(2) }, // keys out of order: same bytes
    ];
    const fastEnc = new Encoder(), slowEnc = new Encoder();
    for (const over of cases) {
      const doc = res(over);
      for (const checkFacets of [true, false]) {
        const a = outcome(() => toHex(fastEnc.encode(g, doc, false, checkFacets)));
        const b = outcome(() => toHex(slowEnc.encode(plain, doc, false, checkFacets)));
        assert.deepEqual(a, b, `${JSON.stringify(Object.keys(over))} checkFacets ${checkFacets}`);
      }
    }
    // no Header, no Body, two roots
    for (const doc of [{ V2G_Message: { Body: {} } }, { V2G_Message: {} }, { V2G_Message: res({}).V2G_Message, Other: 1 }]) {
      assert.deepEqual(outcome(() => fastEnc.encode(g, doc, false)), outcome(() => slowEnc.encode(plain, doc, false)));
    }
  });

  test("broken streams: the interpreter's result or error", () => {
    for (const schema of FAST) {
      const { g, plain } = grammars(schema);
      const rows = [...(real.get(schema) ?? [])].map((v) => fromHex(v.hex as string));
      const loop = rows.filter((b) => {
        const d = new Decoder();
        d.reset(g, b);
        try {
          return g.fast!.decode(d) !== undefined;
        } catch {
          return false;
        }
      });
      const fast = new Decoder(), slow = new Decoder();
      for (const bytes of loop.slice(0, 3)) {
        for (let cut = 1; cut < bytes.length; cut++) {
          const b = bytes.subarray(0, cut);
          assert.deepEqual(outcome(() => fast.decode(g, b, false)), outcome(() => slow.decode(plain, b, false)), `${schema} cut ${cut}`);
        }
        for (let bit = 8; bit < bytes.length * 8; bit++) {
          const b = bytes.slice();
          b[bit >> 3] ^= 0x80 >> (bit & 7);
          assert.deepEqual(outcome(() => fast.decode(g, b, false)), outcome(() => slow.decode(plain, b, false)), `${schema} bit ${bit}`);
        }
      }
    }
  });
});
