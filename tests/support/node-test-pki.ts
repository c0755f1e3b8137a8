// Test support (Node): one test PKI per key profile, made once per test file on the Node crypto,
// and the TLS credentials of its leaves.

import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { createTestPki, type TestPkiEntity, type TestPkiProfile } from "../../hosts/sim/pki/test-pki";
import type { TlsCredentials } from "../../modules/pki-store/index";

export const nodeCrypto = new NodeCrypto();
export const PKI_NOW = Math.floor(Date.now() / 1000);
const pkis = new Map<TestPkiProfile, Map<string, TestPkiEntity>>();

/** The test PKI of a profile (made on first use). */
export function pki(profile: TestPkiProfile): Map<string, TestPkiEntity> {
  if (!pkis.has(profile)) pkis.set(profile, createTestPki({ crypto: nodeCrypto, profile, now: PKI_NOW }));
  return pkis.get(profile)!;
}

/** A leaf's chain (without the root) and key, as TLS credentials. */
export function credentials(profile: TestPkiProfile, leaf: string): TlsCredentials {
  const entities = pki(profile);
  const entity = entities.get(leaf)!;
  return { chain: entity.chain!.map((n) => entities.get(n)!.der), key: { scheme: entity.key.scheme, privateKey: entity.key.privateKey } };
}
