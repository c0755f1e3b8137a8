// ISO 15118-2 and -20 Plug & Charge through the CSMS: the ContractProvisioning of the SECC's PnC
// facility (modules/statemachine/iso2/pnc.ts; -20: iso20/pnc-certificate.ts, CertificateInstallation
// only) answered by OCPP 2.0.1 Get15118EVCertificate (M01/M02, the
// EXI of CertificateInstallationReq / CertificateUpdateReq passed through, the CSMS's EXI
// response decoded into the session's answer), and the PkiStore's revocation check answered by
// GetCertificateStatus (M06) for each certificate of the contract chain.
//
// The session's handlers are synchronous (they never await, style.md §2), and ISO 15118-2 gives
// CertificateInstallationRes no EVSEProcessing=Ongoing: the answer must be there when the request
// is handled. So the host hands every incoming V2G message to `prepare` first (SeccConnection's
// beforeRequest hook); for a
// certificate request (and for PaymentDetailsReq's chain) it asks the CSMS and the host passes
// the message on once the promise resolves — within the EV's V2G_EVCC_Msg_Timeout (ISO 15118-2:
// 5 s for CertificateInstallation/Update and PaymentDetails) — and `install` / `update` /
// `isRevoked` then answer from what came back.

import type { Clock, Logger, Millis, TimerHandle } from "../../../modules/common/index";
import { silentLogger, toHex } from "../../../modules/common/index";
import { decode } from "../../../modules/exi/index";
import { checkOcspResponse, type Certificate, type CryptoHost, type PkiStore, type SignatureType } from "../../../modules/pki-store/index";
import type { CertificateHashData } from "../../../modules/statemachine/index";
import { certificateHashData, chainOf, type ContractProvisioning, type ContractProvisioningResult } from "../../../modules/statemachine/iso2/pnc";
import type { iso2 } from "../../../modules/statemachine/msg-types";
import type { Iso20CertificateInstallationRequest, Iso20ContractProvisioning, Iso20ContractProvisioningResult } from "../../../modules/statemachine/iso20/pnc-certificate";
import type * as cm from "../../../modules/exi/generated/iso20_cm/types";

/** The OCPP calls this needs (OcppBridge has them). */
export interface OcppPncCalls {
  get15118EvCertificate(action: "Install" | "Update", schema: "iso2" | "iso20", exiRequest: Uint8Array): Promise<{ accepted: boolean; exiResponse?: Uint8Array }>;
  getCertificateStatus(hash: CertificateHashData): Promise<{ good: boolean; ocspResponse?: Uint8Array }>;
}

export interface OcppContractProvisioningOptions {
  ocpp: OcppPncCalls;
  crypto: CryptoHost;
  clock: Clock;
  /** Unix seconds from the wall clock, to check an OCSP response's thisUpdate/nextUpdate (unchecked without it). */
  now?: () => number | undefined;
  logger?: Logger;
  /** How long `prepare` waits for the CSMS before passing the message on (default 4 s: the EV gives 5). */
  deadline?: Millis;
  /**
   * Whether a certificate whose status could not be had counts as revoked (default false:
   * OCPP 2.0.1 ISO15118Ctrlr ContractValidationOffline true — accept what the chain check accepts).
   */
  unknownIsRevoked?: boolean;
}

type Outcome = { readonly exi?: Uint8Array; readonly failed?: "FAILED" };

export class OcppContractProvisioning implements ContractProvisioning, Iso20ContractProvisioning {
  readonly #o: OcppContractProvisioningOptions;
  readonly #log: Logger;
  /** CSMS answers by the request's key (OEM provisioning certificate, or the contract leaf being updated). */
  readonly #answers = new Map<string, Outcome>();
  /** OCSP status by issuer name hash / serial (true: good). */
  readonly #status = new Map<string, boolean>();
  /** Set while `prepare` validates a chain to find its OCSP data (no status known yet). */
  #probing = false;
  /** The store whose chains `prepare` reads (set by `attach`). */
  #store: PkiStore | undefined;

  constructor(options: OcppContractProvisioningOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
  }

  /** The SECC's contract store (the one whose `isRevoked` is this object's). */
  attach(store: PkiStore): void {
    this.#store = store;
  }

  /** For PkiStore's isRevoked: what GetCertificateStatus said about this certificate. */
  isRevoked = (certificate: Certificate): boolean => {
    if (this.#probing) return false;
    const good = this.#status.get(statusKey(toHex(this.#o.crypto.digest("SHA-256", certificate.issuerDer)), certificate.serial));
    return good === undefined ? this.#o.unknownIsRevoked === true : !good;
  };

  /**
   * An incoming V2G message (EXI, without V2GTP header) before the session handles it: for a
   * CertificateInstallationReq / CertificateUpdateReq the CSMS is asked; for a PaymentDetailsReq
   * the status of each certificate of its chain. Undefined for anything else (pass it on now).
   * Fits SeccConnectionOptions.beforeRequest: `beforeRequest: (schema, exi, request) =>
   * p.prepare(exi, schema, request)`; without `request` (the connection's decoded one) it decodes.
   */
  prepare(exi: Uint8Array, schema = "iso2", request?: object): Promise<void> | undefined {
    if (schema === "iso20-cm") return this.#prepareIso20(exi, request);
    if (schema !== "iso2") return undefined;
    let body: Record<string, unknown> | undefined;
    try {
      body = ((request ?? decode("iso2", exi)) as { V2G_Message?: { Body?: Record<string, unknown> } }).V2G_Message?.Body;
    } catch {
      return undefined; // not ISO-2 or not decodable: the session answers it
    }
    if (body === undefined) return undefined;
    const install = body.CertificateInstallationReq as iso2.CertificateInstallationReqType | undefined;
    if (install !== undefined) return this.#withDeadline(this.#provision("Install", exi, toHex(install.OEMProvisioningCert)));
    const update = body.CertificateUpdateReq as iso2.CertificateUpdateReqType | undefined;
    if (update !== undefined) return this.#withDeadline(this.#provision("Update", exi, toHex(chainOf(update.ContractSignatureCertChain)[0] ?? new Uint8Array(0))));
    const details = body.PaymentDetailsReq as iso2.PaymentDetailsReqType | undefined;
    if (details !== undefined) return this.#withDeadline(this.#statusOf(chainOf(details.ContractSignatureCertChain), details.eMAID));
    return undefined;
  }

  install(request: { readonly oemProvisioningCertificate: Uint8Array }): ContractProvisioningResult {
    return this.#answer(toHex(request.oemProvisioningCertificate), "CertificateInstallationRes");
  }

  update(request: { readonly contractChain: readonly Uint8Array[] }): ContractProvisioningResult {
    return this.#answer(toHex(request.contractChain[0]), "CertificateUpdateRes");
  }

  /**
   * ISO 15118-20 (CommonMessages): CertificateInstallationReq goes to the CSMS with the -20
   * namespace as iso15118SchemaVersion; AuthorizationReq(PnC) has the status of its contract chain asked.
   */
  #prepareIso20(exi: Uint8Array, request?: object): Promise<void> | undefined {
    let doc: Record<string, any>;
    try {
      doc = (request ?? decode("iso20-cm", exi)) as Record<string, any>;
    } catch {
      return undefined;
    }
    const install = doc.CertificateInstallationReq as cm.CertificateInstallationReqType | undefined;
    if (install !== undefined) return this.#withDeadline(this.#provision("Install", exi, toHex(install.OEMProvisioningCertificateChain.Certificate), "iso20"));
    const mode = (doc.AuthorizationReq as cm.AuthorizationReqType | undefined)?.PnC_AReqAuthorizationMode;
    if (mode !== undefined) return this.#withDeadline(this.#statusOf(chainOf(mode.ContractCertificateChain)));
    return undefined;
  }

  /** -20 CertificateInstallation: the CSMS's EXI CertificateInstallationRes (the CPS's Signature in its header) as the handler's result. */
  installIso20(request: Iso20CertificateInstallationRequest): Iso20ContractProvisioningResult {
    const key = toHex(request.oemProvisioningChain[0]);
    const outcome = this.#answers.get(key);
    this.#answers.delete(key);
    if (outcome?.exi === undefined) return { ok: false, code: outcome === undefined ? "WARNING_NoCertificateAvailable" : "FAILED" };
    try {
      const res = (decode("iso20-cm", outcome.exi) as { CertificateInstallationRes?: cm.CertificateInstallationResType }).CertificateInstallationRes;
      const signature = (res?.Header as { Signature?: SignatureType } | undefined)?.Signature;
      if (res === undefined || signature === undefined) throw new Error("no signed CertificateInstallationRes");
      if (res.ResponseCode !== "OK") {
        const passed = ["WARNING_NoContractMatchingPCIDFound", "WARNING_eMSPUnknown", "WARNING_NoCertificateAvailable", "WARNING_CertificateValidationError"] as const;
        const code = passed.find((c) => c === res.ResponseCode);
        return { ok: false, code: code ?? "FAILED" };
      }
      return { ok: true, response: { CPSCertificateChain: res.CPSCertificateChain, SignedInstallationData: res.SignedInstallationData, RemainingContractCertificateChains: res.RemainingContractCertificateChains }, signature };
    } catch (error) {
      this.#log.log("warn", "ocpp", `the CSMS's CertificateInstallationRes EXI is unusable: ${(error as Error).message}`);
      return { ok: false, code: "FAILED" };
    }
  }

  async #provision(action: "Install" | "Update", exi: Uint8Array, key: string, schema: "iso2" | "iso20" = "iso2"): Promise<void> {
    const answer = await this.#o.ocpp.get15118EvCertificate(action, schema, exi);
    this.#answers.set(key, answer.accepted && answer.exiResponse !== undefined ? { exi: answer.exiResponse } : { failed: "FAILED" });
    if (!answer.accepted) this.#log.log("warn", "ocpp", `Get15118EVCertificate ${action}: the CSMS has no certificate for the EV`);
  }

  async #statusOf(chain: Uint8Array[], emaid?: string): Promise<void> {
    const store = this.#store;
    if (store === undefined || chain.length === 0) return;
    this.#probing = true;
    let check;
    try {
      check = store.validate(chain, "contract", emaid !== undefined ? { emaid } : {});
    } finally {
      this.#probing = false;
    }
    if (!check.ok) return; // the session refuses the chain with its code, no need to ask
    const hashes = certificateHashData(this.#o.crypto, check.path, check.anchor);
    await Promise.all(
      hashes.map(async (hash, i) => {
        const status = await this.#o.ocpp.getCertificateStatus(hash);
        let good = status.good;
        // OCPP 2.0.1 M06: ocspResult is the responder's OCSPResponse; the charger trusts it only
        // once it verifies (RFC 6960 §3.2), not because the CSMS said Accepted.
        if (good && status.ocspResponse !== undefined) {
          const certificate = check.path[i];
          const issuer = i + 1 < check.path.length ? check.path[i + 1] : check.anchor;
          const result = checkOcspResponse({ crypto: this.#o.crypto, response: status.ocspResponse, certificate, issuer, now: this.#o.now?.() });
          good = result.ok && result.status === "good";
          if (!result.ok) this.#log.log("warn", "ocpp", `the OCSP response for serial ${hash.serialNumber} is refused (${result.failure}: ${result.detail})`);
        }
        this.#status.set(statusKey(hash.issuerNameHash, hash.serialNumber), good);
      }),
    );
  }

  /** The CSMS's EXI V2G_Message (header Signature by the CPS, body the response) as the handler's result. */
  #answer(key: string, name: "CertificateInstallationRes" | "CertificateUpdateRes"): ContractProvisioningResult {
    const outcome = this.#answers.get(key);
    this.#answers.delete(key);
    if (outcome?.exi === undefined) return { ok: false, code: outcome === undefined ? "FAILED_NoCertificateAvailable" : "FAILED" };
    try {
      const message = (decode("iso2", outcome.exi) as { V2G_Message: { Header: { Signature?: SignatureType }; Body: Record<string, unknown> } }).V2G_Message;
      const res = message.Body[name] as (iso2.CertificateInstallationResType & { ResponseCode: string }) | undefined;
      if (res === undefined || message.Header.Signature === undefined) throw new Error(`no signed ${name}`);
      if (res.ResponseCode.startsWith("FAILED")) return { ok: false, code: res.ResponseCode === "FAILED_NoCertificateAvailable" || res.ResponseCode === "FAILED_ContractCanceled" || res.ResponseCode === "FAILED_CertChainError" ? res.ResponseCode : "FAILED" };
      const { ResponseCode: _code, ...response } = res;
      return { ok: true, response, signature: message.Header.Signature };
    } catch (error) {
      this.#log.log("warn", "ocpp", `the CSMS's ${name} EXI is unusable: ${(error as Error).message}`);
      return { ok: false, code: "FAILED" };
    }
  }

  #withDeadline(work: Promise<void>): Promise<void> {
    let timer: TimerHandle | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = this.#o.clock.set(() => {
        this.#log.log("warn", "ocpp", "the CSMS did not answer in time: the request goes on without it");
        resolve();
      }, this.#o.deadline ?? (4000 as Millis));
    });
    return Promise.race([work.catch(() => undefined), deadline]).finally(() => this.#o.clock.clear(timer));
  }
}

function statusKey(issuerNameHash: string, serial: Uint8Array | string): string {
  let hex = typeof serial === "string" ? serial : toHex(serial);
  while (hex.length > 1 && hex[0] === "0") hex = hex.slice(1);
  return `${issuerNameHash.toLowerCase()}/${hex.toLowerCase()}`;
}
