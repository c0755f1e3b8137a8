// The simulated backend behind an ISO 15118-2 SECC for Plug & Charge, on the test PKI
// (test-pki.ts): the MO issues contract certificates (CN = eMAID, issued by MO Sub-CA 2), the
// CPS signs the installation/update responses, and an OCSP stand-in answers revocation from a
// list. Portable (no Node): the XS tests and the simulator use it alike.
//
// What a real backend does over OCPP 2.0.1 (Get15118EVCertificate passes the EXI request to the
// CSMS, GetCertificateStatus asks OCSP) is here one function call each.

import { toHex } from "../../../modules/common/bytes";
import { encryptContractKeyIso2, parseCertificate, signFragments, type Certificate, type CryptoHost } from "../../../modules/pki-store/index";
import type { ContractProvisioning, ContractProvisioningResult } from "../../../modules/statemachine/iso2/pnc";
import { certificateChain } from "../../../modules/statemachine/iso2/pnc";
import { buildCertificate, keyIdentifier, KeyUsage } from "./certificate-builder";
import { TEST_IDENTITIES, type TestPkiEntity } from "./test-pki";

const YEAR = 365 * 86_400;

export interface SimulatedBackendOptions {
  crypto: CryptoHost;
  /** The "iso2" test PKI (MO Sub-CA 2 and the CPS chain with their keys). */
  pki: Map<string, TestPkiEntity>;
  /** Unix seconds. */
  now: () => number;
  /** The eMAID each new contract gets (default the test PKI's, without separators). */
  emaid?: string;
  /** Lifetime of issued contract certificates (s; default two years). */
  contractLifetime?: number;
}

/**
 * Contract provisioning (CertificateInstallation/Update) and OCSP for the simulated charger.
 * `revoke(certificate)` marks a certificate revoked; `isRevoked` is the PkiStore's callback.
 */
export class SimulatedPncBackend implements ContractProvisioning {
  readonly #crypto: CryptoHost;
  readonly #pki: Map<string, TestPkiEntity>;
  readonly #now: () => number;
  readonly #emaid: string;
  readonly #lifetime: number;
  readonly #revoked = new Set<string>();
  /** Contracts issued, by eMAID (the last one). */
  readonly issued = new Map<string, { chain: Uint8Array[]; privateKey: Uint8Array }>();

  constructor(options: SimulatedBackendOptions) {
    this.#crypto = options.crypto;
    this.#pki = options.pki;
    this.#now = options.now;
    // ISO-2 eMAIDType holds 14–15 characters: the eMAID without its "-" separators.
    this.#emaid = (options.emaid ?? TEST_IDENTITIES.emaid).replace(/-/g, "");
    this.#lifetime = options.contractLifetime ?? 2 * YEAR;
  }

  revoke(der: Uint8Array): void {
    const certificate = parseCertificate(der);
    this.#revoked.add(revocationKey(certificate));
  }

  /** OCSP stand-in: the PkiStore's isRevoked. */
  isRevoked = (certificate: Certificate): boolean => this.#revoked.has(revocationKey(certificate));

  install(request: { readonly oemProvisioningCertificate: Uint8Array }): ContractProvisioningResult {
    let vehicleKey: Uint8Array;
    try {
      vehicleKey = parseCertificate(request.oemProvisioningCertificate).publicKey;
    } catch {
      return { ok: false, code: "FAILED_CertChainError" };
    }
    return this.#issue(this.#emaid, vehicleKey);
  }

  update(request: { readonly contractChain: readonly Uint8Array[]; readonly emaid: string }): ContractProvisioningResult {
    // The new key is encrypted for the key of the contract being replaced (ISO 15118-2 key transport).
    return this.#issue(request.emaid, parseCertificate(request.contractChain[0]).publicKey);
  }

  #entity(name: string): TestPkiEntity {
    const entity = this.#pki.get(name);
    if (!entity) throw new Error(`the test PKI has no ${name}`);
    return entity;
  }

  #issue(emaid: string, vehicleKey: Uint8Array): ContractProvisioningResult {
    const crypto = this.#crypto;
    const subCa2 = this.#entity("mo-sub-ca-2");
    const subCa1 = this.#entity("mo-sub-ca-1");
    const cps = this.#entity("cps-leaf");
    const key = crypto.generateSigningKey("ECDSA-P256-SHA256");
    const serial = crypto.randomBytes(8);
    serial[0] = (serial[0] & 0x7f) | 0x01;
    const notBefore = this.#now() - 3600;
    const leaf = buildCertificate(
      crypto,
      {
        subject: { commonName: emaid, organization: "xs15118 test PKI", country: "DE", domainComponent: "MO" },
        subjectKey: { scheme: "ECDSA-P256-SHA256", publicKey: key.publicKey },
        serial,
        notBefore,
        notAfter: notBefore + this.#lifetime,
        keyUsage: KeyUsage.digitalSignature | KeyUsage.nonRepudiation,
      },
      { name: parseCertificate(subCa2.der).subjectDer, key: subCa2.key, keyId: keyIdentifier(crypto, subCa2.key.publicKey) },
    );
    const chain = [leaf, subCa2.der, subCa1.der];
    const transport = encryptContractKeyIso2(crypto, vehicleKey, key.privateKey);
    // The four signed elements with the Ids the field uses (RiseV2G: ID1 … ID4 in this order).
    const response = {
      SAProvisioningCertificateChain: certificateChain([cps.der, this.#entity("cps-sub-ca-2").der, this.#entity("cps-sub-ca-1").der]),
      ContractSignatureCertChain: certificateChain(chain, "ID1"),
      ContractSignatureEncryptedPrivateKey: { Id: "ID2", $value: transport.encryptedPrivateKey },
      DHpublickey: { Id: "ID3", $value: transport.dhPublicKey },
      eMAID: { Id: "ID4", $value: emaid },
    };
    const signature = signFragments({
      crypto,
      schema: "iso2",
      scheme: cps.key.scheme,
      privateKey: cps.key.privateKey,
      fragments: [
        { id: "ID1", fragment: { ContractSignatureCertChain: response.ContractSignatureCertChain } },
        { id: "ID2", fragment: { ContractSignatureEncryptedPrivateKey: response.ContractSignatureEncryptedPrivateKey } },
        { id: "ID3", fragment: { DHpublickey: response.DHpublickey } },
        { id: "ID4", fragment: { eMAID: response.eMAID } },
      ],
    });
    this.issued.set(emaid, { chain, privateKey: key.privateKey });
    return { ok: true, response, signature };
  }
}

function revocationKey(certificate: Certificate): string {
  return `${toHex(certificate.issuerDer)}/${toHex(certificate.serial)}`;
}
