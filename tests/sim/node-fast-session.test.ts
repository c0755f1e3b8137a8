// @node-only — the Node host's generated codecs (hosts/sim/exi-fast) in whole simulated
// sessions: registered with SimulationOptions.exiFast (as `xs15118 sim` does; `secc` and `evcc`
// pass the same option to their stations), both stations' codecs go through them, and every
// frame on the wire is the one the built-in codec gives.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runSimulation, type SimulationOptions } from "../../simulation/session/simulation";
import { runDirectSimulation } from "../../simulation/session/direct-iso20";
import { NODE_FAST } from "../../hosts/sim/exi-fast/index";
import type { FastCodec, SchemaId } from "../../modules/exi/index";
import { toHex } from "../../modules/common/index";

/** NODE_FAST with each call counted: messages its code handled (not declined to the interpreter). */
function counted(): { fast: { [schema in SchemaId]?: FastCodec }; handled: { decode: number; encode: number } } {
  const handled = { decode: 0, encode: 0 };
  const fast: { [schema in SchemaId]?: FastCodec } = {};
  for (const [schema, codec] of Object.entries(NODE_FAST) as [SchemaId, FastCodec][]) {
    fast[schema] = {
      decode(d) {
        const v = codec.decode(d);
        if (v !== undefined) handled.decode++;
        return v;
      },
      encode(e, doc) {
        const ok = codec.encode(e, doc);
        if (ok) handled.encode++;
        return ok;
      },
    };
  }
  return { fast, handled };
}

function frames(options: SimulationOptions): { hex: string[]; messages: number; ok: boolean } {
  const hex: string[] = [];
  const summary = runSimulation({ capacityKWh: 5, startSoc: 70, targetSoc: 72, epochMs: Date.UTC(2026, 11, 2), ...options, onFrame: (t, f) => hex.push(`${t} ${toHex(f)}`) });
  assert.equal(summary.ok, true, `${summary.outcome} ${summary.detail ?? ""} ${summary.errors.join("; ")}`);
  return { hex, messages: summary.messages, ok: summary.ok };
}

for (const [protocol, transfer] of [["din", "dc"], ["iso2", "dc"], ["iso2", "ac"], ["iso20", "dc"], ["iso20", "ac"]] as const) {
  test(`${protocol} ${transfer}: both stations use the Node host's generated codecs, and every frame is the built-in codec's`, () => {
    const builtIn = frames({ protocol, transfer });
    const { fast, handled } = counted();
    const generated = frames({ protocol, transfer, exiFast: fast });
    // every V2G message (SAP included) is encoded by one station and decoded by the other, all
    // through the generated code
    assert.ok(builtIn.messages > 10, `${builtIn.messages} messages`);
    assert.equal(handled.encode, generated.messages, "every message encoded by the generated code");
    assert.equal(handled.decode, generated.messages, "every message decoded by the generated code");
    assert.equal(generated.hex.length, builtIn.hex.length);
    for (let i = 0; i < builtIn.hex.length; i++) assert.equal(generated.hex[i], builtIn.hex[i], `frame ${i}`);
  });
}

test("the -20 direct link (MCS): both connections use the Node host's generated codecs", () => {
  // (its SessionID is random, so its frames differ from run to run: byte identity is the
  // sessions' above and tests/exi/node-fast.test.ts's)
  const { fast, handled } = counted();
  const summary = runDirectSimulation({ service: "mcs", capacityKWh: 100, startSoc: 70, targetSoc: 71, exiFast: fast });
  assert.equal(summary.ok, true, `${summary.outcome} ${summary.errors.join("; ")}`);
  assert.ok(summary.messages > 10, `${summary.messages} messages`);
  assert.equal(handled.encode, summary.messages, "every message encoded by the generated code");
  assert.equal(handled.decode, summary.messages, "every message decoded by the generated code");
});
