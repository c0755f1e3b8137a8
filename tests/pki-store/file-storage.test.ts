// @node-only — the Node host's PkiStorage on a directory, and the PKI store over it across a
// restart (a new store on the same directory sees the anchors, own chains and contracts).

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { FilePkiStorage } from "../../hosts/sim/pki/file-storage";
import { createTestPki, TEST_IDENTITIES } from "../../hosts/sim/pki/test-pki";
import { PkiStore } from "../../modules/pki-store/index";

test("FilePkiStorage: read, write (replacing), remove, list by prefix; refuses names that leave its directory", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-storage-"));
  try {
    const storage = new FilePkiStorage(dir);
    assert.equal(storage.read("own/secc/0"), undefined);
    storage.write("own/secc/0", Uint8Array.of(1, 2));
    storage.write("own/secc/0", Uint8Array.of(3));
    storage.write("own/secc/key", Uint8Array.of(4));
    storage.write("anchor/v2g/aa", Uint8Array.of(5));
    assert.deepEqual(storage.read("own/secc/0"), Uint8Array.of(3));
    assert.deepEqual(storage.list("own/"), ["own/secc/0", "own/secc/key"]);
    assert.equal(fs.statSync(path.join(dir, "own/secc/key")).mode & 0o077, 0, "not readable by others");
    storage.remove("own/secc/0");
    storage.remove("own/secc/0");
    assert.deepEqual(storage.list(""), ["anchor/v2g/aa", "own/secc/key"]);
    for (const bad of ["../x", "/etc/passwd", "a//b", "a/./b", ""]) assert.throws(() => storage.write(bad, Uint8Array.of(0)), /not a storage name/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the store keeps what it was given across a restart", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-storage-"));
  try {
    const crypto = new NodeCrypto();
    const now = Math.floor(Date.now() / 1000);
    const entities = createTestPki({ crypto, profile: "iso2", now });
    const chain = (leaf: string) => entities.get(leaf)!.chain!.map((n) => entities.get(n)!.der);
    const first = new PkiStore({ storage: new FilePkiStorage(dir), crypto, now: () => now });
    first.addTrustAnchor("v2g", entities.get("v2g-root")!.der);
    first.addTrustAnchor("mo", entities.get("mo-root")!.der);
    first.setOwnChain("secc-iso2", chain("secc"), entities.get("secc")!.key);
    assert.ok(first.installContract(chain("contract"), entities.get("contract")!.key).ok);

    const second = new PkiStore({ storage: new FilePkiStorage(dir), crypto, now: () => now });
    assert.ok(second.validate(chain("secc"), "secc").ok);
    assert.deepEqual(second.ownChain("secc-iso2")!.chain, chain("secc"));
    assert.deepEqual(second.contract(TEST_IDENTITIES.emaid)!.key.privateKey, entities.get("contract")!.key.privateKey);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
