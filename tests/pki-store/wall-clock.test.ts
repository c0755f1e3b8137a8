// Certificate validity against the station's wall clock (modules/common/wall-clock.ts): the
// store reads the date from it, an expired or not-yet-valid chain is refused once the date is
// known, and while no trusted time is known the chain is checked without its dates — accepted
// when everything else holds, with `datesChecked: false` and a warning — never refused for it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { NobleCrypto } from "../../hosts/portable-crypto/index";
import { seededEntropy } from "../support/seeded-entropy";
import { createTestPki } from "../../hosts/sim/pki/test-pki";
import { MemoryPkiStorage, PkiStore } from "../../modules/pki-store/index";
import { ManualClock } from "../../modules/common/manual-clock";
import { SettableWallClock } from "../../modules/common/wall-clock";

const NOW = Date.UTC(2026, 5, 1) / 1000;
const DAY = 86_400;
const crypto = new NobleCrypto({ entropy: seededEntropy(11) });
const entities = createTestPki({ crypto, profile: "iso2", now: NOW, only: ["secc"] });
const chain = entities.get("secc")!.chain!.map((name) => entities.get(name)!.der);

function store() {
  const clock = new ManualClock();
  const wall = new SettableWallClock({ clock });
  const warnings: string[] = [];
  const pki = new PkiStore({ storage: new MemoryPkiStorage(), crypto, wall, logger: { log: (level, _source, message) => level === "warn" && warnings.push(message) } });
  pki.addTrustAnchor("v2g", entities.get("v2g-root")!.der);
  return { clock, wall, warnings, pki };
}

test("given the wall clock within the leaf's validity, then the SECC chain validates with its dates checked", () => {
  const s = store();
  s.wall.set(NOW * 1000, "ntp");
  const result = s.pki.validate(chain, "secc");
  assert.ok(result.ok && result.datesChecked, JSON.stringify(result));
  assert.deepEqual(s.warnings, []);
});

test("given the wall clock past the leaf's end (60 days), then expired; before its start, not-yet-valid", () => {
  const s = store();
  s.wall.set((NOW + 61 * DAY) * 1000, "ntp");
  const late = s.pki.validate(chain, "secc");
  assert.equal(late.ok ? "ok" : late.failure, "expired");
  const t = store();
  t.wall.set((NOW - 2 * DAY) * 1000, "backend");
  const early = t.pki.validate(chain, "secc");
  assert.equal(early.ok ? "ok" : early.failure, "not-yet-valid");
});

test("the date moves on with the monotonic clock: valid at set, expired once 61 days have run", () => {
  const s = store();
  s.wall.set(NOW * 1000, "rtc");
  assert.ok(s.pki.validate(chain, "secc").ok);
  s.clock.advance(61 * DAY * 1000);
  const result = s.pki.validate(chain, "secc");
  assert.equal(result.ok ? "ok" : result.failure, "expired");
});

test("given no trusted time, then the chain is checked without its dates: accepted with datesChecked false and a warning", () => {
  const s = store();
  const result = s.pki.validate(chain, "secc");
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.datesChecked, false);
  assert.equal(s.warnings.length, 1);
  assert.match(s.warnings[0], /without checking its validity dates: no trusted time/);
});

test("given no trusted time, a chain with another defect is still refused (signature, trust anchor)", () => {
  const s = store();
  const other = createTestPki({ crypto: new NobleCrypto({ entropy: seededEntropy(12) }), profile: "iso2", now: NOW, only: ["secc"] });
  const foreign = other.get("secc")!.chain!.map((name) => other.get(name)!.der);
  const result = s.pki.validate(foreign, "secc");
  assert.equal(result.ok, false);
});
