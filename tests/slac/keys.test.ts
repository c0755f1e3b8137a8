import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Sha256, sha256 } from "../../modules/common/sha256";
import { deriveNid, newNetworkKey } from "../../modules/slac/index";
import { fromHex, toHex } from "../../modules/common/index";
import { seededRandom } from "./support/sim";
import { engine } from "../support/shared";

const ascii = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};

describe("SHA-256 (FIPS 180-4 vectors)", () => {
  test("the standard short messages", () => {
    assert.equal(toHex(sha256(new Uint8Array(0))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(toHex(sha256(ascii("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(toHex(sha256(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assert.equal(
      toHex(sha256(ascii("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"))),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
    );
  });

  test("one million 'a' fed in uneven chunks", { skip: engine === "xs" ? "slow in XS; the short vectors cover it" : undefined }, () => {
    const h = new Sha256();
    const chunk = new Uint8Array(9973).fill(0x61);
    let left = 1_000_000;
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      h.update(chunk.subarray(0, n));
      left -= n;
    }
    assert.equal(toHex(h.digest()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  test("padding boundaries (55, 56, 63, 64, 65 bytes): incremental equals one-shot", () => {
    for (const n of [55, 56, 63, 64, 65, 119, 120, 128]) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 0xff);
      const h = new Sha256();
      for (let i = 0; i < n; i += 5) h.update(data.subarray(i, Math.min(n, i + 5)));
      assert.equal(toHex(h.digest()), toHex(sha256(data)), `length ${n}`);
    }
    assert.equal(toHex(sha256(new Uint8Array(64).fill(0x61))), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  });

  test("misuse: update or digest after digest throws", () => {
    const h = new Sha256();
    h.digest();
    assert.throws(() => h.digest());
    assert.throws(() => h.update(new Uint8Array(1)));
  });
});

describe("HomePlug AV NID from NMK", () => {
  test("the default NMK of the password HomePlugAV gives the well-known NID b0f2e695666b03", () => {
    assert.equal(toHex(deriveNid(fromHex("50d3e4933f855b7040784df815aa8db7")!)), "b0f2e695666b03");
  });

  test("NMK/NID pairs a real charger (EVerest, Mercedes EQE captures) sent in CM_SLAC_MATCH.CNF", () => {
    // EVerest derives the NID (these pairs come from its CM_SLAC_MATCH.CNF); the dsV2Gshark test
    // bench and the tux-evse lab charger send NIDs that are not derived from their NMK.
    const pairs: [string, string][] = [
      ["5432574e59474f37575832494232474a", "29e28375e7370f"], // Mercedes-Benz/EQE/2023-10-04/dinspec-DC.dump
      ["4f504730575130484c4d344d444a3050", "eda2235467d807"], // Mercedes-Benz/EQE/2023-10-04/iso2-DC.dump
      ["5a4f35454644364745373944304a5256", "c32a90acc4db0e"], // Mercedes-Benz/EQE/2023-10-04/iso2-AC.dump
      ["54363044484957513943384332474758", "ebebf882b6ad07"], // same capture, a later session
    ];
    for (const [nmk, nid] of pairs) assert.equal(toHex(deriveNid(fromHex(nmk)!)), nid);
  });

  test("the security level sits in bits 4–5 of the last byte", () => {
    const nmk = fromHex("50d3e4933f855b7040784df815aa8db7")!;
    assert.equal(toHex(deriveNid(nmk, 1)), "b0f2e695666b13");
    assert.equal(toHex(deriveNid(nmk, 2)), "b0f2e695666b23");
  });

  test("newNetworkKey draws 16 random bytes and derives the NID", () => {
    const k = newNetworkKey(seededRandom(9));
    assert.equal(k.nmk.length, 16);
    assert.deepEqual(k.nid, deriveNid(k.nmk));
    assert.throws(() => newNetworkKey(() => new Uint8Array(3)));
  });
});
