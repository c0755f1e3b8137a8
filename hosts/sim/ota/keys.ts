// Update signing keys as PEM files (what a vendor's key tooling or `openssl ecparam -genkey`
// hands out) to the raw P-256 form the CryptoHost takes (modules/pki-store/crypto.ts).

import * as crypto from "node:crypto";
import { NodeCrypto } from "../crypto/node-crypto";
import type { UpdateSigner } from "../../../simulation/ota/pack";

function fromB64url(text: string): Uint8Array {
  const raw = new Uint8Array(Buffer.from(text, "base64url"));
  const out = new Uint8Array(32);
  out.set(raw, 32 - raw.length);
  return out;
}

function pointOf(jwk: crypto.JsonWebKey): Uint8Array {
  if (jwk.kty !== "EC" || jwk.crv !== "P-256") throw new Error(`an update key is ECDSA P-256 (this one is ${jwk.kty} ${jwk.crv ?? ""})`);
  const point = new Uint8Array(65);
  point[0] = 4;
  point.set(fromB64url(jwk.x!), 1);
  point.set(fromB64url(jwk.y!), 33);
  return point;
}

/** A P-256 private key (PKCS#8 or SEC 1 PEM) as a signer on node:crypto. */
export function signerFromPem(pem: string): UpdateSigner {
  const jwk = crypto.createPrivateKey(pem).export({ format: "jwk" });
  return { crypto: new NodeCrypto(), privateKey: fromB64url(jwk.d!), publicKey: pointOf(jwk) };
}

/** The public point of a P-256 key given as a public or a private PEM. */
export function publicKeyFromPem(pem: string): Uint8Array {
  return pointOf(crypto.createPublicKey(pem).export({ format: "jwk" }));
}

/** A new P-256 key: PKCS#8 PEM. */
export function generateKeyPem(): string {
  const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  return privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}
