// A small CSMS for tests and `xs15118 sim --ocpp`: ocpp-rpc in server mode with strict OCPP 2.0.1
// schema validation, answering what a charger sends and recording every message both ways.

import { ocpp21Validator } from "./ocpp21-validator";
import { RPCServer } from "ocpp-rpc";
import { decode, encode } from "../../../modules/exi/index";
import type { CertificateHashData } from "../../../modules/statemachine/index";
import type { ContractProvisioning, ContractProvisioningResult } from "../../../modules/statemachine/iso2/pnc";
import { chainOf } from "../../../modules/statemachine/iso2/pnc";
import type { iso2 } from "../../../modules/statemachine/msg-types";
import { nameValue, ocspCertIdFromOcpp, Oid, parseCertificate, type OcspCertId } from "../../../modules/pki-store/index";
import type { Iso20ContractProvisioning } from "../../../modules/statemachine/iso20/pnc-certificate";
import type * as cm from "../../../modules/exi/generated/iso20_cm/types";

export interface CsmsRecord {
  readonly identity: string;
  /** "rx": the charger sent it; "tx": the CSMS sent it. */
  readonly direction: "rx" | "tx";
  /** The call's method; a response is `<method>Response`. */
  readonly method: string;
  readonly params: unknown;
}

export interface TestCsmsOptions {
  /** Which idTokens are accepted (default: all). */
  accept?: (idToken: { idToken: string; type: string }) => boolean;
  /** Get15118EVCertificate: the EXI response (base64) for an EXI request, or undefined for Failed. */
  evCertificate?: (params: { action: string; exiRequest: string; iso15118SchemaVersion: string }) => string | undefined;
  /** A charging profile to send at each TransactionEvent Started (e.g. a TxProfile). */
  profileAtStart?: (transactionId: string) => object | undefined;
  /**
   * Plug & Charge from the test PKI (hosts/sim/pki): Get15118EVCertificate decodes the EXI
   * request and answers the EXI of the provisioning's signed response; Authorize answers from
   * `revoked`; GetCertificateStatus fails for what `revoked` names and otherwise carries the
   * provisioning's OCSPResponse (hosts/sim/pki/ocsp-responder.ts) when it has one.
   */
  pnc?: { provisioning: ContractProvisioning & Partial<Iso20ContractProvisioning> & { ocspResponse?(certId: OcspCertId): Uint8Array }; revoked?: (hash: CertificateHashData) => boolean };
  /** BootNotificationResponse interval: the station's Heartbeat period in s (default 300). */
  heartbeatInterval?: number;
  /** Subprotocols served, preferred first (default ["ocpp2.0.1"]). */
  protocols?: readonly ("ocpp2.0.1" | "ocpp2.1")[];
}

type Client = { identity: string; call(method: string, params?: unknown): Promise<unknown>; handle(method: string, h: (a: { params: unknown }) => unknown): void };

export class TestCsms {
  readonly records: CsmsRecord[] = [];
  /** Messages that failed the OCPP 2.0.1 schemas (in either direction). */
  readonly validationFailures: { identity: string; method?: string; message: string }[] = [];
  readonly #server: RPCServer;
  readonly #clients = new Map<string, Client>();
  readonly #o: TestCsmsOptions;
  #onClient: ((identity: string) => void) | undefined;

  constructor(options: TestCsmsOptions = {}) {
    this.#o = options;
    this.#server = new RPCServer({ protocols: [...(options.protocols ?? ["ocpp2.0.1"])], strictMode: true , strictModeValidators: [ocpp21Validator()] } as never);
    this.#server.on("client", (client: Client & { on(event: string, cb: (e: { method?: string; error?: Error }) => void): void }) => {
      this.#clients.set(client.identity, client);
      client.on("strictValidationFailure", (e) => this.validationFailures.push({ identity: client.identity, method: e.method, message: e.error?.message ?? "" }));
      this.#serve(client);
      this.#onClient?.(client.identity);
    });
  }

  /** Listens on loopback (port 0: any free port); returns the ws:// base URL. */
  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    const http = await this.#server.listen(port, host);
    const address = http.address() as { port: number };
    return `ws://${host}:${address.port}`;
  }

  /** Resolves when a station with this identity is connected. */
  connected(identity: string): Promise<void> {
    if (this.#clients.has(identity)) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#onClient;
      this.#onClient = (id) => {
        previous?.(id);
        if (id === identity) resolve();
      };
    });
  }

  /** Calls the station (SetChargingProfile, ClearChargingProfile, GetVariables, …) and records both ways. */
  async call(identity: string, method: string, params: object): Promise<unknown> {
    const client = this.#clients.get(identity);
    if (client === undefined) throw new Error(`station ${identity} is not connected`);
    this.records.push({ identity, direction: "tx", method, params });
    const res = await client.call(method, params);
    this.records.push({ identity, direction: "rx", method: `${method}Response`, params: res });
    return res;
  }

  /** The messages the stations sent, by method. */
  received(method: string): unknown[] {
    return this.records.filter((r) => r.direction === "rx" && r.method === method).map((r) => r.params);
  }

  async close(): Promise<void> {
    await this.#server.close({ force: true });
  }

  #serve(client: Client): void {
    const identity = client.identity;
    const on = (method: string, answer: (params: Record<string, unknown>) => object): void =>
      client.handle(method, ({ params }) => {
        this.records.push({ identity, direction: "rx", method, params });
        const res = answer(params as Record<string, unknown>);
        this.records.push({ identity, direction: "tx", method: `${method}Response`, params: res });
        return res;
      });
    const accept = this.#o.accept ?? (() => true);
    on("BootNotification", () => ({ currentTime: new Date().toISOString(), interval: this.#o.heartbeatInterval ?? 300, status: "Accepted" }));
    on("Heartbeat", () => ({ currentTime: new Date().toISOString() }));
    on("StatusNotification", () => ({}));
    on("Authorize", (p) => {
      const ok = accept(p.idToken as { idToken: string; type: string });
      const hashes = p.iso15118CertificateHashData as CertificateHashData[] | undefined;
      const revoked = hashes !== undefined && hashes.some((h) => this.#o.pnc?.revoked?.(h) === true);
      return {
        idTokenInfo: { status: ok && !revoked ? "Accepted" : revoked ? "Blocked" : "Invalid" },
        ...(hashes !== undefined ? { certificateStatus: revoked || !ok ? "CertificateRevoked" : "Accepted" } : {}),
      };
    });
    on("TransactionEvent", (p) => {
      const info = p.transactionInfo as { transactionId: string };
      if (p.eventType === "Started" && this.#o.profileAtStart !== undefined) {
        const profile = this.#o.profileAtStart(info.transactionId);
        if (profile !== undefined) queueMicrotask(() => void this.call(identity, "SetChargingProfile", { evseId: (p.evse as { id: number } | undefined)?.id ?? 1, chargingProfile: profile }).catch(() => undefined));
      }
      return p.idToken !== undefined ? { idTokenInfo: { status: accept(p.idToken as { idToken: string; type: string }) ? "Accepted" : "Invalid" } } : {};
    });
    on("NotifyEVChargingNeeds", () => ({ status: "Accepted" }));
    on("NotifyEVChargingSchedule", () => ({ status: "Accepted" }));
    on("Get15118EVCertificate", (p) => {
      const exi = this.#o.evCertificate?.(p as never) ?? (String(p.iso15118SchemaVersion).indexOf(":-20:") >= 0 ? this.#provisionIso20(p.exiRequest as string) : this.#provision(p.exiRequest as string));
      return exi !== undefined ? { status: "Accepted", exiResponse: exi } : { status: "Failed", exiResponse: "" };
    });
    // OCPP 2.0.1 M06: with a provisioning that answers OCSP (hosts/sim/pki), ocspResult is its
    // OCSPResponse (base64 DER) and the charger verifies it; `revoked` still makes the call fail.
    on("GetCertificateStatus", (p) => {
      const pnc = this.#o.pnc;
      const data = p.ocspRequestData as CertificateHashData;
      if (pnc === undefined || pnc.revoked?.(data) === true) return { status: "Failed" };
      const certId = ocspCertIdFromOcpp(data);
      const ocsp = certId !== undefined ? pnc.provisioning.ocspResponse?.(certId) : undefined;
      return ocsp !== undefined ? { status: "Accepted", ocspResult: Buffer.from(ocsp).toString("base64") } : { status: "Accepted" };
    });
  }

  /** -20: the EXI (base64) of the CPS-signed CertificateInstallationRes for an EXI CertificateInstallationReq (CommonMessages). */
  #provisionIso20(exiRequest: string): string | undefined {
    const provisioning = this.#o.pnc?.provisioning;
    if (provisioning?.installIso20 === undefined) return undefined;
    let install: cm.CertificateInstallationReqType | undefined;
    try {
      install = (decode("iso20-cm", new Uint8Array(Buffer.from(exiRequest, "base64"))) as { CertificateInstallationReq?: cm.CertificateInstallationReqType }).CertificateInstallationReq;
    } catch {
      return undefined;
    }
    if (install === undefined) return undefined;
    const chain = chainOf(install.OEMProvisioningCertificateChain);
    let pcid = "";
    try {
      pcid = nameValue(parseCertificate(chain[0]).subject, Oid.COMMON_NAME) ?? "";
    } catch {
      return undefined;
    }
    const result = provisioning.installIso20({ oemProvisioningChain: chain, pcid, rootCertificateIds: install.ListOfRootCertificateIDs, maximumContractCertificateChains: install.MaximumContractCertificateChains, prioritizedEmaids: install.PrioritizedEMAIDs?.EMAID });
    if (!result.ok) return undefined;
    const response = { CertificateInstallationRes: { Header: { SessionID: install.Header.SessionID, TimeStamp: install.Header.TimeStamp, Signature: result.signature }, ResponseCode: "OK", EVSEProcessing: "Finished", ...result.response } };
    return Buffer.from(encode("iso20-cm", response)).toString("base64");
  }

  /** The EXI (base64) of the signed CertificateInstallationRes / UpdateRes for an EXI request, from the test PKI. */
  #provision(exiRequest: string): string | undefined {
    const provisioning = this.#o.pnc?.provisioning;
    if (provisioning === undefined) return undefined;
    let message: { Header: { SessionID: Uint8Array }; Body: { CertificateInstallationReq?: iso2.CertificateInstallationReqType; CertificateUpdateReq?: iso2.CertificateUpdateReqType } };
    try {
      message = (decode("iso2", new Uint8Array(Buffer.from(exiRequest, "base64"))) as { V2G_Message: typeof message }).V2G_Message;
    } catch {
      return undefined;
    }
    const { CertificateInstallationReq: install, CertificateUpdateReq: update } = message.Body;
    let result: ContractProvisioningResult;
    let name: string;
    if (install !== undefined) {
      name = "CertificateInstallationRes";
      result = provisioning.install({ oemProvisioningCertificate: install.OEMProvisioningCert, rootCertificateIds: install.ListOfRootCertificateIDs });
    } else if (update !== undefined) {
      name = "CertificateUpdateRes";
      result = provisioning.update({ contractChain: chainOf(update.ContractSignatureCertChain), emaid: update.eMAID, rootCertificateIds: update.ListOfRootCertificateIDs });
    } else return undefined;
    if (!result.ok) return undefined;
    const response = { V2G_Message: { Header: { SessionID: message.Header.SessionID, Signature: result.signature }, Body: { [name]: { ResponseCode: "OK", ...result.response } } } };
    return Buffer.from(encode("iso2", response)).toString("base64");
  }
}
