// A small CSMS for tests and `xs15118 sim --ocpp`: ocpp-rpc in server mode with strict OCPP 2.0.1
// schema validation, answering what a charger sends and recording every message both ways.

import { ocpp21Validator } from "./ocpp21-validator";
import { RPCServer } from "ocpp-rpc";

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
      return { idTokenInfo: { status: ok ? "Accepted" : "Invalid" }, ...(p.iso15118CertificateHashData !== undefined ? { certificateStatus: ok ? "Accepted" : "CertificateRevoked" } : {}) };
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
      const exi = this.#o.evCertificate?.(p as never);
      return exi !== undefined ? { status: "Accepted", exiResponse: exi } : { status: "Failed", exiResponse: "" };
    });
    // No OCSP responder here: the status cannot be had (the charger treats it as not good).
    on("GetCertificateStatus", () => ({ status: "Failed" }));
  }
}
