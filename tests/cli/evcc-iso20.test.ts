// @node-only — hosts/sim commands.
// xs15118 evcc offers ISO 15118-20 only behind --insecure-iso20-plain-tcp (it requires TLS 1.3).

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseEvccArgs } from "../../hosts/sim/commands/evcc";

test("evcc --protocol iso20,iso2 needs --insecure-iso20-plain-tcp; --transfer *_bpt needs iso20; --mode", () => {
  assert.throws(() => parseEvccArgs(["--iface", "eth1", "--protocol", "iso20,iso2"]), /TLS 1\.3.*--insecure-iso20-plain-tcp/);
  assert.throws(() => parseEvccArgs(["--iface", "eth1", "--transfer", "dc_bpt"]), /needs --protocol iso20/);
  const a = parseEvccArgs(["--iface", "eth1", "--protocol", "iso20,iso2", "--insecure-iso20-plain-tcp", "--transfer", "ac_bpt", "--mode", "dynamic"]);
  assert.deepEqual(a.protocols, ["iso20", "iso2"]);
  assert.equal(a.transfer, "ac");
  assert.equal(a.bpt, true);
  assert.equal(a.mode, "dynamic");
  assert.equal(a.insecureIso20, true);
});
