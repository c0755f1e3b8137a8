// @node-only — reads every capture in ../shared/captures through hosts/sim/pcap (heavy).
// Replay: real chargers' responses, in order, to our EVCC; it must send the request type the
// real car sent at each point (see replay.ts for how the car's own decisions are followed).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readCapture } from "../../../simulation/pcap/read";
import { extractV2gSessions } from "../../../hosts/sim/pcap/dissect";
import { SHARED_DIR, sharedSkip } from "../../support/shared";
import { pairsOf, replay } from "./replay";
import type { ReplayResult } from "./replay";

const CAPTURES = `${SHARED_DIR}/captures`;

function captureFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(pcap|pcapng|dump)$/.test(e.name)) out.push(p);
    }
  };
  walk(CAPTURES);
  return out.sort();
}

const results: { file: string; index: number; r: ReplayResult }[] = [];

describe("EVCC replay against real chargers' responses (../shared/captures)", { skip: sharedSkip() }, () => {
  for (const file of captureFiles()) {
    const name = path.relative(CAPTURES, file);
    test(name, () => {
      const sessions = extractV2gSessions(readCapture(new Uint8Array(fs.readFileSync(file))));
      for (const s of sessions) {
        const schema = s.sap?.schema;
        if (s.tls || (schema !== "din" && schema !== "iso2")) continue;
        const pairs = pairsOf(s.messages, schema);
        if (pairs.length < 2) continue;
        const r = replay(schema, pairs);
        results.push({ file: name, index: s.index, r });
        if (r.skipped) continue;
        if (r.mismatch) {
          // Every difference must be one the replay recognises and explains.
          assert.ok(r.deviations.length > 0, `session ${s.index}: at #${r.mismatch.index} the car sent ${r.mismatch.car}, our EVCC ${r.mismatch.ours}`);
        } else {
          assert.equal(r.matched + r.carOnly, r.total, `session ${s.index}`);
        }
      }
    });
  }

  test("summary: most real sessions replay request for request, across car models, DIN and ISO-2, AC and DC", (t) => {
    const replayed = results.filter((x) => !x.r.skipped);
    const full = replayed.filter((x) => !x.r.mismatch);
    const kinds = new Set(full.map((x) => `${x.r.protocol} ${x.r.mode.indexOf("AC") === 0 ? "AC" : "DC"}`));
    assert.ok(replayed.length >= 90, `${replayed.length} sessions replayed`);
    assert.ok(full.length / replayed.length >= 0.9, `${full.length}/${replayed.length} fully matched`);
    assert.deepEqual([...kinds].sort(), ["din DC", "iso2 AC", "iso2 DC"]);
    const messages = full.reduce((n, x) => n + x.r.matched, 0);
    assert.ok(messages > 10_000, `${messages} requests reproduced`);
    t.diagnostic(`${full.length}/${replayed.length} sessions matched request for request (${messages} requests); ${replayed.length - full.length} end in an explained deviation`);
  });
});
