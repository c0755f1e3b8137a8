// The PKI store of a charger or a vehicle: trust anchors by hierarchy, its own chains and keys
// (the SECC's TLS chain, the vehicle's OEM provisioning chain), installed contract certificates
// with their keys, and validation of what a peer presents — each through a purpose that fixes
// the anchors and the leaf checks.
//
// Blob names in the storage:
//   anchor/<v2g|oem|mo>/<SHA-256 of the DER, hex>   a root certificate
//   own/<slot>/<n>                                  own chain, leaf first (n = 0, 1, …)
//   own/<slot>/key                                  its private key (scheme byte + raw key)
//   contract/<eMAID>/<n>, contract/<eMAID>/key      an installed contract chain and key

import { toHex } from "../common/bytes";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import type { WallClock } from "../common/wall-clock";
import { ImplementationError } from "../common/errors";
import { validateChain, type ChainExpectations, type ChainResult } from "./chain";
import type { CryptoHost, SignatureScheme } from "./crypto";
import type { PkiStorage } from "./storage";
import { CertificateError, KeyUsage, Oid, nameText, nameValue, parseCertificate, type Certificate } from "./x509";

export type AnchorKind = "v2g" | "oem" | "mo";

/**
 * What a chain is validated for:
 *  - "secc": the charger's TLS chain, seen by the vehicle — V2G root, leaf DC=CPO;
 *  - "contract": a contract chain (PaymentDetails, installation) — MO root, or V2G root where
 *    the MO's Sub-CAs are under it (ISO 15118-2 allows both), CN = the eMAID when given;
 *  - "oem-provisioning": the vehicle's provisioning chain — OEM root;
 *  - "cps": the chain that signed a CertificateInstallation/Update response — V2G root.
 */
export type ChainPurpose = "secc" | "contract" | "oem-provisioning" | "cps";

const PURPOSES: Readonly<Record<ChainPurpose, { anchors: readonly AnchorKind[]; domainComponent?: string }>> = Object.freeze({
  secc: Object.freeze({ anchors: Object.freeze(["v2g"] as AnchorKind[]), domainComponent: "CPO" }),
  contract: Object.freeze({ anchors: Object.freeze(["mo", "v2g"] as AnchorKind[]) }),
  "oem-provisioning": Object.freeze({ anchors: Object.freeze(["oem"] as AnchorKind[]) }),
  cps: Object.freeze({ anchors: Object.freeze(["v2g"] as AnchorKind[]) }),
});

const SCHEME_BYTE: Readonly<Record<SignatureScheme, number>> = Object.freeze({ "ECDSA-P256-SHA256": 1, "ECDSA-P521-SHA512": 2, Ed448: 3 });
const SCHEMES: readonly SignatureScheme[] = Object.freeze(["ECDSA-P256-SHA256", "ECDSA-P521-SHA512", "Ed448"] as SignatureScheme[]);

export interface StoredKey {
  scheme: SignatureScheme;
  privateKey: Uint8Array;
}

export interface StoredChain {
  /** DER certificates, leaf first. */
  chain: Uint8Array[];
  key: StoredKey;
}

export interface PkiStoreOptions {
  storage: PkiStorage;
  crypto: CryptoHost;
  /**
   * The date certificate validity is checked against: the station's wall clock
   * (modules/common/wall-clock.ts), or `now` in seconds since 1970 (UTC). While either answers
   * undefined (no trusted time), chains are validated without their validity periods and a
   * warning says so (chain.ts, ChainValidationOptions.now).
   */
  wall?: WallClock;
  now?(): number | undefined;
  /** Where the warning about unchecked dates goes. */
  logger?: Logger;
  /** Revocation status (the backend's OCSP answers, cached by the host). */
  isRevoked?(certificate: Certificate, issuer: Certificate): boolean;
}

function encodeKey(key: StoredKey): Uint8Array {
  const out = new Uint8Array(1 + key.privateKey.length);
  out[0] = SCHEME_BYTE[key.scheme];
  out.set(key.privateKey, 1);
  return out;
}

function decodeKey(blob: Uint8Array | undefined): StoredKey | undefined {
  if (!blob || blob.length < 2) return undefined;
  const scheme = SCHEMES[blob[0] - 1];
  return scheme ? { scheme, privateKey: blob.slice(1) } : undefined;
}

/** eMAIDs as blob names: the normalised form (no "-", upper case), so each contract has one name. */
function emaidKey(emaid: string): string {
  return emaid.replace(/-/g, "").toUpperCase();
}

export class PkiStore {
  readonly #storage: PkiStorage;
  readonly #crypto: CryptoHost;
  readonly #now: () => number | undefined;
  readonly #isRevoked: PkiStoreOptions["isRevoked"];
  readonly #log: Logger;

  constructor(options: PkiStoreOptions) {
    this.#storage = options.storage;
    this.#crypto = options.crypto;
    const wall = options.wall;
    if (wall !== undefined) {
      this.#now = () => {
        const ms = wall.now();
        return ms === undefined ? undefined : ms / 1000;
      };
    } else if (options.now !== undefined) this.#now = options.now;
    else throw new ImplementationError("PkiStore needs a wall clock (wall) or now()");
    this.#isRevoked = options.isRevoked;
    this.#log = options.logger ?? silentLogger;
  }

  /** Adds a root: it must parse, be a CA and carry a valid self-signature. Returns it parsed. */
  addTrustAnchor(kind: AnchorKind, der: Uint8Array): Certificate {
    const root = parseCertificate(der);
    if (!root.isCa) throw new CertificateError("certificate-unsupported", "a trust anchor must be a CA certificate");
    const selfSigned = toHex(root.issuerDer) === toHex(root.subjectDer) && this.#crypto.verify(root.keyScheme, root.publicKey, root.tbs, root.signature);
    if (!selfSigned) throw new CertificateError("certificate-unsupported", "a trust anchor must be self-signed");
    this.#storage.write(`anchor/${kind}/${toHex(this.#crypto.digest("SHA-256", root.der))}`, root.der);
    return root;
  }

  removeTrustAnchor(kind: AnchorKind, der: Uint8Array): void {
    this.#storage.remove(`anchor/${kind}/${toHex(this.#crypto.digest("SHA-256", der))}`);
  }

  trustAnchors(kind: AnchorKind): Certificate[] {
    const out: Certificate[] = [];
    for (const name of this.#storage.list(`anchor/${kind}/`)) {
      const der = this.#storage.read(name);
      if (der) out.push(parseCertificate(der));
    }
    return out;
  }

  /** Stores an own chain (leaf first) and its key; the key must belong to the leaf. */
  setOwnChain(slot: string, chain: Uint8Array[], key: StoredKey): void {
    this.#checkKeyMatches(chain, key);
    this.#writeChain(`own/${slot}`, chain, key);
  }

  ownChain(slot: string): StoredChain | undefined {
    return this.#readChain(`own/${slot}`);
  }

  /**
   * Installs a contract chain after validating it (purpose "contract"); returns the validation
   * result, and stores nothing unless it is ok. The eMAID is the leaf's CN.
   */
  installContract(chain: Uint8Array[], key: StoredKey): ChainResult {
    const result = this.validate(chain, "contract");
    if (!result.ok) return result;
    this.#checkKeyMatches(chain, key);
    const emaid = nameValue(result.leaf.subject, Oid.COMMON_NAME)!;
    this.#writeChain(`contract/${emaidKey(emaid)}`, chain, key);
    return result;
  }

  /** The eMAIDs of the installed contracts (normalised: no "-", upper case). */
  contracts(): string[] {
    const out: string[] = [];
    for (const name of this.#storage.list("contract/")) if (name.endsWith("/key")) out.push(name.slice(9, -4));
    return out;
  }

  contract(emaid: string): StoredChain | undefined {
    return this.#readChain(`contract/${emaidKey(emaid)}`);
  }

  removeContract(emaid: string): void {
    for (const name of this.#storage.list(`contract/${emaidKey(emaid)}/`)) this.#storage.remove(name);
  }

  /** Validates a peer's chain (leaf first) for `purpose` against the anchors and the clock. */
  validate(chain: readonly Uint8Array[], purpose: ChainPurpose, expectations: Pick<ChainExpectations, "emaid"> = {}): ChainResult {
    const rule = PURPOSES[purpose];
    const anchors: Certificate[] = [];
    for (const kind of rule.anchors) anchors.push(...this.trustAnchors(kind));
    const result = validateChain(chain, {
      crypto: this.#crypto,
      anchors,
      now: this.#now(),
      leafDomainComponent: rule.domainComponent,
      leafKeyUsage: KeyUsage.digitalSignature,
      emaid: expectations.emaid,
      isRevoked: this.#isRevoked,
    });
    if (result.ok && !result.datesChecked) this.#log.log("warn", "pki", `${purpose} chain of ${nameText(result.leaf.subject)} accepted without checking its validity dates: no trusted time yet`);
    return result;
  }

  #checkKeyMatches(chain: Uint8Array[], key: StoredKey): void {
    if (chain.length === 0) throw new ImplementationError("an own chain needs at least its leaf");
    const leaf = parseCertificate(chain[0]);
    const publicKey = leaf.keyScheme === key.scheme ? this.#crypto.signingPublicKey(key.scheme, key.privateKey) : undefined;
    if (!publicKey || toHex(publicKey) !== toHex(leaf.publicKey)) throw new ImplementationError("the private key does not belong to the leaf certificate");
  }

  #writeChain(prefix: string, chain: Uint8Array[], key: StoredKey): void {
    for (const name of this.#storage.list(`${prefix}/`)) this.#storage.remove(name);
    chain.forEach((der, i) => this.#storage.write(`${prefix}/${i}`, der));
    this.#storage.write(`${prefix}/key`, encodeKey(key));
  }

  #readChain(prefix: string): StoredChain | undefined {
    const key = decodeKey(this.#storage.read(`${prefix}/key`));
    if (!key) return undefined;
    const chain: Uint8Array[] = [];
    for (let i = 0; ; i++) {
      const der = this.#storage.read(`${prefix}/${i}`);
      if (!der) break;
      chain.push(der);
    }
    return chain.length > 0 ? { chain, key } : undefined;
  }
}
