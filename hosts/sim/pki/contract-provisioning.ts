// The simulated backend behind an ISO 15118-2 or -20 SECC for Plug & Charge, on the test PKI
// (test-pki.ts): the MO issues contract certificates (CN = eMAID, issued by MO Sub-CA 2), the
// CPS signs the installation/update responses, and an OCSP responder (ocsp-responder.ts) answers
// revocation with BasicOCSPResponses the issuing CA signs. Portable (no Node): the XS tests and
// the simulator use it alike.
//
// What a real backend does over OCPP 2.0.1 (Get15118EVCertificate passes the EXI request to the
// CSMS, GetCertificateStatus asks OCSP) is here one function call each.

import { ocspRevocationCheck, parseCertificate, signFragments, type Certificate, type CryptoHost, type OcspCertId } from "../../../modules/pki-store/index";
import { encryptContractKeyIso2, encryptContractKeyIso20 } from "../../../simulation/pki/backend";
import type { Iso20CertificateInstallationRequest, Iso20ContractProvisioning, Iso20ContractProvisioningResult } from "../../../modules/statemachine/iso20/pnc-certificate";
import type { ContractProvisioning, ContractProvisioningResult } from "../../../modules/statemachine/iso2/pnc";
import { certificateChain } from "../../../modules/statemachine/iso2/pnc";
import { buildCertificate, keyIdentifier, KeyUsage } from "./certificate-builder";
import { TestOcspResponder } from "./ocsp-responder";
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
 * `revoke(certificate)` marks a certificate revoked; `ocspResponse` is the backend's
 * GetCertificateStatus answer (OCSPResponse DER); `isRevoked` is the charger's PkiStore callback,
 * which asks `ocspResponse` and verifies the answer (modules/pki-store/ocsp.ts).
 */
export class SimulatedPncBackend implements ContractProvisioning, Iso20ContractProvisioning {
  readonly #crypto: CryptoHost;
  readonly #pki: Map<string, TestPkiEntity>;
  readonly #now: () => number;
  readonly #emaid: string;
  readonly #emaid20: string;
  readonly #lifetime: number;
  readonly #responder: TestOcspResponder;
  /** Contracts issued, by eMAID (the last one). */
  readonly issued = new Map<string, { chain: Uint8Array[]; privateKey: Uint8Array }>();

  constructor(options: SimulatedBackendOptions) {
    this.#crypto = options.crypto;
    this.#pki = options.pki;
    this.#now = options.now;
    // ISO-2 eMAIDType holds 14–15 characters: the eMAID without its "-" separators.
    this.#emaid = (options.emaid ?? TEST_IDENTITIES.emaid).replace(/-/g, "");
    // ISO 15118-20 eMAIDs (identifierType) keep their separators.
    this.#emaid20 = options.emaid ?? TEST_IDENTITIES.emaid;
    this.#lifetime = options.contractLifetime ?? 2 * YEAR;
    // Every CA of the test PKI answers for the certificates it issued (RFC 6960 §4.2.2.2: the CA itself signs).
    const cas = [...options.pki.values()].filter((entity) => parseCertificate(entity.der).isCa);
    this.#responder = new TestOcspResponder(options.crypto, cas);
    const viaOcsp = ocspRevocationCheck(options.crypto, (certId) => this.ocspResponse(certId), options.now);
    // The PkiStore always passes the issuer (chain.ts); a caller typed without it gets the list itself.
    this.isRevoked = (certificate, issuer) => (issuer ? viaOcsp(certificate, issuer) : this.#responder.isRevoked(certificate));
  }

  revoke(der: Uint8Array): void {
    this.#responder.revoke(parseCertificate(der), this.#now());
  }

  /** Whether this backend's OCSP responder answers for certificates `issuer` issued (one of its PKI's CAs). */
  servesIssuer(issuer: Certificate): boolean {
    return this.#responder.servesIssuer(issuer);
  }

  /** OCPP 2.0.1 GetCertificateStatus on the backend's side: the OCSPResponse DER for a CertID. */
  ocspResponse(certId: OcspCertId): Uint8Array {
    return this.#responder.respond(certId, this.#now());
  }

  /** The charger's PkiStore isRevoked: asks ocspResponse and verifies it; anything but a verified "good" is revoked. */
  readonly isRevoked: (certificate: Certificate, issuer?: Certificate) => boolean;

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

  /**
   * ISO 15118-20 CertificateInstallation (modules/statemachine/iso20/pnc-certificate.ts): a P-521
   * contract for the PCID's vehicle, its key encrypted for the OEM provisioning key (ECDH P-521,
   * AES-256-GCM, modules/pki-store/key-transport-iso20.ts), SignedInstallationData signed by the
   * CPS leaf. Run on the "iso20" test PKI. An Ed448 OEM certificate gets
   * WARNING_NoCertificateAvailable: its X448 key transport is not settled here (the 57-byte Ed448
   * key does not fit the 56-byte X448_EncryptedPrivateKey; see the pki-store README).
   */
  installIso20(request: Iso20CertificateInstallationRequest): Iso20ContractProvisioningResult {
    const crypto = this.#crypto;
    let oem: Certificate;
    try {
      oem = parseCertificate(request.oemProvisioningChain[0]);
    } catch {
      return { ok: false, code: "WARNING_CertificateValidationError" };
    }
    if (oem.keyScheme !== "ECDSA-P521-SHA512") return { ok: false, code: "WARNING_NoCertificateAvailable" };
    const emaid = this.#emaid20;
    const { chain, key } = this.#contract(emaid, "ECDSA-P521-SHA512");
    const ski = parseCertificate(chain[0]).subjectKeyId!;
    const transport = encryptContractKeyIso20(crypto, "SECP521", oem.publicKey, key.privateKey, { pcid: request.pcid, contractSki: ski });
    const cps = this.#entity("cps-leaf");
    const SignedInstallationData = {
      Id: "SignedInstallationData",
      ContractCertificateChain: { Certificate: chain[0], SubCertificates: { Certificate: chain.slice(1) } },
      ECDHCurve: transport.ecdhCurve,
      DHPublicKey: transport.dhPublicKey,
      SECP521_EncryptedPrivateKey: transport.encryptedPrivateKey,
    };
    const signature = signFragments({
      crypto,
      schema: "iso20-cm",
      scheme: cps.key.scheme,
      privateKey: cps.key.privateKey,
      fragments: [{ id: SignedInstallationData.Id, fragment: { SignedInstallationData } }],
    });
    this.issued.set(emaid, { chain, privateKey: key.privateKey });
    const cpsChain = [this.#entity("cps-sub-ca-2").der, this.#entity("cps-sub-ca-1").der];
    return { ok: true, response: { CPSCertificateChain: { Certificate: cps.der, SubCertificates: { Certificate: cpsChain } }, SignedInstallationData, RemainingContractCertificateChains: 0 }, signature };
  }

  /** A new contract certificate for `emaid` from MO Sub-CA 2: the chain (leaf, Sub-CA 2, Sub-CA 1) and its key. */
  #contract(emaid: string, scheme: "ECDSA-P256-SHA256" | "ECDSA-P521-SHA512"): { chain: Uint8Array[]; key: { privateKey: Uint8Array; publicKey: Uint8Array } } {
    const crypto = this.#crypto;
    const subCa2 = this.#entity("mo-sub-ca-2");
    const subCa1 = this.#entity("mo-sub-ca-1");
    const key = crypto.generateSigningKey(scheme);
    const serial = crypto.randomBytes(8);
    serial[0] = (serial[0] & 0x7f) | 0x01;
    const notBefore = this.#now() - 3600;
    const leaf = buildCertificate(
      crypto,
      {
        subject: { commonName: emaid, organization: "xs15118 test PKI", country: "DE", domainComponent: "MO" },
        subjectKey: { scheme, publicKey: key.publicKey },
        serial,
        notBefore,
        notAfter: notBefore + this.#lifetime,
        keyUsage: KeyUsage.digitalSignature | KeyUsage.nonRepudiation,
      },
      { name: parseCertificate(subCa2.der).subjectDer, key: subCa2.key, keyId: keyIdentifier(crypto, subCa2.key.publicKey) },
    );
    return { chain: [leaf, subCa2.der, subCa1.der], key };
  }

  #issue(emaid: string, vehicleKey: Uint8Array): ContractProvisioningResult {
    const crypto = this.#crypto;
    const cps = this.#entity("cps-leaf");
    const { chain, key } = this.#contract(emaid, "ECDSA-P256-SHA256");
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
