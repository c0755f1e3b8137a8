// The charger's OCPP 2.0.1 side: an OperatorBackend (modules/statemachine/operator-backend.ts)
// that speaks OCPP-J 2.0.1 to a CSMS through ocpp-rpc, with the library's schema validation on
// every call and response (strictMode). See ./README.md for the ISO 15118 ↔ OCPP mapping.

import { RPCClient } from "ocpp-rpc";
import { silentLogger, toHex } from "../../../modules/common/index";
import type { Clock, Logger, Millis, TimerHandle } from "../../../modules/common/index";
import type {
  AuthorizationRequest,
  CertificateHashData,
  ControlEvent,
  EnergyMeter,
  EvNeeds,
  OperatorAnswer,
  OperatorBackend,
  OperatorSessionInfo,
} from "../../../modules/statemachine/index";
import { ChargingProfiles } from "./profiles";
import { ocpp21Validator } from "./ocpp21-validator";
import type { ClearCriteria, OcppChargingProfile, PowerStep } from "./profiles";
import { Iso15118Ctrlr } from "./device-model";

export interface OcppBridgeOptions {
  /** The CSMS endpoint with the station's identity as last path segment: ws://host:port/path/ID. */
  url: string;
  /** The charger's clock (meter sampling); wall-clock timestamps come from `unixMs`. */
  clock: Clock;
  /** Wall clock in ms (default Date.now). */
  unixMs?: () => number;
  logger?: Logger;
  /** OCPP EVSE and connector of this SECC (default 1 / 1). */
  evseId?: number;
  connectorId?: number;
  vendorName?: string;
  model?: string;
  /** The charger's energy meter (Energy.Active.Import.Register). */
  meter?: EnergyMeter;
  /** Present output: V and A (signed: negative while discharging). */
  present?: () => { voltage: number; current: number };
  /** W per A for profiles given in A (AC: nominal voltage × phases; DC: the output voltage). */
  wattsPerAmp?: () => number;
  /** TransactionEvent Updated with meter values every this while charging (default 60 s, SampledDataTxUpdatedInterval). */
  meterInterval?: Millis;
  /** ISO15118Ctrlr values (SeccId, CountryName, …). */
  seccId?: string;
  /**
   * OCPP-J subprotocols offered, preferred first (default ["ocpp2.0.1"]). With "ocpp2.1" the
   * CSMS may send V2X setpoints (see ./README.md, OCPP 2.1 and V2X).
   */
  protocols?: readonly ("ocpp2.0.1" | "ocpp2.1")[];
  /** Every OCPP message in and out, e.g. for a trace. */
  onMessage?(direction: "tx" | "rx", method: string, params: unknown): void;
  /**
   * Re-connecting after the CSMS went away, as OCPP 2.0.1 OCPPCommCtrlr describes it: the first
   * attempt after RetryBackOffWaitMinimum plus a random part up to RetryBackOffRandomRange, the
   * wait doubling RetryBackOffRepeatTimes times, then staying there. Defaults 1 s, 5 (→ 32 s), 1 s.
   */
  retryBackOff?: { waitMinimum?: Millis; repeatTimes?: number; randomRange?: Millis; random?: () => number };
  /**
   * TransactionEvents kept while offline (default 1000). When full, the oldest periodic meter
   * update goes first (OCPP 2.0.1 E.* lets the station drop intermediate meter values, never the
   * Started/Ended events); the seqNo gap tells the CSMS.
   */
  offlineQueueLimit?: number;
}

type Json = Record<string, unknown>;

/** Splits ws://host:port/a/b/ID into endpoint ws://host:port/a/b and identity ID. */
export function splitOcppUrl(url: string): { endpoint: string; identity: string } {
  const slash = url.lastIndexOf("/");
  if (!/^wss?:\/\/[^/]/.test(url) || slash < url.indexOf("//") + 2 || slash === url.length - 1) {
    throw new TypeError(`OCPP URL must be ws://HOST:PORT/[PATH/]ID, got ${url}`);
  }
  return { endpoint: url.slice(0, slash), identity: decodeURIComponent(url.slice(slash + 1)) };
}

export class OcppBridge implements OperatorBackend {
  onEvent?: (event: ControlEvent) => void;
  onAnswer?: (answer: OperatorAnswer) => void;
  readonly client: RPCClient;
  readonly ctrlr: Iso15118Ctrlr;
  readonly profiles = new ChargingProfiles();
  readonly #o: OcppBridgeOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #evseId: number;
  #transactionId: string | undefined;
  #transactionStartMs = 0;
  #seqNo = 0;
  #idToken: { idToken: string; type: string } | undefined;
  #meterTimer: TimerHandle | undefined;
  #charging = false;
  /** The steps last pushed to the SECC, to renegotiate only on a real change. */
  #pushed: string | undefined;
  #transactionCount = 0;
  #setpoint: number | undefined;
  #schedule: readonly PowerStep[] | undefined;
  /** OCPP 2.1 NotifyAllowedEnergyTransfer: the modes the CSMS allows (undefined: not told). */
  allowedEnergyTransfer: string[] | undefined;
  /** Calls in flight, so that a test or the CLI can wait for the charger's reports. */
  readonly #pending = new Set<Promise<unknown>>();
  /** Connected and booted (BootNotification Accepted): calls go out; else TransactionEvents queue. */
  #online = false;
  #booted = false;
  #closing = false;
  #heartbeatInterval: Millis = 0 as Millis;
  #heartbeatTimer: TimerHandle | undefined;
  #reconnectTimer: TimerHandle | undefined;
  #reconnectAttempt = 0;
  /** TransactionEvents not yet answered by the CSMS, oldest first (OCPP 2.0.1 E.*: in order, none lost). */
  readonly #txQueue: Json[] = [];
  #txSending = false;
  /** Connector status now and as the CSMS last heard it (sent again after a reconnect if it changed). */
  #connectorStatus: "Available" | "Occupied" = "Available";
  #reportedStatus: string | undefined;
  /** TransactionEvents dropped because the offline queue was full. */
  droppedTransactionEvents = 0;
  /** Times the connection came back after a loss. */
  reconnects = 0;

  constructor(options: OcppBridgeOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#now = options.unixMs ?? Date.now;
    this.#evseId = options.evseId ?? 1;
    this.ctrlr = new Iso15118Ctrlr({ seccId: options.seccId });
    const { endpoint, identity } = splitOcppUrl(options.url);
    this.client = new RPCClient({ endpoint, identity, protocols: [...(options.protocols ?? ["ocpp2.0.1"])], strictMode: true, reconnect: false , strictModeValidators: [ocpp21Validator()] } as never);
    this.client.on("close", () => this.#lost());
    this.client.on("strictValidationFailure", (e: { error?: Error; messageId?: string; method?: string }) =>
      this.#log.log("error", "ocpp", `schema validation failed: ${e.method ?? "?"}: ${e.error?.message ?? ""}`),
    );
    this.#handle("SetChargingProfile", (p) => this.#setChargingProfile(p));
    this.#handle("ClearChargingProfile", (p) => this.#clearChargingProfile(p as ClearCriteria));
    this.#handle("GetVariables", (p) => ({ getVariableResult: this.ctrlr.get(p.getVariableData as never) }));
    this.#handle("SetVariables", (p) => ({ setVariableResult: this.ctrlr.set(p.setVariableData as never) }));
    // OCPP 2.1 (V2X): which energy transfer modes the CSMS allows for this transaction. Recorded;
    // the SECC's -20 service offer does not follow it yet (see ./README.md).
    this.#handle("NotifyAllowedEnergyTransfer", (p) => {
      this.allowedEnergyTransfer = p.allowedEnergyTransfer as string[];
      return { status: "Accepted" };
    });
  }

  /**
   * Connects and boots: BootNotification, then StatusNotification Available. Throws when the
   * CSMS cannot be reached; once booted, a lost connection is re-established by itself.
   */
  async connect(): Promise<void> {
    await this.client.connect();
    await this.#boot();
  }

  /** Whether the CSMS is reachable and has accepted the boot. */
  get online(): boolean {
    return this.#online;
  }

  /** TransactionEvents waiting for the CSMS (queued offline or in flight). */
  get queuedTransactionEvents(): number {
    return this.#txQueue.length;
  }

  /**
   * BootNotification; Accepted → online (status, queued TransactionEvents, Heartbeat every
   * `interval` s). Pending / Rejected: OCPP 2.0.1 B02/B03 — nothing else is sent, the boot is
   * repeated after `interval`.
   */
  async #boot(): Promise<void> {
    const boot = (await this.#call("BootNotification", {
      reason: "PowerUp",
      chargingStation: { vendorName: this.#o.vendorName ?? "xs15118", model: this.#o.model ?? "xs15118-sim" },
    })) as { status: string; interval: number };
    this.#log.log("info", "ocpp", `BootNotification ${boot.status} (heartbeat ${boot.interval} s)`);
    const interval = (Math.max(1, boot.interval) * 1000) as Millis;
    if (boot.status !== "Accepted") {
      this.#reconnectTimer = this.#o.clock.set(() => {
        this.#reconnectTimer = undefined;
        this.#boot().catch((e: Error) => this.#log.log("warn", "ocpp", `BootNotification failed: ${e.message}`));
      }, interval);
      return;
    }
    this.#booted = true;
    this.#heartbeatInterval = interval;
    await this.#cameOnline();
  }

  async #cameOnline(): Promise<void> {
    this.#online = true;
    this.#reconnectAttempt = 0;
    this.#armHeartbeat();
    if (this.#reportedStatus !== this.#connectorStatus) await this.#status(this.#connectorStatus);
    this.#pumpTransactions();
  }

  /** OCPP 2.0.1 G02: Heartbeat every HeartbeatInterval (the BootNotificationResponse's interval). */
  #armHeartbeat(): void {
    this.#o.clock.clear(this.#heartbeatTimer);
    this.#heartbeatTimer = this.#o.clock.set(() => {
      this.#heartbeatTimer = undefined;
      if (!this.#online) return;
      this.#call("Heartbeat", {}).then(undefined, (e: Error) => this.#log.log("warn", "ocpp", `Heartbeat failed: ${e.message}`));
      this.#armHeartbeat();
    }, this.#heartbeatInterval);
  }

  /** The socket closed: unless we closed it, try again with back-off (TransactionEvents queue meanwhile). */
  #lost(): void {
    const wasOnline = this.#online;
    this.#online = false;
    this.#o.clock.clear(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    if (this.#closing || !this.#booted || this.#reconnectTimer !== undefined) return;
    if (wasOnline) this.#log.log("warn", "ocpp", "connection to the CSMS lost; re-connecting, TransactionEvents queue meanwhile");
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const b = this.#o.retryBackOff ?? {};
    const doublings = Math.min(this.#reconnectAttempt++, b.repeatTimes ?? 5);
    const random = (b.randomRange ?? 1000) * (b.random ?? Math.random)();
    const delay = ((b.waitMinimum ?? 1000) * 2 ** doublings + random) as Millis;
    this.#reconnectTimer = this.#o.clock.set(() => {
      this.#reconnectTimer = undefined;
      if (this.#closing) return;
      const attempt = this.client.connect().then(
        () => {
          this.reconnects++;
          this.#log.log("info", "ocpp", `re-connected to the CSMS (${this.#txQueue.length} TransactionEvents to replay)`);
          return this.#cameOnline();
        },
        (e: Error) => {
          this.#log.log("info", "ocpp", `re-connect failed (${e.message}); next try with back-off`);
          if (!this.#closing && this.#reconnectTimer === undefined) this.#scheduleReconnect();
        },
      );
      this.#track(attempt);
    }, delay);
  }

  /** The composite limit last given to the SECC (PMax steps from when it was given), if any. */
  get schedule(): readonly PowerStep[] | undefined {
    return this.#schedule;
  }

  /** Waits until every call sent so far has its answer. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#o.clock.clear(this.#meterTimer);
    this.#o.clock.clear(this.#heartbeatTimer);
    this.#o.clock.clear(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.#online) await this.settled();
    await this.client.close({ awaitPending: this.#online });
  }

  // ---- OperatorBackend ------------------------------------------------------------------

  authorize(request: AuthorizationRequest): void {
    const idToken =
      request.kind === "eim" ? { idToken: toHex(request.evccId).toUpperCase(), type: "MacAddress" } : { idToken: request.emaid, type: "eMAID" };
    const params: Json = { idToken };
    if (request.kind === "pnc") {
      if (request.chain.length > 0) params.iso15118CertificateHashData = request.chain.map(ocspData);
      if (request.certificate !== undefined) params.certificate = request.certificate;
    }
    this.#fire("Authorize", params, (res) => {
      const r = res as { idTokenInfo: { status: string }; certificateStatus?: string };
      const accepted = r.idTokenInfo.status === "Accepted" && (r.certificateStatus === undefined || r.certificateStatus === "Accepted");
      if (accepted) this.#idToken = idToken;
      if (request.kind === "pnc") this.onAnswer?.({ kind: "contract-status", accepted, certificateStatus: r.certificateStatus });
      this.onEvent?.({ kind: "authorized", accepted });
      if (accepted && this.#transactionId !== undefined) this.#transaction("Updated", "Authorized", { idToken });
    }, () => this.onEvent?.({ kind: "authorized", accepted: false }));
  }

  requestEvCertificate(action: "Install" | "Update", schema: "iso2" | "iso20", exiRequest: Uint8Array): void {
    this.get15118EvCertificate(action, schema, exiRequest).then((answer) => this.onAnswer?.({ kind: "ev-certificate", ...answer }));
  }

  requestCertificateStatus(hash: CertificateHashData): void {
    this.getCertificateStatus(hash).then((answer) => this.onAnswer?.({ kind: "certificate-status", ...answer }));
  }

  /** OCPP 2.0.1 M01/M02 Get15118EVCertificate: the request's EXI to the CSMS, its response EXI back untouched. */
  get15118EvCertificate(action: "Install" | "Update", schema: "iso2" | "iso20", exiRequest: Uint8Array): Promise<{ accepted: boolean; exiResponse?: Uint8Array }> {
    // OCPP 2.0.1 §M02: iso15118SchemaVersion is the namespace of the message set.
    const iso15118SchemaVersion = schema === "iso2" ? "urn:iso:15118:2:2013:MsgDef" : "urn:iso:std:iso:15118:-20:CommonMessages";
    return this.#ask<{ accepted: boolean; exiResponse?: Uint8Array }>("Get15118EVCertificate", { iso15118SchemaVersion, action, exiRequest: Buffer.from(exiRequest).toString("base64") }, (res) => {
      const r = res as { status: string; exiResponse: string };
      return { accepted: r.status === "Accepted", exiResponse: r.exiResponse.length > 0 ? new Uint8Array(Buffer.from(r.exiResponse, "base64")) : undefined };
    }, { accepted: false });
  }

  /** OCPP 2.0.1 M06 GetCertificateStatus: the OCSP status of one certificate, through the CSMS. */
  getCertificateStatus(hash: CertificateHashData): Promise<{ good: boolean; ocspResponse?: Uint8Array }> {
    return this.#ask<{ good: boolean; ocspResponse?: Uint8Array }>("GetCertificateStatus", { ocspRequestData: ocspData(hash) }, (res) => {
      const r = res as { status: string; ocspResult?: string };
      return { good: r.status === "Accepted", ocspResponse: r.ocspResult !== undefined ? new Uint8Array(Buffer.from(r.ocspResult, "base64")) : undefined };
    }, { good: false });
  }

  evNeeds(needs: EvNeeds): void {
    const mode = needs.energyMode ?? "DC";
    const requestedEnergyTransfer = mode.startsWith("DC") ? "DC" : mode === "AC_single_phase_core" ? "AC_single_phase" : "AC_three_phase";
    const chargingNeeds: Json = { requestedEnergyTransfer };
    if (needs.departureTime !== undefined) chargingNeeds.departureTime = new Date(this.#now() + needs.departureTime * 1000).toISOString();
    const energy = needs.targetEnergy ?? needs.maxEnergy;
    if (requestedEnergyTransfer === "DC") {
      chargingNeeds.dcChargingParameters = {
        evMaxCurrent: Math.round(needs.maxCurrent ?? 0),
        evMaxVoltage: Math.round(needs.maxVoltage ?? 0),
        ...(needs.maxPower ? { evMaxPower: Math.round(needs.maxPower) } : {}),
        ...(energy !== undefined ? { energyAmount: Math.round(energy) } : {}),
        ...(needs.targetSoc !== undefined ? { fullSoC: Math.round(needs.targetSoc) } : {}),
      };
    } else {
      // ISO-2 AC_EVChargeParameter has no minimum current: 0 A (the EV may pause).
      chargingNeeds.acChargingParameters = {
        energyAmount: Math.round(energy ?? 0),
        evMinCurrent: 0,
        evMaxCurrent: Math.round(needs.maxCurrent ?? 0),
        evMaxVoltage: Math.round(needs.maxVoltage ?? 0),
      };
    }
    this.#fire("NotifyEVChargingNeeds", { evseId: this.#evseId, chargingNeeds, maxScheduleTuples: 1 });
  }

  evChargingSchedule(entries: readonly PowerStep[]): void {
    if (entries.length === 0) return;
    this.#fire("NotifyEVChargingSchedule", {
      timeBase: new Date(this.#now()).toISOString(),
      evseId: this.#evseId,
      chargingSchedule: {
        id: 1,
        chargingRateUnit: "W",
        chargingSchedulePeriod: entries.map((e) => ({ startPeriod: Math.round(e.start), limit: Math.round(e.power) })),
      },
    });
  }

  sessionStarted(info: OperatorSessionInfo): void {
    this.#transactionId = `xs-${this.#now().toString(36)}-${++this.#transactionCount}`;
    this.#transactionStartMs = this.#now();
    this.#seqNo = 0;
    this.#idToken = undefined;
    this.#pushed = undefined;
    this.#setpoint = undefined;
    this.#log.log("info", "ocpp", `transaction ${this.#transactionId} (${info.protocol}, EVCCID ${toHex(info.evccId)})`);
    void this.#status("Occupied");
    this.#transaction("Started", "EVDetected", { chargingState: "EVConnected", register: true });
    // A profile installed before the EV came is offered in its first SAScheduleList.
    this.#pushSchedule(false);
  }

  chargingStarted(): void {
    if (this.#charging) return;
    this.#charging = true;
    this.#transaction("Updated", "ChargingStateChanged", { chargingState: "Charging", register: true });
    this.#armMeter();
  }

  chargingStopped(): void {
    if (!this.#charging) return;
    this.#charging = false;
    this.#o.clock.clear(this.#meterTimer);
    this.#meterTimer = undefined;
    this.#transaction("Updated", "ChargingStateChanged", { chargingState: "SuspendedEV", register: true });
  }

  sessionStopped(reason: string): void {
    if (this.#transactionId === undefined) return;
    this.#charging = false;
    this.#o.clock.clear(this.#meterTimer);
    this.#meterTimer = undefined;
    this.#transaction("Ended", "EVDeparted", { chargingState: "Idle", register: true, stoppedReason: stoppedReason(reason) });
    this.#transactionId = undefined;
    void this.#status("Available");
  }

  // ---- CSMS → charger -------------------------------------------------------------------

  #setChargingProfile(params: Json): Json {
    const profile = params.chargingProfile as OcppChargingProfile;
    if (profile.chargingProfilePurpose === "TxProfile" && this.#transactionId === undefined) return { status: "Rejected" };
    if (!this.profiles.set(profile, this.#now())) return { status: "Rejected" };
    this.#pushSchedule(true);
    return { status: "Accepted" };
  }

  #clearChargingProfile(criteria: ClearCriteria): Json {
    if (!this.profiles.clear(criteria)) return { status: "Unknown" };
    this.#pushSchedule(true);
    return { status: "Accepted" };
  }

  /** The composite limit to the SECC; a changed one during a session asks the EV to renegotiate. */
  #pushSchedule(renegotiate: boolean): void {
    const wattsPerAmp = this.#o.wattsPerAmp?.() ?? 230 * 3;
    // OCPP 2.1 setpoint (signed W) → the -20 Dynamic control mode's EVSE target.
    const setpoint = this.profiles.setpoint(this.#now(), wattsPerAmp, this.#transactionStartMs);
    if (setpoint !== this.#setpoint) {
      this.#setpoint = setpoint;
      if (setpoint !== undefined) this.onEvent?.({ kind: "power-setpoint", watts: setpoint });
    }
    const steps = this.profiles.steps(this.#now(), wattsPerAmp, this.#transactionStartMs);
    const key = JSON.stringify(steps ?? null);
    if (key === this.#pushed) return;
    this.#pushed = key;
    this.#schedule = steps;
    this.onEvent?.({ kind: "schedule", steps });
    if (renegotiate && this.#transactionId !== undefined) {
      this.#log.log("info", "ocpp", `charging profile changed: ${key}; asking the EV to renegotiate`);
      this.onEvent?.({ kind: "renegotiate" });
    }
  }

  // ---- helpers --------------------------------------------------------------------------

  #armMeter(): void {
    const interval = this.#o.meterInterval ?? (60_000 as Millis);
    this.#meterTimer = this.#o.clock.set(() => {
      if (!this.#charging) return;
      this.#transaction("Updated", "MeterValuePeriodic", {});
      this.#armMeter();
    }, interval);
  }

  #transaction(
    eventType: "Started" | "Updated" | "Ended",
    triggerReason: string,
    extra: { chargingState?: string; register?: boolean; stoppedReason?: string; idToken?: { idToken: string; type: string } },
  ): void {
    if (this.#transactionId === undefined) return;
    const transactionInfo: Json = { transactionId: this.#transactionId };
    if (extra.chargingState !== undefined) transactionInfo.chargingState = extra.chargingState;
    if (extra.stoppedReason !== undefined) transactionInfo.stoppedReason = extra.stoppedReason;
    const params: Json = {
      eventType,
      timestamp: new Date(this.#now()).toISOString(),
      triggerReason,
      seqNo: this.#seqNo++,
      transactionInfo,
      meterValue: [this.#meterValue(eventType)],
    };
    if (eventType === "Started") params.evse = { id: this.#evseId, connectorId: this.#o.connectorId ?? 1 };
    const token = extra.idToken ?? (eventType === "Started" ? this.#idToken : undefined);
    if (token !== undefined) params.idToken = token;
    // OCPP 2.0.1 E04/E12: an event that happened while the CSMS was unreachable says so.
    if (!this.#online) params.offline = true;
    this.#enqueue(params);
  }

  #enqueue(params: Json): void {
    const limit = Math.max(2, this.#o.offlineQueueLimit ?? 1000);
    if (this.#txQueue.length >= limit) {
      // Never the head while it is in flight; periodic meter values first, then other updates.
      const from = this.#txSending ? 1 : 0;
      let victim = -1;
      for (let i = from; i < this.#txQueue.length && victim < 0; i++) if (this.#txQueue[i].triggerReason === "MeterValuePeriodic") victim = i;
      for (let i = from; i < this.#txQueue.length && victim < 0; i++) if (this.#txQueue[i].eventType === "Updated") victim = i;
      if (victim < 0) victim = from;
      this.#txQueue.splice(victim, 1);
      if (this.droppedTransactionEvents++ === 0) this.#log.log("warn", "ocpp", `offline queue full (${limit}): dropping the oldest meter updates`);
    }
    this.#txQueue.push(params);
    this.#pumpTransactions();
  }

  /**
   * Sends the queued TransactionEvents one at a time, in order; an event leaves the queue only
   * when the CSMS answered it. A call lost with the connection stays at the head and goes again
   * after the reconnect (the CSMS recognises a repeat by transactionId and seqNo).
   */
  #pumpTransactions(): void {
    if (this.#txSending || !this.#online || this.#txQueue.length === 0) return;
    this.#txSending = true;
    const params = this.#txQueue[0];
    const sent = this.#call("TransactionEvent", params).then(
      () => {
        if (this.#txQueue[0] === params) this.#txQueue.shift();
        this.#txSending = false;
        this.#pumpTransactions();
      },
      (err: Error) => {
        this.#txSending = false;
        if (this.#online) {
          // Answered with a CALLERROR (not a lost link): repeating it would not help.
          this.#log.log("warn", "ocpp", `TransactionEvent failed: ${err.message}`);
          if (this.#txQueue[0] === params) this.#txQueue.shift();
          this.#pumpTransactions();
        }
      },
    );
    this.#track(sent);
  }

  /** Energy register, and the present voltage, current and power (import positive, export when discharging). */
  #meterValue(eventType: string): Json {
    const context = eventType === "Started" ? "Transaction.Begin" : eventType === "Ended" ? "Transaction.End" : "Sample.Periodic";
    const sampledValue: Json[] = [];
    const wh = this.#o.meter?.energyWh ?? 0;
    sampledValue.push({ value: round3(wh), context, measurand: "Energy.Active.Import.Register", unitOfMeasure: { unit: "Wh" } });
    const present = this.#o.present?.();
    if (present !== undefined) {
      const watts = present.voltage * present.current;
      sampledValue.push({ value: round3(present.voltage), context, measurand: "Voltage", unitOfMeasure: { unit: "V" } });
      sampledValue.push({ value: round3(Math.abs(present.current)), context, measurand: present.current < 0 ? "Current.Export" : "Current.Import", unitOfMeasure: { unit: "A" } });
      sampledValue.push({ value: round3(Math.abs(watts)), context, measurand: watts < 0 ? "Power.Active.Export" : "Power.Active.Import", unitOfMeasure: { unit: "W" } });
    }
    return { timestamp: new Date(this.#now()).toISOString(), sampledValue };
  }

  #status(connectorStatus: "Available" | "Occupied"): Promise<unknown> {
    this.#connectorStatus = connectorStatus;
    // Offline: sent after the reconnect if it still differs from what the CSMS last heard.
    if (!this.#online) return Promise.resolve();
    this.#reportedStatus = connectorStatus;
    return this.#call("StatusNotification", {
      timestamp: new Date(this.#now()).toISOString(),
      connectorStatus,
      evseId: this.#evseId,
      connectorId: this.#o.connectorId ?? 1,
    }).catch(() => undefined);
  }

  #handle(method: string, handler: (params: Json) => Json): void {
    this.client.handle(method, async ({ params }) => {
      this.#o.onMessage?.("rx", method, params);
      const result = handler((params ?? {}) as Json);
      this.#o.onMessage?.("tx", `${method}Response`, result);
      return result;
    });
  }

  #call(method: string, params: Json): Promise<unknown> {
    this.#o.onMessage?.("tx", method, params);
    const p = this.client.call(method, params).then((res) => {
      this.#o.onMessage?.("rx", `${method}Response`, res);
      return res;
    });
    this.#track(p);
    return p;
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    const forget = (): void => void this.#pending.delete(p);
    p.then(forget, forget);
  }

  /** A call whose answer (or `failed`, when it cannot be had) is read by `read`; never rejects. */
  #ask<T>(method: string, params: Json, read: (res: unknown) => T, failed: T): Promise<T> {
    return this.#call(method, params).then(read, (err: Error) => {
      this.#log.log("warn", "ocpp", `${method} failed: ${err.message}`);
      return failed;
    });
  }

  /** A call whose answer goes to callbacks: the session never waits on the operator. */
  #fire(method: string, params: Json, onResult?: (res: unknown) => void, onFailure?: () => void): void {
    this.#call(method, params).then(onResult, (err: Error) => {
      this.#log.log("warn", "ocpp", `${method} failed: ${err.message}`);
      onFailure?.();
    });
  }
}

function ocspData(h: CertificateHashData): Json {
  return { hashAlgorithm: h.hashAlgorithm, issuerNameHash: h.issuerNameHash, issuerKeyHash: h.issuerKeyHash, serialNumber: h.serialNumber, responderURL: h.responderURL };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The SECC's stop reason as OCPP ReasonEnumType. */
function stoppedReason(reason: string): string {
  if (reason === "ev-terminate" || reason === "charging-complete") return "StoppedByEV";
  if (reason === "link-down" || reason.startsWith("timeout")) return "EVDisconnected";
  if (reason === "cp-unplugged") return "EVDisconnected";
  if (reason.indexOf("emergency") >= 0) return "EmergencyStop";
  return "Other";
}
