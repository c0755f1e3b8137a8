// ISO 15118-2 Plug & Charge on the SECC: what the charger needs for it (crypto, the PKI store,
// the backend's contract provisioning) and the checks the handlers share.
//
// Flow: PaymentServiceSelection(Contract) → [CertificateInstallation
// or CertificateUpdate] → PaymentDetails (contract chain, eMAID; the SECC answers a 16-byte
// GenChallenge) → Authorization (AuthorizationReq with Id and the GenChallenge, signed by the
// contract key) → … → MeteringReceipt signed by the contract key where ReceiptRequired was sent.
// PnC only over TLS (ISO 15118-2 ties Contract payment to a TLS session): without it the SECC
// offers and accepts ExternalPayment alone.

import type { Certificate, CryptoHost, PkiStore, SignatureScheme, SignatureType } from "../../pki-store/index";
import type { ContractIdentity } from "../charger-interfaces";
import type { CertificateHashData } from "../operator-backend";
import type { iso2 } from "../msg-types";
import type { SeccConfig, ValueAddedService } from "../charger-interfaces";

/** What the backend answers for a certificate installation or update (already signed by the CPS). */
export type ContractProvisioningResult =
  | {
      readonly ok: true;
      /** CertificateInstallationRes / CertificateUpdateRes content without ResponseCode (the Id-carrying parts signed). */
      readonly response: Omit<iso2.CertificateInstallationResType, "ResponseCode">;
      /** The CPS's Signature over the four Id elements (goes into the response header). */
      readonly signature: SignatureType;
    }
  | { readonly ok: false; readonly code: "FAILED_NoCertificateAvailable" | "FAILED_ContractCanceled" | "FAILED_CertChainError" | "FAILED" };

/**
 * The backend stand-in for contract provisioning (the SA / MO and CPS behind the charger; in
 * OCPP 2.0.1 Get15118EVCertificate passes the EXI request through). Synchronous: the -2
 * CertificateInstallationRes has no EVSEProcessing=Ongoing, it must come within the EV's
 * message timeout (5 s), so a host with a network backend answers from a prepared cache or
 * a fast local service. The simulated one: hosts/sim/pki/contract-provisioning.ts.
 */
export interface ContractProvisioning {
  /** A CertificateInstallationReq whose signature (by the OEM provisioning key) the SECC verified. */
  install(request: { readonly oemProvisioningCertificate: Uint8Array; readonly rootCertificateIds: iso2.ListOfRootCertificateIDsType }): ContractProvisioningResult;
  /** A CertificateUpdateReq signed by the current contract key, its chain validated. */
  update(request: { readonly contractChain: readonly Uint8Array[]; readonly emaid: string; readonly rootCertificateIds: iso2.ListOfRootCertificateIDsType }): ContractProvisioningResult;
}

/**
 * A SalesTariff as the mobility operator (the secondary actor) hands it to the charger, signed.
 * ISO 15118-2 (ChargeParameterDiscoveryRes, SalesTariffType): in Plug & Charge a SalesTariff the
 * secondary actor uses shall be signed by it, with the private key that issued the contract
 * leaf the vehicle authenticated with (the MO Sub-CA 2 of a two-Sub-CA chain); the SECC copies
 * that Signature unchanged into the ChargeParameterDiscoveryRes header. `tariff.Id` is what the
 * Signature's Reference names.
 */
export interface SignedSalesTariff {
  readonly tariff: iso2.SalesTariffType & { readonly Id: string };
  readonly signature: SignatureType;
}

/** What the charger tells the operator when it asks for a SalesTariff. */
export interface SalesTariffRequest {
  /** The authenticated contract's eMAID (as in PaymentDetailsReq). */
  readonly emaid: string;
  readonly saScheduleTupleId: number;
  /**
   * Seconds the tuple's PMaxSchedule covers: the tariff's intervals must cover the same span
   * (V2G2-303: until DepartureTime; V2G2-304: ≥ 24 h without one).
   */
  readonly duration: number;
  /** MaxEntriesSAScheduleTuple of the request, when the EV sent it. */
  readonly maxEntries?: number;
}

/** Plug & Charge on an ISO 15118-2 SECC. */
export interface Iso2SeccPnc {
  readonly crypto: CryptoHost;
  /**
   * Trust anchors (MO and V2G roots) to validate contract chains with; its `isRevoked` is the
   * backend's OCSP answer (OCPP GetCertificateStatus) for each certificate.
   */
  readonly store: PkiStore;
  /** Certificate installation and update; absent: those requests get FAILED_NoCertificateAvailable. */
  readonly provisioning?: ContractProvisioning;
  /**
   * The operator's signed SalesTariff for an authenticated contract (OCPP 2.0.1 passes it in the
   * charging profile); undefined or absent: the schedule goes out with PMaxSchedule only. Called
   * once per ChargeParameterDiscoveryRes that finishes, synchronously (from a cache on a real
   * charger, like the provisioning above).
   */
  salesTariff?(request: SalesTariffRequest): SignedSalesTariff | undefined;
  /** In-process tests only: PnC over a connection without TLS (never on a real link). */
  readonly insecureWithoutTls?: boolean;
}

/** SeccConfig with Plug & Charge: `pnc` set and "Contract" among paymentOptions. */
export interface SeccConfigWithPnc extends SeccConfig {
  readonly pnc?: Iso2SeccPnc;
}

/** The PnC facility of a charger's configuration, if it has one. */
export function seccPncOf(config: Readonly<SeccConfig>): Iso2SeccPnc | undefined {
  return (config as SeccConfigWithPnc).pnc;
}

/**
 * True when this connection may use Contract: the charger offers it, has the PnC facility, and
 * the link is TLS (Contract payment only in a TLS session). `transport`: the connection's, as
 * the session knows it (SeccContext.transport); else config.transport.
 */
export function contractUsable(config: Readonly<SeccConfig>, transport: "none" | "1.2" | "1.3" | undefined = config.transport): boolean {
  const pnc = seccPncOf(config);
  if (pnc === undefined || (config.paymentOptions ?? []).indexOf("Contract") < 0) return false;
  return pnc.insecureWithoutTls === true || transport === "1.2" || transport === "1.3";
}

/**
 * The Certificate service (ServiceID 2, category ContractCertificate, parameter sets
 * 1 Installation and 2 Update, as ISO 15118-2 ServiceDetail lists them): add to SeccConfig.valueAddedServices so that an EV
 * can find and select certificate installation.
 */
export const ISO2_CERTIFICATE_SERVICE: ValueAddedService = Object.freeze({
  ServiceID: 2,
  ServiceName: "Certificate",
  ServiceCategory: "ContractCertificate",
  FreeService: true,
  ParameterSet: Object.freeze([
    Object.freeze({ ParameterSetID: 1, Parameter: Object.freeze([Object.freeze({ Name: "Service", stringValue: "Installation" })]) }),
    Object.freeze({ ParameterSetID: 2, Parameter: Object.freeze([Object.freeze({ Name: "Service", stringValue: "Update" })]) }),
  ]),
});

/** The chain of a CertificateChainType, leaf first. */
export function chainOf(chain: iso2.CertificateChainType | undefined): Uint8Array[] {
  if (chain === undefined || !(chain.Certificate instanceof Uint8Array)) return [];
  const out = [chain.Certificate];
  const subs = chain.SubCertificates?.Certificate ?? [];
  for (let i = 0; i < subs.length; i++) out.push(subs[i]);
  return out;
}

/** A CertificateChainType from DER certificates, leaf first (an Id where the chain is signed). */
export function certificateChain(chain: readonly Uint8Array[], id?: string): iso2.CertificateChainType {
  const out: iso2.CertificateChainType = { Certificate: chain[0] };
  if (id !== undefined) out.Id = id;
  if (chain.length > 1) out.SubCertificates = { Certificate: chain.slice(1) };
  return out;
}

/** The session's Plug & Charge record on the SECC. */
export interface Iso2PncRecord {
  /** PaymentDetailsRes's GenChallenge; cleared once an AuthorizationReq used it (no replay). */
  challenge?: Uint8Array;
  /** The contract leaf's key (from the validated PaymentDetailsReq chain) and its eMAID. */
  contractKey?: Uint8Array;
  contractScheme?: SignatureScheme;
  emaid?: string;
  /** The signed AuthorizationReq verified. */
  identified: boolean;
  /** eMAID and OCSP data of the validated chain, for the operator's Authorize. */
  identity?: ContractIdentity;
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return out;
}

/**
 * OCSP request data (OCPP OCSPRequestDataType, ISO 15118-2 CertificateHashDataType) of each
 * certificate of a validated path, leaf first: SHA-256 of the issuer's Name (DER) and of its
 * public key (the subjectPublicKey bits, RFC 6960 §4.1.1), the serial in hex. The test PKI
 * carries no AuthorityInformationAccess, so responderURL stays empty.
 */
export function certificateHashData(crypto: CryptoHost, path: readonly Certificate[], anchor: Certificate): CertificateHashData[] {
  const out: CertificateHashData[] = [];
  for (let i = 0; i < path.length; i++) {
    const issuer = i + 1 < path.length ? path[i + 1] : anchor;
    let serial = hex(path[i].serial);
    while (serial.length > 1 && serial[0] === "0") serial = serial.slice(1);
    out.push({ hashAlgorithm: "SHA256", issuerNameHash: hex(crypto.digest("SHA-256", path[i].issuerDer)), issuerKeyHash: hex(crypto.digest("SHA-256", issuer.publicKey)), serialNumber: serial, responderURL: "" });
  }
  return out;
}
