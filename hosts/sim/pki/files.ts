// Writes a test PKI to a directory (PEM and DER certificates, PKCS#8 PEM keys, chain files)
// and reads keys back: the layout `xs15118 pki init` produces and the TLS and PnC tools read.
//
//   DIR/<profile>/<name>.der, <name>.pem      certificate
//   DIR/<profile>/<name>.key.pem              its private key (PKCS#8, unencrypted: a test PKI)
//   DIR/<profile>/<leaf>-chain.pem            leaf, Sub-CA 2, Sub-CA 1 (what a peer is sent)
//   DIR/<profile>/pki.json                    what is where, the identities

import * as fs from "node:fs";
import * as path from "node:path";
import * as nodeCrypto from "node:crypto";
import { parseCertificate, type SignatureScheme } from "../../../modules/pki-store/index";
import { nistPrivateKeyObject, okpPrivateKeyObject } from "../crypto/node-crypto";
import { TEST_IDENTITIES, TEST_PKI_ROOTS, type TestPkiEntity, type TestPkiProfile } from "./test-pki";

export function pem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export function privateKeyObject(scheme: SignatureScheme, privateKey: Uint8Array): nodeCrypto.KeyObject {
  if (scheme === "Ed448") return okpPrivateKeyObject("Ed448", privateKey);
  return nistPrivateKeyObject(scheme === "ECDSA-P256-SHA256" ? "P-256" : "P-521", privateKey);
}

/** A private key file (PKCS#8 PEM) back to the raw scalar/seed of crypto.ts. */
export function readRawPrivateKey(file: string): { scheme: SignatureScheme; privateKey: Uint8Array } {
  const key = nodeCrypto.createPrivateKey(fs.readFileSync(file));
  if (key.asymmetricKeyType === "ed448") {
    const pkcs8 = key.export({ format: "der", type: "pkcs8" });
    return { scheme: "Ed448", privateKey: new Uint8Array(pkcs8.subarray(pkcs8.length - 57)) };
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const scheme: SignatureScheme | undefined = curve === "prime256v1" ? "ECDSA-P256-SHA256" : curve === "secp521r1" ? "ECDSA-P521-SHA512" : undefined;
  if (!scheme) throw new Error(`${file}: not a P-256, P-521 or Ed448 key`);
  const size = scheme === "ECDSA-P256-SHA256" ? 32 : 66;
  const d = Buffer.from(key.export({ format: "jwk" }).d!, "base64url");
  const raw = new Uint8Array(size);
  raw.set(d, size - d.length);
  return { scheme, privateKey: raw };
}

export function writeTestPki(dir: string, profile: TestPkiProfile, entities: Map<string, TestPkiEntity>): string[] {
  const out = path.join(dir, profile);
  fs.mkdirSync(out, { recursive: true });
  const written: string[] = [];
  const write = (name: string, data: string | Uint8Array, mode?: number) => {
    fs.writeFileSync(path.join(out, name), data, mode === undefined ? undefined : { mode });
    written.push(path.join(out, name));
  };
  for (const entity of entities.values()) {
    write(`${entity.name}.der`, entity.der);
    write(`${entity.name}.pem`, pem("CERTIFICATE", entity.der));
    write(`${entity.name}.key.pem`, privateKeyObject(entity.key.scheme, entity.key.privateKey).export({ format: "pem", type: "pkcs8" }).toString(), 0o600);
    if (entity.chain) write(`${entity.name}-chain.pem`, entity.chain.map((n) => pem("CERTIFICATE", entities.get(n)!.der)).join(""));
  }
  const summary = {
    profile,
    scheme: entities.get("v2g-root")!.key.scheme,
    roots: TEST_PKI_ROOTS,
    identities: TEST_IDENTITIES,
    leaves: Object.fromEntries([...entities.values()].filter((e) => e.chain).map((e) => [e.name, { chain: `${e.name}-chain.pem`, key: `${e.name}.key.pem`, root: rootOf(entities, e) }])),
  };
  write("pki.json", `${JSON.stringify(summary, null, 2)}\n`);
  return written;
}

function rootOf(entities: Map<string, TestPkiEntity>, leaf: TestPkiEntity): string {
  const top = leaf.chain![leaf.chain!.length - 1];
  if (top.startsWith("cpo") || top.startsWith("cps")) return "v2g-root";
  return top.startsWith("oem") ? "oem-root" : "mo-root";
}

/**
 * Reads one profile of a test PKI directory back into entities (certificates, keys, the leaves'
 * chains below their roots), as createTestPki makes them: `sim --pki DIR --payment contract`
 * runs Plug & Charge on the same PKI as TLS.
 */
export function readTestPki(dir: string, profile: TestPkiProfile): Map<string, TestPkiEntity> {
  const folder = path.join(dir, profile);
  const entities = new Map<string, TestPkiEntity>();
  const bySubject = new Map<string, string>();
  const parsed = new Map<string, { subject: string; issuer: string }>();
  for (const file of fs.readdirSync(folder).filter((f) => f.endsWith(".der")).sort()) {
    const name = file.slice(0, -4);
    const der = new Uint8Array(fs.readFileSync(path.join(folder, file)));
    const certificate = parseCertificate(der);
    const key = readRawPrivateKey(path.join(folder, `${name}.key.pem`));
    entities.set(name, { name, der, key: { ...key, publicKey: certificate.publicKey } });
    const subject = Buffer.from(certificate.subjectDer).toString("hex");
    bySubject.set(subject, name);
    parsed.set(name, { subject, issuer: Buffer.from(certificate.issuerDer).toString("hex") });
  }
  const summary = JSON.parse(fs.readFileSync(path.join(folder, "pki.json"), "utf8")) as { leaves: Record<string, unknown> };
  for (const leaf of Object.keys(summary.leaves)) {
    const chain = [leaf];
    // Up the issuers until the one issued by a root (a self-issued certificate): the root is not sent.
    for (let at = parsed.get(leaf); at !== undefined && at.issuer !== at.subject; ) {
      const issuer = bySubject.get(at.issuer);
      const up = issuer === undefined ? undefined : parsed.get(issuer);
      if (issuer === undefined || up === undefined || up.issuer === up.subject) break;
      chain.push(issuer);
      at = up;
    }
    const entity = entities.get(leaf);
    if (entity !== undefined) entity.chain = chain;
  }
  return entities;
}
